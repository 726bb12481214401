"""The test calendar: State Council holiday notices 2004–2026 as packaged by chinesecalendar.

Kept out of conftest.py so each test module states where its calendar comes from.
``chinese_calendar.constants.holidays`` lists every statutory day off, weekend days
inside a holiday span included; ``.workdays`` lists only the make-up weekend days
(调休上班).  That is exactly the shape ``WorkCalendar.build`` takes.
"""

from __future__ import annotations

from datetime import date
from functools import cache

from chinese_calendar import constants

from ducha.rules.workdays import WorkCalendar

FIRST_YEAR = 2004
LAST_YEAR = 2026  # chinesecalendar 1.11 raises NotImplementedError for 2027
FIRST_DAY = date(FIRST_YEAR, 1, 1)
LAST_DAY = date(LAST_YEAR, 12, 31)


@cache
def cn_calendar() -> WorkCalendar:
    return WorkCalendar.build(range(FIRST_YEAR, LAST_YEAR + 1), constants.holidays.keys(), constants.workdays.keys())
