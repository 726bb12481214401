"""Announcements (S1.14 half-yearly exposure, S1.16 accountability announcement) and the quarter's
special supervision proposal (S1.14) over the API, under the pages' rules: the supervision office
drafts, edits, submits and issues; the named approver approves or returns; everyone who reads
business data reads an issued announcement; the city-wide offices read a quarter's proposal with
why each matter is in it, and the supervision office opens its round."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema, Status

from ducha.accountability import actions_announce as act
from ducha.accountability.access import registers
from ducha.accountability.actions import AccountabilityError, NotYours
from ducha.accountability.announce import (
    access_announcement_by_id,
    candidate_cases,
    candidate_records,
    visible_announcements,
)
from ducha.accountability.announce_models import Announcement, AnnouncementKind
from ducha.accountability.rounds import sees_all_rounds
from ducha.accountability.special_rounds import do_open_special_round, open_effect, proposal, round_of
from ducha.api.accountability_rounds import RoundOut, round_out
from ducha.api.common import BINARY, DOCX, ERRORS, PDF, keyset_page, refuse, stored_file
from ducha.api.schemas import AfterId, Error, PersonRef, RowId, UnitRef
from ducha.org.access import business_reader
from ducha.rules.periods import Period
from ducha.workcal import service as workcal

router = Router(tags=["accountability"])

HALF_PATTERN = r"^[12][0-9]{3}-[Hh][12]$"
QUARTER_PATTERN = r"^[12][0-9]{3}-[Qq][1-4]$"


class AnnouncedItemOut(Schema):
    id: int
    position: int
    case_id: int | None = Field(description="the efficiency case (exposure)")
    record_id: int | None = Field(description="the accountability record (accountability announcement)")
    unit: UnitRef
    text: str = Field(description="the paragraph as it will be (or was) published")
    name_unit: bool
    name_people: bool


class AnnouncementOut(Schema):
    id: int
    kind: str = Field(description="exposure (典型案例曝光) or accountability (问责情况通报)")
    period: str = Field(description="the half-year, 2026-H2")
    title: str
    opening: str
    state: str = Field(description="draft, submitted, approved or issued")
    returned_reason: str = Field(description="why the approver returned it, while it is a draft again")
    approver: PersonRef | None
    approved_at: Any = Field(None, description="when it was approved")
    number: str = Field(description="the document number once issued")
    issued_on: date | None
    files: dict[str, str] = Field(description="docx and pdf: the path of each rendered file")
    render_error: str
    items: list[AnnouncedItemOut]


class AnnouncementPage(Schema):
    items: list[AnnouncementOut]
    next_after: int | None


class AnnouncementFilters(Schema):
    after: AfterId | None = None
    limit: int = Field(30, ge=1, le=100)


class CandidateQuery(Schema):
    kind: str = Field(pattern="^(exposure|accountability)$")
    period: str = Field(pattern=HALF_PATTERN)


class AnnouncementCandidateOut(Schema):
    id: int = Field(description="the case (exposure) or record (accountability) to pass in ids")
    unit: UnitRef
    summary: str
    on: date = Field(description="when the case was opened or the record decided")


class AnnouncementIn(Schema):
    kind: str = Field(pattern="^(exposure|accountability)$")
    period: str = Field(pattern=HALF_PATTERN)
    ids: list[RowId] = Field(min_length=1, max_length=50)


class ItemEditIn(Schema):
    id: RowId
    text: str = Field(max_length=2000)
    name_unit: bool
    name_people: bool
    remove: bool = False


class AnnouncementEditIn(Schema):
    opening: str = Field(max_length=2000)
    items: list[ItemEditIn] = Field(max_length=50)


class DecisionIn(Schema):
    approve: bool
    reason: str = Field("", max_length=2000, description="why it is returned (needed when approve is false)")


class ConfirmIn(Schema):
    confirm: bool = Field(False, description="must be true: the document is numbered and goes out to every unit; "
                                             "cannot be undone")


class AnnouncementPath(Schema):
    announcement_id: RowId


class AnnouncementFilePath(Schema):
    announcement_id: RowId
    fmt: str = Field(pattern="^(docx|pdf)$")


class QuarterPath(Schema):
    quarter: str = Field(pattern=QUARTER_PATTERN)


class QuarterMissedNodeOut(Schema):
    title: str
    due: date


class ProposedOut(Schema):
    matter_id: int
    number: str
    title: str
    unit_id: int
    unit_name: str
    progress: int = Field(description="percent recorded by the quarter's last day")
    elapsed_percent: int | None = Field(description="share of the matter's working time elapsed by then")
    behind_share: bool = Field(description="progress below the elapsed share")
    missed: list[QuarterMissedNodeOut] = Field(description="time nodes due by then and not done")


class QuarterProposalOut(Schema):
    quarter: str
    judged_on: date = Field(description="the quarter's last day, as of which each matter is judged")
    proposed: list[ProposedOut]
    round_id: int | None = Field(description="the special round opened from it, if any")


class QuarterOpenIn(ConfirmIn):
    pass


def _out(ann: Announcement) -> dict[str, Any]:
    items = []
    for i in ann.items.select_related("case__unit", "record__unit").order_by("position", "id"):
        source = i.case if i.case is not None else i.record
        assert source is not None
        items.append({"id": i.pk, "position": i.position, "case_id": i.case_id, "record_id": i.record_id,
                      "unit": source.unit, "text": i.text, "name_unit": i.name_unit, "name_people": i.name_people})
    files = {fmt: reverse("api:announcement_file", kwargs={"announcement_id": ann.pk, "fmt": fmt})
             for fmt, stored in (("docx", ann.docx), ("pdf", ann.pdf)) if stored}
    return {"id": ann.pk, "kind": ann.kind, "period": ann.period, "title": ann.title, "opening": ann.opening,
            "state": ann.state, "returned_reason": ann.returned_reason, "approver": ann.approver,
            "approved_at": ann.approved_at, "number": ann.number, "issued_on": ann.issued_on, "files": files,
            "render_error": ann.render_error, "items": items}


def _step(user: Any, ann_id: int, step: Any) -> Any:
    ann = access_announcement_by_id(user, ann_id)
    try:
        step(ann)
    except NotYours as e:
        return refuse(403, e.errors)
    except AccountabilityError as e:
        return refuse(400, e.errors)
    return _out(access_announcement_by_id(user, ann_id))


@router.get("/accountability/announcements", response={200: AnnouncementPage, **ERRORS})
def list_announcements(request: HttpRequest, filters: Query[AnnouncementFilters]) -> Any:
    """Announcements the caller may read: the office every one, the approver those submitted
    to them, everyone else the issued ones."""
    rows, next_after = keyset_page(visible_announcements(business_reader(request)), filters.after, filters.limit)
    return {"items": [_out(a) for a in rows], "next_after": next_after}


@router.get("/accountability/announcements/candidates", response={200: list[AnnouncementCandidateOut], 403: Error, **ERRORS})
def announcement_candidates(request: HttpRequest, query: Query[CandidateQuery]) -> Any:
    """What may go into a half-year's announcement: cases confirmed in it and not exposed yet, or
    standing records decided in it and not announced yet (the supervision office)."""
    if not registers(business_reader(request)):
        return refuse(403, _("Only the supervision office drafts and issues announcements."))
    period = Period.parse(query.period)
    if query.kind == AnnouncementKind.EXPOSURE:
        return [{"id": c.pk, "unit": c.unit, "summary": c.summary, "on": c.opened_at.date()}
                for c in candidate_cases(period)]
    return [{"id": r.pk, "unit": r.unit, "summary": r.reason, "on": r.decided_on} for r in candidate_records(period)]


@router.post("/accountability/announcements", response={201: AnnouncementOut, 400: Error, 403: Error, **ERRORS})
def draft_announcement(request: HttpRequest, payload: AnnouncementIn) -> Any:
    """Draft an announcement of the chosen candidates; each paragraph is drafted with the
    settings' publication defaults (units named, people not)."""
    user = business_reader(request)
    try:
        ann = act.do_draft_announcement(actor=user, kind=payload.kind, period_key=payload.period.upper(),
                                        ids=tuple(payload.ids))
    except NotYours as e:
        return refuse(403, e.errors)
    except AccountabilityError as e:
        return refuse(400, e.errors)
    return Status(201, _out(ann))


@router.get("/accountability/announcements/{announcement_id}", response={200: AnnouncementOut, **ERRORS})
def get_announcement(request: HttpRequest, path: Path[AnnouncementPath]) -> Any:
    return _out(access_announcement_by_id(business_reader(request), path.announcement_id))


@router.put("/accountability/announcements/{announcement_id}",
            response={200: AnnouncementOut, 400: Error, 403: Error, **ERRORS})
def edit_announcement(request: HttpRequest, path: Path[AnnouncementPath], payload: AnnouncementEditIn) -> Any:
    """Change a draft: the opening, each item's text and what it names, or leave items out. An item
    whose choices change with its text as drafted is drafted again."""
    user = business_reader(request)
    edits = [act.ItemEdit(i.id, i.text, i.name_unit, i.name_people, i.remove) for i in payload.items]
    return _step(user, path.announcement_id,
                 lambda ann: act.do_edit_announcement(actor=user, ann=ann, opening=payload.opening, edits=edits))


@router.post("/accountability/announcements/{announcement_id}/submit",
             response={200: AnnouncementOut, 400: Error, 403: Error, **ERRORS})
def submit_announcement(request: HttpRequest, path: Path[AnnouncementPath]) -> Any:
    """Send the draft to the named approver; refused while an item's text names what it should not."""
    user = business_reader(request)
    return _step(user, path.announcement_id, lambda ann: act.do_submit_announcement(actor=user, ann=ann))


@router.post("/accountability/announcements/{announcement_id}/decision",
             response={200: AnnouncementOut, 400: Error, 403: Error, **ERRORS})
def decide_announcement(request: HttpRequest, path: Path[AnnouncementPath], payload: DecisionIn) -> Any:
    """The approver approves, or returns the draft to the office with the reason."""
    user = business_reader(request)
    return _step(user, path.announcement_id, lambda ann: act.do_decide_announcement(
        actor=user, ann=ann, approve=payload.approve, reason=payload.reason))


@router.post("/accountability/announcements/{announcement_id}/issue",
             response={200: AnnouncementOut, 400: Error, 403: Error, **ERRORS})
def issue_announcement(request: HttpRequest, path: Path[AnnouncementPath], payload: ConfirmIn) -> Any:
    """Issue the approved announcement as a numbered document to every unit. Needs
    ``"confirm": true``; without it the 400 names the number and the units it would go to."""
    user = business_reader(request)
    ann = access_announcement_by_id(user, path.announcement_id)
    if not registers(user):
        return refuse(403, _("Only the supervision office drafts and issues announcements."))
    if not payload.confirm:
        return refuse(400, {"confirm": _("Nothing was issued. Confirm it: %(effect)s") % {
            "effect": act.issue_effect(ann, workcal.today())}})
    return _step(user, ann.pk, lambda a: act.do_issue_announcement(actor=user, ann=a))


@router.post("/accountability/announcements/{announcement_id}/render",
             response={200: AnnouncementOut, 400: Error, 403: Error, **ERRORS})
def render_announcement(request: HttpRequest, path: Path[AnnouncementPath]) -> Any:
    """Render the issued document's files again after a failure (see ``render_error``)."""
    user = business_reader(request)
    return _step(user, path.announcement_id, lambda ann: act.do_render_announcement(actor=user, ann=ann))


@router.get("/accountability/announcements/{announcement_id}/files/{fmt}", response={**ERRORS},
            url_name="announcement_file", openapi_extra={"responses": {200: {
                "description": "the announcement (GB/T 9704-2012 layout)",
                "content": {"application/pdf": BINARY, DOCX: BINARY}}}})
def announcement_file(request: HttpRequest, path: Path[AnnouncementFilePath]) -> Any:
    ann = access_announcement_by_id(business_reader(request), path.announcement_id)
    return stored_file(ann.docx if path.fmt == "docx" else ann.pdf, filename=f"{ann.number}.{path.fmt}",
                       content_type=PDF if path.fmt == "pdf" else DOCX, download=path.fmt == "docx")


def _quarter(text: str) -> Period:
    return Period.parse(text.upper())


@router.get("/accountability/quarters/{quarter}/special-supervision",
            response={200: QuarterProposalOut, 403: Error, **ERRORS})
def quarter_proposal(request: HttpRequest, path: Path[QuarterPath]) -> Any:
    """每季度专项督查: the key-work matters behind at the quarter's end, each with its progress,
    the share of its working time elapsed and the time nodes missed (the city-wide offices).
    Empty until the quarter is over."""
    if not sees_all_rounds(business_reader(request)):
        return refuse(403, _("The quarter's proposal is for the city-wide offices."))
    quarter = _quarter(path.quarter)
    opened = round_of(quarter)
    return {"quarter": quarter.key, "judged_on": quarter.end, "round_id": opened.pk if opened else None,
            "proposed": [{"matter_id": p.matter_id, "number": p.number, "title": p.title, "unit_id": p.unit_id,
                          "unit_name": p.unit_name, "progress": p.progress, "elapsed_percent": p.elapsed_percent,
                          "behind_share": p.behind_share,
                          "missed": [{"title": n.title, "due": n.due} for n in p.missed]}
                         for p in proposal(quarter, workcal.today())]}


@router.post("/accountability/quarters/{quarter}/special-supervision",
             response={201: RoundOut, 400: Error, 403: Error, **ERRORS})
def open_quarter_round(request: HttpRequest, path: Path[QuarterPath], payload: QuarterOpenIn) -> Any:
    """Open the quarter's special round from its proposal in one step (the supervision office).
    Needs ``"confirm": true``: the units in its scope see the round."""
    user = business_reader(request)
    if not registers(user):
        return refuse(403, _("Only the supervision office opens supervision rounds."))
    quarter = _quarter(path.quarter)
    today = workcal.today()
    if not payload.confirm:
        return refuse(400, {"confirm": _("Nothing was opened. Confirm it: %(effect)s") % {
            "effect": open_effect(quarter, proposal(quarter, today), today)}})
    try:
        row = do_open_special_round(actor=user, quarter=quarter, today=today)
    except AccountabilityError as e:
        return refuse(400, e.errors)
    return Status(201, round_out(row, user))
