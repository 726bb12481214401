"""每季度开展一次专项问责 (S1.16): the quarter's candidates for special accountability.

A candidate is a key-work matter (清单事项) overdue at the quarter's end (or today, when the
quarter is still running) and still open, for which the reminder ladder reached its last rung,
提请问责 (``RungAction.ACCOUNTABILITY``), by then. The ladder's rules decide when that rung
fires (``rules.escalation``); here they are read, not repeated. The office decides each
candidate once per quarter: a record registered for it, or no accountability with the reason.
"""

from __future__ import annotations

from datetime import date

from django.db.models import Exists, OuterRef, QuerySet

from ducha.accountability.models import SpecialReview
from ducha.matters.models import Matter, Source, Status
from ducha.reminders.models import EscalationRung, Reminder, RungAction
from ducha.rules.escalation import rung_date
from ducha.rules.periods import Period
from ducha.rules.workdays import UncoveredYear
from ducha.workcal import service as workcal

STILL_OPEN = (Status.ASSIGNED, Status.IN_PROGRESS, Status.CLAIMED)


def judged_on(quarter: Period, today: date) -> date:
    """The day the quarter's candidates are judged on: its last day, or today before then."""
    return min(quarter.end, today)


def candidates(quarter: Period, today: date) -> QuerySet[Matter]:
    """The quarter's candidates the office has not decided yet, oldest deadline first.

    When the last rung fired is the ladder's own date for it (``rules.escalation.rung_date``: its
    offset in working days from the deadline the reminder was for), not the row's timestamp: a
    quarter looked at later judges what had fired by its end."""
    day = judged_on(quarter, today)
    last_rung = Reminder.objects.filter(matter=OuterRef("pk"), action=RungAction.ACCOUNTABILITY,
                                        co_part__isnull=True)
    decided = SpecialReview.objects.filter(quarter=quarter.key, matter=OuterRef("pk"))
    matters = (Matter.objects.filter(source=Source.KEY_WORK, status__in=STILL_OPEN, due_date__lt=day)
               .filter(Exists(last_rung)).exclude(Exists(decided)))
    fired = _fired_by(list(matters.values_list("pk", flat=True)), day)
    return matters.filter(pk__in=sorted(fired)).select_related("lead_unit").order_by("due_date", "id")


def _fired_by(matter_ids: list[int], day: date) -> set[int]:
    """Of these matters, those whose accountability rung fired on or before ``day``."""
    if not matter_ids:
        return set()
    offsets = dict(EscalationRung.objects.values_list("code", "offset_workdays"))
    cal = workcal.get_calendar()
    out: set[int] = set()
    for mid, stage, deadline in Reminder.objects.filter(
            matter_id__in=matter_ids, action=RungAction.ACCOUNTABILITY, co_part__isnull=True).values_list(
            "matter_id", "stage", "deadline"):
        try:
            if rung_date(cal, deadline, offsets.get(stage, 0)) <= day:
                out.add(mid)
        except UncoveredYear:
            continue
    return out


def decisions(quarter: Period) -> QuerySet[SpecialReview]:
    return (SpecialReview.objects.filter(quarter=quarter.key)
            .select_related("matter", "matter__lead_unit", "record", "decided_by").order_by("-decided_at", "-id"))
