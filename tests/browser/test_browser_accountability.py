"""S1.16 in a real browser: the supervision office registers 发改委's second record of the year,
reads what it raises before confirming, and sees the admonishment talks it raised; the unit's
administrator appeals on a phone; the office upholds the appeal and the talks are withdrawn.
Screenshots go to test-artifacts/."""

from __future__ import annotations

from datetime import date

import pytest

from ducha.accountability.actions import RecordInput, do_register_record
from ducha.accountability.models import Consequence, Record
from ducha.org.demo import build_demo_organisation
from ducha.org.models import Unit, UnitPost, User
from ducha.workcal.demo import build_demo_calendar
from tests.browser.conftest import browser, page_factory, server, shot  # noqa: F401 -- fixtures
from tests.browser.test_browser_matters import close, log_in

pytestmark = pytest.mark.browser
TODAY = date(2026, 11, 16)


@pytest.fixture
def first_record(server, clock):  # noqa: F811
    clock.set(TODAY)
    build_demo_calendar()
    build_demo_organisation()
    fgw = Unit.objects.get(code="fgw")
    people = tuple(UnitPost.objects.filter(unit=fgw).values_list("person_id", flat=True))
    return do_register_record(actor=User.objects.get(username="duchashi"), today=TODAY, data=RecordInput(
        unit_id=fgw.pk, people_ids=people, cause="other", reason="重点项目推进迟缓", form="notice",
        deciding_body="南阳市人民政府督查室", document_number="宛督责〔2026〕1号", decided_on=date(2026, 3, 2)))


def test_s1_16_a_second_record_raises_talks_and_an_upheld_appeal_withdraws_them(
        server, first_record, page_factory):  # noqa: F811
    fgw = first_record.unit
    desk = page_factory()
    log_in(desk, server, "duchashi")
    desk.goto(f"{server}/accountability/")
    desk.click("[data-testid=new-record]")
    desk.select_option("#unit", str(fgw.pk))
    desk.click("[data-testid=choose]")
    desk.select_option("#cause", "other")
    desk.fill("#reason", "督办事项连续两个月未报送进展")
    desk.select_option("#form", "admonishment")
    desk.fill("#deciding_body", "南阳市人民政府督查室")
    desk.fill("#document_number", "宛督责〔2026〕9号")
    desk.fill("#decided_on", "2026-11-10")
    effect = desk.inner_text("[data-testid=effect]")
    assert "第 2 次" in effect and "诫勉谈话" in effect, effect
    shot(desk, "s1-16-register-confirmation")
    desk.check("[data-testid=confirm]")
    desk.click("[data-testid=record-form] button.btn-danger")
    desk.wait_for_selector("[data-testid=consequences]")
    talks = desk.locator("[data-rung=admonishment_talk][data-state=due]")
    assert talks.count() == 2
    shot(desk, "s1-16-record-with-talks")
    second = Record.objects.get(document_number="宛督责〔2026〕9号")

    admin = page_factory(width=390, height=844)
    log_in(admin, server, "fgw_admin")
    admin.goto(f"{server}/accountability/{second.pk}/")
    admin.fill("[data-testid=appeal-form] textarea", "该事项已按期报送，系统记录有误")
    admin.click("[data-testid=appeal-form] button")
    admin.wait_for_selector("text=申诉中")
    shot(admin, "s1-16-unit-appeal-phone")

    desk.goto(f"{server}/accountability/{second.pk}/")
    desk.check("#upheld-yes")
    desk.fill("#answer", "经核实，报送记录完整，撤销该问责")
    desk.check("#confirm-decide")
    desk.click("[data-testid=decide-form] button")
    desk.wait_for_selector("[data-testid=revoked]")
    assert desk.locator("[data-rung=admonishment_talk][data-state=withdrawn]").count() == 2
    shot(desk, "s1-16-appeal-upheld")
    assert not Consequence.objects.exclude(state="withdrawn").exists()
    close(desk, admin)
