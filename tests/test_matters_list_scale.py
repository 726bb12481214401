"""What keeps the matter lists fast in a big city (issue 4 "Speed", bench/lists.py) without
changing what anyone sees: a capped count, year choices from the year index, and two ways
of reading a scope that must agree.

Personas from conftest: alice (supervision office, every matter), victor (vice mayor over
fgw and wancheng), sam (fgw staff), carl (czj staff). Matters from test_matters_pages.
"""

from __future__ import annotations

import re

import pytest

from ducha import paging
from ducha.matters import access
from ducha.matters.access import visible_matters
from ducha.matters.models import Matter
from ducha.org.models import User
from tests.test_matters_pages import TODAY, _bulk, make_matters, numbers_in, page


@pytest.fixture
def today(settings, clock):
    clock.set(TODAY)
    return TODAY


@pytest.fixture
def matters(city, today):
    return make_matters(city)


def _fresh(user: User) -> User:
    """A new user object: the scope's size class is remembered per object (per request)."""
    return User.objects.get(pk=user.pk)


@pytest.mark.parametrize("persona", ["victor", "sam", "carl", "alice", "mayor"])
def test_sparse_and_dense_scopes_read_the_same_matters(city, matters, persona, monkeypatch):
    _bulk(city, 12)
    Matter.objects.update(status="in_progress")
    user = city.people[persona]
    monkeypatch.setattr(access, "SPARSE_SCOPE", 10**9)  # everything counts as sparse: id lists
    sparse = set(visible_matters(_fresh(user)).values_list("pk", flat=True))
    assert "UNION" in str(visible_matters(_fresh(user)).query) or persona in ("alice", "mayor")
    monkeypatch.setattr(access, "SPARSE_SCOPE", 0)  # everything counts as dense: OR EXISTS
    dense = set(visible_matters(_fresh(user)).values_list("pk", flat=True))
    assert "EXISTS" in str(visible_matters(_fresh(user)).query) or persona in ("alice", "mayor")
    assert sparse == dense
    expected = set(Matter.objects.exclude(status="draft").values_list("pk", flat=True)) if persona in (
        "alice", "mayor") else None
    if expected is not None:
        assert sparse >= expected
    else:
        assert sparse and sparse < set(Matter.objects.values_list("pk", flat=True))


def test_a_sparse_scope_has_no_duplicate_rows(city, matters, monkeypatch):
    """fgw leads some matters and co-runs others; a matter it both leads and co-runs is one row."""
    monkeypatch.setattr(access, "SPARSE_SCOPE", 10**9)
    fund = matters["fund"]  # czj leads, fgw co-runs
    Matter.objects.filter(pk=fund.pk).update(lead_unit=city.units["fgw"])
    pks = list(visible_matters(_fresh(city.sam)).values_list("pk", flat=True))
    assert len(pks) == len(set(pks)) and fund.pk in pks


def test_the_count_stops_at_the_cap_and_says_so(city, today, client, monkeypatch):
    _bulk(city, 60)
    Matter.objects.update(status="in_progress")
    monkeypatch.setattr(paging, "COUNT_CAP", 30)
    html = page(client, city.alice, "/matters/")
    count = html.split('data-testid="result-count">', 1)[1].split("<", 1)[0]
    assert "超过 30 项" in count, count
    pager = html.split('data-testid="pager"', 1)[1].split("</nav>", 1)[0]
    assert "第 1 页；请用筛选缩小范围" in pager and "»" not in pager, pager  # no "last page" past a cap
    assert len(numbers_in(page(client, city.alice, "/matters/", page=2, sort="due"))) == 5
    # A numbered page past the cap shows the cap's last page; "Next" goes on past it.
    assert len(numbers_in(page(client, city.alice, "/matters/", page=3, sort="due"))) == 5

    monkeypatch.setattr(paging, "COUNT_CAP", 100)
    html = page(client, city.alice, "/matters/")
    count = html.split('data-testid="result-count">', 1)[1].split("<", 1)[0]
    assert "60" in count and "超过" not in count, count


def test_year_choices_span_the_years_recorded(city, matters, client):
    Matter.objects.filter(pk=matters["done"].pk).update(year=2024)
    html = page(client, city.carl, "/matters/")
    select = html.split('name="year"', 1)[1].split("</select>", 1)[0]
    assert [y for y in ("2026", "2025", "2024") if f'value="{y}"' in select] == ["2026", "2025", "2024"]


@pytest.mark.parametrize("persona", ["victor", "sam", "alice"])
def test_count_parts_are_disjoint_and_make_up_the_scope(city, matters, persona, monkeypatch, client):
    """The list counts a dense scope in parts (lead; co-unit only); together they are the scope."""
    _bulk(city, 12)
    Matter.objects.update(status="in_progress")
    monkeypatch.setattr(access, "SPARSE_SCOPE", 0)
    user = _fresh(city.people[persona])
    parts = [set(p.values_list("pk", flat=True)) for p in access.visible_matter_parts(user)]
    whole = set(visible_matters(user).values_list("pk", flat=True))
    assert set().union(*parts) == whole and sum(map(len, parts)) == len(whole)
    assert len(parts) == (1 if persona == "alice" else 3)  # lead; co-unit only; requested only (S1.5)
    # And the page's count says the same as the list.
    html = page(client, user, "/matters/")
    count = html.split('data-testid="result-count">', 1)[1].split("<", 1)[0]
    assert f"{len(whole)} " in count, count



def _next_link(html: str) -> str | None:
    found = re.search(r'href="([^"]+)" rel="next"', html)
    return "/matters/" + found.group(1).replace("&amp;", "&") if found else None


def _prev_link(html: str) -> str | None:
    found = re.search(r'href="([^"]+)" rel="prev"', html)
    return "/matters/" + found.group(1).replace("&amp;", "&") if found else None


@pytest.mark.parametrize("persona", ["alice", "sam"])
def test_next_and_previous_walk_every_matter_once_in_order(city, today, client, persona, monkeypatch):
    """Following "Next" from page 1 lists each visible matter exactly once, in the list's
    order, also past the count's cap; "Previous" walks back the same pages."""
    _bulk(city, 70)
    Matter.objects.filter(pk__in=list(Matter.objects.values_list("pk", flat=True)[:20])).update(year=2025)
    Matter.objects.update(status="in_progress")
    monkeypatch.setattr(paging, "COUNT_CAP", 30)
    user = city.people[persona]
    client.force_login(user)
    expected = list(visible_matters(_fresh(user)).order_by("-year", "number").values_list("number", flat=True))
    seen, pages, url = [], [], "/matters/"
    while url:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        html = response.content.decode()
        assert 'data-testid="matter-table"' in html, (url, html[html.find("<main"):][:3000])
        rows = re.findall(r'data-matter="([^"]+)"', html.split('data-testid="matter-table"', 1)[1].split("</table>")[0])
        pages.append((url, rows))
        seen += rows
        url = _next_link(html)
        if url:
            assert "after=" in url and f"page={len(pages) + 1}" in url, url
    assert seen == expected and len(pages) == -(-len(expected) // 25)
    # Back from the last page: each "Previous" shows the page shown before it.
    html = client.get(pages[-1][0]).content.decode()
    for _url, prev_rows in reversed(pages[:-1]):
        url = _prev_link(html)
        assert url, "no Previous link"
        html = client.get(url).content.decode()
        rows = re.findall(r'data-matter="([^"]+)"', html.split('data-testid="matter-table"', 1)[1].split("</table>")[0])
        assert rows == prev_rows
    assert _prev_link(html) is None


@pytest.mark.parametrize("key", ["not-a-key", "99999999999999999999~DB2026-0001", "~", "2026~" + "9" * 40])
def test_a_forged_key_is_ignored(city, matters, client, key):
    html = page(client, city.alice, "/matters/", after=key, page="x")
    assert len(numbers_in(html)) == 5
