"""S1.6 in a real browser: the supervision office opens the half-yearly lawful-administration
check after reading what opening does, deducts points from 发改委 with the finding in words,
hands the finding to an efficiency case, and publishes; 发改委's administrator, on a phone, reads
the score and the finding. Screenshots (Chinese and English, desktop and phone) go to
test-artifacts/."""

from __future__ import annotations

from datetime import date

import pytest
from django.conf import settings

from ducha.accountability.models import Case
from ducha.lawful.models import Check, CheckState, Deduction
from ducha.org.demo import build_demo_organisation
from ducha.org.models import Unit
from ducha.workcal.demo import build_demo_calendar
from tests.browser.conftest import browser, page_factory, server, shot  # noqa: F401 -- fixtures
from tests.browser.test_browser_matters import close, log_in

pytestmark = pytest.mark.browser
TODAY = date(2026, 7, 6)


@pytest.fixture
def project(server, clock):  # noqa: F811
    clock.set(TODAY)
    build_demo_calendar()
    build_demo_organisation()


def english(page, server: str) -> None:  # noqa: F811
    page.context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": server}])


def test_s1_6_a_check_from_opening_to_the_department_reading_its_score(server, project, page_factory):  # noqa: F811
    fgw = Unit.objects.get(code="fgw")
    desk = page_factory()
    log_in(desk, server, "duchashi")
    desk.goto(f"{server}/lawful/")
    desk.click("[data-testid=new-check]")
    desk.select_option("#period", "2026-H1")
    effect = desk.inner_text("[data-testid=open-effect]")
    assert "40 个市政府部门" in effect and "通知" in effect, effect
    shot(desk, "s1-6-open-check")
    desk.check("#confirm-open")
    desk.click("[data-testid=check-form] button.btn-primary")
    desk.wait_for_selector("[data-testid=grid]")
    check = Check.objects.get()

    desk.click(f"[data-unit='{fgw.pk}'] a")
    desk.click("[data-item=document_review] summary")
    desk.fill("#points-document_review", "5")
    desk.fill("#finding-document_review", "印发的1件规范性文件未经合法性审核")
    desk.click("[data-testid=deduct-document_review] button")
    desk.wait_for_selector("[data-testid=finding-document_review]")
    assert "95" in desk.inner_text("[data-testid=score]")
    desk.select_option("#conduct-document_review", "misconduct")
    desk.click("[data-testid=case-form-document_review] button")
    desk.wait_for_selector("[data-testid=case-document_review] a")
    case = Case.objects.get()
    assert case.source == "lawful_check" and Deduction.objects.get().case_id == case.pk
    shot(desk, "s1-6-office-unit-page")

    desk.goto(f"{server}/lawful/{check.pk}/")
    assert "−5" in desk.inner_text(f"[data-unit='{fgw.pk}']")
    shot(desk, "s1-6-check-grid-before-publish")
    desk.check("#confirm-publish")
    desk.click("[data-testid=publish-form] button")
    desk.wait_for_selector("text=已公布")
    assert Check.objects.get().state == CheckState.PUBLISHED

    phone = page_factory(width=390, height=844)
    log_in(phone, server, "fgw_admin")
    phone.goto(f"{server}/lawful/")
    phone.click(f"[data-check='{check.pk}'] a")
    phone.wait_for_selector("[data-testid=grid]")
    assert phone.locator("[data-unit]").count() == 1  # its own department only
    shot(phone, "s1-6-unit-grid-phone")
    phone.click(f"[data-unit='{fgw.pk}'] a")
    assert "95" in phone.inner_text("[data-testid=score]")
    assert "未经合法性审核" in phone.inner_text("[data-testid=finding-document_review]")
    shot(phone, "s1-6-unit-result-phone")

    english(desk, server)
    desk.goto(f"{server}/lawful/{check.pk}/")
    assert "Legality review of normative documents" in desk.inner_text("[data-testid=grid]")
    shot(desk, "s1-6-check-grid-en")
    desk.goto(f"{server}/lawful/{check.pk}/units/{fgw.pk}/")
    shot(desk, "s1-6-office-unit-page-en")
    english(phone, server)
    phone.goto(f"{server}/lawful/{check.pk}/units/{fgw.pk}/")
    assert "Score 95 of 100" in phone.inner_text("[data-testid=score]")
    shot(phone, "s1-6-unit-result-phone-en")
    close(desk, phone)
