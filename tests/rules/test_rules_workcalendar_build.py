"""Calendar construction, coverage of years, and the exhaustive check against the notices."""

from __future__ import annotations

import dataclasses
import pickle
from contextlib import AbstractContextManager
from datetime import date, datetime, timedelta

import chinese_calendar
import pytest
from chinese_calendar import constants
from cn_calendar_source import FIRST_DAY, LAST_DAY, cn_calendar

from ducha.rules.workdays import UncoveredYear, WorkCalendar

CAL = cn_calendar()


def test_every_day_2004_2026_agrees_with_chinese_calendar() -> None:
    day = FIRST_DAY
    workdays_by_year: dict[int, int] = {}
    while day <= LAST_DAY:
        expected = chinese_calendar.is_workday(day)
        assert CAL.is_workday(day) is expected, day
        kind = CAL.day_kind(day)
        if day in constants.holidays:
            assert kind == "holiday", day
        else:
            assert kind == ("workday" if expected else "weekend"), day
        workdays_by_year[day.year] = workdays_by_year.get(day.year, 0) + expected
        day += timedelta(days=1)
    for year, count in workdays_by_year.items():
        assert CAL.workdays_in(date(year, 1, 1), date(year, 12, 31)) == count


def test_chinese_calendar_stops_at_2026() -> None:
    # Guards the premise of the coverage tests: the data source itself has no 2027.
    with pytest.raises(NotImplementedError):
        chinese_calendar.is_workday(date(2027, 1, 4))


def test_years_sorted_and_covers() -> None:
    cal = WorkCalendar.build([2026, 2025, 2026], [date(2026, 1, 1)], [date(2026, 1, 4)])
    assert cal.years == (2025, 2026)
    assert cal.covers(2025) and cal.covers(2026) and not cal.covers(2027)
    assert CAL.years == tuple(range(2004, 2027))


def test_calendar_is_frozen_and_comparable() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        CAL.years = (2026,)  # type: ignore[misc]
    again = WorkCalendar.build(range(2004, 2027), constants.holidays, constants.workdays)
    assert again == CAL and hash(again) == hash(CAL)
    assert pickle.loads(pickle.dumps(CAL)).add_workdays(date(2014, 9, 26), 3) == date(2014, 9, 30)


# -- build() validation --------------------------------------------------------------


def test_build_rejects_day_both_holiday_and_makeup() -> None:
    with pytest.raises(ValueError, match="2026-02-14"):
        WorkCalendar.build([2026], [date(2026, 2, 14)], [date(2026, 2, 14)])


def test_build_rejects_weekday_makeup() -> None:
    with pytest.raises(ValueError, match="Saturday or Sunday: 2026-02-13"):
        WorkCalendar.build([2026], [], [date(2026, 2, 13)])  # a Friday


@pytest.mark.parametrize(
    ("holidays", "makeup"),
    [([date(2027, 1, 1)], []), ([], [date(2025, 12, 27)])],
)
def test_build_rejects_dates_outside_years(holidays: list[date], makeup: list[date]) -> None:
    with pytest.raises(ValueError, match="outside the calendar years"):
        WorkCalendar.build([2026], holidays, makeup)


def test_build_rejects_empty_years_and_datetimes() -> None:
    with pytest.raises(ValueError, match="at least one year"):
        WorkCalendar.build([], [], [])
    with pytest.raises(ValueError, match="10000"):
        WorkCalendar.build([10000], [], [])
    with pytest.raises(TypeError, match=r"datetime\.date"):
        WorkCalendar.build([2026], [datetime(2026, 1, 1, 0, 0)], [])


def test_year_without_holidays_is_plain_mon_fri() -> None:
    cal = WorkCalendar.build([2030], [], [])
    assert cal.workdays_in(date(2030, 1, 1), date(2030, 12, 31)) == 261
    assert cal.day_kind(date(2030, 1, 5)) == "weekend"


# -- uncovered years -----------------------------------------------------------------


def _raises_year(year: int) -> AbstractContextManager[pytest.ExceptionInfo[UncoveredYear]]:
    return pytest.raises(UncoveredYear, match=f"{year} 年")


def test_uncovered_year_error_names_the_year() -> None:
    with pytest.raises(UncoveredYear) as info:
        CAL.day_kind(date(2027, 3, 1))
    assert info.value.year == 2027
    assert str(info.value) == "工作日历未包含 2027 年：请导入该年的放假安排通知。"
    assert isinstance(info.value, LookupError)
    copy = pickle.loads(pickle.dumps(info.value))
    assert copy.year == 2027 and str(copy) == str(info.value)


def test_edges_of_contiguous_coverage() -> None:
    with _raises_year(2027):
        CAL.add_workdays(date(2026, 12, 31), 1)
    with _raises_year(2027):
        CAL.add_workdays(date(2027, 1, 4), -1)
    with _raises_year(2027):
        CAL.is_workday(date(2027, 1, 4))
    with _raises_year(2027):
        CAL.workdays_between(date(2026, 12, 1), date(2027, 1, 5))
    with _raises_year(2027):
        CAL.workdays_in(date(2026, 12, 1), date(2027, 1, 5))
    with _raises_year(2003):
        CAL.add_workdays(date(2004, 1, 2), -1)  # 2004-01-01 was a holiday
    with _raises_year(2003):
        CAL.workday_on_or_before(date(2004, 1, 1))
    with _raises_year(2003):
        CAL.workdays_between(date(2004, 1, 5), date(2003, 12, 31))
    with _raises_year(1):
        CAL.day_kind(date.min)
    with _raises_year(9999):
        CAL.day_kind(date.max)
    # The last working day of 2026 is still answerable.
    assert CAL.add_workdays(date(2026, 12, 30), 1) == date(2026, 12, 31)
    assert CAL.workdays_between(date(2026, 12, 30), date(2026, 12, 31)) == 1


def _with_2028() -> WorkCalendar:
    # 2028 is loaded ahead of 2027 (illustrative data: 1-3 January off, no make-up days).
    return WorkCalendar.build(
        [*range(2004, 2027), 2028],
        [*constants.holidays, date(2028, 1, 1), date(2028, 1, 2), date(2028, 1, 3)],
        constants.workdays,
    )


def test_gap_year_is_never_skipped() -> None:
    cal = _with_2028()
    assert cal.years[-2:] == (2026, 2028) and not cal.covers(2027)
    assert cal.add_workdays(date(2028, 1, 3), 1) == date(2028, 1, 4)
    assert cal.workdays_between(date(2028, 1, 3), date(2028, 1, 7)) == 4
    with _raises_year(2027):
        cal.add_workdays(date(2026, 12, 31), 1)  # would otherwise land on 2028-01-04
    with _raises_year(2027):
        cal.add_workdays(date(2028, 1, 4), -1)
    with _raises_year(2027):
        cal.workday_on_or_before(date(2028, 1, 3))
    with _raises_year(2027):
        cal.next_workday_on_or_after(date(2027, 12, 31))
    with _raises_year(2027):
        cal.workdays_between(date(2026, 12, 30), date(2028, 1, 4))
    with _raises_year(2027):
        cal.workdays_between(date(2028, 1, 4), date(2026, 12, 30))
    with _raises_year(2027):
        cal.workdays_in(date(2026, 12, 30), date(2028, 1, 4))
    with _raises_year(2027):
        cal.day_kind(date(2027, 6, 1))
    with _raises_year(2029):
        cal.add_workdays(date(2028, 12, 29), 1)  # 29 Dec 2028 is a Friday
