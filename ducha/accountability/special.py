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
from ducha.ledger.cutoff import end_of
from ducha.matters.models import Matter, Source, Status
from ducha.reminders.models import Reminder, RungAction
from ducha.rules.periods import Period

STILL_OPEN = (Status.ASSIGNED, Status.IN_PROGRESS, Status.CLAIMED)


def judged_on(quarter: Period, today: date) -> date:
    """The day the quarter's candidates are judged on: its last day, or today before then."""
    return min(quarter.end, today)


def candidates(quarter: Period, today: date) -> QuerySet[Matter]:
    """The quarter's candidates the office has not decided yet, oldest deadline first."""
    day = judged_on(quarter, today)
    last_rung = Reminder.objects.filter(matter=OuterRef("pk"), action=RungAction.ACCOUNTABILITY,
                                        created_at__lt=end_of(day))
    decided = SpecialReview.objects.filter(quarter=quarter.key, matter=OuterRef("pk"))
    return (Matter.objects.filter(source=Source.KEY_WORK, status__in=STILL_OPEN, due_date__lt=day)
            .filter(Exists(last_rung)).exclude(Exists(decided))
            .select_related("lead_unit").order_by("due_date", "id"))


def decisions(quarter: Period) -> QuerySet[SpecialReview]:
    return (SpecialReview.objects.filter(quarter=quarter.key)
            .select_related("matter", "matter__lead_unit", "record", "decided_by").order_by("-decided_at", "-id"))
