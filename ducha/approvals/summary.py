"""What the evaluation reads of administrative approval (S3.3 → S6.1): per department and
period, the applications it decided and accepted and the supervision cards it was issued, with
the cards' ids so that a score can name the records behind it.

Two statements whatever the number of departments: one GROUP BY over the applications (index
``approval_app_unit_state``), one read of the period's cards (index ``approval_card_unit_day``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Q

from ducha.approvals.models import Application, Card, CardColour
from ducha.org.models import Unit

__all__ = ["UnitCards", "UnitRatings", "units_cards", "units_ratings"]


@dataclass
class UnitCards:
    unit_id: int
    decided: int = 0  # applications decided (准予/不予许可) in the period
    accepted: int = 0  # applications accepted (受理, by notice or by law) in the period
    yellow: int = 0
    red: int = 0
    yellow_ids: list[int] = field(default_factory=list)
    red_ids: list[int] = field(default_factory=list)

    @property
    def card_ids(self) -> list[int]:
        return sorted(self.yellow_ids + self.red_ids)


def units_cards(unit_ids: Iterable[int], start: date, end: date) -> dict[int, UnitCards]:
    """Per department of ``unit_ids``, the figures of the days ``start`` to ``end`` (both
    included). A department with nothing has its row of zeros."""
    ids = sorted(set(unit_ids))
    out = {u: UnitCards(u) for u in ids}
    if not ids:
        return out
    decided = Q(decided_on__gte=start, decided_on__lte=end)
    accepted = Q(accepted_on__gte=start, accepted_on__lte=end)
    for unit_id, n_decided, n_accepted in (
        Application.objects.filter(Q(handling_unit_id__in=ids) & (decided | accepted))
        .values("handling_unit_id").order_by()
        .annotate(d=Count("id", filter=decided), a=Count("id", filter=accepted))
        .values_list("handling_unit_id", "d", "a")
    ):
        out[unit_id].decided, out[unit_id].accepted = n_decided, n_accepted
    for card_id, unit_id, colour in (Card.objects.filter(unit_id__in=ids, issued_on__gte=start, issued_on__lte=end)
                                     .order_by("id").values_list("id", "unit_id", "colour")):
        row = out[unit_id]
        if colour == CardColour.RED:
            row.red += 1
            row.red_ids.append(card_id)
        else:
            row.yellow += 1
            row.yellow_ids.append(card_id)
    return out


@dataclass
class UnitRatings:
    unit_id: int
    applications: int = 0  # applications received in the period
    bad: int = 0  # 差评 not discounted, rated in the period
    bad_per_thousand: float | None = None
    rectified_on_time: float | None = None  # share (%) of those bad ratings rectified by their due day
    rating_ids: list[int] = field(default_factory=list)  # every rating of the period, discounted ones too
    bad_ids: list[int] = field(default_factory=list)


def units_ratings(unit_ids: Iterable[int], start: date, end: date) -> dict[int, UnitRatings]:
    """Per department of ``unit_ids``, the 好差评 figures of the days ``start`` to ``end`` (both
    included): bad ratings per 1,000 applications received and the share rectified on time
    (None when there is nothing to divide by). The evaluation's public-rating input."""
    from ducha.approvals.models import BAD_LEVELS, ServiceRating
    from ducha.approvals.ratings_results import month_results

    ids = sorted(set(unit_ids))
    out = {u: UnitRatings(u) for u in ids}
    if not ids:
        return out
    units, _items = month_results(start, end, unit_ids=ids)
    by_code = {f.key: f for f in units}
    for unit_id, code in Unit.objects.filter(pk__in=ids).values_list("id", "code"):
        fig = by_code.get(code)
        if fig is None:
            continue
        row = out[unit_id]
        row.applications, row.bad = fig.applications, fig.bad
        row.bad_per_thousand, row.rectified_on_time = fig.bad_per_thousand, fig.on_time_share
        row.rating_ids = sorted(fig.rating_ids)
    for rating_id, unit_id in (ServiceRating.objects.filter(unit_id__in=ids, rated_on__gte=start, rated_on__lte=end,
                                                            level__in=BAD_LEVELS, discounted=False)
                               .order_by("id").values_list("id", "unit_id")):
        out[unit_id].bad_ids.append(rating_id)
    return out
