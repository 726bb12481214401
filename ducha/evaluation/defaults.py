"""The categories and the first indicator set a new installation starts from (S6.1).

The structure follows 贵阳's 计分实施细则 (reference §4.1): 绩效目标 60 (工作目标 70 % of it,
保证目标 30 %) and 评价 40, bonus points capped at 5 that only break ties, deductions capped
at 5 that enter the total. The leaves are the platform's own outcomes. The performance office
makes later versions from this one; this module only writes when a category has no set.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction

from ducha.evaluation.models import Category, Indicator, IndicatorSet
from ducha.org.models import Unit, UnitKind, User

CATEGORIES = [  # code, name, unit kind
    ("counties", "县（市、区）", UnitKind.COUNTY),
    ("departments", "市直部门", UnitKind.DEPARTMENT),
    ("zones", "功能区", UnitKind.ZONE),
]

# code, name, English name, weight, method, source, params, parent
Row = tuple[str, str, str, str, str, str, dict[str, Any], str | None]
COMMON: list[Row] = [
    ("targets", "绩效目标", "Performance targets", "60", "", "", {}, None),
    ("work", "工作目标", "Work targets", "42", "", "", {}, "targets"),
    ("key_work", "清单事项完成", "Key-work items completed", "30", "rate", "key_work_completion", {}, "work"),
    ("execution", "督查执行率", "Execution rate", "12", "rate", "execution_rate", {}, "work"),
    ("assurance", "保证目标", "Assurance targets", "18", "", "", {}, "targets"),
    ("reporting", "上报率", "Reporting rate", "9", "rate", "reporting_rate", {}, "assurance"),
    ("rectification", "整改率", "Rectification rate", "9", "rate", "rectification_rate", {}, "assurance"),
    ("rated", "评价", "Evaluation", "40", "", "", {}, None),
    ("leaders", "领导评价", "Leaders' rating", "15", "direct", "leader_rating", {"scale_max": 100}, "rated"),
    ("public", "公众评价", "Public evaluation", "25", "direct", "public_rating", {"scale_max": 100}, "rated"),
]
# Departments carry the half-yearly lawful-administration check (S1.6) in their assurance targets.
DEPARTMENTS: list[Row] = [
    ("reporting", "上报率", "Reporting rate", "6", "rate", "reporting_rate", {}, "assurance"),
    ("rectification", "整改率", "Rectification rate", "6", "rate", "rectification_rate", {}, "assurance"),
    ("lawful", "依法行政", "Lawful administration", "6", "direct", "lawful_check", {"scale_max": 100}, "assurance"),
]
# code, name, English name, source, points per record, enters the total
ADJUSTMENTS = [
    ("innovation", "创新奖加分", "Innovation award bonus", "innovation_award", "2", False),
    ("honours", "省级表彰加分", "Provincial honours bonus", "provincial_honours", "1", False),
    ("accountability", "问责扣分", "Accountability deduction", "accountability_records", "-1", True),
    ("findings", "督查发现问题扣分", "Supervision findings deduction", "round_findings", "-0.2", True),
    ("approval_cards", "电子监察红牌扣分", "Red cards of electronic supervision", "approval_red_cards", "-0.5", True),
]


def ensure_categories() -> list[Category]:
    """The three categories, each holding the active units of its kind (made once)."""
    out = []
    for n, (code, name, kind) in enumerate(CATEGORIES):
        category, made = Category.objects.get_or_create(code=code, defaults={"name": name, "sort_order": n})
        if made:
            category.units.set(Unit.objects.filter(kind=kind, is_active=True))
        out.append(category)
    return out


def ensure_default_set(category: Category, year: int, *, actor: User) -> IndicatorSet:
    existing = category.indicator_sets.filter(year=year).order_by("-version").first()
    if existing is not None:
        return existing
    rows = COMMON
    if category.code == "departments":
        rows = []
        for row in COMMON:
            if row[0] == "reporting":
                rows += DEPARTMENTS
            elif row[0] != "rectification":
                rows.append(row)
    with transaction.atomic():
        made = IndicatorSet.objects.create(category=category, year=year, version=1, valid_from=date(year, 1, 1),
                                           note="初始版本（参照贵阳计分实施细则）", bonus_cap=Decimal(5),
                                           deduction_cap=Decimal(5), created_by=actor)
        nodes: dict[str, Indicator] = {}
        for position, (code, name, name_en, weight, method, source, params, parent) in enumerate(rows):
            nodes[code] = Indicator.objects.create(
                indicator_set=made, parent=nodes[parent] if parent else None, code=code, name=name, name_en=name_en,
                weight=Decimal(weight), method=method, source=source, params=params, position=position)
        for position, (code, name, name_en, source, each, enters) in enumerate(ADJUSTMENTS, start=len(rows)):
            Indicator.objects.create(indicator_set=made, code=code, name=name, name_en=name_en, weight=Decimal(0),
                                     method="", source=source, params={"points_each": each}, is_adjustment=True,
                                     enters_total=enters, position=position)
    return made
