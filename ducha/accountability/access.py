"""Who reads the register and who acts on it.

Records belong to their unit, so reading follows ``org.access.unit_scope``: the city-wide
offices and the mayor read every record, a vice mayor the portfolio's, a unit its own; the
administrators none. The supervision office registers records, answers appeals and records
what the organisation department did with a consequence; a unit's administrator appeals
for the unit. Anything else is a 404, as for a record that does not exist.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet
from django.http import Http404

from ducha.accountability.models import Consequence, Record
from ducha.org.access import unit_scope
from ducha.org.models import User
from ducha.org.roles import ADMIN_ROLES, Role


def visible_records(user: User | AnonymousUser) -> QuerySet[Record]:
    if not user.is_authenticated or not user.is_active or getattr(user, "role", "") in ADMIN_ROLES:
        return Record.objects.none()
    return Record.objects.filter(unit_scope(user).q("unit"))


def visible_consequences(user: User | AnonymousUser) -> QuerySet[Consequence]:
    return Consequence.objects.filter(raised_by__in=visible_records(user).values("pk"))


def access_record_by_id(user: User | AnonymousUser, record_id: int) -> Record:
    """The record if ``user`` may read it; Http404 otherwise, exactly as for a missing one."""
    try:
        return visible_records(user).select_related("unit", "matter", "created_by").get(pk=record_id)
    except Record.DoesNotExist:
        raise Http404("No such record") from None


def registers(user: User | AnonymousUser) -> bool:
    """Registers records, answers appeals, records the outcome of a consequence."""
    return bool(user.is_authenticated and user.is_active and getattr(user, "role", "") == Role.SUPERVISION_OFFICE)


def appeals_for(user: User | AnonymousUser, record: Record) -> bool:
    """Appeals the record for its unit: the unit's administrator."""
    return bool(user.is_authenticated and user.is_active and getattr(user, "role", "") == Role.UNIT_ADMIN
                and getattr(user, "unit_id", None) == record.unit_id)
