"""S1.14 in a real browser: the supervision office drafts the half-year's exposure of a confirmed
case, leaves the unit's name out, submits it to the mayor, who approves it on a phone; the office
issues it after reading what issuing does, and 发改委's administrator reads the issued document.
Screenshots go to test-artifacts/."""

from __future__ import annotations

from datetime import date

import pytest

from ducha.accountability.actions_cases import CaseInput, do_move_case, do_open_case
from ducha.accountability.announce_models import Announcement
from ducha.org.demo import build_demo_organisation
from ducha.org.models import Unit, User
from ducha.workcal.demo import build_demo_calendar
from tests.browser.conftest import browser, page_factory, server, shot  # noqa: F401 -- fixtures
from tests.browser.test_browser_matters import close, log_in

pytestmark = pytest.mark.browser


@pytest.fixture
def confirmed(server, clock):  # noqa: F811
    clock.set(date(2026, 10, 12))
    build_demo_calendar()
    build_demo_organisation()
    office = User.objects.get(username="duchashi")
    case = do_open_case(actor=office, data=CaseInput(Unit.objects.get(code="fgw").pk, "inaction", "complaint",
                                                     "群众反映窗口推诿，办事群众多次往返"))
    do_move_case(actor=office, case=case, to_state="verifying", note="")
    do_move_case(actor=office, case=case, to_state="confirmed", note="经核查属实")
    clock.set(date(2027, 1, 4))  # within the password's 90 days of the accounts made in October
    return case


def test_s1_14_an_exposure_from_draft_to_issue(server, confirmed, page_factory):  # noqa: F811
    desk = page_factory()
    log_in(desk, server, "duchashi")
    desk.goto(f"{server}/accountability/announcements/")
    desk.click("[data-testid=new-exposure]")
    desk.check(f"#item-{confirmed.pk}")
    desk.click("[data-testid=draft-form] button.btn-primary")
    desk.wait_for_selector("[data-testid=edit-form]")
    item = Announcement.objects.get().items.get()
    assert "市发展和改革委员会" in desk.input_value(f"#text-{item.pk}")
    desk.uncheck(f"#unit-{item.pk}")
    desk.click("[data-testid=save-button]")
    desk.wait_for_selector("[data-testid=edit-form]")
    assert desk.input_value(f"#text-{item.pk}").startswith("某单位不作为问题")  # redrafted without the name
    shot(desk, "s1-14-exposure-draft")
    desk.fill(f"#text-{item.pk}", "某单位不作为问题。群众反映窗口推诿，办事群众多次往返，经核查属实。")
    desk.click("[data-testid=submit-button]")  # what is on the screen is saved, then submitted
    desk.wait_for_selector("[data-testid=preview]")

    mayor = page_factory(width=390, height=844)
    log_in(mayor, server, "shizhang")
    mayor.goto(f"{server}/accountability/announcements/{item.announcement_id}/")
    shot(mayor, "s1-14-exposure-approve-phone")
    mayor.click("[data-testid=decide-form] button.btn-success")
    mayor.wait_for_selector("text=已审批")
    close(mayor)

    desk.reload()
    effect = desk.inner_text("[data-testid=issue-effect]")
    assert "宛督〔2027〕1号" in effect and "不能修改或撤回" in effect
    desk.check("#confirm-issue")
    desk.click("[data-testid=issue-form] button")
    desk.wait_for_selector("[data-testid=number]")
    assert "宛督〔2027〕1号" in desk.inner_text("[data-testid=number]")
    close(desk)

    admin = page_factory(width=390, height=844)
    log_in(admin, server, "fgw_admin")
    admin.goto(f"{server}/accountability/announcements/")
    admin.click(f"[data-announcement='{item.announcement_id}'] a")
    admin.wait_for_selector("[data-testid=files]")
    assert "多次往返，经核查属实" in admin.inner_text("[data-testid=preview]")
    shot(admin, "s1-14-exposure-issued-phone")
    close(admin)
