"""S2.7's three rates counted by the database (issue 13) equal the rules applied obligation by
obligation in Python, as they were computed before: every count of every unit and of the
city, and every shortfall record, on a generated city, for periods over and still running."""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import date, datetime, time, timedelta

import pytest
from django.db.models import Q
from django.utils import timezone

from ducha.matters.models import CoUnitPart, Matter, Rectification, RectificationSource, Status
from ducha.reports.models import MonthlyReport, ReportItem
from ducha.reports.owed import owed_by_unit, reportable_entries, windows_in
from ducha.reports.rates import RateKind, gather_rates, shortfall_records
from ducha.rules.periods import Period
from ducha.rules.rates import Obligation, rate_to_date
from ducha.rules.reporting import month_bounds

STATUSES = [Status.ASSIGNED, Status.IN_PROGRESS, Status.IN_PROGRESS, Status.CLAIMED, Status.CLOSED, Status.DRAFT,
            Status.SUSPENDED]


def reference(period: Period, today: date) -> dict[str, dict[int, tuple[int, int, list[tuple]]]]:
    """Kind → unit → (due, done, missed records): the rules over Python obligations."""
    out: dict[str, dict] = {}
    live = ~Q(status__in=[Status.DRAFT, Status.SUSPENDED])
    ex = [Obligation(("matter", u, mid, due, done, "", ""), due, done) for mid, u, due, done in Matter.objects.filter(
        live, due_date__gte=period.start, due_date__lte=period.end).values_list("id", "lead_unit_id", "due_date",
                                                                                  "completed_on")]
    ex += [Obligation(("co_part", u, mid, due, done, "", part), due, done) for u, mid, due, done, part in
           CoUnitPart.objects.filter(due_date__gte=period.start, due_date__lte=period.end)
           .exclude(matter__status__in=[Status.DRAFT, Status.SUSPENDED])
           .values_list("unit_id", "matter_id", "due_date", "done_on", "part")]
    rect = [Obligation(("rectification", u, mid, due, done, "", demand), due, done) for u, mid, due, done, demand in
            Rectification.objects.filter(due_date__gte=period.start, due_date__lte=period.end)
            .values_list("unit_id", "matter_id", "due_date", "rectified_on", "demand")]
    rep = []
    windows, _unknown = windows_in(period)
    if windows:
        entries = reportable_entries(month_bounds(windows[0].year, windows[0].month)[0],
                                     month_bounds(windows[-1].year, windows[-1].month)[1])
        reported = {(u, y, m, mid): sent for u, y, m, mid, sent in ReportItem.objects.filter(
            report__first_submitted_on__isnull=False).values_list(
            "report__unit_id", "report__year", "report__month", "matter_id", "report__first_submitted_on")}
        for w in windows:
            for unit, owed in owed_by_unit(entries, w.year, w.month).items():
                for e in owed:
                    sent = reported.get((unit, w.year, w.month, e.matter_id))
                    rep.append(Obligation(("report", unit, e.matter_id, w.closes, sent, w.key, ""), w.closes, sent))
    for kind, obligations in (("execution", ex), ("reporting", rep), ("rectification", rect)):
        by_unit = defaultdict(list)
        for o in obligations:
            by_unit[o.key[1]].append(o)
        out[kind] = {}
        for unit, its in by_unit.items():
            r = rate_to_date(its, period.start, period.end, today)
            if r.due:
                out[kind][unit] = (r.due, r.done, sorted(r.shortfall))
    return out


def generate(city, n: int, seed: int) -> None:
    rng = random.Random(seed)
    units = list(city.units.values())
    made, registered = [], []
    for i in range(n):
        start = date(2026, 1, 5) + timedelta(days=rng.randrange(0, 300))
        due = start + timedelta(days=rng.randrange(10, 200))
        status = rng.choice(STATUSES)
        finished = start + timedelta(days=rng.randrange(5, 260)) if status in (Status.CLAIMED, Status.CLOSED) else None
        created = start + timedelta(days=rng.choice([0, 0, 0, 3, 40]))
        made.append(Matter(
            year=2026, number=f"R{seed}-{i:04d}", title=f"事项{i}", source="key_work", goal="g",
            lead_unit=rng.choice(units), responsible_leader=city.mayor, created_by=city.alice, status=status,
            start_date=start, due_date=due, completed_on=finished,
            closed_on=finished + timedelta(days=rng.randrange(0, 10)) if finished and status == Status.CLOSED else None,
        ))
        registered.append(timezone.make_aware(datetime.combine(created, time(rng.choice([9, 23])))))
    Matter.objects.bulk_create(made)
    for m, at in zip(made, registered, strict=True):  # auto_now_add stamped them today: when they were entered
        m.created_at = at
    Matter.objects.bulk_update(made, ["created_at"], batch_size=500)
    matters = list(Matter.objects.filter(number__startswith=f"R{seed}-"))
    parts, rects = [], []
    for m in matters:
        others = [u for u in units if u.id != m.lead_unit_id]
        for u in rng.sample(others, rng.choice([0, 0, 1, 2])):
            pdue = m.start_date + timedelta(days=rng.randrange(5, 150))
            parts.append(CoUnitPart(matter=m, unit=u, part=f"配合{m.number}", due_date=pdue,
                                    done_on=pdue + timedelta(days=rng.randrange(-20, 30)) if rng.random() < .5 else None))
        if rng.random() < .2:
            rdue = m.start_date + timedelta(days=rng.randrange(20, 250))
            rects.append(Rectification(matter=m, unit=m.lead_unit, source=RectificationSource.NOTICE, demand="整改",
                                       due_date=rdue, rectified_on=rdue + timedelta(days=rng.randrange(-10, 10))
                                       if rng.random() < .6 else None))
    CoUnitPart.objects.bulk_create(parts)
    Rectification.objects.bulk_create(rects)
    # Reports: each unit, each month, submitted early, late or never; lines on some matters.
    by_unit = defaultdict(list)
    for m in matters:
        by_unit[m.lead_unit_id].append(m.id)
    for p in CoUnitPart.objects.filter(matter__in=matters).values_list("unit_id", "matter_id"):
        by_unit[p[0]].append(p[1])
    for unit in units:
        for month in range(1, 12):
            if rng.random() < .15:
                continue
            sent = date(2026, month, 28) + timedelta(days=rng.randrange(0, 20)) if rng.random() < .85 else None
            report = MonthlyReport.objects.create(unit=unit, year=2026, month=month, created_by=city.alice,
                                                  status="submitted" if sent else "draft", first_submitted_on=sent)
            lines = [mid for mid in set(by_unit[unit.id]) if rng.random() < .7]
            ReportItem.objects.bulk_create([ReportItem(report=report, matter_id=mid, progress=50, done="推进",
                                                       next_steps="继续", saved_by=city.alice) for mid in lines])


def record_key(s) -> tuple:
    return (s.kind, s.unit_id, s.matter_id, s.due, s.done_on, s.month, s.detail)


@pytest.mark.parametrize("period,today", [
    ("2026-Q2", date(2026, 12, 7)),  # over
    ("2026-Q3", date(2026, 8, 20)),  # running: only what fell due by yesterday
    ("2026-07", date(2026, 12, 7)),
    ("2026", date(2026, 11, 16)),
])
def test_s2_7_rates_counted_in_sql_equal_the_rules(city, clock, period, today):
    clock.set(today)
    generate(city, 400, seed=sum(map(ord, period)))
    p = Period.parse(period)
    want = reference(p, today)
    result = gather_rates(p, today)
    assert all(sum(v[0] for v in want[k].values()) > 3 for k in want), {k: len(v) for k, v in want.items()}
    for kind in RateKind:
        got = {row.unit.id: (row.get(kind).due, row.get(kind).done) for row in result.rows if row.get(kind).due}
        assert got == {u: (d, n) for u, (d, n, _m) in want[kind.value].items()}, kind
        overall = result.overall.get(kind)
        assert (overall.due, overall.done) == (sum(v[0] for v in want[kind.value].values()),
                                               sum(v[1] for v in want[kind.value].values())), kind
        for unit, (_d, _n, missed) in want[kind.value].items():
            records = shortfall_records(kind, p, today, unit)
            assert sorted(record_key(s)[:5] for s in records) == sorted(
                (m[0], m[1], m[2], m[3], m[4]) for m in missed), (kind, unit)
            assert [s.due for s in records] == sorted(s.due for s in records)
            one = gather_rates(p, today, [unit], overall=False).row_for(unit)
            assert (one.get(kind).due, one.get(kind).done) == (_d, _n)
        city_records = shortfall_records(kind, p, today, None)
        assert len(city_records) == overall.missed
        page = shortfall_records(kind, p, today, None, offset=3, limit=5)
        assert [record_key(s) for s in page] == [record_key(s) for s in city_records[3:8]]


def bulletin_reference(period: Period, today: date):
    """The bulletin's matter figures as the loop over every matter computed them."""
    from collections import Counter

    from ducha.reports.owed import end_of_day

    as_of = min(today, period.end)
    total, completed, overdue, late = Counter(), Counter(), Counter(), []
    for unit, number, status, due, done, closed in (
        Matter.objects.exclude(status=Status.DRAFT)
        .filter(start_date__lte=period.end, created_at__lt=end_of_day(period.end))
        .filter(Q(completed_on__isnull=True) | Q(completed_on__gte=period.start))
        .filter(Q(closed_on__isnull=True) | Q(closed_on__gte=period.start))
        .order_by("due_date", "id").values_list("lead_unit_id", "number", "status", "due_date", "completed_on",
                                               "closed_on")
    ):
        finished = done or closed
        total[unit] += 1
        if finished is not None and period.start <= finished <= period.end:
            completed[unit] += 1
        if status != Status.SUSPENDED and due is not None and due < as_of and (finished is None or finished > as_of):
            overdue[unit] += 1
            late.append(number)
    return total, completed, overdue, late


@pytest.mark.parametrize("period,today", [("2026-07", date(2026, 12, 7)), ("2026-Q3", date(2026, 8, 20))])
def test_s2_8_bulletin_and_report_counts_in_sql_equal_the_loops(city, clock, period, today):
    from ducha.org.access import EVERYTHING
    from ducha.reports.bulletin_data import OVERDUE_LISTED, bulletin_data
    from ducha.reports.owed import month_overview, period_counts
    from ducha.rules.reporting import count_timeliness, timeliness

    clock.set(today)
    generate(city, 400, seed=sum(map(ord, period)) + 1)
    p = Period.parse(period)
    data = bulletin_data(p, today)
    total, completed, overdue, late = bulletin_reference(p, today)
    assert {u.unit_id: (u.total, u.completed, u.overdue) for u in data.units if u.total} == {
        u: (total[u], completed[u], overdue[u]) for u in total}
    assert (data.total, data.completed, data.overdue) == (sum(total.values()), sum(completed.values()),
                                                         sum(overdue.values()))
    assert [m.number for m in data.overdue_matters] == late[:OVERDUE_LISTED] and len(late) > OVERDUE_LISTED
    assert sum(t for _label, t, _c, _o in data.by_source) == data.total
    # Who owes a report, and how many lines: the SQL counts against the entries of each month.
    windows, _unknown = windows_in(p)
    entries = reportable_entries(month_bounds(windows[0].year, windows[0].month)[0],
                                 month_bounds(windows[-1].year, windows[-1].month)[1])
    submitted = dict(((u, y, m), on) for u, y, m, on in MonthlyReport.objects.values_list(
        "unit_id", "year", "month", "first_submitted_on"))
    want = {}
    for w in windows:
        owing = owed_by_unit(entries, w.year, w.month)
        for unit in set(owing) | {u for (u, y, m) in submitted if (y, m) == (w.year, w.month)}:
            want.setdefault(unit, {})[w.key] = timeliness((w.opens, w.closes), submitted.get((unit, w.year, w.month)),
                                                          today)
    got = period_counts(EVERYTHING, p, today)
    assert {r.unit.id: r.months for r in got.rows} == want
    assert got.total == count_timeliness(s for months in want.values() for s in months.values())
    w = windows[0]
    first, last = month_bounds(w.year, w.month)
    owing = owed_by_unit(reportable_entries(first, last), w.year, w.month)
    assert {r.unit.id: r.owed for r in month_overview(EVERYTHING, w.year, w.month, today) if r.owed} == {
        u: len(e) for u, e in owing.items()}
