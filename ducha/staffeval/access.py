"""Who reads a unit's internal evaluation (S2.5, S6.2): personal data, kept inside the unit.

- A unit's administrator reads the unit's internal ledger, its monthly reviews and every line
  of its staff evaluations, and is the one who writes them.
- A unit's staff read the ledger and the monthly reviews of their unit and, once the
  organisation and personnel office has confirmed an evaluation, their own line in it with
  the unit's summary counts; never a colleague's line, nor a draft.
- The organisation and personnel office (组织人事部门, ``Role.HR``) reads every unit's ledger,
  reviews and submitted evaluations (a draft is the unit's working paper) and confirms or
  returns them. It reads nothing else of the platform: ``org.access.unit_scope`` gives it no unit.
- City leaders and the supervision, general and performance offices do **not** read staff
  evaluations, nor a unit's internal ledger here: they are personal data of the unit's people.
- The administrator roles (system, security, audit) read nothing.

Anything not readable is a 404, as for something that does not exist.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet
from django.http import Http404

from ducha.org.models import Unit, User
from ducha.org.roles import Role
from ducha.staffeval.models import EvaluationState, StaffEvaluation, StaffLine

__all__ = ["access_evaluation_by_id", "access_unit_by_id", "is_hr", "is_unit_admin_of", "reader_kind",
           "visible_evaluations", "visible_lines", "visible_units"]


def _active(user: User | AnonymousUser) -> User | None:
    if not user.is_authenticated or not user.is_active:
        return None
    assert isinstance(user, User)
    return user


def is_hr(user: User | AnonymousUser) -> bool:
    u = _active(user)
    return u is not None and u.role == Role.HR


def reader_kind(user: User | AnonymousUser) -> str:
    """"hr", "admin" (the unit's administrator), "staff" or "" (reads nothing here)."""
    u = _active(user)
    if u is None:
        return ""
    if u.role == Role.HR:
        return "hr"
    if u.unit_id is not None and u.role == Role.UNIT_ADMIN:
        return "admin"
    if u.unit_id is not None and u.role == Role.UNIT_STAFF:
        return "staff"
    return ""


def is_unit_admin_of(user: User | AnonymousUser, unit_id: int) -> bool:
    return reader_kind(user) == "admin" and getattr(user, "unit_id", None) == unit_id


def visible_units(user: User | AnonymousUser) -> QuerySet[Unit]:
    """The units whose ledger and monthly reviews ``user`` reads."""
    kind = reader_kind(user)
    if kind == "hr":
        return Unit.objects.filter(is_active=True)
    if kind in ("admin", "staff"):
        return Unit.objects.filter(pk=getattr(user, "unit_id", 0) or 0)
    return Unit.objects.none()


def access_unit_by_id(user: User | AnonymousUser, unit_id: int) -> Unit:
    try:
        return visible_units(user).get(pk=unit_id)
    except Unit.DoesNotExist:
        raise Http404("No such unit") from None


def visible_evaluations(user: User | AnonymousUser) -> QuerySet[StaffEvaluation]:
    kind = reader_kind(user)
    if kind == "hr":
        return StaffEvaluation.objects.exclude(state=EvaluationState.DRAFT)
    if kind == "admin":
        return StaffEvaluation.objects.filter(unit_id=getattr(user, "unit_id", 0) or 0)
    if kind == "staff":
        return StaffEvaluation.objects.filter(unit_id=getattr(user, "unit_id", 0) or 0, state=EvaluationState.CONFIRMED)
    return StaffEvaluation.objects.none()


def access_evaluation_by_id(user: User | AnonymousUser, evaluation_id: int) -> StaffEvaluation:
    try:
        return visible_evaluations(user).select_related("unit").get(pk=evaluation_id)
    except StaffEvaluation.DoesNotExist:
        raise Http404("No such staff evaluation") from None


def visible_lines(user: User | AnonymousUser, evaluation: StaffEvaluation) -> QuerySet[StaffLine]:
    """The lines of ``evaluation`` (itself visible) that ``user`` reads: a member of staff only their own."""
    lines = StaffLine.objects.filter(evaluation=evaluation).select_related("person", "section")
    if reader_kind(user) == "staff":
        return lines.filter(person_id=getattr(user, "pk", None))
    return lines
