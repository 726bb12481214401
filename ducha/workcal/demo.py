"""The demo's calendar: the years the migration seeds, restored if they went missing.

The migration loads 2004–2026 from chinesecalendar, so normally this changes nothing.
A database flushed by hand (or by a test run) has no calendar, and every demo deadline
would then be 时限待确认; in that case the missing years are loaded again, through the
same import as everything else, so the event log shows it.
"""

from __future__ import annotations

from datetime import date

from ducha.workcal.actions import do_import_calendar_year
from ducha.workcal.importing import CalendarRow
from ducha.workcal.models import CalendarYear

SEED_FIRST_YEAR, SEED_LAST_YEAR = 2004, 2026


def _package_rows(year: int) -> tuple[list[CalendarRow], str]:
    import chinese_calendar
    from chinese_calendar import constants

    def chinese(name: str) -> str:
        try:
            return str(constants.Holiday(name).chinese)
        except ValueError:
            return name

    source = f"chinesecalendar {getattr(chinese_calendar, '__version__', '')}".strip()
    days: list[tuple[date, str, str]] = [
        (d, kind, chinese(name))
        for kind, table in (("holiday", constants.holidays), ("makeup_workday", constants.workdays))
        for d, name in table.items()
        if d.year == year
    ]
    rows = [CalendarRow(i, d, kind, name, source) for i, (d, kind, name) in enumerate(sorted(days), start=2)]
    return rows, source


def build_demo_calendar() -> list[int]:
    """Make sure 2004–2026 are loaded; returns the years that had to be loaded (usually none)."""
    present = set(CalendarYear.objects.values_list("year", flat=True))
    loaded = []
    for year in range(SEED_FIRST_YEAR, SEED_LAST_YEAR + 1):
        if year in present:
            continue
        rows, source = _package_rows(year)
        do_import_calendar_year(actor=None, year=year, rows=rows, source=source)
        loaded.append(year)
    return loaded
