"""The half-yearly lawful-administration check (依法行政检查, S1.6) over the API, under its pages'
rules: the city-wide offices read every check and every department's result; a department, or
its city leader, reads a published check with the results of its own units only. The
supervision office opens a check and publishes it (each with ``"confirm": true``: the
departments are told), records deductions and hands a finding to an efficiency case. Every
score comes with its explanation: the items, their points and what was deducted."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema, Status

from ducha.accountability.models import Case
from ducha.api.common import ERRORS, keyset_page, refuse
from ducha.api.schemas import AfterId, Error, RowId, UnitRef
from ducha.lawful import actions
from ducha.lawful.access import (
    access_check_by_id,
    access_result_unit,
    runs_checks,
    visible_checks,
    visible_units_of,
)
from ducha.lawful.models import Check, Deduction
from ducha.lawful.results import UnitResult, checklist_of, results
from ducha.org.access import business_reader
from ducha.org.models import User

router = Router(tags=["lawful"])
CONFIRM_OPEN = "true to open it: each department is told that the check has begun"
CONFIRM_PUBLISH = "true to publish: each department is told its score; the check cannot be changed afterwards"


class LawfulItemOut(Schema):
    code: str
    name: str = Field(description="the item's Chinese name")
    name_en: str = Field(description="its English name; empty when the checklist gives none")
    points: int


class LawfulLineOut(Schema):
    item: str = Field(description="the checklist item's code")
    points: int = Field(description="the item's points")
    deducted: int
    kept: int
    finding: str = Field(description="what was found; empty when nothing was")
    finding_id: int | None = Field(description="the deduction's id, for handing it to an efficiency case")
    case_id: int | None = Field(description="the efficiency case it was handed to")


class LawfulResultOut(Schema):
    unit: UnitRef
    total: int = Field(description="the checklist's points")
    deducted: int
    score: int = Field(description="total less deducted")
    explanation: str = Field(description="e.g. 100 - 7 = 93 (document_review -5; openness -2)")
    lines: list[LawfulLineOut]


class LawfulCheckOut(Schema):
    id: int
    period: str = Field(description="the half-year, e.g. 2026-H1")
    state: str = Field(description="open (检查中) or published (已公布)")
    checklist: list[LawfulItemOut] = Field(description="frozen when the check was opened")
    opened_at: datetime
    published_at: datetime | None
    results: list[LawfulResultOut] = Field(description="the departments whose results the caller may read")


class LawfulCheckPage(Schema):
    items: list[LawfulCheckOut]
    next_after: int | None


class LawfulCheckFilters(Schema):
    after: AfterId | None = None
    limit: int = Field(20, ge=1, le=50)


class LawfulCheckIn(Schema):
    period: str = Field(max_length=10, description="the half-year, e.g. 2026-H1")
    confirm: bool = Field(False, description=CONFIRM_OPEN)


class LawfulPublishIn(Schema):
    confirm: bool = Field(False, description=CONFIRM_PUBLISH)


class LawfulDeductionIn(Schema):
    unit_id: RowId
    item: str = Field(max_length=40, description="the checklist item's code")
    points: int = Field(ge=0, le=1000, description="points deducted; 0 with no finding clears the item")
    finding: str = Field("", max_length=2000, description="required when points are deducted")


class LawfulCaseIn(Schema):
    conduct: str = Field(description="inaction (不作为), slow (慢作为) or misconduct (乱作为)")
    summary: str = Field("", max_length=2000, description="empty: the check, the item and the finding")
    evidence: str = Field("", max_length=2000)


class LawfulCaseOut(Schema):
    case_id: int
    state: str
    result: LawfulResultOut


class LawfulCheckPath(Schema):
    check_id: RowId


class LawfulUnitPath(Schema):
    check_id: RowId
    unit_id: RowId


class LawfulFindingPath(Schema):
    finding_id: RowId


def result_out(r: UnitResult) -> dict[str, Any]:
    return {"unit": r.unit, "total": r.score.total, "deducted": r.score.deducted, "score": r.score.value,
            "explanation": r.score.explain(),
            "lines": [{"item": ln.item.code, "points": ln.item.points, "deducted": ln.deducted, "kept": ln.kept,
                       "finding": ln.deduction.finding if ln.deduction else "",
                       "finding_id": ln.deduction.pk if ln.deduction else None,
                       "case_id": ln.deduction.case_id if ln.deduction else None} for ln in r.lines]}


def check_out(check: Check, user: User) -> dict[str, Any]:
    return {"id": check.pk, "period": check.period, "state": check.state,
            "checklist": [i.as_dict() for i in checklist_of(check)], "opened_at": check.opened_at,
            "published_at": check.published_at,
            "results": [result_out(r) for r in results(check, visible_units_of(user, check))]}


def _refused(step: Callable[[], object]) -> Any:
    try:
        step()
    except actions.NotYours as e:
        return refuse(403, e.errors)
    except actions.LawfulError as e:
        return refuse(400, e.errors)
    return None


@router.get("/lawful/checks", response={200: LawfulCheckPage, **ERRORS})
def list_checks(request: HttpRequest, filters: Query[LawfulCheckFilters]) -> Any:
    user = business_reader(request)
    rows, next_after = keyset_page(visible_checks(user), filters.after, filters.limit)
    return {"items": [check_out(c, user) for c in rows], "next_after": next_after}


@router.post("/lawful/checks", response={201: LawfulCheckOut, 400: Error, 403: Error, **ERRORS})
def open_check(request: HttpRequest, payload: LawfulCheckIn) -> Any:
    """Open a half-year's check of the active municipal departments (the supervision office),
    freezing today's checklist. Needs ``"confirm": true``."""
    user = business_reader(request)
    half = actions.parse_half(payload.period)
    if not payload.confirm:
        if not runs_checks(user):
            return refuse(403, _not_office())
        if half is None:
            return refuse(400, {"period": _("Give a half-year such as 2026-H1.")})
        return refuse(400, {"confirm": actions.open_effect(half)})
    made: list[Check] = []
    refused = _refused(lambda: made.append(actions.do_open_check(actor=user, period=payload.period)))
    return refused or Status(201, check_out(made[0], user))


def _not_office() -> str:
    return _("Only the supervision office runs the lawful-administration check.")


@router.get("/lawful/checks/{check_id}", response={200: LawfulCheckOut, **ERRORS})
def get_check(request: HttpRequest, path: Path[LawfulCheckPath]) -> Any:
    user = business_reader(request)
    return check_out(access_check_by_id(user, path.check_id), user)


@router.get("/lawful/checks/{check_id}/units/{unit_id}", response={200: LawfulResultOut, **ERRORS})
def get_result(request: HttpRequest, path: Path[LawfulUnitPath]) -> Any:
    """One department's score with each item's points, deduction and finding."""
    user = business_reader(request)
    check = access_check_by_id(user, path.check_id)
    (result,) = results(check, [access_result_unit(user, check, path.unit_id)])
    return result_out(result)


@router.post("/lawful/checks/{check_id}/deductions", response={200: LawfulResultOut, 400: Error, 403: Error,
                                                              **ERRORS})
def record_deduction(request: HttpRequest, path: Path[LawfulCheckPath], payload: LawfulDeductionIn) -> Any:
    """Record or correct one department's deduction on one item (the supervision office, while
    the check is open)."""
    user = business_reader(request)
    check = access_check_by_id(user, path.check_id)
    refused = _refused(lambda: actions.do_record_deduction(actor=user, check=check, data=actions.DeductionInput(
        unit_id=payload.unit_id, item=payload.item, points=payload.points, finding=payload.finding)))
    if refused:
        return refused
    (result,) = results(check, [access_result_unit(user, check, payload.unit_id)])
    return result_out(result)


@router.post("/lawful/checks/{check_id}/publish", response={200: LawfulCheckOut, 400: Error, 403: Error, **ERRORS})
def publish_check(request: HttpRequest, path: Path[LawfulCheckPath], payload: LawfulPublishIn) -> Any:
    """Publish the scores (the supervision office). Needs ``"confirm": true``; cannot be undone."""
    user = business_reader(request)
    check = access_check_by_id(user, path.check_id)
    if not payload.confirm:
        if not runs_checks(user):
            return refuse(403, _not_office())
        return refuse(400, {"confirm": actions.publish_effect(check)})
    refused = _refused(lambda: actions.do_publish_check(actor=user, check=check))
    check.refresh_from_db()
    return refused or check_out(check, user)


@router.post("/lawful/findings/{finding_id}/case", response={201: LawfulCaseOut, 400: Error, 403: Error, **ERRORS})
def hand_to_case(request: HttpRequest, path: Path[LawfulFindingPath], payload: LawfulCaseIn) -> Any:
    """Hand a finding to an efficiency case (效能问题线索, source lawful_check) in one step; once."""
    user = business_reader(request)
    row = Deduction.objects.select_related("lawful_check").filter(pk=path.finding_id).first()
    if row is None:
        raise Http404("No such finding")
    check = access_check_by_id(user, row.lawful_check_id)
    access_result_unit(user, check, row.unit_id)
    made: list[Case] = []
    refused = _refused(lambda: made.append(actions.do_hand_to_case(
        actor=user, deduction=row, conduct=payload.conduct, summary=payload.summary, evidence=payload.evidence)))
    if refused:
        return refused
    (result,) = results(check, [access_result_unit(user, check, row.unit_id)])
    return Status(201, {"case_id": made[0].pk, "state": made[0].state, "result": result_out(result)})
