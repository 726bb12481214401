"""A loaded year laid out as twelve month grids, for people checking an import by eye.

The check an administrator does after loading a notice is visual ("is 春节 on the right
days, is the make-up Saturday blue?"), so each month shows its days in weeks from Monday,
as Chinese wall calendars do, and lists its holiday spans and make-up days by name.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Protocol


class Day(Protocol):
    """A day that differs from Monday-to-Friday: a stored CalendarDay or a provisional day off."""

    @property
    def date(self) -> date: ...
    @property
    def kind(self) -> str: ...
    @property
    def name(self) -> str: ...


@dataclass(frozen=True)
class ProvisionalDay:
    date: date
    kind: str
    name: str


@dataclass(frozen=True)
class Cell:
    date: date | None  # None: padding outside the month
    kind: str = ""  # "holiday", "makeup_workday", "weekend", "workday" or "" for padding
    name: str = ""
    is_today: bool = False


@dataclass(frozen=True)
class Run:
    """Consecutive days of one kind and name inside a month, e.g. 春节 2/15–2/23."""

    start: date
    end: date
    kind: str
    name: str

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


@dataclass
class Month:
    number: int
    weeks: list[list[Cell]] = field(default_factory=list)
    runs: list[Run] = field(default_factory=list)


def _runs(special: list[Day]) -> list[Run]:
    runs: list[Run] = []
    for day in special:
        last = runs[-1] if runs else None
        follows = last is not None and last.end + timedelta(days=1) == day.date
        if last is not None and follows and last.kind == day.kind and last.name == day.name:
            runs[-1] = Run(last.start, day.date, last.kind, last.name)
        else:
            runs.append(Run(day.date, day.date, day.kind, day.name))
    return runs


def year_months(year: int, days: Sequence[Day], today: date) -> list[Month]:
    """Twelve months of ``year`` given its days off and make-up days."""
    by_date = {d.date: d for d in days}
    weeks_of = calendar.Calendar(firstweekday=0)
    months = []
    for m in range(1, 13):
        month = Month(m)
        for week in weeks_of.monthdatescalendar(year, m):
            row = []
            for d in week:
                if d.month != m:
                    row.append(Cell(None))
                    continue
                special = by_date.get(d)
                if special is not None:
                    kind, name = special.kind, special.name
                else:
                    kind, name = ("weekend" if d.weekday() >= 5 else "workday"), ""
                row.append(Cell(d, kind, name, d == today))
            month.weeks.append(row)
        month.runs = _runs(sorted((d for d in days if d.date.month == m), key=lambda d: d.date))
        months.append(month)
    return months

