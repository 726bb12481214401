"""Writes to account security: each one audited, each in one transaction."""

from __future__ import annotations

import secrets
import string
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth.hashers import check_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ducha.audit.api import record
from ducha.audit.context import current_request, origin
from ducha.org.models import User
from ducha.org.roles import UNIT_ROLES, Role
from ducha.security import totp
from ducha.security.models import (
    AccountSecurity,
    LoginThrottle,
    PasswordHistory,
    SecurityPolicy,
    TOTPDevice,
    UserSession,
)
from ducha.security.policy import Policy
from ducha.security.policy import current as current_policy


def note_password_set(*, user: User, raw_password: str, keep: int, at: datetime) -> None:
    """Called by Django after any password is saved (validators' `password_changed` hook).

    A password set by another person (an administrator's form) is an initial password:
    its owner must change it at first log-in. A re-hash of the same password (Django
    upgrading the hasher at log-in) changes neither its age nor its history.
    """
    request = current_request()
    actor = getattr(request, "user", None) if request is not None else None
    actor = actor if getattr(actor, "is_authenticated", False) else None
    by = "system" if actor is None else ("self" if actor.pk == user.pk else "other")
    with transaction.atomic():
        last = PasswordHistory.objects.filter(user=user).first()
        if last is not None and by == "system" and check_password(raw_password, last.encoded):
            PasswordHistory.objects.filter(pk=last.pk).update(encoded=user.password)
            return
        PasswordHistory.objects.create(user=user, encoded=user.password, created_at=at)
        stale = PasswordHistory.objects.filter(user=user).values_list("pk", flat=True)[keep:]
        PasswordHistory.objects.filter(pk__in=list(stale)).delete()
        AccountSecurity.objects.update_or_create(
            user=user, defaults={"password_changed_at": at, "must_change_password": by == "other"}
        )
        record(actor=actor, action="account.password_set", obj_type="org.User", obj_id=user.pk, before=None,
               after={"username": user.username, "by": by, "must_change": by == "other"}, request=request)


def password_state(user: User, policy: Policy) -> str:
    """'' when fine, else 'initial' or 'expired' (the forced-change middleware asks this)."""
    sec = AccountSecurity.objects.filter(user=user).first()
    if sec is not None and sec.must_change_password:
        return "initial"  # set by someone else: a demo account too, its password is no longer the published one
    if sec is not None and sec.is_demo:
        return ""  # the demo's published password is the point of a demo account: it does not expire
    if policy.password_max_age_days:
        changed = (sec.password_changed_at if sec and sec.password_changed_at else None) or user.date_joined
        if timezone.now() - changed > timedelta(days=policy.password_max_age_days):
            return "expired"
    return ""


def end_sessions(user: User, *, except_key: str | None = None) -> int:
    """Deletes the user's server-side sessions (account disabled, role changed, factor reset)."""
    keys = list(UserSession.objects.filter(user=user).exclude(session_key=except_key or "")
                .values_list("session_key", flat=True))
    Session.objects.filter(session_key__in=keys).delete()
    UserSession.objects.filter(session_key__in=keys).delete()
    return len(keys)


def note_session_start(*, user: User, session_key: str, request: Any) -> None:
    where = origin(request)
    UserSession.objects.update_or_create(
        session_key=session_key,
        defaults={"user": user, "created_at": timezone.now(), "src_ip": where.src_ip, "user_agent": where.user_agent},
    )


def do_unlock_account(*, actor: User, username: str, request: Any = None) -> int:
    with transaction.atomic():
        rows = list(LoginThrottle.objects.select_for_update().filter(username=username))
        if not rows:
            return 0
        before = {"locks": [{"ip": r.ip or "*", "failures": r.failures, "locked_until": r.locked_until}
                            for r in rows]}
        LoginThrottle.objects.filter(pk__in=[r.pk for r in rows]).delete()
        record(actor=actor, action="security.unlock", obj_type="security.LoginThrottle", obj_id=username,
               before=before, after=None, request=request)
    return len(rows)


def do_grant_role(*, actor: User, person: User, role: str, request: Any = None) -> None:
    if person.pk == actor.pk:
        raise ValidationError(_("Nobody may change their own role."), code="own_role")
    if role and role not in Role.values:
        raise ValidationError(_("Unknown role."), code="unknown_role")
    if role in UNIT_ROLES and person.unit_id is None:
        raise ValidationError(_("A unit role needs a unit; the system administrator sets the person's unit first."),
                              code="unit_role_without_unit")
    with transaction.atomic():
        before = person.role
        if before == role:
            return
        User.objects.filter(pk=person.pk).update(role=role)
        ended = end_sessions(person)
        record(actor=actor, action="security.role_grant", obj_type="org.User", obj_id=person.pk,
               before={"role": before}, after={"role": role, "sessions_ended": ended}, request=request)
    person.role = role


def do_reset_second_factor(*, actor: User | None, person: User, request: Any = None) -> None:
    with transaction.atomic():
        deleted, _ = TOTPDevice.objects.filter(user=person).delete()
        ended = end_sessions(person)
        record(actor=actor, action="security.mfa_reset", obj_type="org.User", obj_id=person.pk,
               before={"enrolled": bool(deleted)}, after={"enrolled": False, "sessions_ended": ended},
               request=request)


def do_update_policy(*, actor: User, values: dict[str, Any], request: Any = None) -> Policy:
    with transaction.atomic():
        before = current_policy()
        SecurityPolicy.objects.update_or_create(pk=1, defaults={**values, "updated_at": timezone.now()})
        after = current_policy()
        record(actor=actor, action="security.policy_change", obj_type="security.SecurityPolicy", obj_id=1,
               before=before.as_dict(), after=after.as_dict(), request=request)
    return after


def do_start_enrolment(*, person: User) -> str:
    """A fresh secret on an unconfirmed authenticator; a confirmed one is never replaced here."""
    secret = totp.new_secret()
    with transaction.atomic():
        if TOTPDevice.objects.filter(user=person, confirmed_at__isnull=False).exists():
            raise ValidationError(_("An authenticator is already set up."), code="already_enrolled")
        TOTPDevice.objects.update_or_create(
            user=person, defaults={"secret_encrypted": totp.encrypt_secret(person.pk, secret),
                                   "created_at": timezone.now(), "confirmed_at": None, "last_used_step": 0})
    return secret


def do_confirm_enrolment(*, person: User, code: str, request: Any = None) -> bool:
    device = TOTPDevice.objects.filter(user=person, confirmed_at__isnull=True).first()
    if device is None or not totp.use_code(device, code).ok:
        return False
    with transaction.atomic():
        TOTPDevice.objects.filter(pk=device.pk).update(confirmed_at=timezone.now())
        record(actor=person, action="security.mfa_enrol", obj_type="org.User", obj_id=person.pk,
               before=None, after={"enrolled": True}, request=request)
    return True


def do_remove_own_second_factor(*, person: User, request: Any = None) -> None:
    if current_policy().mfa_required(person):
        raise ValidationError(_("Your role requires a second factor."), code="mfa_required")
    with transaction.atomic():
        TOTPDevice.objects.filter(user=person).delete()
        record(actor=person, action="security.mfa_remove", obj_type="org.User", obj_id=person.pk,
               before={"enrolled": True}, after={"enrolled": False}, request=request)


def do_mark_demo_accounts(*, usernames: list[str]) -> int:
    """Flags the accounts `ducha demo` made with the published password as demo-only."""
    with transaction.atomic():
        people = list(User.objects.filter(username__in=usernames))
        for person in people:
            AccountSecurity.objects.update_or_create(user=person, defaults={"is_demo": True})
        record(actor=None, action="security.demo_mark", obj_type="org.User", obj_id="", before=None,
               after={"usernames": sorted(p.username for p in people)})
    return len(people)


def one_time_password() -> str:
    """16 random characters of all four classes (passes both profiles; shown once)."""
    pools = [string.ascii_lowercase, string.ascii_uppercase, string.digits, "-_.!@#%+="]
    chars = [secrets.choice(pool) for pool in pools]
    chars += [secrets.choice("".join(pools)) for _ in range(12)]
    secrets.SystemRandom().shuffle(chars)
    return "".join(chars)


def do_issue_one_time_password(*, actor: User | None, person: User, request: Any = None) -> str:
    """A random initial password for a forgotten one: must be changed at the next log-in."""
    password = one_time_password()
    with transaction.atomic():
        person.set_password(password)
        person.save(update_fields=["password"])
        AccountSecurity.objects.update_or_create(user=person, defaults={"must_change_password": True})
        LoginThrottle.objects.filter(username=person.username.lower()).delete()
        ended = end_sessions(person)
        record(actor=actor, action="security.password_issue", obj_type="org.User", obj_id=person.pk,
               before=None, after={"must_change": True, "sessions_ended": ended}, request=request)
    return password


def do_bootstrap_administrators(*, accounts: dict[str, tuple[str, str]]) -> dict[str, str]:
    """First start without any default account: the three administrators, one-time passwords.

    `accounts` maps a role to (username, full name). Refused once any administrator exists.
    """
    admin_roles = {Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDITOR}
    if set(accounts) != admin_roles:
        raise ValidationError("bootstrap needs exactly the system, security and audit administrators")
    with transaction.atomic():
        if User.objects.filter(role__in=admin_roles).exists():
            raise ValidationError("administrators already exist; use `ducha security issue-password`")
        issued = {}
        for role, (username, name) in accounts.items():
            if User.objects.filter(username__iexact=username).exists():
                raise ValidationError(f"user name {username!r} is taken")
            person = User.objects.create_user(username=username, name=name, role=role)
            issued[username] = do_issue_one_time_password(actor=None, person=person)
        record(actor=None, action="security.bootstrap", obj_type="org.User", obj_id="", before=None,
               after={"accounts": {u: r for r, (u, _n) in accounts.items()}})
    return issued
