"""Matters follow the working-day calendar when a year's State Council notice is imported.

A matter's due date counted in working days (S1.13), its time nodes (S2.3) and the time
limit of a rework (退回整改) are all worked out on the calendar. Counted over a year not
announced yet they are provisional (暂定, docs/decisions/0003). The import of that year
(``workcal.actions``) recomputes the deadlines it holds and then calls
``follow_calendar_change`` in the same transaction: the matter takes its deadline's new
date and mark, a move is recorded on the matter's timeline with the import as its reason,
and, after the commit, the lead unit hears of each date that moved. Nobody is held to a
date the calendar moved without being told.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone

from ducha.inbox.notify import notify_units_apart
from ducha.matters import schedule
from ducha.matters.actions import rework_workdays
from ducha.matters.models import Matter, MatterEvent, Milestone, Rectification, RectificationSource, Status
from ducha.org.models import User
from ducha.rules.workdays import UncoveredYear, WorkCalendar, schedule_backwards
from ducha.workcal import service as workcal
from ducha.workcal.models import WorkdayDeadline
from ducha.workcal.provisional import provisional_mark


def _doc_date(d: date | None, provisional: bool) -> str:
    return f"{d:%Y年%m月%d日}{provisional_mark(provisional)}" if d is not None else "时限待确认"


def _event(matter_id: int, actor: User | None, action: str, reason: str, **data: Any) -> MatterEvent:
    return MatterEvent(matter_id=matter_id, actor=actor, action=action, reason=reason, data=data)


def follow_calendar_change(
    *, actor: User | None, year: int, old_dues: dict[int, date | None], reason: str
) -> int:
    """Bring the matters in line with the recomputed deadlines (``old_dues``: deadline id → its
    due date before the import) and with ``year``'s new days; returns how many matters had a
    date moved (each one's lead unit is told after commit)."""
    cal = workcal.get_calendar()
    events: list[MatterEvent] = []
    told: dict[int, tuple[int, str, str]] = {}
    if old_dues:
        _follow_deadlines(actor, old_dues, reason, events, told)
    _follow_milestones(actor, cal, year, reason, events, told)
    _follow_rectifications(actor, cal, year, reason, events, told)
    MatterEvent.objects.bulk_create(events, batch_size=500)
    moved = sorted({e.matter_id for e in events if e.action != "deadline_settled"})
    if moved:
        schedule.look_at(moved, timezone.now())  # reminders look again under the new dates
    messages = list(told.values())
    if messages:
        transaction.on_commit(lambda: notify_units_apart(messages))
    return len(moved)


def _tell(told: dict[int, tuple[int, str, str]], matter: Matter, line: str) -> None:
    """One message per matter, listing every date of it that moved."""
    unit_id, title, body = told.get(matter.pk, (matter.lead_unit_id, f"督办事项 {matter.number} 时限调整", matter.title + "。"))
    told[matter.pk] = (unit_id, title, body + line)


def _follow_deadlines(
    actor: User | None, old_dues: dict[int, date | None], reason: str, events: list[MatterEvent],
    told: dict[int, tuple[int, str, str]],
) -> None:
    deadlines = {d.pk: d for d in WorkdayDeadline.objects.filter(pk__in=list(old_dues))}
    matters = list(
        Matter.objects.select_for_update().filter(workday_deadline_id__in=list(deadlines)).order_by("id")
    )
    changed: list[Matter] = []
    for m in matters:
        assert m.workday_deadline_id is not None
        d = deadlines[m.workday_deadline_id]
        if m.due_date != old_dues[d.pk]:
            continue  # the matter's date was set otherwise since (an approved extension): it stays
        if m.due_date == d.due_date and m.due_provisional == d.provisional:
            continue
        old, was = m.due_date, m.due_provisional
        m.due_date, m.due_provisional = d.due_date, d.provisional
        changed.append(m)
        if old == d.due_date:
            events.append(_event(m.pk, actor, "deadline_settled", reason, due=str(d.due_date)))
            continue
        events.append(_event(m.pk, actor, "deadline_moved", reason, old_due=str(old) if old else None,
                             new_due=str(d.due_date) if d.due_date else None, was_provisional=was,
                             provisional=d.provisional))
        if m.status != Status.DRAFT:
            _tell(told, m, f"因{reason}，办结时限由{_doc_date(old, was)}调整为{_doc_date(d.due_date, d.provisional)}。")
    Matter.objects.bulk_update(changed, ["due_date", "due_provisional"], batch_size=500)


def _follow_milestones(
    actor: User | None, cal: WorkCalendar, year: int, reason: str, events: list[MatterEvent],
    told: dict[int, tuple[int, str, str]],
) -> None:
    """Undone provisional time nodes of matters whose span touches ``year`` are spread again
    over the working days now known: same number of nodes, same basis, same deadline."""
    matter_ids = set(
        Milestone.objects.filter(provisional=True, done_on__isnull=True)
        .exclude(matter__status=Status.CLOSED)
        .filter(matter__start_date__lte=date(year, 12, 31), matter__due_date__gte=date(year, 1, 1))
        .values_list("matter_id", flat=True)
    )
    for m in Matter.objects.select_for_update().filter(pk__in=sorted(matter_ids)).order_by("id"):
        undone = list(m.milestones.filter(done_on__isnull=True).order_by("due_date", "sort_order"))
        if m.due_date is None or not undone:
            continue
        done: list[date] = [d for d in m.milestones.values_list("done_on", flat=True) if d is not None]
        basis = max([m.start_date, *done])
        try:
            dates = schedule_backwards(cal, basis, m.due_date, len(undone))
        except (UncoveredYear, ValueError):
            continue  # the nodes keep their dates; the matter's page still marks them
        provisional = cal.touches_provisional(basis, m.due_date)
        old = [n.due_date for n in undone]
        for node, d in zip(undone, dates, strict=True):
            node.due_date, node.provisional = d, provisional
        Milestone.objects.bulk_update(undone, ["due_date", "provisional"])
        if old != dates:
            events.append(_event(m.pk, actor, "milestones_rescheduled", reason,
                                 old_dates=[str(d) for d in old], new_dates=[str(d) for d in dates]))
            if m.status != Status.DRAFT:
                _tell(told, m, f"因{reason}，时间节点调整为{'、'.join(f'{d:%m月%d日}' for d in dates)}"
                               f"{provisional_mark(provisional)}。")


def _follow_rectifications(
    actor: User | None, cal: WorkCalendar, year: int, reason: str, events: list[MatterEvent],
    told: dict[int, tuple[int, str, str]],
) -> None:
    """A rework's time limit (退回整改: N working days from the day of the return) recomputed."""
    rows = list(
        Rectification.objects.select_related("matter")
        .filter(due_provisional=True, rectified_on__isnull=True, source=RectificationSource.RETURNED)
        .filter(due_date__gte=date(year, 1, 1))
    )
    changed = []
    for r in rows:
        returned_on = timezone.localdate(r.created_at)
        due = workcal.compute_due(cal, returned_on, rework_workdays())
        if due is None:
            continue
        provisional = workcal.is_provisional(cal, returned_on, due)
        if due == r.due_date and provisional == r.due_provisional:
            continue
        old = r.due_date
        r.due_date, r.due_provisional = due, provisional
        changed.append(r)
        if old != due:
            events.append(_event(r.matter_id, actor, "rectification_moved", reason, rectification=r.pk,
                                 old_due=str(old), new_due=str(due)))
            _tell(told, r.matter, f"因{reason}，整改时限由{_doc_date(old, True)}调整为{_doc_date(due, provisional)}。")
    Rectification.objects.bulk_update(changed, ["due_date", "due_provisional"])
