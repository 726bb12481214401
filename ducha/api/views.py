"""REST API under the same permissions as the pages: session login, unit scope, 404 outside it.

Lists page by keyset (``after`` = last id seen), so page 100 costs what page 1 costs.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.http import Http404, HttpRequest
from ninja import Field, NinjaAPI, Query, Schema, Status
from ninja.errors import ValidationError
from ninja.security import django_auth

from ducha.api import (
    accountability,
    accountability_announce,
    accountability_cases,
    accountability_rounds,
    approvals_applications,
    approvals_catalogue,
    approvals_handling,
    approvals_ratings,
    approvals_supervision,
    awards,
    bulletins,
    burden,
    calendar,
    classified,
    closes,
    evaluation,
    evidence,
    inbox,
    key_tasks,
    lawful,
    ledger,
    letter_proposals,
    letters,
    rates,
    reports,
    staffeval,
)
from ducha.api.common import keyset_page
from ducha.api.schemas import (
    MAX_YEAR,
    MIN_YEAR,
    AfterId,
    Error,
    MatterDetailOut,
    MatterIn,
    MatterPage,
    RowId,
    StatusCode,
    TransitionIn,
    UnitOut,
)
from ducha.matters.access import access_matter_by_id, visible_matters
from ducha.matters.actions import (
    ConcurrentChange,
    CoUnitInput,
    MatterError,
    MatterInput,
    do_create_matter,
    do_transition_matter,
)
from ducha.matters.models import Matter
from ducha.org.access import visible_units
from ducha.workcal.service import today

api = NinjaAPI(
    title="ducha API",
    version="1",
    description="督查督办平台 REST API. Session authentication; every list is limited to the caller's units.",
    auth=django_auth,
    urls_namespace="api",
)

ERRORS = {401: Error, 404: Error, 422: Error}
# Monthly reports, rates and the ledger live in their own modules, mounted here on the one API.
# Month closes (S2.8) first: /reports/closes must not be taken for /reports/{report_id}.
api.add_router("", closes.router)
api.add_router("", reports.router)
api.add_router("", rates.router)
api.add_router("", ledger.router)
api.add_router("", calendar.router)
# Letters, letter proposals, the inbox, reminders and bulletins: the same scope as their pages.
api.add_router("", letters.router)
api.add_router("", letter_proposals.router)
api.add_router("", inbox.router)
api.add_router("", bulletins.router)
# Evidence files of report lines and completion claims (佐证材料).
api.add_router("", evidence.router)
# S5.2: a classified matter's reference number alone.
api.add_router("", classified.router)
api.add_router("", key_tasks.router)
api.add_router("", accountability.router)
api.add_router("", accountability_cases.router)
api.add_router("", accountability_rounds.router)
api.add_router("", accountability_announce.router)
# S1.12: the government work innovation award.
api.add_router("", awards.router)
# S1.6: the half-yearly lawful-administration check.
api.add_router("", lawful.router)
# S2.8 减负: what the platform asked of each unit in a month (never a score).
api.add_router("", burden.router)
# S2.5, S6.2: a unit's internal ledger, monthly reviews and year-end staff evaluation.
api.add_router("", staffeval.router)
# S3.1–S3.5: administrative approval: the catalogue, applications, electronic supervision.
api.add_router("", approvals_catalogue.router)
api.add_router("", approvals_applications.router)
api.add_router("", approvals_handling.router)
api.add_router("", approvals_supervision.router)
api.add_router("", approvals_ratings.router)
# S6.1–S6.3: the performance evaluation.
api.add_router("", evaluation.router)


class MatterFilters(Schema):
    year: int | None = Field(None, ge=MIN_YEAR, le=MAX_YEAR)
    status: StatusCode | None = None
    lead_unit: RowId | None = None
    overdue: bool | None = None
    after: AfterId | None = None
    limit: int = 50


@api.get("/units", response={200: list[UnitOut], **ERRORS}, tags=["organisation"])
def list_units(request: HttpRequest) -> Any:
    return list(visible_units(request.user))


@api.get("/matters", response={200: MatterPage, **ERRORS}, tags=["matters"])
def list_matters(request: HttpRequest, filters: Query[MatterFilters]) -> Any:
    limit = max(1, min(filters.limit, 200))
    qs = visible_matters(request.user).select_related("lead_unit", "responsible_leader").order_by("id")
    if filters.year is not None:
        qs = qs.filter(year=filters.year)
    if filters.status is not None:
        qs = qs.filter(status=filters.status)
    if filters.lead_unit is not None:
        qs = qs.filter(lead_unit_id=filters.lead_unit)
    if filters.overdue:
        qs = qs.filter(status__in=["assigned", "in_progress"], due_date__lt=today())
    items, next_after = keyset_page(qs, filters.after, limit)
    return {"items": items, "next_after": next_after}


def _detail(request: HttpRequest, matter_id: RowId) -> Matter:
    matter = access_matter_by_id(request.user, matter_id)
    matter.co_units = list(matter.co_parts.select_related("unit"))  # type: ignore[attr-defined]
    return matter


@api.get("/matters/{matter_id}", response={200: MatterDetailOut, **ERRORS}, tags=["matters"])
def get_matter(request: HttpRequest, matter_id: RowId) -> Any:
    return _detail(request, matter_id)


@api.post("/matters", response={201: MatterDetailOut, 400: Error, 403: Error, **ERRORS}, tags=["matters"])
def create_matter(request: HttpRequest, payload: MatterIn) -> Any:
    data = MatterInput(
        **payload.dict(exclude={"co_units"}),
        co_units=[CoUnitInput(unit_id=c.unit_id, part=c.part, due_date=c.due_date) for c in payload.co_units],
    )
    try:
        with transaction.atomic():
            matter = do_create_matter(actor=request.user, data=data)  # type: ignore[arg-type]
    except MatterError as e:
        status = 403 if "__all__" in e.errors and "只有" in e.errors["__all__"] else 400
        return Status(status, {"detail": str(e), "errors": e.errors})
    # A draft is the supervision office's; the general office that registered it gets it back here.
    matter.co_units = list(matter.co_parts.select_related("unit"))  # type: ignore[attr-defined]
    return Status(201, matter)


@api.post(
    "/matters/{matter_id}/transitions",
    response={200: MatterDetailOut, 400: Error, 403: Error, 409: Error, **ERRORS},
    tags=["matters"],
)
def transition_matter(request: HttpRequest, matter_id: RowId, payload: TransitionIn) -> Any:
    try:
        do_transition_matter(actor=request.user, matter_id=matter_id, action=payload.action.value,  # type: ignore[arg-type]
                             reason=payload.reason, explanation=payload.explanation)
    except ConcurrentChange as e:
        return Status(409, {"detail": str(e), "errors": e.errors})
    except MatterError as e:
        return Status(400, {"detail": str(e), "errors": e.errors})
    return _detail(request, matter_id)


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> Any:
    return api.create_response(request, {"detail": "Not found", "errors": {}}, status=404)



@api.exception_handler(ValidationError)
def invalid(request: HttpRequest, exc: ValidationError) -> Any:
    errors = {".".join(str(p) for p in e.get("loc", ())): str(e.get("msg", "")) for e in exc.errors}
    return api.create_response(request, {"detail": "Invalid input", "errors": errors}, status=422)
