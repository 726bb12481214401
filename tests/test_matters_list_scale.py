"""What keeps the matter lists fast in a big city (issue 4 "Speed", bench/lists.py) without
changing what anyone sees: a capped count, year choices from the year index, and two ways
of reading a scope that must agree.

Personas from conftest: alice (supervision office, every matter), victor (vice mayor over
fgw and wancheng), sam (fgw staff), carl (czj staff). Matters from test_matters_pages.
"""

from __future__ import annotations

import pytest

from ducha.matters import access
from ducha.matters.access import visible_matters
from ducha.matters.models import Matter
from ducha.org.models import User
from ducha.web import paging
from tests.test_matters_pages import TODAY, _bulk, make_matters, numbers_in, page


@pytest.fixture
def today(settings):
    settings.DUCHA_TODAY = TODAY
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
    assert "前 2 页" in pager, pager  # 30 rows of 25 a page: the cap's last page is 2
    assert len(numbers_in(page(client, city.alice, "/matters/", page=2))) == 5
    assert len(numbers_in(page(client, city.alice, "/matters/", page=3))) == 5  # past the cap: its last page

    monkeypatch.setattr(paging, "COUNT_CAP", 100)
    html = page(client, city.alice, "/matters/")
    count = html.split('data-testid="result-count">', 1)[1].split("<", 1)[0]
    assert "60" in count and "超过" not in count, count


def test_year_choices_span_the_years_recorded(city, matters, client):
    Matter.objects.filter(pk=matters["done"].pk).update(year=2024)
    html = page(client, city.carl, "/matters/")
    select = html.split('name="year"', 1)[1].split("</select>", 1)[0]
    assert [y for y in ("2026", "2025", "2024") if f'value="{y}"' in select] == ["2026", "2025", "2024"]
