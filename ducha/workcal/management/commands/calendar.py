"""`ducha calendar`: load a year's holiday notice from CSV, list the loaded years.

    ducha calendar import FILE [--notice TEXT] [--notice-number TEXT] [--year Y | --several-years]
    ducha calendar years      one line per year; a year without a notice that the 2024
                              holiday rules cover is listed as ``provisional`` (暂定)

FILE is UTF-8 CSV with the header ``date,kind,name,source``; kind is ``holiday`` or
``makeup_workday`` (see ducha/workcal/importing.py). One bad row refuses the whole file:
each problem is printed on its own line with its row number, exit status 2, nothing
written. A file is one year's notice (the year most rows are in, or --year): a row of
another year is a bad row, because loading a year replaces all of its days. Importing a
year again replaces its days and moves the open deadlines it affects.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser
from django.db.models import Count, Q
from django.utils.translation import gettext as _

from ducha.workcal import service
from ducha.workcal.actions import do_import_calendar_file
from ducha.workcal.commandline import CliError, OneLineErrorParser, ScriptCommand, year_arg
from ducha.workcal.importing import MAX_FILE_BYTES, CalendarImportError, parse_calendar_csv
from ducha.workcal.models import CalendarYear, DayKind
from ducha.workcal.provisional import BASIS, provisional_days


class Command(ScriptCommand):
    help = "Import State Council holiday notices (CSV) into the working-day calendar, or list loaded years."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(
            dest="action", required=True, parser_class=OneLineErrorParser, metavar="{import,years}"
        )
        p = sub.add_parser("import", help="load the years in a CSV file (date,kind,name,source)")
        p.add_argument("file", metavar="FILE")
        p.add_argument("--notice", default="", help="title of the State Council notice")
        p.add_argument("--notice-number", default="", help="the notice's document number")
        p.add_argument(
            "--year",
            type=year_arg,
            default=None,
            help="the file's year (default: the year most rows are in); rows of other years are refused",
        )
        p.add_argument(
            "--several-years",
            action="store_true",
            help="the file holds several whole years; load each of them",
        )
        sub.add_parser(
            "years", help="list the loaded years with their day counts and notice, and the provisional years"
        )

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        if action == "years":
            self.list_years()
        else:
            self.import_file(
                options["file"],
                year=options["year"],
                several_years=options["several_years"],
                notice=options["notice"].strip(),
                notice_number=options["notice_number"].strip(),
            )

    def list_years(self) -> None:
        years = CalendarYear.objects.annotate(
            n_holidays=Count("days", filter=Q(days__kind=DayKind.HOLIDAY)),
            n_makeup=Count("days", filter=Q(days__kind=DayKind.MAKEUP_WORKDAY)),
        ).order_by("year")
        lines = {}
        for y in years:
            notice = f"{y.notice} {y.notice_number}".strip()
            lines[y.year] = f"{y.year}\tholidays={y.n_holidays}\tmakeup_workdays={y.n_makeup}\t{notice}"
        if lines:
            for year in service.provisional_years_for(set(lines), service.today()):
                lines[year] = (
                    f"{year}\tholidays={len(provisional_days(year))}\tmakeup_workdays=0\t"
                    f"provisional 暂定: {BASIS}"
                )
        for year in sorted(lines):
            self.stdout.write(lines[year])

    def import_file(
        self, file: str, *, year: int | None, several_years: bool, notice: str, notice_number: str
    ) -> None:
        path = Path(file)
        try:
            size = path.stat().st_size
            if size > MAX_FILE_BYTES:
                raise CliError(_("%(file)s: the file is larger than 1 MB") % {"file": file})
            data = path.read_bytes()
        except FileNotFoundError:
            raise CliError(_("No such file: %(file)s") % {"file": file}) from None
        except IsADirectoryError:
            raise CliError(_("%(file)s is a directory") % {"file": file}) from None
        except OSError as e:
            raise CliError(_("Cannot read %(file)s: %(reason)s") % {"file": file, "reason": e.strerror}) from None
        try:
            summaries = do_import_calendar_file(
                actor=None,
                rows=parse_calendar_csv(data),
                year=year,
                several_years=several_years,
                notice=notice,
                notice_number=notice_number,
                source=f"import: {path.name}",
            )
        except CalendarImportError as e:
            raise CliError("\n".join(f"{file}: {err}" for err in e.errors)) from e
        for s in summaries:
            self.stdout.write(str(s))
