"""Scoring a period (S6.1, S6.3): read each source once for the category's units, score every
leaf by its method (``rules.evaluation``), sum the tree, apply the capped adjustments, rank
within the category, grade with the quotas, and return each unit's line with its breakdown.

Nothing is written here; ``actions`` freezes the result as a snapshot.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings

from ducha.evaluation.models import Indicator, IndicatorSet
from ducha.evaluation.sources import SOURCES, Raw, reading
from ducha.rules import evaluation as rules
from ducha.rules.periods import Period

RECORDS_KEPT = 500  # record references kept per indicator; the rest are counted (a query lists them all)
ZERO = Decimal(0)


@dataclass(frozen=True)
class UnitLine:
    unit_id: int
    base: Decimal
    total: Decimal
    tie_break: Decimal
    rank: int
    grade: str
    breakdown: dict[str, Any]


def grade_rule() -> rules.GradeRule:
    return rules.GradeRule(
        excellent_quota=Decimal(str(settings.DUCHA_EVALUATION_EXCELLENT_QUOTA)),
        good_quota=Decimal(str(settings.DUCHA_EVALUATION_GOOD_QUOTA)),
        excellent_min=Decimal(settings.DUCHA_EVALUATION_EXCELLENT_MIN),
        good_min=Decimal(settings.DUCHA_EVALUATION_GOOD_MIN),
        fair_min=Decimal(settings.DUCHA_EVALUATION_FAIR_MIN))


def _dec(value: Any) -> Decimal | None:
    return None if value in (None, "") else Decimal(str(value))


def _shown(value: Decimal) -> str:
    """A raw value to four decimals at most, without trailing zeros (0.5, 74, 0.3333)."""
    text = f"{value.quantize(Decimal('0.0001')):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _raw_out(raw: Raw) -> dict[str, Any]:
    return {"value": None if raw.value is None else _shown(raw.value), "note": raw.note,
            "records": raw.records[:RECORDS_KEPT], "records_total": len(raw.records)}


def score_units(indicator_set: IndicatorSet, unit_ids: list[int], period: Period, today: date) -> list[UnitLine]:
    indicators = list(indicator_set.indicators.order_by("position", "id"))
    has_children = {i.parent_id for i in indicators if i.parent_id}
    leaves = [i for i in indicators if i.pk not in has_children]
    raws: dict[str, dict[int, Raw]] = {}
    with reading():
        for code in sorted({i.source for i in leaves if i.source}):
            raws[code] = SOURCES[code](unit_ids, period, today)
    empty = Raw(None, [], "no_source")

    # Methods that compare units need the category's values first.
    best: dict[int, Decimal | None] = {}
    ranked: dict[int, dict[int, int]] = {}
    for leaf in leaves:
        values = {u: raws.get(leaf.source, {}).get(u, empty).value for u in unit_ids}
        known = {u: v for u, v in values.items() if v is not None}
        best[leaf.pk] = max(known.values()) if known else None
        if leaf.method == rules.Method.RANK:
            ranked[leaf.pk] = rules.ranks(known)

    scores: dict[int, dict[int, Decimal]] = {u: {} for u in unit_ids}
    details: dict[int, list[dict[str, Any]]] = {u: [] for u in unit_ids}
    adjustments: dict[int, list[rules.Adjustment]] = {u: [] for u in unit_ids}
    for leaf in leaves:
        for uid in unit_ids:
            raw = raws.get(leaf.source, {}).get(uid, empty)
            row = {"code": leaf.code, "name": leaf.name, "name_en": leaf.name_en, "source": leaf.source,
                   "parent": _code_of(indicators, leaf.parent_id), **_raw_out(raw)}
            if leaf.is_adjustment:
                each = _dec(leaf.params.get("points_each")) or ZERO
                points = ((raw.value or ZERO) * each).quantize(Decimal("0.01")) + ZERO  # + 0: no "-0.00"
                adjustments[uid].append(rules.Adjustment(leaf.code, points, leaf.enters_total))
                row.update(method="adjustment", weight=None, score=str(points), enters_total=leaf.enters_total,
                           formula=f"{_shown(raw.value or ZERO)} × {each} = {points}")
            else:
                scored = _score(leaf, raw.value, best[leaf.pk], ranked.get(leaf.pk, {}).get(uid))
                scores[uid][leaf.pk] = scored.score
                row.update(method=leaf.method, weight=str(leaf.weight), score=str(scored.score),
                           formula=scored.formula, inputs=scored.inputs)
            details[uid].append(row)

    branches = [i for i in indicators if i.pk in has_children]
    totals: dict[int, rules.Total] = {}
    for uid in unit_ids:
        own = scores[uid]
        for branch in sorted(branches, key=lambda b: -_depth(indicators, b)):
            own[branch.pk] = sum((own.get(c.pk, ZERO) for c in indicators if c.parent_id == branch.pk), ZERO)
        base = sum((own.get(i.pk, ZERO) for i in indicators if i.parent_id is None and not i.is_adjustment), ZERO)
        totals[uid] = rules.apply_adjustments(base, adjustments[uid], bonus_cap=indicator_set.bonus_cap,
                                              deduction_cap=indicator_set.deduction_cap)
        for branch in branches:
            details[uid].append({"code": branch.code, "name": branch.name, "name_en": branch.name_en,
                                 "parent": _code_of(indicators, branch.parent_id), "method": "",
                                 "weight": str(branch.weight), "score": str(own[branch.pk]), "formula": "",
                                 "records": [], "records_total": 0, "value": None, "note": ""})
    rank = rules.rank_category({u: (t.total, t.tie_break) for u, t in totals.items()})
    grades = rules.grade_units({u: (rank[u], totals[u].total) for u in unit_ids}, grade_rule())
    order = {i.code: n for n, i in enumerate(indicators)}
    return [UnitLine(uid, totals[uid].base, totals[uid].total, totals[uid].tie_break, rank[uid], str(grades[uid]), {
        "indicators": sorted(details[uid], key=lambda r: order.get(r["code"], 0)),
        "total": {"base": str(totals[uid].base), "bonus": str(totals[uid].bonus),
                  "deduction": str(totals[uid].deduction), "tie_break": str(totals[uid].tie_break),
                  "total": str(totals[uid].total), "explanation": totals[uid].explanation},
    }) for uid in unit_ids]


def _score(leaf: Indicator, value: Decimal | None, best: Decimal | None, rank: int | None) -> rules.Scored:
    params = leaf.params or {}
    kwargs: dict[str, Any] = {"value": value, "target": _dec(params.get("target")), "best": best, "rank": rank}
    if params.get("step_percent") is not None:
        kwargs["step_percent"] = Decimal(str(params["step_percent"]))
    if params.get("scale_max") is not None:
        kwargs["scale_max"] = Decimal(str(params["scale_max"]))
    if params.get("allow_over"):
        kwargs["allow_over"] = True
    return rules.score_indicator(rules.Method(leaf.method), leaf.weight, **kwargs)


def _code_of(indicators: list[Indicator], pk: int | None) -> str | None:
    return next((i.code for i in indicators if i.pk == pk), None) if pk else None


def _depth(indicators: list[Indicator], node: Indicator) -> int:
    by_pk = {i.pk: i for i in indicators}
    depth, parent = 0, node.parent_id
    while parent:
        depth += 1
        parent = by_pk[parent].parent_id
    return depth
