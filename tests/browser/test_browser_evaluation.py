"""S6.1–S6.3 in a real browser: the performance office opens the third quarter of the municipal
departments (scored at once), checks it; the mayor approves on a phone; the office publishes after
reading what publishing does; 发改委's administrator reads the ranking and the explanation of its
own score and objects; the office answers. Screenshots go to test-artifacts/."""

from __future__ import annotations

from datetime import date

import pytest

from ducha.evaluation.actions_ratings import RatingEntry, do_enter_ratings
from ducha.evaluation.defaults import ensure_categories, ensure_default_set
from ducha.evaluation.models import EvaluationPeriod, Objection
from ducha.matters.actions import MatterInput, do_create_matter, do_transition_matter
from ducha.matters.models import Source
from ducha.org.demo import build_demo_organisation
from ducha.org.models import LeaderPost, Unit, User
from ducha.workcal.demo import build_demo_calendar
from tests.browser.conftest import browser, page_factory, server, shot  # noqa: F401 -- fixtures
from tests.browser.test_browser_matters import close, log_in

pytestmark = pytest.mark.browser


@pytest.fixture
def quarter(server, clock):  # noqa: F811
    clock.set(date(2026, 10, 12))  # accounts made today: their passwords are fresh
    build_demo_calendar()
    build_demo_organisation()
    office = User.objects.get(username="duchashi")
    leader = LeaderPost.objects.get(person__username="fushizhang").person
    for code, title in (("fgw", "产业园区标准厂房建设"), ("czj", "预算绩效管理改革")):
        m = do_create_matter(actor=office, data=MatterInput(
            title=title, source=Source.KEY_WORK, lead_unit_id=Unit.objects.get(code=code).id,
            responsible_leader_id=leader.id, start_date=date(2026, 3, 2), due_date=date(2026, 12, 31), goal="按期完成",
            qualitative_standard="按期完成", projects="项目", milestones=1), today=date(2026, 10, 12))
        do_transition_matter(actor=office, matter_id=m.id, action="assign", today=date(2026, 10, 12))
    departments = next(c for c in ensure_categories() if c.code == "departments")
    ensure_default_set(departments, 2026, actor=User.objects.get(username="jixiaoban"))
    units = list(departments.units.values_list("pk", flat=True))
    do_enter_ratings(actor=User.objects.get(username="jixiaoban"), period_key="2026-Q3", source="public_rating",
                     origin="第三方民意调查", entries=[RatingEntry(u, str(70 + u % 25)) for u in units])
    return departments


def test_s6_3_a_quarter_from_draft_to_published_and_a_units_objection(server, quarter, page_factory):  # noqa: F811
    desk = page_factory()
    log_in(desk, server, "jixiaoban")
    desk.goto(f"{server}/evaluation/")
    desk.select_option("#category", str(quarter.pk))
    desk.fill("#period", "2026-Q3")
    desk.click("[data-testid=open-form] button")
    desk.wait_for_selector("[data-testid=ranking]")
    ev = EvaluationPeriod.objects.get()
    shot(desk, "s6-3-draft")
    desk.click("[data-testid=check-form] button")
    desk.wait_for_selector("[data-testid=period-state]:has-text('已审核')")

    mayor = page_factory(width=390, height=844)
    log_in(mayor, server, "shizhang")
    mayor.goto(f"{server}/evaluation/{ev.pk}/")
    mayor.click("[data-testid=decide-form] button.btn-success")
    mayor.wait_for_selector("[data-testid=period-state]:has-text('已批准')")
    shot(mayor, "s6-3-approved-phone")
    close(mayor)

    desk.reload()
    assert "宛绩〔2026〕1号" in desk.inner_text("[data-testid=publish-effect]")
    desk.check("#confirm-publish")
    desk.click("[data-testid=publish-form] button")
    desk.wait_for_selector("[data-testid=number]")

    admin = page_factory(width=390, height=844)
    log_in(admin, server, "fgw_admin")
    fgw = Unit.objects.get(code="fgw")
    admin.goto(f"{server}/evaluation/{ev.pk}/")
    admin.click(f"[data-unit='{fgw.pk}'] a")
    admin.wait_for_selector("[data-testid=breakdown]")
    assert "清单事项完成" in admin.inner_text("[data-testid=breakdown]")
    shot(admin, "s6-1-explanation-phone")
    other = Unit.objects.get(code="czj")
    admin.goto(f"{server}/evaluation/{ev.pk}/")
    assert admin.locator(f"[data-unit='{other.pk}'] a").count() == 0  # another unit's explanation is not offered
    admin.fill("#objection-text", "本单位重点项目已进场施工，进度未及时更新")
    admin.click("[data-testid=objection-form] button")
    admin.wait_for_selector("[data-testid=objections]")
    close(admin)

    objection = Objection.objects.get()
    desk.reload()
    desk.fill(f"#answer-{objection.pk}", "经核实，进度以月报为准，维持原结果")
    desk.click(f"[data-objection='{objection.pk}'] button")
    desk.wait_for_selector(f"[data-objection='{objection.pk}']:has-text('不成立')")
    shot(desk, "s6-3-published")
    close(desk)
