"""What `ducha workdays` and `ducha calendar` share: scripts parse their output.

The contract: the answer alone on stdout; on any error exactly one line on stderr
("ducha: …"), nothing on stdout, exit status 2. Django's defaults break it in two ways:
argparse prints a usage block before its error line, and CommandError is printed as
"CommandError: …". Both are replaced here; called from Python (call_command) the same
errors raise CommandError with returncode 2 instead, as Django's own commands do.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from typing import Any, NoReturn

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from ducha.workcal.importing import MAX_YEAR, MIN_YEAR, parse_date

EXIT_USAGE = 2


class CliError(CommandError):
    def __init__(self, message: str) -> None:
        super().__init__(message, returncode=EXIT_USAGE)


class OneLineErrorParser(CommandParser):
    """A CommandParser whose errors are one line, without the usage block."""

    def error(self, message: str) -> NoReturn:
        if self.called_from_command_line:
            self.exit(EXIT_USAGE, f"{self.prog}: {message}\n")
        raise CliError(f"{self.prog}: {message}")


def date_arg(text: str) -> date:
    d = parse_date(text)
    if d is None or "/" in text:
        raise argparse.ArgumentTypeError(_("Invalid date %(text)r: use YYYY-MM-DD.") % {"text": text})
    return d


def int_arg(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(_("Not an integer: %(text)r") % {"text": text}) from None


def positive_int_arg(text: str) -> int:
    n = int_arg(text)
    if n < 1:
        raise argparse.ArgumentTypeError(_("Must be at least 1: %(text)r") % {"text": text})
    return n


def year_arg(text: str) -> int:
    n = int_arg(text)
    if not MIN_YEAR <= n <= MAX_YEAR:
        raise argparse.ArgumentTypeError(_("The year must be within %(min)s–%(max)s: %(text)r") % {
            "min": MIN_YEAR, "max": MAX_YEAR, "text": text})
    return n


class ScriptCommand(BaseCommand):
    """Base of the calendar commands: one-line errors, exit status 2, no system checks.

    System checks are skipped because these commands run inside scripts many times a
    minute, and a check warning on stderr would break the one-line contract.
    """

    requires_system_checks: list[str] = []

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        # Django builds a plain CommandParser and offers no hook for the class; the
        # subclass adds only `error`. Subcommand parsers are created inside
        # add_arguments, before this line: pass parser_class=OneLineErrorParser there.
        parser.__class__ = OneLineErrorParser
        return parser

    def execute(self, *args: Any, **options: Any) -> Any:
        try:
            return super().execute(*args, **options)
        except CommandError as e:
            if getattr(self, "_called_from_command_line", False) and not options.get("traceback"):
                # One line per problem (a refused file lists each bad row on its own line).
                sys.stderr.write("".join(f"ducha: {line}\n" for line in str(e).splitlines()))
                sys.exit(e.returncode)
            raise
