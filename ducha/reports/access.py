"""Who reads which monthly reports, who writes them, who returns them.

Reports belong to a unit, so reading reduces to ``unit_scope``: the city offices and the
mayor read every report, a vice mayor those of the portfolio, a unit its own. Writing is
narrower: only the unit's own staff and administrator fill in and submit its report
("report once": the figures are the unit's statement). Only the supervision office,
which checks the reports, returns one for correction.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet
from django.http import Http404

from ducha.org.access import unit_scope
from ducha.org.models import User
from ducha.org.roles import CITY_WIDE_ROLES, UNIT_ROLES, Role
from ducha.reports.models import MonthlyReport


def visible_reports(user: User | AnonymousUser) -> QuerySet[MonthlyReport]:
    return MonthlyReport.objects.filter(unit_scope(user).q("unit"))


def access_report_by_id(user: User | AnonymousUser, report_id: int) -> MonthlyReport:
    """The report if ``user`` may read it; Http404 otherwise, exactly as for a missing one."""
    try:
        return visible_reports(user).select_related("unit", "submitted_by").get(pk=report_id)
    except MonthlyReport.DoesNotExist:
        raise Http404("No such report") from None


def can_write_report(user: User | AnonymousUser, unit_id: int) -> bool:
    return bool(
        user.is_authenticated and user.is_active
        and getattr(user, "role", "") in UNIT_ROLES and getattr(user, "unit_id", None) == unit_id
    )


def can_return_report(user: User | AnonymousUser) -> bool:
    return bool(user.is_authenticated and user.is_active and getattr(user, "role", "") == Role.SUPERVISION_OFFICE)


def can_read_portfolio(user: User | AnonymousUser) -> bool:
    """Leaders read their units' reports side by side; so do the city offices."""
    role = getattr(user, "role", "")
    return bool(user.is_authenticated and user.is_active and (role == Role.LEADER or role in CITY_WIDE_ROLES))


def can_issue_bulletin(user: User | AnonymousUser) -> bool:
    return can_return_report(user)


def can_close_month(user: User | AnonymousUser) -> bool:
    """一月一结账 (S2.8): the supervision office closes a month, as it issues the bulletin."""
    return can_return_report(user)


def can_read_closes(user: User | AnonymousUser) -> bool:
    """The city offices read the closed months: the performance office evaluates on them."""
    return bool(user.is_authenticated and user.is_active and getattr(user, "role", "") in CITY_WIDE_ROLES)
