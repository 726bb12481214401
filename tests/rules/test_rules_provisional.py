"""The provisional calendar (暂定日历) of years the State Council has not announced.

Seed rules: "Calendar and time rules" (a year without a notice is covered provisionally
from 《全国年节及纪念日放假办法》 2024 revision, with 补假 for holiday days on weekends and
no guessed make-up days; every date computed from it is 暂定); S1.13 deadlines across New
Year.

The festival dates below are typed here from two sources independent of the code
(``lunardate`` for the lunar dates, ``chinese_calendar.get_solar_terms`` for 清明); the
app's library (lunar-python) is checked against the same table in
tests/test_workcal_provisional.py. Worked examples were counted by hand on a wall
calendar; the weekday of each date is in the comment.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from cn_calendar_source import cn_calendar
from hypothesis import given, settings
from hypothesis import strategies as st

from ducha.rules.provisional import FestivalDates, StatutoryDay, statutory_days
from ducha.rules.workdays import UncoveredYear, WorkCalendar, handling_deadline, report_window

ONE_DAY = timedelta(days=1)

# 正月初一, 清明, 端午 (五月初五), 中秋 (八月十五).
FESTIVALS = {
    2025: FestivalDates(2025, date(2025, 1, 29), date(2025, 4, 4), date(2025, 5, 31), date(2025, 10, 6)),
    2026: FestivalDates(2026, date(2026, 2, 17), date(2026, 4, 5), date(2026, 6, 19), date(2026, 9, 25)),
    2027: FestivalDates(2027, date(2027, 2, 6), date(2027, 4, 5), date(2027, 6, 9), date(2027, 9, 15)),
    2028: FestivalDates(2028, date(2028, 1, 26), date(2028, 4, 4), date(2028, 5, 28), date(2028, 10, 3)),
    2029: FestivalDates(2029, date(2029, 2, 13), date(2029, 4, 4), date(2029, 6, 16), date(2029, 9, 22)),
    2030: FestivalDates(2030, date(2030, 2, 3), date(2030, 4, 5), date(2030, 6, 5), date(2030, 9, 12)),
}


def provisional_calendar(*years: int) -> WorkCalendar:
    """2026 as announced (chinesecalendar) followed by ``years`` provisionally."""
    announced = cn_calendar()
    days = [s.date for y in years for s in statutory_days(FESTIVALS[y])]
    return WorkCalendar.build(
        (*announced.years, *years),
        (*(d for d in announced.holidays), *days),
        announced.makeup_workdays,
        provisional_years=years,
    )


CAL = provisional_calendar(2027, 2028, 2029, 2030)


def days_off(year: int) -> dict[date, str]:
    return {s.date: s.name for s in statutory_days(FESTIVALS[year])}


# -- the days off of each year, 2027-2030 ------------------------------------------------------


def test_2027_days_off_with_a_new_year_eve_on_the_29th_and_weekend_festivals() -> None:
    """2027: 除夕 is 腊月廿九 (Fri 5 Feb; the twelfth month has 29 days), 初一 and 初二 on the
    weekend give 补假 Tue 9 and Wed 10 Feb; 劳动节 Sat-Sun gives Mon 3 and Tue 4 May;
    国庆 Fri-Sun gives Mon 4 and Tue 5 Oct."""
    assert days_off(2027) == {
        date(2027, 1, 1): "元旦",  # Fri
        date(2027, 2, 5): "春节",  # Fri, 除夕 = 腊月廿九
        date(2027, 2, 6): "春节",  # Sat, 正月初一
        date(2027, 2, 7): "春节",  # Sun
        date(2027, 2, 8): "春节",  # Mon, 初三
        date(2027, 2, 9): "春节（补假）",  # Tue
        date(2027, 2, 10): "春节（补假）",  # Wed
        date(2027, 4, 5): "清明节",  # Mon
        date(2027, 5, 1): "劳动节",  # Sat
        date(2027, 5, 2): "劳动节",  # Sun
        date(2027, 5, 3): "劳动节（补假）",  # Mon
        date(2027, 5, 4): "劳动节（补假）",  # Tue
        date(2027, 6, 9): "端午节",  # Wed
        date(2027, 9, 15): "中秋节",  # Wed
        date(2027, 10, 1): "国庆节",  # Fri
        date(2027, 10, 2): "国庆节",  # Sat
        date(2027, 10, 3): "国庆节",  # Sun
        date(2027, 10, 4): "国庆节（补假）",  # Mon
        date(2027, 10, 5): "国庆节（补假）",  # Tue
    }


def test_2028_new_year_on_saturday_and_mid_autumn_on_national_day() -> None:
    """2028: 元旦 Sat gives Mon 3 Jan; 端午 Sun 28 May gives Mon 29 May; 中秋 falls on
    3 October, a 国庆 day: the law gives both their day, so with 1 October a Sunday the
    block owes two days, Wed 4 and Thu 5 Oct."""
    off = days_off(2028)
    assert off[date(2028, 1, 1)] == "元旦" and off[date(2028, 1, 3)] == "元旦（补假）"
    assert date(2028, 1, 2) not in off  # a Sunday is a rest day anyway
    assert [d for d in off if d.month == 1 and d.day > 3] == [date(2028, 1, d) for d in (25, 26, 27, 28)]
    assert off[date(2028, 5, 28)] == "端午节" and off[date(2028, 5, 29)] == "端午节（补假）"
    assert off[date(2028, 10, 3)] == "中秋节、国庆节"
    assert [d.day for d in off if d.month == 10] == [1, 2, 3, 4, 5]
    assert off[date(2028, 10, 4)] == off[date(2028, 10, 5)] == "国庆节（补假）"


def test_2029_and_2030() -> None:
    """2029: 端午 Sat 16 Jun gives Mon 18 Jun; 中秋 Sat 22 Sep gives Mon 24 Sep; 国庆
    Mon-Wed owes nothing. 2030: 除夕 is 腊月三十 (Sat 2 Feb), 初一 Sun: 补假 Wed 6 and Thu 7 Feb."""
    off = days_off(2029)
    assert off[date(2029, 6, 18)] == "端午节（补假）" and off[date(2029, 9, 24)] == "中秋节（补假）"
    assert [d.day for d in off if d.month == 10] == [1, 2, 3]
    assert sum(1 for s in statutory_days(FESTIVALS[2029]) if s.in_lieu) == 2
    off = days_off(2030)
    assert [d.day for d in off if d.month == 2] == [2, 3, 4, 5, 6, 7]
    assert off[date(2030, 2, 6)] == off[date(2030, 2, 7)] == "春节（补假）"


@pytest.mark.parametrize("year", [2025, 2026])
def test_statutory_days_are_inside_the_announced_holidays_of_2025_and_2026(year: int) -> None:
    """The rule checked against the State Council's real notices: every day it gives off
    (补假 included) was a day off in the notice of that year."""
    announced = {d for d in cn_calendar().holidays if d.year == year}
    assert {s.date for s in statutory_days(FESTIVALS[year])} <= announced


# -- worked examples of deadlines ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "n", "due", "provisional"),
    [
        # S1.13, several departments: received Tue 29 Dec 2026, 5 working days: 30, 31 Dec,
        # (元旦 Fri, weekend) 4, 5, 6 Jan 2027.
        (date(2026, 12, 29), 5, date(2027, 1, 6), True),
        (date(2026, 12, 29), 3, date(2027, 1, 4), True),
        # Wholly inside the announced 2026: not provisional.
        (date(2026, 12, 25), 3, date(2026, 12, 30), False),
        # Thu 4 Feb 2027, the day before 除夕 (腊月廿九): 5 to 10 Feb off, next working day Thu 11.
        (date(2027, 2, 4), 1, date(2027, 2, 11), True),
        # Fri 30 Apr 2027: 劳动节 on the weekend, 补假 Mon 3 and Tue 4 May.
        (date(2027, 4, 30), 1, date(2027, 5, 5), True),
        # Thu 30 Sep 2027: 1 to 5 Oct off.
        (date(2027, 9, 30), 1, date(2027, 10, 6), True),
        # Fri 31 Dec 2027: 元旦 2028 on Saturday, 补假 Mon 3 Jan.
        (date(2027, 12, 31), 1, date(2028, 1, 4), True),
        # Fri 29 Sep 2028: 中秋 on 国庆 day 3: off to Thu 5 Oct.
        (date(2028, 9, 29), 1, date(2028, 10, 6), True),
        # Fri 26 May 2028: 端午 Sun 28, 补假 Mon 29.
        (date(2028, 5, 26), 1, date(2028, 5, 30), True),
        # Fri 29 Dec 2028: 元旦 2029 on Monday.
        (date(2028, 12, 29), 1, date(2029, 1, 2), True),
        # Fri 15 Jun 2029: 端午 Sat 16, 补假 Mon 18.
        (date(2029, 6, 15), 1, date(2029, 6, 19), True),
        # Fri 21 Sep 2029: 中秋 Sat 22, 补假 Mon 24.
        (date(2029, 9, 21), 1, date(2029, 9, 25), True),
        # Thu 31 Jan 2030, 2 working days: Fri 1 Feb, then 2 to 7 Feb off (除夕 = 腊月三十), Fri 8.
        (date(2030, 1, 31), 2, date(2030, 2, 8), True),
        # Backwards from Mon 7 Jan 2030 by 3: Fri 4, Thu 3, Wed 2 Jan (元旦 Tue 1).
        (date(2030, 1, 7), -3, date(2030, 1, 2), True),
    ],
)
def test_worked_examples(start: date, n: int, due: date, provisional: bool) -> None:
    assert CAL.add_workdays(start, n) == due
    assert CAL.touches_provisional(start, due) is provisional
    if n > 0:
        assert CAL.workdays_between(start, due) == n


def test_handling_deadline_across_new_year_and_the_strict_calendar_refuses_it() -> None:
    """S1.13: the provisional answer exists; the calendar of the notices alone refuses it."""
    assert handling_deadline(CAL, date(2026, 12, 29), 3) == date(2027, 1, 6)
    with pytest.raises(UncoveredYear) as e:
        handling_deadline(CAL.announced(), date(2026, 12, 29), 3)
    assert e.value.year == 2027


def test_working_days_of_2027_and_the_december_report_window() -> None:
    """2027 starts on a Friday: 261 weekdays, 13 of them off (every statutory day is one
    weekday off, on the day itself or as 补假). S1.2: the December 2026 report is due in the
    first 5 working days of January 2027, 4 to 8 January, provisionally."""
    assert CAL.workdays_between(date(2026, 12, 31), date(2027, 12, 31)) == 261 - 13
    opens, closes = report_window(CAL, 2026, 12, 5)
    assert (opens, closes) == (date(2027, 1, 4), date(2027, 1, 8))
    assert CAL.touches_provisional(opens, closes)


def test_past_the_last_provisional_year_is_still_uncovered() -> None:
    with pytest.raises(UncoveredYear) as e:
        CAL.add_workdays(date(2030, 12, 31), 1)
    assert e.value.year == 2031


def test_a_provisional_year_takes_no_make_up_day_and_must_be_a_calendar_year() -> None:
    with pytest.raises(ValueError, match="no make-up workdays"):
        WorkCalendar.build([2027], [date(2027, 1, 1)], [date(2027, 2, 20)], provisional_years=[2027])
    with pytest.raises(ValueError, match="not calendar years"):
        WorkCalendar.build([2026], [date(2026, 1, 1)], [], provisional_years=[2027])


def test_announced_keeps_only_the_notices() -> None:
    strict = CAL.announced()
    assert strict.years == cn_calendar().years and strict.provisional_years == frozenset()
    assert strict.add_workdays(date(2026, 12, 25), 3) == date(2026, 12, 30)
    assert cn_calendar().announced() is cn_calendar()


def test_festival_dates_are_checked() -> None:
    with pytest.raises(ValueError, match="2024 holiday rules apply from 2025"):
        FestivalDates(2024, date(2024, 2, 10), date(2024, 4, 4), date(2024, 6, 10), date(2024, 9, 17))
    with pytest.raises(ValueError, match="mid_autumn"):
        # 八月十五 typed as a Gregorian date: refused, not turned into a holiday in August.
        FestivalDates(2027, date(2027, 2, 6), date(2027, 4, 5), date(2027, 6, 9), date(2027, 8, 15))


# -- properties ----------------------------------------------------------------------------------


@st.composite
def festival_dates(draw: st.DrawFn) -> FestivalDates:
    """Any year 2025-2099 with each moving festival anywhere it can fall."""
    year = draw(st.integers(2025, 2099))

    def between(m1: int, d1: int, m2: int, d2: int) -> date:
        return draw(st.dates(date(year, m1, d1), date(year, m2, d2)))

    return FestivalDates(
        year, between(1, 21, 2, 20), between(4, 4, 4, 6), between(5, 28, 6, 25), between(9, 7, 10, 8)
    )


def law_days(f: FestivalDates) -> list[date]:
    y = f.year
    return [
        date(y, 1, 1), *(f.spring_festival + k * ONE_DAY for k in (-1, 0, 1, 2)), f.qingming,
        date(y, 5, 1), date(y, 5, 2), f.dragon_boat, f.mid_autumn, *(date(y, 10, d) for d in (1, 2, 3)),
    ]


MANY = settings(max_examples=500, deadline=None)


@MANY
@given(festival_dates())
def test_every_statutory_day_is_off_and_the_year_loses_exactly_13_weekdays(f: FestivalDates) -> None:
    """第二条 gives 13 days; 第六条 makes up each one that falls on a weekend (or on another
    festival) with a weekday: so every provisional year has exactly 13 weekdays off."""
    days = statutory_days(f)
    off = {s.date for s in days}
    assert set(law_days(f)) <= off
    assert all(s.date.year == f.year for s in days)
    assert sum(1 for s in days if s.date.weekday() < 5) == 13
    law = law_days(f)
    owed = sum(1 for i, d in enumerate(law) if d.weekday() >= 5 or d in law[:i])
    assert sum(1 for s in days if s.in_lieu) == owed


@MANY
@given(festival_dates())
def test_each_day_in_lieu_is_the_first_free_weekday_after_its_block(f: FestivalDates) -> None:
    days = statutory_days(f)
    off = {s.date: s for s in days}
    for s in days:
        if not s.in_lieu:
            continue
        assert s.date.weekday() < 5 and s.date not in law_days(f)
        # Walking back from the day in lieu to the festival it makes up, every day is a day
        # off or a weekend: no working day was skipped.
        festival = s.name.removesuffix("（补假）")
        d = s.date - ONE_DAY
        while not (d in off and not off[d].in_lieu and festival in off[d].name):
            assert d in off or d.weekday() >= 5
            d -= ONE_DAY


@MANY
@given(festival_dates(), st.integers(1, 30))
def test_provisional_answers_never_fall_on_a_day_off_and_say_they_are_provisional(
    f: FestivalDates, n: int
) -> None:
    days = [s.date for s in statutory_days(f)]
    cal = WorkCalendar.build([f.year - 1, f.year], days, [], provisional_years=[f.year - 1, f.year][1:])
    start = date(f.year, 1, 1) + timedelta(days=(n * 11) % 300)
    due = cal.add_workdays(start, n)
    assert due.weekday() < 5 and due not in days
    assert cal.touches_provisional(start, due)
    assert not cal.touches_provisional(date(f.year - 1, 3, 1), date(f.year - 1, 12, 31))


def test_statutory_day_is_a_value() -> None:
    assert StatutoryDay(date(2027, 1, 1), "元旦") == StatutoryDay(date(2027, 1, 1), "元旦", in_lieu=False)
