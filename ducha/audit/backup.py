"""Portable backup and restore: one .tar.gz holding a manifest and one NDJSON file per table.

Why not pg_dump: it must match the server's major version, cannot restore into SQLite,
and cannot move an embedded installation to PostgreSQL. Rows are read and written
through each model's concrete columns (auto-created many-to-many tables included), so
a backup restores on either engine. Every member carries an SM3 digest in the manifest
and the manifest an HMAC-SM3 under the installation's data key; restore checks all of
them before touching the database, refuses a database that already holds data (unless
--force), restores in one transaction and re-verifies the audit chain before commit.
Sessions and rate-limit counters are transient and left out (residual information).
"""

from __future__ import annotations

import base64
import io
import json
import os
import tarfile
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path, PurePosixPath
from typing import IO, Any
from uuid import UUID

import django
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from ducha.audit import chain
from ducha.audit.gm import SM3, hmac_matches, hmac_sm3_hex
from ducha.audit.models import AuditChainHead

FORMAT, VERSION = "ducha-backup", 1
MANIFEST_LABEL = "backup manifest v1"
TRANSIENT = {"sessions.session", "security.ratecounter", "security.usersession"}
OCCUPIED_IF_ANY = ("org.user", "org.unit", "audit.auditevent")  # what `migrate` alone never creates
CHUNK = 1 << 20


class BackupError(Exception):
    """The file is damaged, altered or not ours (exit 1)."""


class RestoreRefused(Exception):
    """The target is not fit for this backup (exit 2)."""


def all_models() -> list[type[models.Model]]:
    found = [m for m in apps.get_models(include_auto_created=True)
             if m._meta.managed and not m._meta.proxy and not m._meta.swapped]
    return sorted(found, key=lambda m: m._meta.label_lower)


def backed_up_models() -> list[type[models.Model]]:
    return [m for m in all_models() if m._meta.label_lower not in TRANSIENT]


def columns(model: type[models.Model]) -> list[models.Field[Any, Any]]:
    return [f for f in model._meta.local_concrete_fields if not getattr(f, "generated", False)]


def encode(field: models.Field[Any, Any], value: Any) -> Any:
    if value is None:
        return None
    kind = field.get_internal_type()
    if kind in ("DateTimeField", "DateField", "TimeField"):
        return value.isoformat()
    if kind == "DurationField":
        return value // timedelta(microseconds=1)
    if kind in ("DecimalField", "UUIDField"):
        return str(value)
    if kind == "BinaryField":
        return base64.b64encode(bytes(value)).decode("ascii")
    return value


def decode(field: models.Field[Any, Any], value: Any) -> Any:
    if value is None:
        return None
    kind = field.get_internal_type()
    if kind == "DateTimeField":
        return datetime.fromisoformat(value)
    if kind == "DateField":
        return date.fromisoformat(value)
    if kind == "TimeField":
        return datetime.strptime(value, "%H:%M:%S.%f" if "." in value else "%H:%M:%S").time()
    if kind == "DurationField":
        return timedelta(microseconds=value)
    if kind == "DecimalField":
        return Decimal(value)
    if kind == "UUIDField":
        return UUID(value)
    if kind == "BinaryField":
        return base64.b64decode(value)
    return value


def applied_migrations() -> list[list[str]]:
    recorder = MigrationRecorder(connection)
    if not recorder.has_table():
        return []
    return sorted([app, name] for app, name in recorder.applied_migrations())


def _row_lines(model: type[models.Model]) -> Iterator[bytes]:
    fields = columns(model)
    rows = model._base_manager.order_by("pk").values_list(*[f.attname for f in fields])
    for row in rows.iterator(chunk_size=2000):
        values = [encode(f, v) for f, v in zip(fields, row, strict=True)]
        yield json.dumps(values, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode() + b"\n"


def _add(tar: tarfile.TarFile, name: str, data: IO[bytes], size: int, mtime: float) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode = size, int(mtime), 0o600
    tar.addfile(info, data)


def write_backup(path: Path) -> dict[str, Any]:
    """Writes the backup atomically (temp file, then rename) with mode 0600; returns the manifest."""
    now = time.time()
    manifest: dict[str, Any] = {
        "format": FORMAT, "version": VERSION, "created_at": timezone.now().isoformat(),
        "engine": connection.vendor, "django": django.get_version(), "tables": [], "media": [],
    }
    path = path.resolve()
    fd, tmp_name = tempfile.mkstemp(prefix=".ducha-backup-", dir=path.parent)
    os.fchmod(fd, 0o600)
    try:
        with os.fdopen(fd, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz") as tar:
            outer = connection.in_atomic_block
            with transaction.atomic():  # one snapshot of every table (SQLite: BEGIN IMMEDIATE)
                if connection.vendor == "postgresql" and not outer:
                    with connection.cursor() as cursor:
                        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                manifest["migrations"] = applied_migrations()
                for model in backed_up_models():
                    label = model._meta.label_lower
                    digest, count = SM3(), 0
                    with tempfile.SpooledTemporaryFile(max_size=8 * CHUNK) as buf:
                        for line in _row_lines(model):
                            buf.write(line)
                            digest.update(line)
                            count += 1
                        size = buf.tell()
                        buf.seek(0)
                        member = f"tables/{label}.ndjson"
                        _add(tar, member, buf, size, now)
                    manifest["tables"].append({
                        "model": label, "table": model._meta.db_table, "file": member, "rows": count,
                        "sm3": digest.hexdigest(), "fields": [f.attname for f in columns(model)],
                    })
                head = AuditChainHead.objects.filter(pk=1).values("seq", "hash").first()
                manifest["audit_head"] = head
            media_root = Path(settings.MEDIA_ROOT)
            if media_root.is_dir():
                for file in sorted(p for p in media_root.rglob("*") if p.is_file() and not p.is_symlink()):
                    rel = file.relative_to(media_root).as_posix()
                    digest = SM3()
                    with file.open("rb") as f:
                        while chunk := f.read(CHUNK):
                            digest.update(chunk)
                    size = file.stat().st_size
                    with file.open("rb") as f:
                        _add(tar, f"media/{rel}", f, size, now)
                    manifest["media"].append({"path": rel, "bytes": size, "sm3": digest.hexdigest()})
            body = json.dumps(manifest, ensure_ascii=False, sort_keys=True, indent=1, default=str).encode()
            _add(tar, "manifest.json", io.BytesIO(body), len(body), now)
            tag = hmac_sm3_hex(body, label=MANIFEST_LABEL).encode()
            _add(tar, "manifest.hmac", io.BytesIO(tag), len(tag), now)
        os.replace(tmp_name, path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    return manifest


def _safe_member(name: str) -> bool:
    parts = PurePosixPath(name).parts
    return bool(parts) and not name.startswith("/") and ".." not in parts and parts[0] in ("tables", "media")


def read_manifest(tar: tarfile.TarFile) -> dict[str, Any]:
    try:
        body = tar.extractfile("manifest.json").read()  # type: ignore[union-attr]
        tag = tar.extractfile("manifest.hmac").read().decode()  # type: ignore[union-attr]
    except (KeyError, AttributeError):
        raise BackupError("not a ducha backup: manifest missing") from None
    if not hmac_matches(body, tag, label=MANIFEST_LABEL):
        raise BackupError("the manifest's HMAC does not match: the file was altered, or it was made by an "
                          "installation with another data key (set DUCHA_DATA_KEY to that installation's key)")
    manifest: dict[str, Any] = json.loads(body)
    if manifest.get("format") != FORMAT or manifest.get("version") != VERSION:
        raise BackupError(f"unsupported backup format {manifest.get('format')!r} v{manifest.get('version')!r}")
    return manifest


def verify_members(tar: tarfile.TarFile, manifest: dict[str, Any]) -> None:
    expected = {t["file"]: (t["sm3"], t["rows"]) for t in manifest["tables"]}
    expected.update({f"media/{m['path']}": (m["sm3"], None) for m in manifest["media"]})
    seen = set()
    for info in tar:
        if info.name in ("manifest.json", "manifest.hmac"):
            continue
        if not info.isfile() or not _safe_member(info.name) or info.name not in expected:
            raise BackupError(f"unexpected member {info.name!r} in the backup")
        digest, lines = SM3(), 0
        stream = tar.extractfile(info)
        assert stream is not None
        while chunk := stream.read(CHUNK):
            digest.update(chunk)
            lines += chunk.count(b"\n")
        sm3, rows = expected[info.name]
        if digest.hexdigest() != sm3 or (rows is not None and rows != lines):
            raise BackupError(f"{info.name} does not match its SM3 digest in the manifest (damaged or altered)")
        seen.add(info.name)
    missing = set(expected) - seen
    if missing:
        raise BackupError(f"members missing from the backup: {', '.join(sorted(missing))}")


@dataclass(frozen=True)
class Restored:
    tables: int
    rows: int
    media: int
    verdict: chain.Verdict


def _check_target(manifest: dict[str, Any], *, force: bool) -> dict[str, type[models.Model]]:
    if not applied_migrations():
        call_command("migrate", interactive=False, verbosity=0)
    here = applied_migrations()
    if here != manifest["migrations"]:
        only_backup = [f"{a}.{n}" for a, n in manifest["migrations"] if [a, n] not in here][:5]
        only_here = [f"{a}.{n}" for a, n in here if [a, n] not in manifest["migrations"]][:5]
        raise RestoreRefused(f"schema differs from the backup's (only in backup: {only_backup or '-'}; only here: "
                             f"{only_here or '-'}); install the version that made the backup and migrate")
    by_label = {m._meta.label_lower: m for m in all_models()}
    for table in manifest["tables"]:
        model = by_label.get(table["model"])
        if model is None or [f.attname for f in columns(model)] != table["fields"]:
            raise RestoreRefused(f"table {table['model']} of the backup does not match this installation")
    if not force:
        for label in OCCUPIED_IF_ANY:
            if label in by_label and by_label[label]._base_manager.exists():
                raise RestoreRefused("the database already holds data; restore into an empty database, or add "
                                     "--force to replace everything in it")
    return by_label


def restore_backup(path: Path, *, force: bool = False) -> Restored:
    with tarfile.open(path, "r:gz") as tar:
        manifest = read_manifest(tar)
        verify_members(tar, manifest)
    by_label = _check_target(manifest, force=force)
    total = 0
    with tarfile.open(path, "r:gz") as tar, transaction.atomic():
        models_all = all_models()
        tables = [m._meta.db_table for m in models_all]
        connection.ops.execute_sql_flush(connection.ops.sql_flush(no_style(), tables, reset_sequences=True))
        for table in manifest["tables"]:
            model = by_label[table["model"]]
            stream = tar.extractfile(table["file"])
            assert stream is not None
            total += _load_rows(model, stream)
        reset = connection.ops.sequence_reset_sql(no_style(), models_all)
        if reset:
            with connection.cursor() as cursor:
                for sql in reset:
                    cursor.execute(sql)
        verdict = chain.verify()
        if not verdict.ok:
            raise BackupError(f"restored audit chain does not verify: {verdict.message}")
    media = _restore_media(path, manifest, force=force)
    return Restored(len(manifest["tables"]), total, media, verdict)


def _load_rows(model: type[models.Model], stream: IO[bytes]) -> int:
    fields = columns(model)
    names = [f.attname for f in fields]
    batch: list[models.Model] = []
    size = max(1, connection.ops.bulk_batch_size(fields, [model()] * 1000) or 1000)
    count = 0
    for line in io.TextIOWrapper(stream, encoding="utf-8"):
        values = json.loads(line)
        batch.append(model(**{n: decode(f, v) for n, f, v in zip(names, fields, values, strict=True)}))
        if len(batch) >= size:
            model._base_manager._insert(batch, fields=fields, raw=True)  # type: ignore[attr-defined]
            count += len(batch)
            batch = []
    if batch:
        model._base_manager._insert(batch, fields=fields, raw=True)  # type: ignore[attr-defined]
        count += len(batch)
    return count


def _restore_media(path: Path, manifest: dict[str, Any], *, force: bool) -> int:
    if not manifest["media"]:
        return 0
    root = Path(settings.MEDIA_ROOT)
    wanted = {f"media/{m['path']}" for m in manifest["media"]}
    clashes = [m["path"] for m in manifest["media"] if (root / m["path"]).exists()]
    if clashes and not force:
        raise RestoreRefused(f"media files already exist (e.g. {clashes[0]}); add --force to overwrite")
    written = 0
    with tarfile.open(path, "r:gz") as tar:
        for info in tar:
            if info.name in wanted and _safe_member(info.name):
                target = root / PurePosixPath(info.name).relative_to("media")
                target.parent.mkdir(parents=True, exist_ok=True)
                stream = tar.extractfile(info)
                assert stream is not None
                with target.open("wb") as out:
                    while chunk := stream.read(CHUNK):
                        out.write(chunk)
                written += 1
    return written
