"""Who sees which matters, and in which capacity they may act on one.

A matter is visible to the units it involves (lead unit and co-units) within the caller's
unit scope (``ducha.org.access``). Drafts are the supervision office's until assigned.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from ducha.matters.models import CoUnitPart, Matter, Status
from ducha.org.access import unit_scope
from ducha.org.models import User
from ducha.org.roles import UNIT_ROLES, Role
from ducha.rules.lifecycle import Actor


def visible_matters(user: User | AnonymousUser) -> QuerySet[Matter]:
    scope = unit_scope(user)
    matters = Matter.objects.all()
    if getattr(user, "role", "") != Role.SUPERVISION_OFFICE:
        matters = matters.exclude(status=Status.DRAFT)
    if scope.all_units:
        return matters
    if not scope.unit_ids:
        return matters.none()
    ids = sorted(scope.unit_ids)
    # EXISTS instead of a join: no duplicate rows, no DISTINCT over a large list.
    involved = Exists(CoUnitPart.objects.filter(matter=OuterRef("pk"), unit__in=ids))
    return matters.filter(Q(lead_unit__in=ids) | involved)


def access_matter_by_id(user: User | AnonymousUser, matter_id: int) -> Matter:
    """The matter if ``user`` may see it; Http404 otherwise, exactly as for a missing one."""
    try:
        return visible_matters(user).select_related("lead_unit", "responsible_leader").get(pk=matter_id)
    except Matter.DoesNotExist:
        raise Http404("No such matter") from None


def actor_kinds(user: User | AnonymousUser, matter: Matter) -> frozenset[Actor]:
    """The capacities in which ``user`` acts on ``matter`` (for the lifecycle table)."""
    if not user.is_authenticated or not user.is_active:
        return frozenset()
    kinds: set[Actor] = set()
    role = getattr(user, "role", "")
    if role == Role.SUPERVISION_OFFICE:
        kinds.add(Actor.SUPERVISOR)
    if role in UNIT_ROLES and getattr(user, "unit_id", None) == matter.lead_unit_id:
        kinds.add(Actor.LEAD_UNIT)
    return frozenset(kinds)


def can_create_matters(user: User | AnonymousUser) -> bool:
    """The supervision office creates matters; the general office registers units' requests (S1.5)."""
    return bool(user.is_authenticated and getattr(user, "role", "") in (Role.SUPERVISION_OFFICE, Role.GENERAL_OFFICE))
