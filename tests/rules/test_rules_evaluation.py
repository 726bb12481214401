"""S6.1–S6.3, S1.3: the evaluation's arithmetic (ducha.rules.evaluation): indicator scores with
their explanation, totals with capped adjustments, rankings per category, grades under quotas,
the year-end lists, the civil servants' 优秀 quota, the weighted tree and the forbidden sources.

The worked example reproduces 贵阳's arithmetic by hand (see ``test_guiyang_*``). Sources, from
``shared/reference/approvals-evaluation-accountability.md`` §4:

* 贵阳 目标绩效考核 计分实施细则 (百分制; 绩效目标 60 % + 公众评价 40 %; 绩效目标 = 工作目标 70 +
  保证目标 30; 发展型 weight × actual/target, 控制型 weight × (2 − completion), 0 over 2×, no
  negative scores; qualitative targets by progress; 加分 ≤ 5 not in the total, a tie-breaker;
  扣分 ≤ 5 deducted): http://onnets.com/article/1001001664/1001001645/601/0.html
* 瑞安 瑞委〔2012〕6号 (own/best × 600; leader ranking 1st = 200, −2 % per rank):
  http://wzdkw.gov.cn/system/2012/05/28/011038209_05.shtml
* 杭州 杭考评办〔2018〕14号 (优秀 ≤ 15 %, 良好 ≤ 20 % of units):
  http://sww.hangzhou.gov.cn/art/2018/8/9/art_1551580_30443571.html
* 财政部预算司 bands (优 90–100, 良 80–89, 中 60–79, 差 0–59):
  http://www.dz-gczx.com/wap/articleDetails_id_1290.html
* 公务员考核规定, 优秀 ≤ 20 %, up to 25 % (the reference marks the clause [mem]):
  https://bjdnbx.com/jy/152025.html
"""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ducha.rules.evaluation import (
    FORBIDDEN_SOURCES,
    Adjustment,
    Grade,
    GradeRule,
    Method,
    Node,
    Scored,
    StaffGrade,
    apply_adjustments,
    check_source,
    check_weights,
    grade_units,
    rank_category,
    ranks,
    reward_and_penalty,
    score_indicator,
    staff_excellent_quota,
    sum_scores,
)
from ducha.rules.evaluation_grades import quota_places

# --- the worked example: 贵阳's arithmetic on one category of seven units -----------------------
#
# Weights in points of 100: 绩效目标 60 % of 100 = 60, of which 工作目标 70 % = 42 and 保证目标
# 30 % = 18; 公众评价 40 % of 100 = 40. The 42 of 工作目标 are split (the scheme's own choice,
# assumed here) into a 发展型 target of 24 points (固定资产投资, target 100) and a 控制型 target of
# 18 points (安全生产事故, at most 10). 保证目标 is qualitative, scored by progress (%).
# 公众评价 is a satisfaction survey on 100.

TREE = (
    Node("performance", D(60), (
        Node("work", D(42), (Node("investment", D(24)), Node("accidents", D(18)))),
        Node("guarantee", D(18)),
    )),
    Node("public", D(40)),
)

#        investment (发展型), accidents (控制型), guarantee progress %, public survey
VALUES = {
    "A": (D(110), D(8), D(100), D(92)),
    "B": (D(95), D(12), D(90), D(90)),
    "C": (D(100), D(10), D(95), D("63.25")),
    "D": (D(80), D(15), D(80), D(85)),
    "E": (D(60), D(25), D(50), D(70)),
    "F": (D(90), D(9), D(85), D(60)),
    "G": (D(100), D(20), D(70), D(88)),
}

# By hand, in points:
#   investment 24 × actual/100, capped at 24;  accidents 18 × (2 − actual/10), 0 from 20, capped at 18;
#   guarantee 18 × progress/100;  public 40 × survey/100.
HAND = {
    "A": ("24.00", "18.00", "18.00", "36.80", "96.80"),  # 26.40 capped; 21.60 capped
    "B": ("22.80", "14.40", "16.20", "36.00", "89.40"),  # 18 × 0.8 = 14.40
    "C": ("24.00", "18.00", "17.10", "25.30", "84.40"),  # 40 × 63.25/100 = 25.30
    "D": ("19.20", "9.00", "14.40", "34.00", "76.60"),  # 18 × 0.5 = 9.00
    "E": ("14.40", "0.00", "9.00", "28.00", "51.40"),  # 25 accidents: over twice 10 → 0
    "F": ("21.60", "18.00", "15.30", "24.00", "78.90"),  # 18 × 1.1 = 19.80 capped
    "G": ("24.00", "0.00", "12.60", "35.20", "71.80"),  # 20 accidents: exactly twice → 0
}

# 贵阳: 加分 (bonus) capped at 5, tie-break only; 扣分 (deduction) capped at 5, enters the total.
ADJUSTMENTS = {
    "A": [Adjustment("innovation", D(3), False), Adjustment("provincial_rank", D(4), False)],  # 7 → 5
    "B": [Adjustment("accountability", D(-2), True), Adjustment("complaints", D(-4), True),  # −6 → −5
          Adjustment("innovation", D("0.50"), False)],
    "C": [Adjustment("innovation", D(1), False)],
    "D": [Adjustment("accountability", D(-1), True)],
    "E": [],
    "F": [],
    "G": [Adjustment("accountability", D(-2), True), Adjustment("provincial_rank", D(2), False)],
}
# unit: (total, tie-break), by hand
TOTALS = {
    "A": ("96.80", "5.00"),  # 96.80 + 0 entering; bonus 7 capped at 5, tie-break only
    "B": ("84.40", "0.50"),  # 89.40 − 5 (6 capped at 5)
    "C": ("84.40", "1.00"),  # equal to B: the tie-break decides
    "D": ("75.60", "0.00"),  # 76.60 − 1
    "E": ("51.40", "0.00"),
    "F": ("78.90", "0.00"),
    "G": ("69.80", "2.00"),  # 71.80 − 2
}
RANKS = {"A": 1, "C": 2, "B": 3, "F": 4, "D": 5, "G": 6, "E": 7}


def guiyang_scores(unit: str) -> dict[str, Scored]:
    investment, accidents, progress, survey = VALUES[unit]
    return {
        "investment": score_indicator(Method.DEVELOPMENT, D(24), value=investment, target=D(100)),
        "accidents": score_indicator(Method.CONTROL, D(18), value=accidents, target=D(10)),
        "guarantee": score_indicator(Method.PROGRESS, D(18), value=progress),
        "public": score_indicator(Method.DIRECT, D(40), value=survey),
    }


def guiyang_totals() -> dict[str, tuple[D, D]]:
    out = {}
    for unit in VALUES:
        base = sum_scores(guiyang_scores(unit)).score
        t = apply_adjustments(base, ADJUSTMENTS[unit], bonus_cap=D(5), deduction_cap=D(5))
        out[unit] = (t.total, t.tie_break)
    return out


def test_guiyang_weights_add_up() -> None:
    assert D(60) * D(70) / 100 == 42 and D(60) * D(30) / 100 == 18
    check_weights(TREE)


@pytest.mark.parametrize("unit", sorted(VALUES))
def test_guiyang_indicator_scores_and_base_by_hand(unit: str) -> None:
    scores = guiyang_scores(unit)
    assert [str(s.score) for s in scores.values()] + [str(sum_scores(scores).score)] == list(HAND[unit])


def test_guiyang_formulas_explain_the_numbers() -> None:
    a, b, e = guiyang_scores("A"), guiyang_scores("B"), guiyang_scores("E")
    assert a["investment"].formula == "24 × 110/100 = 26.40, capped at the weight: 24.00"
    assert a["accidents"].formula == "18 × (2 − 8/10) = 21.60, capped at the weight: 18.00"
    assert b["accidents"].formula == "18 × (2 − 12/10) = 14.40"
    assert e["accidents"].formula == "18 × (2 − 25/10): at or over twice the target: 0.00"
    assert b["guarantee"].formula == "18 × 90/100 = 16.20"
    assert b["public"].formula == "40 × 90/100 = 36.00"
    assert b["investment"].inputs == {"method": "development", "weight": "24", "value": "95", "target": "100"}
    assert sum_scores(b).formula == "22.80 + 14.40 + 16.20 + 36.00 = 89.40"


def test_guiyang_points_equal_scoring_on_100_then_weighting() -> None:
    """B on the published scale: 绩效目标 on 100 (工作目标 70 = 40 + 30, 保证目标 30), × 60 %;
    公众评价 × 40 %. 38.00 + 24.00 + 27.00 = 89.00; 89 × 60/100 = 53.40; + 36.00 = 89.40."""
    on_100 = sum_scores({
        "investment": score_indicator(Method.DEVELOPMENT, D(40), value=D(95), target=D(100)),
        "accidents": score_indicator(Method.CONTROL, D(30), value=D(12), target=D(10)),
        "guarantee": score_indicator(Method.PROGRESS, D(30), value=D(90)),
    })
    assert on_100.score == D("89.00")
    performance = score_indicator(Method.DIRECT, D(60), value=on_100.score)
    assert performance.score == D("53.40")
    assert performance.score + D("36.00") == D(HAND["B"][4])


def test_guiyang_adjustments_bonus_breaks_ties_deduction_enters() -> None:
    totals = guiyang_totals()
    assert {u: (str(t), str(b)) for u, (t, b) in totals.items()} == TOTALS
    b = apply_adjustments(D("89.40"), ADJUSTMENTS["B"], bonus_cap=D(5), deduction_cap=D(5))
    assert (b.bonus, b.deduction, b.entered_bonus, b.entered_deduction) == (D("0.50"), D(-5), D(0), D(-5))
    assert "Total = 89.40 + 0.00 − 5.00 = 84.40" in b.explanation
    a = apply_adjustments(D("96.80"), ADJUSTMENTS["A"], bonus_cap=D(5), deduction_cap=D(5))
    assert (a.bonus, a.total, a.tie_break) == (D(5), D("96.80"), D(5))


def test_guiyang_ranks_use_the_tie_break_and_grades_follow_the_quotas() -> None:
    totals = guiyang_totals()
    ranked = rank_category(totals)
    assert ranked == RANKS  # C before B: both 84.40, tie-break 1.00 against 0.50
    # 7 units: 优秀 floor(15 % × 7 = 1.05) = 1 place, 良好 floor(20 % × 7 = 1.4) = 1 place.
    grades = grade_units({u: (ranked[u], totals[u][0]) for u in totals}, GradeRule())
    assert grades == {
        "A": Grade.EXCELLENT,  # 96.80 ≥ 90, the one 优秀 place
        "C": Grade.GOOD,  # 84.40 ≥ 80, the one 良好 place, won on the tie-break
        "B": Grade.FAIR,  # 84.40 is 良 by the band, but the 良好 quota is full
        "F": Grade.FAIR, "D": Grade.FAIR, "G": Grade.FAIR,  # 78.90, 75.60, 69.80: 60–79
        "E": Grade.POOR,  # 51.40 < 60
    }


def test_guiyang_without_the_tie_break_the_tied_pair_drops_a_grade() -> None:
    totals = guiyang_totals()
    ranked = ranks({u: t for u, (t, _b) in totals.items()})
    assert ranked["B"] == ranked["C"] == 2 and ranked["F"] == 4
    grades = grade_units({u: (ranked[u], totals[u][0]) for u in totals}, GradeRule())
    assert grades["B"] == grades["C"] == Grade.FAIR  # two tied for one 良好 place: neither gets it


def test_guiyang_year_end_lists_and_staff_quotas() -> None:
    assert reward_and_penalty(RANKS, top=1, bottom=1) == (["A"], ["E"])
    # 40 civil servants each: 优秀 unit 25 % → 10, 良好 20 % → 8, 较差 15 % (a setting) → 6.
    assert staff_excellent_quota(Grade.EXCELLENT, 40) == 10
    assert staff_excellent_quota(Grade.GOOD, 40) == 8
    assert staff_excellent_quota(Grade.POOR, 40) == 6


# --- indicator methods -------------------------------------------------------------------------


def test_development_cap_can_be_lifted_and_a_fall_scores_zero() -> None:
    over = score_indicator(Method.DEVELOPMENT, D(30), value=D(120), target=D(100), allow_over=True)
    assert over.score == D("36.00") and over.formula == "30 × 120/100 = 36.00"
    fall = score_indicator(Method.DEVELOPMENT, D(30), value=D(-2), target=D(5))
    assert fall.score == D("0.00") and fall.formula == "30 × -2/5 = -12.00, no negative scores: 0.00"
    assert score_indicator(Method.DEVELOPMENT, D(30), value=D(80), target=D(100)).formula == "30 × 80/100 = 24.00"


def test_rounding_is_exact_and_half_up_once_at_the_end() -> None:
    assert score_indicator(Method.DEVELOPMENT, D(20), value=D(1), target=D(3)).score == D("6.67")
    assert score_indicator(Method.DEVELOPMENT, D(10), value=D(1), target=D(3)).score == D("3.33")
    assert score_indicator(Method.RATE, D(1), value=D("0.005")).score == D("0.01")  # not banker's 0.00
    assert score_indicator(Method.RATE, D(1), value=D("0.025")).score == D("0.03")
    assert str(score_indicator(Method.PROGRESS, D(18), value=D(0)).score) == "0.00"


def test_control_at_target_full_between_falls_at_twice_zero() -> None:
    def s(actual: str) -> D:
        return score_indicator(Method.CONTROL, D(30), value=D(actual), target=D(100)).score
    assert (s("0"), s("100"), s("150"), s("199.99"), s("200"), s("500")) == (
        D(30), D(30), D(15), D("0.00"), D(0), D(0))  # 30 × 0.0001 = 0.003 → 0.00


def test_ruian_ratio_to_best_and_rank_steps() -> None:
    """瑞安: 重要项目 600 × own/best; leader ranking 1st = 200, −2 % per rank."""
    assert score_indicator(Method.RATIO_TO_BEST, D(600), value=D(80), best=D(120)).formula == "600 × 80/120 = 400.00"
    assert score_indicator(Method.RATIO_TO_BEST, D(600), value=D(120), best=D(120)).score == 600
    zero = score_indicator(Method.RATIO_TO_BEST, D(600), value=D(0), best=D(0))
    assert zero.score == 0 and "best of the category is 0" in zero.formula
    scores = [score_indicator(Method.RANK, D(200), value=D(1), rank=r).score for r in (1, 2, 3)]
    assert scores == [D(200), D(196), D(192)]
    assert score_indicator(Method.RANK, D(200), value=D(1), rank=3).formula == "200 × (100 % − (3 − 1) × 2 %) = 192.00"
    floor = score_indicator(Method.RANK, D(20), value=D(1), rank=80)
    assert floor.score == 0 and floor.formula.endswith("floor 0: 0.00")
    assert score_indicator(Method.RANK, D(20), value=D(1), rank=3, step_percent=D(5)).score == D(18)


def test_rank_method_ties_share_the_rank() -> None:
    values = {"x": D(90), "y": D(90), "z": D(80)}
    r = ranks(values)
    got = {u: score_indicator(Method.RANK, D(100), value=v, rank=r[u]).score for u, v in values.items()}
    assert got == {"x": D(100), "y": D(100), "z": D(96)}  # z is 3rd: 100 × (1 − 2 × 2 %)


def test_direct_and_rate() -> None:
    assert score_indicator(Method.DIRECT, D(10), value=D(4), scale_max=D(5)).formula == "10 × 4/5 = 8.00"
    assert score_indicator(Method.RATE, D(30), value=D("0.9")).formula == "30 × 0.9 = 27.00"
    nothing_due = score_indicator(Method.RATE, D(30), value=None)
    assert nothing_due.score == D(30) and nothing_due.formula == "nothing due: the full weight 30.00"


@pytest.mark.parametrize("method", [m for m in Method if m is not Method.RATE])
def test_no_value_scores_zero_and_says_so(method: Method) -> None:
    s = score_indicator(method, D(20), value=None, target=D(10))
    assert s.score == D("0.00") and s.formula == "no value: 0.00" and "value" not in s.inputs


@pytest.mark.parametrize(("method", "weight", "kwargs", "words"), [
    (Method.DEVELOPMENT, D(-1), {"value": D(1), "target": D(1)}, "negative"),
    (Method.DEVELOPMENT, D("NaN"), {"value": D(1), "target": D(1)}, "must be a number"),
    (Method.DEVELOPMENT, D(10), {"value": D(1), "target": D(0)}, "target of a development indicator must be above 0"),
    (Method.CONTROL, D(10), {"value": D(1), "target": D(-5)}, "above 0, not -5"),
    (Method.CONTROL, D(10), {"value": None}, "needs a target"),
    (Method.PROGRESS, D(10), {"value": D(101)}, "progress must be between 0 and 100, not 101"),
    (Method.RATE, D(10), {"value": D("1.1")}, "rate must be between 0 and 1"),
    (Method.DIRECT, D(10), {"value": D(6), "scale_max": D(5)}, "between 0 and 5, not 6"),
    (Method.DIRECT, D(10), {"value": D(1), "scale_max": D(0)}, "scale maximum"),
    (Method.RATIO_TO_BEST, D(10), {"value": D(5)}, "needs the best value"),
    (Method.RATIO_TO_BEST, D(10), {"value": D(5), "best": D(4)}, "between 0 and the best 4, not 5"),
    (Method.RANK, D(10), {"value": D(5)}, "needs a rank"),
    (Method.RANK, D(10), {"value": D(5), "rank": 0}, "not 0"),
    (Method.RANK, D(10), {"value": D(5), "rank": 1, "step_percent": D(101)}, "step_percent"),
])
def test_invalid_inputs_are_refused_with_the_value_named(method: Method, weight: D, kwargs: dict[str, object],
                                                         words: str) -> None:
    with pytest.raises(ValueError, match=words.replace("(", r"\(")):
        score_indicator(method, weight, **kwargs)  # type: ignore[arg-type]


# --- rankings ----------------------------------------------------------------------------------


def test_ranks_are_a_competition_ranking_and_exact() -> None:
    assert ranks({"a": D(90), "b": D("84.4"), "c": D("84.40"), "d": D(70)}) == {"a": 1, "b": 2, "c": 2, "d": 4}
    assert ranks({}) == {}


def test_rank_category_ties_broken_then_left_as_ties() -> None:
    totals = {"a": (D(80), D(0)), "b": (D(80), D(2)), "c": (D(80), D(2)), "d": (D(90), D(0)), "e": (D(70), D(5))}
    assert rank_category(totals) == {"d": 1, "b": 2, "c": 2, "a": 4, "e": 5}


# --- adjustments -------------------------------------------------------------------------------


def test_a_cap_is_shared_entering_points_first() -> None:
    t = apply_adjustments(D(80), [
        Adjustment("province", D(3), True), Adjustment("innovation", D(4), False),
        Adjustment("accountability", D(-4), True), Adjustment("complaint", D(-3), False),
    ], bonus_cap=D(5), deduction_cap=D(5))
    # bonuses 7 → 5: 3 entering, 2 tie-only; deductions 7 → 5: 4 entering, 1 tie-only
    assert (t.bonus, t.entered_bonus, t.deduction, t.entered_deduction) == (D(5), D(3), D(-5), D(-4))
    assert (t.total, t.tie_break) == (D(79), D(1))  # 80 + 3 − 4; tie-break 2 − 1
    entering_over = apply_adjustments(D(80), [Adjustment("a", D(6), True), Adjustment("b", D(2), False)],
                                      bonus_cap=D(5), deduction_cap=D(5))
    assert (entering_over.total, entering_over.tie_break) == (D(85), D(0))  # the cap is used up


def test_total_never_below_zero_and_no_ceiling() -> None:
    low = apply_adjustments(D(2), [Adjustment("x", D(-5), True)], bonus_cap=D(5), deduction_cap=D(5))
    assert low.total == 0 and "never below 0" in low.explanation
    high = apply_adjustments(D(99), [Adjustment("x", D(5), True)], bonus_cap=D(5), deduction_cap=D(5))
    assert high.total == D(104)
    none = apply_adjustments(D("88.80"), [], bonus_cap=D(5), deduction_cap=D(5))
    assert (none.total, none.bonus, none.deduction, none.tie_break) == (D("88.80"), D(0), D(0), D(0))


def test_negative_caps_and_nan_points_refused() -> None:
    with pytest.raises(ValueError, match="caps"):
        apply_adjustments(D(1), [], bonus_cap=D(-1), deduction_cap=D(5))
    with pytest.raises(ValueError, match="points of x"):
        apply_adjustments(D(1), [Adjustment("x", D("NaN"), True)], bonus_cap=D(5), deduction_cap=D(5))


# --- grades and lists --------------------------------------------------------------------------


def _graded(totals: dict[str, D], rule: GradeRule | None = None) -> dict[str, Grade]:
    r = ranks(totals)
    return grade_units({u: (r[u], t) for u, t in totals.items()}, rule or GradeRule())


def test_six_units_leave_no_place_for_excellent() -> None:
    grades = _graded({u: D(95 - i) for i, u in enumerate("abcdef")})  # 15 % × 6 = 0.9 → 0
    assert grades["a"] == Grade.GOOD and list(grades.values()).count(Grade.EXCELLENT) == 0  # 20 % × 6 = 1.2 → 1


def test_a_tie_that_would_exceed_the_quota_drops_a_grade_and_no_lower_unit_takes_it() -> None:
    # 10 units: 优秀 1 place, 良好 2 places.
    totals = {"a": D(95), "b": D(95), "c": D(91), **{f"u{i}": D(70) for i in range(7)}}
    grades = _graded(totals)
    assert grades["a"] == grades["b"] == Grade.GOOD  # tied for 1 优秀 place: both fall to 良好 (2 places)
    assert grades["c"] == Grade.FAIR  # 91 but not above a refused tie, and 良好 is full
    totals["c"] = D(96)  # now c alone is first
    assert _graded(totals)["c"] == Grade.EXCELLENT and _graded(totals)["a"] == Grade.GOOD


def test_minimum_scores_apply_whatever_the_quota() -> None:
    rule = GradeRule(excellent_quota=D(1), good_quota=D(1))
    assert _graded({"a": D("89.99"), "b": D("79.99"), "c": D("59.99"), "d": D(60)}, rule) == {
        "a": Grade.GOOD, "b": Grade.FAIR, "c": Grade.POOR, "d": Grade.FAIR}


def test_grade_rule_is_checked() -> None:
    with pytest.raises(ValueError, match="share"):
        GradeRule(excellent_quota=D("1.5"))
    with pytest.raises(ValueError, match="must rise"):
        GradeRule(good_min=D(95))
    with pytest.raises(ValueError, match="rank of 1"):
        grade_units({"a": (0, D(90))}, GradeRule())


def test_year_end_lists_include_ties_at_the_boundary() -> None:
    r = {"a": 1, "b": 2, "c": 2, "d": 4, "e": 5, "f": 5}
    assert reward_and_penalty(r, top=2, bottom=1) == (["a", "b", "c"], ["e", "f"])
    assert reward_and_penalty(r, top=0, bottom=0) == ([], [])
    assert reward_and_penalty({}, top=3, bottom=3) == ([], [])
    assert reward_and_penalty(r, top=1, bottom=10) == (["a"], ["b", "c", "d", "e", "f"])
    assert reward_and_penalty({"x": 1, "y": 1, "z": 1}, top=1, bottom=1) == (["x", "y", "z"], [])
    with pytest.raises(ValueError, match="top and bottom"):
        reward_and_penalty(r, top=-1, bottom=1)


def test_staff_quota_follows_the_units_grade() -> None:
    assert staff_excellent_quota(None, 7) == 1  # 20 % × 7 = 1.4
    assert staff_excellent_quota(Grade.FAIR, 4) == 0
    assert staff_excellent_quota(Grade.EXCELLENT, 0) == 0
    assert staff_excellent_quota("excellent", 12) == 3  # type: ignore[arg-type]  # as read from the database
    assert staff_excellent_quota(Grade.POOR, 20, lowered=D("0.10")) == 2
    with pytest.raises(ValueError, match="not negative"):
        staff_excellent_quota(Grade.GOOD, -1)
    assert [g.value for g in StaffGrade] == ["excellent", "competent", "basic", "incompetent"]


# --- the tree and the sources ------------------------------------------------------------------


def test_check_weights_names_the_node() -> None:
    with pytest.raises(ValueError, match=r"children of work \(weight 42\) add up to 40, not 42"):
        check_weights((Node("performance", D(60), (Node("work", D(42), (Node("x", D(20)), Node("y", D(20)))),
                                                   Node("guarantee", D(18)))), Node("public", D(40))))
    with pytest.raises(ValueError, match="top-level indicators add up to 90, not 100"):
        check_weights((Node("a", D(50)), Node("b", D(40))))
    with pytest.raises(ValueError, match="negative"):
        check_weights((Node("a", D(110)), Node("b", D(-10))))
    with pytest.raises(ValueError, match="used twice"):
        check_weights((Node("a", D(50), (Node("a", D(50)),)), Node("b", D(50))))
    check_weights((Node("a", D("1000")),), total=D(1000))


@pytest.mark.parametrize("code", sorted(FORBIDDEN_SOURCES))
def test_app_activity_is_never_a_source(code: str) -> None:
    with pytest.raises(ValueError, match="2024 减负 rules forbid ranking units by app activity"):
        check_source(code)


def test_allowed_sources_pass() -> None:
    assert {"logins", "clicks", "messages_sent", "page_views", "reports_filed"} <= FORBIDDEN_SOURCES
    with pytest.raises(ValueError):
        check_source(" Clicks ")
    for code in ("execution_rate", "reporting_rate", "rectification_rate", "public_rating"):
        check_source(code)


# --- properties --------------------------------------------------------------------------------

cents = st.integers(min_value=-100_000, max_value=100_000).map(lambda n: D(n).scaleb(-2))
points = st.integers(min_value=0, max_value=20_000).map(lambda n: D(n).scaleb(-2))


@given(st.dictionaries(st.integers(0, 50), cents, max_size=30))
def test_property_ranks_are_a_competition_ranking(values: dict[int, D]) -> None:
    r = ranks(values)
    for unit, value in values.items():
        assert r[unit] == 1 + sum(1 for v in values.values() if v > value)


@given(points, points, st.integers(min_value=1, max_value=100_000).map(lambda n: D(n).scaleb(-2)))
def test_property_control_score_between_zero_and_the_weight(weight: D, actual: D, target: D) -> None:
    s = score_indicator(Method.CONTROL, weight, value=actual, target=target)
    assert D(0) <= s.score <= weight.quantize(D("0.01"))
    if actual >= 2 * target:
        assert s.score == 0


@given(cents, st.lists(st.tuples(st.integers(-1000, 1000).map(lambda n: D(n).scaleb(-2)), st.booleans()),
                       max_size=8), points, points)
def test_property_caps_never_exceeded(base: D, adj: list[tuple[D, bool]], bonus_cap: D, deduction_cap: D) -> None:
    t = apply_adjustments(base, [Adjustment(f"a{i}", p, e) for i, (p, e) in enumerate(adj)],
                          bonus_cap=bonus_cap, deduction_cap=deduction_cap)
    assert D(0) <= t.entered_bonus <= t.bonus <= bonus_cap
    assert -deduction_cap <= t.deduction <= t.entered_deduction <= 0
    assert t.total == max(D(0), base + t.entered_bonus + t.entered_deduction)
    assert t.tie_break == (t.bonus - t.entered_bonus) + (t.deduction - t.entered_deduction)


@given(st.lists(st.integers(0, 100).map(D), min_size=0, max_size=40),
       st.integers(0, 100).map(lambda n: D(n).scaleb(-2)), st.integers(0, 100).map(lambda n: D(n).scaleb(-2)))
def test_property_quota_never_exceeded_and_rank_order_kept(totals: list[D], q_excellent: D, q_good: D) -> None:
    by_unit = dict(enumerate(totals))
    r = ranks(by_unit)
    grades = grade_units({u: (r[u], t) for u, t in by_unit.items()},
                         GradeRule(excellent_quota=q_excellent, good_quota=q_good))
    n = len(totals)
    assert list(grades.values()).count(Grade.EXCELLENT) <= quota_places(q_excellent, n)
    assert list(grades.values()).count(Grade.GOOD) <= quota_places(q_good, n)
    order = [Grade.EXCELLENT, Grade.GOOD, Grade.FAIR, Grade.POOR]
    for u in by_unit:
        for v in by_unit:
            if r[u] < r[v]:
                assert order.index(grades[u]) <= order.index(grades[v])
