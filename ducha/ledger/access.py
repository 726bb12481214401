"""Who reads which part of the ledger (S2.4).

The supervision office runs the phases and sees everything; the other city offices and
the mayor read everything; a vice mayor reads the units of the portfolio; a unit reads its
own flags and notices. Administrators read no business data. A notice, flag or import job
out of scope is a 404, exactly like a missing one.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet
from django.http import Http404

from ducha.ledger.models import LedgerCheckFlag, LedgerImportJob, SupervisionNotice
from ducha.org.access import unit_scope
from ducha.org.models import User
from ducha.org.roles import ADMIN_ROLES, Role


def reads_ledger(user: User | AnonymousUser) -> bool:
    return bool(user.is_authenticated and user.is_active and getattr(user, "role", "") not in ADMIN_ROLES)


def runs_ledger(user: User | AnonymousUser) -> bool:
    return bool(user.is_authenticated and user.is_active and getattr(user, "role", "") == Role.SUPERVISION_OFFICE)


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
