"""好差评 over the API (S5.3): the ratings in the caller's scope (the approval service office, the
city-wide offices and the leaders read all; a department its own), the month's export in the
provincial format (docs/ratings-export.md), the return visit and rectification, the appeal and
its decision (``"confirm": true``), and the efficiency case from an escalated case."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import HttpRequest
from ninja import Field, Path, Query, Router, Schema, Status

from ducha.api.common import ERRORS, MONTH_PATTERN, keyset_page, refuse
from ducha.api.schemas import AfterId, Error, RowId
from ducha.approvals import actions_ratings as actions
from ducha.approvals import ratings_export
from ducha.approvals.access import reads_everything
from ducha.approvals.models import RatingCase, ServiceRating
from ducha.approvals.ratings_results import month_bounds
from ducha.org.access import business_reader

router = Router(tags=["approvals"])


class ApprovalRatingOut(Schema):
    id: int
    application_id: int
    receipt_number: str
    node: str = Field(description="received (收件) or done (办结)")
    level: int = Field(description="5 非常满意 … 1 非常不满意")
    reason: str
    channel: str = Field(description="portal, window or default")
    unit_id: int
    staff_id: int | None
    rated_at: str
    defaulted: bool
    discounted: bool
    case_id: int | None


class ApprovalRatingPage(Schema):
    items: list[ApprovalRatingOut]
    next_after: int | None


class ApprovalRatingFilters(Schema):
    month: str | None = Field(None, pattern=MONTH_PATTERN)
    after: AfterId | None = None
    limit: int = Field(50, ge=1, le=200)


class ApprovalRatingMonth(Schema):
    month: str = Field(pattern=MONTH_PATTERN)


class ApprovalRatingExportOut(Schema):
    format: str
    version: int
    month: str
    count: int
    ratings: list[dict[str, Any]]


class ApprovalRatingPath(Schema):
    rating_id: RowId


class ApprovalRatingCasePath(Schema):
    case_id: RowId


class ApprovalRatingAppealPath(Schema):
    appeal_id: RowId


class ApprovalRatingCaseOut(Schema):
    id: int
    rating_id: int
    unit_id: int
    state: str
    opened_on: date
    due_on: date | None
    visited_on: date | None
    visited_by: str
    visit_outcome: str
    rectification: str
    done_on: date | None
    efficiency_case_id: int | None


class ApprovalRatingVisitIn(Schema):
    visited_on: date
    visited_by: str
    outcome: str


class ApprovalRatingRectifyIn(Schema):
    rectification: str


class ApprovalRatingAppealIn(Schema):
    reasons: str


class ApprovalRatingDecisionIn(Schema):
    uphold: bool
    reasons: str
    confirm: bool = Field(False, description="true to decide: upheld discounts the rating (it stays, marked)")


class ApprovalRatingAppealOut(Schema):
    id: int
    rating_id: int
    state: str
    reasons: str
    decision_reasons: str


class ApprovalRatingConfirmIn(Schema):
    confirm: bool = Field(False, description="true to open the efficiency case; once per rectification case")


def _out(r: ServiceRating) -> dict[str, Any]:
    case = RatingCase.objects.filter(rating=r).values_list("id", flat=True).first()
    return {"id": r.pk, "application_id": r.application_id, "receipt_number": r.application.receipt_number,
            "node": r.node, "level": r.level, "reason": r.reason, "channel": r.channel, "unit_id": r.unit_id,
            "staff_id": r.staff_id, "rated_at": r.rated_at.isoformat(), "defaulted": r.defaulted,
            "discounted": r.discounted, "case_id": case}


def _case_out(c: RatingCase) -> dict[str, Any]:
    return {k: getattr(c, k) for k in ("id", "rating_id", "unit_id", "state", "opened_on", "due_on", "visited_on",
                                       "visited_by", "visit_outcome", "rectification", "done_on",
                                       "efficiency_case_id")}


@router.get("/approvals/ratings", response={200: ApprovalRatingPage, **ERRORS})
def list_ratings(request: HttpRequest, filters: Query[ApprovalRatingFilters]) -> Any:
    qs = actions.visible_ratings(business_reader(request))
    if filters.month:
        start, end = month_bounds(filters.month)
        qs = qs.filter(rated_on__gte=start, rated_on__lte=end)
    rows, next_after = keyset_page(qs, filters.after, filters.limit)
    return {"items": [_out(r) for r in rows], "next_after": next_after}


@router.get("/approvals/ratings/export", response={200: ApprovalRatingExportOut, 403: Error, **ERRORS})
def export_ratings(request: HttpRequest, query: Query[ApprovalRatingMonth]) -> Any:
    """The month's ratings in the provincial exchange format (docs/ratings-export.md): the service
    office, the city-wide offices and the leaders."""
    user = business_reader(request)
    if not reads_everything(user):
        return refuse(403, "Only the approval service office and the city-wide offices export the ratings.")
    start, end = month_bounds(query.month)
    return ratings_export.to_json(ratings_export.rows(ratings_export.month_ratings(start, end)), query.month)


def _act(fn: Any, status: int = 200, **kw: Any) -> Any:
    try:
        return Status(status, fn(**kw))
    except actions.NotYours as e:
        return refuse(403, e.errors)
    except actions.RatingError as e:
        return refuse(400, e.errors)


@router.post("/approvals/ratings/cases/{case_id}/visit", response={200: ApprovalRatingCaseOut, 400: Error, 403: Error,
                                                                  **ERRORS})
def record_visit(request: HttpRequest, path: Path[ApprovalRatingCasePath], payload: ApprovalRatingVisitIn) -> Any:
    """The return visit (回访) of a bad rating: the rated department."""
    user = business_reader(request)
    return _act(lambda **kw: _case_out(actions.do_record_visit(**kw)), actor=user, case_id=path.case_id,
                visited_on=payload.visited_on, visited_by=payload.visited_by, outcome=payload.outcome)


@router.post("/approvals/ratings/cases/{case_id}/rectify", response={200: ApprovalRatingCaseOut, 400: Error,
                                                                    403: Error, **ERRORS})
def rectify(request: HttpRequest, path: Path[ApprovalRatingCasePath], payload: ApprovalRatingRectifyIn) -> Any:
    user = business_reader(request)
    return _act(lambda **kw: _case_out(actions.do_rectify(**kw)), actor=user, case_id=path.case_id,
                rectification=payload.rectification)


@router.post("/approvals/ratings/cases/{case_id}/case", response={201: dict[str, int], 400: Error, 403: Error,
                                                                 **ERRORS})
def open_case(request: HttpRequest, path: Path[ApprovalRatingCasePath], payload: ApprovalRatingConfirmIn) -> Any:
    """An escalated case opens an efficiency case (source approval_rating): the supervision office."""
    user = business_reader(request)
    return _act(lambda **kw: {"case_id": actions.do_open_case_from_rating(**kw).pk}, 201, actor=user,
                case_id=path.case_id, confirm=payload.confirm)


def _appeal_out(a: Any) -> dict[str, Any]:
    return {"id": a.pk, "rating_id": a.rating_id, "state": a.state, "reasons": a.reasons,
            "decision_reasons": a.decision_reasons}


@router.post("/approvals/ratings/{rating_id}/appeal", response={201: ApprovalRatingAppealOut, 400: Error, 403: Error,
                                                               **ERRORS})
def file_appeal(request: HttpRequest, path: Path[ApprovalRatingPath], payload: ApprovalRatingAppealIn) -> Any:
    user = business_reader(request)
    return _act(lambda **kw: _appeal_out(actions.do_file_appeal(**kw)), 201, actor=user, rating_id=path.rating_id,
                reasons=payload.reasons)


@router.post("/approvals/ratings/appeals/{appeal_id}/decision", response={200: ApprovalRatingAppealOut, 400: Error,
                                                                         403: Error, **ERRORS})
def decide_appeal(request: HttpRequest, path: Path[ApprovalRatingAppealPath], payload: ApprovalRatingDecisionIn) -> Any:
    """复核 by the approval service office; needs ``"confirm": true``, the 400 names the effect."""
    user = business_reader(request)
    return _act(lambda **kw: _appeal_out(actions.do_decide_appeal(**kw)), actor=user, appeal_id=path.appeal_id,
                uphold=payload.uphold, reasons=payload.reasons, confirm=payload.confirm)
