"""Log-in, log-out and failed log-in, from Django's auth signals into the audit trail.

Receivers only record; they decide nothing (project rule: no business logic in signals).
Using the signals catches every way in, including ones that bypass our views.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed

from ducha.audit.api import record
from ducha.audit.models import Result


def _logged_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    session = getattr(request, "session", None) or {}
    record(actor=user, action="auth.login", obj_type="org.User", obj_id=user.pk, before=None,
           after={"mfa": bool(session.get("security.mfa", False))}, request=request)


def _logged_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is None:
        return
    reason = getattr(request, "_security_logout_reason", "") if request is not None else ""
    record(actor=user, action="auth.timeout" if reason else "auth.logout", obj_type="org.User",
           obj_id=user.pk, before=None, after=None, request=request, reason=reason)


def _login_failed(sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any) -> None:
    username = str(credentials.get("username", ""))[:150]
    record(actor=None, action="auth.login_failed", obj_type="org.User", obj_id="", before=None,
           after={"username": username}, request=request, result=Result.FAIL, reason="wrong user name or password")


def connect() -> None:
    user_logged_in.connect(_logged_in, dispatch_uid="ducha.audit.logged_in")
    user_logged_out.connect(_logged_out, dispatch_uid="ducha.audit.logged_out")
    user_login_failed.connect(_login_failed, dispatch_uid="ducha.audit.login_failed")
