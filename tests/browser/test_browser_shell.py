"""In a real browser (issue 2 §8): a unit user and the supervision office log in to the demo
city and each sees what their role allows, on a desktop and on a 375-px phone."""

from __future__ import annotations

import pytest

from ducha.org.demo import build_demo_organisation
from ducha.org.models import Unit
from tests.browser.conftest import shot

pytestmark = pytest.mark.browser
DEMO_PASSWORD = "demo-only-2026"


def log_in(page, server: str, username: str) -> None:
    page.goto(f"{server}/")
    assert "/login/" in page.url
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{server}/")


def test_unit_staff_sees_only_their_unit(server, page_factory):
    build_demo_organisation()
    foreign = Unit.objects.get(code="czj")
    page = page_factory()
    log_in(page, server, "fgw_staff")
    assert "发改委工作人员" in page.inner_text("[data-testid=whoami]")
    assert page.inner_text("[data-testid=unit-total]") == "1"
    assert "市发展和改革委员会" in page.inner_text("[data-testid=my-unit]")
    shot(page, "unit-staff-home")

    page.click("[data-testid=nav-more]")  # the directory menu
    page.click("a.dropdown-item[href='/units/']")
    rows = page.locator("[data-testid=unit-table] tbody tr")
    assert rows.count() == 1 and "市发展和改革委员会" in rows.first.inner_text()

    response = page.goto(f"{server}/units/{foreign.id}/")
    assert response.status == 404 and "市财政局" not in page.content()


def test_supervision_office_sees_the_whole_city(server, page_factory):
    build_demo_organisation()
    total = Unit.objects.count()
    page = page_factory()
    log_in(page, server, "duchashi")
    assert page.inner_text("[data-testid=unit-total]") == str(total)
    assert "常务副市长" in page.inner_text("[data-testid=leaders]")
    shot(page, "supervision-office-home")
    page.goto(f"{server}/units/")
    assert page.locator("[data-testid=unit-table] tbody tr").count() == total
    assert "邓州市人民政府" in page.inner_text("[data-testid=unit-table]")


def test_usable_on_a_phone_and_in_english(server, page_factory):
    build_demo_organisation()
    page = page_factory(width=375, height=812)
    log_in(page, server, "fushizhang")
    # Nothing wider than the screen: no sideways scrolling on a phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert page.is_visible(".navbar-toggler")
    assert "宛城区人民政府" in page.inner_text("[data-testid=portfolio]")
    shot(page, "vice-mayor-phone")
    page.click(".navbar-toggler")
    # Bootstrap adds "show" when the menu has finished opening; a click during the opening
    # animation can land where the button no longer is.
    page.wait_for_selector(".navbar-collapse.show")
    with page.expect_navigation():
        page.click("button[name=language][value=en]")
    assert page.locator("html").get_attribute("lang") == "en"
    assert "My portfolio" in page.content()
    # CSS and JS came from this server: Bootstrap's collapse worked and styles applied.
    assert page.evaluate("getComputedStyle(document.querySelector('nav')).backgroundColor") == "rgb(155, 28, 28)"
    shot(page, "vice-mayor-phone-en")


def test_api_documentation_works_offline(server, page_factory):
    """/api/docs is Swagger UI from our own static files (the intranet has no CDN), under the
    strict CSP, and lists the operations of the OpenAPI document."""
    build_demo_organisation()
    page = page_factory()
    foreign: list[str] = []
    page.on("request", lambda r: foreign.append(r.url) if not r.url.startswith(server) else None)
    log_in(page, server, "duchashi")
    page.goto(f"{server}/api/docs")
    page.wait_for_selector("[data-path='/api/matters']", timeout=15000)
    assert page.locator(".opblock").count() >= 10
    assert foreign == []
    shot(page, "api-docs")
