"""S1.16: the accountability ladder (2nd record in a year: 诫勉谈话; 3rd: referral for 处分) and
the statutory periods of a sanction (政务处分法 art. 8; 处分条例 arts. 7 and 10)."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ducha.rules.accountability import (
    CAP_MONTHS,
    CountedRecord,
    add_months,
    ladder,
    sanction_period,
    window_of,
)


def rec(i: int, day: str, revoked: bool = False) -> CountedRecord:
    return CountedRecord(i, date.fromisoformat(day), revoked)


def test_s1_16_one_record_raises_nothing():
    assert ladder([rec(1, "2026-03-02")]) == []


def test_s1_16_the_second_record_in_a_year_raises_an_admonishment_talk():
    [talk] = ladder([rec(1, "2026-03-02"), rec(2, "2026-07-15")])
    assert (talk.kind, talk.raised_by, talk.count, talk.records) == ("admonishment_talk", 2, 2, (1, 2))
    assert talk.window == (date(2026, 1, 1), date(2026, 12, 31))


def test_s1_16_the_third_record_raises_a_referral_for_a_sanction_and_a_fourth_another():
    rungs = ladder([rec(1, "2026-03-02"), rec(2, "2026-07-15"), rec(3, "2026-11-30"), rec(4, "2026-12-31")])
    assert [(r.kind, r.raised_by, r.count) for r in rungs] == [
        ("admonishment_talk", 2, 2), ("sanction_referral", 3, 3), ("sanction_referral", 4, 4)]
    assert rungs[1].records == (1, 2, 3)


def test_s1_16_a_record_in_another_year_starts_the_count_again():
    rungs = ladder([rec(1, "2025-12-31"), rec(2, "2026-01-01"), rec(3, "2026-02-01")])
    assert [(r.kind, r.raised_by, r.records) for r in rungs] == [("admonishment_talk", 3, (2, 3))]


def test_s1_16_over_a_rolling_twelve_months_the_window_crosses_new_year():
    records = [rec(1, "2025-12-31"), rec(2, "2026-01-01"), rec(3, "2026-12-30"), rec(4, "2027-01-01")]
    rungs = ladder(records, rule="rolling_12_months")
    assert [(r.kind, r.raised_by, r.records) for r in rungs] == [
        ("admonishment_talk", 2, (1, 2)),
        ("sanction_referral", 3, (1, 2, 3)),  # the twelve months ending 2026-12-30 start on 2025-12-31
        ("admonishment_talk", 4, (3, 4)),  # those ending 2027-01-01 start on 2026-01-02
    ]
    assert [r.kind for r in ladder(records)] == ["admonishment_talk"]  # by calendar year: 2 and 3 in 2026
    assert window_of(date(2027, 1, 1), "rolling_12_months") == (date(2026, 1, 2), date(2027, 1, 1))


def test_s1_16_a_revoked_record_does_not_count_and_the_ladder_is_recomputed():
    records = [rec(1, "2026-03-02"), rec(2, "2026-07-15", revoked=True), rec(3, "2026-11-30")]
    [talk] = ladder(records)
    assert (talk.kind, talk.raised_by, talk.records) == ("admonishment_talk", 3, (1, 3))


def test_s1_16_records_on_one_day_are_ordered_by_id():
    rungs = ladder([rec(9, "2026-05-05"), rec(4, "2026-05-05")])
    assert [(r.raised_by, r.records) for r in rungs] == [(9, (4, 9))]


@pytest.mark.parametrize(("kind", "ends"), [
    ("warning", "2027-01-14"), ("demerit", "2027-07-14"), ("major_demerit", "2028-01-14"),
    ("demotion", "2028-07-14"), ("dismissal", "2028-07-14"),
])
def test_s1_16_statutory_periods(kind, ends):
    p = sanction_period(kind, date(2026, 7, 15))
    assert p.ends == date.fromisoformat(ends) and not p.capped and p.carried_days == 0


def test_s1_16_expulsion_has_no_period():
    p = sanction_period("expulsion", date(2026, 7, 15))
    assert p.ends is None and p.months is None and "no period" in p.explain()


def test_s1_16_a_new_sanction_during_a_running_one_adds_what_is_left():
    first = sanction_period("demerit", date(2026, 1, 1))  # until 2026-12-31
    second = sanction_period("warning", date(2026, 10, 1), running_until=first.ends)
    assert second.carried_days == 92  # 1 October to 31 December
    assert second.ends == date(2027, 3, 31) + (date(2026, 12, 31) - date(2026, 9, 30))
    assert "92 days left" in second.explain()


def test_s1_16_the_whole_is_capped_at_48_months():
    running = sanction_period("dismissal", date(2026, 1, 1))  # until 2027-12-31
    new = sanction_period("demotion", date(2026, 6, 1), running_until=date(2029, 12, 31))
    assert new.capped and new.ends == date(2030, 5, 31)
    assert "48 months" in new.explain()
    assert not sanction_period("warning", date(2026, 6, 1), running_until=running.ends).capped


def test_bad_kind_is_named():
    with pytest.raises(ValueError, match="'pardon'"):
        sanction_period("pardon", date(2026, 1, 1))  # type: ignore[arg-type]


def test_add_months_keeps_the_day_or_takes_the_month_end():
    assert add_months(date(2026, 8, 31), 6) == date(2027, 2, 28)
    assert add_months(date(2027, 8, 31), 6) == date(2028, 2, 29)
    assert add_months(date(2026, 3, 15), -12) == date(2025, 3, 15)


@given(st.lists(st.tuples(st.dates(date(2024, 1, 1), date(2027, 12, 31)), st.booleans()), max_size=12))
def test_s1_16_each_rung_counts_exactly_the_live_records_of_its_window(items):
    records = [CountedRecord(i, d, r) for i, (d, r) in enumerate(items)]
    for rule in ("calendar_year", "rolling_12_months"):
        rungs = ladder(records, rule=rule)
        for rung in rungs:
            raiser = next(r for r in records if r.id == rung.raised_by)
            first, _last = window_of(raiser.decided_on, rule)
            live = [r for r in records if not r.revoked and first <= r.decided_on <= raiser.decided_on
                    and (r.decided_on, r.id) <= (raiser.decided_on, raiser.id)]
            assert set(rung.records) == {r.id for r in live} and rung.count == len(live) >= 2
            assert rung.kind == ("admonishment_talk" if rung.count == 2 else "sanction_referral")
        # Every live record with another before it in its window raises exactly one rung.
        assert len({r.raised_by for r in rungs}) == len(rungs)
    assert CAP_MONTHS == 48
