"""The web shell (issue 2 §7): login, a role-aware home page with real counts, zh-hans first,
English on request, and no reference to another origin on any page."""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.urls import reverse

from tests.conftest import PASSWORD


def test_anonymous_is_sent_to_login(client, db):
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_login_with_password_then_home(city, client):
    response = client.post("/login/", {"username": "SAM", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/"
    home = client.get("/").content.decode()
    assert "市发展和改革委员会" in home


def test_wrong_password_says_so_without_saying_which_part(city, client):
    response = client.post("/login/", {"username": "sam", "password": "nope"})
    unknown = client.post("/login/", {"username": "nobody", "password": "nope"})
    assert response.status_code == unknown.status_code == 200
    assert response.content.decode().count("alert-danger") == 1
    assert "请输入一个正确的" in response.content.decode()


def _text(response) -> str:
    return response.content.decode()


def test_home_counts_for_the_supervision_office(city, client):
    client.force_login(city.alice)
    page = _text(client.get("/"))
    assert 'data-testid="unit-total">7<' in page
    # People of units: leaders and administrators belong to no unit and are not counted.
    assert 'data-testid="people-total">6<' in page
    assert 'data-testid="leaders"' in page


def test_home_counts_for_a_vice_mayor(city, client):
    client.force_login(city.victor)
    page = _text(client.get("/"))
    assert 'data-testid="unit-total">2<' in page
    assert 'data-testid="portfolio"' in page and "宛城区人民政府" in page


def test_home_counts_for_unit_staff(city, client):
    client.force_login(city.sam)
    page = _text(client.get("/"))
    assert 'data-testid="unit-total">1<' in page
    assert 'data-testid="people-total">2<' in page  # ursula and sam
    assert 'data-testid="leaders"' not in page


def test_home_for_administrators_shows_accounts_not_business_counts(city, client):
    client.force_login(city.sec)
    page = _text(client.get("/"))
    assert 'data-testid="accounts"' in page and 'data-testid="unit-total"' not in page


def test_chinese_by_default_even_for_an_english_browser(city, client):
    client.force_login(city.sam)
    page = _text(client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9"))
    assert '<html lang="zh-hans">' in page and "首页" in page


def test_english_when_chosen(city, client):
    client.force_login(city.sam)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = _text(client.get("/"))
    assert '<html lang="en">' in page and "Home" in page and "首页" not in page
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    assert "首页" in _text(client.get("/"))


class _References(HTMLParser):
    ATTRS = {"src", "href", "action", "srcset", "poster", "data", "formaction"}

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag, attrs):
        self._in_style = tag == "style"
        for name, value in attrs:
            if value and name in self.ATTRS:
                self.urls.extend(part.strip().split(" ")[0] for part in value.split(","))
            if value and name == "style":
                self.urls.extend(_css_urls(value))

    def handle_data(self, data):
        if self._in_style:
            self.urls.extend(_css_urls(data))


def _css_urls(css: str) -> list[str]:
    import re

    return re.findall(r"url\(\s*['\"]?([^'\")]+)", css) + re.findall(r"@import\s+['\"]([^'\"]+)", css)


def foreign_references(html: str) -> list[str]:
    parser = _References()
    parser.feed(html)
    return [u for u in parser.urls if urlsplit(u).netloc or u.startswith("//")]


def test_reference_checker_finds_cdn_links():
    html = '<link href="https://cdn.example/x.css"><script src="//cdn.example/y.js"></script><a href="/ok">'
    assert foreign_references(html) == ["https://cdn.example/x.css", "//cdn.example/y.js"]


PAGES_BY_PERSONA = {
    "alice": ["/", "/units/", "/calendar/", "/api/docs"],
    "sam": ["/", "/units/"],
    "victor": ["/"],
    "sysop": ["/", "/admin/", "/admin/org/unit/", "/admin/org/user/"],
}


@pytest.mark.parametrize("persona", sorted(PAGES_BY_PERSONA))
def test_no_page_refers_to_another_origin(city, client, persona):
    client.force_login(city.people[persona])
    for url in PAGES_BY_PERSONA[persona]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert foreign_references(response.content.decode()) == [], url


def test_login_page_refers_to_no_other_origin(client, db):
    assert foreign_references(_text(client.get("/login/"))) == []


def test_unit_detail_shows_leaders_and_people(city, client):
    client.force_login(city.alice)
    page = _text(client.get(reverse("unit-detail", args=[city.units["fgw"].id])))
    assert "Ursula" in page and "Sam" in page


def test_system_administrator_is_warned_from_1_december_when_next_year_is_missing(city, client, settings, clock):
    """Issue 3 §3: the warning reaches the home page of the person who can load the year."""
    from ducha.workcal.models import CalendarYear

    CalendarYear.objects.filter(year=2027).delete()
    clock.set("2026-11-30")
    client.force_login(city.sysop)
    assert 'data-testid="calendar-warning"' not in _text(client.get("/"))
    clock.set("2026-12-01")
    client.force_login(city.sysop)  # a day later the idle session has ended
    page = _text(client.get("/"))
    assert 'data-testid="calendar-warning"' in page and "2027" in page
    client.force_login(city.alice)
    assert 'data-testid="calendar-warning"' not in _text(client.get("/"))
