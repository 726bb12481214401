"""The approval catalogue in Excel and on the command line (S3.1, S3.2): export, then import
all or nothing with a report naming each problem's sheet, row and column; the cycle check over
the whole file together with the catalogue, on a 5,000-item file too; `ducha approvals catalogue
check|import|export` exits 0 with a summary or 2 with each problem on its own line."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from ducha.approvals.catalogue import version_in_force
from ducha.approvals.catalogue_checks import DelegationInput, StepInput
from ducha.approvals.catalogue_excel import CatalogueFileRefused, export_catalogue, import_catalogue, plan_import
from ducha.approvals.models import Item, ItemVersion
from ducha.audit.models import AuditEvent
from tests.test_approvals_catalogue import TODAY, make_office, published


@pytest.fixture
def office(city):
    return make_office(city)


def _catalogue_file(city, tmp_path, name="catalogue.xlsx"):
    """The catalogue exported: A (no prerequisite), B requiring A, with a flow and a delegation."""
    fgw, czj = city.units["fgw"].pk, city.units["czj"].pk
    published(city, "A", name="立项用地规划许可")
    published(city, "B", name="工程建设许可", prereq=["A"], steps=[StepInput(1, fgw, "审查", 5), StepInput(1, czj, "审核", 7)],
              delegations=[DelegationInput(city.units["xixia"].pk, "area")])
    path = tmp_path / name
    assert export_catalogue(path, on=TODAY) == 2
    return path


def test_s3_1_export_then_import_changes_only_what_changed(office, clock, tmp_path):
    clock.set(TODAY)
    city = office
    path = _catalogue_file(city, tmp_path)
    wb = load_workbook(path)
    assert wb.sheetnames == ["事项", "收费", "材料", "层级", "前置", "流程"]
    assert [c.value for c in wb["前置"][2]] == ["B", "A"]
    plan = plan_import(path, today=TODAY)
    assert (plan.new, plan.changed, sorted(plan.unchanged)) == ([], [], ["A", "B"])
    items = wb["事项"]
    items["I2"] = 12  # A's promised limit
    items.append(["C", "竣工验收", "行政许可", "《建设工程质量管理条例》第四十九条", "fgw", "", "承诺件", 20, 10, "否",
                  "2026-10-08", None, "新增"])
    wb["材料"].append(["C", "ysbg", "竣工验收报告", "是", "原件", 1, "", ""])
    wb["前置"].append(["C", "B"])
    wb.save(path)
    plan = import_catalogue(path, actor=city.shenpi, today=TODAY)
    assert (plan.new, plan.changed, plan.unchanged) == (["C"], ["A"], ["B"])
    assert version_in_force(Item.objects.get(code="A"), TODAY).promised_days == 12
    c = version_in_force(Item.objects.get(code="C"), date(2026, 10, 8))
    assert c.version == 1 and list(c.prerequisites.values_list("requires__code", flat=True)) == ["B"]
    assert version_in_force(Item.objects.get(code="C"), TODAY) is None  # from 8 October
    assert ItemVersion.objects.filter(item__code="B").count() == 1
    assert AuditEvent.objects.filter(action="approvals.catalogue.import").count() == 2


def test_s3_1_import_is_all_or_nothing_with_a_row_by_row_report(office, clock, tmp_path):
    clock.set(TODAY)
    city = office
    path = _catalogue_file(city, tmp_path)
    wb = load_workbook(path)
    wb["事项"]["I3"] = 30  # B promised above its statutory 20
    wb["事项"]["B2"] = "新名称"  # a good change that must not be written either
    wb["材料"].append(["A", "sqb", "又一份申请报告", "是", "原件", 1, "", ""])  # A lists sqb twice
    wb["流程"].append(["B", 2, "不存在的局", "审查", 3])
    wb["前置"].append(["Z", "A"])  # Z is not an item of the file
    wb.save(path)
    with pytest.raises(CatalogueFileRefused) as e:
        import_catalogue(path, actor=city.shenpi, today=TODAY)
    where = {(p.sheet, p.row, p.column) for p in e.value.problems}
    assert ("事项", 3, "承诺时限") in where
    assert ("材料", 6, "材料编码") in where  # rows 2–5 are A's and B's two materials each
    assert ("流程", 4, "部门") in where
    assert ("前置", 3, "事项编码") in where
    assert len(e.value.problems) == 4, [str(p) for p in e.value.problems]
    assert version_in_force(Item.objects.get(code="A"), TODAY).name == "立项用地规划许可"
    assert ItemVersion.objects.count() == 2


def _chain_file(path, n: int, cycle: bool) -> None:
    from openpyxl import Workbook

    from ducha.approvals.catalogue_excel import SHEETS

    wb = Workbook(write_only=True)
    sheets = {name: wb.create_sheet(name) for name, _c in SHEETS}
    for name, cols in SHEETS:
        sheets[name].append([h for h, _k in cols])
    for i in range(n):
        sheets["事项"].append([f"G{i:05d}", f"生成事项{i}", "行政许可", "依据", "fgw", "", "承诺件", 20, 10, "否", None, None, ""])
        sheets["材料"].append([f"G{i:05d}", "sqb", "申请表", "是", "原件", 1, "", ""])
        if i + 1 < n or cycle:
            sheets["前置"].append([f"G{i:05d}", f"G{(i + 1) % n:05d}"])
    wb.save(str(path))


def test_s3_2_a_file_of_5000_items_with_one_long_cycle_is_refused_naming_every_item(office, clock, tmp_path):
    clock.set(TODAY)
    path = tmp_path / "big.xlsx"
    _chain_file(path, 5000, cycle=True)
    with pytest.raises(CatalogueFileRefused) as e:
        plan_import(path, today=TODAY)
    (problem,) = e.value.problems
    assert (problem.sheet, problem.column) == ("前置", "前置事项编码")
    assert problem.message.count(" → ") == 5000
    assert all(f"G{i:05d} 生成事项{i}" in problem.message for i in range(5000))
    assert not Item.objects.exists()


def test_s3_2_a_file_closing_a_cycle_with_the_catalogue_is_refused(office, clock, tmp_path):
    """The file's C requires B; the catalogue's B requires A; the file changes A to require C."""
    clock.set(TODAY)
    city = office
    path = _catalogue_file(city, tmp_path)
    wb = load_workbook(path)
    wb["事项"].append(["C", "施工许可", "行政许可", "《建筑法》第七条", "fgw", "", "承诺件", 20, 10, "否", None, None, ""])
    wb["材料"].append(["C", "sqb", "申请表", "是", "原件", 1, "", ""])
    wb["前置"].append(["C", "B"])
    wb["前置"].append(["A", "C"])
    wb.save(path)
    with pytest.raises(CatalogueFileRefused) as e:
        plan_import(path, today=TODAY)
    assert "A 立项用地规划许可 → C 施工许可 → B 工程建设许可 → A 立项用地规划许可" in e.value.problems[0].message


def _run(*argv: str) -> None:
    """As from the command line (one line per problem on stderr, exit status 2), without
    ``run_from_argv``, which closes the test's database connection."""
    from ducha.approvals.management.commands.approvals import Command

    command = Command()
    command._called_from_command_line = True
    call_command(command, *argv)


def test_s3_1_command_line_check_and_import_exit_0_or_2_naming_each_error(office, clock, tmp_path, capsys):
    clock.set(TODAY)
    city = office
    path = _catalogue_file(city, tmp_path)
    _run("catalogue", "check", str(path))
    assert capsys.readouterr().out.strip() == "checked 2 items: new 0, changed 0, unchanged 2"
    wb = load_workbook(path)
    wb["事项"]["I3"] = 30
    wb["流程"].append(["B", 2, "不存在的局", "审查", 3])
    wb.save(path)
    for argv in (("catalogue", "check", str(path)), ("catalogue", "import", str(path), "--actor", "shenpi")):
        with pytest.raises(SystemExit) as e:
            _run(*argv)
        assert e.value.code == 2
        err = capsys.readouterr().err.splitlines()
        assert len(err) == 3 and err[0].startswith("ducha: ") and "承诺时限" in err[1] + err[2] and "部门" in err[1] + err[2]
    with pytest.raises(SystemExit) as e:
        _run("catalogue", "import", str(path), "--actor", "sam")  # not the office
    assert e.value.code == 2
    wb["事项"]["I3"] = 9
    wb["流程"].delete_rows(4)
    wb.save(path)
    call_command("approvals", "catalogue", "import", str(path), "--actor", "shenpi")
    assert "changed 1" in capsys.readouterr().out
    assert version_in_force(Item.objects.get(code="B"), TODAY).promised_days == 9
    out = tmp_path / "out.xlsx"
    call_command("approvals", "catalogue", "export", str(out))
    assert load_workbook(out)["事项"]["I3"].value == 9
