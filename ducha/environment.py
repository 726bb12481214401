"""Typed readers of the environment for ``ducha.settings``, and the data folder's first-run files.

Each reader takes the variable's name and its default, and raises ``ValueError`` naming the
variable when its value cannot be read: a deployment with a mistyped setting does not start.
An empty value counts as unset. Plain Python (no Django): settings import it before Django is
set up.

Importing the settings writes nothing. The two keys kept in the data folder (the secret key of
sessions and signatures, the data key of SM4 and HMAC-SM3) are created by ``ensure_data_dir``,
which the ``ducha`` command and the WSGI entry point call before Django starts.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from datetime import time
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")

_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off")


def _raw(name: str) -> str:
    return os.environ.get(name, "").strip()


def env_str(name: str, default: str) -> str:
    return _raw(name) or default


def env_choice(name: str, default: str, choices: tuple[str, ...]) -> str:
    value = env_str(name, default)
    if value not in choices:
        raise ValueError(f"{name} must be one of {', '.join(choices)}, not {value!r}")
    return value


def env_bool(name: str, default: bool) -> bool:
    raw = _raw(name).lower()
    if not raw:
        return default
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    raise ValueError(f"{name} must be 0 or 1, not {raw!r}")


def env_int(name: str, default: int, *, minimum: int | None = None, maximum: int | None = None) -> int:
    return _number(name, default, int, "a whole number", minimum, maximum)


def env_float(name: str, default: float, *, minimum: float | None = None, maximum: float | None = None) -> float:
    return _number(name, default, float, "a number", minimum, maximum)


N = TypeVar("N", int, float)


def _number(name: str, default: N, cast: Callable[[str], N], what: str, minimum: N | None, maximum: N | None) -> N:
    raw = _raw(name)
    try:
        value = cast(raw) if raw else default
    except ValueError:
        raise ValueError(f"{name} must be {what}, not {raw!r}") from None
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be at least {minimum}, not {value}")
    if maximum is not None and value > maximum:
        raise ValueError(f"{name} must be at most {maximum}, not {value}")
    return value


def env_list(name: str, default: str) -> list[str]:
    """A comma-separated list; the default is written the same way."""
    return [item.strip() for item in (_raw(name) or default).split(",") if item.strip()]


def env_fractions(name: str, default: str) -> tuple[float, ...]:
    """Comma-separated fractions between 0 and 1, in increasing order (``0.25,0.5,0.75``)."""
    items = env_list(name, default)
    try:
        values = tuple(float(item) for item in items)
    except ValueError:
        raise ValueError(f"{name} must be fractions separated by commas, like 0.25,0.5,0.75, not {_raw(name)!r}") from None
    if any(not 0 < v < 1 for v in values) or list(values) != sorted(set(values)):
        raise ValueError(f"{name} must be increasing fractions between 0 and 1, not {_raw(name)!r}")
    return values


def env_time(name: str, default: str) -> time:
    """A time of day as HH:MM."""
    raw = env_str(name, default)
    try:
        return time.fromisoformat(raw)
    except ValueError:
        raise ValueError(f"{name} must be a time of day as HH:MM, not {raw!r}") from None


def env_hours(name: str, default: str) -> tuple[int, int]:
    """A span of hours as START-END (``22-8``: from 22:00 to 08:00 the next morning)."""
    raw = env_str(name, default)
    parts = raw.split("-")
    try:
        start, end = (int(p) for p in parts)
    except ValueError:
        raise ValueError(f"{name} must be two hours as START-END, like 22-8, not {raw!r}") from None
    if not (0 <= start <= 23 and 0 <= end <= 23):
        raise ValueError(f"{name}: hours are 0 to 23, not {raw!r}")
    return start, end


def env_parsed(name: str, default: str, parse: Callable[[str], T]) -> T:
    """A value read by ``parse``, whose ``ValueError`` is reported under the variable's name."""
    try:
        return parse(env_str(name, default))
    except ValueError as e:
        raise ValueError(f"{name}: {e}") from None


def env_secret(name: str, key_file: Path) -> str:
    """A key from the variable, else from the file ``<name>_FILE`` names, else from ``key_file``
    (created by ``ensure_data_dir``); "" when none of them has one."""
    value = _raw(name)
    if value:
        return value
    named = _raw(f"{name}_FILE")
    path = Path(named) if named else key_file
    try:
        return path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        if named:
            raise ValueError(f"{name}_FILE: no such file: {named}") from None
        return ""


def data_dir() -> Path:
    return Path(_raw("DUCHA_DATA_DIR") or "var").resolve()


def ensure_data_dir() -> Path:
    """The data folder and its two keys, created on first run (each key once, readable by the
    owner only; a key given in the environment is not written)."""
    folder = data_dir()
    folder.mkdir(parents=True, exist_ok=True)
    keys: tuple[tuple[str, str, Callable[[], str]], ...] = (
        ("DUCHA_SECRET_KEY", "secret_key", lambda: secrets.token_urlsafe(50)),
        ("DUCHA_DATA_KEY", "data_key", lambda: secrets.token_hex(32)),
    )
    for name, file, make in keys:
        if _raw(name) or _raw(f"{name}_FILE"):
            continue
        try:
            fd = os.open(folder / file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            continue
        with os.fdopen(fd, "w") as f:
            f.write(make())
    return folder
