"""The letters pages (S1.4, S1.5): each renders for the roles it is meant for, in Chinese and
English, with nothing from another origin and nothing inline for the CSP to refuse, and the
proposals page costs the same queries for 3 or 30 slow co-units."""

from __future__ import annotations

import re
from datetime import date

import pytest

from ducha.letters.actions import LetterDraft, do_send_co_unit_letter
from ducha.reminders import engine
from tests.reminders_helpers import at, running_matter
from tests.test_shell_pages import foreign_references

TODAY = date(2026, 10, 12)
BODY = "请你单位加快推进配合工作，按期完成任务。特此函告。" * 2


@pytest.fixture(autouse=True)
def pinned(settings, tmp_path, clock):
    settings.MEDIA_ROOT = tmp_path / "media"
    clock.set(TODAY)


@pytest.fixture
def letter(city):
    m = running_matter(city, due=date(2026, 12, 31), co_units=[("czj", date(2026, 9, 30))])
    engine.scan(now=at(TODAY), today=TODAY)
    return do_send_co_unit_letter(actor=city.sam, co_part_id=m.co_parts.get().pk, today=TODAY,
                                  draft=LetterDraft(title="提醒函", body=BODY, token="p" * 32))


def inline_problems(html: str) -> list[str]:
    problems = re.findall(r'\sstyle="[^"]*"', html)
    problems += [s for s in re.findall(r"<script\b[^>]*>", html) if "src=" not in s]
    return problems


PAGES = {
    "sam": ["/letters/", "/letters/?box=sent", "/letters/proposals/", "/letters/new/request/", "{letter}",
            "{compose}", "/letters/new/matter/{matter}/"],
    "carl": ["/letters/", "{letter}"],
    "alice": ["/letters/?box=all", "/letters/proposals/", "/letters/counts/", "{letter}"],
    "percy": ["/letters/counts/?all=1", "/letters/?box=all&period=2026-Q4"],
    "gina": ["/letters/", "/letters/requests/"],
    "victor": ["/letters/", "{letter}"],
}


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("persona", sorted(PAGES))
def test_pages_render_locally_without_inline_code(city, letter, client, persona, language):
    client.force_login(getattr(city, persona))
    client.cookies["django_language"] = language
    for template in PAGES[persona]:
        url = template.format(letter=f"/letters/{letter.pk}/", compose=f"/letters/new/co-unit/{letter.co_part_id}/",
                              matter=letter.matter_id)
        response = client.get(url, follow=True)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert foreign_references(html) == [], url
        assert inline_problems(html) == [], url
        assert "table-responsive" in html or "<table" not in html, url


def test_nav_and_tabs_follow_the_role(city, letter, client):
    client.force_login(city.sam)
    html = client.get("/letters/").content.decode()
    assert 'href="/letters/"' in html and 'href="/letters/proposals/"' in html and 'href="/letters/counts/"' not in html
    client.force_login(city.percy)
    html = client.get("/letters/").content.decode()
    assert 'href="/letters/counts/"' in html and 'href="/letters/proposals/"' not in html
    client.force_login(city.gina)
    assert 'href="/letters/requests/"' in client.get("/letters/").content.decode()


def test_proposals_page_costs_a_fixed_number_of_queries(city, client, django_assert_max_num_queries):
    def slow_parts(n: int) -> None:
        for i in range(n):
            running_matter(city, due=date(2026, 12, 31), co_units=[("czj", date(2026, 9, 30))], title=f"事项{i}")
        engine.scan(now=at(TODAY), today=TODAY)

    client.force_login(city.sam)
    slow_parts(3)
    client.get("/letters/proposals/")
    with django_assert_max_num_queries(14) as few:
        assert client.get("/letters/proposals/").content.decode().count('data-testid="write"') == 3
    slow_parts(27)
    with django_assert_max_num_queries(14) as many:
        assert client.get("/letters/proposals/").content.decode().count('data-testid="write"') == 30
    assert len(few.captured_queries) == len(many.captured_queries)


def test_system_administrator_sets_a_letter_code_checked_like_a_doc_number(city, client):
    from ducha.letters.models import LetterCode

    client.force_login(city.sysop)
    assert client.get("/admin/letters/lettercode/").status_code == 200
    bad = client.post("/admin/letters/lettercode/add/", {"unit": city.units["fgw"].pk, "agency": "FGW函"})
    assert bad.status_code == 200 and not LetterCode.objects.exists()
    client.post("/admin/letters/lettercode/add/", {"unit": city.units["fgw"].pk, "agency": "宛发改函"})
    assert LetterCode.objects.get().agency == "宛发改函"
    client.force_login(city.alice)
    assert client.get("/admin/letters/lettercode/").status_code in (302, 403, 404)
