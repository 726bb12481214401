"""Locking after repeated failed log-ins (§8.1.4.1 b), per account and per (account, address).

The pair lock stops one source guessing; the account-wide lock stops many sources
together.

Every counter is keyed on the account the name resolves to, exactly as the log-in form
resolves it (NFKC, then the case-insensitive look-up of the user model), so `ｊtj_liaison`,
`JTJ_LIAISON` and `jtj_liaison` share one counter and one lock. A name that resolves to no
account is keyed on its normalised form, so an unknown name locks exactly like a real one. Setting the account-wide threshold above the pair threshold (policy) curbs
malicious lock-outs of someone else's account from a single address (ASVS 6.1.1).
Locks expire on their own; only the security administrator unlocks early.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from ducha.audit.api import record
from ducha.audit.models import Result
from ducha.security.models import LoginThrottle
from ducha.security.policy import Policy
from ducha.security.policy import current as current_policy

ACCOUNT_WIDE = ""


def normalise(username: str) -> str:
    """The counter key of a typed name: the account's own name when the name resolves to one."""
    # The same folding as Django's UsernameField, which the log-in form cleans the name with.
    typed = unicodedata.normalize("NFKC", username).strip()
    from django.contrib.auth import get_user_model

    model = get_user_model()
    try:
        account = model._default_manager.get_by_natural_key(typed)
    except (model.DoesNotExist, model.MultipleObjectsReturned):
        return typed.lower()[:150]
    return str(account.get_username()).lower()[:150]


def _pair(ip: str) -> str:
    return ip or "-"


@dataclass(frozen=True)
class Lock:
    username: str
    ip: str
    failures: int
    locked_until: datetime


def active_lock(username: str, ip: str) -> Lock | None:
    row = (
        LoginThrottle.objects.filter(username=normalise(username), ip__in=[ACCOUNT_WIDE, _pair(ip)],
                                     locked_until__gt=timezone.now())
        .order_by("-locked_until").first()
    )
    return Lock(row.username, row.ip, row.failures, row.locked_until) if row and row.locked_until else None


def register_failure(username: str, ip: str, *, policy: Policy | None = None) -> Lock | None:
    """Counts one failure on both keys; returns the lock it caused, if any (audited)."""
    policy = policy or current_policy()
    name, now = normalise(username), timezone.now()
    caused: Lock | None = None
    with transaction.atomic():
        for key_ip, threshold in ((_pair(ip), policy.lockout_attempts), (ACCOUNT_WIDE, policy.account_lockout_attempts)):
            LoginThrottle.objects.get_or_create(username=name, ip=key_ip, defaults={"last_failure_at": now})
            row = LoginThrottle.objects.select_for_update().get(username=name, ip=key_ip)
            stale = row.last_failure_at < now - policy.lock_duration
            if (row.locked_until and row.locked_until <= now) or stale:
                row.failures, row.locked_until = 0, None  # an old streak or an expired lock starts afresh
            row.failures += 1
            row.last_failure_at = now
            if row.failures >= threshold and row.locked_until is None:
                row.locked_until = now + policy.lock_duration
                caused = caused or Lock(name, key_ip, row.failures, row.locked_until)
                record(actor=None, action="security.lock", obj_type="security.LoginThrottle", obj_id=row.pk,
                       before=None, after={"username": name, "ip": key_ip or "*", "failures": row.failures,
                                           "locked_until": row.locked_until},
                       result=Result.OK, reason=f"{row.failures} failed log-ins")
            row.save()
    return caused


def register_success(username: str, ip: str) -> None:
    LoginThrottle.objects.filter(username=normalise(username), ip__in=[ACCOUNT_WIDE, _pair(ip)]).delete()


def locked_rows() -> list[LoginThrottle]:
    return list(LoginThrottle.objects.filter(locked_until__gt=timezone.now()).order_by("username", "ip"))


def sweep() -> int:
    """Deletes counters that lock nothing and are older than a day."""
    cutoff = timezone.now() - timedelta(days=1)
    deleted, _ = LoginThrottle.objects.filter(
        Q(locked_until__isnull=True) | Q(locked_until__lt=timezone.now()), last_failure_at__lt=cutoff
    ).delete()
    return deleted
