"""`ducha ledger`: the Excel 台账 in and out, for scripts (S2.4).

    ducha ledger export --year Y FILE.xlsx
    ducha ledger import --year Y FILE.xlsx [--user USERNAME]

export writes every matter of year Y (the command runs with the server's rights, not a
person's); the file appears only when complete (written beside it, then renamed).
import validates the whole file first: an unreadable file, or any invalid row, prints the
problem -- for rows, one line per bad row with its row number and column -- on stderr,
exits with status 2 and writes nothing. On success one line on stdout: the counts.
--user names the supervision-office account the new matters are recorded under; it may
be left out when there is exactly one such account.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser
from django.utils.translation import gettext as _

from ducha.ledger.actions import LedgerError
from ducha.ledger.excel import all_matters, export_ledger
from ducha.ledger.import_file import LedgerFileError, LedgerImportRefused
from ducha.ledger.import_job import import_file
from ducha.org.models import User
from ducha.org.roles import Role
from ducha.workcal import service as workcal
from ducha.workcal.commandline import CliError, OneLineErrorParser, ScriptCommand, year_arg


class Command(ScriptCommand):
    help = "Export the year's ledger to Excel, or import an Excel ledger (all or nothing)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, parser_class=OneLineErrorParser,
                                    metavar="{export,import}")
        p = sub.add_parser("export", help="write the year's ledger as .xlsx")
        p.add_argument("--year", type=year_arg, required=True)
        p.add_argument("file", metavar="FILE.xlsx")
        p = sub.add_parser("import", help="create or update the year's matters from an .xlsx ledger")
        p.add_argument("--year", type=year_arg, required=True)
        p.add_argument("--user", default="", help="supervision-office account recorded as the importer")
        p.add_argument("file", metavar="FILE.xlsx")

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        if action == "export":
            self.export(Path(options["file"]), options["year"])
        else:
            self.import_(Path(options["file"]), options["year"], options["user"].strip())

    def export(self, path: Path, year: int) -> None:
        directory = path.resolve().parent
        if not directory.is_dir():
            raise CliError(_("%(path)s: no such directory") % {"path": path})
        fd, tmp = tempfile.mkstemp(prefix=".ledger-", suffix=".xlsx", dir=directory)
        os.close(fd)
        try:
            rows = export_ledger(tmp, year=year, matters=all_matters(), today=workcal.today())
            os.replace(tmp, path)
        except OSError as e:
            raise CliError(_("%(path)s: cannot write (%(reason)s)") % {"path": path, "reason": e.strerror}) from e
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
        self.stdout.write(f"exported {rows} matters of {year} to {path}")

    def _actor(self, username: str) -> User:
        offices = User.objects.filter(role=Role.SUPERVISION_OFFICE, is_active=True)
        if username:
            actor = offices.filter(username__iexact=username).first()
            if actor is None:
                raise CliError(_("--user %(name)s: not an active supervision-office account") % {"name": username})
            return actor
        found = list(offices[:2])
        if len(found) != 1:
            raise CliError(_("Name the supervision-office account with --user."))
        return found[0]

    def import_(self, path: Path, year: int, username: str) -> None:
        actor = self._actor(username)
        try:
            counts = import_file(actor=actor, year=year, path=path, note=f"命令行导入 {path.name}")
        except LedgerImportRefused as e:
            raise CliError("\n".join([str(e), *(str(x) for x in e.errors)])) from e
        except LedgerFileError as e:
            raise CliError(f"{path}: {e}") from e  # the file as the caller named it
        except LedgerError as e:
            raise CliError(str(e)) from e
        self.stdout.write(
            f"imported {counts['rows']} rows into {year}: created {counts['created']}, "
            f"updated {counts['updated']}, unchanged {counts['unchanged']}"
        )
