"""S2.7 the three rates — execution (督查执行率), reporting (上报率), rectification (整改率) — per unit
and overall, per quarter and per month, with the records behind each shortfall. The worked
example is the third quarter of 2026 in tests/test_reports_scenario.py and docs/rates.md."""

from __future__ import annotations

from datetime import date

import pytest

from ducha.org.models import Unit, UnitKind, User
from ducha.org.roles import Role
from ducha.reports.rates import RateKind, gather_rates, shortfall_records, sort_rows
from ducha.rules.periods import Period
from tests.conftest import PASSWORD
from tests.test_reports_scenario import JUDGED_ON, Q3, build_quarter, fill, make_matter


@pytest.fixture
def quarter(city):
    return build_quarter(city)


def missed(kind, unit, period=Q3):
    """The records behind a unit's shortfall, as the shortfall page reads them."""
    return shortfall_records(kind, period, JUDGED_ON, unit.id)


def test_s2_7_execution_rate_worked_example(city, quarter):
    result = gather_rates(Q3, JUDGED_ON)
    fgw = result.row_for(city.units["fgw"].id)
    czj = result.row_for(city.units["czj"].id)
    # fgw: M1 done 28 Aug for 31 Aug; M2 done 9 Oct for 30 Sep (late); M3 not done for 15 Jul.
    assert (fgw.execution.due, fgw.execution.done, fgw.execution.percent) == (3, 1, "33.3%")
    assert sorted(s.number for s in missed("execution", city.units["fgw"])) == sorted([quarter.m2.number, quarter.m3.number])
    assert fgw.execution.missed == 2
    late = next(s for s in missed("execution", city.units["fgw"]) if s.number == quarter.m2.number)
    assert (late.due, late.done_on) == (date(2026, 9, 30), date(2026, 10, 9))
    # czj: its co-unit part of M1, due 15 Aug, reported done on 10 Aug.
    assert (czj.execution.due, czj.execution.done, czj.execution.percent) == (1, 1, "100.0%")
    assert (result.overall.execution.due, result.overall.execution.done, result.overall.execution.percent) == (4, 2, "50.0%")


def test_s2_7_reporting_rate_worked_example(city, quarter):
    result = gather_rates(Q3, JUDGED_ON)
    fgw = result.row_for(city.units["fgw"].id)
    czj = result.row_for(city.units["czj"].id)
    # Windows closing in Q3: June's (to 7 Jul), July's (to 7 Aug), August's (to 7 Sep); 3 matters each.
    assert (fgw.reporting.due, fgw.reporting.done, fgw.reporting.percent) == (9, 3, "33.3%")
    records = missed("reporting", city.units["fgw"])
    assert len(records) == fgw.reporting.missed == 6
    assert sorted({s.month for s in records}) == ["2026-07", "2026-08"]
    july = [s for s in records if s.month == "2026-07"]
    assert {s.done_on for s in july} == {date(2026, 8, 10)} and {s.due for s in july} == {date(2026, 8, 7)}
    assert {s.done_on for s in records if s.month == "2026-08"} == {None}
    assert (czj.reporting.due, czj.reporting.done) == (3, 3)
    assert (result.overall.reporting.due, result.overall.reporting.done, result.overall.reporting.percent) == (
        12, 6, "50.0%")


def test_s2_7_rectification_rate_worked_example(city, quarter):
    result = gather_rates(Q3, JUDGED_ON)
    fgw = result.row_for(city.units["fgw"].id)
    assert (fgw.rectification.due, fgw.rectification.done, fgw.rectification.percent) == (2, 1, "50.0%")
    [late] = missed("rectification", city.units["fgw"])
    assert (late.detail, late.due, late.done_on) == ("完善佐证材料", date(2026, 9, 20), date(2026, 9, 25))
    assert result.row_for(city.units["czj"].id).rectification.percent == "—"


def test_s2_7_a_month_counts_the_window_closing_in_it(city, quarter):
    august = gather_rates(Period.parse("2026-08"), JUDGED_ON)
    fgw = august.row_for(city.units["fgw"].id)
    # August: M1 due 31 Aug (met), July's report window closing 7 Aug (fgw was late on all three).
    assert (fgw.execution.due, fgw.execution.done) == (1, 1)
    assert (fgw.reporting.due, fgw.reporting.done) == (3, 0)
    assert fgw.rectification.percent == "—"


def test_s2_7_nothing_due_gives_a_dash(city, quarter):
    result = gather_rates(Q3, JUDGED_ON)
    wancheng = result.row_for(city.units["wancheng"].id)
    assert [wancheng.get(k).percent for k in RateKind] == ["—", "—", "—"]
    empty = gather_rates(Period.parse("2025-Q3"), JUDGED_ON)
    assert [empty.overall.get(k).percent for k in RateKind] == ["—", "—", "—"]
    # Offices are not assessed unless something of theirs fell due.
    assert result.row_for(city.units["dcs"].id) is None


def test_s2_7_running_period_judges_only_what_fell_due(city, quarter):
    early = gather_rates(Q3, date(2026, 9, 5))
    fgw = early.row_for(city.units["fgw"].id)
    # On 5 September: M3 (15 Jul) and M1 (31 Aug) have fallen due, M2 (30 Sep) not yet; August's
    # report window (to 7 Sep) is still open; neither rectification demand is due yet.
    assert (fgw.execution.due, fgw.execution.done) == (2, 1)
    assert (fgw.reporting.due, fgw.reporting.done) == (6, 3)
    assert fgw.rectification.due == 0


def test_s2_7_rows_follow_the_scope_and_sort(city, quarter):
    mine = gather_rates(Q3, JUDGED_ON, [city.units["fgw"].id])
    assert [r.unit.code for r in mine.rows] == ["fgw"]
    assert mine.overall.execution.due == 4  # the overall is the whole city's
    rows = gather_rates(Q3, JUDGED_ON).rows
    by_exec = sort_rows(rows, "execution", descending=False)
    assert [r.unit.code for r in by_exec][:2] == ["fgw", "czj"]
    assert by_exec[-1].execution.value is None  # nothing due: always last
    assert sort_rows(rows, "execution", descending=True)[0].unit.code == "czj"


def _login(client, user):
    client.force_login(user)
    return client


def test_s2_7_rates_page_with_links_to_the_shortfall(city, quarter, client, settings, clock):
    clock.set(JUDGED_ON)
    page = _login(client, city.alice).get("/reports/rates/?period=2026-Q3&sort=execution").content.decode()
    assert 'data-testid="overall"' in page and "50.0%" in page
    fgw_id = city.units["fgw"].id
    link = f"/reports/rates/shortfall/?period=2026-Q3&amp;rate=execution&amp;unit={fgw_id}"
    assert link in page
    listing = client.get(link.replace("&amp;", "&")).content.decode()
    assert quarter.m2.number in listing and quarter.m3.number in listing and quarter.m1.number not in listing
    everything = client.get("/reports/rates/shortfall/?period=2026-Q3&rate=reporting&unit=all").content.decode()
    assert everything.count("data-number=") == 6
    assert client.get("/reports/rates/?period=2026-10").status_code == 200
    bad = client.get("/reports/rates/?period=2026-Q5").content.decode()
    assert "2026-Q5" in bad and "alert-danger" in bad  # named, and the default period shown instead


def test_s2_7_a_unit_sees_its_row_and_the_overall(city, quarter, client, settings, clock):
    clock.set(JUDGED_ON)
    page = _login(client, city.sam).get("/reports/rates/?period=2026-Q3").content.decode()
    assert 'data-unit="fgw"' in page and 'data-unit="czj"' not in page
    assert 'data-testid="overall"' in page and "unit=all" not in page
    czj = city.units["czj"].id
    assert client.get(f"/reports/rates/shortfall/?period=2026-Q3&rate=execution&unit={czj}").status_code == 404
    assert client.get("/reports/rates/shortfall/?period=2026-Q3&rate=execution&unit=all").status_code == 404
    assert client.get("/reports/rates/shortfall/?period=2026-Q3&rate=nonsense&unit=1").status_code == 404
    victor = _login(client, city.victor).get("/reports/rates/?period=2026-Q3").content.decode()
    assert 'data-unit="fgw"' in victor and 'data-unit="wancheng"' in victor and 'data-unit="czj"' not in victor
    assert _login(client, city.sysop).get("/reports/rates/").status_code == 403


def _add_units(city, count: int) -> None:
    """Units with a matter due in Q3, a report and a rectification each: work that grows per unit."""
    start = Unit.objects.count()
    for i in range(count):
        unit = Unit.objects.create(code=f"u{start + i}", name=f"测试单位{start + i}", kind=UnitKind.DEPARTMENT)
        city.units[unit.code] = unit
        clerk = User.objects.create_user(username=f"clerk{start + i}", password=PASSWORD, name="Clerk",
                                         role=Role.UNIT_STAFF, unit=unit)
        matter = make_matter(city, f"事项{i}", lead=unit.code, due=date(2026, 9, 15))
        fill(clerk, 2026, 7, date(2026, 8, 3), submit_on=date(2026, 8, 4))
        matter.rectifications.create(unit=unit, source="notice", demand="整改", due_date=date(2026, 9, 1))


RATES_URL = "/reports/rates/?period=2026-Q3&sort=reporting&dir=desc"


def test_s2_7_rates_page_queries_do_not_grow_with_units(city, client, settings, django_assert_max_num_queries, clock):
    clock.set(JUDGED_ON)
    _login(client, city.alice)
    _add_units(city, 2)
    client.get(RATES_URL)  # warm: the calendar cache, the session's first save
    with django_assert_max_num_queries(20) as two:
        assert client.get(RATES_URL).status_code == 200
    _add_units(city, 8)
    client.get(RATES_URL)
    with django_assert_max_num_queries(20) as ten:
        page = client.get(RATES_URL).content.decode()
    assert len(two.captured_queries) == len(ten.captured_queries)
    assert page.count("data-unit=") >= 10


def test_s2_7_the_shortfall_is_read_a_page_at_a_time(city, quarter, client, clock, monkeypatch):
    """Issue 13: a city's shortfall can be hundreds of thousands of records; the page shows 100
    at a time (here 4), the API ``limit`` from ``offset``, both saying how many there are."""
    from ducha.reports import views_rates

    clock.set(JUDGED_ON)
    monkeypatch.setattr(views_rates, "SHORTFALL_PAGE", 4)
    _login(client, city.alice)
    url = "/reports/rates/shortfall/?period=2026-Q3&rate=reporting&unit=all"
    first, second = client.get(url).content.decode(), client.get(url + "&page=2").content.decode()
    assert first.count("data-number=") == 4 and second.count("data-number=") == 2
    assert 'data-testid="shortfall-pages"' in first and "page=2" in first
    assert client.get(url + "&page=99").content.decode().count("data-number=") == 2  # the last page
    api = client.get("/api/rates/shortfall?rate=reporting&period=2026-Q3&offset=4&limit=4").json()
    assert (api["missed"], api["offset"], len(api["records"])) == (6, 4, 2)
    assert client.get("/api/rates/shortfall?rate=reporting&period=2026-Q3&limit=0").status_code == 422
