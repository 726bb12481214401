"""S1.12: the arithmetic of the government work innovation award (政府工作创新奖).

The seed says only that the award is given yearly to the units and people whose innovation
had outstanding results; how a panel's scores become a ranking is the platform's choice, made
in the way such panels (评审委员会) commonly work and kept to settings:

* each panel member gives a nomination one whole score from 0 to the scale's maximum
  (``DUCHA_AWARD_SCALE``);
* the result is the mean of the scores; when at least ``drop_from`` scores were given
  (``DUCHA_AWARD_DROP_EXTREMES_FROM``, 5 by default, 0 never), the highest and the lowest
  one are dropped first (去掉一个最高分和一个最低分). This is a common practice, not a
  cited rule;
* nominations are ranked by that mean, exactly (fractions, no rounding), highest first;
  equal means share a rank and the next rank is skipped (1, 2, 2, 4);
* the performance office picks the winners, at most ``DUCHA_AWARD_WINNERS``; a nomination
  ranked at or above the lowest one picked and left out needs a reason.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

__all__ = [
    "PanelResult",
    "Ranked",
    "Scale",
    "check_pick",
    "panel_result",
    "parse_drop_from",
    "parse_scale",
    "ranking",
    "unexplained_skips",
]

MAX_SCALE = 1000


@dataclass(frozen=True)
class Scale:
    """The scores a panel member may give: whole numbers from 0 to ``maximum``."""

    maximum: int

    def allows(self, points: int) -> bool:
        return 0 <= points <= self.maximum


def parse_scale(text: str) -> Scale:
    """``"100"``: the maximum score (10 to 1000)."""
    raw = text.strip()
    if not raw.isdigit():
        raise ValueError(f"the maximum score as a whole number, like 100, not {text!r}")
    maximum = int(raw)
    if not 10 <= maximum <= MAX_SCALE:
        raise ValueError(f"the maximum score is between 10 and {MAX_SCALE}, not {maximum}")
    return Scale(maximum)


def parse_drop_from(text: str) -> int:
    """The fewest scores from which the highest and lowest are dropped: 0 (never), or 3 and more
    (with fewer, dropping two would leave too little or nothing)."""
    raw = text.strip()
    if not raw.isdigit():
        raise ValueError(f"a whole number, 0 or at least 3, not {text!r}")
    value = int(raw)
    if value in (1, 2):
        raise ValueError(f"0 (never) or at least 3, not {value}")
    return value


@dataclass(frozen=True)
class PanelResult:
    scores: tuple[int, ...]  # as given, in the panel's order
    dropped: tuple[int, ...]  # the highest and the lowest when dropped, else ()
    mean: Fraction

    @property
    def kept(self) -> tuple[int, ...]:
        rest = list(self.scores)
        for score in self.dropped:
            rest.remove(score)
        return tuple(rest)

    def mean_2dp(self) -> Decimal:
        """The mean as shown: two decimal places, halves rounded up."""
        exact = Decimal(self.mean.numerator) / Decimal(self.mean.denominator)
        return exact.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def panel_result(scores: Sequence[int], drop_from: int) -> PanelResult | None:
    """The result of one nomination's scores; None when nobody scored it."""
    if not scores:
        return None
    given = tuple(scores)
    dropped: tuple[int, ...] = ()
    if drop_from and len(given) >= drop_from:
        dropped = (max(given), min(given))
    kept = list(given)
    for score in dropped:
        kept.remove(score)
    return PanelResult(given, dropped, Fraction(sum(kept), len(kept)))


@dataclass(frozen=True)
class Ranked:
    nomination: int
    rank: int
    mean: Fraction


def ranking(means: Mapping[int, Fraction | None]) -> list[Ranked]:
    """Nominations by mean, highest first; equal means share a rank (1, 2, 2, 4). Unscored
    nominations (None) are not ranked. Among equals, the lower id (the earlier) comes first,
    only so that the order is stable: it gives no precedence."""
    scored = sorted(((mean, nid) for nid, mean in means.items() if mean is not None), key=lambda p: (-p[0], p[1]))
    out: list[Ranked] = []
    for position, (mean, nid) in enumerate(scored, start=1):
        rank = out[-1].rank if out and out[-1].mean == mean else position
        out.append(Ranked(nid, rank, mean))
    return out


def unexplained_skips(ranked: Sequence[Ranked], picked: Iterable[int], reasons: Mapping[int, str]) -> list[int]:
    """The nominations left out although ranked at or above the lowest one picked (a tie with
    it included), and given no reason."""
    chosen = set(picked)
    ranks = [r.rank for r in ranked if r.nomination in chosen]
    if not ranks:
        return []
    lowest = max(ranks)
    return [r.nomination for r in ranked
            if r.rank <= lowest and r.nomination not in chosen and not reasons.get(r.nomination, "").strip()]


def check_pick(ranked: Sequence[Ranked], picked: Sequence[int], reasons: Mapping[int, str],
               limit: int) -> dict[str, tuple[int, ...]]:
    """What is wrong with a choice of winners, by code: ``none`` (nobody picked), ``too_many``
    (more than ``limit``), ``unranked`` (picked but not ranked, e.g. never scored),
    ``duplicate``, ``skipped`` (left out above the line without a reason). Empty: fine."""
    problems: dict[str, tuple[int, ...]] = {}
    known = {r.nomination for r in ranked}
    if not picked:
        problems["none"] = ()
    if len(set(picked)) != len(picked):
        problems["duplicate"] = tuple(sorted({n for n in picked if list(picked).count(n) > 1}))
    if len(set(picked)) > limit:
        problems["too_many"] = (limit,)
    unranked = tuple(sorted(set(picked) - known))
    if unranked:
        problems["unranked"] = unranked
    skipped = unexplained_skips(ranked, set(picked) & known, reasons)
    if skipped:
        problems["skipped"] = tuple(skipped)
    return problems
