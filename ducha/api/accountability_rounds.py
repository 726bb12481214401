"""Supervision rounds (督查, S2.6) over the API, under the round pages' rules: the city-wide
offices read every round, its inspectors theirs, a unit (or its vice mayor) an announced round
of its scope, and an unannounced one only once issued, with its own findings only then. The
supervision office opens and issues rounds; it and the round's inspectors record findings; a
unit reports its rectification done."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema, Status

from ducha.accountability import actions_rounds
from ducha.accountability.access import registers
from ducha.accountability.actions import AccountabilityError, NotYours
from ducha.accountability.rounds import access_round_by_id, visible_findings, visible_rounds
from ducha.accountability.rounds_models import Round
from ducha.api.common import BINARY, DOCX, ERRORS, PDF, keyset_page, refuse, stored_file
from ducha.api.schemas import AfterId, Error, MatterRef, PersonRef, RowId, UnitRef
from ducha.matters.actions_rectify import RectifyError, do_report_rectified
from ducha.org.access import business_reader
from ducha.org.models import User

router = Router(tags=["accountability"])


class RoundRectificationOut(Schema):
    id: int
    due_date: date
    rectified_on: date | None


class FindingOut(Schema):
    id: int
    unit: UnitRef
    matter: MatterRef | None
    problem: str
    rectify_workdays: int | None
    rectification: RoundRectificationOut | None


class RoundOut(Schema):
    id: int
    title: str
    regularity: str = Field(description="regular (定期) or irregular (不定期)")
    focus: str = Field(description="central (集中) or follow_up (跟踪)")
    breadth: str = Field(description="comprehensive (综合) or special (专项)")
    openness: str = Field(description="open (明察) or unannounced (暗访)")
    theme: str
    starts_on: date
    ends_on: date
    units: list[UnitRef]
    inspectors: list[PersonRef]
    state: str = Field(description="open or issued")
    matters: list[MatterRef] = Field(description="matters in the scope besides the units (a quarter's special round)")
    number: str = Field(description="the 督查通报's document number once issued (宛督〔2026〕N号); empty before")
    files: dict[str, str] = Field(description="docx and pdf: the path of each rendered file of the 督查通报")
    render_error: str = Field(description="why the files could not be rendered; empty when they were")
    findings: list[FindingOut] = Field(description="those the caller may read")


class RoundPage(Schema):
    items: list[RoundOut]
    next_after: int | None


class RoundFilters(Schema):
    after: AfterId | None = None
    limit: int = Field(30, ge=1, le=100)


class RoundIn(Schema):
    title: str = Field(max_length=200)
    regularity: str
    focus: str
    breadth: str
    openness: str
    theme: str = Field("", max_length=200)
    starts_on: date
    ends_on: date
    unit_ids: list[RowId] = Field(min_length=1)
    inspector_ids: list[RowId] = Field(min_length=1)


class FindingIn(Schema):
    unit_id: RowId
    problem: str = Field(max_length=2000)
    matter_id: RowId | None = None
    rectify_workdays: int | None = Field(None, ge=1, le=120, description="working days from the issue; needs a matter")


class RoundPath(Schema):
    round_id: RowId


class RoundFilePath(Schema):
    round_id: RowId
    fmt: str = Field(pattern="^(docx|pdf)$")


class RoundIssueIn(Schema):
    confirm: bool = Field(False, description="must be true: the findings go out to the units concerned in a "
                                             "numbered 督查通报, and rectifications are demanded; cannot be undone")


class RectificationPath(Schema):
    rectification_id: RowId


class RectifiedIn(Schema):
    note: str = Field(max_length=2000)


def round_out(r: Round, user: User) -> dict[str, Any]:
    return {"id": r.pk, "title": r.title, "regularity": r.regularity, "focus": r.focus, "breadth": r.breadth,
            "openness": r.openness, "theme": r.theme, "starts_on": r.starts_on, "ends_on": r.ends_on,
            "units": list(r.units.all()), "inspectors": list(r.inspectors.all()), "state": r.state,
            "matters": list(r.matters.order_by("number")), "number": r.number, "render_error": r.render_error,
            "files": {fmt: reverse("api:round_file", kwargs={"round_id": r.pk, "fmt": fmt})
                      for fmt, stored in (("docx", r.docx), ("pdf", r.pdf)) if stored},
            "findings": [{"id": f.pk, "unit": f.unit, "matter": f.matter, "problem": f.problem,
                          "rectify_workdays": f.rectify_workdays, "rectification": f.rectification}
                         for f in visible_findings(user, r)]}


def _refused(step: Callable[[], object]) -> Any:
    try:
        step()
    except NotYours as e:
        return refuse(403, e.errors)
    except AccountabilityError as e:
        return refuse(400, e.errors)
    return None


@router.get("/accountability/rounds", response={200: RoundPage, **ERRORS})
def list_rounds(request: HttpRequest, filters: Query[RoundFilters]) -> Any:
    user = business_reader(request)
    rows, next_after = keyset_page(visible_rounds(user), filters.after, filters.limit)
    return {"items": [round_out(r, user) for r in rows], "next_after": next_after}


@router.post("/accountability/rounds", response={201: RoundOut, 400: Error, 403: Error, **ERRORS})
def open_round(request: HttpRequest, payload: RoundIn) -> Any:
    user = business_reader(request)
    made: list[Round] = []
    refused = _refused(lambda: made.append(actions_rounds.do_open_round(actor=user, data=actions_rounds.RoundInput(
        title=payload.title, regularity=payload.regularity, focus=payload.focus, breadth=payload.breadth,
        openness=payload.openness, theme=payload.theme, starts_on=payload.starts_on, ends_on=payload.ends_on,
        unit_ids=tuple(payload.unit_ids), inspector_ids=tuple(payload.inspector_ids)))))
    return refused or Status(201, round_out(made[0], user))


@router.get("/accountability/rounds/{round_id}", response={200: RoundOut, **ERRORS})
def get_round(request: HttpRequest, path: Path[RoundPath]) -> Any:
    user = business_reader(request)
    return round_out(access_round_by_id(user, path.round_id), user)


@router.post("/accountability/rounds/{round_id}/findings", response={200: RoundOut, 400: Error, 403: Error, **ERRORS})
def record_finding(request: HttpRequest, path: Path[RoundPath], payload: FindingIn) -> Any:
    user = business_reader(request)
    row = access_round_by_id(user, path.round_id)
    refused = _refused(lambda: actions_rounds.do_record_finding(actor=user, round_=row, data=actions_rounds.FindingInput(
        unit_id=payload.unit_id, problem=payload.problem, matter_id=payload.matter_id,
        rectify_workdays=payload.rectify_workdays)))
    return refused or round_out(row, user)


@router.post("/accountability/rounds/{round_id}/issue", response={200: RoundOut, 400: Error, 403: Error, **ERRORS})
def issue_round(request: HttpRequest, path: Path[RoundPath], payload: RoundIssueIn) -> Any:
    """Issue the round's findings (the supervision office) in a numbered 督查通报: each rectification
    demanded gets its due date in working days from today; the units concerned are told. Cannot
    be undone; needs ``"confirm": true``, and without it the 400 says what it would do."""
    user = business_reader(request)
    row = access_round_by_id(user, path.round_id)
    if not payload.confirm:
        if not registers(user):
            return refuse(403, _("Only the supervision office issues a round's findings."))
        return refuse(400, {"confirm": _("Nothing was issued. Confirm it: %(effect)s") % {
            "effect": actions_rounds.issue_effect(row)}})
    refused = _refused(lambda: actions_rounds.do_issue_round(actor=user, round_=row))
    row.refresh_from_db()
    return refused or round_out(row, user)


@router.post("/accountability/rounds/{round_id}/render", response={200: RoundOut, 400: Error, 403: Error, **ERRORS})
def render_round(request: HttpRequest, path: Path[RoundPath]) -> Any:
    """Render the 督查通报's files again after a failure (see ``render_error``)."""
    user = business_reader(request)
    row = access_round_by_id(user, path.round_id)
    refused = _refused(lambda: actions_rounds.do_render_round(actor=user, round_=row))
    row.refresh_from_db()
    return refused or round_out(row, user)


@router.get("/accountability/rounds/{round_id}/files/{fmt}", response={**ERRORS}, url_name="round_file",
            openapi_extra={"responses": {200: {"description": "the 督查通报 (GB/T 9704-2012 layout)",
                                               "content": {"application/pdf": BINARY, DOCX: BINARY}}}})
def round_file(request: HttpRequest, path: Path[RoundFilePath]) -> Any:
    """The round's 督查通报 as .docx or PDF, for whoever reads the round; 404 until rendered."""
    row = access_round_by_id(business_reader(request), path.round_id)
    return stored_file(row.docx if path.fmt == "docx" else row.pdf, filename=f"{row.number}.{path.fmt}",
                       content_type=PDF if path.fmt == "pdf" else DOCX, download=path.fmt == "docx")


@router.post("/rectifications/{rectification_id}/done", response={200: RoundRectificationOut, 400: Error, 403: Error,
                                                             **ERRORS})
def report_rectified(request: HttpRequest, path: Path[RectificationPath], payload: RectifiedIn) -> Any:
    """The unit owing a rectification reports it done today (404 for anyone else)."""
    user = business_reader(request)
    try:
        rect = do_report_rectified(actor=user, rectification_id=path.rectification_id, note=payload.note)
    except RectifyError as e:
        return refuse(400, str(e))
    return rect
