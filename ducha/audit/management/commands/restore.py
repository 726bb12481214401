"""`ducha restore FILE [--force]`: checks every digest, then restores into an empty database.

Exit codes: 0 restored and the audit chain verifies; 1 the backup is damaged, altered,
from another data key, or its audit chain does not verify (nothing is changed);
2 refused (database not empty without --force, schema differs, bad arguments).
"""

from __future__ import annotations

import tarfile
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ducha.audit.api import record
from ducha.audit.backup import BackupError, RestoreRefused, restore_backup
from ducha.audit.context import cli_context


class Command(BaseCommand):
    help = "Restore a `ducha backup` file into this installation's (empty) database."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file")
        parser.add_argument("--force", action="store_true",
                            help="replace everything in a database that already holds data")

    def handle(self, *args: Any, file: str, force: bool, **options: Any) -> None:
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"{file}: no such file", returncode=2)
        with cli_context("restore"):
            try:
                done = restore_backup(path, force=force)
            except RestoreRefused as exc:
                raise CommandError(str(exc), returncode=2) from None
            except BackupError as exc:
                raise CommandError(str(exc), returncode=1) from None
            except (OSError, EOFError, tarfile.TarError) as exc:
                raise CommandError(f"{file}: cannot read the backup ({exc})", returncode=1) from None
            record(actor=None, action="backup.restore", obj_type="backup", obj_id=path.name, before=None,
                   after={"file": str(path.resolve()), "tables": done.tables, "rows": done.rows, "media": done.media,
                          "forced": force})
        self.stdout.write(f"restored {done.tables} tables, {done.rows} rows, {done.media} media files; "
                          f"{done.verdict.message}")
