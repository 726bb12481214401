"""System checks: no all-powerful account, no default account, no demo account in production.

They read the database, so each first makes sure its tables exist (a check also runs
before the first `migrate`).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Info, Tags, Warning, register
from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError, connection

DEFAULT_NAMES = ("admin", "administrator", "root", "sa", "superuser", "system", "test", "guest")


def _tables_ready(*names: str) -> bool:
    try:
        existing = set(connection.introspection.table_names())
    except DatabaseError:
        return False
    return set(names) <= existing


@register(Tags.security)
def check_keys(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """The keys come from the environment or from the data folder, where the `ducha` command
    creates them on first run; a process started another way may find neither."""
    missing = [] if settings.DUCHA_DATA_KEY else ["DUCHA_DATA_KEY"]
    try:
        settings.SECRET_KEY  # noqa: B018  (Django refuses to read an empty one)
    except ImproperlyConfigured:
        missing.insert(0, "DUCHA_SECRET_KEY")
    if not missing:
        return []
    return [Error(
        f"no key: {', '.join(missing)}",
        hint=f"Set them in the environment, or run any `ducha` command once with DUCHA_DATA_DIR={settings.DATA_DIR}: "
             "it creates secret_key and data_key there.",
        id="ducha_security.E004",
    )]


@register(Tags.security)
def check_no_superuser(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """Superusers bypass every permission, so separation of duties forbids them in production."""
    if settings.DEBUG or not _tables_ready("org_user"):
        return []
    from ducha.org.models import User

    names = list(User.objects.filter(is_superuser=True, is_active=True).values_list("username", flat=True)[:5])
    if names:
        return [Error(
            f"active superuser account(s): {', '.join(names)}",
            hint="Superusers bypass separation of duties (三权分立). Use the system, security and audit "
                 "administrator roles; `ducha shell` can clear is_superuser.",
            id="ducha_security.E001",
        )]
    return []


@register(Tags.security, deploy=True)
def check_https(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    if settings.DUCHA_HTTPS:
        return []
    return [Info(
        "DUCHA_HTTPS is off: no SSL redirect, HSTS or Secure cookies (security.W004/W008/W012/W016 silenced)",
        hint="Serve over TLS and set DUCHA_HTTPS=1; behind a TLS-terminating proxy also set DUCHA_TRUSTED_PROXY.",
        id="ducha_security.I001",
    )]


@register(Tags.security, deploy=True)
def check_accounts_for_production(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    if not _tables_ready("org_user", "security_accountsecurity"):
        return []
    from ducha.org.models import User

    messages: list[CheckMessage] = []
    # Every one by name: the person reading the warning disables each (a demo city has about a dozen).
    demo = list(User.objects.filter(is_active=True, security__is_demo=True)
                .order_by("username").values_list("username", flat=True))
    if demo:
        messages.append(Warning(
            f"active demo account(s) with the published password: {', '.join(demo)}",
            hint="`ducha demo` is for demonstrations; never deploy a database it touched.",
            id="ducha_security.W002",
        ))
    defaults = list(User.objects.filter(is_active=True, username__in=DEFAULT_NAMES)
                    .values_list("username", flat=True))
    if defaults:
        messages.append(Warning(
            f"active account(s) with a default name: {', '.join(defaults)}",
            hint="Default account names are the first ones guessed; rename them (等保 身份鉴别).",
            id="ducha_security.W003",
        ))
    return messages
