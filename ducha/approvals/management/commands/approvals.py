"""`ducha approvals`: the approval catalogue in Excel, for scripts (S3.1, S3.2).

    ducha approvals catalogue check FILE.xlsx
    ducha approvals catalogue import FILE.xlsx --actor USERNAME
    ducha approvals catalogue export FILE.xlsx
    ducha approvals ratings export --month 2026-10 FILE.csv|FILE.json

ratings export writes the month's 好差评 for the provincial platform in the format of
docs/ratings-export.md (CSV or JSON by the file's suffix, or --format).

check reads the whole file and checks it against the catalogue (every row, and the
prerequisites of the file and the catalogue together for circular chains) and writes
nothing; import does the same, then publishes a version of each new or changed item in one
transaction; --actor names the approval service office's administrator it is recorded under.
On any problem each is printed on its own line on stderr (sheet, row, column, message), the
exit status is 2 and nothing is written. On success one line on stdout: the counts.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser
from django.utils.translation import gettext as _

from ducha.approvals import ratings_export
from ducha.approvals.access import edits_catalogue
from ducha.approvals.catalogue_excel import (
    CatalogueFileRefused,
    ImportPlan,
    export_catalogue,
    import_catalogue,
    plan_import,
)
from ducha.approvals.publish import publish_all
from ducha.approvals.ratings_results import month_bounds
from ducha.ledger.import_file import LedgerFileError
from ducha.org.models import User
from ducha.workcal import service as workcal
from ducha.workcal.commandline import CliError, OneLineErrorParser, ScriptCommand


def _summary(verb: str, plan: ImportPlan) -> str:
    return (f"{verb} {len(plan.items)} items: new {len(plan.new)}, changed {len(plan.changed)}, "
            f"unchanged {len(plan.unchanged)}")


class Command(ScriptCommand):
    help = "The approval catalogue in Excel: check or import a file (all or nothing), export the catalogue."

    def add_arguments(self, parser: CommandParser) -> None:
        parts = parser.add_subparsers(dest="part", required=True, parser_class=OneLineErrorParser, metavar="{catalogue,ratings}")
        catalogue = parts.add_parser("catalogue", help="the approval catalogue (审批事项目录)")
        sub = catalogue.add_subparsers(dest="action", required=True, parser_class=OneLineErrorParser,
                                       metavar="{check,import,export,publish-all}")
        p = sub.add_parser("check", help="check a catalogue file; writes nothing")
        p.add_argument("file", metavar="FILE.xlsx")
        p = sub.add_parser("import", help="publish the new and changed items of a catalogue file")
        p.add_argument("--actor", required=True, help="the approval service office's administrator")
        p.add_argument("file", metavar="FILE.xlsx")
        p = sub.add_parser("export", help="write the catalogue in force today")
        p.add_argument("file", metavar="FILE.xlsx")
        sub.add_parser("publish-all", help="publish every item's guide to the public site as the catalogue stands")
        ratings = parts.add_parser("ratings", help="好差评 ratings")
        sub = ratings.add_subparsers(dest="action", required=True, parser_class=OneLineErrorParser, metavar="{export}")
        p = sub.add_parser("export", help="write a month's ratings (docs/ratings-export.md)")
        p.add_argument("--month", required=True, help="YYYY-MM")
        p.add_argument("--format", choices=("csv", "json"), default=None)
        p.add_argument("file", metavar="FILE")

    def handle(self, *args: Any, part: str, action: str, **options: Any) -> None:
        today = workcal.today()
        if part == "catalogue" and action == "publish-all":
            self.stdout.write(f"published {publish_all(today)} items to the public site")
            return
        path = Path(options["file"])
        if part == "ratings":
            self.export_ratings(path, options["month"], options["format"])
            return
        if action == "export":
            self.export(path)
            return
        actor = self._actor(options["actor"].strip()) if action == "import" else None
        try:
            plan = plan_import(path, today=today) if actor is None else import_catalogue(path, actor=actor, today=today)
        except CatalogueFileRefused as e:
            raise CliError("\n".join([str(e), *(str(p) for p in e.problems)])) from e
        except LedgerFileError as e:
            raise CliError(f"{path}: {e}") from e
        self.stdout.write(_summary("checked" if actor is None else "imported", plan))

    def _actor(self, username: str) -> User:
        actor = User.objects.filter(username__iexact=username, is_active=True).first()
        if actor is None or not edits_catalogue(actor):
            raise CliError(_("--actor %(name)s: not an active administrator of the approval service office") % {
                "name": username})
        return actor

    def export(self, path: Path) -> None:
        directory = path.resolve().parent
        if not directory.is_dir():
            raise CliError(_("%(path)s: no such directory") % {"path": path})
        fd, tmp = tempfile.mkstemp(prefix=".catalogue-", suffix=".xlsx", dir=directory)
        os.close(fd)
        try:
            n = export_catalogue(tmp, on=workcal.today())
            os.replace(tmp, path)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
        self.stdout.write(f"exported {n} items to {path}")

    def export_ratings(self, path: Path, month: str, fmt: str | None) -> None:
        try:
            start, end = month_bounds(month)
        except ValueError:
            raise CliError(_("--month %(month)s: give the month as YYYY-MM") % {"month": month}) from None
        fmt = fmt or ("json" if path.suffix.lower() == ".json" else "csv")
        if not path.resolve().parent.is_dir():
            raise CliError(_("%(path)s: no such directory") % {"path": path})
        data = ratings_export.rows(ratings_export.month_ratings(start, end))
        with path.open("w", encoding="utf-8", newline="") as out:
            if fmt == "json":
                ratings_export.write_json(data, month, out)
            else:
                ratings_export.write_csv(data, out)
        self.stdout.write(f"exported {len(data)} ratings to {path}")
