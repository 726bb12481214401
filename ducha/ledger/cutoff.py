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

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from ducha.ledger.models import CarryOver, ProgressSource, SelfCheckLine
from ducha.matters.models import Matter, MatterEvent, Milestone, Status
from ducha.reports.models import ReportItem
from ducha.rules.ledger import LedgerPhaseKey
from ducha.rules.ledger_check import MatterAtCutoff, MonthDay, TimeNode

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


@dataclass(frozen=True)
class MatterRow:
    """What a page shows of a judged matter."""

    matter_id: int
    number: str
    title: str
    unit_id: int
    unit_name: str
    source: str  # ProgressSource
    month: str  # the report month the progress came from, "2026-06"; else ""


@dataclass(frozen=True)
class Recorded:
    progress: int
    source: str
    month: str = ""


def _date(value: Any) -> date | None:
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        return None


def matters_as_of(year: int, as_of: date, *, self_check: bool, time_nodes: bool,
                  unit_ids: Iterable[int] | None = None) -> list[tuple[MatterRow, MatterAtCutoff]]:
    """Every matter of the year's ledger (of ``unit_ids`` when given, as lead unit) as it stood
    at the end of ``as_of``, in unit order."""
    matters: QuerySet[Matter] = Matter.objects.filter(ledger_matters(year))
    if unit_ids is not None:
        matters = matters.filter(lead_unit_id__in=list(unit_ids))
    ids = matters.values("id")
    end = end_of(as_of)

    status: dict[int, str] = {}
    for mid, to_status in (MatterEvent.objects.filter(matter_id__in=ids, created_at__lt=end).exclude(to_status="")
                           .order_by("matter_id", "created_at", "id").values_list("matter_id", "to_status")
                           .iterator(chunk_size=5000)):
        status[mid] = to_status
    old_due: dict[int, date | None] = {}
    for mid, data in (MatterEvent.objects.filter(matter_id__in=ids, created_at__gte=end, action__in=DUE_MOVES)
                      .order_by("created_at", "id").values_list("matter_id", "data").iterator(chunk_size=5000)):
        if mid not in old_due and isinstance(data, dict) and "old_due" in data:
            old_due[mid] = _date(data["old_due"])
    recorded = _recorded(ids, as_of, year if self_check else None)
    nodes: dict[int, list[TimeNode]] = {}
    if time_nodes:
        for mid, title, node_due, done_on in Milestone.objects.filter(matter_id__in=ids).order_by(
                "matter_id", "due_date", "sort_order", "id").values_list("matter_id", "title", "due_date", "done_on"):
            nodes.setdefault(mid, []).append(TimeNode(title, node_due, done_on))

    out = []
    rows = matters.order_by("lead_unit__sort_order", "lead_unit_id", "id").values_list(
        "id", "number", "title", "lead_unit_id", "lead_unit__name", "start_date", "due_date", "progress",
        "last_progress_on", "status", "closed_on")
    for mid, number, title, unit_id, unit_name, start, due, progress, last_on, now_status, closed_on in rows.iterator(
            chunk_size=5000):
        rec = recorded.get(mid)
        if rec is None:
            moved_later = (last_on is not None and last_on > as_of) or (
                now_status == Status.CLOSED and (closed_on is None or closed_on > as_of))
            rec = Recorded(0, ProgressSource.NONE) if moved_later else Recorded(progress, ProgressSource.RECORD)
        facts = MatterAtCutoff(mid, status.get(mid), start, old_due.get(mid, due), rec.progress,
                               tuple(nodes.get(mid, ())))
        out.append((MatterRow(mid, number, title, unit_id, unit_name, rec.source, rec.month), facts))
    return out


def _recorded(ids: QuerySet[Matter, Any], as_of: date, self_check_year: int | None) -> dict[int, Recorded]:
    """Progress on record by ``as_of``: the lead unit's latest report line up to that month,
    overridden by the unit's self-check when ``self_check_year`` is given."""
    out: dict[int, Recorded] = {}
    lines = (ReportItem.objects.filter(matter_id__in=ids, co_part__isnull=True, report__unit_id=F("matter__lead_unit_id"))
             .filter(Q(report__year__lt=as_of.year) | Q(report__year=as_of.year, report__month__lte=as_of.month))
             .order_by("matter_id", "report__year", "report__month")
             .values_list("matter_id", "report__year", "report__month", "progress"))
    for mid, y, m, progress in lines.iterator(chunk_size=5000):
        out[mid] = Recorded(progress, ProgressSource.REPORT, f"{y:04d}-{m:02d}")
    if self_check_year is not None:
        for mid, confirmed in SelfCheckLine.objects.filter(
                self_check__ledger_year__year=self_check_year, matter_id__in=ids).values_list("matter_id", "confirmed"):
            out[mid] = Recorded(confirmed, ProgressSource.SELF_CHECK)
    return out
