"""Who reads and who acts on the evaluation (S6.3).

The performance office runs it and reads every period in every state. The approver (the mayor,
or ``DUCHA_EVALUATION_APPROVER``) reads a period once it is checked. Everyone else who reads
business data reads a period once it is published: its ranking is announced to every unit.
The explanation of a unit's score is for the offices, the approver, the leader whose scope holds
the unit and the unit itself; nothing of a period reaches anyone before publication but the
performance office and the approver.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet
from django.http import Http404

from ducha.evaluation.models import EvaluationPeriod, PeriodState
from ducha.org.access import unit_scope
from ducha.org.models import LeaderKind, LeaderPost, Unit, User
from ducha.org.roles import ADMIN_ROLES, CITY_WIDE_ROLES, Role

SEEN_BY_APPROVER = (PeriodState.CHECKED, PeriodState.APPROVED, PeriodState.PUBLISHED)


def runs_evaluation(user: User | AnonymousUser) -> bool:
    return bool(user.is_authenticated and user.is_active and getattr(user, "role", "") == Role.PERFORMANCE_OFFICE)


def approver() -> User | None:
    name = settings.DUCHA_EVALUATION_APPROVER
    if name:
        return User.objects.filter(username=name, is_active=True).first()
    post = LeaderPost.objects.filter(kind=LeaderKind.MAYOR, person__is_active=True).select_related("person").first()
    return post.person if post else None


def approves(user: User | AnonymousUser) -> bool:
    person = approver()
    return bool(user.is_authenticated and person is not None and person.pk == user.pk)


def _reader(user: User | AnonymousUser) -> bool:
    return bool(user.is_authenticated and user.is_active and getattr(user, "role", "") not in ADMIN_ROLES)


def visible_periods(user: User | AnonymousUser) -> QuerySet[EvaluationPeriod]:
    if not _reader(user):
        return EvaluationPeriod.objects.none()
    if runs_evaluation(user):
        return EvaluationPeriod.objects.all()
    shown = Q(state=PeriodState.PUBLISHED)
    if approves(user):
        shown |= Q(state__in=SEEN_BY_APPROVER)
    return EvaluationPeriod.objects.filter(shown)


def access_period_by_id(user: User | AnonymousUser, evaluation_id: int) -> EvaluationPeriod:
    try:
        return visible_periods(user).select_related("category", "indicator_set").get(pk=evaluation_id)
    except EvaluationPeriod.DoesNotExist:
        raise Http404("No such evaluation period") from None


def sees_explanation(user: User, evaluation: EvaluationPeriod, unit_id: int) -> bool:
    """Whether ``user`` may read how ``unit_id``'s score was made (the period is visible to them)."""
    if runs_evaluation(user) or approves(user) or user.role in CITY_WIDE_ROLES:
        return True
    return unit_scope(user).allows(unit_id)


def explained_units(user: User, evaluation: EvaluationPeriod, unit_ids: list[int]) -> set[int]:
    """``sees_explanation`` for a whole ranking, asking who the user is once, not per unit."""
    if runs_evaluation(user) or approves(user) or user.role in CITY_WIDE_ROLES:
        return set(unit_ids)
    scope = unit_scope(user)
    return {u for u in unit_ids if scope.allows(u)}


def rates_units(user: User) -> QuerySet[Unit]:
    """The units a leader rates: those in their scope (the mayor every unit)."""
    if user.role != Role.LEADER:
        return Unit.objects.none()
    return Unit.objects.filter(unit_scope(user).q("pk"), is_active=True)
