"""Properties of working-day arithmetic, checked against a day-by-day oracle.

The oracle walks one day at a time with ``chinese_calendar.is_workday`` -- slow but
obviously right -- so the precomputed index in WorkCalendar is tested against an
independent implementation, not against itself.

Exact inverse properties (documented in ``WorkCalendar.add_workdays``):
``workdays_between(d, add_workdays(d, n)) == n`` for every n != 0;
``add_workdays(d, workdays_between(d, w)) == w`` for every working day w != d;
``add(add(d, -n), n) == next_workday_on_or_after(d)`` and
``add(add(d, n), -n) == workday_on_or_before(d)`` for n >= 1 -- both equal d only
when d is a working day, which is why they are not plain identities.
"""

from __future__ import annotations

from datetime import date, timedelta

import chinese_calendar
import pytest
from cn_calendar_source import FIRST_DAY, LAST_DAY, cn_calendar
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from ducha.rules.workdays import UncoveredYear, elapsed_share, schedule_backwards

CAL = cn_calendar()
MANY = settings(max_examples=1000, deadline=None)
ONE_DAY = timedelta(days=1)

# Margins keep every result of |n| <= 60 working days inside 2004..2026.
inner_dates = st.dates(date(2004, 4, 1), date(2026, 9, 30))
any_dates = st.dates(FIRST_DAY, LAST_DAY)
steps = st.integers(1, 60)
signed_steps = st.integers(-60, 60).filter(bool)


def oracle_add(start: date, n: int) -> date:
    step = ONE_DAY if n > 0 else -ONE_DAY
    day, left = start, abs(n)
    while left:
        day += step
        left -= chinese_calendar.is_workday(day)
    return day


def oracle_count(a: date, b: date) -> int:
    """Working days in (a, b]."""
    count, day = 0, a
    while day < b:
        day += ONE_DAY
        count += chinese_calendar.is_workday(day)
    return count


@MANY
@given(inner_dates, signed_steps)
def test_add_matches_day_by_day_oracle(start: date, n: int) -> None:
    result = CAL.add_workdays(start, n)
    assert result == oracle_add(start, n)
    assert CAL.is_workday(result)


@MANY
@given(inner_dates, steps)
def test_exactly_n_workdays_in_half_open_interval(start: date, n: int) -> None:
    result = CAL.add_workdays(start, n)
    assert oracle_count(start, result) == n
    assert CAL.workdays_in(start + ONE_DAY, result) == n
    # Backwards: the start is again excluded and the destination included: [result, start).
    back = CAL.add_workdays(start, -n)
    assert CAL.workdays_in(back, start - ONE_DAY) == n


@MANY
@given(inner_dates, st.integers(-59, 59))
def test_monotone_in_n(start: date, n: int) -> None:
    # Strictly increasing, except that n = 0 and n = 1 coincide on a non-working start
    # (both are the first working day after it).
    if n == 0 and not CAL.is_workday(start):
        assert CAL.add_workdays(start, 0) == CAL.add_workdays(start, 1)
    else:
        assert CAL.add_workdays(start, n) < CAL.add_workdays(start, n + 1)


@MANY
@given(inner_dates, signed_steps)
def test_between_inverts_add(start: date, n: int) -> None:
    assert CAL.workdays_between(start, CAL.add_workdays(start, n)) == n


@MANY
@given(any_dates, st.integers(-400, 400))
def test_between_matches_oracle_and_add_inverts_between(a: date, delta: int) -> None:
    b = a + timedelta(days=delta)
    assume(FIRST_DAY <= b <= LAST_DAY)
    between = CAL.workdays_between(a, b)
    if b >= a:
        assert between == oracle_count(a, b)
    else:
        assert between == -oracle_count(b - ONE_DAY, a - ONE_DAY)  # -(working days in [b, a))
    if b != a and CAL.is_workday(b):
        assert CAL.add_workdays(a, between) == b


@MANY
@given(inner_dates, steps)
def test_round_trips(start: date, n: int) -> None:
    assert CAL.add_workdays(CAL.add_workdays(start, -n), n) == CAL.next_workday_on_or_after(start)
    assert CAL.add_workdays(CAL.add_workdays(start, n), -n) == CAL.workday_on_or_before(start)
    assert CAL.add_workdays(start, 0) == CAL.next_workday_on_or_after(start)
    if CAL.is_workday(start):
        assert CAL.add_workdays(CAL.add_workdays(start, -n), n) == start


year_ends = st.builds(lambda year, day: date(year, 12, day), st.integers(2004, 2025), st.integers(1, 31))


@MANY
@given(year_ends, st.integers(1, 30), st.integers(1, 30))
def test_stable_across_year_ends(start: date, m: int, n: int) -> None:
    # Adding in two steps equals adding at once, whichever side of 1 January the steps fall.
    middle = CAL.add_workdays(start, m)
    assert CAL.add_workdays(middle, n) == CAL.add_workdays(start, m + n)
    end = CAL.add_workdays(start, m + n)
    assert CAL.workdays_between(start, middle) + CAL.workdays_between(middle, end) == m + n
    assert end == oracle_add(start, m + n)


@MANY
@given(st.dates(date(2026, 11, 1), date(2026, 12, 31)), st.integers(1, 60))
def test_leaving_2026_raises_uncovered_2027(start: date, n: int) -> None:
    left_in_2026 = oracle_count(start, date(2026, 12, 31))
    if n <= left_in_2026:
        assert CAL.add_workdays(start, n).year == 2026
    else:
        with pytest.raises(UncoveredYear) as info:
            CAL.add_workdays(start, n)
        assert info.value.year == 2027


@MANY
@given(st.dates(date(2027, 1, 1), date(2027, 12, 31)), st.integers(-5, 5))
def test_any_2027_question_raises(day: date, n: int) -> None:
    for ask in (CAL.day_kind, CAL.is_workday, CAL.next_workday_on_or_after, CAL.workday_on_or_before):
        with pytest.raises(UncoveredYear) as info:
            ask(day)
        assert info.value.year == 2027
    with pytest.raises(UncoveredYear) as info:
        CAL.add_workdays(day, n)
    assert info.value.year == 2027


# -- S2.3 and S2.4 helpers -----------------------------------------------------------


@MANY
@given(inner_dates, st.integers(1, 200), st.integers(1, 12))
def test_schedule_backwards_is_even_and_on_workdays(start: date, span: int, count: int) -> None:
    deadline = start + timedelta(days=span)
    if deadline > date(2026, 12, 31):
        deadline = date(2026, 12, 31)
    last = CAL.workday_on_or_before(deadline)
    if last <= start:
        with pytest.raises(ValueError, match="no working day"):
            schedule_backwards(CAL, start, deadline, count)
        return
    available = CAL.workdays_between(start, last)
    plan = schedule_backwards(CAL, start, deadline, count)
    assert len(plan) == count
    assert plan == sorted(plan) and plan[-1] == last
    assert all(CAL.is_workday(d) and start < d <= deadline for d in plan)
    if available >= count:
        assert len(set(plan)) == count
        gaps = [CAL.workdays_between(a, b) for a, b in zip([start, *plan], plan, strict=False)]
        assert set(gaps) <= {available // count, -(-available // count)}


@MANY
@given(inner_dates, st.integers(0, 200), st.integers(-30, 230), st.integers(0, 30))
def test_elapsed_share_is_monotone_and_clamped(start: date, span: int, offset: int, later: int) -> None:
    end = min(start + timedelta(days=span), date(2026, 12, 31))
    today = start + timedelta(days=offset)
    share = elapsed_share(CAL, start, end, today)
    assert 0.0 <= share <= 1.0
    assert share <= elapsed_share(CAL, start, end, today + timedelta(days=later))
    if today < start:
        assert share == 0.0
    if today >= end:
        assert share == 1.0
