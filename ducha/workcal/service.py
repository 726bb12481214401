"""The calendar tables as a `WorkCalendar`, and deadlines computed from it.

Every feature with a time limit asks `get_calendar()`, often several times per request,
and many worker processes serve requests at once. Each process therefore keeps the
built calendar and, on every call, compares one small query's answer -- the
(year, version, loaded_at) of each loaded year, about two dozen rows -- with the key it
was built from. An import in any process bumps a version and so invalidates every other
process's copy on its next call, with no shared cache server and no signal to deliver.

Years without a notice from 2025 up to DUCHA_PROVISIONAL_YEARS after the current one are
covered provisionally (暂定, docs/decisions/0003): their days off come from the 2024
holiday rules (``ducha.workcal.provisional``), and every date that depends on them is
marked so. ``get_calendar(provisional=False)`` answers from the notices alone.
"""

from __future__ import annotations

import threading
from datetime import date
from typing import Any, NamedTuple

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ducha.rules.provisional import FIRST_YEAR
from ducha.rules.workdays import UncoveredYear, WorkCalendar, handling_deadline, report_window
from ducha.workcal.models import CalendarDay, CalendarYear, DayKind, DeadlineStatus, WorkdayDeadline
from ducha.workcal.provisional import provisional_days


class CalendarEmpty(UncoveredYear):
    """No calendar year is loaded at all: every question is about an uncovered year.

    ``year`` is the year asked about when known, else 0.
    """

    def __init__(self, year: int = 0) -> None:
        self.year = year
        LookupError.__init__(self, _("No calendar year is loaded."))

    def __reduce__(self) -> tuple[Any, ...]:
        return (CalendarEmpty, (self.year,))


_lock = threading.Lock()
# (key, provisional years) -> the calendar, and the same without its provisional years.
_cached: tuple[tuple[Any, ...], WorkCalendar, WorkCalendar | None] | None = None


def _current_key() -> tuple[tuple[Any, ...], ...]:
    # loaded_at is part of the key so that a year deleted and loaded again, whose
    # version restarts at 1, still counts as changed.
    return tuple(CalendarYear.objects.order_by("year").values_list("year", "version", "loaded_at"))


def provisional_horizon(on: date) -> int:
    """The last year covered provisionally on ``on``; before FIRST_YEAR when none is."""
    years: int = settings.DUCHA_PROVISIONAL_YEARS
    return on.year + years if years > 0 else FIRST_YEAR - 1


def provisional_years_for(loaded: set[int] | frozenset[int], on: date) -> list[int]:
    """The years without a notice that the 2024 rules cover on ``on``."""
    return [y for y in range(FIRST_YEAR, provisional_horizon(on) + 1) if y not in loaded]


def get_calendar(*, provisional: bool = True) -> WorkCalendar:
    """The working-day calendar of every loaded year and, unless ``provisional`` is False,
    of the years covered provisionally (raises CalendarEmpty when no year is loaded)."""
    global _cached
    key = _current_key()
    loaded = [k[0] for k in key]
    extra = tuple(provisional_years_for(set(loaded), today()))
    full_key = (key, extra)
    cached = _cached
    if cached is None or cached[0] != full_key:
        if not key:
            raise CalendarEmpty()
        holidays: list[date] = []
        makeup: list[date] = []
        for d, kind in CalendarDay.objects.filter(year__year__in=loaded).values_list("date", "kind"):
            (holidays if kind == DayKind.HOLIDAY else makeup).append(d)
        holidays.extend(s.date for y in extra for s in provisional_days(y))
        cal = WorkCalendar.build([*loaded, *extra], holidays, makeup, provisional_years=extra)
        # Inside a transaction the key may be uncommitted; caching it is still safe because
        # a rollback restores the old key, which no longer matches.
        cached = (full_key, cal, None)
        with _lock:
            _cached = cached
    if provisional:
        return cached[1]
    strict = cached[2]
    if strict is None:
        strict = cached[1].announced()
        with _lock:
            if _cached is not None and _cached[0] == full_key:
                _cached = (full_key, cached[1], strict)
    return strict


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


def one_department_days() -> int:
    """S1.13 limit of a request one department handles (setting DUCHA_ONE_DEPARTMENT_DAYS, default 3)."""
    return settings.DUCHA_ONE_DEPARTMENT_DAYS


def several_departments_days() -> int:
    """S1.13 "within one week" in working days (setting DUCHA_SEVERAL_DEPARTMENTS_DAYS, default 5)."""
    return settings.DUCHA_SEVERAL_DEPARTMENTS_DAYS


def report_window_days() -> int:
    """S1.2 report window in working days (setting DUCHA_REPORT_WINDOW_DAYS, default 5)."""
    return settings.DUCHA_REPORT_WINDOW_DAYS


def compute_due(cal: WorkCalendar, basis_date: date, workdays: int) -> date | None:
    """The due date, or None while the calendar does not cover the days it needs."""
    try:
        return cal.add_workdays(basis_date, workdays)
    except UncoveredYear:
        return None


def is_provisional(cal: WorkCalendar, basis_date: date, due: date | None) -> bool:
    """Whether a due date counted from ``basis_date`` rests on a provisional year (暂定)."""
    return due is not None and cal.touches_provisional(basis_date, due)


class DueDate(NamedTuple):
    due: date
    provisional: bool  # 暂定: counted over a year the State Council has not announced


def _calendar_or_none() -> WorkCalendar | None:
    try:
        return get_calendar()
    except CalendarEmpty:
        return None


def create_deadline(basis_date: date, workdays: int, label: str = "") -> WorkdayDeadline:
    """A new open deadline N working days after ``basis_date``: due (provisionally, when it
    rests on an unannounced year), or pending the calendar."""
    if workdays < 1:
        raise ValueError(f"a deadline needs at least 1 working day, got {workdays}")
    cal = _calendar_or_none()
    due = compute_due(cal, basis_date, workdays) if cal is not None else None
    return WorkdayDeadline.objects.create(
        basis_date=basis_date,
        workdays=workdays,
        due_date=due,
        status=DeadlineStatus.OK if due is not None else DeadlineStatus.PENDING_CALENDAR,
        provisional=cal is not None and is_provisional(cal, basis_date, due),
        label=label,
    )


def recompute_deadline(deadline: WorkdayDeadline, basis_date: date, workdays: int) -> WorkdayDeadline:
    """Give an existing deadline a new basis or length and save its due date and mark."""
    cal = _calendar_or_none()
    due = compute_due(cal, basis_date, workdays) if cal is not None else None
    deadline.basis_date, deadline.workdays, deadline.due_date = basis_date, workdays, due
    deadline.status = DeadlineStatus.OK if due is not None else DeadlineStatus.PENDING_CALENDAR
    deadline.provisional = cal is not None and is_provisional(cal, basis_date, due)
    deadline.save(update_fields=["basis_date", "workdays", "due_date", "status", "provisional"])
    return deadline


def close_deadline(deadline_id: int) -> None:
    """The work is done: a later calendar import leaves this deadline where it was."""
    WorkdayDeadline.objects.filter(pk=deadline_id, is_open=True).update(is_open=False)


def handling_workdays(departments: int) -> int:
    """S1.13: 3 working days for one handling department, "one week" for several (both settings)."""
    if departments < 1:
        raise ValueError(f"departments must be at least 1, got {departments}")
    return one_department_days() if departments == 1 else several_departments_days()


def handling_due(received: date, departments: int) -> date:
    """S1.13 due date of a request; raises UncoveredYear when the calendar does not reach it."""
    return handling_due_date(received, departments).due


def handling_due_date(received: date, departments: int, *, provisional: bool = True) -> DueDate:
    """S1.13 due date of a request and whether it is provisional; raises UncoveredYear when
    the calendar (of the notices alone, without ``provisional``) does not reach it."""
    cal = get_calendar(provisional=provisional)
    due = handling_deadline(cal, received, departments, one_department_days=one_department_days(),
                            several_departments_days=several_departments_days())
    return DueDate(due, cal.touches_provisional(received, due))


def create_handling_deadline(received: date, departments: int, label: str = "") -> WorkdayDeadline:
    """S1.13: the deadline of a request from a county or unit, from its handling departments."""
    return create_deadline(received, handling_workdays(departments), label)


def report_window_for(year: int, month: int) -> tuple[date, date]:
    """S1.2: first and last day of the window for the report on ``month`` of ``year``
    (the first DUCHA_REPORT_WINDOW_DAYS working days of the following month)."""
    return report_window(get_calendar(), year, month, report_window_days())


def open_provisional_deadlines() -> int:
    """Open deadlines whose due date rests on a year not announced yet."""
    return WorkdayDeadline.objects.filter(is_open=True, provisional=True).count()


def missing_next_year_warning(today: date) -> str | None:
    """A warning for the system administrator when the calendar is about to run out.

    From 1 December of year Y the notice for Y+1 is normally out (it is usually issued
    in November) and deadlines crossing New Year already depend on it; without it they
    are provisional (暂定), or pending beyond the provisional years, and the warning says
    how many open deadlines are provisional. A missing *current* year is warned about on
    any date.
    """
    loaded = set(
        CalendarYear.objects.filter(year__in=[today.year, today.year + 1]).values_list("year", flat=True)
    )
    provisional = set(provisional_years_for(loaded, today))
    if today.year not in loaded:
        if today.year not in provisional:
            return _(
                "The working-day calendar has no data for %(year)d: every deadline in %(year)d is pending. "
                "Import the State Council holiday notice for %(year)d."
            ) % {"year": today.year}
        return _provisional_warning(
            _(
                "The working-day calendar has no State Council notice for %(year)d: its working days are "
                "provisional, from the statutory holidays. Import the notice for %(year)d."
            ) % {"year": today.year}
        )
    if today >= date(today.year, 12, 1) and today.year + 1 not in loaded:
        if today.year + 1 not in provisional:
            return _(
                "The working-day calendar for %(year)d is not loaded yet. Import the State Council holiday "
                "notice for %(year)d; until then deadlines reaching into %(year)d are pending."
            ) % {"year": today.year + 1}
        return _provisional_warning(
            _(
                "The working-day calendar for %(year)d is not loaded yet. Import the State Council holiday "
                "notice for %(year)d; until then deadlines reaching into %(year)d are provisional."
            ) % {"year": today.year + 1}
        )
    return None


def _provisional_warning(text: str) -> str:
    count = open_provisional_deadlines()
    return text + " " + ngettext(
        "%(count)d open deadline is provisional and will be recomputed on import.",
        "%(count)d open deadlines are provisional and will be recomputed on import.",
        count,
    ) % {"count": count}
