"""Every dashboard figure stays inside the viewer's scope, role by role (issue #11 items 10 and
12; S5.1 live display, S1.4 co-units). The matters and the date (Monday 2026-06-15) are those
of tests/test_matters_pages.py ``make_matters``: road (fgw leads), fund (czj leads, mayor
responsible, fgw a co-unit whose part was due 05-15), river (wancheng leads), npc (gxq, draft),
done (fgw, closed). victor's portfolio is {fgw, wancheng}."""

from __future__ import annotations

import re

import pytest

from tests.test_matters_pages import TODAY, make_matters


@pytest.fixture
def matters(city, settings, clock):
    clock.set(TODAY)
    return make_matters(city)


def dashboard(client, user) -> str:
    client.force_login(user)
    response = client.get("/matters/dashboard/")
    assert response.status_code == 200
    return response.content.decode()


def figure(html: str, name: str) -> int:
    match = re.search(rf'data-testid="{name}"[^>]*>\s*(\d+)\s*<', html)
    assert match, name
    return int(match.group(1))


def unit_rows(html: str) -> set[int]:
    return {int(u) for u in re.findall(r'<tr data-unit="(\d+)"', html)}


def listed(html: str, testid: str) -> set[str]:
    section = html.split(f'data-testid="{testid}"', 1)[1].split("</section>", 1)[0]
    return set(re.findall(r'data-matter="([^"]+)"', section))


# persona → (units in the ranking, open matters, overdue matters listed)
EXPECTED = {
    "alice": ({"fgw", "czj", "wancheng"}, 3, {"fund"}),
    "gina": ({"fgw", "czj", "wancheng"}, 3, {"fund"}),
    "percy": ({"fgw", "czj", "wancheng"}, 3, {"fund"}),
    "mayor": ({"fgw", "czj", "wancheng"}, 3, {"fund"}),
    # fund is led by czj, outside victor's portfolio: neither its unit nor its figures count here.
    "victor": ({"fgw", "wancheng"}, 2, set()),
    "ursula": (set(), 1, set()),
    "sam": (set(), 1, set()),
    "carl": (set(), 1, {"fund"}),
}


@pytest.mark.parametrize("persona", list(EXPECTED))
def test_item_10_each_role_s_dashboard_counts_only_its_scope(city, matters, client, persona):
    units, open_total, overdue = EXPECTED[persona]
    html = dashboard(client, getattr(city, persona))
    assert unit_rows(html) == {city.units[c].pk for c in units}
    assert figure(html, "kpi-open") == open_total
    numbers = {k: m.number for k, m in matters.items()}
    assert listed(html, "overdue-list") == {numbers[k] for k in overdue}
    assert figure(html, "kpi-red") == len(overdue)


def test_item_10_vice_mayor_dashboard_shows_only_the_portfolio(city, matters, client):
    html = dashboard(client, city.victor)
    assert unit_rows(html) == {city.units["fgw"].pk, city.units["wancheng"].pk}
    assert "市财政局" not in html.split('data-testid="unit-ranking"', 1)[1].split("</section>", 1)[0]
    assert figure(html, "status-total") == 3  # road, river and done: the drafts and fund are not counted


def test_item_10_administrators_have_no_dashboard(city, matters, client):
    for persona in ("sysop", "sec", "audrey"):  # they run the system, not the city's work
        client.force_login(getattr(city, persona))
        assert client.get("/matters/dashboard/").status_code == 404


def test_item_12_unit_home_page_lists_its_overdue_co_unit_parts(city, matters, client):
    client.force_login(city.sam)
    html = client.get("/").content.decode()
    assert figure(html, "home-red") == 0  # fgw leads nothing overdue…
    assert figure(html, "home-co-red") == 1  # …but its part of fund was due on 15 May
    assert listed(html, "matter-summary") == {matters["fund"].number}
    assert "项目审核" in html  # the part itself, not only the matter
    client.force_login(city.carl)  # czj leads fund: its own overdue matter, no co-unit part of its own
    html = client.get("/").content.decode()
    assert figure(html, "home-red") == 1 and 'data-testid="home-co-red"' not in html
