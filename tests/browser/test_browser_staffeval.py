"""S2.5, S6.2 in a real browser: 发改委's administrator, on a phone, records a section's monthly
review, starts the year's staff evaluation drafted from the internal ledger, proposes the grades
(优秀 within the quota shown with its explanation, a reason for 基本称职) and submits it; the
organisation and personnel office (renshi) confirms it. Screenshots (Chinese and English,
desktop and phone) go to test-artifacts/."""

from __future__ import annotations

from datetime import date

import pytest
from django.conf import settings

from ducha.org.demo import build_demo_organisation
from ducha.staffeval.models import EvaluationState, MonthlyReview, StaffEvaluation
from ducha.workcal.demo import build_demo_calendar
from tests.browser.conftest import browser, page_factory, server, shot  # noqa: F401 -- fixtures
from tests.browser.test_browser_matters import log_in

pytestmark = pytest.mark.browser
TODAY = date(2026, 12, 10)


@pytest.fixture
def project(server, clock):  # noqa: F811
    clock.set(TODAY)
    build_demo_calendar()
    build_demo_organisation()


def test_s6_2_the_year_end_staff_evaluation_on_a_phone_and_its_confirmation(server, project, page_factory):  # noqa: F811
    phone = page_factory(width=390, height=844)
    log_in(phone, server, "fgw_admin")
    phone.goto(f"{server}/staff-evaluation/")
    phone.click("[data-testid=reviews-card]")
    section = phone.locator("details[data-section]").first
    section.locator("summary").click()
    section.locator("textarea[name=reviewed]").fill("督办事项台账更新和整改落实情况")
    section.locator("input[name=points]").fill("92")
    section.locator("button").click()
    phone.wait_for_selector("[data-testid=reviews] [data-review]")
    assert MonthlyReview.objects.get().points == 92
    shot(phone, "s6-2-monthly-review-phone")

    phone.goto(f"{server}/staff-evaluation/")
    phone.click("[data-testid=start-form] button")
    phone.wait_for_selector("[data-testid=lines]")
    ev = StaffEvaluation.objects.get()
    people = list(ev.lines.order_by("person_id").values_list("person_id", flat=True))
    assert len(people) == 5
    explain = phone.inner_text("[data-testid=quota-explain]")
    assert "5 人 × 20% = 1 人" in explain, explain
    phone.select_option(f"#grade-{people[0]}", "excellent")
    phone.select_option(f"#grade-{people[1]}", "excellent")
    for pid in people[2:]:
        phone.select_option(f"#grade-{pid}", "competent")
    phone.click("[data-testid=save-grades]")
    phone.wait_for_selector("[data-testid=error-grades]")  # two 优秀 on a quota of one
    shot(phone, "s6-2-over-quota-phone")
    phone.select_option(f"#grade-{people[1]}", "basic")
    phone.click("[data-testid=save-grades]")
    phone.wait_for_selector(f"[data-testid=error-reason-{people[1]}]")
    phone.fill(f"#reason-{people[1]}", "全年承办事项两项逾期")
    phone.check("#confirm-submit")
    phone.click("[data-testid=submit]")
    phone.wait_for_selector("[data-testid=state]:has-text('已报送待确认')")
    shot(phone, "s6-2-submitted-phone")
    ev.refresh_from_db()
    assert ev.state == EvaluationState.SUBMITTED and ev.quota == 1

    desk = page_factory()
    log_in(desk, server, "renshi")
    desk.goto(f"{server}/staff-evaluation/")
    assert "1 个单位待确认" in desk.inner_text("[data-testid=waiting]")
    shot(desk, "s6-2-hr-units")
    desk.click(f"[data-unit='{ev.unit_id}'] a >> nth=0")
    desk.wait_for_selector("[data-testid=confirm-form]")
    desk.click("[data-testid=confirm-form] button")
    desk.wait_for_selector("[data-testid=state]:has-text('已确认')")
    shot(desk, "s6-2-hr-confirmed")
    assert StaffEvaluation.objects.get().state == EvaluationState.CONFIRMED

    english = page_factory()
    english.context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": server}])
    log_in(english, server, "fgw_admin")
    english.goto(f"{server}/staff-evaluation/evaluations/{ev.pk}/")
    assert "20 % of 5 staff = 1" in english.inner_text("[data-testid=quota-explain]")
    shot(english, "s6-2-evaluation-en")
