"""S1.12: the innovation award's arithmetic (ducha.rules.awards): the panel's mean, the highest
and lowest dropped from five scores on, the ranking with ties, and the choice of winners."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ducha.rules.awards import (
    Ranked,
    check_pick,
    panel_result,
    parse_drop_from,
    parse_scale,
    ranking,
    unexplained_skips,
)


def test_s1_12_mean_without_dropping_below_five_scores() -> None:
    r = panel_result([90, 80, 70, 60], drop_from=5)
    assert r is not None and r.dropped == () and r.mean == Fraction(75)


def test_s1_12_highest_and_lowest_dropped_from_five_scores() -> None:
    r = panel_result([90, 85, 99, 80, 40], drop_from=5)
    assert r is not None and r.dropped == (99, 40) and r.kept == (90, 85, 80) and r.mean == Fraction(85)
    assert str(r.mean_2dp()) == "85.00"


def test_s1_12_dropping_can_be_turned_off_and_nobody_scored_is_none() -> None:
    r = panel_result([90, 85, 99, 80, 40], drop_from=0)
    assert r is not None and r.dropped == () and r.mean == Fraction(394, 5)
    assert panel_result([], drop_from=5) is None


def test_s1_12_mean_shown_to_two_places_half_up() -> None:
    r = panel_result([1, 2, 2], drop_from=0)  # 5/3
    assert r is not None and str(r.mean_2dp()) == "1.67"
    r = panel_result([1, 2], drop_from=0)
    assert r is not None and str(r.mean_2dp()) == "1.50"


def test_s1_12_ties_share_a_rank_and_the_next_is_skipped() -> None:
    ranked = ranking({1: Fraction(80), 2: Fraction(90), 3: Fraction(80), 4: Fraction(70), 5: None})
    assert [(r.nomination, r.rank) for r in ranked] == [(2, 1), (1, 2), (3, 2), (4, 4)]


def test_s1_12_ranking_is_exact_not_rounded() -> None:
    ranked = ranking({1: Fraction(200, 3), 2: Fraction(6667, 100)})  # 66.666… and 66.67
    assert [r.nomination for r in ranked] == [2, 1] and ranked[1].rank == 2


def test_s1_12_skipping_a_higher_ranked_one_needs_a_reason() -> None:
    ranked = [Ranked(1, 1, Fraction(90)), Ranked(2, 2, Fraction(85)), Ranked(3, 3, Fraction(80))]
    assert unexplained_skips(ranked, [1, 3], {}) == [2]
    assert unexplained_skips(ranked, [1, 3], {2: "材料失实"}) == []
    assert unexplained_skips(ranked, [1, 2], {}) == []


def test_s1_12_a_tie_at_the_line_needs_a_reason_too() -> None:
    ranked = [Ranked(1, 1, Fraction(90)), Ranked(2, 2, Fraction(85)), Ranked(3, 2, Fraction(85))]
    assert unexplained_skips(ranked, [1, 2], {}) == [3]


def test_s1_12_check_pick_names_each_problem() -> None:
    ranked = [Ranked(1, 1, Fraction(90)), Ranked(2, 2, Fraction(85)), Ranked(3, 3, Fraction(80))]
    assert check_pick(ranked, [], {}, 2) == {"none": ()}
    assert check_pick(ranked, [1, 2, 3], {}, 2) == {"too_many": (2,)}
    assert check_pick(ranked, [1, 9], {}, 2) == {"unranked": (9,)}
    assert check_pick(ranked, [1, 1], {}, 2) == {"duplicate": (1,)}
    assert check_pick(ranked, [3], {2: " "}, 2) == {"skipped": (1, 2)}
    assert check_pick(ranked, [1, 2], {}, 2) == {}


@pytest.mark.parametrize("text, value", [("100", 100), (" 10 ", 10), ("1000", 1000)])
def test_scale_parses(text: str, value: int) -> None:
    assert parse_scale(text).maximum == value


@pytest.mark.parametrize("text", ["", "abc", "9", "1001", "-5", "99.5"])
def test_scale_refuses(text: str) -> None:
    with pytest.raises(ValueError):
        parse_scale(text)


def test_drop_from_is_zero_or_at_least_three() -> None:
    assert parse_drop_from("0") == 0 and parse_drop_from("5") == 5
    for bad in ("1", "2", "x", ""):
        with pytest.raises(ValueError):
            parse_drop_from(bad)


@given(st.lists(st.integers(0, 100), min_size=1, max_size=15), st.sampled_from([0, 3, 5]))
def test_s1_12_the_mean_lies_between_the_lowest_and_highest(scores: list[int], drop_from: int) -> None:
    r = panel_result(scores, drop_from)
    assert r is not None and min(scores) <= r.mean <= max(scores)
    assert len(r.kept) + len(r.dropped) == len(scores) and len(r.kept) >= 1


@given(st.dictionaries(st.integers(1, 50), st.one_of(st.none(), st.integers(0, 10).map(Fraction)), max_size=20))
def test_s1_12_ranks_are_competition_ranks(means: dict[int, Fraction | None]) -> None:
    ranked = ranking(means)
    assert len(ranked) == sum(1 for m in means.values() if m is not None)
    for position, r in enumerate(ranked, start=1):
        assert r.rank == 1 + sum(1 for o in ranked if o.mean > r.mean)
        assert r.rank <= position
