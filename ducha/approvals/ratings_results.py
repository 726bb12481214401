"""The month's 好差评 results per department and per item (S5.3, reference §1.3), and their
publication to the portal.

A raw 满意率 sits at the ceiling (99.99 %), so beside the counts per level the figures that
separate departments are: bad ratings per 1,000 applications received, bad ratings rectified on
time (%), return visits done (%), appeals upheld (%). A discounted rating stays counted in its
level's column of ``discounted`` but not among the bad ones; a share with nothing under it is
None (shown as "—"), not 0 or 100.
"""

from __future__ import annotations

import calendar
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import Count
from django.utils.translation import gettext as _

from ducha.approvals.access import in_service_office
from ducha.approvals.models import BAD_LEVELS, LEVEL_WORDS, AppealState, Application, RatingAppeal, ServiceRating
from ducha.audit.api import record as audit
from ducha.org.models import User
from ducha.publication.models import Kind, Publication
from ducha.publication.publish import publish

__all__ = ["Figures", "do_publish_month", "month_bounds", "month_results", "publish_effect"]


def month_bounds(month: str) -> tuple[date, date]:
    """'2026-10' → (2026-10-01, 2026-10-31); ValueError on anything else."""
    year, mon = (int(x) for x in month.split("-"))
    if not (1000 <= year <= 2999 and 1 <= mon <= 12) or len(month) != 7:
        raise ValueError(month)
    return date(year, mon, 1), date(year, mon, calendar.monthrange(year, mon)[1])


def _share(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


@dataclass
class Figures:
    key: str  # a unit code or an item code
    name: str
    applications: int = 0
    levels: dict[int, int] = field(default_factory=lambda: {lv: 0 for lv in (5, 4, 3, 2, 1)})
    discounted: int = 0
    bad: int = 0
    bad_cases: int = 0
    on_time: int = 0
    visited: int = 0
    appeals_decided: int = 0
    appeals_upheld: int = 0
    rating_ids: list[int] = field(default_factory=list)

    @property
    def bad_per_thousand(self) -> float | None:
        return round(1000 * self.bad / self.applications, 2) if self.applications else None

    @property
    def on_time_share(self) -> float | None:
        return _share(self.on_time, self.bad_cases)

    @property
    def visited_share(self) -> float | None:
        return _share(self.visited, self.bad_cases)

    @property
    def upheld_share(self) -> float | None:
        return _share(self.appeals_upheld, self.appeals_decided)

    def as_dict(self) -> dict[str, Any]:
        return {"key": self.key, "name": self.name, "applications": self.applications,
                "levels": {LEVEL_WORDS[lv]: n for lv, n in self.levels.items()}, "discounted": self.discounted,
                "bad": self.bad, "bad_per_thousand": self.bad_per_thousand, "rectified_on_time": self.on_time_share,
                "return_visits": self.visited_share, "appeals_upheld": self.upheld_share}


def _add(fig: Figures, r: ServiceRating, appeals: dict[int, list[str]]) -> None:
    fig.levels[r.level] += 1
    fig.rating_ids.append(r.pk)
    if r.discounted:
        fig.discounted += 1
    elif r.level in BAD_LEVELS:
        fig.bad += 1
        case = getattr(r, "case", None)
        if case is not None:
            fig.bad_cases += 1
            fig.on_time += case.on_time
            fig.visited += case.visited_on is not None
    for state in appeals.get(r.pk, []):
        fig.appeals_decided += 1
        fig.appeals_upheld += state == AppealState.UPHELD


def month_results(start: date, end: date, *, unit_ids: list[int] | None = None) -> tuple[list[Figures], list[Figures]]:
    """Per department and per item, the ratings recorded from ``start`` to ``end`` and the
    applications received in those days."""
    ratings = (ServiceRating.objects.filter(rated_on__gte=start, rated_on__lte=end)
               .select_related("unit", "application__version__item", "case").order_by("id"))
    apps = Application.objects.filter(received_on__gte=start, received_on__lte=end)
    if unit_ids is not None:
        ratings, apps = ratings.filter(unit_id__in=unit_ids), apps.filter(handling_unit_id__in=unit_ids)
    rows = list(ratings)
    appeals: dict[int, list[str]] = defaultdict(list)
    for rating_id, state in RatingAppeal.objects.filter(
            rating_id__in=[r.pk for r in rows], state__in=(AppealState.UPHELD, AppealState.REJECTED)
    ).values_list("rating_id", "state"):
        appeals[rating_id].append(state)
    units: dict[int, Figures] = {}
    items: dict[int, Figures] = {}
    for unit_id, code, name, n in (apps.values("handling_unit_id").order_by().annotate(n=Count("id"))
                                   .values_list("handling_unit_id", "handling_unit__code", "handling_unit__name", "n")):
        units[unit_id] = Figures(code, name, applications=n)
    for item_id, code, n in (apps.values("version__item_id").order_by().annotate(n=Count("id"))
                             .values_list("version__item_id", "version__item__code", "n")):
        items[item_id] = Figures(code, "", applications=n)
    for r in rows:
        _add(units.setdefault(r.unit_id, Figures(r.unit.code, r.unit.name)), r, appeals)
        item = r.application.version.item
        _add(items.setdefault(item.pk, Figures(item.code, "")), r, appeals)
    names = dict(Application.objects.filter(version__item_id__in=items).order_by("version__item_id", "version__version")
                 .values_list("version__item_id", "version__name"))
    for item_id, fig in items.items():
        fig.name = names.get(item_id, fig.key)
    return (sorted(units.values(), key=lambda f: f.key), sorted(items.values(), key=lambda f: f.key))


def publish_effect(month: str) -> str:
    return _("the rating results of %(month)s per department and per item are published on the public site "
             "(a later publication replaces them, the earlier stays in the record)") % {"month": month}


def do_publish_month(*, actor: User, month: str, confirm: bool) -> Publication:
    from ducha.approvals.actions_ratings import NotYours, RatingError

    if not in_service_office(actor):
        raise NotYours(_("Only the approval service office publishes the rating results."))
    try:
        start, end = month_bounds(month)
    except ValueError:
        raise RatingError({"month": _("Give the month as YYYY-MM.")}) from None
    if not confirm:
        raise RatingError({"confirm": _("Nothing was published. Confirm it: %(effect)s") % {
            "effect": publish_effect(month)}})
    units, items = month_results(start, end)
    payload = {"month": month, "start": str(start), "end": str(end),
               "departments": [f.as_dict() for f in units], "items": [f.as_dict() for f in items]}
    with transaction.atomic():
        pub = publish(Kind.RATINGS, month, f"政务服务好差评 {month}", payload)
        audit(actor=actor, action="approvals.ratings_publish", obj_type="publication.Publication", obj_id=pub.pk,
              before=None, after={"month": month})
    return pub
