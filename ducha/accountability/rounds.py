"""Who reads which supervision round (S2.6).

The city-wide offices read every round, its inspectors theirs. A unit, or a vice mayor for the
portfolio, reads an announced round whose scope holds it; an unannounced (暗访) round stays
invisible to them until its findings are issued. Of the findings, a unit reads its own, and
only once the round is issued.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from ducha.accountability.rounds_models import Finding, Openness, Round, RoundState
from ducha.org.access import unit_scope
from ducha.org.models import User
from ducha.org.roles import ADMIN_ROLES, CITY_WIDE_ROLES


def sees_all_rounds(user: User) -> bool:
    return user.role in CITY_WIDE_ROLES


def visible_rounds(user: User | AnonymousUser) -> QuerySet[Round]:
    if not user.is_authenticated or not user.is_active or getattr(user, "role", "") in ADMIN_ROLES:
        return Round.objects.none()
    assert isinstance(user, User)
    if sees_all_rounds(user):
        return Round.objects.all()
    scope = unit_scope(user)
    inspecting = Q(inspectors=user)
    if not scope.unit_ids and not scope.all_units:
        return Round.objects.filter(inspecting).distinct()
    in_scope = Exists(Round.units.through.objects.filter(round_id=OuterRef("pk")).filter(scope.q("unit")))
    shown = Q(openness=Openness.OPEN) | Q(state=RoundState.ISSUED)
    return Round.objects.filter(inspecting | (Q(in_scope) & shown)).distinct()


def visible_findings(user: User, round_: Round) -> QuerySet[Finding]:
    findings = round_.findings.select_related("unit", "matter", "rectification")
    if sees_all_rounds(user) or round_.inspectors.filter(pk=user.pk).exists():
        return findings
    if round_.state != RoundState.ISSUED:
        return findings.none()
    return findings.filter(unit_scope(user).q("unit"))


def access_round_by_id(user: User | AnonymousUser, round_id: int) -> Round:
    try:
        return visible_rounds(user).select_related("created_by").get(pk=round_id)
    except Round.DoesNotExist:
        raise Http404("No such round") from None


def inspects(user: User, round_: Round) -> bool:
    return round_.inspectors.filter(pk=user.pk).exists()
