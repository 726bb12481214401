"""S1.6: the half-yearly lawful-administration check's checklist and score (ducha.rules.lawful)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ducha.rules.lawful import (
    DEFAULT_CHECKLIST,
    ChecklistItem,
    deduction_problem,
    parse_checklist,
    score,
)


def test_s1_6_the_default_checklist_adds_up_to_100_with_unique_codes():
    items = parse_checklist(DEFAULT_CHECKLIST)
    assert sum(i.points for i in items) == 100
    assert len({i.code for i in items}) == len(items) >= 6
    assert all(i.name and i.name_en for i in items)


def test_s1_6_the_english_name_is_optional():
    (item,) = parse_checklist(" openness : 10 : 政务公开 ")
    assert item == ChecklistItem("openness", 10, "政务公开", "")


@pytest.mark.parametrize(("text", "words"), [
    ("", "no item"),
    ("a:10:甲;a:5:乙", "given twice"),
    ("a:0:甲", "whole number"),
    ("a:-3:甲", "whole number"),
    ("a:x:甲", "whole number"),
    ("A:5:甲", "lower-case"),
    ("a:5:", "name"),
    ("a:5", "expected"),
])
def test_s1_6_a_bad_checklist_is_refused_naming_what_is_wrong(text, words):
    with pytest.raises(ValueError, match=words):
        parse_checklist(text)


def test_s1_6_a_checklist_round_trips_through_its_frozen_form():
    items = parse_checklist(DEFAULT_CHECKLIST)
    assert tuple(ChecklistItem.from_dict(i.as_dict()) for i in items) == items


def test_s1_6_score_is_the_points_less_the_deductions_item_by_item():
    items = parse_checklist("a:20:甲;b:30:乙;c:50:丙")
    s = score(items, [("a", 5), ("c", 10), ("c", 2)])
    assert (s.total, s.deducted, s.value) == (100, 17, 83)
    assert [(i.code, i.kept) for i in s.items] == [("a", 15), ("b", 30), ("c", 38)]
    assert s.explain() == "100 - 17 = 83 (a -5; c -12)"
    assert score(items, []).value == 100


def test_s1_6_score_refuses_unknown_items_and_too_many_points():
    items = parse_checklist("a:20:甲")
    with pytest.raises(ValueError, match="no checklist item"):
        score(items, [("z", 1)])
    with pytest.raises(ValueError, match="21 deducted of 20"):
        score(items, [("a", 11), ("a", 10)])
    with pytest.raises(ValueError, match="negative"):
        score(items, [("a", -1)])


def test_s1_6_a_deduction_needs_its_finding_and_stays_within_the_item():
    assert deduction_problem(10, 3, "未经合法性审核即印发") is None
    assert deduction_problem(10, 0, "") is None
    assert deduction_problem(10, 3, "  ") == "finding_missing"
    assert deduction_problem(10, 11, "x") == "exceeds_points"
    assert deduction_problem(10, -1, "x") == "negative"


@given(st.lists(st.tuples(st.sampled_from(["a", "b", "c"]), st.integers(0, 40)), max_size=12))
def test_s1_6_a_score_accepted_is_between_zero_and_the_total(deductions):
    items = parse_checklist("a:20:甲;b:30:乙;c:50:丙")
    try:
        s = score(items, deductions)
    except ValueError:
        return
    assert 0 <= s.value <= s.total == 100
    assert s.value + s.deducted == s.total
