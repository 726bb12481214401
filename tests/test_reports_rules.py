"""The plain rules behind monthly reports (S1.2), the three rates (S2.7) and the bulletin's
named units (S2.8), without a database."""

from __future__ import annotations

from datetime import date

import pytest

from ducha.rules.rates import Obligation, rate, rate_to_date
from ducha.rules.reporting import (
    Standing,
    Timeliness,
    commended,
    count_timeliness,
    laggards,
    months_between,
    reportable_in_month,
    timeliness,
    windows_closing_in,
)
from ducha.rules.workdays import WorkCalendar

# 2026 as the State Council announced it, enough for the windows below.
CAL = WorkCalendar.build(
    [2026],
    holidays=[date(2026, 10, d) for d in range(1, 8)] + [date(2026, 5, d) for d in range(1, 6)]
    + [date(2026, 1, d) for d in (1, 2, 3)],
    makeup_workdays=[date(2026, 9, 20), date(2026, 10, 10), date(2026, 5, 9), date(2026, 1, 4)],
)
WINDOW_OCT = (date(2026, 11, 2), date(2026, 11, 6))


@pytest.mark.parametrize("submitted,today,expected", [
    (None, date(2026, 10, 30), Timeliness.NOT_DUE),  # the month is running
    (None, date(2026, 11, 1), Timeliness.NOT_DUE),  # Sunday before the window
    (None, date(2026, 11, 2), Timeliness.OPEN),
    (None, date(2026, 11, 6), Timeliness.OPEN),  # the last day is still inside
    (None, date(2026, 11, 7), Timeliness.MISSING),
    (date(2026, 11, 1), date(2026, 11, 20), Timeliness.ON_TIME),  # early is on time
    (date(2026, 11, 6), date(2026, 11, 20), Timeliness.ON_TIME),
    (date(2026, 11, 9), date(2026, 11, 20), Timeliness.LATE),
])
def test_s1_2_timeliness(submitted, today, expected):
    assert timeliness(WINDOW_OCT, submitted, today) is expected


def test_s1_2_unknown_window_is_never_late_or_missing():
    assert timeliness(None, None, date(2027, 3, 1)) is Timeliness.PENDING_CALENDAR
    assert timeliness(None, date(2027, 1, 20), date(2027, 3, 1)) is Timeliness.PENDING_CALENDAR


def test_s1_2_counts():
    counts = count_timeliness([Timeliness.ON_TIME, Timeliness.LATE, Timeliness.MISSING, Timeliness.MISSING,
                               Timeliness.OPEN])
    assert (counts.on_time, counts.late, counts.missing, counts.open, counts.owed) == (1, 1, 2, 1, 4)


@pytest.mark.parametrize("started,registered,finished,owed", [
    (date(2026, 1, 5), date(2026, 1, 5), None, True),
    (date(2026, 11, 1), date(2026, 1, 5), None, False),  # starts after October
    (date(2026, 1, 5), date(2026, 11, 3), None, False),  # entered after October: not owed for it
    (date(2026, 1, 5), date(2026, 1, 5), date(2026, 9, 30), False),  # finished before October
    (date(2026, 1, 5), date(2026, 1, 5), date(2026, 10, 1), True),  # finished in October: say so
])
def test_s1_2_which_matters_a_month_owes(started, registered, finished, owed):
    assert reportable_in_month(started=started, registered=registered, finished=finished, year=2026, month=10) is owed


def test_s1_2_windows_closing_in_a_quarter_include_the_month_before():
    windows, unknown = windows_closing_in(CAL, date(2026, 10, 1), date(2026, 12, 31), 5)
    assert [(w.key, w.opens, w.closes) for w in windows] == [
        ("2026-09", date(2026, 10, 8), date(2026, 10, 13)),  # after National Day, 10 October a make-up day
        ("2026-10", date(2026, 11, 2), date(2026, 11, 6)),
        ("2026-11", date(2026, 12, 1), date(2026, 12, 7)),
    ]
    assert unknown == []  # December's report is due in January: never in this quarter
    windows, unknown = windows_closing_in(CAL, date(2027, 1, 1), date(2027, 3, 31), 5)
    assert windows == [] and unknown == [(2026, 12), (2027, 1), (2027, 2)]  # 2027 is not in this calendar
    # A month counts the window closing in it: October counts September's report.
    windows, _ = windows_closing_in(CAL, date(2026, 10, 1), date(2026, 10, 31), 5)
    assert [w.key for w in windows] == ["2026-09"]


def test_months_between():
    assert months_between(date(2025, 11, 30), date(2026, 2, 1)) == [(2025, 11), (2025, 12), (2026, 1), (2026, 2)]


def test_s2_7_rate_to_date_judges_only_what_fell_due_before_today():
    obligations = [
        Obligation("a", date(2026, 7, 15), None),
        Obligation("b", date(2026, 9, 4), date(2026, 9, 1)),
        Obligation("c", date(2026, 9, 5), None),  # due today: not missed yet
        Obligation("d", date(2026, 9, 30), date(2026, 8, 1)),  # not due yet, though done
    ]
    judged = rate_to_date(obligations, date(2026, 7, 1), date(2026, 9, 30), date(2026, 9, 5))
    assert (judged.due, judged.done, judged.shortfall, judged.percent) == (2, 1, ("a",), "50.0%")
    after = rate_to_date(obligations, date(2026, 7, 1), date(2026, 9, 30), date(2026, 10, 20))
    assert after == rate(obligations, date(2026, 7, 1), date(2026, 9, 30))
    assert rate_to_date(obligations, date(2026, 7, 1), date(2026, 9, 30), date(2026, 7, 1)).percent == "—"


def test_s2_8_laggards_lowest_rate_first_then_overdue():
    standings = [
        Standing(1, (1.0, 1.0, None), 0, 0),  # perfect
        Standing(2, (0.5, 1.0, 1.0), 1, 1),
        Standing(3, (0.5, 0.9, None), 3, 2),  # same lowest rate, more overdue: before 2
        Standing(4, (None, None, None), 0, 3),  # nothing due: neither named nor praised
        Standing(5, (1.0, 1.0, 1.0), 2, 4),  # perfect rates but overdue matters: named last
        Standing(6, (0.2, None, None), 0, 5),
    ]
    assert [s.unit_id for s in laggards(standings, 10)] == [6, 3, 2, 5]
    assert [s.unit_id for s in laggards(standings, 2)] == [6, 3]
    assert [s.unit_id for s in commended(standings)] == [1]
    with pytest.raises(ValueError):
        laggards(standings, -1)
