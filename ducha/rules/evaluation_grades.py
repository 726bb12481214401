"""S6.2, S6.3, S1.3: grades, the year-end lists and the civil servants' 优秀 quota.

Split from ``evaluation`` (which re-exports every name here). Sources: ``shared/reference/
approvals-evaluation-accountability.md`` §4.2: 杭州 杭考评办〔2018〕14号 (优秀 ≤ 15 %, 良好 ≤ 20 %
of units), 财政部预算司's bands (优 90–100, 良 80–89, 中 60–79, 差 0–59), 公务员考核规定 (优秀 /
称职 / 基本称职 / 不称职; 优秀 normally ≤ 20 %, up to 25 % "与单位优秀公务员比例升降挂钩").

Where the sources are silent, the platform's choices (all conservative: a quota is a maximum):

* a quota is counted by rank, as floor(quota × units in the category), so 15 % of 6 units is
  no 优秀 at all;
* units are taken in rank order, a whole tie at a time. A tie that would exceed the quota is
  left out as a whole: none of the tied units gets the grade, and no unit ranked below them
  either (a lower unit never takes a grade refused to a higher one). They drop one grade and
  are then considered for the next one, with its own quota;
* 良好's quota is counted on its own (20 % of all the units, not 35 % less the 优秀), and given
  to the units not already 优秀;
* a unit below the grade's minimum score never gets it, whatever the quota.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction
from itertools import groupby
from typing import TypeVar

__all__ = [
    "Grade",
    "GradeRule",
    "StaffGrade",
    "grade_units",
    "quota_places",
    "reward_and_penalty",
    "staff_excellent_quota",
]

K = TypeVar("K", bound=Hashable)


class Grade(StrEnum):
    """A unit's grade (等次)."""

    EXCELLENT = "excellent"  # 优秀
    GOOD = "good"  # 良好
    FAIR = "fair"  # 一般
    POOR = "poor"  # 较差


class StaffGrade(StrEnum):
    """A civil servant's annual grade (公务员考核规定)."""

    EXCELLENT = "excellent"  # 优秀
    COMPETENT = "competent"  # 称职
    BASIC = "basic"  # 基本称职
    INCOMPETENT = "incompetent"  # 不称职


def _share(name: str, value: Decimal) -> Fraction:
    if not value.is_finite() or not 0 <= value <= 1:
        raise ValueError(f"{name} must be a share between 0 and 1, not {value}")
    return Fraction(value)


@dataclass(frozen=True)
class GradeRule:
    """Quotas (shares of the category's units) and minimum totals. The defaults are 杭州's
    quotas and 财政部's bands; all are settings."""

    excellent_quota: Decimal = Decimal("0.15")
    good_quota: Decimal = Decimal("0.20")
    excellent_min: Decimal = Decimal(90)
    good_min: Decimal = Decimal(80)
    fair_min: Decimal = Decimal(60)

    def __post_init__(self) -> None:
        _share("excellent_quota", self.excellent_quota)
        _share("good_quota", self.good_quota)
        mins = (self.fair_min, self.good_min, self.excellent_min)
        if not all(m.is_finite() for m in mins) or not 0 <= self.fair_min <= self.good_min <= self.excellent_min:
            raise ValueError(f"the minimum totals must rise: 0 ≤ fair {self.fair_min} ≤ good {self.good_min} "
                             f"≤ excellent {self.excellent_min}")


def quota_places(quota: Decimal, units: int) -> int:
    """How many units a quota admits: floor(quota × units)."""
    if units < 0:
        raise ValueError(f"a number of units is not negative: {units}")
    return math.floor(_share("quota", quota) * units)


def _award(pool: list[tuple[int, Decimal, K]], minimum: Decimal, places: int) -> set[K]:
    """The units of ``pool`` (rank, total, unit) that get a grade: in rank order, a whole tie at a
    time, at or above ``minimum``; stops at the first tie that does not fit in ``places``."""
    given: set[K] = set()
    eligible = sorted((p for p in pool if p[1] >= minimum), key=lambda p: p[0])
    for _rank, tied in groupby(eligible, key=lambda p: p[0]):
        units = [p[2] for p in tied]
        if len(given) + len(units) > places:
            break
        given.update(units)
    return given


def grade_units(ranked: Mapping[K, tuple[int, Decimal]], rule: GradeRule) -> dict[K, Grade]:
    """One category's grades from each unit's (rank, total): 优秀 within the 优秀 quota and at or
    above ``excellent_min``; then 良好 among the rest, within its own quota and at or above
    ``good_min``; the others 较差 below ``fair_min``, else 一般. See the module's docstring for
    ties at a quota's boundary (all the tied units drop one grade)."""
    for unit, (rank, total) in ranked.items():
        if rank < 1 or not total.is_finite():
            raise ValueError(f"{unit!r}: a rank of 1 or more and a total, not {rank} and {total}")
    n = len(ranked)
    pool = [(rank, total, unit) for unit, (rank, total) in ranked.items()]
    excellent = _award(pool, rule.excellent_min, quota_places(rule.excellent_quota, n))
    rest = [p for p in pool if p[2] not in excellent]
    good = _award(rest, rule.good_min, quota_places(rule.good_quota, n))
    grades: dict[K, Grade] = {}
    for unit, (_rank, total) in ranked.items():
        if unit in excellent:
            grades[unit] = Grade.EXCELLENT
        elif unit in good:
            grades[unit] = Grade.GOOD
        else:
            grades[unit] = Grade.POOR if total < rule.fair_min else Grade.FAIR
    return grades


def reward_and_penalty(ranked: Mapping[K, int], *, top: int, bottom: int) -> tuple[list[K], list[K]]:
    """The year-end lists (表彰 / 末位): the ``top`` first units and the ``bottom`` last ones by
    rank, both with every unit tied at the boundary (so a list may be longer than asked). A unit
    on the top list is never on the bottom list as well (in a small or all-tied category the
    lists would meet; being tied with the first is not being last). Both lists in rank order,
    ties in the mapping's order."""
    if top < 0 or bottom < 0:
        raise ValueError(f"top and bottom are numbers of units ≥ 0, not {top} and {bottom}")
    if any(r < 1 for r in ranked.values()):
        raise ValueError("ranks start at 1")
    order = sorted(ranked, key=lambda unit: ranked[unit])
    if not order:
        return [], []
    rewarded = [] if top == 0 else [u for u in order if ranked[u] <= ranked[order[min(top, len(order)) - 1]]]
    if bottom == 0:
        return rewarded, []
    line = ranked[order[max(len(order) - bottom, 0)]]
    listed = set(rewarded)
    return rewarded, [u for u in order if ranked[u] >= line and u not in listed]


def staff_excellent_quota(unit_grade: Grade | None, staff: int, *, normal: Decimal = Decimal("0.20"),
                          raised: Decimal = Decimal("0.25"), lowered: Decimal = Decimal("0.15")) -> int:
    """How many of a unit's ``staff`` civil servants may be graded 优秀 this year: floor(share ×
    staff). The share moves with the unit's grade ("与单位优秀公务员比例升降挂钩"): a 优秀 unit
    gets ``raised`` (25 %, the cited ceiling), a 较差 unit ``lowered``, any other (or not graded)
    ``normal`` (20 %, cited). The lowered 15 % is a setting of the platform, not a cited rule."""
    if staff < 0:
        raise ValueError(f"a number of staff is not negative: {staff}")
    shares = {name: _share(name, value) for name, value in (("normal", normal), ("raised", raised),
                                                             ("lowered", lowered))}
    share = shares["raised" if unit_grade == Grade.EXCELLENT else "lowered" if unit_grade == Grade.POOR else "normal"]
    return math.floor(share * staff)
