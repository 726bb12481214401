"""A check's results: each department's score with the deductions behind it, read in two
queries whatever the number of departments, and the checklist item's name in the page's
language (the Chinese name, or the English one, else the code)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils import translation
from django.utils.translation import gettext as _

from ducha.lawful.models import Check, Deduction
from ducha.org.models import Unit
from ducha.rules.lawful import ChecklistItem, Score, score
from ducha.rules.periods import Period


def checklist_of(check: Check) -> tuple[ChecklistItem, ...]:
    return tuple(ChecklistItem.from_dict(d) for d in check.checklist)


def item_label(item: ChecklistItem) -> str:
    if (translation.get_language() or "zh-hans").startswith("zh"):
        return item.name
    return item.name_en or item.code


def half_label(period: Period) -> str:
    """"2026年上半年", or "first half of 2026" on an English page: no code such as H1 on either."""
    if (translation.get_language() or "zh-hans").startswith("zh"):
        return period.label_zh
    if period.index == 1:
        return _("first half of %(year)d") % {"year": period.year}
    return _("second half of %(year)d") % {"year": period.year}


def period_label(check: Check) -> str:
    return half_label(Period.parse(check.period))


@dataclass
class ItemLine:
    item: ChecklistItem
    label: str
    deducted: int
    deduction: Deduction | None

    @property
    def kept(self) -> int:
        return self.item.points - self.deducted


@dataclass
class UnitResult:
    unit: Unit
    score: Score
    lines: list[ItemLine] = field(default_factory=list)

    @property
    def findings(self) -> list[ItemLine]:
        return [line for line in self.lines if line.deduction is not None]


def results(check: Check, units: Iterable[Unit]) -> list[UnitResult]:
    """Each of ``units`` (departments of ``check``) with its score and the lines behind it."""
    items = checklist_of(check)
    units = list(units)
    rows: dict[tuple[int, str], Deduction] = {
        (d.unit_id, d.item): d for d in Deduction.objects.filter(lawful_check=check, unit__in=[u.pk for u in units])
        .select_related("case")}
    out = []
    for unit in units:
        mine = [(code, d.points) for (unit_id, code), d in rows.items() if unit_id == unit.pk]
        lines = [ItemLine(i, item_label(i), rows[(unit.pk, i.code)].points if (unit.pk, i.code) in rows else 0,
                          rows.get((unit.pk, i.code))) for i in items]
        out.append(UnitResult(unit, score(items, mine), lines))
    return out
