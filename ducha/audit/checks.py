"""Start-up checks of the audit trail's preconditions."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, register

MIN_RETENTION_DAYS = 184  # 《网络安全法》: network logs kept at least six months; six months can span 184 days


@register()
def check_retention(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    days = settings.DUCHA_AUDIT_RETENTION_DAYS
    if days < MIN_RETENTION_DAYS:
        return [Error(
            f"DUCHA_AUDIT_RETENTION_DAYS is {days}; the law requires at least {MIN_RETENTION_DAYS} days",
            hint="Network logs must be kept at least six months (网络安全法); one year is advised.",
            id="ducha_audit.E001",
        )]
    return []


@register()
def check_gm_algorithms(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    from ducha.audit.gm import self_test

    problem = self_test()
    if problem:
        return [Error(problem, hint="Install an OpenSSL 3 build with SM3/SM4 (the cryptography wheel has them).",
                      id="ducha_audit.E002")]
    try:
        from ducha.audit.gm import subkey

        subkey("self test")
    except ValueError as exc:
        return [Error(str(exc), id="ducha_audit.E003")]
    return []
