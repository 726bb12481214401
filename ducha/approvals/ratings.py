"""好差评's periodic pass and the one way a rating is recorded (S5.3).

The portal only inserts, so the intranet takes the ratings up (外网提交 → 内网办理): each waiting
rating submission becomes a ``ServiceRating`` once, or is taken up as refused (an unknown
receipt, a node not reached, the window passed, a node rated already). A node left unrated for
``DUCHA_RATING_WINDOW_DAYS`` natural days is recorded at ``DUCHA_RATING_DEFAULT_LEVEL``
(``defaulted``). A bad rating opens its rectification case, due ``DUCHA_RATING_RECTIFY_WORKDAYS``
working days after the day it was recorded; a case still open after its due day escalates:
the department's leaders and the approval service office hear of it, and the supervision
office can open an efficiency case from it (``actions_ratings.do_open_case_from_rating``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, datetime, timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from ducha.approvals.access import service_unit
from ducha.approvals.models import (
    BAD_LEVELS,
    Application,
    Event,
    Node,
    RatingCase,
    RatingCaseState,
    RatingChannel,
    ServiceRating,
)
from ducha.inbox.notify import notify_people, notify_units
from ducha.org.models import UnitPost
from ducha.publication.models import SubmissionKind, TakeUpState
from ducha.publication.submissions import take_up, waiting
from ducha.workcal import service as workcal

log = logging.getLogger("ducha.approvals")

BATCH = 200
MAX_REASON = 1000

__all__ = ["RatingRefused", "node_day", "rate", "rated_staff_id", "run_pass", "window_open"]


class RatingRefused(Exception):
    """Why a rating is not recorded, by field."""

    def __init__(self, errors: dict[str, str] | str) -> None:
        self.errors = errors if isinstance(errors, dict) else {"__all__": errors}
        super().__init__("; ".join(self.errors.values()))


def node_day(app: Application, node: str) -> date | None:
    """The day the node was reached: 收件 on receipt, 办结 on the decision; None before."""
    return app.received_on if node == Node.RECEIVED else app.decided_on


def window_open(app: Application, node: str, on: date) -> bool:
    reached = node_day(app, node)
    return reached is not None and reached <= on <= reached + timedelta(days=settings.DUCHA_RATING_WINDOW_DAYS)


def rated_staff_id(app: Application, node: str) -> int | None:
    """The first-contact officer at 收件; at 办结 the person who recorded the decision."""
    if node == Node.RECEIVED:
        return app.first_officer_id
    return (Event.objects.filter(application=app, kind="decide", actor__isnull=False)
            .order_by("-at", "-id").values_list("actor_id", flat=True).first())


def rate(app: Application, *, node: str, level: int, reason: str, channel: str, at: datetime,
         on: date, submission_reference: str = "", recorded_by: int | None = None,
         defaulted: bool = False) -> ServiceRating:
    """Records a rating, once per application and node, and opens the case of a bad one."""
    errors: dict[str, str] = {}
    reason = reason.strip()
    if node not in Node.values:
        errors["node"] = _("Choose the node: %(choices)s.") % {"choices": ", ".join(Node.values)}
    if not isinstance(level, int) or not 1 <= level <= 5:
        errors["level"] = _("Choose a level from 1 (very dissatisfied) to 5 (very satisfied).")
    elif level in BAD_LEVELS and not reason and not defaulted:
        errors["reason"] = _("Say why: a dissatisfied rating needs its reason.")
    if len(reason) > MAX_REASON:
        errors["reason"] = _("At most %(n)d characters.") % {"n": MAX_REASON}
    if not errors and node_day(app, node) is None:
        errors["node"] = _("Application %(number)s has not reached this node yet.") % {"number": app.receipt_number}
    elif not errors and not defaulted and not window_open(app, node, on):
        errors["node"] = _("The rating window of %(n)d days for this node has passed.") % {
            "n": settings.DUCHA_RATING_WINDOW_DAYS}
    if errors:
        raise RatingRefused(errors)
    try:
        with transaction.atomic():
            rating = ServiceRating.objects.create(
                application=app, node=node, level=level, reason=reason, channel=channel,
                unit_id=app.handling_unit_id, staff_id=rated_staff_id(app, node), rated_at=at, rated_on=on,
                defaulted=defaulted, submission_reference=submission_reference, recorded_by_id=recorded_by)
            if level in BAD_LEVELS:
                open_case(rating)
    except IntegrityError:
        raise RatingRefused({"node": _("This node of application %(number)s is rated already.")
                             % {"number": app.receipt_number}}) from None
    return rating


def open_case(rating: ServiceRating) -> RatingCase:
    cal = workcal.get_calendar()
    due = workcal.compute_due(cal, rating.rated_on, settings.DUCHA_RATING_RECTIFY_WORKDAYS)
    case = RatingCase.objects.create(rating=rating, unit_id=rating.unit_id, opened_on=rating.rated_on, due_on=due)
    number = rating.application.receipt_number
    unit_id = rating.unit_id
    transaction.on_commit(lambda: notify_units(
        [unit_id], title=_("A bad rating to rectify: %(number)s") % {"number": number},
        body=_("Rectify it with a return visit by %(due)s.") % {"due": due or "-"}, light="yellow"))
    return case


# -- the pass ----------------------------------------------------------------------------------

def _refuse(sub: Any, why: str) -> None:
    take_up(sub, by=None, state=TakeUpState.REFUSED, outcome=why)


def take_up_ratings(*, batch: int = BATCH) -> int:
    """Turns waiting rating submissions into ratings, oldest first; returns how many it read."""
    rows = list(waiting(SubmissionKind.RATING).select_related(None)[:batch])
    for sub in rows:
        p = sub.payload or {}
        app = Application.objects.filter(receipt_number=str(p.get("receipt", ""))[:40]).first()
        if app is None:
            _refuse(sub, "unknown receipt")
            continue
        level = p.get("level")
        on = timezone.localdate(sub.created_at)
        try:
            with transaction.atomic():
                rating = rate(app, node=str(p.get("node", "")), level=level if isinstance(level, int) else 0,
                              reason=str(p.get("reason", "")), channel=RatingChannel.PORTAL, at=sub.created_at,
                              on=on, submission_reference=sub.reference)
                take_up(sub, by=None, state=TakeUpState.DONE, outcome=f"rating {rating.pk}")
        except RatingRefused as e:
            _refuse(sub, "; ".join(e.errors.values()))
    return len(rows)


def record_defaults(today: date, *, batch: int = BATCH) -> int:
    """The default level for each node whose window passed unrated."""
    last = today - timedelta(days=settings.DUCHA_RATING_WINDOW_DAYS + 1)
    level = settings.DUCHA_RATING_DEFAULT_LEVEL
    now = timezone.now()
    made = 0
    for node, field in ((Node.RECEIVED, "received_on"), (Node.DONE, "decided_on")):
        rated = ServiceRating.objects.filter(application=OuterRef("pk"), node=node)
        apps = (Application.objects.filter(**{f"{field}__lte": last}).exclude(Exists(rated))
                .order_by(field, "pk")[:batch])
        for app in apps:
            try:
                rate(app, node=node, level=level, reason="", channel=RatingChannel.DEFAULT, at=now, on=today,
                     defaulted=True)
                made += 1
            except RatingRefused:
                continue  # rated meanwhile
    return made


def escalate_overdue(today: date) -> int:
    """Cases still open after their due day: escalated once, the leaders and the office told."""
    cases = list(RatingCase.objects.filter(state=RatingCaseState.OPEN, due_on__lt=today)
                 .select_related("rating__application", "unit"))
    office = service_unit()
    for case in cases:
        with transaction.atomic():
            if RatingCase.objects.filter(pk=case.pk, state=RatingCaseState.OPEN).update(
                    state=RatingCaseState.ESCALATED, escalated_on=today) != 1:
                continue
            leaders = list(UnitPost.objects.filter(unit_id=case.unit_id).values_list("person_id", flat=True))
            title = _("Bad rating not rectified in time: %(number)s") % {
                "number": case.rating.application.receipt_number}
            body = _("%(unit)s was due to rectify it by %(due)s.") % {"unit": case.unit.name, "due": case.due_on}
            offices = [office.pk] if office else []
            transaction.on_commit(partial(_tell_escalation, leaders, offices, title, body))
    return len(cases)


def _tell_escalation(leaders: list[int], offices: list[int], title: str, body: str) -> None:
    notify_people(leaders, title=title, body=body, light="red")
    notify_units(offices, title=title, body=body, light="red")


def run_ratings(*, today: date | None = None) -> dict[str, int]:
    today = today or workcal.today()
    return {"taken_up": take_up_ratings(), "defaulted": record_defaults(today),
            "escalated": escalate_overdue(today)}


def run_pass(should_stop: Callable[[], bool]) -> dict[str, int]:
    """The worker's entry (``reminders.passes``)."""
    return run_ratings()
