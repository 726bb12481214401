"""The three rates of S2.7 counted by the database, and the records behind a shortfall read a
page at a time (issue 13: a city's quarter holds hundreds of thousands of obligations).

Each obligation of ``ducha.rules.rates`` is a row the database counts:

- execution: a matter or a co-unit's part due in the period; done when completed by its
  deadline;
- reporting: a (unit, month, matter) line owed in a report whose window closes in the period
  (``rules.reporting.reportable_in_month``, on the entries of ``reports.owed``); done when a
  report first submitted by the window's last day holds it;
- rectification: a demand due in the period; done when rectified by its due date.

Only what has fallen due by yesterday is judged (``rules.rates.rate_to_date``).
``tests/test_reports_rate_counts.py`` compares every count and every shortfall record with
the same rules applied obligation by obligation in Python, on a generated city.
"""

from __future__ import annotations

import heapq
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import islice
from typing import Any

from django.db.models import CharField, Count, Exists, F, OuterRef, Q, QuerySet, Subquery, Value

from ducha.matters.models import CoUnitPart, Matter, Rectification, Status
from ducha.reports.models import ReportItem
from ducha.reports.owed import owed_querysets
from ducha.rules.periods import Period
from ducha.rules.reporting import MonthWindow, month_bounds

NOT_RUNNING = (Status.DRAFT, Status.SUSPENDED)  # suspended: not against its deadline; draft: never assigned
Counts = dict[int, list[int]]  # unit id → [due, done]
UnitIds = Collection[int] | None  # None: every unit


@dataclass(frozen=True)
class Judged:
    """What a rate judges: obligations due in [start, last] (``last``: yesterday while the
    period runs), and the report windows closing then (``span_first``: the first day of the
    earliest month whose window closes in the period)."""

    start: date
    last: date
    windows: tuple[MonthWindow, ...]
    span_first: date | None

    @classmethod
    def of(cls, period: Period, today: date, windows: list[MonthWindow]) -> Judged:
        last = min(period.end, today - timedelta(days=1))
        span_first = month_bounds(windows[0].year, windows[0].month)[0] if windows else None
        return cls(period.start, last, tuple(w for w in windows if period.start <= w.closes <= last), span_first)


@dataclass(frozen=True)
class Shortfall:
    """One obligation that was not met in time: enough to list it and link to its matter."""

    kind: str  # "matter", "co_part", "report", "rectification"
    unit_id: int
    matter_id: int
    number: str
    title: str
    due: date
    done_on: date | None
    month: str = ""  # the report month, for the reporting rate
    detail: str = ""  # the co-unit's part or the rectification demand

    @property
    def order(self) -> tuple[date, int, str, str, int]:
        """The order a shortfall list is read in: due date, unit, number."""
        return self.due, self.unit_id, self.number, self.kind, self.matter_id


def _units(qs: QuerySet[Any], field: str, unit_ids: UnitIds) -> QuerySet[Any]:
    return qs if unit_ids is None else qs.filter(**{f"{field}__in": sorted(unit_ids)})


def _grouped(qs: QuerySet[Any], unit_field: str, met: Any, kind: str) -> QuerySet[Any]:
    """(unit, kind, due, done) per unit: one part of the single counting query."""
    grouped: QuerySet[Any] = (
        qs.order_by().values_list(unit_field)
        .annotate(kind=Value(kind, output_field=CharField()), due=Count("pk"), done=Count("pk", filter=met))
        .values_list(unit_field, "kind", "due", "done"))
    return grouped


# -- execution -------------------------------------------------------------------------------


def _execution(j: Judged, unit_ids: UnitIds) -> tuple[QuerySet[Matter], QuerySet[CoUnitPart]]:
    matters = Matter.objects.exclude(status__in=NOT_RUNNING).filter(due_date__gte=j.start, due_date__lte=j.last)
    parts = CoUnitPart.objects.exclude(matter__status__in=NOT_RUNNING).filter(due_date__gte=j.start,
                                                                              due_date__lte=j.last)
    return _units(matters, "lead_unit_id", unit_ids), _units(parts, "unit_id", unit_ids)


MATTER_MET = Q(completed_on__lte=F("due_date"))
PART_MET = Q(done_on__lte=F("due_date"))


def _execution_counts(j: Judged, unit_ids: UnitIds) -> list[QuerySet[Any]]:
    matters, parts = _execution(j, unit_ids)
    return [_grouped(matters, "lead_unit_id", MATTER_MET, "execution"), _grouped(parts, "unit_id", PART_MET, "execution")]


def _execution_missed(j: Judged, unit_ids: UnitIds) -> list[Iterator[Shortfall]]:
    matters, parts = _execution(j, unit_ids)
    return [
        (Shortfall("matter", u, mid, n, t, due, done) for u, mid, n, t, due, done in matters.exclude(MATTER_MET)  # type: ignore[arg-type]  # due_date: filtered non-null
         .order_by("due_date", "lead_unit_id", "number", "id")
         .values_list("lead_unit_id", "id", "number", "title", "due_date", "completed_on").iterator(2000)),
        (Shortfall("co_part", u, mid, n, t, due, done, detail=part) for u, mid, n, t, due, done, part in parts
         .exclude(PART_MET).order_by("due_date", "unit_id", "matter__number", "matter_id")
         .values_list("unit_id", "matter_id", "matter__number", "matter__title", "due_date", "done_on", "part")
         .iterator(2000)),
    ]


# -- rectification ---------------------------------------------------------------------------


RECTIFIED = Q(rectified_on__lte=F("due_date"))


def _rectification(j: Judged, unit_ids: UnitIds) -> QuerySet[Rectification]:
    return _units(Rectification.objects.filter(due_date__gte=j.start, due_date__lte=j.last), "unit_id", unit_ids)


def _rectification_counts(j: Judged, unit_ids: UnitIds) -> list[QuerySet[Any]]:
    return [_grouped(_rectification(j, unit_ids), "unit_id", RECTIFIED, "rectification")]


def _rectification_missed(j: Judged, unit_ids: UnitIds) -> list[Iterator[Shortfall]]:
    rows = (_rectification(j, unit_ids).exclude(RECTIFIED).order_by("due_date", "unit_id", "matter__number", "id")
            .values_list("unit_id", "matter_id", "matter__number", "matter__title", "due_date", "rectified_on",
                         "demand"))
    return [(Shortfall("rectification", u, mid, n, t, due, done, detail=demand)
             for u, mid, n, t, due, done, demand in rows.iterator(2000))]


# -- reporting -------------------------------------------------------------------------------


def _reported(w: MonthWindow, unit_ref: str, matter_ref: str) -> QuerySet[ReportItem]:
    """Items of the unit's report for the month (first submitted) on the matter."""
    return ReportItem.objects.filter(report__unit_id=OuterRef(unit_ref), report__year=w.year,
                                     report__month=w.month, matter_id=OuterRef(matter_ref),
                                     report__first_submitted_on__isnull=False)


def _reporting_counts(j: Judged, unit_ids: UnitIds) -> list[QuerySet[Any]]:
    if j.span_first is None:
        return []
    out = []
    for w in j.windows:
        lead, parts = owed_querysets(w, j.span_first, unit_ids)
        on_time = Q(report__first_submitted_on__lte=w.closes)
        out += [_grouped(lead, "lead_unit_id", Exists(_reported(w, "lead_unit_id", "pk").filter(on_time)), "reporting"),
                _grouped(parts, "unit_id", Exists(_reported(w, "unit_id", "matter_id").filter(on_time)), "reporting")]
    return out


def count(j: Judged, unit_ids: UnitIds) -> dict[str, Counts]:
    """Due and done per rate and unit: one query (a UNION ALL of a GROUP BY per source)."""
    parts = [*_execution_counts(j, unit_ids), *_reporting_counts(j, unit_ids), *_rectification_counts(j, unit_ids)]
    counts: dict[str, Counts] = {"execution": {}, "reporting": {}, "rectification": {}}
    for unit_id, kind, due, done in parts[0].union(*parts[1:], all=True):
        slot = counts[kind].setdefault(unit_id, [0, 0])
        slot[0] += due
        slot[1] += done
    return counts


def _reporting_missed(j: Judged, unit_ids: UnitIds) -> list[Iterator[Shortfall]]:
    if j.span_first is None:
        return []
    out: list[Iterator[Shortfall]] = []
    for w in j.windows:
        lead, parts = owed_querysets(w, j.span_first, unit_ids)
        on_time = Q(report__first_submitted_on__lte=w.closes)
        lead_rows = (lead.exclude(Exists(_reported(w, "lead_unit_id", "pk").filter(on_time)))
                     .annotate(sent=Subquery(_reported(w, "lead_unit_id", "pk")
                                             .values("report__first_submitted_on")[:1]))
                     .order_by("lead_unit_id", "number", "id")
                     .values_list("lead_unit_id", "id", "number", "title", "sent"))
        part_rows = (parts.exclude(Exists(_reported(w, "unit_id", "matter_id").filter(on_time)))
                     .annotate(sent=Subquery(_reported(w, "unit_id", "matter_id")
                                             .values("report__first_submitted_on")[:1]))
                     .order_by("unit_id", "matter__number", "matter_id")
                     .values_list("unit_id", "matter_id", "matter__number", "matter__title", "sent"))
        out += [_report_records(w, lead_rows), _report_records(w, part_rows)]
    return out


def _report_records(w: MonthWindow, rows: QuerySet[Any]) -> Iterator[Shortfall]:
    for u, mid, n, t, sent in rows.iterator(2000):
        yield Shortfall("report", u, mid, n, t, w.closes, sent, month=w.key)


def missed(kind: str, j: Judged, unit_ids: UnitIds, *, offset: int = 0, limit: int | None = None) -> list[Shortfall]:
    """The obligations of one rate not met, by due date, unit and number: ``limit`` from ``offset``."""
    sources = {"execution": _execution_missed, "reporting": _reporting_missed,
               "rectification": _rectification_missed}[kind](j, unit_ids)
    merged: Iterable[Shortfall] = heapq.merge(*sources, key=lambda r: r.order)
    return list(islice(merged, offset, None if limit is None else offset + limit))
