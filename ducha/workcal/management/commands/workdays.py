"""`ducha workdays`: working-day arithmetic on the loaded calendar, for scripts.

    ducha workdays add DATE N                            -> YYYY-MM-DD (N-th working day after DATE)
    ducha workdays between A B                           -> working days in (A, B]
    ducha workdays is DATE                               -> workday | weekend | holiday
    ducha workdays deadline --received DATE --departments K   -> S1.13 due date
    ... --provisional                                    also answer over years without a notice

The receipt day never counts (民法典 art. 201). A question about a year whose State
Council notice is not loaded is an error (exit 2), never a Monday-to-Friday guess --
unless ``--provisional`` is given: then the years the 2024 holiday rules cover
provisionally (暂定) count too, the answer keeps its format on stdout and, when it rests
on such a year, the word ``provisional`` goes to stderr, so a script still reads one
answer and can tell a provisional one.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import CommandParser

from ducha.rules.workdays import UncoveredYear
from ducha.workcal import service
from ducha.workcal.commandline import (
    CliError,
    OneLineErrorParser,
    ScriptCommand,
    date_arg,
    int_arg,
    positive_int_arg,
)


class Command(ScriptCommand):
    help = "Working-day arithmetic on the loaded Chinese working-day calendar (receipt day not counted)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(
            dest="action", required=True, parser_class=OneLineErrorParser, metavar="{add,between,is,deadline}"
        )
        p = sub.add_parser("add", help="print the N-th working day after DATE")
        p.add_argument("date", type=date_arg, metavar="DATE")
        p.add_argument("n", type=int_arg, metavar="N")
        p = sub.add_parser("between", help="print the number of working days after A up to and including B")
        p.add_argument("a", type=date_arg, metavar="A")
        p.add_argument("b", type=date_arg, metavar="B")
        p = sub.add_parser("is", help="print workday, weekend or holiday")
        p.add_argument("date", type=date_arg, metavar="DATE")
        p = sub.add_parser("deadline", help="print the S1.13 due date of a request")
        p.add_argument("--received", type=date_arg, required=True, metavar="DATE")
        p.add_argument("--departments", type=positive_int_arg, required=True, metavar="K")
        for p in sub.choices.values():
            p.add_argument(
                "--provisional",
                action="store_true",
                help="answer over unannounced years from the statutory holidays too (prints 'provisional' on stderr)",
            )

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        provisional = options["provisional"]
        span: tuple[date, date]
        try:
            cal = service.get_calendar(provisional=provisional)
            if action == "deadline":
                received = options["received"]
                due = service.handling_due_date(received, options["departments"], provisional=provisional).due
                answer, span = due.isoformat(), (received, due)
            elif action == "add":
                day = cal.add_workdays(options["date"], options["n"])
                answer, span = day.isoformat(), (options["date"], day)
            elif action == "between":
                answer, span = str(cal.workdays_between(options["a"], options["b"])), (options["a"], options["b"])
            else:
                answer, span = cal.day_kind(options["date"]), (options["date"], options["date"])
        except UncoveredYear as e:
            raise CliError(str(e)) from e
        self.stdout.write(answer)
        if cal.touches_provisional(*span):
            self.stderr.write("provisional", style_func=lambda text: text)
