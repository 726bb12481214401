"""What the performance evaluation (S6.1) reads of the innovation award: "工作创新情况列入各级
领导班子和干部工作实绩考核内容" (S1.12). Per unit and year, its nominations, and once the year
is published which won with their rank and result. Before publication the results are not
final (the approver may still return the proposal), so they are not given. Two queries; the
evaluation does not read these tables.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from ducha.awards.models import AwardYear, Nomination, NominationState, YearState
from ducha.org.models import Unit


@dataclass(frozen=True)
class NominationFact:
    id: int
    title: str
    category: str
    nominee: str
    people: str
    won: bool
    rank: int | None  # None until published
    result: Decimal | None  # the panel's mean (two decimals), None until published


@dataclass
class UnitInnovation:
    unit_id: int
    year: int
    published: bool
    nominations: list[NominationFact] = field(default_factory=list)

    @property
    def won(self) -> list[NominationFact]:
        return [n for n in self.nominations if n.won]


def unit_innovation(unit: Unit | int, year: int) -> UnitInnovation:
    """The unit's submitted (not withdrawn) nominations of ``year``'s award."""
    unit_id = unit if isinstance(unit, int) else unit.pk
    return units_innovation([unit_id], year)[unit_id]


def units_innovation(unit_ids: list[int], year: int) -> dict[int, UnitInnovation]:
    """``unit_innovation`` for many units in two queries (the evaluation reads a whole category)."""
    state = AwardYear.objects.filter(year=year).values_list("state", flat=True).first()
    published = state == YearState.PUBLISHED
    out = {u: UnitInnovation(u, year, published) for u in unit_ids}
    rows = (Nomination.objects.filter(year__year=year, unit_id__in=unit_ids, state=NominationState.SUBMITTED)
            .order_by("id").values_list("unit_id", "id", "title", "category", "nominee", "people", "winner", "rank",
                                        "result"))
    for uid, nid, title, category, nominee, people, winner, rank, result in rows:
        out[uid].nominations.append(NominationFact(nid, title, category, nominee, people, published and winner,
                                                   rank if published else None, result if published else None))
    return out
