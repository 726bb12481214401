"""Who reads which part of the ledger and who runs which phase (S2.4).

Each phase is run by the roles of the setting DUCHA_LEDGER_PHASE_RUNNERS; by default, as in
the seed, the general office (市政府办公室) organises the June check and the September
reconciliation, and the supervision office builds and closes the year and handles the
Excel ledger. The city offices and the mayor read everything; a vice mayor reads the units
of the portfolio; a unit reads its own flags and notices and confirms its own self-check.
Administrators read no business data. A notice, flag or import job out of scope is a 404,
exactly like a missing one.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import get_language

from ducha.ledger.models import LedgerCheckFlag, LedgerImportJob, SupervisionNotice
from ducha.org.access import unit_scope
from ducha.org.models import User
from ducha.org.roles import ADMIN_ROLES, CITY_WIDE_ROLES, UNIT_ROLES, Role


def reads_ledger(user: User | AnonymousUser) -> bool:
    return bool(user.is_authenticated and user.is_active and getattr(user, "role", "") not in ADMIN_ROLES)


def runs_ledger(user: User | AnonymousUser) -> bool:
    """The supervision office keeps the ledger's files: the Excel import, its jobs and templates."""
    return bool(user.is_authenticated and user.is_active and getattr(user, "role", "") == Role.SUPERVISION_OFFICE)


def phase_runner_roles(key: str) -> tuple[str, ...]:
    return tuple(settings.DUCHA_LEDGER_PHASE_RUNNERS.get(key, ()))


def runs_phase(user: User | AnonymousUser, key: str) -> bool:
    """Whether ``user`` may run the phase ``key`` (setting DUCHA_LEDGER_PHASE_RUNNERS)."""
    return bool(user.is_authenticated and user.is_active and getattr(user, "role", "") in phase_runner_roles(key))


def runs_any_phase(user: User | AnonymousUser) -> bool:
    return any(runs_phase(user, key) for key in settings.DUCHA_LEDGER_PHASE_RUNNERS)


def previews_phase(user: User | AnonymousUser, key: str) -> bool:
    """A phase's preview is open to those who run it and to the city-wide offices, which read
    what a phase would do without running it (the supervision office keeps its view)."""
    return runs_phase(user, key) or bool(
        user.is_authenticated and user.is_active and getattr(user, "role", "") in CITY_WIDE_ROLES)


def phase_runner_names(key: str) -> str:
    """The roles that run ``key``, in the active language, for a refusal message."""
    sep = "、" if (get_language() or "").startswith("zh") else ", "
    return sep.join(str(Role(r).label) for r in phase_runner_roles(key))


def self_check_unit(user: User | AnonymousUser) -> int | None:
    """The unit whose self-check (自查) ``user`` fills in: a unit's own administrator or staff."""
    if user.is_authenticated and user.is_active and getattr(user, "role", "") in UNIT_ROLES:
        return getattr(user, "unit_id", None)
    return None


def visible_notices(user: User | AnonymousUser) -> QuerySet[SupervisionNotice]:
    if not reads_ledger(user):
        return SupervisionNotice.objects.none()
    return SupervisionNotice.objects.filter(unit_scope(user).q("unit"))


def access_notice_by_id(user: User | AnonymousUser, notice_id: int) -> SupervisionNotice:
    try:
        return visible_notices(user).select_related("unit", "ledger_year", "issued_by", "read_by").get(pk=notice_id)
    except SupervisionNotice.DoesNotExist:
        raise Http404("No such notice") from None


def visible_flags(user: User | AnonymousUser) -> QuerySet[LedgerCheckFlag]:
    if not reads_ledger(user):
        return LedgerCheckFlag.objects.none()
    return LedgerCheckFlag.objects.filter(unit_scope(user).q("unit"))


def access_import_job_by_id(user: User | AnonymousUser, job_id: int) -> LedgerImportJob:
    """Import jobs are the supervision office's working files."""
    if not runs_ledger(user):
        raise Http404("No such import")
    try:
        return LedgerImportJob.objects.select_related("created_by").get(pk=job_id)
    except LedgerImportJob.DoesNotExist:
        raise Http404("No such import") from None
