"""Issue #11 item 16 in a real browser: the supervision office (duchashi) mistypes an address and
opens the auditor's trail; both answers are the platform's own pages in Chinese, with its menu;
in English the same page speaks English only. Screenshots go to test-artifacts/."""

from __future__ import annotations

import pytest

from tests.browser.conftest import browser, page_factory, server, shot  # noqa: F401 -- fixtures
from tests.browser.test_browser_matters import city, close, log_in  # noqa: F401 -- fixtures
from tests.test_words import han_words, latin_words

pytestmark = pytest.mark.browser


def whoami(page) -> set[str]:
    """Names on the page that are the user's own data: their name, and their unit in the menu."""
    return {page.inner_text("[data-testid=whoami]"), *page.text_content("[data-testid=whoami-role]").split(" · ")}


def test_item_16_error_pages_in_the_users_language_in_the_browser(server, city, page_factory):  # noqa: F811
    base = server
    page = page_factory()
    log_in(page, base, "duchashi")

    page.goto(f"{base}/matters/no-such-page/")
    page.wait_for_selector("[data-testid=error-page][data-status='404']")
    assert page.inner_text("h1") == "页面不存在"
    assert not latin_words(page.content(), whoami(page))
    shot(page, "error-404-zh")

    response = page.goto(f"{base}/audit/")
    assert response.status == 403 and page.inner_text("h1") == "无权操作"
    assert "Forbidden" not in page.content()

    page.goto(f"{base}/matters/no-such-page/")
    page.click("button[name=language][value=en]")
    page.wait_for_selector("html[lang=en]")
    page.goto(f"{base}/matters/no-such-page/")
    assert page.inner_text("h1") == "Page not found"
    assert not han_words(page.content(), whoami(page))
    shot(page, "error-404-en")
    close(page)
