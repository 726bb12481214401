"""Reads `DUCHA_DATABASE_URL` into a Django DATABASES entry.

Two engines are supported, the embedded default and the scale-out one, so a few lines
here replace a dependency:

    sqlite:///relative/or/absolute/path.sqlite3   (sqlite:////abs/path also accepted)
    postgres://user:password@host:port/name?sslmode=require
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit


class DatabaseUrlError(ValueError):
    pass


def parse_database_url(url: str, *, base_dir: Path) -> dict[str, Any]:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme == "sqlite":
        raw = unquote(url[len("sqlite://") :])
        if raw in ("", "/"):
            raise DatabaseUrlError(f"DUCHA_DATABASE_URL: no file path in {url!r}")
        # sqlite:///var/db.sqlite3 -> "/var/db.sqlite3"; relative paths are taken from base_dir
        path = Path(raw[1:]) if raw.startswith("/") and not raw.startswith("//") else Path(raw)
        if raw.startswith("//"):
            path = Path(raw[1:])
        if not path.is_absolute():
            path = base_dir / path
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(path),
            # Background work runs in-process: wait for a lock rather than failing at once.
            "OPTIONS": {"timeout": 20, "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"},
        }
    if scheme in ("postgres", "postgresql", "pgsql"):
        name = unquote(parts.path.lstrip("/"))
        if not name:
            raise DatabaseUrlError(f"DUCHA_DATABASE_URL: no database name in {url!r}")
        options = dict(parse_qsl(parts.query))
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": name,
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": parts.hostname or "",
            "PORT": str(parts.port or ""),
            "OPTIONS": options,
            "CONN_MAX_AGE": 60,
            "CONN_HEALTH_CHECKS": True,
        }
    raise DatabaseUrlError(
        f"DUCHA_DATABASE_URL: unsupported scheme {parts.scheme!r}; use sqlite:///PATH or postgres://…"
    )
