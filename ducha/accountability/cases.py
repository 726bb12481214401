"""效能监察 (S1.14): who reads which efficiency case, and what the platform proposes.

A case is a matter of record for the office; its unit (and the unit's vice mayor) read it
once it is confirmed or not confirmed, when there is something to answer for or a name
cleared, not while it is a lead under verification. The platform proposes a case for a matter
still open whose reminders reached the ladder's last rung (提请问责) or said that no progress
was reported for too long (``rules.escalation``: read here, not repeated); a person decides
to open it, or dismisses the proposal with the reason.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.http import Http404

from ducha.accountability.models import Case, CaseState, ProposalDismissal
from ducha.matters.models import Matter, Status
from ducha.org.access import unit_scope
from ducha.org.models import User
from ducha.org.roles import ADMIN_ROLES, CITY_WIDE_ROLES
from ducha.reminders.models import Reminder, ReminderKind, RungAction

OPEN_STATES = (CaseState.LEAD, CaseState.VERIFYING, CaseState.CONFIRMED)
SHOWN_TO_UNITS = (CaseState.CONFIRMED, CaseState.NOT_CONFIRMED, CaseState.HANDLED)
STILL_OPEN = (Status.ASSIGNED, Status.IN_PROGRESS, Status.CLAIMED)

# Where a case may go from each state (who: the supervision office).
NEXT: dict[str, tuple[str, ...]] = {
    CaseState.LEAD: (CaseState.VERIFYING, CaseState.NOT_CONFIRMED),
    CaseState.VERIFYING: (CaseState.CONFIRMED, CaseState.NOT_CONFIRMED),
    CaseState.CONFIRMED: (CaseState.HANDLED,),
}


def visible_cases(user: User | AnonymousUser) -> QuerySet[Case]:
    if not user.is_authenticated or not user.is_active or getattr(user, "role", "") in ADMIN_ROLES:
        return Case.objects.none()
    assert isinstance(user, User)
    cases = Case.objects.filter(unit_scope(user).q("unit"))
    return cases if user.role in CITY_WIDE_ROLES else cases.filter(state__in=SHOWN_TO_UNITS)


def access_case_by_id(user: User | AnonymousUser, case_id: int) -> Case:
    try:
        return visible_cases(user).select_related("unit", "matter", "opened_by").get(pk=case_id)
    except Case.DoesNotExist:
        raise Http404("No such case") from None


def proposals() -> QuerySet[Matter]:
    """Matters still open whose latest proposing reminder nobody has acted on: no open case for
    the matter, the reminder not dismissed. Each carries ``proposing`` (that reminder's id)."""
    proposing = Reminder.objects.filter(Q(action=RungAction.ACCOUNTABILITY) | Q(kind=ReminderKind.INACTION),
                                        matter=OuterRef("pk"), co_part__isnull=True).order_by("-created_at", "-id")
    open_case = Case.objects.filter(matter=OuterRef("pk"), state__in=OPEN_STATES)
    return (Matter.objects.filter(status__in=STILL_OPEN)
            .annotate(proposing=Subquery(proposing.values("id")[:1]))
            .filter(proposing__isnull=False).exclude(Exists(open_case))
            .exclude(Exists(ProposalDismissal.objects.filter(reminder_id=OuterRef("proposing"))))
            .select_related("lead_unit").order_by("due_date", "id"))
