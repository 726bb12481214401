"""The ledger year's matters as they stood at the end of a day (S2.4): what 6月查账 and 9月对账
judge, however late they run.

Each matter is rebuilt from what was on record by the end of the as-of day, read in a few
set queries (never one per matter):

- its lifecycle status: the last status step of its timeline (``MatterEvent.to_status``)
  made by then; none means it was not in the system yet;
- its deadline: the old deadline of the first extension or edit after the day, else today's;
- its progress: the unit's self-check figure (June only), else the lead unit's report line of
  the latest month up to the as-of month (the June report counts for 30 June, as the seed's
  "时间过半" is read), else the matter's own figure when nothing moved it after the day
  (``RECORD``), else nothing: 0 (``NONE``);
- its time nodes: due and done dates as they stand (a node done after the day counts as not
  done by then).

The reports app owns the report lines and the matters app the timeline: read here, never
written.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date, datetime, time, timedelta
from typing import Any, NamedTuple

from django.conf import settings
from django.db import connection
from django.db.models import Q
from django.utils import timezone

from ducha.ledger.models import CarryOver, ProgressSource, SelfCheckLine
from ducha.matters.models import Matter, MatterEvent, Milestone, Status
from ducha.org.models import Unit
from ducha.reports.models import MonthlyReport, ReportItem
from ducha.rules.ledger import LedgerPhaseKey
from ducha.rules.ledger_check import MatterAtCutoff, MonthDay, TimeNode
from ducha.rules.lifecycle import RUNNING_STATUSES

# Timeline steps that move a deadline; their data carries the deadline before the step.
DUE_MOVES = ("extension_approved", "edit")


def cutoff(phase: LedgerPhaseKey, year: int) -> date | None:
    """The day the phase judges as of (settings DUCHA_LEDGER_JUNE_CUTOFF / _SEPTEMBER_CUTOFF)."""
    if phase == "june_check":
        return MonthDay(*settings.DUCHA_LEDGER_JUNE_CUTOFF).in_year(year)
    if phase == "september_reconciliation":
        return MonthDay(*settings.DUCHA_LEDGER_SEPTEMBER_CUTOFF).in_year(year)
    return None


def ledger_matters(year: int) -> Q:
    """The matters of the year's ledger: the year's own and those carried over into it."""
    return Q(year=year) | Q(pk__in=CarryOver.objects.filter(to_year=year).values("matter_id"))


def end_of(day: date) -> datetime:
    """The first instant after ``day`` in the project's time zone."""
    return timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))


class MatterRow(NamedTuple):
    """What a page shows of a judged matter (a tuple: a city's year makes hundreds of thousands)."""

    matter_id: int
    number: str
    title: str
    unit_id: int
    unit_name: str
    source: str  # ProgressSource
    month: str  # the report month the progress came from, "2026-06"; else ""


class Recorded(NamedTuple):
    progress: int
    source: str
    month: str = ""


def _date(value: Any) -> date | None:
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        return None


def _day(value: Any) -> date | None:
    """A date column of a raw row (SQLite gives text)."""
    return date.fromisoformat(value) if isinstance(value, str) else value


def _placeholders(params: dict[str, Any], prefix: str, values: list[Any]) -> str:
    """Named placeholders for ``values`` (added to ``params``), for an IN list both backends take."""
    names = [f"{prefix}{k}" for k in range(len(values))]
    params.update(zip(names, values, strict=True))
    return ", ".join(f"%({n})s" for n in names)


def _running_sql(running: str, unit_filter: str) -> str:
    """Each ledger matter running at the end of the day, with its latest lead-unit report line
    up to that month, in unit order: one statement, the last status step and the latest line
    picked by ROW_NUMBER so the database reads each table once instead of once per matter."""
    m, e, u = Matter._meta.db_table, MatterEvent._meta.db_table, Unit._meta.db_table
    i, r, c = ReportItem._meta.db_table, MonthlyReport._meta.db_table, CarryOver._meta.db_table
    return f"""
WITH ledger AS (
  SELECT id FROM {m} WHERE year = %(year)s
  UNION SELECT matter_id FROM {c} WHERE to_year = %(year)s
), steps AS (
  SELECT e.matter_id, e.to_status,
         ROW_NUMBER() OVER (PARTITION BY e.matter_id ORDER BY e.created_at DESC, e.id DESC) AS k
  FROM {e} e JOIN ledger l ON l.id = e.matter_id
  WHERE e.created_at < %(end)s AND e.to_status <> ''
), running AS (
  SELECT matter_id, to_status FROM steps WHERE k = 1 AND to_status IN ({running})
), lines AS (
  SELECT i.matter_id, i.progress, r.year, r.month,
         ROW_NUMBER() OVER (PARTITION BY i.matter_id ORDER BY r.year DESC, r.month DESC) AS k
  FROM {i} i JOIN {r} r ON r.id = i.report_id JOIN running s ON s.matter_id = i.matter_id
  JOIN {m} lm ON lm.id = i.matter_id
  WHERE i.co_part_id IS NULL AND r.unit_id = lm.lead_unit_id
    AND (r.year < %(y)s OR (r.year = %(y)s AND r.month <= %(month)s))
)
SELECT m.id, m.number, m.title, m.lead_unit_id, u.name, m.start_date, m.due_date, m.progress,
       m.last_progress_on, m.status, m.closed_on, s.to_status, n.progress, n.year, n.month
FROM running s JOIN {m} m ON m.id = s.matter_id JOIN {u} u ON u.id = m.lead_unit_id
LEFT JOIN lines n ON n.matter_id = m.id AND n.k = 1
{unit_filter}ORDER BY u.sort_order, m.lead_unit_id, m.id"""  # noqa: S608 - table names from the models


def matters_as_of(year: int, as_of: date, *, self_check: bool, time_nodes: bool,
                  unit_ids: Iterable[int] | None = None) -> Iterator[tuple[MatterRow, MatterAtCutoff]]:
    """Every matter of the year's ledger (of ``unit_ids`` when given, as lead unit) that was
    running at the end of ``as_of`` (``RUNNING_STATUSES``: the only ones a check judges), as
    it stood then, in unit order, yielded a chunk at a time.

    A matter not running then is never read, and of its report lines only the latest; what
    a chunk's matters need besides (an old deadline, a self-check figure, time nodes) is read
    for the chunk."""
    end = end_of(as_of)
    params: dict[str, Any] = {
        "year": year, "end": connection.ops.adapt_datetimefield_value(end),
        "y": as_of.year, "month": as_of.month,
    }
    running = _placeholders(params, "status", sorted(RUNNING_STATUSES))
    unit_filter = ""
    if unit_ids is not None:
        unit_filter = f"WHERE m.lead_unit_id IN ({_placeholders(params, 'unit', list(unit_ids) or [0])}) "
    # Read once for the year, not per chunk: few rows, and a chunk's IN list would send the
    # planner to a scan of the whole timeline each time.
    old_due: dict[int, date | None] = {}
    for mid, data in (MatterEvent.objects.filter(matter__in=Matter.objects.filter(ledger_matters(year)),
                                                 created_at__gte=end, action__in=DUE_MOVES)
                      .order_by("created_at", "id").values_list("matter_id", "data")):
        if mid not in old_due and isinstance(data, dict) and "old_due" in data:
            old_due[mid] = _date(data["old_due"])
    confirmed: dict[int, int] = {}
    if self_check:
        confirmed = dict(SelfCheckLine.objects.filter(self_check__ledger_year__year=year)
                         .values_list("matter_id", "confirmed"))
    with connection.chunked_cursor() as cursor:
        _execute_for_all_rows(cursor, _running_sql(running, unit_filter), params)
        while rows := cursor.fetchmany(CHUNK):
            yield from _judgeable(rows, as_of, old_due, confirmed, time_nodes=time_nodes)


CHUNK = 2000


def _execute_for_all_rows(cursor: Any, sql: str, params: dict[str, Any]) -> None:
    """Run ``sql`` on a server-side cursor planned for reading every row. PostgreSQL plans a
    cursor for its first tenth (``cursor_tuple_fraction``): nested loops that fetch the first
    rows soon and all of them 40 times slower (100,000 matters: 16 s instead of 0.4)."""
    if connection.vendor != "postgresql":
        cursor.execute(sql, params)
        return
    with connection.cursor() as setting:
        setting.execute("SET cursor_tuple_fraction = 1.0")
        try:
            cursor.execute(sql, params)
        finally:
            setting.execute("RESET cursor_tuple_fraction")


def _judgeable(rows: list[tuple[Any, ...]], as_of: date, old_due: dict[int, date | None],
               confirmed: dict[int, int], *, time_nodes: bool) -> Iterator[tuple[MatterRow, MatterAtCutoff]]:
    nodes: dict[int, list[TimeNode]] = {}
    if time_nodes:
        ids = [row[0] for row in rows]
        for mid, title, node_due, done_on in Milestone.objects.filter(matter_id__in=ids).order_by(
                "matter_id", "due_date", "sort_order", "id").values_list("matter_id", "title", "due_date", "done_on"):
            nodes.setdefault(mid, []).append(TimeNode(title, node_due, done_on))
    text_dates = connection.vendor == "sqlite"  # SQLite gives dates as text
    for (mid, number, title, unit_id, unit_name, start, due, progress, last_on, now_status, closed_on, status,
         line_progress, line_year, line_month) in rows:
        if text_dates:
            start, due, last_on, closed_on = _day(start), _day(due), _day(last_on), _day(closed_on)
        if mid in confirmed:
            rec = Recorded(confirmed[mid], ProgressSource.SELF_CHECK)
        elif line_progress is not None:
            rec = Recorded(line_progress, ProgressSource.REPORT, f"{line_year:04d}-{line_month:02d}")
        elif (last_on is not None and last_on > as_of) or (
                now_status == Status.CLOSED and (closed_on is None or closed_on > as_of)):
            rec = Recorded(0, ProgressSource.NONE)  # moved after the day: what it was then is not known
        else:
            rec = Recorded(progress, ProgressSource.RECORD)
        facts = MatterAtCutoff(mid, status, start, old_due.get(mid, due), rec.progress, tuple(nodes.get(mid, ())))
        yield MatterRow(mid, number, title, unit_id, unit_name, rec.source, rec.month), facts
