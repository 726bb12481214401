"""The dashboards' figures counted in the database (issue 13; S5.1 real-time display): every
light, count and list equals what ``signal_for`` (``rules.traffic.light``) gives matter by
matter, on generated matters, on SQLite and PostgreSQL alike."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest

from ducha.matters.models import Matter, Status
from ducha.matters.overview import OPEN, ROW_FIELDS, rows
from ducha.matters.summary import LightCounts, due_soon_workdays, summarise
from ducha.workcal.models import WorkdayIndex
from ducha.workcal.service import get_calendar

STATUSES = [Status.ASSIGNED, Status.IN_PROGRESS, Status.IN_PROGRESS, Status.CLAIMED, Status.DRAFT,
            Status.CLOSED, Status.SUSPENDED]


def reference(qs, *, today, cal, limit=15):
    """The dashboard as it was computed before: a row and a light per open matter, in Python."""
    open_rows = rows(qs.filter(status__in=OPEN).values(*ROW_FIELDS).order_by("due_date", "id"), today, cal)
    lights, per_unit = LightCounts(), {}
    soon = due_soon_workdays()
    for r in open_rows:
        lights.add(r.signal.key)
        per_unit.setdefault(r.lead_unit_id, LightCounts()).add(r.signal.key)
    overdue = [r.id for r in open_rows if r.signal.key == "red"]
    due_soon = [r.id for r in open_rows if r.signal.key in ("green", "yellow") and r.signal.workdays_left is not None
                and 0 <= r.signal.workdays_left <= soon and not r.signal.approximate]
    return {"lights": lights, "units": per_unit, "overdue": overdue[:limit], "due_soon": due_soon[:limit],
            "due_soon_total": len(due_soon), "open_total": len(open_rows)}


def generate(city, n: int, seed: int) -> None:
    """Matters of every open and closed status; dates around the pinned days, on and across
    holidays, before the calendar's first year and after its last; due before start; no due."""
    rng = random.Random(seed)
    units = list(city.units.values())
    leader = city.mayor
    made = []
    for i in range(n):
        kind = rng.random()
        start = date(2026, 1, 1) + timedelta(days=rng.randrange(-400, 500))
        if kind < 0.05:
            due = None
        elif kind < 0.08:
            due = start - timedelta(days=rng.randrange(1, 30))  # bad data the light still judges
        elif kind < 0.11:
            start, due = date(2003, 6, 1), date(2026, 6, 1) + timedelta(days=rng.randrange(0, 60))  # before coverage
        elif kind < 0.14:
            due = date(2031, 3, 1) + timedelta(days=rng.randrange(0, 30))  # beyond coverage
        else:
            due = start + timedelta(days=rng.randrange(0, 400))
        made.append(Matter(
            year=2026, number=f"T{seed}-{i}", title=f"事项{i}", source="key_work", goal="g",
            lead_unit=rng.choice(units), responsible_leader=leader, created_by=city.alice,
            status=rng.choice(STATUSES), start_date=start, due_date=due,
            progress=rng.choice([0, 0, 10, 25, 33, 50, 66, 75, 90, 99, 100, rng.randrange(0, 101)]),
        ))
    Matter.objects.bulk_create(made)


def assert_same(qs, today, cal, limit=15, parts=None):
    got = summarise(parts if parts is not None else qs, today=today, cal=cal, limit=limit)
    want = reference(qs, today=today, cal=cal, limit=limit)
    assert got.lights == want["lights"], today
    assert {b.unit_id: b.counts for b in got.units if b.counts.total} == want["units"], today
    assert [r.id for r in got.overdue] == want["overdue"], today
    assert [r.id for r in got.due_soon] == want["due_soon"], today
    assert got.due_soon_total == want["due_soon_total"], today
    assert got.open_total == want["open_total"], today
    return got


@pytest.mark.parametrize("today", [
    date(2026, 6, 15),  # a Monday
    date(2026, 6, 19),  # the Dragon Boat holiday
    date(2026, 10, 3),  # inside the National Day week
    date(2026, 12, 31),  # the last day of the announced calendar
    date(2027, 2, 10),  # a provisional year
])
def test_s5_1_lights_counted_in_sql_equal_the_rule_on_generated_matters(city, clock, today):
    clock.set(today)
    generate(city, 700, seed=today.toordinal())
    cal = get_calendar()
    qs = Matter.objects.all()
    got = assert_same(qs, today, cal)
    assert got.lights.red and got.lights.yellow and got.lights.green and got.lights.done
    # A scope (one unit's matters, a portfolio), and a short list as the home page shows it.
    fgw = city.units["fgw"].id
    assert_same(qs.filter(lead_unit_id=fgw), today, cal, limit=5)
    assert_same(qs.filter(lead_unit__in=[fgw, city.units["czj"].id]), today, cal)
    # The same scope read as disjoint parts (how a unit's or a vice mayor's scope is read).
    assert_same(qs, today, cal, limit=5, parts=[qs.filter(lead_unit_id=fgw), qs.exclude(lead_unit_id=fgw)])


def test_s5_1_without_a_calendar_for_today_or_at_all_the_figures_still_equal(city, clock):
    clock.set(date(2026, 6, 15))
    generate(city, 300, seed=7)
    qs = Matter.objects.all()
    assert_same(qs, date(2026, 6, 15), None)  # no calendar: running matters due later are "pending"
    assert_same(qs, date(2035, 6, 15), get_calendar())  # today beyond the calendar: judged one by one


def test_the_index_is_built_once_per_calendar_and_costs_a_fixed_number_of_queries(
        city, clock, django_assert_max_num_queries):
    today = date(2026, 6, 15)
    clock.set(today)
    cal = get_calendar()
    generate(city, 50, seed=1)
    summarise(Matter.objects.all(), today=today, cal=cal)
    built = WorkdayIndex.objects.count()
    assert built == sum(1 for _ in cal.day_counts())
    with django_assert_max_num_queries(9):  # two of them only when a matter's dates leave the calendar
        summarise(Matter.objects.all(), today=today, cal=cal)
    generate(city, 1000, seed=2)
    with django_assert_max_num_queries(9):
        summarise(Matter.objects.all(), today=today, cal=cal)
    assert WorkdayIndex.objects.count() == built


def test_the_matters_a_dashboard_counts_are_the_visible_ones_its_units_lead(city, clock, monkeypatch):
    """``visible_matters_led_by`` reads only the scope's lead part when it can; the matters are
    the visible ones all the same, for every kind of person, dense scopes and sparse alike."""
    from ducha.matters import access
    from ducha.matters.access import visible_matters, visible_matters_led_by

    clock.set(date(2026, 6, 15))
    generate(city, 300, seed=11)
    fgw, czj, wancheng = (city.units[c].id for c in ("fgw", "czj", "wancheng"))
    for sparse_below in (5000, 1):  # sparse: ids collected first; dense: lead OR co-unit
        monkeypatch.setattr(access, "SPARSE_SCOPE", sparse_below)
        for user, units in [(city.sam, [fgw]), (city.carl, [czj]), (city.victor, [fgw, wancheng]),
                            (city.victor, [fgw]), (city.alice, [fgw, czj]), (city.sam, [czj])]:
            user.__dict__.pop("_ducha_sparse_scope", None)
            want = set(visible_matters(user).filter(lead_unit__in=units).values_list("id", flat=True))
            assert want or user == city.sam
            assert set(visible_matters_led_by(user, units).values_list("id", flat=True)) == want, (user, units)
