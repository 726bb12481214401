"""`ducha workdays`: working-day arithmetic on the loaded calendar, for scripts.

    ducha workdays add DATE N                            -> YYYY-MM-DD (N-th working day after DATE)
    ducha workdays between A B                           -> working days in (A, B]
    ducha workdays is DATE                               -> workday | weekend | holiday
    ducha workdays deadline --received DATE --departments K   -> S1.13 due date

The receipt day never counts (民法典 art. 201). A question about a year the calendar
does not hold is an error (exit 2), never a Monday-to-Friday guess.
"""

from __future__ import annotations

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

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        try:
            if action == "deadline":
                answer = service.handling_due(options["received"], options["departments"]).isoformat()
            else:
                cal = service.get_calendar()
                if action == "add":
                    answer = cal.add_workdays(options["date"], options["n"]).isoformat()
                elif action == "between":
                    answer = str(cal.workdays_between(options["a"], options["b"]))
                else:
                    answer = cal.day_kind(options["date"])
        except UncoveredYear as e:
            raise CliError(str(e)) from e
        self.stdout.write(answer)
