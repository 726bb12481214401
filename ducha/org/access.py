"""Who sees which units: the one place that answers it.

Every business object (a matter, a report, a letter) is owned by a unit, so its access
check reduces to `unit_scope(user)`: later apps filter their querysets with it instead
of writing their own rules. An object outside the caller's scope is reported as missing
(404), never as forbidden, so a unit cannot learn what another unit has.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest

from ducha.org.models import LeaderKind, Unit, User
from ducha.org.roles import ADMIN_ROLES, CITY_WIDE_ROLES, UNIT_ROLES, Role


@dataclass(frozen=True)
class UnitScope:
    """`all_units` or an explicit set of unit ids (possibly empty)."""

    all_units: bool
    unit_ids: frozenset[int]

    def q(self, field: str = "unit") -> Q:
        """A filter on `field` (a foreign key to Unit) that keeps only what the scope allows."""
        if self.all_units:
            return Q()
        if not self.unit_ids:
            return Q(pk__in=[])
        return Q(**{f"{field}__in": sorted(self.unit_ids)})

    def allows(self, unit_id: int | None) -> bool:
        return self.all_units or (unit_id is not None and unit_id in self.unit_ids)


NOTHING = UnitScope(all_units=False, unit_ids=frozenset())
EVERYTHING = UnitScope(all_units=True, unit_ids=frozenset())


def unit_scope(user: User | AnonymousUser) -> UnitScope:
    """The units whose business data `user` may see.

    The mayor and the three city offices see all units; a vice mayor sees the units of
    their portfolio (分管); a unit's administrator and staff see their own unit; the
    administrator roles see none (they run the system, not the city's work).
    """
    if not user.is_authenticated or not user.is_active:
        return NOTHING
    assert isinstance(user, User)
    role = user.role
    if role in CITY_WIDE_ROLES:
        return EVERYTHING
    if role == Role.LEADER:
        # A page asks for the scope several times (its matters, its unit choices); the
        # portfolio is read once per user object, that is once per request.
        cached: UnitScope | None = getattr(user, "_ducha_portfolio_scope", None)
        if cached is not None:
            return cached
        post = getattr(user, "leader_post", None)
        if post is None:
            return NOTHING
        if post.kind == LeaderKind.MAYOR:
            return EVERYTHING
        scope = UnitScope(False, frozenset(post.portfolio.values_list("id", flat=True)))
        user._ducha_portfolio_scope = scope  # type: ignore[attr-defined]
        return scope
    if role in UNIT_ROLES and user.unit_id is not None:
        return UnitScope(False, frozenset({user.unit_id}))
    if role in ADMIN_ROLES:
        return NOTHING
    return NOTHING


def visible_units(user: User | AnonymousUser) -> QuerySet[Unit]:
    return Unit.objects.filter(unit_scope(user).q("pk"))


def access_unit_by_id(user: User | AnonymousUser, unit_id: int) -> Unit:
    """The unit, if `user` may see it; otherwise Http404, whether it exists or not."""
    try:
        return visible_units(user).get(pk=unit_id)
    except Unit.DoesNotExist:
        raise Http404("No such unit") from None


def visible_people(user: User | AnonymousUser) -> QuerySet[User]:
    return User.objects.filter(unit_scope(user).q("unit"))


def access_person_by_id(user: User | AnonymousUser, person_id: int) -> User:
    try:
        return visible_people(user).get(pk=person_id)
    except User.DoesNotExist:
        raise Http404("No such person") from None


def business_reader(request: HttpRequest) -> User:
    """The logged-in person, who reads business data: the three administrators run the system
    and read none (separation of duties), so a page or an operation of business data is a 404
    for them, as for anything else out of their scope."""
    user = request.user
    assert isinstance(user, User)
    if user.role in ADMIN_ROLES:
        raise Http404("No business data for administrators")
    return user
