"""Reads behind the report pages: what each unit owes for a month and how it stands.

Every read here costs a fixed number of queries whatever the number of units or months:
the matters and co-unit parts that could be owed over a whole span are fetched once and
sorted into months in Python with ``ducha.rules.reporting``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from ducha.matters.models import CoUnitPart, Matter, Status
from ducha.org.access import UnitScope
from ducha.org.models import Unit
from ducha.reports.models import MonthlyReport
from ducha.rules.periods import Period
from ducha.rules.reporting import (
    MonthWindow,
    ReportCounts,
    Timeliness,
    count_timeliness,
    month_bounds,
    reportable_in_month,
    timeliness,
    windows_closing_in,
)
from ducha.rules.workdays import UncoveredYear, report_window
from ducha.workcal import service as workcal

# A suspended matter owes no progress; a draft is not the unit's yet.
NOT_REPORTED_STATUSES = (Status.DRAFT, Status.SUSPENDED)


@dataclass(frozen=True)
class Entry:
    """One matter a unit may owe a report line on: as lead unit, or as co-unit (``co_part_id``)."""

    unit_id: int
    matter_id: int
    co_part_id: int | None
    number: str
    title: str
    started: date
    registered: date
    finished: date | None
    due: date | None

    def owed_in(self, year: int, month: int) -> bool:
        return reportable_in_month(
            started=self.started, registered=self.registered, finished=self.finished, year=year, month=month
        )


def _local_date(moment: datetime) -> date:
    return timezone.localtime(moment).date()


def end_of_day(d: date) -> datetime:
    return timezone.make_aware(datetime.combine(d + timedelta(days=1), time.min))


def reportable_entries(first: date, last: date, unit_ids: Collection[int] | None = None) -> list[Entry]:
    """Every (unit, matter) that is owed a report line in some month of [first, last]. Two queries."""
    matters = Matter.objects.exclude(status__in=NOT_REPORTED_STATUSES).filter(
        start_date__lte=last, created_at__lt=end_of_day(last)
    )
    unfinished = Q(completed_on__isnull=True) | Q(completed_on__gte=first)
    lead = matters.filter(unfinished, Q(closed_on__isnull=True) | Q(closed_on__gte=first))
    parts = CoUnitPart.objects.filter(
        matter__in=matters.filter(unfinished), matter__created_at__lt=end_of_day(last)
    ).filter(Q(done_on__isnull=True) | Q(done_on__gte=first))
    if unit_ids is not None:
        ids = sorted(unit_ids)
        lead = lead.filter(lead_unit_id__in=ids)
        parts = parts.filter(unit_id__in=ids)
    entries = [
        Entry(unit, mid, None, number, title, start, _local_date(created), completed or closed, due)
        for mid, unit, number, title, start, created, completed, closed, due in lead.values_list(
            "id", "lead_unit_id", "number", "title", "start_date", "created_at", "completed_on", "closed_on",
            "due_date",
        )
    ]
    for pid, unit, mid, number, title, start, created, done, completed, closed, due in parts.values_list(
        "id", "unit_id", "matter_id", "matter__number", "matter__title", "matter__start_date",
        "matter__created_at", "done_on", "matter__completed_on", "matter__closed_on", "due_date",
    ):
        # A co-unit reports until its part is done or the whole matter is.
        ends = [d for d in (done, completed, closed) if d is not None]
        entries.append(Entry(unit, mid, pid, number, title, start, _local_date(created), min(ends, default=None), due))
    entries.sort(key=lambda e: (e.unit_id, e.co_part_id is not None, e.matter_id))
    return entries


def owed_querysets(w: MonthWindow, span_first: date, unit_ids: Collection[int] | None) -> tuple[QuerySet[Matter], QuerySet[CoUnitPart]]:
    """The lead matters and co-unit parts owed a line in the month's report: started and
    registered by the month's end, not finished before it began (``reportable_in_month``);
    and, as ``reportable_entries`` selects them, not finished before the span began."""
    first, last = month_bounds(w.year, w.month)
    registered = end_of_day(last)
    lead = (Matter.objects.exclude(status__in=NOT_REPORTED_STATUSES)
            .filter(start_date__lte=last, created_at__lt=registered)
            .filter(Q(completed_on__isnull=True) | Q(completed_on__gte=span_first))
            .filter(Q(closed_on__isnull=True) | Q(closed_on__gte=span_first))
            # finished = completed_on, else closed_on: not before the month began
            .filter(Q(completed_on__gte=first) | Q(completed_on__isnull=True, closed_on__isnull=True)
                    | Q(completed_on__isnull=True, closed_on__gte=first)))
    parts = (CoUnitPart.objects.exclude(matter__status__in=NOT_REPORTED_STATUSES)
             .filter(matter__start_date__lte=last, matter__created_at__lt=registered)
             # finished = the earliest of the part done, the matter completed or closed
             .filter(Q(done_on__isnull=True) | Q(done_on__gte=first))
             .filter(Q(matter__completed_on__isnull=True) | Q(matter__completed_on__gte=first))
             .filter(Q(matter__closed_on__isnull=True) | Q(matter__closed_on__gte=first)))
    if unit_ids is not None:
        ids = sorted(unit_ids)
        lead, parts = lead.filter(lead_unit_id__in=ids), parts.filter(unit_id__in=ids)
    return lead, parts


def owed_counts(w: MonthWindow, span_first: date, unit_ids: Collection[int] | None) -> dict[int, int]:
    """Per unit, how many lines the month's report owes (as lead unit and as co-unit): one query."""
    lead, parts = owed_querysets(w, span_first, unit_ids)
    counted: dict[int, int] = {}
    grouped = [qs.order_by().values_list(field).annotate(n=Count("pk")).values_list(field, "n")
               for qs, field in ((lead, "lead_unit_id"), (parts, "unit_id"))]
    for unit_id, n in grouped[0].union(grouped[1], all=True):
        counted[unit_id] = counted.get(unit_id, 0) + n
    return counted


def owed_by_unit(entries: Iterable[Entry], year: int, month: int) -> dict[int, list[Entry]]:
    owed: dict[int, list[Entry]] = defaultdict(list)
    for e in entries:
        if e.owed_in(year, month):
            owed[e.unit_id].append(e)
    return owed


def window_of(year: int, month: int) -> tuple[date, date] | None:
    """The S1.2 window of the month's report, or None while the calendar does not reach it."""
    try:
        return report_window(workcal.get_calendar(), year, month, workcal.report_window_days())
    except UncoveredYear:  # CalendarEmpty included
        return None


def window_provisional(year: int, month: int) -> bool:
    """Whether the month's S1.2 window lies in a year the State Council has not announced
    (暂定): it is worked out from the statutory holidays and moves if the notice differs."""
    ny = year + 1 if month == 12 else year
    try:
        return workcal.get_calendar().is_provisional(ny)
    except UncoveredYear:
        return False


def windows_in(period: Period) -> tuple[list[MonthWindow], list[tuple[int, int]]]:
    """The report windows closing in the period (and months whose window is unknown)."""
    try:
        cal = workcal.get_calendar()
    except UncoveredYear:
        return [], []
    return windows_closing_in(cal, period.start, period.end, workcal.report_window_days())


@dataclass
class UnitMonth:
    """A unit's report for one month, as the list page shows it."""

    unit: Unit
    owed: int
    report: MonthlyReport | None
    timeliness: Timeliness


def month_overview(scope: UnitScope, year: int, month: int, today: date) -> list[UnitMonth]:
    """Every unit in scope that owes (or has) a report for the month, with its standing.

    Units with nothing to report are left out: a department with no open matter owes no
    report and must not be counted as missing one.
    """
    first, last = month_bounds(year, month)
    owed = owed_counts(MonthWindow(year, month, first, last), first, None if scope.all_units else scope.unit_ids)
    reports = {
        r.unit_id: r
        for r in MonthlyReport.objects.filter(scope.q("unit"), year=year, month=month).select_related("submitted_by")
    }
    window = window_of(year, month)
    units = Unit.objects.filter(pk__in=set(owed) | set(reports)).order_by("sort_order", "id")
    return [
        UnitMonth(
            unit=u, owed=owed.get(u.id, 0), report=reports.get(u.id),
            timeliness=timeliness(window, getattr(reports.get(u.id), "first_submitted_on", None), today),
        )
        for u in units
    ]


@dataclass
class UnitCounts:
    unit: Unit
    counts: ReportCounts
    months: dict[str, Timeliness] = field(default_factory=dict)


@dataclass
class PeriodCounts:
    period: Period
    windows: list[MonthWindow]
    unknown: list[str]
    rows: list[UnitCounts]
    total: ReportCounts


def period_counts(scope: UnitScope, period: Period, today: date) -> PeriodCounts:
    """Late and missing reports per unit over the report windows closing in ``period``
    (the same months the period's reporting rate counts). Counted by the database: a query
    per window, two more, and the calendar."""
    windows, unknown = windows_in(period)
    rows: list[UnitCounts] = []
    if windows:
        months = [(w.year, w.month) for w in windows]
        first = month_bounds(*months[0])[0]
        scoped = None if scope.all_units else scope.unit_ids
        owed = {(w.year, w.month): owed_counts(w, first, scoped) for w in windows}
        month_q = Q(pk__in=[])
        for y, m in months:
            month_q |= Q(year=y, month=m)
        submitted = {
            (unit, y, m): on
            for unit, y, m, on in MonthlyReport.objects.filter(scope.q("unit")).filter(month_q).values_list(
                "unit_id", "year", "month", "first_submitted_on"
            )
        }
        unit_ids = {u for o in owed.values() for u in o} | {k[0] for k in submitted}
        for unit in Unit.objects.filter(pk__in=unit_ids).order_by("sort_order", "id"):
            states: dict[str, Timeliness] = {}
            for w in windows:
                if unit.id in owed[(w.year, w.month)] or (unit.id, w.year, w.month) in submitted:
                    states[w.key] = timeliness(
                        (w.opens, w.closes), submitted.get((unit.id, w.year, w.month)), today
                    )
            rows.append(UnitCounts(unit, count_timeliness(states.values()), states))
    total = count_timeliness(s for row in rows for s in row.months.values())
    return PeriodCounts(period, windows, [f"{y:04d}-{m:02d}" for y, m in unknown], rows, total)
