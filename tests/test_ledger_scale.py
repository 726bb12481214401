"""The ledger's phases at city scale (S2.4, issue 13): the close counts the year's states in the
database and lists only the first page of open matters; snapshots are written a chunk at a
time as lines and read back by page; a check reads only the matters running at its cut-off.
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta

import pytest
from django.db import connection
from django.db.models import Count
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from ducha.ledger import planning, snapshots
from ducha.ledger.actions import LedgerError, do_build_ledger, do_close_ledger
from ducha.ledger.cutoff import ledger_matters, matters_as_of
from ducha.ledger.models import CarryOver, LedgerYear, SnapshotLine
from ducha.ledger.planning import ledger_status_sql, plan_close
from ducha.ledger.snapshots import snapshot_lines
from ducha.matters.models import CoUnitPart, Matter, MatterEvent, Status
from ducha.rules.ledger import ledger_status
from tests.test_ledger_close import OPENS
from tests.test_ledger_close import year as year
from tests.test_ledger_phases import make_matter

STATUSES = [Status.DRAFT, Status.ASSIGNED, Status.IN_PROGRESS, Status.CLAIMED, Status.CLOSED, Status.SUSPENDED]


@pytest.mark.parametrize("today", [date(2026, 6, 30), date(2026, 12, 31), date(2027, 3, 1)])
def test_s2_4_ledger_states_counted_in_sql_equal_the_rule_on_generated_matters(city, today):
    rng = random.Random(today.toordinal())
    units = list(city.units.values())
    made = []
    for i in range(400):
        status = rng.choice(STATUSES)
        due = None if rng.random() < .1 else date(2026, 1, 1) + timedelta(days=rng.randrange(0, 500))
        completed = None
        if status in (Status.CLAIMED, Status.CLOSED) and rng.random() < .8 and due is not None:
            completed = due + timedelta(days=rng.randrange(-20, 20))
        made.append(Matter(year=2026, number=f"L{i}", title=f"事项{i}", source="key_work", goal="g",
                           lead_unit=rng.choice(units), responsible_leader=city.mayor, created_by=city.alice,
                           status=status, start_date=date(2026, 1, 5), due_date=due, completed_on=completed,
                           progress=rng.choice([0, 0, 10, 50, 100])))
    Matter.objects.bulk_create(made)
    want: dict[str, int] = {}
    for m in Matter.objects.filter(ledger_matters(2026)):
        key = ledger_status(m.status, progress=m.progress, due=m.due_date, completed_on=m.completed_on, today=today)
        want[key] = want.get(key, 0) + 1
    got = dict(Matter.objects.filter(ledger_matters(2026)).annotate(s=ledger_status_sql(today))
               .values_list("s").annotate(n=Count("id"))
               .values_list("s", "n"))
    assert got == want and set(want) >= {"overdue", "completed", "suspended", "in_progress"}


def _more_open(city, n):
    return [make_matter(city, ("fgw", "czj")[i % 2], progress=5, title=f"另{i}") for i in range(n)]


def test_s2_4_the_close_lists_a_page_of_open_matters_and_counts_them_all(city, year, clock, monkeypatch):
    clock.set(date(2026, 1, 12))
    extra = _more_open(city, 4)
    monkeypatch.setattr(planning, "PREVIEW_ROWS", 2)
    clock.set(OPENS)
    plan = plan_close(2026, OPENS)
    assert len(plan.open_matters) == 2 and plan.counts["open"] == 6
    assert plan.counts["matters"] == 7 and plan.counts["completed"] == 1
    # One matter closed and another reopened in between leave the counts alone, not the digest.
    closed = year["open_a"]
    Matter.objects.filter(pk=closed.pk).update(status=Status.CLOSED)
    Matter.objects.filter(pk=year["done"].pk).update(status=Status.IN_PROGRESS)
    moved = plan_close(2026, OPENS)
    assert moved.counts["open"] == plan.counts["open"] and moved.digest != plan.digest
    Matter.objects.filter(pk=closed.pk).update(status=Status.IN_PROGRESS)
    Matter.objects.filter(pk=year["done"].pk).update(status=Status.CLOSED)
    assert plan_close(2026, OPENS).digest == plan.digest

    # The page names how many are not listed and takes their numbers to close them as not done.
    client = Client()
    client.force_login(city.alice)
    url = reverse("ledger:phase", args=[2026, "close"])
    page = client.get(url).content.decode()
    assert 'data-testid="more-not-done"' in page and "6" in page
    bad = client.post(url, {"digest": plan.digest, "confirm_year": "2026", "more_not_done": "NOPE-1"})
    assert bad.status_code == 409 and "NOPE-1" in bad.content.decode()
    assert LedgerYear.objects.get(year=2026).closed_at is None
    done = client.post(url, {"digest": plan.digest, "confirm_year": "2026",
                             "more_not_done": f"{extra[2].number}，{extra[3].number}"})
    assert done.status_code == 302
    final = {m["id"]: m for m in snapshot_lines(2026, "final")}
    assert final[extra[2].id]["close_outcome"] == final[extra[3].id]["close_outcome"] == "not_done"
    assert set(CarryOver.objects.values_list("matter_id", flat=True)) == {
        year["open_a"].id, year["open_b"].id, extra[0].id, extra[1].id}


def test_s2_4_snapshots_are_written_in_chunks_and_read_by_page(city, clock, monkeypatch):
    clock.set(date(2026, 1, 12))
    made = [make_matter(city, ("fgw", "czj", "wancheng")[i % 3], progress=i, title=f"台账{i}") for i in range(7)]
    CoUnitPart.objects.create(matter=made[1], unit=city.units["czj"], due_date=date(2026, 11, 30))
    CoUnitPart.objects.create(matter=made[1], unit=city.units["wancheng"], due_date=date(2026, 10, 31))
    CoUnitPart.objects.create(matter=made[5], unit=city.units["fgw"], due_date=date(2026, 9, 30))
    monkeypatch.setattr(snapshots, "CHUNK", 3)
    with CaptureQueriesContext(connection) as ctx:
        row = do_build_ledger(actor=city.alice, year=2026, today=date(2026, 1, 12))
    inserts = [q for q in ctx.captured_queries if "INSERT INTO" in q["sql"] and "snapshotline" in q["sql"]]
    assert len(inserts) == 3  # 7 lines: 3 + 3 + 1
    assert row.baseline == {"year": 2026, "taken_on": "2026-01-12", "count": 7}
    lines = list(snapshot_lines(2026, "baseline"))
    assert [m["id"] for m in lines] == sorted(m.id for m in made)
    co = {m["id"]: [c["unit_id"] for c in m["co_units"]] for m in lines}
    assert co[made[1].id] == [city.units["czj"].id, city.units["wancheng"].id]
    assert co[made[5].id] == [city.units["fgw"].id] and co[made[0].id] == []
    assert [m["id"] for m in snapshot_lines(2026, "baseline", offset=2, limit=3)] == [m["id"] for m in lines[2:5]]

    # The API pages it by matter id for the city-wide offices; a unit gets 404.
    client = Client()
    client.force_login(city.alice)
    first = client.get("/api/ledger/years/2026/snapshots/baseline?limit=4").json()
    assert first["summary"]["count"] == 7 and [m["id"] for m in first["items"]] == [m["id"] for m in lines[:4]]
    rest = client.get(f"/api/ledger/years/2026/snapshots/baseline?after={first['next_after']}").json()
    assert [m["id"] for m in rest["items"]] == [m["id"] for m in lines[4:]] and rest["next_after"] is None
    assert client.get("/api/ledger/years/2026/snapshots/final").status_code == 404  # not taken yet
    client.force_login(city.sam)
    assert client.get("/api/ledger/years/2026/snapshots/baseline").status_code == 404


def test_s2_4_closing_with_a_stray_number_changes_nothing(city, year, clock):
    clock.set(OPENS)
    with pytest.raises(LedgerError):
        do_close_ledger(actor=city.alice, year=2026, today=OPENS, confirm_year=2026,
                        not_done=frozenset({year["done"].id}))
    assert not SnapshotLine.objects.filter(kind="final").exists() and not CarryOver.objects.exists()


def test_s2_4_a_check_reads_only_the_matters_running_at_its_cut_off(city, clock):
    """Status filters in SQL: a matter closed, claimed, suspended or still a draft at the cut-off
    is not read, whatever it is now; one assigned then and closed since is."""
    clock.set(date(2026, 1, 12))
    running = make_matter(city, "fgw", progress=20, title="在办")
    draft = make_matter(city, "fgw", assign=False, title="草稿")
    later_closed = make_matter(city, "czj", progress=40, title="后办结")
    MatterEvent.objects.create(matter=later_closed, action="close", from_status="in_progress", to_status="closed")
    MatterEvent.objects.filter(matter=later_closed, to_status="closed").update(
        created_at=MatterEvent.objects.get(matter=later_closed, to_status="assigned").created_at + timedelta(days=200))
    early_closed = make_matter(city, "czj", progress=40, title="早办结")
    MatterEvent.objects.create(matter=early_closed, action="close", from_status="in_progress", to_status="closed")
    rows = matters_as_of(2026, date(2026, 6, 30), self_check=False, time_nodes=False)
    assert {r.matter_id for r, _facts in rows} == {running.id, later_closed.id}
    assert draft.id not in {r.matter_id for r, _ in rows}


def _reference_as_of(year, as_of, *, self_check):
    """The matters as of the day as they were read before the database picked them: every
    timeline step and report line into Python, the rule applied there."""
    from ducha.ledger.cutoff import DUE_MOVES, _date, end_of
    from ducha.ledger.models import SelfCheckLine
    from ducha.reports.models import ReportItem
    from ducha.rules.lifecycle import RUNNING_STATUSES

    end = end_of(as_of)
    matters = Matter.objects.filter(ledger_matters(year))
    status = {}
    for mid, to in MatterEvent.objects.filter(matter__in=matters, created_at__lt=end).exclude(to_status="").order_by(
            "matter_id", "created_at", "id").values_list("matter_id", "to_status"):
        status[mid] = to
    old_due = {}
    for mid, data in MatterEvent.objects.filter(matter__in=matters, created_at__gte=end, action__in=DUE_MOVES).order_by(
            "created_at", "id").values_list("matter_id", "data"):
        if mid not in old_due and isinstance(data, dict) and "old_due" in data:
            old_due[mid] = _date(data["old_due"])
    rec = {}
    for item in ReportItem.objects.filter(matter__in=matters, co_part__isnull=True).select_related(
            "report", "matter").order_by("matter_id", "report__year", "report__month"):
        r = item.report
        if r.unit_id == item.matter.lead_unit_id and (r.year, r.month) <= (as_of.year, as_of.month):
            rec[item.matter_id] = (item.progress, "report", f"{r.year:04d}-{r.month:02d}")
    if self_check:
        for mid, confirmed in SelfCheckLine.objects.filter(self_check__ledger_year__year=year).values_list(
                "matter_id", "confirmed"):
            rec[mid] = (confirmed, "self_check", "")
    out = []
    for m in matters.select_related("lead_unit").order_by("lead_unit__sort_order", "lead_unit_id", "id"):
        if status.get(m.id) not in RUNNING_STATUSES:
            continue
        r = rec.get(m.id)
        if r is None:
            moved = (m.last_progress_on is not None and m.last_progress_on > as_of) or (
                m.status == Status.CLOSED and (m.closed_on is None or m.closed_on > as_of))
            r = (0, "none", "") if moved else (m.progress, "record", "")
        out.append((m.id, status[m.id], m.start_date, old_due.get(m.id, m.due_date), r))
    return out


@pytest.mark.parametrize("self_check", [True, False])
def test_s2_4_matters_as_of_equal_the_python_reading_on_a_generated_year(city, clock, self_check):
    """The status then, the deadline then and the progress then, picked by the database, equal
    what reading every step and line into Python gives, on matters with steps on both sides of
    the cut-off, reports of the lead unit and of others, co-unit lines and self-check figures."""
    from ducha.ledger.models import SelfCheck, SelfCheckLine
    from ducha.reports.models import MonthlyReport, ReportItem

    rng = random.Random(7 if self_check else 8)
    units = list(city.units.values())
    cut = date(2026, 6, 30)
    Matter.objects.bulk_create(Matter(
        year=2026, number=f"G{i}", title=f"事项{i}", source="key_work", goal="g", lead_unit=rng.choice(units),
        responsible_leader=city.mayor, created_by=city.alice, status=rng.choice(STATUSES),
        start_date=date(2026, 1, 5) + timedelta(days=rng.randrange(0, 200)),
        due_date=date(2026, 9, 1) + timedelta(days=rng.randrange(0, 120)), progress=rng.randrange(0, 101),
        last_progress_on=rng.choice([None, cut - timedelta(days=3), cut + timedelta(days=3)]),
        closed_on=rng.choice([None, cut - timedelta(days=1), cut + timedelta(days=1)]),
    ) for i in range(160))
    matters = list(Matter.objects.filter(number__startswith="G"))
    events, steps = [], ["assigned", "in_progress", "claimed", "closed", "suspended", "in_progress", ""]
    for m in matters:
        for _k in range(rng.randrange(0, 4)):
            events.append(MatterEvent(matter=m, action="step", to_status=rng.choice(steps)))
        if rng.random() < .2:
            events.append(MatterEvent(matter=m, action=rng.choice(["edit", "extension_approved"]),
                                      data=rng.choice([{"old_due": "2026-08-15"}, {}, {"old_due": None}])))
    MatterEvent.objects.bulk_create(events)
    # Timestamps spread across the year, several on the cut-off day's edges.
    edges = [date(2026, 6, 30), date(2026, 7, 1), date(2026, 3, 1), date(2026, 10, 1)]
    for e in MatterEvent.objects.filter(matter__in=matters):
        day = rng.choice(edges)
        MatterEvent.objects.filter(pk=e.pk).update(created_at=timezone.make_aware(
            datetime.combine(day, datetime.min.time())) + timedelta(minutes=rng.choice([-1, 1, 600])))
    reports = {(u.id, mo): MonthlyReport.objects.create(unit=u, year=2026, month=mo, created_by=city.alice)
               for u in units for mo in (4, 5, 6, 7)}
    items, seen = [], set()
    for m in matters:
        for mo in rng.sample([4, 5, 6, 7], rng.randrange(0, 4)):
            unit = m.lead_unit if rng.random() < .8 else rng.choice(units)
            if (unit.id, mo, m.id) in seen:
                continue
            seen.add((unit.id, mo, m.id))
            items.append(ReportItem(report=reports[(unit.id, mo)], matter=m, progress=rng.randrange(0, 101),
                                    done="d", next_steps="n", saved_by=city.alice))
    ReportItem.objects.bulk_create(items)
    row = LedgerYear.objects.create(year=2026)
    for u in units[:2]:
        check = SelfCheck.objects.create(ledger_year=row, unit=u, confirmed_by=city.alice,
                                         confirmed_at=timezone.now())
        SelfCheckLine.objects.bulk_create(SelfCheckLine(self_check=check, matter=m, recorded=m.progress,
                                                        confirmed=max(0, m.progress - 5))
                                          for m in matters if m.lead_unit_id == u.id and rng.random() < .5)
    got = [(r.matter_id, f.status, f.start, f.due, (f.progress, r.source, r.month))
           for r, f in matters_as_of(2026, cut, self_check=self_check, time_nodes=False)]
    want = _reference_as_of(2026, cut, self_check=self_check)
    assert len(want) > 20 and {w[4][1] for w in want} >= {"report", "record"}
    assert got == want
