"""The calendar tables as a `WorkCalendar`, and deadlines computed from it.

Every feature with a time limit asks `get_calendar()`, often several times per request,
and many worker processes serve requests at once. Each process therefore keeps the
built calendar and, on every call, compares one small query's answer -- the
(year, version, loaded_at) of each loaded year, about two dozen rows -- with the key it
was built from. An import in any process bumps a version and so invalidates every other
process's copy on its next call, with no shared cache server and no signal to deliver.
"""

from __future__ import annotations

import threading
from datetime import date
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from ducha.rules.workdays import UncoveredYear, WorkCalendar, handling_deadline, report_window
from ducha.workcal.models import CalendarDay, CalendarYear, DayKind, DeadlineStatus, WorkdayDeadline


class CalendarEmpty(UncoveredYear):
    """No calendar year is loaded at all: every question is about an uncovered year.

    ``year`` is the year asked about when known, else 0.
    """

    def __init__(self, year: int = 0) -> None:
        self.year = year
        LookupError.__init__(self, "工作日历尚未导入任何年度 (no calendar year is loaded)")

    def __reduce__(self) -> tuple[Any, ...]:
        return (CalendarEmpty, (self.year,))


_lock = threading.Lock()
_cached: tuple[tuple[tuple[Any, ...], ...], WorkCalendar] | None = None


def _current_key() -> tuple[tuple[Any, ...], ...]:
    # loaded_at is part of the key so that a year deleted and loaded again, whose
    # version restarts at 1, still counts as changed.
    return tuple(CalendarYear.objects.order_by("year").values_list("year", "version", "loaded_at"))


def get_calendar() -> WorkCalendar:
    """The working-day calendar of every loaded year (raises CalendarEmpty when none is)."""
    global _cached
    key = _current_key()
    cached = _cached
    if cached is not None and cached[0] == key:
        return cached[1]
    if not key:
        raise CalendarEmpty()
    holidays: list[date] = []
    makeup: list[date] = []
    for d, kind in CalendarDay.objects.filter(year__year__in=[k[0] for k in key]).values_list("date", "kind"):
        (holidays if kind == DayKind.HOLIDAY else makeup).append(d)
    cal = WorkCalendar.build([k[0] for k in key], holidays, makeup)
    # Inside a transaction the key may be uncommitted; caching it is still safe because
    # a rollback restores the old key, which no longer matches.
    with _lock:
        _cached = (key, cal)
    return cal


def clear_cache() -> None:
    """Forget the built calendar (the next call rebuilds it); for tests of the cache itself."""
    global _cached
    with _lock:
        _cached = None


def today() -> date:
    """Today in Asia/Shanghai, the date views pass into calendar functions.

    It reads the one clock that ``timezone.now()`` reads too, so a date and the time stamps
    written beside it always agree (tests move that clock, never this function alone)."""
    return timezone.localdate()


def several_departments_days() -> int:
    """S1.13 "within one week" in working days (setting DUCHA_SEVERAL_DEPARTMENTS_DAYS, default 5)."""
    return int(getattr(settings, "DUCHA_SEVERAL_DEPARTMENTS_DAYS", 5))


def report_window_days() -> int:
    """S1.2 report window in working days (setting DUCHA_REPORT_WINDOW_DAYS, default 5)."""
    return int(getattr(settings, "DUCHA_REPORT_WINDOW_DAYS", 5))


def compute_due(cal: WorkCalendar, basis_date: date, workdays: int) -> date | None:
    """The due date, or None while the calendar does not cover the days it needs."""
    try:
        return cal.add_workdays(basis_date, workdays)
    except UncoveredYear:
        return None


def _calendar_or_none() -> WorkCalendar | None:
    try:
        return get_calendar()
    except CalendarEmpty:
        return None


def create_deadline(basis_date: date, workdays: int, label: str = "") -> WorkdayDeadline:
    """A new open deadline N working days after ``basis_date``: due, or pending the calendar."""
    if workdays < 1:
        raise ValueError(f"a deadline needs at least 1 working day, got {workdays}")
    cal = _calendar_or_none()
    due = compute_due(cal, basis_date, workdays) if cal is not None else None
    return WorkdayDeadline.objects.create(
        basis_date=basis_date,
        workdays=workdays,
        due_date=due,
        status=DeadlineStatus.OK if due is not None else DeadlineStatus.PENDING_CALENDAR,
        label=label,
    )


def handling_workdays(departments: int) -> int:
    """S1.13: 3 working days for one handling department, "one week" (a setting) for several."""
    if departments < 1:
        raise ValueError(f"departments must be at least 1, got {departments}")
    return 3 if departments == 1 else several_departments_days()


def handling_due(received: date, departments: int) -> date:
    """S1.13 due date of a request; raises UncoveredYear when the calendar does not reach it."""
    return handling_deadline(
        get_calendar(), received, departments, several_departments_days=several_departments_days()
    )


def create_handling_deadline(received: date, departments: int, label: str = "") -> WorkdayDeadline:
    """S1.13: the deadline of a request from a county or unit, from its handling departments."""
    return create_deadline(received, handling_workdays(departments), label)


def report_window_for(year: int, month: int) -> tuple[date, date]:
    """S1.2: first and last day of the window for the report on ``month`` of ``year``
    (the first DUCHA_REPORT_WINDOW_DAYS working days of the following month)."""
    return report_window(get_calendar(), year, month, report_window_days())


def missing_next_year_warning(today: date) -> str | None:
    """A warning for the system administrator when the calendar is about to run out.

    From 1 December of year Y the notice for Y+1 is normally out (it is usually issued
    in November) and deadlines crossing New Year already depend on it; without it they
    stay 时限待确认. A missing *current* year is warned about on any date.
    """
    loaded = set(
        CalendarYear.objects.filter(year__in=[today.year, today.year + 1]).values_list("year", flat=True)
    )
    if today.year not in loaded:
        return _(
            "The working-day calendar has no data for %(year)d: every deadline in %(year)d is pending. "
            "Import the State Council holiday notice for %(year)d."
        ) % {"year": today.year}
    if today >= date(today.year, 12, 1) and today.year + 1 not in loaded:
        return _(
            "The working-day calendar for %(year)d is not loaded yet. Import the State Council holiday "
            "notice for %(year)d; until then deadlines reaching into %(year)d are pending."
        ) % {"year": today.year + 1}
    return None
