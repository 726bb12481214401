"""The three rates of S2.7 per unit and overall, with the records behind each shortfall.

Everything that could be due in the period is fetched in a handful of queries whatever
the number of units (matters, co-unit parts, rectifications, the reports and their items)
and turned into ``Obligation`` values; ``ducha.rules.rates`` does the counting. The
formulas, with worked examples, are in docs/rates.md.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from django.db.models import Q

from ducha.matters.models import CoUnitPart, Matter, Rectification, Status
from ducha.org.models import Unit, UnitKind
from ducha.reports.models import ReportItem
from ducha.reports.owed import owed_by_unit, reportable_entries, windows_in
from ducha.rules.periods import Period
from ducha.rules.rates import Obligation, Rate, rate_to_date
from ducha.rules.reporting import month_bounds


class RateKind(StrEnum):
    EXECUTION = "execution"  # 督查执行率
    REPORTING = "reporting"  # 上报率
    RECTIFICATION = "rectification"  # 整改率


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


@dataclass
class RateRow:
    """The three rates of one unit (``unit`` None: the whole city)."""

    unit: Unit | None
    execution: Rate[Shortfall]
    reporting: Rate[Shortfall]
    rectification: Rate[Shortfall]

    def get(self, kind: RateKind | str) -> Rate[Shortfall]:
        rate: Rate[Shortfall] = getattr(self, RateKind(kind).value)
        return rate

    @property
    def values(self) -> tuple[float | None, float | None, float | None]:
        return self.execution.value, self.reporting.value, self.rectification.value


@dataclass
class RatesResult:
    period: Period
    today: date
    rows: list[RateRow]
    overall: RateRow
    unknown_windows: list[str]  # report months whose window the calendar cannot place yet

    def row_for(self, unit_id: int) -> RateRow | None:
        return next((r for r in self.rows if r.unit is not None and r.unit.id == unit_id), None)


Obligations = list[Obligation[Shortfall]]


def _execution(period: Period) -> Obligations:
    # Suspended matters are not running against their deadline; drafts were never assigned.
    live = ~Q(status__in=[Status.DRAFT, Status.SUSPENDED])
    obligations: Obligations = []
    for mid, unit, number, title, due, done in Matter.objects.filter(
        live, due_date__gte=period.start, due_date__lte=period.end
    ).values_list("id", "lead_unit_id", "number", "title", "due_date", "completed_on"):
        if due is not None:  # always, by the filter; says so to the type checker
            obligations.append(Obligation(Shortfall("matter", unit, mid, number, title, due, done), due, done))
    obligations += [
        Obligation(Shortfall("co_part", unit, mid, number, title, due, done, detail=part), due, done)
        for unit, mid, number, title, due, done, part in CoUnitPart.objects.filter(
            due_date__gte=period.start, due_date__lte=period.end
        ).exclude(matter__status__in=[Status.DRAFT, Status.SUSPENDED]).values_list(
            "unit_id", "matter_id", "matter__number", "matter__title", "due_date", "done_on", "part"
        )
    ]
    return obligations


def _reporting(period: Period) -> tuple[Obligations, list[str]]:
    """One obligation per (unit, month, matter) owed in a window closing in the period;
    met by an item in a report first submitted by the window's last day."""
    windows, unknown = windows_in(period)
    obligations: Obligations = []
    if windows:
        first = month_bounds(windows[0].year, windows[0].month)[0]
        last = month_bounds(windows[-1].year, windows[-1].month)[1]
        entries = reportable_entries(first, last)
        month_q = Q(pk__in=[])
        for w in windows:
            month_q |= Q(report__year=w.year, report__month=w.month)
        reported = {
            (unit, y, m, matter): submitted
            for unit, y, m, matter, submitted in ReportItem.objects.filter(month_q)
            .filter(report__first_submitted_on__isnull=False)
            .values_list("report__unit_id", "report__year", "report__month", "matter_id", "report__first_submitted_on")
        }
        for w in windows:
            for unit, owed in owed_by_unit(entries, w.year, w.month).items():
                for e in owed:
                    done = reported.get((unit, w.year, w.month, e.matter_id))
                    key = Shortfall("report", unit, e.matter_id, e.number, e.title, w.closes, done, month=w.key)
                    obligations.append(Obligation(key, w.closes, done))
    return obligations, [f"{y:04d}-{m:02d}" for y, m in unknown]


def _rectification(period: Period) -> Obligations:
    return [
        Obligation(Shortfall("rectification", unit, mid, number, title, due, done, detail=demand), due, done)
        for unit, mid, number, title, due, done, demand in Rectification.objects.filter(
            due_date__gte=period.start, due_date__lte=period.end
        ).values_list("unit_id", "matter_id", "matter__number", "matter__title", "due_date", "rectified_on", "demand")
    ]


def _by_unit(obligations: Obligations) -> dict[int, Obligations]:
    grouped: dict[int, Obligations] = defaultdict(list)
    for o in obligations:
        grouped[o.key.unit_id].append(o)
    return grouped


def gather_rates(period: Period, today: date, unit_ids: Collection[int] | None = None) -> RatesResult:
    """The three rates of ``period`` as judged on ``today``.

    ``rows`` holds the units in ``unit_ids`` (None: every unit) that are assessed: every
    active department, county and zone, and any other unit with something due. The overall
    row is always the whole city's, pooled over obligations, not an average of unit rates.
    """
    execution = _execution(period)
    reporting, unknown = _reporting(period)
    rectification = _rectification(period)
    start, end = period.start, period.end

    def row(unit: Unit | None, ex: Obligations, rep: Obligations, rect: Obligations) -> RateRow:
        return RateRow(
            unit, rate_to_date(ex, start, end, today), rate_to_date(rep, start, end, today),
            rate_to_date(rect, start, end, today),
        )

    by_unit = [_by_unit(execution), _by_unit(reporting), _by_unit(rectification)]
    involved = {u for grouped in by_unit for u in grouped}
    units = Unit.objects.filter(Q(is_active=True) & ~Q(kind=UnitKind.OFFICE) | Q(pk__in=involved))
    if unit_ids is not None:
        units = units.filter(pk__in=sorted(unit_ids))
    rows = [
        row(u, by_unit[0].get(u.id, []), by_unit[1].get(u.id, []), by_unit[2].get(u.id, []))
        for u in units.order_by("sort_order", "id")
    ]
    return RatesResult(period, today, rows, row(None, execution, reporting, rectification), unknown)


def sort_rows(rows: Sequence[RateRow], key: str, descending: bool) -> list[RateRow]:
    """Rows by one rate (units with nothing due always last) or by unit order."""
    if key not in {k.value for k in RateKind}:
        return sorted(rows, key=lambda r: (r.unit.sort_order, r.unit.id) if r.unit else (0, 0), reverse=descending)
    with_value = [r for r in rows if r.get(key).value is not None]
    without = [r for r in rows if r.get(key).value is None]
    with_value.sort(key=lambda r: (r.get(key).value or 0.0, r.unit.sort_order if r.unit else 0), reverse=descending)
    return with_value + without

