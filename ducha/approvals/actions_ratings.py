"""Writes of the 好差评 loop (S5.3): a rating given at the window (评价器), the department's
return visit and rectification, its appeal and the approval service office's decision, the
efficiency case from an escalated case, and the month's published results.

Who: the service office records window ratings, decides appeals and publishes; the rated
department's own people visit, rectify and appeal (谁办理、谁负责); the supervision office
opens efficiency cases (its register). Anyone else gets ``NotYours`` (a 403) or a 404 from the
reads in ``access_rating_case_by_id``.
"""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from ducha.accountability.access import registers
from ducha.accountability.actions import MAX_TEXT, AccountabilityError
from ducha.accountability.actions_cases import CaseInput, do_open_case
from ducha.accountability.models import Case, CaseSource, Conduct
from ducha.approvals.access import access_application_by_id, handles_steps_of, in_service_office, reads_everything
from ducha.approvals.models import (
    AppealState,
    RatingAppeal,
    RatingCase,
    RatingCaseState,
    RatingChannel,
    ServiceRating,
)
from ducha.approvals.ratings import RatingRefused, rate
from ducha.audit.api import record as audit
from ducha.org.models import User
from ducha.workcal import service as workcal

__all__ = [
    "NotYours", "RatingError", "access_rating_by_id", "access_rating_case_by_id", "appeal_effect",
    "do_decide_appeal", "do_file_appeal", "do_open_case_from_rating", "do_rate_at_window",
    "do_record_visit", "do_rectify", "visible_ratings",
]

MAX = 2000


class RatingError(RatingRefused):
    pass


class NotYours(RatingError):
    """The person may see the record but not act on it (a 403)."""


def visible_ratings(user: User) -> QuerySet[ServiceRating]:
    qs = ServiceRating.objects.select_related("application__version__item", "unit", "staff")
    if reads_everything(user) or registers(user):
        return qs
    if user.is_authenticated and user.unit_id is not None:
        return qs.filter(unit_id=user.unit_id)
    return qs.none()


def access_rating_by_id(user: User, rating_id: int) -> ServiceRating:
    rating = visible_ratings(user).filter(pk=rating_id).first()
    if rating is None:
        raise Http404("no such rating")
    return rating


def access_rating_case_by_id(user: User, case_id: int) -> RatingCase:
    case = (RatingCase.objects.select_related("rating__application__version__item", "unit")
            .filter(pk=case_id, rating__in=visible_ratings(user)).first())
    if case is None:
        raise Http404("no such case")
    return case


def _text(errors: dict[str, str], field: str, value: str, what: str) -> str:
    value = (value or "").strip()
    if not value or len(value) > MAX:
        errors[field] = _("%(what)s (at most %(n)d characters).") % {"what": what, "n": MAX}
    return value


def do_rate_at_window(*, actor: User, application_id: int, node: str, level: int, reason: str = "") -> ServiceRating:
    """A rating given on the spot at the window's rating device (评价器), recorded by the window."""
    if not in_service_office(actor):
        raise NotYours(_("Only the approval service office's windows record ratings."))
    app = access_application_by_id(actor, application_id)
    now = timezone.now()
    try:
        rating = rate(app, node=node, level=level, reason=reason, channel=RatingChannel.WINDOW, at=now,
                      on=workcal.today(), recorded_by=actor.pk)
    except RatingRefused as e:
        raise RatingError(e.errors) from None
    audit(actor=actor, action="approvals.rating_window", obj_type="approvals.ServiceRating", obj_id=rating.pk,
          before=None, after={"node": node, "level": level})
    return rating


def _own_case(actor: User, case_id: int) -> RatingCase:
    case = access_rating_case_by_id(actor, case_id)
    if not handles_steps_of(actor, case.unit_id):
        raise NotYours(_("Only the rated department rectifies its bad ratings."))
    return case


def do_record_visit(*, actor: User, case_id: int, visited_on: date | None, visited_by: str,
                    outcome: str) -> RatingCase:
    """The return visit (回访): when, who, and what the applicant said."""
    case = _own_case(actor, case_id)
    errors: dict[str, str] = {}
    today = workcal.today()
    if visited_on is None or visited_on > today or visited_on < case.opened_on:
        errors["visited_on"] = _("Give the day of the visit, between %(start)s and today.") % {"start": case.opened_on}
    by = _text(errors, "visited_by", visited_by, _("Say who visited"))[:100]
    said = _text(errors, "visit_outcome", outcome, _("Say what came of the visit"))
    if case.state in (RatingCaseState.DONE, RatingCaseState.DISCOUNTED):
        errors["__all__"] = _("This case is closed.")
    if errors:
        raise RatingError(errors)
    with transaction.atomic():
        RatingCase.objects.filter(pk=case.pk).update(visited_on=visited_on, visited_by=by, visit_outcome=said)
        audit(actor=actor, action="approvals.rating_visit", obj_type="approvals.RatingCase", obj_id=case.pk,
              before={"visited_on": str(case.visited_on or "")}, after={"visited_on": str(visited_on)})
    case.refresh_from_db()
    return case


def do_rectify(*, actor: User, case_id: int, rectification: str) -> RatingCase:
    """The rectification done, after the return visit; done today (on time or not)."""
    case = _own_case(actor, case_id)
    errors: dict[str, str] = {}
    text = _text(errors, "rectification", rectification, _("Say what was rectified"))
    if case.visited_on is None:
        errors["visited_on"] = _("Record the return visit first.")
    if case.state in (RatingCaseState.DONE, RatingCaseState.DISCOUNTED):
        errors["__all__"] = _("This case is closed.")
    if errors:
        raise RatingError(errors)
    today = workcal.today()
    with transaction.atomic():
        if RatingCase.objects.filter(pk=case.pk, state__in=(RatingCaseState.OPEN, RatingCaseState.ESCALATED)).update(
                rectification=text, done_on=today, state=RatingCaseState.DONE) != 1:
            raise RatingError(_("This case is closed."))
        audit(actor=actor, action="approvals.rating_rectified", obj_type="approvals.RatingCase", obj_id=case.pk,
              before={"state": case.state}, after={"state": RatingCaseState.DONE, "done_on": str(today)})
    case.refresh_from_db()
    return case


def do_file_appeal(*, actor: User, rating_id: int, reasons: str) -> RatingAppeal:
    """申诉: the rated department asks to discount a mistaken or malicious rating."""
    rating = access_rating_by_id(actor, rating_id)
    if not handles_steps_of(actor, rating.unit_id):
        raise NotYours(_("Only the rated department appeals against its rating."))
    errors: dict[str, str] = {}
    text = _text(errors, "reasons", reasons, _("Give the reasons"))
    if rating.discounted:
        errors["__all__"] = _("This rating is discounted already.")
    elif rating.appeals.filter(state=AppealState.PENDING).exists():
        errors["__all__"] = _("An appeal against this rating waits for its decision.")
    if errors:
        raise RatingError(errors)
    with transaction.atomic():
        appeal = RatingAppeal.objects.create(rating=rating, unit_id=rating.unit_id, reasons=text, filed_by=actor,
                                             filed_on=workcal.today())
        audit(actor=actor, action="approvals.rating_appeal", obj_type="approvals.RatingAppeal", obj_id=appeal.pk,
              before=None, after={"rating": rating.pk})
    return appeal


def appeal_effect(appeal: RatingAppeal, uphold: bool) -> str:
    number = appeal.rating.application.receipt_number
    if uphold:
        return _("the rating of application %(number)s is discounted: it stays in the record, marked, and no longer "
                 "counts in the results; its rectification case closes") % {"number": number}
    return _("the rating of application %(number)s stands and keeps counting") % {"number": number}


def do_decide_appeal(*, actor: User, appeal_id: int, uphold: bool, reasons: str, confirm: bool) -> RatingAppeal:
    """复核: the approval service office upholds (discounts the rating) or rejects, with reasons."""
    if not in_service_office(actor):
        raise NotYours(_("Only the approval service office decides appeals."))
    appeal = RatingAppeal.objects.select_related("rating__application").filter(pk=appeal_id).first()
    if appeal is None:
        raise Http404("no such appeal")
    errors: dict[str, str] = {}
    text = _text(errors, "decision_reasons", reasons, _("Give the reasons for the decision"))
    if appeal.state != AppealState.PENDING:
        errors["__all__"] = _("This appeal is decided already.")
    if errors:
        raise RatingError(errors)
    if not confirm:
        raise RatingError({"confirm": _("Nothing was decided. Confirm it: %(effect)s")
                           % {"effect": appeal_effect(appeal, uphold)}})
    state = AppealState.UPHELD if uphold else AppealState.REJECTED
    today = workcal.today()
    with transaction.atomic():
        if RatingAppeal.objects.filter(pk=appeal.pk, state=AppealState.PENDING).update(
                state=state, decision_reasons=text, decided_by=actor, decided_on=today) != 1:
            raise RatingError(_("This appeal is decided already."))
        if uphold:
            ServiceRating.objects.filter(pk=appeal.rating_id).update(discounted=True, discounted_by=appeal)
            RatingCase.objects.filter(rating_id=appeal.rating_id, state__in=(
                RatingCaseState.OPEN, RatingCaseState.ESCALATED)).update(state=RatingCaseState.DISCOUNTED)
        audit(actor=actor, action="approvals.rating_appeal_decided", obj_type="approvals.RatingAppeal",
              obj_id=appeal.pk, before={"state": AppealState.PENDING}, after={"state": state})
    appeal.refresh_from_db()
    return appeal


def case_effect(case: RatingCase) -> str:
    return _("an efficiency case (slow action) is opened against %(unit)s for the unrectified bad rating of "
             "application %(number)s; it cannot be undone from here") % {
        "unit": case.unit.name, "number": case.rating.application.receipt_number}


def do_open_case_from_rating(*, actor: User, case_id: int, confirm: bool) -> Case:
    """An escalated case opens an efficiency case (S1.14) in one step, once."""
    if not registers(actor):
        raise NotYours(_("Only the supervision office opens efficiency cases."))
    case = access_rating_case_by_id(actor, case_id)
    if case.state != RatingCaseState.ESCALATED:
        raise RatingError(_("Only a case escalated past its deadline opens an efficiency case."))
    if case.efficiency_case_id:
        raise RatingError(_("This case opened efficiency case %(id)s already.") % {"id": case.efficiency_case_id})
    if not confirm:
        raise RatingError({"confirm": pgettext("approval", "Nothing was opened. Confirm it: %(effect)s") % {"effect": case_effect(case)}})
    app = case.rating.application
    summary = (f"好差评差评逾期未整改：{app.receipt_number}（{app.version.name}）{case.rating.words}，"
               f"原因：{case.rating.reason}；整改期限{case.due_on}。")[:MAX_TEXT]
    with transaction.atomic():
        if RatingCase.objects.select_for_update().filter(pk=case.pk, efficiency_case__isnull=True).first() is None:
            raise RatingError(_("This case opened an efficiency case already."))
        try:
            opened = do_open_case(actor=actor, data=CaseInput(unit_id=case.unit_id, conduct=Conduct.SLOW,
                                                              source=CaseSource.APPROVAL_RATING, summary=summary))
        except AccountabilityError as e:
            raise RatingError(e.errors) from None
        RatingCase.objects.filter(pk=case.pk).update(efficiency_case=opened)
        audit(actor=actor, action="approvals.rating_case", obj_type="approvals.RatingCase", obj_id=case.pk,
              before={"case": None}, after={"case": opened.pk})
    return opened
