"""`ducha backup FILE`: every table (portable NDJSON) and the media files, with an SM3 manifest."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ducha.audit.api import record
from ducha.audit.backup import write_backup
from ducha.audit.context import cli_context
from ducha.audit.gm import SM3


class Command(BaseCommand):
    help = "Back up the database and media files to FILE (.tar.gz; restore with `ducha restore FILE`)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="the backup file to create (it must not exist)")

    def handle(self, *args: Any, file: str, **options: Any) -> None:
        path = Path(file)
        if path.exists():
            raise CommandError(f"{file}: file exists; choose a new name", returncode=2)
        if not path.resolve().parent.is_dir():
            raise CommandError(f"{file}: no such directory", returncode=2)
        with cli_context("backup"):
            manifest = write_backup(path)
            digest = SM3()
            with path.open("rb") as f:
                while chunk := f.read(1 << 20):
                    digest.update(chunk)
            rows = sum(t["rows"] for t in manifest["tables"])
            record(actor=None, action="backup.create", obj_type="backup", obj_id=path.name, before=None,
                   after={"file": str(path.resolve()), "sm3": digest.hexdigest(), "tables": len(manifest["tables"]),
                          "rows": rows, "media": len(manifest["media"])})
        self.stdout.write(f"backup written to {path}: {len(manifest['tables'])} tables, {rows} rows, "
                          f"{len(manifest['media'])} media files; SM3 {digest.hexdigest()}")
