"""The three rates of S2.7 per unit and overall, with the records behind each shortfall.

The database counts the obligations of each unit (``reports.rate_counts``: a few GROUP BY
queries, whatever the number of units and matters) as ``ducha.rules.rates`` defines them;
the records behind a shortfall are read a page at a time. The formulas, with worked
examples, are in docs/rates.md.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from django.db.models import Q

from ducha.org.models import Unit, UnitKind
from ducha.reports import rate_counts
from ducha.reports.owed import windows_in
from ducha.reports.rate_counts import Judged
from ducha.reports.rate_counts import Shortfall as Shortfall  # re-exported: the pages and the API name it here
from ducha.rules.periods import Period
from ducha.rules.rates import Rate
from ducha.rules.reporting import MonthWindow


class RateKind(StrEnum):
    EXECUTION = "execution"  # 督查执行率
    REPORTING = "reporting"  # 上报率
    RECTIFICATION = "rectification"  # 整改率


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


def _involved(period: Period, windows: list[MonthWindow], candidates: list[int]) -> set[int]:
    """Of ``candidates`` (offices, inactive units: assessed only when something is due of
    them), those with an obligation anywhere in the period, judged yet or not."""
    if not candidates:
        return set()
    whole = Judged.of(period, period.end + timedelta(days=1), windows)  # as judged once the period is over
    return {unit_id for counts in rate_counts.count(whole, candidates).values() for unit_id in counts}


def gather_rates(period: Period, today: date, unit_ids: Collection[int] | None = None, *,
                 overall: bool = True) -> RatesResult:
    """The three rates of ``period`` as judged on ``today``, counted by the database.

    ``rows`` holds the units in ``unit_ids`` (None: every unit) that are assessed: every
    active department, county and zone, and any other unit with something due. The overall
    row is the whole city's, pooled over obligations, not an average of unit rates; without
    it (``overall=False``) only the rows of ``unit_ids`` are read. A rate carries its counts;
    the records behind a shortfall are read a page at a time with ``shortfall_records``.
    """
    windows, unknown = windows_in(period)
    judged = Judged.of(period, today, windows)
    counted = rate_counts.count(judged, None if overall else unit_ids)
    counts = {kind: counted[kind.value] for kind in RateKind}

    def rate(kind: RateKind, unit_id: int | None) -> Rate[Shortfall]:
        if unit_id is None:
            due, done = (sum(c[0] for c in counts[kind].values()), sum(c[1] for c in counts[kind].values()))
        else:
            due, done = counts[kind].get(unit_id, (0, 0))
        return Rate(due=due, done=done, shortfall=())

    def row(unit: Unit | None) -> RateRow:
        uid = unit.id if unit is not None else None
        return RateRow(unit, rate(RateKind.EXECUTION, uid), rate(RateKind.REPORTING, uid),
                       rate(RateKind.RECTIFICATION, uid))

    assessed = Q(is_active=True) & ~Q(kind=UnitKind.OFFICE)
    units = Unit.objects.all() if unit_ids is None else Unit.objects.filter(pk__in=sorted(unit_ids))
    candidates = list(units.exclude(assessed).values_list("id", flat=True))
    if judged.last < period.end:
        involved = _involved(period, windows, candidates)
    else:  # the whole period is judged: what is due in it has been counted
        involved = {uid for c in counts.values() for uid in c} & set(candidates)
    units = units.filter(assessed | Q(pk__in=sorted(involved)))
    rows = [row(u) for u in units.order_by("sort_order", "id")]
    return RatesResult(period, today, rows, row(None) if overall else RateRow(None, *(
        Rate[Shortfall](0, 0, ()) for _ in range(3))), [f"{y:04d}-{m:02d}" for y, m in unknown])


def shortfall_records(kind: RateKind | str, period: Period, today: date, unit_id: int | None, *,
                      offset: int = 0, limit: int | None = None) -> list[Shortfall]:
    """The obligations of one rate not met (a unit's, or the whole city's: ``unit_id`` None),
    by due date, unit and number; ``limit`` of them from ``offset``."""
    windows, _unknown = windows_in(period)
    judged = Judged.of(period, today, windows)
    return rate_counts.missed(RateKind(kind).value, judged, None if unit_id is None else [unit_id],
                              offset=offset, limit=limit)


def sort_rows(rows: Sequence[RateRow], key: str, descending: bool) -> list[RateRow]:
    """Rows by one rate (units with nothing due always last) or by unit order."""
    if key not in {k.value for k in RateKind}:
        return sorted(rows, key=lambda r: (r.unit.sort_order, r.unit.id) if r.unit else (0, 0), reverse=descending)
    with_value = [r for r in rows if r.get(key).value is not None]
    without = [r for r in rows if r.get(key).value is None]
    with_value.sort(key=lambda r: (r.get(key).value or 0.0, r.unit.sort_order if r.unit else 0), reverse=descending)
    return with_value + without

