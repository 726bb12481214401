"""The policy in force: the security administrator's row, else the deployment's settings."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from datetime import timedelta
from typing import Any

from django.conf import settings

from ducha.org.roles import ADMIN_ROLES


@dataclass(frozen=True)
class Policy:
    password_max_age_days: int
    lockout_attempts: int
    account_lockout_attempts: int
    lockout_minutes: int
    session_idle_minutes: int
    session_absolute_hours: int
    mfa_for_everyone: bool

    @property
    def lock_duration(self) -> timedelta:
        return timedelta(minutes=self.lockout_minutes)

    @property
    def idle_timeout(self) -> timedelta:
        return timedelta(minutes=self.session_idle_minutes)

    @property
    def absolute_timeout(self) -> timedelta:
        return timedelta(hours=self.session_absolute_hours)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def mfa_required(self, user: Any) -> bool:
        """Mandatory for the three administrator roles (三权分立 accounts); optional otherwise."""
        return self.mfa_for_everyone or getattr(user, "role", "") in ADMIN_ROLES


def defaults() -> Policy:
    return Policy(
        password_max_age_days=settings.DUCHA_PASSWORD_MAX_AGE_DAYS,
        lockout_attempts=settings.DUCHA_LOCKOUT_ATTEMPTS,
        account_lockout_attempts=settings.DUCHA_LOCKOUT_ACCOUNT_ATTEMPTS,
        lockout_minutes=settings.DUCHA_LOCKOUT_MINUTES,
        session_idle_minutes=settings.DUCHA_SESSION_IDLE_MINUTES,
        session_absolute_hours=settings.DUCHA_SESSION_ABSOLUTE_HOURS,
        mfa_for_everyone=settings.DUCHA_MFA_FOR_EVERYONE,
    )


def current() -> Policy:
    """One small query; read afresh so a change made in one process holds in all at once."""
    from ducha.security.models import SecurityPolicy

    row = SecurityPolicy.objects.filter(pk=1).values(*[f.name for f in fields(Policy)]).first()
    return Policy(**row) if row else defaults()
