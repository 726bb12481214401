"""Dashboards, traffic lights, charts and the battle map (issue 4 §4–5; S5.1 live display,
S2.3 挂图作战). The matters and the pinned date (Monday 2026-06-15) come from
tests/test_matters_pages.py ``make_matters``."""

from __future__ import annotations

import math
import re
from datetime import date

import pytest

from ducha.matters.charts import DONUT_R, donut, gantt, stacked
from ducha.matters.models import CoUnitPart, Matter
from ducha.matters.overview import Row, signal_for
from ducha.matters.summary import LightCounts
from ducha.rules.workdays import WorkCalendar
from ducha.workcal.service import get_calendar
from tests.test_matters_pages import TODAY, make_matters


@pytest.fixture
def matters(city, settings, clock):
    clock.set(TODAY)
    return make_matters(city)


def get(client, user, url):
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def text_of(html: str, name: str) -> str:
    match = re.search(rf'data-testid="{name}"[^>]*>([^<]*)<', html)
    assert match, name
    return match.group(1).strip()


# -- traffic lights ---------------------------------------------------------------------------------


@pytest.mark.parametrize("status,due,progress,expected", [
    ("in_progress", date(2026, 6, 12), 90, "red"),  # due last Friday
    ("in_progress", date(2026, 6, 15), 10, "yellow"),  # due today: not late yet, but 0 days left
    ("assigned", date(2026, 6, 18), 100, "yellow"),  # 3 working days left
    ("assigned", date(2026, 6, 19), 100, "yellow"),  # Friday 19 June is the Dragon Boat holiday: 3 left
    ("assigned", date(2026, 6, 22), 100, "green"),  # 16, 17, 18, 22 June: 4 working days left
    ("in_progress", date(2026, 12, 31), 10, "yellow"),  # time half, task half: behind
    ("in_progress", date(2026, 12, 31), 60, "green"),
    ("claimed", date(2026, 6, 1), 100, "done"),
    ("closed", date(2026, 6, 1), 100, "done"),
    ("draft", date(2026, 6, 1), 0, "none"),
    ("suspended", date(2026, 6, 1), 0, "none"),
    ("assigned", None, 0, "pending"),
])
def test_s5_1_light_of_a_matter(db, status, due, progress, expected):
    signal = signal_for(status=status, start=date(2026, 1, 5), due=due, progress=progress, today=TODAY,
                        cal=get_calendar())
    assert signal.key == expected
    assert str(signal.label)  # never colour alone


def test_light_counts_working_days_across_a_holiday(db):
    # 30 Sep 2026 → 9 Oct 2026: 1–7 October are holidays, so only 2 working days are left (8, 9 Oct).
    signal = signal_for(status="assigned", start=date(2026, 9, 1), due=date(2026, 10, 9), progress=100,
                        today=date(2026, 9, 30), cal=get_calendar())
    assert signal.workdays_left == 2 and signal.key == "yellow"


def test_a_deadline_beyond_the_loaded_calendar_is_a_lower_bound_not_a_guess():
    cal = WorkCalendar.build([2026], [], [])
    signal = signal_for(status="assigned", start=date(2026, 1, 5), due=date(2027, 6, 30), progress=70,
                        today=date(2026, 12, 1), cal=cal)
    assert signal.approximate and signal.key == "green" and signal.workdays_left is not None
    late = signal_for(status="assigned", start=date(2026, 1, 5), due=date(2026, 11, 30), progress=50,
                      today=date(2027, 1, 4), cal=cal)
    assert late.key == "red"
    assert signal_for(status="assigned", start=date(2026, 1, 5), due=date(2026, 11, 30), progress=50,
                      today=date(2026, 6, 1), cal=None).key == "pending"


# -- dashboards -------------------------------------------------------------------------------------


def test_s5_1_supervision_office_dashboard_counts_and_ranks(city, matters, client):
    html = get(client, city.alice, "/matters/dashboard/")
    assert 'data-kind="city"' in html
    assert text_of(html, "kpi-open") == "3"  # road, fund, river (done is closed, npc a draft)
    assert (text_of(html, "kpi-red"), text_of(html, "kpi-yellow"), text_of(html, "kpi-green")) == ("1", "1", "1")
    assert text_of(html, "kpi-soon") == "1"  # river: 2 working days left
    assert text_of(html, "status-total") == "5"
    assert re.search(r'data-status-count="draft">1<', html) and re.search(r'data-status-count="closed">1<', html)
    ranking = html.split('data-testid="unit-ranking"')[1].split("</section>")[0]
    units = re.findall(r'data-unit="(\d+)"', ranking)
    assert units[0] == str(city.units["czj"].id)  # the one overdue matter is czj's
    assert re.findall(r'data-red="(\d+)"', ranking)[0] == "1"
    overdue = html.split('data-testid="overdue-list"')[1].split("</section>")[0]
    assert matters["fund"].number in overdue and matters["road"].number not in overdue
    soon = html.split('data-testid="due-soon-list"')[1].split("</section>")[0]
    assert matters["river"].number in soon


def test_the_partial_refreshes_itself_every_minute(city, matters, client):
    html = get(client, city.alice, "/matters/dashboard/panel/")
    assert "<html" not in html and "<nav" not in html
    assert 'hx-get="/matters/dashboard/panel/"' in html and 'hx-trigger="every 60s"' in html
    assert 'hx-swap="outerHTML"' in html and html.lstrip().startswith('<div id="dashboard-panel"')
    full = get(client, city.alice, "/matters/dashboard/")
    assert 'id="dashboard-panel"' in full and "htmx" in full
    # A change shows on the next poll: fund is closed, nothing is overdue any more.
    Matter.objects.filter(pk=matters["fund"].pk).update(status="closed")
    assert text_of(get(client, city.alice, "/matters/dashboard/panel/"), "kpi-red") == "0"


def test_leader_dashboard_shows_the_portfolio(city, matters, client):
    html = get(client, city.victor, "/matters/dashboard/")
    assert 'data-kind="leader"' in html
    ranking = html.split('data-testid="unit-ranking"')[1].split("</section>")[0]
    shown = set(re.findall(r'data-unit="(\d+)"', ranking))
    # Both portfolio units are listed even with nothing open, and only they: czj leads a matter fgw
    # co-runs, but czj is not the vice mayor's to rank (issue #11 item 10).
    assert shown == {str(city.units["fgw"].id), str(city.units["wancheng"].id)}
    assert text_of(html, "kpi-open") == "2"  # the matters the portfolio's units lead


def test_unit_dashboard_shows_its_parts_and_what_is_due_next(city, matters, client):
    html = get(client, city.sam, "/matters/dashboard/")
    assert 'data-kind="unit"' in html and 'data-testid="unit-ranking"' not in html
    assert text_of(html, "kpi-open") == "1"  # fgw leads road only (done is closed)
    parts = html.split('data-testid="co-parts"')[1].split("</section>")[0]
    assert "专项资金拨付" in parts and "项目审核" in parts and 'data-light="red"' in parts
    upcoming = html.split('data-testid="upcoming"')[1].split("</section>")[0]
    kinds = re.findall(r'data-kind="([a-z]+)"', upcoming)
    assert kinds.count("milestone") == 4 and "part" in kinds and "matter" in kinds
    CoUnitPart.objects.update(done_on=date(2026, 5, 10), progress=100)
    html = get(client, city.sam, "/matters/dashboard/")
    assert 'data-kind="part"' not in html.split('data-testid="upcoming"')[1].split("</section>")[0]


def test_home_page_summarises_the_person_s_matters(city, matters, client):
    html = get(client, city.alice, "/")
    assert text_of(html, "home-open") == "3" and text_of(html, "home-red") == "1"
    assert 'data-testid="unit-total"' in html  # the shell's own figures stay
    assert 'data-testid="matter-summary"' not in get(client, city.sec, "/")


# -- charts -----------------------------------------------------------------------------------------


def test_stacked_bar_widths_are_proportional():
    segs = stacked(LightCounts(green=2, yellow=1, red=1, done=1), scale=10)
    assert [(s.key, s.x, s.width, s.n) for s in segs] == [
        ("red", 0.0, 10.0, 1), ("yellow", 10.0, 10.0, 1), ("green", 20.0, 30.0, 3)]
    assert stacked(LightCounts(), scale=0) == []


def test_donut_arcs_cover_the_circle_once():
    arcs = donut([("a", "A", 1), ("b", "B", 3), ("c", "C", 0)])
    circumference = 2 * math.pi * DONUT_R
    lengths = [float(a.dasharray.split()[0]) for a in arcs]
    assert [a.key for a in arcs] == ["a", "b"] and math.isclose(sum(lengths), circumference, rel_tol=1e-3)
    assert [a.percent for a in arcs] == ["25%", "75%"]


def _row(start: date, due: date | None) -> Row:
    return Row(id=1, number="DB2026-0001", title="t", year=2026, source="key_work", status="in_progress",
               start_date=start, due_date=due, progress=50, lead_unit_id=1, lead_unit="u", leader_id=1,
               leader="l", completed_on=None)


def test_s2_3_gantt_geometry():
    t = gantt([_row(date(2026, 1, 1), date(2026, 12, 31)), _row(date(2026, 7, 1), date(2026, 7, 31)),
               _row(date(2025, 11, 1), None)], today=date(2026, 7, 2), year=2026, width=365)
    full, july, open_ended = t.rows
    assert (full.x, full.width) == (0.0, 365.0)
    assert july.x == 181.0 and july.width == 31.0  # 1 July is day 182 of 2026
    assert open_ended.no_deadline and open_ended.clipped_left and open_ended.x == 0.0
    assert t.today_x == 182.5 and [tick.label for tick in t.ticks][:3] == ["2026.1", "2", "3"]


def test_s2_3_battle_map_draws_a_bar_per_matter_with_its_dates(city, matters, client):
    html = get(client, city.alice, "/matters/map/?year=2026")
    rows = re.findall(r'data-testid="gantt-row" data-matter="([^"]+)" data-start="([^"]+)" data-due="([^"]*)"',
                      html)
    expected = {(m.number, m.start_date.isoformat(), m.due_date.isoformat() if m.due_date else "")
                for m in matters.values()}
    assert set(rows) == expected
    assert html.count('data-testid="gantt-bar"') == 5
    # road's 4 backward-scheduled time nodes, and the one each of the other key-work items (S2.1)
    assert html.count('data-testid="gantt-milestone"') == 6
    assert 'class="g-today"' in html
    # The road bar spans 5 Jan to 31 Dec of an 880-wide year axis.
    road = html.split(f'data-matter="{matters["road"].number}"')[1]
    x, width = map(float, re.search(r'data-testid="gantt-bar" x="([\d.]+)" y="\d+" width="([\d.]+)"', road).groups())
    assert x == pytest.approx(880 * 4 / 365, abs=0.01) and x + width == pytest.approx(880, abs=0.01)


def test_battle_map_for_a_unit_and_for_a_leader(city, matters, client):
    unit = get(client, city.alice, f"/matters/map/?unit={city.units['wancheng'].id}&unit_role=lead")
    assert re.findall(r'data-testid="gantt-row" data-matter="([^"]+)"', unit) == [matters["river"].number]
    victor = get(client, city.victor, "/matters/map/")
    assert matters["npc"].number not in victor and victor.count('data-testid="gantt-row"') == 4


def test_counts_are_whole_while_the_lists_are_short(city, matters, client):
    """The dashboard lists the 15 most overdue; the figures count every one of them."""
    from ducha.matters.actions import do_create_matter, do_transition_matter
    from tests.test_matters_pages import make_input

    for i in range(17):
        m = do_create_matter(actor=city.alice, data=make_input(city, title=f"逾期事项{i}", due_date=date(2026, 6, 1)),
                             today=TODAY)
        do_transition_matter(actor=city.alice, matter_id=m.id, action="assign", today=TODAY)
    html = get(client, city.alice, "/matters/dashboard/")
    assert text_of(html, "kpi-red") == "18"
    overdue = html.split('data-testid="overdue-list"')[1].split("</section>")[0]
    assert overdue.count("data-matter=") == 15 and "?overdue=on" in overdue


def test_issue_13_a_units_work_is_read_a_few_at_a_time(city, matters):
    """The unit dashboard lists the first parts and deadlines and says how many in all: the same
    first ones, in the same order, as when every item is read."""
    from ducha.matters.overview import unit_work

    for code in ("fgw", "czj", "wancheng"):
        unit = city.units[code].id
        everything = unit_work(unit, today=TODAY, cal=get_calendar(), limit=1000)
        for limit in (1, 2, 3):
            few = unit_work(unit, today=TODAY, cal=get_calendar(), limit=limit)
            assert [(u.kind, u.matter_id, u.due) for u in few["upcoming"]] == [
                (u.kind, u.matter_id, u.due) for u in everything["upcoming"][:limit]]
            assert few["upcoming_total"] == everything["upcoming_total"] == len(everything["upcoming"])
            assert [p.id for p, _s in few["parts"]] == [p.id for p, _s in everything["parts"][:limit]]
            assert few["parts_total"] == len(everything["parts"])
