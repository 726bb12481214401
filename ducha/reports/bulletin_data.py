"""The figures of the monthly (or quarterly) bulletin, 督查通报 (S2.8), gathered once.

The bulletin document, the issue page and any later check of what was announced read the
same ``BulletinData``; who is named for criticism or commendation is decided by the rules
in ``ducha.rules.reporting`` (docs/rates.md, "Named units").
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.db.models import Count, Q
from django.db.models.functions import Coalesce

from ducha.matters.models import Matter, Source, Status
from ducha.org.access import EVERYTHING
from ducha.org.models import Unit
from ducha.reports.models import MonthClose, MonthCloseLine
from ducha.reports.owed import end_of_day, period_counts
from ducha.reports.rates import RateRow, Shortfall, gather_rates
from ducha.rules.periods import Period
from ducha.rules.rates import Rate
from ducha.rules.reporting import ReportCounts, Standing, commended, laggards

OVERDUE_LISTED = 30  # the bulletin names at most this many overdue matters, and says how many more


def laggard_limit() -> int:
    """How many units a bulletin names for criticism at most (setting, default 5)."""
    return settings.DUCHA_BULLETIN_LAGGARDS


@dataclass(frozen=True)
class OverdueMatter:
    number: str
    title: str
    unit: str
    due: date
    due_provisional: bool = False  # 暂定: the bulletin says so beside the date


@dataclass
class UnitFigures:
    unit_id: int
    name: str
    total: int
    completed: int
    overdue: int
    rates: RateRow
    reports: ReportCounts = field(default_factory=ReportCounts)


@dataclass
class BulletinData:
    period: Period
    today: date
    as_of: date  # overdue is judged on this day: the period's last day, or today while it runs
    total: int  # matters under supervision during the period
    completed: int  # of which completed during the period
    overdue: int  # past their deadline and still open on ``as_of``
    by_source: list[tuple[str, int, int, int]]  # (source label, total, completed, overdue)
    overall: RateRow
    units: list[UnitFigures]
    laggards: list[UnitFigures]
    commended: list[UnitFigures]
    overdue_matters: list[OverdueMatter]  # the first OVERDUE_LISTED by due date; ``overdue`` counts all
    reports: ReportCounts
    closed: MonthClose | None = None  # 一月一结账: the month's latest close, whose figures these are

    @property
    def in_progress(self) -> int:
        return self.total - self.completed


def _frozen(line: MonthCloseLine, unit: Unit) -> RateRow:
    def rate(kind: str) -> Rate[Shortfall]:
        due, done = getattr(line, f"{kind}_due"), getattr(line, f"{kind}_done")
        return Rate(due=due or 0, done=done or 0, shortfall=())
    return RateRow(unit, rate("execution"), rate("reporting"), rate("rectification"))


def month_close_of(period: Period) -> MonthClose | None:
    """The latest close of a month period (一月一结账); None for other periods or an open month."""
    if period.kind != "month":
        return None
    return (MonthClose.objects.filter(year=period.start.year, month=period.start.month)
            .select_related("closed_by").order_by("-version").first())


def bulletin_data(period: Period, today: date, *, use_close: bool = True) -> BulletinData:
    """The bulletin's figures. For a closed month (and ``use_close``) the per-unit matter counts
    and rates, and the totals summed from them, are the close's frozen ones (一月一结账)."""
    as_of = min(today, period.end)
    rates = gather_rates(period, today)
    rows = {r.unit.id: r for r in rates.rows if r.unit is not None}
    counts = {c.unit.id: c.counts for c in period_counts(EVERYTHING, period, today).rows}

    # Matters under supervision in the period, counted per unit and source by the database;
    # of the overdue ones only those the bulletin names are read.
    finished = Coalesce("completed_on", "closed_on")
    matters = (
        Matter.objects.exclude(status=Status.DRAFT)
        .filter(start_date__lte=period.end, created_at__lt=end_of_day(period.end))
        .filter(Q(completed_on__isnull=True) | Q(completed_on__gte=period.start))
        .filter(Q(closed_on__isnull=True) | Q(closed_on__gte=period.start))
        .annotate(finished=finished)
    )
    done_q = Q(finished__gte=period.start, finished__lte=period.end)
    overdue_q = (~Q(status=Status.SUSPENDED) & Q(due_date__lt=as_of)
                 & (Q(finished__isnull=True) | Q(finished__gt=as_of)))
    total: Counter[int] = Counter()
    completed: Counter[int] = Counter()
    overdue: Counter[int] = Counter()
    sources: dict[str, list[int]] = {s.value: [0, 0, 0] for s in Source}
    for unit, source, n, done, late in (
        matters.order_by().values_list("lead_unit_id", "source")
        .annotate(n=Count("id"), done=Count("id", filter=done_q), late=Count("id", filter=overdue_q))
        .values_list("lead_unit_id", "source", "n", "done", "late")
    ):
        total[unit] += n
        completed[unit] += done
        overdue[unit] += late
        sources[source][0] += n
        sources[source][1] += done
        sources[source][2] += late
    overdue_list = [
        OverdueMatter(number, title, unit_name, due, provisional)
        for unit_name, number, title, due, provisional in matters.filter(overdue_q).order_by("due_date", "id")
        .values_list("lead_unit__name", "number", "title", "due_date", "due_provisional")[:OVERDUE_LISTED]
        if due is not None  # always: an overdue matter has a due date
    ]

    units = [
        UnitFigures(
            unit_id=uid, name=row.unit.name if row.unit else "", total=total[uid], completed=completed[uid],
            overdue=overdue[uid], rates=row, reports=counts.get(uid, ReportCounts()),
        )
        for uid, row in rows.items()
    ]
    closed = month_close_of(period) if use_close else None
    overall = rates.overall
    if closed is not None:
        lines = list(MonthCloseLine.objects.filter(close=closed).select_related("unit")
                     .order_by("unit__sort_order", "unit_id"))
        units = [UnitFigures(unit_id=line.unit_id, name=line.unit.name, total=line.matters_total,
                             completed=line.matters_completed, overdue=line.matters_overdue,
                             rates=_frozen(line, line.unit), reports=counts.get(line.unit_id, ReportCounts()))
                 for line in lines]
        total = Counter({u.unit_id: u.total for u in units})
        completed = Counter({u.unit_id: u.completed for u in units})
        overdue = Counter({u.unit_id: u.overdue for u in units})
        overall = RateRow(None, *(Rate[Shortfall](
            due=sum(getattr(u.rates, k).due for u in units), done=sum(getattr(u.rates, k).done for u in units),
            shortfall=()) for k in ("execution", "reporting", "rectification")))
    order = {u.unit_id: i for i, u in enumerate(units)}
    standings = [Standing(u.unit_id, u.rates.values, u.overdue, order[u.unit_id]) for u in units]
    by_id = {u.unit_id: u for u in units}
    labels = dict(Source.choices)
    return BulletinData(
        period=period, today=today, as_of=as_of,
        total=sum(total.values()), completed=sum(completed.values()), overdue=sum(overdue.values()),
        by_source=[(str(labels[s]), v[0], v[1], v[2]) for s, v in sources.items() if v[0]],
        overall=overall, units=units,
        laggards=[by_id[s.unit_id] for s in laggards(standings, laggard_limit())],
        commended=[by_id[s.unit_id] for s in commended(standings)],
        overdue_matters=overdue_list,
        reports=ReportCounts(
            on_time=sum(c.on_time for c in counts.values()), late=sum(c.late for c in counts.values()),
            missing=sum(c.missing for c in counts.values()), open=sum(c.open for c in counts.values()),
            not_due=sum(c.not_due for c in counts.values()),
            pending_calendar=sum(c.pending_calendar for c in counts.values()),
        ),
        closed=closed,
    )
