"""Who reads which lawful-administration check (S1.6).

The city-wide offices read every check, open or published, and every department's result in
it: the supervision office runs the check, the performance office reads the scores for the
evaluation. A department, and a city leader for the portfolio (the mayor for all), reads a
check only once it is published, and in it only the results of the units in its
``org.access.unit_scope``: a check under way is the office's working paper. The administrators
read none. Anything else is a 404, as for a check that does not exist.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404

from ducha.accountability.access import registers
from ducha.lawful.models import Check, CheckState
from ducha.org.access import unit_scope
from ducha.org.models import Unit, User
from ducha.org.roles import ADMIN_ROLES, CITY_WIDE_ROLES

__all__ = ["access_check_by_id", "access_result_unit", "runs_checks", "visible_checks", "visible_units_of"]

runs_checks = registers  # the supervision office (督查室) opens, records, publishes, hands to cases


def _reader(user: User | AnonymousUser) -> User | None:
    if not user.is_authenticated or not user.is_active or getattr(user, "role", "") in ADMIN_ROLES:
        return None
    assert isinstance(user, User)
    return user


def visible_checks(user: User | AnonymousUser) -> QuerySet[Check]:
    reader = _reader(user)
    if reader is None:
        return Check.objects.none()
    if reader.role in CITY_WIDE_ROLES:
        return Check.objects.all()
    scope = unit_scope(reader)
    if not scope.all_units and not scope.unit_ids:
        return Check.objects.none()
    in_scope = Exists(Check.units.through.objects.filter(check_id=OuterRef("pk")).filter(scope.q("unit")))
    return Check.objects.filter(in_scope, state=CheckState.PUBLISHED)


def visible_units_of(user: User | AnonymousUser, check: Check) -> QuerySet[Unit]:
    """The departments of ``check`` whose results ``user`` reads (the check itself being visible)."""
    reader = _reader(user)
    units = check.units.order_by("sort_order", "id")
    if reader is None:
        return units.none()
    if reader.role in CITY_WIDE_ROLES:
        return units
    if check.state != CheckState.PUBLISHED:
        return units.none()
    return units.filter(unit_scope(reader).q("pk"))


def access_check_by_id(user: User | AnonymousUser, check_id: int) -> Check:
    """The check if ``user`` may read it; Http404 otherwise, exactly as for a missing one."""
    try:
        return visible_checks(user).select_related("opened_by", "published_by").get(pk=check_id)
    except Check.DoesNotExist:
        raise Http404("No such check") from None


def access_result_unit(user: User | AnonymousUser, check: Check, unit_id: int) -> Unit:
    """A department of ``check`` whose result ``user`` reads; Http404 otherwise."""
    try:
        return visible_units_of(user, check).get(pk=unit_id)
    except Unit.DoesNotExist:
        raise Http404("No such department in this check") from None
