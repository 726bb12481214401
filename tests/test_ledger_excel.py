"""S2.4 the Excel 台账: the layout users know from paper, export → import round trip, formula
escaping, all-or-nothing import with a row-by-row report, zip-bomb guard, and the
`ducha ledger` command's exit codes."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from ducha.ledger.actions import LedgerError, do_build_ledger, do_check_ledger, do_close_ledger, do_reconcile_ledger
from ducha.ledger.excel import COLUMNS, HEADER_ROWS, all_matters, export_ledger
from ducha.ledger.import_file import LedgerFileError, LedgerImportRefused
from ducha.ledger.import_job import import_file
from ducha.ledger.validation import Lookups, RowValues, check_row
from ducha.matters.actions import CoUnitInput, MatterInput, _validate, do_create_matter, do_transition_matter
from ducha.matters.models import CoUnitPart, Matter, MatterEvent, Source, Status

FIELDS = ("title", "source", "source_ref", "lead_unit_id", "responsible_leader_id", "goal", "target_quantity",
          "target_unit", "qualitative_standard", "start_date", "due_date", "instruction_text")
COL = {c.key: i + 1 for i, c in enumerate(COLUMNS)}  # openpyxl columns are 1-based


def create(city, **overrides) -> Matter:
    values = dict(
        title="中心城区两度两力提升行动", source=Source.KEY_WORK, lead_unit_id=city.units["fgw"].id,
        responsible_leader_id=city.victor.id, start_date=date(2026, 1, 5), due_date=date(2026, 12, 31),
        goal="完成年度目标", target_quantity=Decimal("12.5"), target_unit="个",
        projects="重点项目库", standard="按期验收", milestones=1,  # S2.1: what a key-work item is assigned with
    )
    values.update(overrides)
    return do_create_matter(actor=city.alice, data=MatterInput(**values), today=date(2026, 1, 5))


@pytest.fixture
def matters(city):
    return [
        create(city, co_units=[CoUnitInput(unit_id=city.units["czj"].id, part="资金保障", due_date=date(2026, 6, 30)),
                               CoUnitInput(unit_id=city.units["wancheng"].id, part="征迁", due_date=date(2026, 9, 30))]),
        create(city, title="=HYPERLINK(\"http://evil.example\",\"点击\")", goal="+1 完成", source=Source.MEETING,
               source_ref="@SUM(A1) 市政府第3次常务会议", target_quantity=None, target_unit="",
               qualitative_standard="-群众满意度明显提升", lead_unit_id=city.units["czj"].id),
        create(city, title="营商环境评价整改", source=Source.INSTRUCTION, instruction_text="\t请抓紧推进",
               instructed_by_id=city.mayor.id, due_date=date(2026, 6, 30), start_date=date(2026, 2, 10)),
    ]


def definition(m: Matter) -> dict[str, object]:
    d = {f: getattr(m, f) for f in FIELDS}
    d["co_units"] = sorted(m.co_parts.values_list("unit__code", flat=True))
    return d


def export(tmp_path: Path, name: str = "ledger.xlsx", year: int = 2026) -> Path:
    path = tmp_path / name
    export_ledger(str(path), year=year, matters=all_matters(), today=date(2026, 7, 1))
    return path


def test_s2_4_export_layout_users_know_from_paper(city, matters, tmp_path):
    Matter.objects.filter(pk=matters[0].pk).update(status=Status.IN_PROGRESS, progress=40)
    ws = openpyxl.load_workbook(export(tmp_path)).active
    assert ws["A1"].value == "2026年重点工作督查台账"
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert {"A1:S1", "A2:A3", "C2:C3", "D2:E2", "J2:L2", "O2:Q2", "R2:R3", "S2:S3"} <= merged
    assert ws["S2"].value == "时限暂定"  # a date counted over a year without a notice (暂定)
    assert (ws["D2"].value, ws["D3"].value, ws["E3"].value) == ("任务来源", "来源类别", "文号或会议")
    assert (ws["O2"].value, ws["O3"].value, ws["P3"].value, ws["Q3"].value) == ("办理情况", "进展情况", "完成进度(%)", "状态")
    assert ws.freeze_panes == "D4"
    assert ws.print_title_rows == "$2:$3"
    assert ws.page_setup.orientation == "landscape" and str(ws.page_setup.paperSize) == "9"
    # fitToWidth is omitted when 1 (the OOXML default); 0 pages high = as many as needed.
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth in (None, 1)
    assert ws.page_setup.fitToHeight == 0
    first = HEADER_ROWS + 1
    due = ws.cell(first, COL["due_date"])
    assert due.value == datetime(2026, 12, 31) and due.number_format == 'yyyy"年"m"月"d"日"'
    assert ws.cell(first, COL["co_units"]).value == "市财政局、宛城区人民政府"
    status = ws.cell(first, COL["status"])
    assert status.value == "推进中"
    # Colours follow the status, also when a user picks another one from the dropdown.
    fills = {}
    for cf in ws.conditional_formatting:
        assert str(cf.sqref) == "Q4:Q1048576"
        for rule in cf.rules:
            fills[rule.formula[0].strip('"')] = rule.dxf.fill.bgColor.rgb[-6:]
    assert fills == {"已完成": "C6EFCE", "推进中": "FFEB9C", "已逾期": "FFC7CE", "未启动": "FFFFFF", "已暂停": "D9D9D9"}
    validation = next(v for v in ws.data_validations.dataValidation if str(v.sqref) == "Q4:Q1048576")
    assert validation.type == "list"
    assert validation.formula1 == '"未启动,推进中,已完成,已逾期,已暂停"'
    with zipfile.ZipFile(tmp_path / "ledger.xlsx") as z:
        assert '<dimension ref="A1:S6"/>' in z.read("xl/worksheets/sheet1.xml").decode()
    assert ws.cell(first + 2, COL["status"]).value == "已逾期"  # instruction item due 30 June, exported 1 July


def test_s2_4_formula_like_text_stays_text(city, matters, tmp_path):
    ws = openpyxl.load_workbook(export(tmp_path)).active
    row = HEADER_ROWS + 2
    for key, text in [("title", matters[1].title), ("goal", "+1 完成"), ("source_ref", "@SUM(A1) 市政府第3次常务会议"),
                      ("qualitative_standard", "-群众满意度明显提升")]:
        cell = ws.cell(row, COL[key])
        assert cell.value == text and cell.data_type == "s" and cell.quotePrefix, key
    remark = ws.cell(row + 1, COL["remark"])
    assert remark.value == "\t请抓紧推进" and remark.data_type == "s" and remark.quotePrefix
    plain = ws.cell(HEADER_ROWS + 1, COL["title"])
    assert not plain.quotePrefix


def test_s2_4_round_trip_into_an_empty_year(city, matters, tmp_path):
    path = export(tmp_path)
    before = {m.number: definition(m) for m in Matter.objects.all()}
    Matter.objects.all().delete()

    counts = import_file(actor=city.alice, year=2026, path=path)

    assert counts == {"created": 3, "updated": 0, "unchanged": 0, "rows": 3}
    after = {m.number: definition(m) for m in Matter.objects.all()}
    assert after == before
    assert set(Matter.objects.values_list("status", flat=True)) == {Status.DRAFT}
    events = MatterEvent.objects.filter(action="create").order_by("data__row")
    assert [(e.actor, e.data["row"], e.to_status) for e in events] == [(city.alice, r, "draft") for r in (4, 5, 6)]
    assert all(e.created_at is not None for e in events)
    # Importing the same file again changes nothing.
    assert import_file(actor=city.alice, year=2026, path=path) == {"created": 0, "updated": 0, "unchanged": 3, "rows": 3}


def test_s2_4_new_rows_get_the_next_numbers_and_drafts_are_updated(city, matters, tmp_path):
    path = export(tmp_path)
    wb = openpyxl.load_workbook(path)
    ws = wb.active
    new_row = HEADER_ROWS + 4
    for key, value in [("title", "新增事项"), ("lead_unit", "市财政局"), ("leader", "Victor"), ("goal", "完成"),
                       ("qualitative_standard", "按期完成"), ("due_date", "2026年10月31日")]:
        ws.cell(new_row, COL[key]).value = value
    ws.cell(HEADER_ROWS + 1, COL["goal"]).value = "调整后的目标"
    wb.save(path)
    counts = import_file(actor=city.alice, year=2026, path=path)
    assert counts == {"created": 1, "updated": 1, "unchanged": 2, "rows": 4}
    new = Matter.objects.get(title="新增事项")
    assert new.number == "DB2026-0004" and new.due_date == date(2026, 10, 31) and new.start_date == date(2026, 1, 1)
    assert Matter.objects.get(pk=matters[0].pk).goal == "调整后的目标"


def test_s2_4_assigned_matter_cannot_be_changed_by_import(city, matters, tmp_path):
    do_transition_matter(actor=city.alice, matter_id=matters[0].id, action="assign")
    path = export(tmp_path)
    wb = openpyxl.load_workbook(path)
    wb.active.cell(HEADER_ROWS + 1, COL["due_date"]).value = date(2027, 3, 31)
    wb.save(path)
    with pytest.raises(LedgerImportRefused) as e:
        import_file(actor=city.alice, year=2026, path=path)
    assert [(x.row, x.column) for x in e.value.errors] == [(4, "N列「完成时限」")]
    assert Matter.objects.get(pk=matters[0].pk).due_date == date(2026, 12, 31)


def test_s2_4_a_bad_row_refuses_the_whole_file_naming_row_and_column(city, matters, tmp_path):
    path = export(tmp_path)
    wb = openpyxl.load_workbook(path)
    ws = wb.active
    ws.cell(HEADER_ROWS + 4, COL["title"]).value = "好的新行"
    for key, value in [("lead_unit", "市财政局"), ("leader", "Victor"), ("goal", "g"), ("qualitative_standard", "q"),
                       ("due_date", date(2026, 8, 1))]:
        ws.cell(HEADER_ROWS + 4, COL[key]).value = value
    ws.cell(HEADER_ROWS + 5, COL["title"]).value = "坏的新行"
    for key, value in [("lead_unit", "市不存在局"), ("leader", "Victor"), ("goal", "g"), ("target_quantity", "十个"),
                       ("due_date", "明年")]:
        ws.cell(HEADER_ROWS + 5, COL[key]).value = value
    wb.save(path)
    Matter.objects.filter(year=2026).delete()
    before = (Matter.objects.count(), CoUnitPart.objects.count(), MatterEvent.objects.count())
    with pytest.raises(LedgerImportRefused) as e:
        import_file(actor=city.alice, year=2026, path=path)
    report = {(x.row, x.column): x.message for x in e.value.errors}
    assert set(report) == {(8, "F列「牵头单位」"), (8, "J列「定量目标」"), (8, "N列「完成时限」")}
    assert "市不存在局" in report[(8, "F列「牵头单位」")]
    assert str(e.value.errors[0]).startswith("第8行 ")
    assert (Matter.objects.count(), CoUnitPart.objects.count(), MatterEvent.objects.count()) == before


def test_import_checks_the_same_rules_as_do_create_matter(city):
    """The import applies _validate's rules without its per-row queries; both refuse the same fields."""
    lookups = Lookups.load()
    cases = [
        dict(title="", goal=""), dict(target_quantity=None), dict(target_quantity=Decimal("-1")),
        dict(target_unit=""), dict(due_date=date(2025, 12, 1)), dict(source=Source.INSTRUCTION),
        dict(responsible_leader_id="sam"), dict(co_units=["fgw"]), dict(co_units=["czj", "czj"]), dict(),
    ]
    for case in cases:
        base = dict(title="t", source=Source.KEY_WORK, goal="g", target_quantity=Decimal("3"), target_unit="个",
                    start_date=date(2026, 1, 5), due_date=date(2026, 12, 31), responsible_leader_id="victor",
                    co_units=[])
        base.update(case)
        person = city.people[base.pop("responsible_leader_id")]
        codes = base.pop("co_units")
        expected = {k.split(".")[0] for k in _validate(MatterInput(
            **base, lead_unit_id=city.units["fgw"].id, responsible_leader_id=person.id,
            co_units=[CoUnitInput(unit_id=city.units[c].id, part="p", due_date=date(2026, 6, 1)) for c in codes]))}
        row = RowValues(row=4, number="", lead_unit="市发展和改革委员会", leader=person.name,
                        co_units=[city.units[c].name for c in codes], qualitative_standard="", source_ref="", **base)
        assert {k for k, _ in check_row(row, lookups, 2026)} == expected, case


def test_zip_bomb_and_non_excel_files_are_refused_before_parsing(city, tmp_path, settings):
    settings.DUCHA_LEDGER_IMPORT_MAX_UNCOMPRESSED = 1024 * 1024
    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/worksheets/sheet1.xml", b"\0" * (4 * 1024 * 1024))
    assert bomb.stat().st_size < 64 * 1024
    with pytest.raises(LedgerFileError, match="解压后超过 1 MB"):
        import_file(actor=city.alice, year=2026, path=bomb)
    settings.DUCHA_LEDGER_IMPORT_MAX_ENTRIES = 5
    many = tmp_path / "many.xlsx"
    with zipfile.ZipFile(many, "w") as z:
        for i in range(6):
            z.writestr(f"xl/worksheets/sheet{i}.xml", b"<x/>")
    with pytest.raises(LedgerFileError, match="文件过多"):
        import_file(actor=city.alice, year=2026, path=many)
    text = tmp_path / "ledger.xlsx"
    text.write_text("序号,督查事项\n")
    with pytest.raises(LedgerFileError, match="不是有效的 Excel"):
        import_file(actor=city.alice, year=2026, path=text)


def test_import_refused_once_the_year_is_closed(city, matters, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    path = export(tmp_path)
    do_build_ledger(actor=city.alice, year=2026, today=date(2026, 1, 12))
    do_check_ledger(actor=city.gina, year=2026, today=date(2026, 6, 15))
    do_reconcile_ledger(actor=city.gina, year=2026, today=date(2026, 9, 15), render=False)
    do_close_ledger(actor=city.alice, year=2026, today=date(2026, 12, 28), confirm_year=2026)
    Matter.objects.filter(pk=matters[0].pk).update(goal="被改动")
    with pytest.raises(LedgerError, match="已交账"):
        import_file(actor=city.alice, year=2026, path=path)
    assert Matter.objects.get(pk=matters[0].pk).goal == "被改动"


def test_only_the_supervision_office_imports(city, matters, tmp_path):
    path = export(tmp_path)
    with pytest.raises(LedgerError):
        import_file(actor=city.gina, year=2026, path=path)


# -- the real `ducha ledger` console script -------------------------------------------

DUCHA = str(Path(sys.executable).parent / "ducha")
SETUP = """
from ducha.org.models import *
from ducha.org.roles import Role
u = Unit.objects.create(code="fgw", name="市发展和改革委员会", kind="department")
User.objects.create_user(username="alice", password="x-123456789", name="Alice", role=Role.SUPERVISION_OFFICE)
v = User.objects.create_user(username="victor", password="x-123456789", name="Victor", role=Role.LEADER)
LeaderPost.objects.create(person=v, kind="vice_mayor", title="副市长")
"""


@pytest.fixture(scope="module")
def ducha_env(tmp_path_factory) -> dict[str, str]:
    data = tmp_path_factory.mktemp("ducha-ledger-cli")
    env = {**os.environ, "DUCHA_DATABASE_URL": f"sqlite:///{data / 'db.sqlite3'}", "DUCHA_DATA_DIR": str(data)}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    for args in (["migrate", "-v", "0"], ["shell", "-c", SETUP]):
        result = subprocess.run([DUCHA, *args], env=env, capture_output=True, text=True, timeout=600)
        assert result.returncode == 0, result.stderr
    return env


def ledger_cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([DUCHA, "ledger", *args], env=env, capture_output=True, text=True, timeout=120)


def write_rows(path: Path, rows: list[list[object]]) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["2026年重点工作督查台账"])
    ws.append(["序号", "督查事项", "牵头单位", "责任领导", "工作目标", "定性标准", "完成时限"])
    for r in rows:
        ws.append(r)
    wb.save(path)


def test_cli_exit_codes(ducha_env, tmp_path):
    unreadable = tmp_path / "nope.xlsx"
    unreadable.write_bytes(b"not a zip")
    result = ledger_cli(ducha_env, "import", "--year", "2026", str(unreadable))
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr.count("\n") == 1 and "不是有效的 Excel" in result.stderr

    bad = tmp_path / "bad.xlsx"
    write_rows(bad, [[1, "好事项", "市发展和改革委员会", "Victor", "目标", "标准", date(2026, 9, 30)],
                     [2, "坏事项", "无此单位", "Victor", "目标", "标准", date(2026, 9, 30)]])
    result = ledger_cli(ducha_env, "import", "--year", "2026", str(bad))
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr.splitlines()[1] == "ducha: 第4行 C列「牵头单位」：牵头单位“无此单位”不存在。"

    out = tmp_path / "out.xlsx"
    result = ledger_cli(ducha_env, "export", "--year", "2026", str(out))
    assert result.returncode == 0 and "exported 0 matters" in result.stdout  # nothing was written

    good = tmp_path / "good.xlsx"
    write_rows(good, [[1, "好事项", "市发展和改革委员会", "Victor", "目标", "标准", date(2026, 9, 30)]])
    result = ledger_cli(ducha_env, "import", "--year", "2026", str(good))
    assert result.returncode == 0, result.stderr
    assert result.stdout == "imported 1 rows into 2026: created 1, updated 0, unchanged 0\n"
    result = ledger_cli(ducha_env, "export", "--year", "2026", str(out))
    assert "exported 1 matters" in result.stdout and out.exists()


def test_item_26_progress_column_holds_the_latest_report_line_s_text(city, clock, tmp_path):
    """进展情况 is what the lead unit last reported as done (its latest month), then the figures
    behind it; a co-unit's line speaks for its part, not for the matter."""
    from ducha.reports.actions import ItemInput, do_save_report_item
    from tests.test_ledger_phases import make_matter

    clock.set(date(2026, 1, 5))
    m = make_matter(city, "fgw", progress=30, title="供热管网改造")
    quiet = make_matter(city, "czj", progress=0, title="尚无报告")
    clock.set(date(2026, 6, 10))
    for month, done in ((4, "完成可研批复"), (5, "完成管网招标，开工建设3个项目")):
        do_save_report_item(actor=city.sam, unit_id=city.units["fgw"].id, year=2026, month=month, matter_id=m.id,
                            data=ItemInput(progress=30 + month, done=done, next_steps="继续推进"),
                            today=date(2026, 6, 10))
    ws = openpyxl.load_workbook(export(tmp_path)).active
    texts = {ws.cell(r, COL["title"]).value: ws.cell(r, COL["progress_text"]).value
             for r in range(HEADER_ROWS + 1, ws.max_row + 1)}
    assert texts["供热管网改造"].startswith("完成管网招标，开工建设3个项目\n（")
    assert "2026年6月10日更新" in texts["供热管网改造"] and "完成可研批复" not in texts["供热管网改造"]
    assert texts["尚无报告"] in (None, "") and quiet.pk


def test_item_26_template_has_dropdowns_for_units_sources_leaders_and_status(city, client, tmp_path):
    """The blank template offers 来源类别, 牵头单位, 配合单位 and 责任领导 from lists (a hidden
    sheet, as there are more units than an inline list holds) as well as 状态."""
    from django.urls import reverse

    from ducha.org.models import Unit

    client.force_login(city.alice)
    response = client.get(reverse("ledger:template", args=[2026]))
    path = tmp_path / "template.xlsx"
    path.write_bytes(b"".join(response.streaming_content))
    wb = openpyxl.load_workbook(path)
    ws, lists = wb.worksheets
    assert ws.title == "2026年台账" and lists.sheet_state == "hidden" and wb.active.title == ws.title

    def listed(column: str) -> list[str]:
        (rule,) = [v for v in ws.data_validations.dataValidation
                   if str(v.sqref) == f"{column}4:{column}1048576"]
        assert rule.type == "list"
        if rule.formula1.startswith('"'):
            return rule.formula1.strip('"').split(",")
        sheet, cells = rule.formula1.split("!")
        assert sheet.strip("'") == lists.title
        first, last = cells.replace("$", "").split(":")
        return [c.value for row in lists[first:last] for c in row]

    letter = {c.key: xl_letter(i) for i, c in enumerate(COLUMNS)}
    units = [u.name for u in Unit.objects.filter(is_active=True)]
    assert listed(letter["lead_unit"]) == units and listed(letter["co_units"]) == units
    assert "Victor" in listed(letter["leader"])
    assert "清单事项" in listed(letter["source"]) and "报请市政府事项" not in listed(letter["source"])
    assert listed(letter["status"]) == ["未启动", "推进中", "已完成", "已逾期", "已暂停"]
    # The template, filled in from its dropdowns, imports (the hidden sheet is not read).
    for key, value in (("title", "从模板导入的事项"), ("source", "清单事项"), ("lead_unit", units[3]), ("leader", "Victor"), ("goal", "目标"),
                       ("qualitative_standard", "按期完成"), ("due_date", date(2026, 11, 30))):
        ws.cell(4, [c.key for c in COLUMNS].index(key) + 1, value)
    wb.save(path)
    assert import_file(actor=city.alice, year=2026, path=path)["created"] == 1


def xl_letter(i: int) -> str:
    from xlsxwriter.utility import xl_col_to_name

    return xl_col_to_name(i)


def test_a_row_with_an_unknown_leader_still_has_its_co_units_checked(city):
    """Every bad column of a row is named at once, not only the first that failed to resolve."""
    row = RowValues(row=9, number="", title="t", source=Source.KEY_WORK, source_ref="", lead_unit="市发展和改革委员会",
                    co_units=[city.units["czj"].name, city.units["czj"].name], leader="无此人", goal="g",
                    target_quantity=Decimal("3"), target_unit="个", qualitative_standard="",
                    start_date=date(2026, 1, 5), due_date=date(2026, 12, 31))
    assert {k for k, _ in check_row(row, Lookups.load(), 2026)} == {"responsible_leader", "co_units"}
