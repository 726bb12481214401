"""The dashboards' figures (S5.1 "displayed in real time, reminded when overdue"), counted by
the database: matters by status and by traffic light, per lead unit, and the overdue and
due-soon lists, whatever the number of matters in scope (bench/dashboard.py).

The light of each matter is the one ``overview.signal_for`` gives (``rules.traffic.light``
on the working-day calendar). In SQL it needs each day's running count of working days
(``workcal.index``): for a running matter due from today on whose start and due dates lie
in the calendar's run of covered years that holds today,

    working days left   = through(due) - through(today)
    elapsed share       = (through(today) - before(start)) / (through(due) - before(start))

and "progress behind the elapsed share" is compared in integers. Matters outside that case
(a date the calendar does not cover: their figures are approximate, or pending) are few and
are judged in Python, one by one, by ``signal_for`` itself. ``tests/test_matters_summary.py``
compares both on generated matters, on both databases.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Count, QuerySet

from ducha.bulk import filter_ids
from ducha.matters.models import Matter, Status
from ducha.matters.overview import OPEN, ROW_FIELDS, Row, rows, warn_workdays
from ducha.org.models import Unit
from ducha.rules.lifecycle import RUNNING
from ducha.rules.workdays import WorkCalendar
from ducha.workcal.index import ensure_index
from ducha.workcal.models import WorkdayIndex


@dataclass
class LightCounts:
    green: int = 0
    yellow: int = 0
    red: int = 0
    done: int = 0

    def add(self, key: str, n: int = 1) -> None:
        if key in ("green", "yellow", "red", "done"):
            setattr(self, key, getattr(self, key) + n)

    @property
    def on_track(self) -> int:
        """Claimed matters wait for verification: they are on track, not yet closed."""
        return self.green + self.done

    @property
    def total(self) -> int:
        return self.green + self.yellow + self.red + self.done


@dataclass
class UnitBar:
    unit_id: int
    name: str
    counts: LightCounts = field(default_factory=LightCounts)


@dataclass
class Summary:
    status_counts: list[tuple[str, str, int]]
    lights: LightCounts
    overdue: list[Row]
    due_soon: list[Row]
    due_soon_total: int
    units: list[UnitBar]
    open_total: int
    due_soon_days: int
    calendar_missing: bool


def due_soon_workdays() -> int:
    """"Due within N working days" on the dashboards (setting, default 5)."""
    return settings.DUCHA_DUE_SOON_WORKDAYS


@dataclass(frozen=True)
class _Frame:
    """The SQL around a scope: its open matters joined to the calendar index at start and due."""

    sql: str
    params: list[Any]
    today_through: int  # through(today)


def _frame(qs: QuerySet[Matter], today: date, cal: WorkCalendar, key: str, run: int) -> _Frame:
    inner, inner_params = (qs.filter(status__in=OPEN).order_by()
                           .values("id", "lead_unit_id", "status", "start_date", "due_date", "progress")
                           .query.sql_with_params())
    index = connection.ops.quote_name(WorkdayIndex._meta.db_table)
    sql = (f"FROM ({inner}) m "
           f"LEFT JOIN {index} s ON s.calendar = %s AND s.day = m.start_date AND s.run = %s "
           f"LEFT JOIN {index} d ON d.calendar = %s AND d.day = m.due_date AND d.run = %s ")
    return _Frame(sql, [*inner_params, key, run, key, run], cal.through(today))


# A running matter due from today on, both of its dates in today's run: judged in SQL.
_REGULAR = "(m.status <> %s AND m.due_date >= %s AND s.day IS NOT NULL AND d.day IS NOT NULL)"
# rules.traffic.light's yellow: few working days left, or progress behind the elapsed share
# (elapsed_share: 1 when due precedes start; 0 before the start; all-or-nothing when the
# span holds no working day). progress/100 + 1e-9 < passed/total  <=>  progress*total < 100*passed.
_YELLOW = (
    "(d.through - %s <= %s"
    " OR (m.due_date < m.start_date AND m.progress < 100)"
    " OR (m.start_date <= %s AND m.due_date >= m.start_date AND d.through - s.before > 0"
    "     AND m.progress * (d.through - s.before) < 100 * (%s - s.before))"
    " OR (m.start_date <= %s AND m.due_date >= m.start_date AND d.through - s.before = 0"
    "     AND %s >= m.due_date AND m.progress < 100))"
)


def summarise(
    scope: QuerySet[Matter] | Sequence[QuerySet[Matter]], *, today: date, cal: WorkCalendar | None,
    units: Iterable[tuple[int, str]] = (), limit: int = 15,
) -> Summary:
    """Counts by status and light, the overdue and due-soon lists, units ranked by overdue.

    ``scope`` is a queryset, or disjoint querysets whose union is the scope
    (``access.visible_matter_parts``: a unit's or a vice mayor's "lead OR co-unit" scope read
    as one queryset walks the whole table). A fixed number of queries per part, each returning
    what is shown: counts per status and per lead unit, and at most ``limit`` matters per
    list. ``units`` lists units to show even with nothing open (a vice mayor's whole
    portfolio); others appear when they lead a matter.
    """
    parts = [scope] if isinstance(scope, QuerySet) else list(scope)
    by_status: Counter[str] = Counter()
    for qs in parts:
        by_status.update(dict(qs.order_by().values_list("status").annotate(n=Count("id"))
                              .values_list("status", "n")))
    status_counts = [(s.value, str(s.label), by_status.get(s.value, 0)) for s in Status]
    soon = due_soon_workdays()
    tally = _Tally()
    run = cal.run_of(today) if cal is not None else None
    key = ensure_index(cal) if cal is not None and run is not None else None  # once for all the parts
    for qs in parts:
        if cal is not None and key is not None and run is not None:
            try:
                frame = _frame(qs, today, cal, key, run)
            except EmptyResultSet:  # a scope of no unit (the HR office, a vice mayor without a portfolio)
                continue
            _count_in_sql(tally, frame, today, soon, limit)
        else:
            _count_without_calendar(tally, qs, today, cal)
    soon_rows: list[Row] = []
    odd_rows = filter_ids(Matter.objects.all(), "id", tally.odd_ids).values(*ROW_FIELDS) if tally.odd_ids else []
    for r in rows([*odd_rows, *tally.odd_values], today, cal):
        tally.unit(r.lead_unit_id).add(r.signal.key)
        if (r.signal.key in ("green", "yellow") and r.signal.workdays_left is not None
                and 0 <= r.signal.workdays_left <= soon and not r.signal.approximate):
            soon_rows.append(r)  # the calendar covers none of its days: never the case, kept for exactness
    due_soon_ids = [mid for _due, mid in sorted(tally.due_soon)[:limit]]
    if due_soon_ids:
        soon_rows += rows(Matter.objects.filter(id__in=due_soon_ids).values(*ROW_FIELDS), today, cal)
    soon_rows.sort(key=lambda r: (r.due_date or date.max, r.id))
    overdue: list[Row] = []
    for qs in parts:
        overdue += rows(qs.filter(status__in=RUNNING, due_date__lt=today).values(*ROW_FIELDS)
                        .order_by("due_date", "id")[:limit], today, cal)
    overdue.sort(key=lambda r: (r.due_date or date.max, r.id))
    bars: dict[int, UnitBar] = {uid: UnitBar(uid, name) for uid, name in units}
    missing = [uid for uid in tally.per_unit if uid not in bars]
    if missing:
        for uid, short, name in Unit.objects.filter(id__in=missing).values_list("id", "short_name", "name"):
            bars[uid] = UnitBar(uid, short or name)
    lights = LightCounts()
    for uid, counts in tally.per_unit.items():
        bars[uid].counts = counts
        for key in ("green", "yellow", "red", "done"):
            lights.add(key, getattr(counts, key))
    ranked = sorted(bars.values(), key=lambda b: (-b.counts.red, -b.counts.yellow, -b.counts.total, b.name))
    return Summary(
        status_counts=status_counts, lights=lights, overdue=overdue[:limit], due_soon=soon_rows[:limit],
        due_soon_total=tally.due_soon_total + len(soon_rows) - len(due_soon_ids),
        units=ranked, open_total=tally.open_total, due_soon_days=soon, calendar_missing=cal is None,
    )


@dataclass
class _Tally:
    """What the parts of a scope add up to."""

    per_unit: dict[int, LightCounts] = field(default_factory=dict)
    open_total: int = 0
    due_soon_total: int = 0
    due_soon: list[tuple[date, int]] = field(default_factory=list)  # (due, id), the first of each part
    odd_ids: list[int] = field(default_factory=list)  # judged one by one in Python
    odd_values: list[dict[str, Any]] = field(default_factory=list)

    def unit(self, unit_id: int) -> LightCounts:
        return self.per_unit.setdefault(unit_id, LightCounts())


def _count_in_sql(tally: _Tally, frame: _Frame, today: date, soon: int, limit: int) -> None:
    day = connection.ops.adapt_datefield_value(today)
    claimed = Status.CLAIMED.value
    t = frame.today_through
    regular = _REGULAR
    reg = [claimed, day]
    yellow = [t, warn_workdays(), day, t, day, day]
    irregular = due_soon = 0
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT m.lead_unit_id, COUNT(*),"
            " SUM(CASE WHEN m.status = %s THEN 1 ELSE 0 END),"
            " SUM(CASE WHEN m.status <> %s AND m.due_date < %s THEN 1 ELSE 0 END),"
            f" SUM(CASE WHEN {regular} AND {_YELLOW} THEN 1 ELSE 0 END),"
            f" SUM(CASE WHEN {regular} AND NOT {_YELLOW} THEN 1 ELSE 0 END),"
            f" SUM(CASE WHEN {regular} AND d.through - %s <= %s THEN 1 ELSE 0 END),"
            f" SUM(CASE WHEN m.status <> %s AND m.due_date >= %s AND NOT {regular} THEN 1 ELSE 0 END) "
            + frame.sql + "GROUP BY m.lead_unit_id",
            [claimed, claimed, day, *reg, *yellow, *reg, *yellow, *reg, t, soon, claimed, day, *reg, *frame.params],
        )
        for unit_id, n, done, red, yel, green, soon_n, odd in cursor.fetchall():
            counts = tally.unit(unit_id)
            counts.green, counts.yellow = counts.green + int(green), counts.yellow + int(yel)
            counts.red, counts.done = counts.red + int(red), counts.done + int(done)
            tally.open_total += n
            due_soon += int(soon_n)
            irregular += int(odd)
        tally.due_soon_total += due_soon
        if due_soon:
            cursor.execute(
                f"SELECT m.due_date, m.id {frame.sql}WHERE {regular} AND d.through - %s <= %s "
                "ORDER BY m.due_date, m.id LIMIT %s",
                [*frame.params, *reg, t, soon, limit],
            )
            tally.due_soon += [(_as_date(due), mid) for due, mid in cursor.fetchall()]
        if irregular:
            cursor.execute(f"SELECT m.id {frame.sql}WHERE m.status <> %s AND m.due_date >= %s AND NOT {regular}",
                           [*frame.params, claimed, day, *reg])
            tally.odd_ids += [r[0] for r in cursor.fetchall()]


def _as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))  # SQLite gives text


def _count_without_calendar(tally: _Tally, qs: QuerySet[Matter], today: date, cal: WorkCalendar | None) -> None:
    """No calendar, or none for today: the running matters due from today on are judged in
    Python (without a calendar they are all "pending"), the rest counted in SQL."""
    for unit_id, status, n in (qs.filter(status__in=OPEN).order_by().values_list("lead_unit_id", "status")
                               .annotate(n=Count("id"))):
        counts = tally.unit(unit_id)
        tally.open_total += n
        if status == Status.CLAIMED:
            counts.done += n
    for unit_id, n in (qs.filter(status__in=RUNNING, due_date__lt=today).order_by().values_list("lead_unit_id")
                       .annotate(n=Count("id"))):
        tally.unit(unit_id).red += n
    if cal is not None:
        tally.odd_values += list(qs.filter(status__in=RUNNING, due_date__gte=today).order_by().values(*ROW_FIELDS))
