"""S1.6: the half-yearly check of each department's lawful administration (依法行政检查评估).

The seed: "每半年对各部门依法依规行政情况集中进行检查评估，对因不依法依规行政造成恶劣影响的单位和个人，
从严查处，公开曝光". A check scores each department on a checklist (``DUCHA_LAWFUL_CHECKLIST``):
every item carries its points, the office deducts points per item with the finding in words,
and the department's score is the checklist's points less its deductions. A deduction never
exceeds its item's points, so a score is never below zero.

The checklist is written ``code:points:中文名[:English name]`` per item, items separated by
``;``. The English name is optional: an English page shows the code when it is missing, so a
Chinese page and an English page each show only their own words.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

__all__ = [
    "DEFAULT_CHECKLIST",
    "MAX_ITEMS",
    "ChecklistItem",
    "DeductionProblem",
    "ItemScore",
    "Score",
    "deduction_problem",
    "parse_checklist",
    "score",
]

# The points of the default add up to 100: a department's score reads as a percentage.
DEFAULT_CHECKLIST = ";".join([
    "lawful_decisions:20:职权法定与依法决策:Statutory powers and lawful decision-making",
    "document_review:15:规范性文件合法性审核:Legality review of normative documents",
    "enforcement_rules:20:行政执法“三项制度”落实:The three rules of administrative enforcement",
    "review_and_litigation:15:行政复议与行政应诉:Administrative review and litigation",
    "openness:15:政务公开:Openness of government affairs",
    "law_training:15:法治学习培训:Training in the rule of law",
])
MAX_ITEMS = 30
MAX_POINTS = 1000
_CODE = re.compile(r"[a-z][a-z0-9_]{0,39}", re.ASCII)

DeductionProblem = Literal["negative", "exceeds_points", "finding_missing"]


@dataclass(frozen=True)
class ChecklistItem:
    code: str
    points: int
    name: str  # 中文名称
    name_en: str = ""

    def as_dict(self) -> dict[str, str | int]:
        return {"code": self.code, "points": self.points, "name": self.name, "name_en": self.name_en}

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> ChecklistItem:
        points = data["points"]
        if not isinstance(points, int):
            raise ValueError(f"points of {data.get('code')!r} must be a whole number")
        return cls(str(data["code"]), points, str(data["name"]), str(data.get("name_en", "")))


def parse_checklist(text: str) -> tuple[ChecklistItem, ...]:
    """Read ``code:points:中文名[:English name];...``.

    Raises ValueError naming the entry: a code that is not lower-case letters, digits and
    underscores, a code given twice, points that are not a positive whole number, a missing
    name, no item at all or more than ``MAX_ITEMS``.
    """
    items: list[ChecklistItem] = []
    seen: set[str] = set()
    for entry in (e.strip() for e in text.split(";")):
        if not entry:
            continue
        parts = [p.strip() for p in entry.split(":")]
        if len(parts) not in (3, 4):
            raise ValueError(f"{entry!r}: expected CODE:POINTS:NAME or CODE:POINTS:NAME:ENGLISH NAME")
        code, raw_points, name = parts[:3]
        if not _CODE.fullmatch(code):
            raise ValueError(f"{entry!r}: the code must be lower-case letters, digits and _ (at most 40)")
        if code in seen:
            raise ValueError(f"the code {code} is given twice")
        seen.add(code)
        if not raw_points.isdigit() or not 0 < int(raw_points) <= MAX_POINTS:
            raise ValueError(f"{code}: the points must be a whole number from 1 to {MAX_POINTS}, not {raw_points!r}")
        if not name or len(name) > 100:
            raise ValueError(f"{code}: give the item's name (at most 100 characters)")
        items.append(ChecklistItem(code, int(raw_points), name, parts[3] if len(parts) == 4 else ""))
    if not items:
        raise ValueError("the checklist has no item")
    if len(items) > MAX_ITEMS:
        raise ValueError(f"the checklist has {len(items)} items; at most {MAX_ITEMS}")
    return tuple(items)


def deduction_problem(points: int, deducted: int, finding: str) -> DeductionProblem | None:
    """What is wrong with deducting ``deducted`` of an item worth ``points``; None when nothing.
    Points lost need the finding in words, so a department can read why."""
    if deducted < 0:
        return "negative"
    if deducted > points:
        return "exceeds_points"
    if deducted > 0 and not finding.strip():
        return "finding_missing"
    return None


@dataclass(frozen=True)
class ItemScore:
    code: str
    points: int
    deducted: int

    @property
    def kept(self) -> int:
        return self.points - self.deducted


@dataclass(frozen=True)
class Score:
    """A department's score with its explanation, item by item."""

    items: tuple[ItemScore, ...]

    @property
    def total(self) -> int:
        return sum(i.points for i in self.items)

    @property
    def deducted(self) -> int:
        return sum(i.deducted for i in self.items)

    @property
    def value(self) -> int:
        return self.total - self.deducted

    def explain(self) -> str:
        lost = "; ".join(f"{i.code} -{i.deducted}" for i in self.items if i.deducted)
        return f"{self.total} - {self.deducted} = {self.value}" + (f" ({lost})" if lost else "")


def score(checklist: Sequence[ChecklistItem], deductions: Iterable[tuple[str, int]]) -> Score:
    """The score of one department: the checklist's points less the deductions, per item.

    ``deductions`` are ``(item code, points deducted)``; several on one item add up. Raises
    ValueError on an unknown code, a negative deduction or an item losing more than its points.
    """
    lost: dict[str, int] = {item.code: 0 for item in checklist}
    for code, points in deductions:
        if code not in lost:
            raise ValueError(f"no checklist item {code!r}")
        if points < 0:
            raise ValueError(f"{code}: a deduction cannot be negative")
        lost[code] += points
    out = []
    for item in checklist:
        if lost[item.code] > item.points:
            raise ValueError(f"{item.code}: {lost[item.code]} deducted of {item.points} points")
        out.append(ItemScore(item.code, item.points, lost[item.code]))
    return Score(tuple(out))
