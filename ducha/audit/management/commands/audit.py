"""`ducha audit verify` and `ducha audit prune --before DATE [--archive FILE]`.

Exit codes: 0 the chain verifies / the prune succeeded; 1 the chain is broken (the
message names the first bad event); 2 a usage error or a prune refused by retention.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ducha.audit import chain
from ducha.audit.api import record
from ducha.audit.context import cli_context
from ducha.audit.models import Result
from ducha.audit.retention import ChainBroken, RetentionRefused, latest_allowed_before, prune


class Command(BaseCommand):
    help = "Verify the SM3 hash chain of the audit trail, or prune events past the retention period."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("verify", help="check every event against the chain; exit 1 naming the first bad one")
        p = sub.add_parser("prune", help="delete events older than --before (never inside the retention period)")
        p.add_argument("--before", required=True, help="YYYY-MM-DD: events before this day (local time) go")
        p.add_argument("--archive", help="write the pruned events as NDJSON to this new file first")

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        with cli_context(f"audit {action}"):
            if action == "verify":
                self.verify()
            else:
                self.prune(options["before"], options.get("archive"))

    def verify(self) -> None:
        verdict = chain.verify()
        record(actor=None, action="audit.verify", obj_type="audit.AuditEvent", obj_id="", before=None,
               after={"checked": verdict.checked, "first_bad_seq": verdict.first_bad_seq},
               result=Result.OK if verdict.ok else Result.FAIL, reason=verdict.message)
        if not verdict.ok:
            raise CommandError(f"TAMPERED: {verdict.message}", returncode=1)
        self.stdout.write(verdict.message)

    def prune(self, before_text: str, archive: str | None) -> None:
        try:
            before = date.fromisoformat(before_text)
        except ValueError:
            raise CommandError(f"--before must be a date YYYY-MM-DD, not {before_text!r}", returncode=2) from None
        archive_path = Path(archive) if archive else None
        if archive_path is not None and archive_path.exists():
            raise CommandError(f"--archive {archive}: file exists; choose a new name", returncode=2)
        try:
            done = prune(before=before, archive=archive_path)
        except RetentionRefused as exc:
            raise CommandError(str(exc), returncode=2) from None
        except ChainBroken as exc:
            raise CommandError(str(exc), returncode=1) from None
        if not done.rows:
            self.stdout.write(f"nothing to prune before {before} (latest allowed: {latest_allowed_before()})")
            return
        self.stdout.write(f"pruned {done.rows} events through seq {done.through_seq}; the chain continues from "
                          f"an anchor" + (f"; archive SM3 {done.archive_sm3}" if done.archive_sm3 else ""))
