"""S2.4 in a real browser: the supervision office uploads an Excel ledger, the worker checks it,
the job page shows the check's result (htmx polling), the office confirms and the worker writes it; the general office confirms the September
reconciliation from its preview; the fgw staff member reads the 督查通知 on a 375-px phone.
Screenshots go to test-artifacts/."""

from __future__ import annotations

from datetime import date

import openpyxl
import pytest

from ducha.ledger.actions import do_build_ledger, do_check_ledger
from ducha.ledger.models import SupervisionNotice
from ducha.matters.actions import MatterInput, do_create_matter, do_transition_matter
from ducha.matters.models import Matter, Source
from ducha.org.demo import build_demo_organisation
from ducha.org.models import LeaderPost, Unit, User
from ducha.reminders.loop import run_db_tasks
from ducha.workcal.demo import build_demo_calendar
from tests.browser.conftest import browser, page_factory, server, shot  # noqa: F401 -- fixtures
from tests.browser.test_browser_matters import close, log_in

pytestmark = pytest.mark.browser
SEPT = date(2026, 9, 15)


@pytest.fixture
def demo(server, settings, tmp_path, clock):  # noqa: F811
    clock.set(SEPT)
    settings.MEDIA_ROOT = tmp_path
    build_demo_calendar()
    build_demo_organisation()
    office = User.objects.get(username="duchashi")
    units = {u.code: u for u in Unit.objects.all()}
    leader = LeaderPost.objects.get(person__username="fushizhang").person
    for title, code, progress in [("中心城区供热管网改造", "fgw", 20), ("政府债务风险化解", "czj", 10),
                                  ("营商环境评价整改", "fgw", 95)]:
        m = do_create_matter(actor=office, data=MatterInput(
            title=title, source=Source.KEY_WORK, lead_unit_id=units[code].id, responsible_leader_id=leader.id,
            start_date=date(2026, 1, 5), due_date=date(2026, 12, 31), goal="完成年度目标",
            target_quantity=12, target_unit="个", projects="重点项目库", standard="按期验收", milestones=1),
            today=date(2026, 1, 5))
        do_transition_matter(actor=office, matter_id=m.id, action="assign", today=date(2026, 1, 5))
        Matter.objects.filter(pk=m.pk).update(progress=progress)
    do_build_ledger(actor=office, year=2026, today=date(2026, 1, 12))
    do_check_ledger(actor=User.objects.get(username="zhengfuban"), year=2026, today=date(2026, 6, 15))
    return server


def test_s2_4_import_job_and_notice_in_the_browser(demo, page_factory, tmp_path):  # noqa: F811
    base = demo
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["2026年重点工作督查台账"])
    ws.append(["序号", "督查事项", "牵头单位", "责任领导", "工作目标", "定性标准", "完成时限"])
    for i in range(1, 41):
        ws.append([i, f"补充事项{i}", "市财政局", "李志强", "按期完成", "群众满意", date(2026, 11, 30)])
    path = tmp_path / "补充台账.xlsx"
    wb.save(path)

    while run_db_tasks():  # what the setting up queued is not this test's to count
        pass
    office = page_factory()
    log_in(office, base, "duchashi")
    office.goto(f"{base}/ledger/2026/import/")
    office.set_input_files("#f-file", str(path))
    office.click("[data-testid=import-form] button")
    office.wait_for_selector("[data-testid=job-status][data-status=queued]")
    assert run_db_tasks() == 1  # the worker checks the file; the page follows by polling
    office.wait_for_selector("[data-testid=job-checked]", timeout=30_000)
    assert "40" in office.inner_text("[data-testid=job-checked]")
    office.click("[data-testid=confirm-form] button")
    office.wait_for_selector("[data-testid=job-status][data-status=confirmed]")
    assert run_db_tasks() == 1  # the worker writes it
    office.wait_for_selector("[data-testid=job-done]", timeout=30_000)
    assert "40" in office.inner_text("[data-testid=job-done]")
    assert Matter.objects.filter(title__startswith="补充事项", status="draft").count() == 40
    shot(office, "ledger-import-done")

    general = page_factory()
    log_in(general, base, "zhengfuban")
    general.goto(f"{base}/ledger/2026/phase/reconcile/")
    assert "宛督〔2026〕1号" in general.inner_text("[data-testid=what-it-does]")
    shot(general, "ledger-reconcile-preview")
    general.check("[data-testid=confirm-phase]")
    general.click("[data-testid=confirm-form] button")
    general.wait_for_url(f"{base}/ledger/2026/")
    shot(general, "ledger-year-office")
    assert SupervisionNotice.objects.count() == 2

    phone = page_factory(width=375, height=800)
    log_in(phone, base, "fgw_staff")
    phone.goto(f"{base}/ledger/notices/")
    phone.click("[data-testid=notice-table] a")
    assert "中心城区供热管网改造" in phone.inner_text("[data-testid=notice-matters]")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375 + 1
    shot(phone, "ledger-notice-phone")
    assert SupervisionNotice.objects.get(unit__code="fgw").read_at is not None
    close(office, general, phone)


def test_item_26_the_office_fills_the_template_sees_the_check_and_confirms(demo, page_factory, tmp_path):  # noqa: F811
    """Item 26 as the supervision office walks it: the template's dropdowns, a refused file (its
    problems, no 开始导入, no stored file name), the check's result and the confirmation, and the
    export's 进展情况 holding what the unit reported."""
    import io

    from ducha.reports.actions import ItemInput, do_save_report_item

    base = demo
    heating = Matter.objects.get(title="中心城区供热管网改造")
    do_save_report_item(actor=User.objects.get(username="fgw_staff"), unit_id=heating.lead_unit_id, year=2026,
                        month=9, matter_id=heating.pk, today=SEPT,
                        data=ItemInput(progress=25, done="完成一期管网铺设12公里", next_steps="推进二期"))
    office = page_factory()
    log_in(office, base, "duchashi")
    office.goto(f"{base}/ledger/2026/import/")
    template = office.request.get(f"{base}/ledger/2026/template/")
    wb = openpyxl.load_workbook(io.BytesIO(template.body()))
    ws = wb.worksheets[0]
    assert {str(v.sqref) for v in ws.data_validations.dataValidation} >= {"D4:D1048576", "F4:F1048576",
                                                                         "H4:H1048576", "Q4:Q1048576"}
    rows = [["清单事项", "市财政局", "李志强"], ["清单事项", "市财政局", "无此领导"]]
    for r, (source, unit, leader) in enumerate(rows, start=4):
        for col, value in (("C", f"模板事项{r}"), ("D", source), ("F", unit), ("H", leader), ("I", "按期完成"),
                           ("L", "群众满意"), ("N", date(2026, 11, 30))):
            ws[f"{col}{r}"] = value
    path = tmp_path / "模板台账.xlsx"
    wb.save(path)

    office.set_input_files("#f-file", str(path))
    office.click("[data-testid=import-form] button")
    office.wait_for_selector("[data-testid=job-status][data-status=queued]")
    run_db_tasks()
    office.wait_for_selector("[data-testid=job-refused]", timeout=30_000)
    assert "无此领导" in office.inner_text("[data-testid=job-errors]")
    assert office.locator("text=开始导入").count() == 0 and "ledger-imports" not in office.content()
    shot(office, "ledger-import-refused")

    ws["H5"] = "李志强"
    wb.save(path)
    office.click("text=修改文件后重新上传")
    office.set_input_files("#f-file", str(path))
    office.click("[data-testid=import-form] button")
    run_db_tasks()
    office.wait_for_selector("[data-testid=job-checked]", timeout=30_000)
    assert "新建 2 个草稿事项" in office.inner_text("[data-testid=job-effect]")
    assert not Matter.objects.filter(title__startswith="模板事项").exists()
    shot(office, "ledger-import-checked")
    office.click("[data-testid=confirm-form] button:has-text('开始导入')")
    office.wait_for_selector("[data-testid=job-status][data-status=confirmed]")
    run_db_tasks()
    office.wait_for_selector("[data-testid=job-done]", timeout=30_000)
    assert Matter.objects.filter(title__startswith="模板事项", status="draft").count() == 2

    export = office.request.get(f"{base}/ledger/2026/export/")
    sheet = openpyxl.load_workbook(io.BytesIO(export.body())).worksheets[0]
    progress = {sheet[f"C{r}"].value: sheet[f"O{r}"].value for r in range(4, sheet.max_row + 1)}
    assert progress["中心城区供热管网改造"].startswith("完成一期管网铺设12公里")
    close(office)
