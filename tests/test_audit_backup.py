"""Backup and restore (等保 §8.1.4.9): a portable file with SM3 digests; restore into an empty
database of either engine (a fresh process, another DUCHA_DATABASE_URL), every table's rows
equal, the audit chain verifying; damaged or altered files and occupied databases refused."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import tarfile
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection

from ducha.audit.api import record
from ducha.audit.models import AuditEvent
from ducha.security.actions import do_confirm_enrolment, do_start_enrolment


def members(path: Path) -> dict[str, bytes]:
    with tarfile.open(path, "r:gz") as tar:
        return {m.name: tar.extractfile(m).read() for m in tar if m.isfile()}  # type: ignore[union-attr]


def _env(data_dir: Path, db_url: str, key: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DUCHA_")}
    env.update({"DUCHA_DATA_DIR": str(data_dir), "DUCHA_DATABASE_URL": db_url,
                "DUCHA_DATA_KEY": key or settings.DUCHA_DATA_KEY, "DUCHA_SECRET_KEY": "x" * 60})
    return env


def ducha(args: list[str], *, data_dir: Path, db_url: str, key: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ducha", *args], env=_env(data_dir, db_url, key),
                          capture_output=True, text=True, check=False, timeout=300)


RESTORE_VERIFY_BACKUP = """
import sys
from ducha.cli import main
for argv in (["restore", sys.argv[1]], ["audit", "verify"], ["backup", sys.argv[2]]):
    try:
        main(argv)
    except SystemExit as exit:
        if exit.code:
            raise
"""


def restore_verify_backup(backup: Path, again: Path, *, data_dir: Path, db_url: str) -> str:
    """`ducha restore`, `ducha audit verify`, `ducha backup` in one fresh process (one start-up, not three)."""
    done = subprocess.run([sys.executable, "-c", RESTORE_VERIFY_BACKUP, str(backup), str(again)],
                          env=_env(data_dir, db_url, None), capture_output=True, text=True, check=False, timeout=300)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture
def populated(city, settings, tmp_path):
    import pyotp

    settings.MEDIA_ROOT = tmp_path / "media-src"
    (settings.MEDIA_ROOT / "attachments").mkdir(parents=True)
    (settings.MEDIA_ROOT / "attachments" / "通知.pdf").write_bytes(b"%PDF-1.7 test")
    secret = do_start_enrolment(person=city.sysop)
    do_confirm_enrolment(person=city.sysop, code=pyotp.TOTP(secret).now())
    for i in range(30):
        record(actor=city.alice, action="test.write", obj_type="test.Thing", obj_id=i, before={"v": i},
               after={"v": i + 1, "时间": "2026-12-01"})
    return city


@pytest.fixture
def backup_file(populated, tmp_path) -> Path:
    path = tmp_path / "ducha.tar.gz"
    call_command("backup", str(path), stdout=io.StringIO())
    assert oct(path.stat().st_mode)[-3:] == "600"
    return path


def _compare(original: Path, restored: Path) -> None:
    """Every table equal; the audit trail equal up to the events the restore itself appended."""
    a, b = members(original), members(restored)
    manifest_a = json.loads(a["manifest.json"])
    tables = [t["file"] for t in manifest_a["tables"]]
    assert tables == [t["file"] for t in json.loads(b["manifest.json"])["tables"]]
    grown = {"tables/audit.auditevent.ndjson", "tables/audit.auditchainhead.ndjson"}
    for name in tables:
        if name in grown:
            continue
        assert a[name] == b[name], name
    before, after = a["tables/audit.auditevent.ndjson"], b["tables/audit.auditevent.ndjson"]
    assert after.startswith(before) and len(after.splitlines()) > len(before.splitlines())
    assert sum(t["rows"] for t in manifest_a["tables"]) > 100
    assert b["media/attachments/通知.pdf"] == b"%PDF-1.7 test"


def test_backup_restores_into_a_fresh_sqlite_database(backup_file, tmp_path):
    target = tmp_path / "restored"
    url = f"sqlite:///{target / 'db.sqlite3'}"
    out = restore_verify_backup(backup_file, tmp_path / "again.tar.gz", data_dir=target, db_url=url)
    assert "restored" in out and out.count("audit chain intact") == 2
    _compare(backup_file, tmp_path / "again.tar.gz")
    # a second restore into the now occupied database is refused (exit 2) unless forced
    refused = ducha(["restore", str(backup_file)], data_dir=target, db_url=url)
    assert refused.returncode == 2 and "already holds data" in refused.stderr


@pytest.mark.postgres
def test_backup_restores_into_a_fresh_postgresql_database(backup_file, tmp_path):
    import psycopg

    try:
        admin = psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True, connect_timeout=3)
    except psycopg.OperationalError:
        pytest.skip("no PostgreSQL on 127.0.0.1:5432")
    name = f"ducha_restore_{uuid.uuid4().hex[:8]}"
    admin.execute(f'CREATE DATABASE "{name}"')
    try:
        url = f"postgres://postgres@127.0.0.1:5432/{name}"
        target = tmp_path / "pg"
        out = restore_verify_backup(backup_file, tmp_path / "again.tar.gz", data_dir=target, db_url=url)
        assert out.count("audit chain intact") == 2
        _compare(backup_file, tmp_path / "again.tar.gz")
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def _rewrite(src: Path, dst: Path, change: str) -> None:
    with tarfile.open(src, "r:gz") as tin, tarfile.open(dst, "w:gz") as tout:
        for m in tin:
            data = tin.extractfile(m).read()  # type: ignore[union-attr]
            if m.name == change:
                data = data.replace(b'"alice"', b'"mallory"') if change.startswith("tables/") else data + b" "
            m.size = len(data)
            tout.addfile(m, io.BytesIO(data))


def test_an_altered_backup_is_refused_before_anything_changes(backup_file, tmp_path):
    altered = tmp_path / "altered.tar.gz"
    _rewrite(backup_file, altered, "tables/org.user.ndjson")
    target = tmp_path / "t"
    url = f"sqlite:///{target / 'db.sqlite3'}"
    result = ducha(["restore", str(altered)], data_dir=target, db_url=url)
    assert result.returncode == 1 and "SM3" in result.stderr
    forged_manifest = tmp_path / "forged.tar.gz"
    _rewrite(backup_file, forged_manifest, "manifest.json")
    assert ducha(["restore", str(forged_manifest)], data_dir=target, db_url=url).returncode == 1
    other_key = ducha(["restore", str(backup_file)], data_dir=target, db_url=url, key="ab" * 32)
    assert other_key.returncode == 1 and "data key" in other_key.stderr


def test_command_line_errors_exit_2(backup_file, tmp_path):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError) as exists:
        call_command("backup", str(backup_file))
    assert exists.value.returncode == 2
    with pytest.raises(CommandError) as missing:
        call_command("restore", str(tmp_path / "nope.tar.gz"))
    assert missing.value.returncode == 2


def test_backup_is_audited(backup_file):
    event = AuditEvent.objects.get(action="backup.create")
    assert event.after["rows"] > 100 and len(event.after["sm3"]) == 64 and "backup" in event.user_agent
    assert connection.vendor in json.loads(members(backup_file)["manifest.json"])["engine"]
