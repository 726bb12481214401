"""`record()`: the one call every app makes for each write worth auditing.

    from ducha.audit.api import record
    record(actor=request.user, action="matter.assign", obj_type="matters.Matter", obj_id=m.pk,
           before={"unit": old_unit_id}, after={"unit": m.unit_id}, request=request)

Call it inside the same transaction as the write: if the write rolls back so does its
record, and if the record cannot be written the write fails too (ASVS 16.5.3). Secrets
(passwords, OTPs, tokens, session ids) are replaced by a mask and ID-card and mobile
numbers are partly hidden before anything is stored.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import uuid
from decimal import Decimal
from typing import Any

from django.db import models

from ducha.audit import chain
from ducha.audit.context import origin
from ducha.audit.models import AuditEvent, Result

MASK = "******"
_SECRET_KEY = re.compile(r"pass(word|wd)?|secret|token|otp|totp|session|csrf|api[_-]?key|private|credential|"
                         r"signature|cookie|authorization", re.IGNORECASE)
_ID_KEY = re.compile(r"id_?(number|card|no)|identity|身份证", re.IGNORECASE)
_PHONE_KEY = re.compile(r"phone|mobile|手机", re.IGNORECASE)
_ID_NUMBER = re.compile(r"(?<!\d)(\d{6})\d{8}(\d{3}[\dXx])(?!\d)")
_MOBILE = re.compile(r"(?<!\d)(1[3-9]\d)\d{4}(\d{4})(?!\d)")
_ACTION = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$")


def mask_text(text: str) -> str:
    """110101199003071234 → 110101********1234; 13812345678 → 138****5678."""
    return _MOBILE.sub(r"\1****\2", _ID_NUMBER.sub(r"\1********\2", text))


def _plain(value: Any) -> Any:
    """A JSON-ready copy: what is stored is exactly what is hashed, on every engine."""
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, str):
        return value.replace("\x00", "\ufffd")
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = [_plain(v) for v in value]
        return sorted(items, key=repr) if isinstance(value, set | frozenset) else items
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, bytes | memoryview):
        return f"<{len(bytes(value))} bytes>"
    return str(value)


def mask(value: Any, key: str = "") -> Any:
    # Numbers and flags under such keys (a policy's session minutes) are settings, not secrets.
    if key and _SECRET_KEY.search(key) and not isinstance(value, bool | int | float):
        return MASK if value not in (None, "") else value
    if isinstance(value, dict):
        return {k: mask(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [mask(v, key) for v in value]
    if isinstance(value, str):
        if key and _ID_KEY.search(key) and len(value) > 10:
            return value[:6] + "*" * (len(value) - 10) + value[-4:]
        if key and _PHONE_KEY.search(key) and len(value) >= 7:
            return value[:3] + "*" * (len(value) - 7) + value[-4:]
        return mask_text(value)
    return value


def _clean(data: dict[str, Any] | None) -> dict[str, Any] | None:
    if data is None:
        return None
    if not isinstance(data, dict):
        raise TypeError("before/after must be a dict or None")
    cleaned: dict[str, Any] = mask(_plain(data))
    return cleaned


def record(
    *,
    actor: Any,
    action: str,
    obj_type: str,
    obj_id: Any,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    request: Any = None,
    result: str = Result.OK,
    reason: str = "",
) -> AuditEvent:
    """Appends one event to the audit trail and returns it.

    `actor` is a User, an AnonymousUser or None (the system or a command line);
    `action` is '<area>.<verb>' in lower case, e.g. 'calendar.import'.
    """
    if not _ACTION.match(action):
        raise ValueError(f"audit action must look like 'area.verb', not {action!r}")
    if result not in Result.values:
        raise ValueError(f"audit result must be one of {Result.values}, not {result!r}")
    who = actor if getattr(actor, "is_authenticated", False) else None
    where = origin(request)
    return chain.append({
        "user_id": who.pk if who else None,
        "username": (who.get_username() if who else "")[:150],
        "user_name": (getattr(who, "name", "") or "")[:60] if who else "",
        "role": (getattr(who, "role", "") or "") if who else "",
        "src_ip": where.src_ip,
        "user_agent": where.user_agent.replace("\x00", ""),
        "request_id": where.request_id,
        "action": action,
        "obj_type": obj_type[:60],
        "obj_id": "" if obj_id is None else str(obj_id)[:64],
        "before": _clean(before),
        "after": _clean(after),
        "result": result,
        "reason": mask_text(reason.replace("\x00", ""))[:300],
    })
