"""Real dates from the State Council holiday notices, checked by hand.

Each case names the notice (《国务院办公厅关于 YYYY 年部分节假日安排的通知》) whose
holiday span or make-up day (调休上班) it exercises.
"""

from __future__ import annotations

from datetime import date

import chinese_calendar
import pytest
from cn_calendar_source import cn_calendar

from ducha.rules.workdays import (
    UncoveredYear,
    handling_deadline,
    milestone_before,
    report_window,
)

CAL = cn_calendar()


@pytest.mark.parametrize(
    ("received", "days", "due"),
    [
        # 2014 notice: 国庆 10月1日至7日放假，9月28日（星期日）上班.  Friday + 3 working
        # days lands on Tuesday because Sunday 28 September was a working day.
        (date(2014, 9, 26), 3, date(2014, 9, 30)),
        # Same notice: received on the last day before the 国庆 week, counting resumes on 8 Oct.
        (date(2014, 9, 30), 3, date(2014, 10, 10)),
        # 2026 notice: 国庆 10月1日至7日放假，10月10日（周六）上班: the 3rd day is a Saturday.
        (date(2026, 9, 30), 3, date(2026, 10, 10)),
        # 2026 notice: 春节 2月15日至23日放假，2月14日（周六）上班.
        (date(2026, 2, 13), 3, date(2026, 2, 25)),
        # 2026 notice: 元旦 1月1日至3日放假，1月4日（周日）上班 -- a deadline crossing the year end.
        (date(2025, 12, 31), 3, date(2026, 1, 6)),
        # 2025 notice: 国庆、中秋 10月1日至8日放假调休，10月11日（周六）上班.
        (date(2025, 9, 30), 2, date(2025, 10, 10)),
        (date(2025, 9, 30), 3, date(2025, 10, 11)),
    ],
)
def test_add_workdays_on_notice_dates(received: date, days: int, due: date) -> None:
    assert CAL.add_workdays(received, days) == due
    assert CAL.workdays_between(received, due) == days


@pytest.mark.parametrize(
    ("day", "kind"),
    [
        # 2026 notice make-up days: 1月4日（周日）, 2月14日（周六）, 2月28日（周六）,
        # 5月9日（周六）, 9月20日（周日）, 10月10日（周六）.
        (date(2026, 1, 4), "workday"),
        (date(2026, 2, 14), "workday"),
        (date(2026, 2, 28), "workday"),
        (date(2026, 5, 9), "workday"),
        (date(2026, 9, 20), "workday"),
        (date(2026, 10, 10), "workday"),
        # Weekend days inside a holiday span are holidays, not weekends (2026 春节, 国庆, 劳动节).
        (date(2026, 2, 21), "holiday"),
        (date(2026, 2, 22), "holiday"),
        (date(2026, 10, 3), "holiday"),
        (date(2026, 10, 4), "holiday"),
        (date(2026, 5, 2), "holiday"),
        # Weekdays inside a span: 2026-02-23 (Mon) and 2026-05-05 (Tue).
        (date(2026, 2, 23), "holiday"),
        (date(2026, 5, 5), "holiday"),
        (date(2026, 3, 7), "weekend"),
        (date(2026, 3, 9), "workday"),
    ],
)
def test_day_kind_2026(day: date, kind: str) -> None:
    assert CAL.day_kind(day) == kind
    assert CAL.is_workday(day) is (kind == "workday")


def test_find_workday_pitfall() -> None:
    """chinese_calendar.find_workday first moves a non-working start day forward to a
    working day and counts from there, so it is one day late whenever the request
    arrives on a weekend or holiday.  民法典 art. 201 counts from the day after receipt,
    whatever that day is."""
    saturday = date(2025, 11, 15)
    national_day = date(2025, 10, 1)  # 2025 notice: 10月1日至8日放假
    assert chinese_calendar.find_workday(1, saturday) == date(2025, 11, 18)
    assert chinese_calendar.find_workday(1, national_day) == date(2025, 10, 10)
    assert CAL.add_workdays(saturday, 1) == date(2025, 11, 17)
    assert CAL.add_workdays(national_day, 1) == date(2025, 10, 9)


def test_zero_and_negative_steps() -> None:
    # n == 0 is "the first working day on or after": a holiday start moves to 8 Oct 2026.
    assert CAL.add_workdays(date(2026, 10, 1), 0) == date(2026, 10, 8)
    assert CAL.add_workdays(date(2026, 10, 9), 0) == date(2026, 10, 9)
    assert CAL.next_workday_on_or_after(date(2026, 10, 4)) == date(2026, 10, 8)
    assert CAL.workday_on_or_before(date(2026, 10, 7)) == date(2026, 9, 30)
    assert CAL.workday_on_or_before(date(2026, 10, 10)) == date(2026, 10, 10)
    # 2014 notice again, backwards: the 3rd working day before 10 Oct is 30 Sep.
    assert CAL.add_workdays(date(2014, 10, 10), -3) == date(2014, 9, 30)
    assert CAL.workdays_between(date(2014, 10, 10), date(2014, 9, 30)) == -3
    assert CAL.workdays_between(date(2014, 9, 30), date(2014, 9, 30)) == 0


def test_workdays_in_october_2026() -> None:
    # 8, 9, 10 (make-up Saturday), then three full weeks 12-16, 19-23, 26-30.
    assert CAL.workdays_in(date(2026, 10, 1), date(2026, 10, 31)) == 18
    assert CAL.workdays_in(date(2026, 10, 1), date(2026, 10, 7)) == 0
    assert CAL.workdays_in(date(2026, 10, 31), date(2026, 10, 1)) == 0


# -- S1.13 -------------------------------------------------------------------------


def test_handling_deadline_one_and_several_departments() -> None:
    # 2026 notice: 劳动节 5月1日至5日放假，5月9日（周六）上班.
    received = date(2026, 4, 30)
    assert handling_deadline(CAL, received, 1) == date(2026, 5, 8)
    assert handling_deadline(CAL, received, 2) == date(2026, 5, 11)
    assert handling_deadline(CAL, received, 4) == date(2026, 5, 11)
    # "One week" is a setting.
    assert handling_deadline(CAL, received, 3, several_departments_days=7) == date(2026, 5, 13)
    assert handling_deadline(CAL, received, 1, one_department_days=1) == date(2026, 5, 6)
    # Year end, several departments: 2026 notice 1月4日（周日）上班.
    assert handling_deadline(CAL, date(2025, 12, 31), 2) == date(2026, 1, 8)


@pytest.mark.parametrize("departments", [0, -1])
def test_handling_deadline_rejects_no_department(departments: int) -> None:
    with pytest.raises(ValueError, match=str(departments)):
        handling_deadline(CAL, date(2026, 4, 30), departments)


def test_handling_deadline_rejects_zero_day_setting() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        handling_deadline(CAL, date(2026, 4, 30), 2, several_departments_days=0)


# -- S1.2 --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("year", "month", "n", "window"),
    [
        # September report, 2026 notice 国庆: window opens 8 Oct and uses Saturday 10 Oct.
        (2026, 9, 5, (date(2026, 10, 8), date(2026, 10, 13))),
        (2026, 9, 3, (date(2026, 10, 8), date(2026, 10, 10))),
        # December report goes to January of the next year; 2026 notice 元旦 1月4日（周日）上班.
        (2025, 12, 5, (date(2026, 1, 4), date(2026, 1, 8))),
        # An ordinary month: 1 March 2026 is a Sunday.
        (2026, 2, 5, (date(2026, 3, 2), date(2026, 3, 6))),
        (2026, 2, 1, (date(2026, 3, 2), date(2026, 3, 2))),
        # February 2026 has exactly 16 working days (春节 2月15日至23日, 14 and 28 Feb worked).
        (2026, 1, 16, (date(2026, 2, 2), date(2026, 2, 28))),
    ],
)
def test_report_window(year: int, month: int, n: int, window: tuple[date, date]) -> None:
    assert report_window(CAL, year, month, n) == window


def test_report_window_errors() -> None:
    with pytest.raises(ValueError, match="fewer than 17"):
        report_window(CAL, 2026, 1, 17)
    with pytest.raises(ValueError, match="13"):
        report_window(CAL, 2026, 13)
    with pytest.raises(ValueError, match="0"):
        report_window(CAL, 2026, 5, 0)
    with pytest.raises(UncoveredYear) as info:
        report_window(CAL, 2026, 12)
    assert info.value.year == 2027


def test_report_window_default_is_five_days() -> None:
    assert report_window(CAL, 2026, 9) == report_window(CAL, 2026, 9, 5)


# -- S2.3 --------------------------------------------------------------------------


def test_milestone_before() -> None:
    # Deadline on the 国庆 holiday: milestones fall back before the holiday.
    assert milestone_before(CAL, date(2026, 10, 5), 0) == date(2026, 9, 30)
    assert milestone_before(CAL, date(2026, 10, 5), 1) == date(2026, 9, 30)
    assert milestone_before(CAL, date(2026, 10, 9), 1) == date(2026, 10, 8)
    assert milestone_before(CAL, date(2026, 10, 9), 2) == date(2026, 9, 30)
    with pytest.raises(ValueError, match="-1"):
        milestone_before(CAL, date(2026, 10, 9), -1)
