"""A year's ranking with its explanation: per nomination the panel's scores, what was dropped
and the mean (``ducha.rules.awards``). Two queries, whatever the number of nominations."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings

from ducha.awards.models import AwardYear, Nomination, NominationState, Score
from ducha.rules.awards import PanelResult, panel_result, ranking


@dataclass(frozen=True)
class ScoreLine:
    member_id: int
    member_name: str
    points: int


@dataclass
class RankedNomination:
    nomination: Nomination
    rank: int | None  # None: nobody scored it
    result: PanelResult | None
    scores: list[ScoreLine] = field(default_factory=list)


def year_ranking(year: AwardYear) -> list[RankedNomination]:
    """The submitted nominations, ranked first (best first), then the unscored ones."""
    nominations = list(Nomination.objects.filter(year=year, state=NominationState.SUBMITTED).select_related("unit")
                       .order_by("id"))
    lines: dict[int, list[ScoreLine]] = {n.pk: [] for n in nominations}
    for nid, member_id, name, username, points in (
            Score.objects.filter(nomination__in=[n.pk for n in nominations]).order_by("member_id")
            .values_list("nomination_id", "member_id", "member__name", "member__username", "points")):
        lines[nid].append(ScoreLine(member_id, name or username, points))
    drop_from = int(settings.DUCHA_AWARD_DROP_EXTREMES_FROM)
    results = {n.pk: panel_result([s.points for s in lines[n.pk]], drop_from) for n in nominations}
    ranked = ranking({nid: r.mean if r else None for nid, r in results.items()})
    by_id = {n.pk: n for n in nominations}
    out = [RankedNomination(by_id[r.nomination], r.rank, results[r.nomination], lines[r.nomination]) for r in ranked]
    seen = {r.nomination for r in ranked}
    out += [RankedNomination(n, None, None, lines[n.pk]) for n in nominations if n.pk not in seen]
    return out
