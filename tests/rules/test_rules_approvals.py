"""The approval clocks of 《中华人民共和国行政许可法》 on the real 2026 calendar (S3.2–S3.4).

2026 around the examples: Fri 25 – Sun 27 September off (中秋), Sun 20 September worked; 1–7
October off (国庆), Saturday 10 October a working day (调休). Every period counts working days
(art. 82) and starts the day after its event.
"""

from __future__ import annotations

import itertools
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ducha.rules.approvals import FlowStepSpec as Step
from ducha.rules.approvals import (
    Pause,
    card_for,
    check_deadline,
    critical_path,
    decision_clock,
    deemed_accepted_on,
    find_cycle,
    paused_workdays,
)
from tests.rules.cn_calendar_source import cn_calendar

CAL = cn_calendar()


def test_art_32_five_working_days_for_the_one_time_notice_cross_national_day_and_the_make_up_saturday():
    # Received Tue 29 Sep: 30 Sep (1), 8 Oct (2), 9 Oct (3), Sat 10 Oct (4, 调休), 12 Oct (5).
    assert check_deadline(CAL, date(2026, 9, 29)) == date(2026, 10, 12)


def test_art_32_no_notice_in_time_means_accepted_as_of_the_day_of_receipt():
    received = date(2026, 9, 29)
    assert deemed_accepted_on(CAL, received, today=date(2026, 10, 12)) is None  # the last day is still open
    assert deemed_accepted_on(CAL, received, today=date(2026, 10, 13)) == received


def test_art_42_twenty_working_days_from_the_day_after_acceptance_and_ten_more_with_approval():
    # Accepted Tue 22 Sep: 23, 24, 28, 29, 30 Sep (5), 8, 9, 10 (Sat), 12 … 16 Oct (13),
    # 19 … 23 Oct (18), 26, 27 Oct (20).
    clock = decision_clock(CAL, accepted=date(2026, 9, 22), limit=20, today=date(2026, 9, 22))
    assert (clock.due, clock.used, clock.left) == (date(2026, 10, 27), 0, 20)
    extended = decision_clock(CAL, accepted=date(2026, 9, 22), limit=20, extension=10, today=date(2026, 9, 22))
    assert extended.due == date(2026, 11, 10) and extended.limit == 30


def test_art_42_joint_handling_forty_five_working_days_and_fifteen_more():
    clock = decision_clock(CAL, accepted=date(2026, 9, 22), limit=45, today=date(2026, 9, 22))
    assert clock.due == date(2026, 12, 1)
    assert decision_clock(CAL, accepted=date(2026, 9, 22), limit=45, extension=15,
                          today=date(2026, 9, 22)).due == date(2026, 12, 22)


def test_art_45_an_expert_review_across_national_day_is_not_counted():
    pause = Pause(date(2026, 9, 29), date(2026, 10, 12))  # noticed Tue 29 Sep, report back Mon 12 Oct
    # Out of the clock: 30 Sep, 8, 9, 10 (Sat), 12 Oct; 29 Sep itself was worked.
    assert paused_workdays(CAL, [pause], today=date(2026, 10, 20)) == 5
    clock = decision_clock(CAL, accepted=date(2026, 9, 22), limit=20, today=date(2026, 10, 20), pauses=[pause])
    assert (clock.paused, clock.used, clock.left, clock.due) == (5, 10, 10, date(2026, 11, 3))


def test_art_45_the_due_day_is_unknown_while_a_pause_runs():
    clock = decision_clock(CAL, accepted=date(2026, 9, 22), limit=20, today=date(2026, 10, 9),
                           pauses=[Pause(date(2026, 9, 29))])
    assert clock.running_pause and clock.due is None
    assert (clock.paused, clock.used) == (3, 4)  # 23, 24, 28, 29 Sep worked; 30 Sep, 8, 9 Oct paused


def test_the_clock_stops_on_the_day_of_the_decision():
    clock = decision_clock(CAL, accepted=date(2026, 9, 22), limit=20, today=date(2026, 11, 20),
                           stopped=date(2026, 10, 28), pauses=[Pause(date(2026, 9, 29), date(2026, 10, 12))])
    assert (clock.used, clock.left, clock.overdue) == (16, 4, False)


def test_overlapping_pauses_count_a_day_once():
    a, b = Pause(date(2026, 10, 12), date(2026, 10, 16)), Pause(date(2026, 10, 14), date(2026, 10, 20))
    assert paused_workdays(CAL, [a, b], today=date(2026, 10, 30)) == 6  # 13 … 16, 19, 20 Oct


def test_an_overdue_clock_has_negative_days_left():
    clock = decision_clock(CAL, accepted=date(2026, 9, 22), limit=20, today=date(2026, 10, 29))
    assert clock.overdue and clock.left == -2


def test_cards_yellow_at_the_share_red_past_the_limit():
    assert card_for(20, 15, 0.8) == "green"
    assert card_for(20, 16, 0.8) == "yellow"
    assert card_for(20, 20, 0.8) == "yellow"
    assert card_for(20, 21, 0.8) == "red"
    assert card_for(1, 1, 0.8) == "yellow"  # a one-day limit warns on its day
    with pytest.raises(ValueError):
        card_for(20, 1, 0)


def test_a_flow_takes_the_longest_step_of_each_parallel_order():
    total, path = critical_path([Step(1, "受理", 1), Step(2, "住建", 7), Step(2, "消防", 9), Step(2, "人防", 5),
                                 Step(3, "发证", 2)])
    assert total == 12 and [s.key for s in path] == ["受理", "消防", "发证"]


def test_a_cycle_of_prerequisites_is_named_whole():
    assert find_cycle({"A": ["B"], "B": ["C"], "C": ["A"], "D": ["A"]}) == ["A", "B", "C", "A"]
    assert find_cycle({"A": ["A"]}) == ["A", "A"]
    assert find_cycle({"A": ["B", "C"], "B": ["C"], "C": []}) is None


def test_a_cycle_through_ten_thousand_items_is_found_without_recursion():
    n = 10_000
    graph = {f"I{i:05d}": [f"I{i + 1:05d}"] for i in range(n)}
    graph[f"I{n:05d}"] = ["I00000"]
    cycle = find_cycle(graph)
    assert cycle is not None and len(cycle) == n + 2 and cycle[0] == cycle[-1] == "I00000"


@given(st.dictionaries(st.integers(0, 30), st.lists(st.integers(0, 30), max_size=3), max_size=30))
def test_a_reported_cycle_is_real_and_none_means_an_order_exists(edges):
    graph = {str(k): [str(v) for v in vs] for k, vs in edges.items()}
    cycle = find_cycle(graph)
    if cycle is not None:
        assert cycle[0] == cycle[-1]
        assert all(b in graph.get(a, []) for a, b in itertools.pairwise(cycle))
    else:  # a topological order exists: repeatedly remove items that require nothing left
        left = {k: set(v) for k, v in graph.items()}
        while left:
            free = {k for k, v in left.items() if not (v & left.keys())}
            assert free
            for k in free:
                del left[k]
