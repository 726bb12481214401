"""S6.1–S6.3, S1.3: the arithmetic of the performance evaluation (绩效考评).

How a unit's indicators become scores, the scores a total with its adjustments, the totals a
ranking per category; the grades, the year-end lists and the staff quota are in
``evaluation_grades`` (re-exported here). Sources: ``shared/reference/
approvals-evaluation-accountability.md`` §4 (贵阳 目标绩效考核 计分实施细则, 瑞安 瑞委〔2012〕6号,
杭州 杭考评办〔2018〕14号, 财政部 score bands, 公务员考核规定).

Numbers:

* every score is a ``Decimal``. The arithmetic is exact (on fractions); an indicator's score is
  rounded once, at its end, to two decimals, halves rounded up (ROUND_HALF_UP). Sums of
  scores, adjustments and totals are then exact and are not rounded again;
* weights are points of the whole (100 by default). A published scheme given in shares is
  turned into points first: 贵阳's 工作目标 is 70 % of 绩效目标, itself 60 % of 100, so 42
  points; scoring on the points is the same arithmetic as scoring on 100 and weighting after;
* every score comes with its explanation (``Scored``): the inputs and the formula in words
  with the numbers filled in, so a unit that doubts a score can follow it.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction
from typing import TypeVar

from ducha.rules.evaluation_grades import (
    Grade,
    GradeRule,
    StaffGrade,
    grade_units,
    reward_and_penalty,
    staff_excellent_quota,
)

__all__ = [
    "FORBIDDEN_SOURCES",
    "Adjustment",
    "Grade",
    "GradeRule",
    "Method",
    "Node",
    "Scored",
    "StaffGrade",
    "Total",
    "apply_adjustments",
    "check_source",
    "check_weights",
    "grade_units",
    "rank_category",
    "ranks",
    "reward_and_penalty",
    "score_indicator",
    "staff_excellent_quota",
    "sum_scores",
]

K = TypeVar("K", bound=Hashable)
_CENT = Decimal("0.01")


class Method(StrEnum):
    """How a leaf indicator is scored (``weight`` is its points)."""

    DEVELOPMENT = "development"  # 发展型: weight × actual/target, capped at the weight by default
    CONTROL = "control"  # 控制型: weight × (2 − actual/target), 0 from twice the target, ≤ weight
    PROGRESS = "progress"  # 定性: weight × progress/100
    RATIO_TO_BEST = "ratio_to_best"  # 瑞安: weight × own/best of the category
    RANK = "rank"  # 按排名赋分: 1st the weight, step_percent % of it less per rank, floor 0
    DIRECT = "direct"  # a score on the indicator's own scale: weight × value/scale_max
    RATE = "rate"  # a rate 0..1: weight × rate; nothing due → the full weight


@dataclass(frozen=True)
class Scored:
    """A score with its explanation: ``formula`` in words with the numbers filled in
    (``"30 × 80/100 = 24.00"``), ``inputs`` as strings (it goes into JSON as is)."""

    score: Decimal
    formula: str
    inputs: dict[str, str]


def _n(value: Decimal) -> str:
    """A number as given, without an exponent (``Decimal("1E+2")`` → ``"100"``)."""
    return format(value, "f")


def _round(value: Fraction) -> Decimal:
    """Two decimals, halves away from zero (ROUND_HALF_UP), computed exactly."""
    whole, rest = divmod(abs(value) * 100, 1)
    cents = int(whole) + (1 if rest >= Fraction(1, 2) else 0)
    return (Decimal(-cents if value < 0 else cents) * _CENT).quantize(_CENT)


def _dec(value: Fraction) -> Decimal:
    """A sum of decimals back as a decimal (exact), shown with two decimals when it has no more."""
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    return exact.quantize(_CENT) if exact == exact.quantize(_CENT) else exact


def _finite(name: str, value: Decimal) -> Fraction:
    if not value.is_finite():
        raise ValueError(f"{name} must be a number, not {value}")
    return Fraction(value)


def _between(name: str, value: Decimal, low: Decimal, high: Decimal) -> Fraction:
    exact = _finite(name, value)
    if not low <= value <= high:
        raise ValueError(f"{name} must be between {_n(low)} and {_n(high)}, not {_n(value)}")
    return exact


def _positive(name: str, value: Decimal | None, method: Method) -> Fraction:
    if value is None:
        raise ValueError(f"the {method.value} method needs a {name}")
    exact = _finite(name, value)
    if exact <= 0:
        raise ValueError(f"the {name} of a {method.value} indicator must be above 0, not {_n(value)}")
    return exact


def _capped(w: Fraction, raw: Fraction, text: str, cap: bool = True) -> tuple[Decimal, str]:
    """``raw`` within 0..w (0..∞ without ``cap``), rounded; the formula says what was cut."""
    shown = f"{text} = {_round(raw)}"
    if raw < 0:
        return _round(Fraction(0)), f"{shown}, no negative scores: 0.00"
    if cap and raw > w:
        return _round(w), f"{shown}, capped at the weight: {_round(w)}"
    return _round(raw), shown


def score_indicator(method: Method, weight: Decimal, *, value: Decimal | None, target: Decimal | None = None,
                    best: Decimal | None = None, rank: int | None = None, step_percent: Decimal = Decimal(2),
                    scale_max: Decimal = Decimal(100), allow_over: bool = False) -> Scored:
    """One leaf indicator's score on ``weight`` points, rounded once at the end (two decimals).

    * ``DEVELOPMENT`` (发展型, 贵阳): weight × value/target, target > 0; capped at the weight by
      default (贵阳 does not say; over-fulfilment earning more than the weight would let one
      indicator outweigh others), ``allow_over=True`` lifts the cap. A fall (value < 0) scores 0;
    * ``CONTROL`` (控制型, 贵阳): weight × (2 − value/target), target > 0; 0 at or over twice
      the target; below the target it is capped at the weight; never negative;
    * ``PROGRESS`` (qualitative targets by progress share): weight × value/100, value 0..100;
    * ``RATIO_TO_BEST`` (瑞安): weight × value/best, 0 ≤ value ≤ best; best 0 → everyone 0;
    * ``RANK`` (按排名赋分, 瑞安 2 %): weight × (100 % − (rank − 1) × step_percent %), floor 0;
      ``value`` is what was ranked, ``rank`` its rank (``ranks``: ties share it);
    * ``DIRECT``: weight × value/scale_max, 0 ≤ value ≤ scale_max;
    * ``RATE``: weight × value, value 0..1. ``None`` (nothing was due) scores the full weight:
      the platform's choice, a unit with nothing due is not penalised.

    For every other method ``value=None`` (no value recorded) scores 0, the formula says so.
    The parameters an indicator is set up with (target, scale_max, step_percent) are checked
    even without a value; ``best`` and ``rank`` only with one.
    """
    method = Method(method)
    w = _finite("weight", weight)
    if w < 0:
        raise ValueError(f"a weight must not be negative, not {_n(weight)}")
    inputs = {"method": method.value, "weight": _n(weight)}
    if value is not None:
        _finite("value", value)
        inputs["value"] = _n(value)
    t = Fraction(0)
    if method in (Method.DEVELOPMENT, Method.CONTROL):
        t = _positive("target", target, method)
        inputs["target"] = _n(target) if target is not None else ""
    elif method is Method.DIRECT:
        _positive("scale maximum", scale_max, method)
        inputs["scale_max"] = _n(scale_max)
    elif method is Method.RANK:
        _between("step_percent", step_percent, Decimal(0), Decimal(100))
        inputs["step_percent"] = _n(step_percent)
    if value is None:
        if method is Method.RATE:
            return Scored(_round(w), f"nothing due: the full weight {_round(w)}", inputs)
        return Scored(_round(Fraction(0)), "no value: 0.00", inputs)
    v = Fraction(value)
    ws, vs = _n(weight), _n(value)
    if method is Method.DEVELOPMENT:
        score, formula = _capped(w, w * v / t, f"{ws} × {vs}/{inputs['target']}", cap=not allow_over)
    elif method is Method.CONTROL:
        text = f"{ws} × (2 − {vs}/{inputs['target']})"
        if v >= 2 * t:
            score, formula = _round(Fraction(0)), f"{text}: at or over twice the target: 0.00"
        else:
            score, formula = _capped(w, w * (2 - v / t), text)
    elif method is Method.PROGRESS:
        _between("progress", value, Decimal(0), Decimal(100))
        score, formula = _capped(w, w * v / 100, f"{ws} × {vs}/100")
    elif method is Method.RATIO_TO_BEST:
        if best is None:
            raise ValueError("the ratio_to_best method needs the best value of the category")
        inputs["best"] = _n(best)
        b = _finite("best", best)
        if not 0 <= v <= b:
            raise ValueError(f"the value must be between 0 and the best {_n(best)}, not {vs}")
        if b == 0:
            score, formula = _round(Fraction(0)), "the best of the category is 0: everyone scores 0.00"
        else:
            score, formula = _capped(w, w * v / b, f"{ws} × {vs}/{_n(best)}")
    elif method is Method.RANK:
        if rank is None or rank < 1:
            raise ValueError(f"the rank method needs a rank of 1 or more, not {rank}")
        inputs["rank"] = str(rank)
        raw = w * (1 - (rank - 1) * Fraction(step_percent) / 100)
        score, formula = _capped(w, raw, f"{ws} × (100 % − ({rank} − 1) × {_n(step_percent)} %)")
        if raw < 0:
            formula = formula.replace("no negative scores", "floor 0")
    elif method is Method.DIRECT:
        _between("value", value, Decimal(0), scale_max)
        score, formula = _capped(w, w * v / Fraction(scale_max), f"{ws} × {vs}/{_n(scale_max)}")
    else:  # RATE
        _between("rate", value, Decimal(0), Decimal(1))
        score, formula = _capped(w, w * v, f"{ws} × {vs}")
    return Scored(score, formula, inputs)


def sum_scores(parts: Mapping[str, Scored]) -> Scored:
    """The sum of scores (a branch of the tree, or a unit's base): exact, no rounding again."""
    score = sum((p.score for p in parts.values()), Decimal(0)).quantize(_CENT)
    terms = " + ".join(_n(p.score) for p in parts.values()) or "0"
    return Scored(score, f"{terms} = {_n(score)}", {code: _n(p.score) for code, p in parts.items()})


def _competition(keys: Mapping[K, tuple[Fraction, ...]]) -> dict[K, int]:
    first: dict[tuple[Fraction, ...], int] = {}
    for position, key in enumerate(sorted(keys.values(), reverse=True), start=1):
        first.setdefault(key, position)
    return {unit: first[key] for unit, key in keys.items()}


def ranks(values: Mapping[K, Decimal]) -> dict[K, int]:
    """Competition ranking, highest first: equal values share a rank, the next is skipped
    (1, 2, 2, 4). Exact: 84.40 and 84.4 are equal."""
    return _competition({k: (_finite("value", v),) for k, v in values.items()})


def rank_category(totals: Mapping[K, tuple[Decimal, Decimal]]) -> dict[K, int]:
    """One category's ranks from (total, tie-break): by total, equal totals by the tie-break
    points (贵阳's bonus), what is still equal stays a tie (1, 2, 2, 4). Never rank across
    categories: the caller passes one."""
    return _competition({k: (_finite("total", t), _finite("tie-break", b)) for k, (t, b) in totals.items()})


@dataclass(frozen=True)
class Adjustment:
    """A bonus (points > 0) or a deduction (points < 0), and whether it enters the total or only
    breaks ties (贵阳: bonuses break ties, deductions enter)."""

    code: str
    points: Decimal
    enters_total: bool


@dataclass(frozen=True)
class Total:
    """A unit's total. ``bonus`` (≥ 0) and ``deduction`` (≤ 0) are the capped sums of all its
    adjustments; ``entered_bonus`` and ``entered_deduction`` the part of each in ``total``;
    ``tie_break`` the capped rest, used only to break ties."""

    base: Decimal
    bonus: Decimal
    deduction: Decimal
    total: Decimal
    tie_break: Decimal
    explanation: str
    entered_bonus: Decimal
    entered_deduction: Decimal


def _share(entering: Fraction, tie_only: Fraction, cap: Fraction) -> tuple[Fraction, Fraction]:
    """The cap shared: entering points take it first, tie-only points what is left."""
    first = min(entering, cap)
    return first, min(tie_only, cap - first)


def apply_adjustments(base: Decimal, adjustments: Sequence[Adjustment], *, bonus_cap: Decimal,
                      deduction_cap: Decimal) -> Total:
    """The total from the weighted ``base`` and the adjustments (贵阳: 加分 ≤ 5, 扣分 ≤ 5).

    ``bonus_cap`` caps the sum of all bonuses, ``deduction_cap`` (a positive number of points)
    the sum of all deductions, each separately. Within a cap the points that enter the total
    are counted first and the tie-only points get what is left: a cap is never exceeded by
    entering and tie-only points together. total = base + entered bonus + entered deduction,
    never below 0 (no ceiling). Nothing is rounded here: scores and points come at two decimals.
    """
    b = _finite("base", base)
    caps = (_finite("bonus cap", bonus_cap), _finite("deduction cap", deduction_cap))
    if min(caps) < 0:
        raise ValueError(f"caps are points ≥ 0, not {_n(bonus_cap)} and {_n(deduction_cap)}")
    sums = {(sign, enters): Fraction(0) for sign in (1, -1) for enters in (True, False)}
    lines = []
    for adj in adjustments:
        points = _finite(f"the points of {adj.code}", adj.points)
        if points:
            sums[(1 if points > 0 else -1, adj.enters_total)] += abs(points)
            lines.append(f"{adj.code} {'+' if points > 0 else ''}{_n(adj.points)}"
                         f"{'' if adj.enters_total else ' (tie-break only)'}")
    bonus_in, bonus_tie = _share(sums[(1, True)], sums[(1, False)], caps[0])
    cut_in, cut_tie = _share(sums[(-1, True)], sums[(-1, False)], caps[1])
    raw = b + bonus_in - cut_in
    bonus, deduction, total, tie = (_dec(x) for x in (bonus_in + bonus_tie, -(cut_in + cut_tie), max(raw, Fraction(0)),
                                                      bonus_tie - cut_tie))
    text = (f"{'; '.join(lines) or 'no adjustments'}. "
            f"Bonuses {_dec(sums[(1, True)] + sums[(1, False)])}, capped at {_n(bonus_cap)}: {bonus} "
            f"({_dec(bonus_in)} entering the total, counted first; {_dec(bonus_tie)} tie-break only). "
            f"Deductions {_dec(-sums[(-1, True)] - sums[(-1, False)])}, capped at {_n(deduction_cap)}: {deduction} "
            f"({_dec(-cut_in)} entering the total, counted first; {_dec(-cut_tie)} tie-break only). "
            f"Total = {_n(base)} + {_dec(bonus_in)} − {_dec(cut_in)} = {_dec(raw)}"
            f"{', never below 0: 0.00' if raw < 0 else ''}; tie-break {_dec(bonus_tie)} − {_dec(cut_tie)} = {tie}")
    return Total(base, bonus, deduction, total, tie, text, _dec(bonus_in), _dec(-cut_in))


@dataclass(frozen=True)
class Node:
    """An indicator of the weighted tree: its points, and its children's (which add up to it)."""

    code: str
    weight: Decimal
    children: tuple[Node, ...] = ()


def check_weights(nodes: Sequence[Node], total: Decimal = Decimal(100)) -> None:
    """The top level adds up to ``total``, every node's children to its weight; no negative
    weight, no code twice. ValueError naming the node whose children do not add up."""
    seen: set[str] = set()

    def walk(level: Sequence[Node], expected: Decimal, owner: str) -> None:
        for node in level:
            if node.code in seen:
                raise ValueError(f"the code {node.code!r} is used twice in the tree")
            seen.add(node.code)
            if not _finite(f"the weight of {node.code}", node.weight) >= 0:
                raise ValueError(f"the weight of {node.code} must not be negative, not {_n(node.weight)}")
        found = sum((n.weight for n in level), Decimal(0))
        if found != expected:
            raise ValueError(f"{owner} add up to {_n(found)}, not {_n(expected)}")
        for node in level:
            if node.children:
                walk(node.children, node.weight, f"the children of {node.code} (weight {_n(node.weight)})")

    walk(nodes, total, "the top-level indicators")


# 2024 减负: counting a unit's activity in the app (logins, clicks, messages, page views, reports
# beyond those owed) must not rank it. A source code the evaluation may never score from.
FORBIDDEN_SOURCES: frozenset[str] = frozenset({
    "logins", "clicks", "messages_sent", "page_views", "reports_filed", "online_time", "app_activity",
})


def check_source(code: str) -> None:
    """Refuse a score source that counts app activity."""
    if code.strip().lower() in FORBIDDEN_SOURCES:
        raise ValueError(f"the source {code!r} counts activity in the app: the 2024 减负 rules forbid "
                         f"ranking units by app activity")
