"""Who sees which matters, and in which capacity they may act on one.

A matter is visible to the units it involves (lead unit, co-units, and for a unit's request
to the city government the unit that asked, S1.5) within the caller's unit scope
(``ducha.org.access``). Drafts are the supervision office's until assigned.
"""

from __future__ import annotations

from collections.abc import Collection

from django.contrib.auth.models import AnonymousUser
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from ducha.matters.models import CoUnitPart, Matter, Status
from ducha.org.access import unit_scope
from ducha.org.models import User
from ducha.org.roles import UNIT_ROLES, Role
from ducha.rules.lifecycle import Actor


def visible_matters(user: User | AnonymousUser) -> QuerySet[Matter]:
    return _scoped(user)[0]


def visible_matter_parts(user: User | AnonymousUser) -> list[QuerySet[Matter]]:
    """Disjoint querysets whose union is ``visible_matters(user)``, each cheap to count.

    For a dense scope the single queryset's ``lead OR EXISTS co-unit`` cannot use an index, so
    counting it walks the table; counted apart, the lead part is an index scan of
    (lead_unit, status) and the co-unit part a join from the scope's co-unit parts.
    """
    return _scoped(user)[1]


def visible_matters_led_by(user: User | AnonymousUser, unit_ids: Collection[int]) -> QuerySet[Matter]:
    """The visible matters these units lead. When the units are all in the user's scope that is
    the scope's lead part alone: the co-unit and request parts exclude what the scope's units
    lead, and filtering them by a lead unit would read every matter those units lead to keep
    none (a vice mayor's dashboard: 0.8 s of 1,000,000 matters)."""
    scope = unit_scope(user)
    if scope.all_units or set(unit_ids) <= set(scope.unit_ids):
        return _scoped(user)[1][0].filter(lead_unit__in=sorted(unit_ids))
    return visible_matters(user).filter(lead_unit__in=sorted(unit_ids))


def _scoped(user: User | AnonymousUser) -> tuple[QuerySet[Matter], list[QuerySet[Matter]]]:
    scope = unit_scope(user)
    matters = Matter.objects.all()
    if getattr(user, "role", "") != Role.SUPERVISION_OFFICE:
        matters = matters.exclude(status=Status.DRAFT)
    if scope.all_units:
        return matters, [matters]
    if not scope.unit_ids:
        return matters.none(), [matters.none()]
    ids = sorted(scope.unit_ids)
    lead = Matter.objects.filter(lead_unit__in=ids).order_by()
    co_parts = CoUnitPart.objects.filter(unit__in=ids).order_by()
    # Requests a unit submitted are few (S1.5) and indexed by the foreign key: added either way.
    requested = Matter.objects.filter(requesting_unit__in=ids).order_by()
    if _is_sparse(user, lead, co_parts):
        # A few matters in a big city: collect their ids through the two indexes (lead unit;
        # co-unit part by unit) and read just those. The OR below would walk the whole list
        # order to find them (bench/lists.py: a quiet unit's page 0.5 s → a few ms).
        sparse = matters.filter(pk__in=lead.values("pk").union(co_parts.values("matter_id"), requested.values("pk"),
                                                               all=True))
        return sparse, [sparse]
    # Many matters: walk the list order and keep the involved ones; EXISTS instead of a join
    # gives no duplicate rows and needs no DISTINCT.
    involved = Exists(CoUnitPart.objects.filter(matter=OuterRef("pk"), unit__in=ids))
    dense = matters.filter(Q(lead_unit__in=ids) | involved | Q(requesting_unit__in=ids))
    # The co-unit part as a semi-join from the scope's co-unit parts (their unit index), not an
    # EXISTS tested on every matter led elsewhere: a vice mayor's dashboard counts it whole.
    co_unit = matters.exclude(lead_unit__in=ids).filter(pk__in=co_parts.values("matter_id"))
    return dense, [matters.filter(lead_unit__in=ids), co_unit,
                   matters.exclude(lead_unit__in=ids).exclude(involved).filter(requesting_unit__in=ids)]


# Below this many lead matters plus co-unit parts a scope counts as sparse. Collecting the
# ids costs about 8 µs a matter on PostgreSQL, so a sparse scope is read within about 40 ms.
SPARSE_SCOPE = 5000


def _is_sparse(user: User | AnonymousUser, lead: QuerySet[Matter], co_parts: QuerySet[CoUnitPart]) -> bool:
    """Whether the scope involves few matters; measured once per user object (per request)."""
    cached: bool | None = getattr(user, "_ducha_sparse_scope", None)
    if cached is None:
        n = lead.values("pk")[:SPARSE_SCOPE].count()
        if n < SPARSE_SCOPE:
            n += co_parts.values("pk")[: SPARSE_SCOPE - n].count()
        cached = n < SPARSE_SCOPE
        user._ducha_sparse_scope = cached  # type: ignore[union-attr]
    return cached


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
