"""S2.6 in a real browser: the supervision office opens an unannounced round of 发改委 and 财政局,
records a finding on a matter with ten working days to rectify and issues it after reading
what issuing does; 发改委's administrator, on a phone, sees the finding only then and reports
the rectification done. Screenshots go to test-artifacts/."""

from __future__ import annotations

from datetime import date

import pytest

from ducha.accountability.rounds_models import Round
from ducha.matters.actions import MatterInput, do_create_matter, do_transition_matter
from ducha.matters.models import Rectification, Source
from ducha.org.demo import build_demo_organisation
from ducha.org.models import LeaderPost, Unit, User
from ducha.workcal.demo import build_demo_calendar
from tests.browser.conftest import browser, page_factory, server, shot  # noqa: F401 -- fixtures
from tests.browser.test_browser_matters import close, log_in

pytestmark = pytest.mark.browser
TODAY = date(2026, 11, 2)


@pytest.fixture
def project(server, clock):  # noqa: F811
    clock.set(TODAY)
    build_demo_calendar()
    build_demo_organisation()
    office = User.objects.get(username="duchashi")
    leader = LeaderPost.objects.get(person__username="fushizhang").person
    matter = do_create_matter(actor=office, data=MatterInput(
        title="产业园区标准厂房建设", source=Source.KEY_WORK, lead_unit_id=Unit.objects.get(code="fgw").id,
        responsible_leader_id=leader.id, start_date=date(2026, 3, 2), due_date=date(2026, 12, 31),
        goal="建成标准厂房10万平方米", qualitative_standard="按期竣工", projects="标准厂房项目", milestones=1), today=TODAY)
    do_transition_matter(actor=office, matter_id=matter.id, action="assign", today=TODAY)
    return matter


def test_s2_6_a_round_from_opening_to_rectification(server, project, page_factory):  # noqa: F811
    fgw, czj = Unit.objects.get(code="fgw"), Unit.objects.get(code="czj")
    desk = page_factory()
    log_in(desk, server, "duchashi")
    desk.goto(f"{server}/accountability/rounds/")
    desk.click("[data-testid=new-round]")
    desk.fill("#title", "重点项目推进情况暗访")
    desk.select_option("#regularity", "irregular")
    desk.select_option("#openness", "unannounced")
    desk.fill("#starts_on", "2026-11-02")
    desk.fill("#ends_on", "2026-11-13")
    desk.select_option("#units", [str(fgw.pk), str(czj.pk)])
    desk.click("[data-testid=round-form] button.btn-primary")
    desk.wait_for_selector("[data-testid=finding-form]")
    round_ = Round.objects.get()

    admin = page_factory(width=390, height=844)
    log_in(admin, server, "fgw_admin")
    assert admin.goto(f"{server}/accountability/rounds/{round_.pk}/").status == 404  # 暗访: not yet

    desk.select_option("#f-unit", str(fgw.pk))
    desk.fill("#f-matter", project.number)
    desk.fill("#f-days", "10")
    desk.fill("#f-problem", "现场未见施工人员，进度明显滞后")
    desk.click("[data-testid=finding-form] button")
    desk.wait_for_selector("[data-finding]")
    effect = desk.inner_text("[data-testid=issue-effect]")
    assert "1 个问题" in effect and "整改率" in effect, effect
    shot(desk, "s2-6-round-before-issue")
    desk.check("#confirm-issue")
    desk.click("[data-testid=issue-form] button")
    desk.wait_for_selector("text=已通报")
    rect = Rectification.objects.get(source="round")
    assert rect.due_date == date(2026, 11, 16) and rect.unit_id == fgw.pk

    admin.goto(f"{server}/accountability/rounds/{round_.pk}/")
    admin.fill("[data-testid^=rectify-] textarea", "已督促施工单位进场，增加作业面")
    admin.click("[data-testid^=rectify-] button")
    admin.wait_for_selector("[data-testid^=rectified-]")
    shot(admin, "s2-6-unit-rectified-phone")
    assert Rectification.objects.get(pk=rect.pk).rectified_on == TODAY
    close(desk, admin)
