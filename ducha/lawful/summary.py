"""What the performance evaluation (S6.1) reads of the lawful-administration check (S1.6): per
unit and year, the score of each published half-year check with the findings behind it. Three
queries whatever the number of units; the evaluation does not read these tables."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from ducha.lawful.models import Check, CheckState, Deduction
from ducha.org.models import Unit
from ducha.rules.lawful import ChecklistItem, score


@dataclass(frozen=True)
class LawfulFinding:
    item: str  # the checklist item's code
    item_name: str  # its Chinese name, as frozen in the check
    points: int  # deducted
    finding: str
    case_id: int | None  # the efficiency case it was handed to


@dataclass(frozen=True)
class HalfYearLawful:
    period: str  # "2026-H1"
    check_id: int
    total: int  # the checklist's points
    deducted: int
    score: int
    findings: tuple[LawfulFinding, ...] = field(default=())


def units_lawful(unit_ids: Iterable[int], year: int) -> dict[int, list[HalfYearLawful]]:
    """Each unit's published half-year scores of ``year`` (first half first). A unit that was
    not among a check's departments has no entry for it."""
    wanted = sorted(set(unit_ids))
    checks = list(Check.objects.filter(state=CheckState.PUBLISHED, period__startswith=f"{year:04d}-H")
                  .prefetch_related("units").order_by("period"))
    found: dict[tuple[int, int], list[Deduction]] = {}
    for d in Deduction.objects.filter(lawful_check__in=checks, unit_id__in=wanted).order_by("id"):
        found.setdefault((d.lawful_check_id, d.unit_id), []).append(d)
    out: dict[int, list[HalfYearLawful]] = {u: [] for u in wanted}
    for check in checks:
        items = tuple(ChecklistItem.from_dict(i) for i in check.checklist)
        names = {i.code: i.name for i in items}
        for unit in check.units.all():
            if unit.pk not in out:
                continue
            rows = found.get((check.pk, unit.pk), [])
            s = score(items, [(d.item, d.points) for d in rows])
            out[unit.pk].append(HalfYearLawful(
                check.period, check.pk, s.total, s.deducted, s.value,
                tuple(LawfulFinding(d.item, names.get(d.item, d.item), d.points, d.finding, d.case_id) for d in rows)))
    return out


def unit_lawful(unit: Unit | int, year: int) -> list[HalfYearLawful]:
    """One unit's published half-year scores of ``year`` with the findings behind them."""
    unit_id = unit if isinstance(unit, int) else unit.pk
    return units_lawful([unit_id], year)[unit_id]
