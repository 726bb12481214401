"""Channel adapters for what leaves the database (the inbox is written with the reminder).
Each takes claimed outbox messages and returns one ``Outcome`` per
message id; the outbox records outcomes, retries and dead letters, so adapters stay small
and know nothing of retry policy."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass
class Outcome:
    ok: bool
    receipt: dict[str, Any] = field(default_factory=dict)
    error: str = ""
    # Not an attempt: the channel may not take it now (rate limit, quiet hours); try at this time.
    hold_until: datetime | None = None


def mask_phone(phone: str) -> str:
    """138****5678: enough to tell numbers apart in a log, not enough to call one."""
    digits = phone.strip()
    if len(digits) < 7:
        return "*" * len(digits)
    return f"{digits[:3]}{'*' * (len(digits) - 7)}{digits[-4:]}"


def mask_email(address: str) -> str:
    name, _, domain = address.partition("@")
    return f"{name[:1]}***@{domain}" if domain else "***"
