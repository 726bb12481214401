"""S3.3 in a real browser (行政许可法 arts. 32, 38, 42, 45): the window receives an application,
checks it, gives the one-time notice, takes the 补正 and accepts; 发改委's staff see the step in
their list, pause the clock for an expert review with the written notice, resume it, finish the
step and grant the licence; the application shows its due date, the paused working days and its
documents. Then the approval service office reads the supervision board on a phone after the
pass. Screenshots go to test-artifacts/."""

from __future__ import annotations

from datetime import date

import pytest

from ducha.approvals.actions_catalogue import do_create_item, do_publish_version
from ducha.approvals.catalogue_checks import MaterialInput, StepInput, VersionInput
from ducha.approvals.demo_applications import build_demo_applications, credit_code
from ducha.approvals.demo_catalogue import build_demo_catalogue
from ducha.approvals.models import Application, Card, Document, Material
from ducha.approvals.supervision import supervise
from ducha.org.demo import build_demo_organisation
from ducha.org.models import Unit, User
from ducha.workcal.demo import build_demo_calendar
from tests.browser.conftest import browser, page_factory, server, shot  # noqa: F401 -- fixtures
from tests.browser.test_browser_matters import close, log_in

pytestmark = pytest.mark.browser

# Mon 12 Oct 2026, the first week after National Day (Sat 10 Oct was a working day).
START = date(2026, 10, 12)


def again(page, base: str, username: str, path: str) -> None:
    """Days later: the idle session has ended, so sign in again and open the page."""
    page.context.clear_cookies()
    log_in(page, base, username)
    page.goto(f"{base}{path}")


@pytest.fixture
def item(server, clock):  # noqa: F811
    """An item of 发改委 with a one-step flow, published by the approval service office."""
    clock.set(START)  # accounts made today: their passwords are fresh
    build_demo_calendar()
    build_demo_organisation()
    fgw = Unit.objects.get(code="fgw")
    version = do_create_item(actor=User.objects.get(username="shenpi"), code="FGW-XK-011", today=date(2026, 1, 5),
                             data=VersionInput(
        name="政府投资项目初步设计审批", kind="01", legal_basis="《政府投资条例》第十二条", lead_department_id=fgw.pk,
        statutory_days=20, promised_days=12, service_type="2", effective_from=date(2026, 1, 5),
        conditions="项目可行性研究报告已经批复。",
        materials=[MaterialInput("sqb", "申请表"), MaterialInput("pfwj", "可行性研究报告批复文件", form="copy"),
                   MaterialInput("cbsj", "初步设计文本及概算", form="original")],
        steps=[StepInput(1, fgw.pk, "初步设计及概算审查", 10)]))
    do_publish_version(actor=User.objects.get(username="shenpi"), version=version, today=date(2026, 1, 5))
    return version


def test_s3_3_one_application_from_the_window_to_the_licence(server, item, clock, page_factory):  # noqa: F811
    mats = {m.code: m.pk for m in Material.objects.filter(version=item)}
    window = page_factory()
    log_in(window, server, "chuangkou")
    window.goto(f"{server}/approvals/applications/new/?item_code=FGW-XK-011")
    window.wait_for_selector("[data-testid=receive-form]")
    window.fill("#applicant_name", "南阳宛城城市建设投资有限公司")
    window.fill("#applicant_id", "91411302MA9G7K2L5" + "X")  # a wrong check character first
    window.fill("#applicant_phone", "13937712041")
    window.fill("#project", "白河南岸滨水公园改造工程")
    window.check(f"#m{mats['sqb']}")
    window.check(f"#m{mats['pfwj']}")
    window.click("[data-testid=receive-form] button.btn-primary")
    window.wait_for_selector("[data-testid=error-applicant_id]")
    assert Application.objects.count() == 0
    shot(window, "s3-3-receive-bad-id")
    window.fill("#applicant_id", credit_code("411302", "MA9G7K2L5"))
    if not window.is_checked(f"#m{mats['sqb']}"):
        window.check(f"#m{mats['sqb']}")
        window.check(f"#m{mats['pfwj']}")
    window.click("[data-testid=receive-form] button.btn-primary")
    window.wait_for_selector("[data-testid=app-state][data-state=received]")
    app = Application.objects.get()
    assert window.get_attribute("[data-testid=check-deadline]", "data-deadline") == "2026-10-19"
    shot(window, "s3-3-received")

    # the check: two complete, the design missing
    window.select_option(f"select[name=state_{mats['sqb']}]", "ok")
    window.select_option(f"select[name=state_{mats['pfwj']}]", "ok")
    window.select_option(f"select[name=state_{mats['cbsj']}]", "missing")
    window.fill(f"input[name=problem_{mats['cbsj']}]", "未提交初步设计文本及概算")
    window.click("[data-testid=check-form] button")
    window.wait_for_selector(f"[data-material='{mats['cbsj']}'][data-state=missing]")
    effect = window.inner_text("[data-testid=notice-effect]")
    assert "一次性告知书" in effect and "初步设计文本及概算" in effect
    shot(window, "s3-3-checked")
    window.check("#confirm-notice")
    window.click("[data-testid=notice-form] button")
    window.wait_for_selector("[data-testid=app-state][data-state=notified]")
    window.wait_for_selector("[data-testid=notices] [data-notice='1']")
    shot(window, "s3-3-notified")

    # 补正 two days later, checked and accepted the same day
    clock.set(date(2026, 10, 14))
    again(window, server, "chuangkou", f"/approvals/applications/{app.pk}/")
    window.check(f"#s{mats['cbsj']}")
    window.click("[data-testid=submit-form] button")
    window.wait_for_selector("[data-testid=app-state][data-state=received]")
    window.select_option(f"select[name=state_{mats['cbsj']}]", "ok")
    window.click("[data-testid=check-form] button")
    window.wait_for_selector(f"[data-material='{mats['cbsj']}'][data-state=ok]")
    window.check("#confirm-accept")
    window.click("[data-testid=accept-form] button")
    window.wait_for_selector("[data-testid=app-state][data-state=accepted]")
    assert window.inner_text("[data-testid=accepted-on]").strip().startswith("2026-10-14")
    shot(window, "s3-3-accepted")

    # 发改委's staff: the step in their list, an expert review (art. 45)
    clock.set(date(2026, 10, 15))
    desk = page_factory()
    log_in(desk, server, "fgw_staff")
    desk.goto(f"{server}/approvals/steps/")
    desk.wait_for_selector(f"[data-testid=my-steps] a:has-text('{app.receipt_number}')")
    shot(desk, "s3-3-my-steps")
    desk.click(f"[data-testid=my-steps] a:has-text('{app.receipt_number}')")
    desk.wait_for_selector("[data-testid=handling]")
    desk.click("details:has([data-testid=pause-form]) summary")
    desk.select_option("#pause-reason", "expert_review")
    desk.fill("#pause-days", "5")
    desk.fill("#pause-notice", "贵单位申报的初步设计需组织专家评审，预计需5个工作日，评审时间不计算在审查期限内。")
    desk.check("#pause-confirm")
    shot(desk, "s3-3-pause-form")
    desk.click("[data-testid=pause-form] button")
    desk.wait_for_selector("[data-testid=running-pause]")
    assert desk.get_attribute("[data-testid=app-state]", "data-state") == "paused"
    shot(desk, "s3-3-paused")

    clock.set(date(2026, 10, 21))
    again(desk, server, "fgw_staff", f"/approvals/applications/{app.pk}/handling/")
    desk.click("[data-testid=resume-form] button")
    desk.wait_for_selector("[data-testid=app-state][data-state=accepted]")
    assert int(desk.get_attribute("[data-testid=paused]", "data-paused")) > 0
    shot(desk, "s3-3-resumed")

    clock.set(date(2026, 10, 22))
    again(desk, server, "fgw_staff", f"/approvals/applications/{app.pk}/handling/")
    step = app.steps.get()
    desk.fill(f"#opinion-{step.pk}", "初步设计深度符合要求，概算编制依据充分，同意批复，总概算核定为8650万元。")
    desk.click(f"[data-testid=finish-{step.pk}] button")
    desk.wait_for_selector(f"tr[data-step='{step.pk}'][data-state=done]")
    assert app.receipt_number in desk.inner_text("label[for=grant-confirm]")
    desk.check("#grant-confirm")
    shot(desk, "s3-3-decide")
    desk.click("[data-testid=grant-form] button")
    desk.wait_for_selector("[data-testid=decision]")
    assert desk.get_attribute("[data-testid=app-state]", "data-state") == "granted"

    again(window, server, "chuangkou", f"/approvals/applications/{app.pk}/")
    window.wait_for_selector("[data-testid=documents]")
    kinds = set(Document.objects.filter(application=app).values_list("kind", flat=True))
    assert kinds == {"acceptance", "notice", "grant"}
    assert window.get_attribute("[data-testid=due-date]", "data-due")
    assert int(window.get_attribute("[data-testid=paused]", "data-paused")) > 0
    docs = window.inner_text("[data-testid=documents]")
    assert docs.count("宛审批〔2026〕") == 3
    links = window.locator("[data-testid=documents] a")
    assert links.count() >= 3, [d.render_error for d in Document.objects.filter(application=app)]
    shot(window, "s3-3-granted")
    close(window, desk)


def test_s3_3_the_supervision_board_on_a_phone(server, clock, page_factory):  # noqa: F811
    clock.set(START)
    build_demo_calendar()
    build_demo_organisation()
    build_demo_catalogue()
    build_demo_applications()
    supervise(today=START)
    assert set(Card.objects.values_list("colour", flat=True)) == {"yellow", "red"}
    phone = page_factory(width=390, height=844)
    log_in(phone, server, "shenpi")
    phone.goto(f"{server}/approvals/supervision/")
    phone.wait_for_selector("[data-testid=board-departments]")
    assert int(phone.inner_text("[data-testid=total-running]")) > 0
    assert phone.locator("[data-testid=cards] tbody tr").count() > 0
    shot(phone, "s3-3-board-phone")
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, width
    close(phone)
