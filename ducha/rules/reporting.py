"""Monthly progress reports (S1.2) and the monthly bulletin's naming rule (S2.8).

Three questions the report pages, the reporting rate and the bulletin all ask, answered
once so they cannot disagree:

* which matters a unit must report on for a month (``reportable_in_month``);
* how a unit's report for a month stands on a given day (``timeliness``): a report is
  judged by its *first* submission, so a report the supervision office returns for
  correction does not turn late because the correction takes a few days;
* which report windows close inside a period (``windows_closing_in``), the months the
  reporting rate of that period counts;
* which units a bulletin names for criticism or commendation (``laggards``, ``commended``).

The window itself is ``workdays.report_window``: the first N working days of the next month.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from ducha.rules.workdays import UncoveredYear, WorkCalendar, report_window

__all__ = [
    "MonthWindow",
    "ReportCounts",
    "Standing",
    "Timeliness",
    "commended",
    "count_timeliness",
    "laggards",
    "month_bounds",
    "months_between",
    "reportable_in_month",
    "timeliness",
    "windows_closing_in",
]


class Timeliness(StrEnum):
    NOT_DUE = "not_due"  # the month is running or its window has not opened: 未到报送期
    OPEN = "open"  # the window is open and nothing is submitted yet: 报送期内
    ON_TIME = "on_time"  # first submitted by the window's last day: 按时报送
    LATE = "late"  # first submitted after the window's last day: 逾期报送
    MISSING = "missing"  # window closed, never submitted: 未报送
    PENDING_CALENDAR = "pending_calendar"  # the calendar does not reach the window yet: 报送期待定


def month_bounds(year: int, month: int) -> tuple[date, date]:
    if not 1 <= month <= 12:
        raise ValueError(f"month must be 1..12, got {month}")
    first = date(year, month, 1)
    after = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
    return first, after - timedelta(days=1)


def months_between(start: date, end: date) -> list[tuple[int, int]]:
    """(year, month) of every month touching [start, end], oldest first."""
    months: list[tuple[int, int]] = []
    y, m = start.year, start.month
    while (y, m) <= (end.year, end.month):
        months.append((y, m))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return months


def reportable_in_month(
    *, started: date, registered: date, finished: date | None, year: int, month: int
) -> bool:
    """Whether a matter (or a co-unit's part) belongs in a unit's report for the month.

    It does when work on it had started by the month's end, it was in the system by then
    (a list item entered in March with a January start cannot be owed in January's
    report, whose window closed in February), and it was not finished before the month
    began: the month it is finished in is still reported, to say so.
    """
    first, last = month_bounds(year, month)
    return started <= last and registered <= last and (finished is None or finished >= first)


def timeliness(window: tuple[date, date] | None, first_submitted_on: date | None, today: date) -> Timeliness:
    """How a unit's report for one month stands on ``today``.

    ``window`` is ``None`` when the calendar does not cover the window's month yet: no one
    can be late for a deadline that is not known.
    """
    if window is None:
        return Timeliness.PENDING_CALENDAR
    opens, closes = window
    if first_submitted_on is not None:
        return Timeliness.ON_TIME if first_submitted_on <= closes else Timeliness.LATE
    if today > closes:
        return Timeliness.MISSING
    if today >= opens:
        return Timeliness.OPEN
    return Timeliness.NOT_DUE


@dataclass(frozen=True)
class ReportCounts:
    """Reports a unit (or the city) owed over some months, by how they stand."""

    on_time: int = 0
    late: int = 0
    missing: int = 0
    open: int = 0
    not_due: int = 0
    pending_calendar: int = 0

    @property
    def owed(self) -> int:
        """Reports whose window has closed: the ones that can be on time, late or missing."""
        return self.on_time + self.late + self.missing


def count_timeliness(states: Iterable[Timeliness]) -> ReportCounts:
    tally = dict.fromkeys(Timeliness, 0)
    for s in states:
        tally[s] += 1
    return ReportCounts(
        on_time=tally[Timeliness.ON_TIME],
        late=tally[Timeliness.LATE],
        missing=tally[Timeliness.MISSING],
        open=tally[Timeliness.OPEN],
        not_due=tally[Timeliness.NOT_DUE],
        pending_calendar=tally[Timeliness.PENDING_CALENDAR],
    )


@dataclass(frozen=True)
class MonthWindow:
    year: int
    month: int
    opens: date
    closes: date

    @property
    def key(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


def windows_closing_in(
    cal: WorkCalendar, start: date, end: date, working_days: int
) -> tuple[list[MonthWindow], list[tuple[int, int]]]:
    """The report windows that close in [start, end], and the months whose window the
    calendar cannot place yet (their year's holiday notice is not loaded).

    A window lies in the month after the one reported, so the months considered run from
    the one before ``start`` to the one before ``end``'s: the reporting rate of the third
    quarter counts the June, July and August reports, whose windows close in July, August
    and September (September's report, due in October, belongs to the fourth quarter).
    """
    if end < start:
        return [], []
    before = start.replace(day=1) - timedelta(days=1)
    last = end.replace(day=1) - timedelta(days=1)
    found: list[MonthWindow] = []
    unknown: list[tuple[int, int]] = []
    for y, m in months_between(before, last):
        try:
            opens, closes = report_window(cal, y, m, working_days)
        except UncoveredYear:
            unknown.append((y, m))
            continue
        if start <= closes <= end:
            found.append(MonthWindow(y, m, opens, closes))
    return found, unknown


# -- S2.8: whom the monthly bulletin names ----------------------------------------------


@dataclass(frozen=True)
class Standing:
    """A unit's figures for a bulletin: its three rates (None when nothing was due) and
    the matters it leads that are past their deadline and still open."""

    unit_id: int
    rates: tuple[float | None, ...]
    overdue: int
    order: int = 0

    @property
    def lowest(self) -> float | None:
        known = [r for r in self.rates if r is not None]
        return min(known) if known else None


def laggards(standings: Sequence[Standing], limit: int, target: float = 1.0) -> list[Standing]:
    """Units named for criticism (通报批评): any rate below ``target`` or any overdue
    matter; the lowest rate first, then the most overdue matters, then the unit's order.
    At most ``limit`` are named, so a bad month does not turn the bulletin into a list
    of every unit."""
    if limit < 0:
        raise ValueError(f"limit must be >= 0, got {limit}")
    behind = [
        s for s in standings
        if s.overdue > 0 or (s.lowest is not None and s.lowest < target - 1e-9)
    ]
    behind.sort(key=lambda s: (s.lowest if s.lowest is not None else target, -s.overdue, s.order, s.unit_id))
    return behind[:limit]


def commended(standings: Sequence[Standing], target: float = 1.0) -> list[Standing]:
    """Units named for commendation (通报表扬): something was due, every rate that exists
    meets ``target``, and nothing is overdue. A unit with nothing due earns no praise."""
    return sorted(
        (
            s for s in standings
            if s.overdue == 0 and s.lowest is not None and s.lowest >= target - 1e-9
        ),
        key=lambda s: (s.order, s.unit_id),
    )
