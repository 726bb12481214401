"""Reading the register's form fields: a bad value is None, so the action names the field."""

from __future__ import annotations

from datetime import date


def int_param(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() and len(value) < 12 else None


def date_param(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value or "")
    except ValueError:
        return None
