"""Reading and checking calendar rows before anything is written.

One wrong row in a holiday file moves real deadlines, so a file is all or nothing: every
row is checked, every problem is reported with its row number, and only a file without
problems reaches the database. The command line and the upload page share this code, so
they accept and refuse exactly the same files.

CSV format (UTF-8, with or without BOM; header row required)::

    date,kind,name,source
    2027-02-06,holiday,春节,test data
    2027-02-14,makeup_workday,春节,test data

* date: YYYY-MM-DD (YYYY/M/D, as spreadsheets save it, is accepted too)
* kind: exactly ``holiday`` (a day off, weekend days inside a span included) or
  ``makeup_workday`` (a Saturday or Sunday declared a working day, 调休上班)
* name, source: optional text (the holiday's name, e.g. 春节; where the row comes from)

Row numbers are spreadsheet row numbers: the header is row 1, the first day is row 2.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext as _

from ducha.workcal.models import DayKind

MAX_FILE_BYTES = 1_000_000
# A year outside this range is a typo (2207), not a calendar anyone will publish.
MIN_YEAR, MAX_YEAR = 2000, 2099
REQUIRED_COLUMNS = ("date", "kind")
COLUMNS = ("date", "kind", "name", "source")
NAME_MAX, SOURCE_MAX = 60, 200
_DATE = re.compile(r"^(\d{4})[-/](\d{1,2})[-/](\d{1,2})$")


@dataclass(frozen=True)
class CalendarRow:
    """One row as given: text from a file, or a date from code (the demo loader)."""

    row: int
    date: str | date
    kind: str
    name: str = ""
    source: str = ""


@dataclass(frozen=True)
class ValidDay:
    row: int
    date: date
    kind: str
    name: str
    source: str


@dataclass(frozen=True)
class RowError:
    row: int | None  # None: about the file or a whole year, not one row
    message: str

    def __str__(self) -> str:
        if self.row is None:
            return self.message
        return _("Row %(row)s: %(message)s") % {"row": self.row, "message": self.message}


class CalendarImportError(ValueError):
    """The rows were refused; ``errors`` lists every problem found, in row order."""

    def __init__(self, errors: Sequence[RowError]) -> None:
        self.errors = list(errors)
        super().__init__("; ".join(str(e) for e in self.errors))


def parse_date(text: str) -> date | None:
    """The date in ``text``, or None when it is not a real calendar date."""
    m = _DATE.match(text.strip())
    if not m:
        return None
    try:
        return date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        return None


def parse_calendar_csv(data: bytes) -> list[CalendarRow]:
    """The rows of a calendar CSV file; CalendarImportError for an unreadable file or header."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CalendarImportError(
            [RowError(None, _("The file is not UTF-8 text: save it as “CSV UTF-8”."))]
        ) from None
    records = list(csv.reader(io.StringIO(text, newline="")))
    if not records or not any(cell.strip() for cell in records[0]):
        raise CalendarImportError(
            [RowError(None, _("The file is empty or has no header date,kind,name,source."))]
        )
    header = [cell.strip().lower() for cell in records[0]]
    problems = []
    unknown = [h for h in header if h not in COLUMNS]
    if unknown:
        problems.append(_("Unknown columns %(columns)s (allowed: %(allowed)s)") % {
            "columns": ", ".join(f"“{h}”" for h in unknown), "allowed": ", ".join(COLUMNS)})
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        problems.append(_("Missing columns %(columns)s") % {"columns": ", ".join(missing)})
    repeated = sorted({h for h in header if header.count(h) > 1})
    if repeated:
        problems.append(_("Repeated columns %(columns)s") % {"columns": ", ".join(repeated)})
    if problems:
        raise CalendarImportError([RowError(1, "; ".join(problems))])

    rows: list[CalendarRow] = []
    errors: list[RowError] = []
    for number, cells in enumerate(records[1:], start=2):
        if not any(cell.strip() for cell in cells):
            continue  # blank lines, e.g. at the end of a hand-edited file
        if len(cells) > len(header):
            errors.append(RowError(number, _("%(cells)s cells, but the header has only %(columns)s columns.") % {
                "cells": len(cells), "columns": len(header)}))
            continue
        values = dict(zip(header, (c.strip() for c in cells), strict=False))
        rows.append(
            CalendarRow(
                number,
                values.get("date", ""),
                values.get("kind", ""),
                values.get("name", ""),
                values.get("source", ""),
            )
        )
    if errors:
        raise CalendarImportError(errors)
    if not rows:
        raise CalendarImportError([RowError(None, _("The file holds no days."))])
    return rows


def _check_row(r: CalendarRow, year: int | None) -> tuple[ValidDay | None, list[str]]:
    problems: list[str] = []
    if isinstance(r.date, date):
        d: date | None = r.date
    elif not r.date.strip():
        d = None
        problems.append(_("The date is empty."))
    else:
        d = parse_date(r.date)
        if d is None:
            problems.append(_("Invalid date %(text)r: a real date as YYYY-MM-DD is needed.") % {"text": r.date.strip()})
    kind = r.kind.strip().lower()
    if kind not in DayKind.values:
        problems.append(
            _("Invalid kind %(text)r: it must be holiday or makeup_workday.") % {"text": r.kind.strip()}
        )
    if d is not None:
        if year is not None and d.year != year:
            problems.append(_("The date %(date)s is not in %(year)s.") % {"date": d.isoformat(), "year": year})
        elif not MIN_YEAR <= d.year <= MAX_YEAR:
            problems.append(_("The year %(year)s is outside %(min)s–%(max)s.") % {"year": d.year, "min": MIN_YEAR, "max": MAX_YEAR})
        if kind == DayKind.MAKEUP_WORKDAY and d.weekday() < 5:
            problems.append(
                _("The make-up working day %(date)s is a %(weekday)s: only a Saturday or Sunday can be one.")
                % {"date": d.isoformat(), "weekday": WEEKDAYS[d.weekday()]}
            )
    name, source = r.name.strip(), r.source.strip()
    if len(name) > NAME_MAX:
        problems.append(_("The name is longer than %(max)s characters.") % {"max": NAME_MAX})
    if len(source) > SOURCE_MAX:
        problems.append(_("The source is longer than %(max)s characters.") % {"max": SOURCE_MAX})
    if problems or d is None:
        return None, problems
    return ValidDay(r.row, d, kind, name, source), []


def validate_rows(rows: Iterable[CalendarRow], *, year: int | None = None) -> dict[int, list[ValidDay]]:
    """The days grouped by year, ascending; CalendarImportError listing every problem.

    With ``year`` every row must belong to that year. Checked: real dates, known kinds,
    make-up days on weekends only, each date at most once (a date that is both a holiday
    and a make-up day is named as such), and at least one holiday per year: a notice
    without a single day off is a wrong file, not a year without holidays.
    """
    errors: list[RowError] = []
    by_year: dict[int, list[ValidDay]] = {}
    seen: dict[date, ValidDay] = {}
    for r in rows:
        day, problems = _check_row(r, year)
        errors.extend(RowError(r.row, p) for p in problems)
        if day is None:
            continue
        first = seen.get(day.date)
        if first is not None:
            if first.kind != day.kind:
                errors.append(
                    RowError(
                        r.row,
                        _("The date %(date)s is both a holiday and a make-up working day (see row %(row)s).")
                        % {"date": day.date.isoformat(), "row": first.row},
                    )
                )
            else:
                errors.append(
                    RowError(
                        r.row,
                        _("The date %(date)s is repeated (see row %(row)s).")
                        % {"date": day.date.isoformat(), "row": first.row},
                    )
                )
            continue
        seen[day.date] = day
        by_year.setdefault(day.date.year, []).append(day)
    if year is not None and not by_year and not errors:
        errors.append(RowError(None, _("There are no days of %(year)s.") % {"year": year}))
    for y, days in sorted(by_year.items()):
        if not any(d.kind == DayKind.HOLIDAY for d in days):
            errors.append(RowError(None, _("%(year)s has no holiday: this does not look like a holiday notice.") % {
                "year": y}))
    if errors:
        errors.sort(key=lambda e: (e.row is None, e.row or 0))
        raise CalendarImportError(errors)
    return {y: sorted(days, key=lambda d: d.date) for y, days in sorted(by_year.items())}
