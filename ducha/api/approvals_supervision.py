"""Administrative approval over the API: electronic supervision (电子监察, S3.3), under the board's
rules: the approval service office, the city-wide offices and the leaders read every department,
a department's people their own; anyone else gets a 404. The supervision office opens a card's
efficiency case with ``"confirm": true``."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from django.http import Http404, HttpRequest
from ninja import Field, Path, Query, Router, Schema, Status

from ducha.api.common import ERRORS, keyset_page, refuse
from ducha.api.schemas import AfterId, Error, RowId, UnitRef
from ducha.approvals import actions_supervision as actions
from ducha.approvals.board import board_rows, filter_cards, visible_cards
from ducha.approvals.models import Card
from ducha.org.access import business_reader
from ducha.workcal import service as workcal

router = Router(tags=["approvals"])
_RELATED = ("application__version", "step__step", "unit")
CONFIRM_CASE = "true to open it: an efficiency case (slow action) against the card's department; once per card"


class ApprovalBoardRowOut(Schema):
    unit: UnitRef
    running: int = Field(description="open applications the department handles")
    yellow_month: int
    red_month: int
    yellow_year: int
    red_year: int
    yellow_running: int = Field(description="yellow cards on applications still open")
    red_running: int = Field(description="red cards on applications still open")


class ApprovalBoardOut(Schema):
    today: date
    departments: list[ApprovalBoardRowOut]


class ApprovalCardOut(Schema):
    id: int
    colour: Literal["yellow", "red"]
    issued_on: date
    unit: UnitRef = Field(description="the department the card was issued to")
    application_id: int
    receipt_number: str
    item: str = Field(description="the item's name")
    application_state: str
    step_id: int | None = Field(description="the step record; null: the application as a whole")
    step: str = Field(description="the step's order and action; empty for the application")
    limit_days: int = Field(description="working days allowed")
    used_days: int = Field(description="working days used when the card was issued")
    case_id: int | None = Field(description="the efficiency case it opened")


class ApprovalCardPage(Schema):
    items: list[ApprovalCardOut]
    next_after: int | None


class ApprovalCardFilters(Schema):
    unit: RowId | None = Field(None, description="one department")
    colour: Literal["yellow", "red"] | None = None
    period: Literal["month", "year", "running", "all"] = Field(
        "all", description="issued this month, this year, on applications still open, or all")
    after: AfterId | None = None
    limit: int = Field(50, ge=1, le=200)


class ApprovalCardPath(Schema):
    card_id: RowId


class ApprovalCardCaseIn(Schema):
    confirm: bool = Field(False, description=CONFIRM_CASE)


class ApprovalCardCaseOut(Schema):
    case_id: int
    state: str
    card: ApprovalCardOut


def card_out(c: Card) -> dict[str, Any]:
    step = c.step
    return {"id": c.pk, "colour": c.colour, "issued_on": c.issued_on, "unit": c.unit,
            "application_id": c.application_id, "receipt_number": c.application.receipt_number,
            "item": c.application.version.name, "application_state": c.application.state,
            "step_id": c.step_id, "step": f"{step.step.order}. {step.step.action}" if step else "",
            "limit_days": c.limit_days, "used_days": c.used_days, "case_id": c.case_id}


@router.get("/approvals/supervision/board", response={200: ApprovalBoardOut, **ERRORS})
def get_board(request: HttpRequest) -> Any:
    """Per department in the caller's scope: its open applications and its cards this month,
    this year and on applications still open."""
    user = business_reader(request)
    today = workcal.today()
    return {"today": today, "departments": [
        {"unit": {"id": r.unit_id, "name": r.name}, **{k: v for k, v in r.as_dict().items()
                                                        if k not in ("unit_id", "name")}}
        for r in board_rows(user, today)]}


@router.get("/approvals/supervision/cards", response={200: ApprovalCardPage, **ERRORS})
def list_cards(request: HttpRequest, filters: Query[ApprovalCardFilters]) -> Any:
    user = business_reader(request)
    qs = filter_cards(visible_cards(user), today=workcal.today(), unit_id=filters.unit, colour=filters.colour or "",
                      period=filters.period).select_related(*_RELATED)
    rows, next_after = keyset_page(qs, filters.after, filters.limit)
    return {"items": [card_out(c) for c in rows], "next_after": next_after}


@router.post("/approvals/supervision/cards/{card_id}/case",
             response={201: ApprovalCardCaseOut, 400: Error, 403: Error, **ERRORS})
def open_case(request: HttpRequest, path: Path[ApprovalCardPath], payload: ApprovalCardCaseIn) -> Any:
    """Open the card's efficiency case (效能问题线索, source approval_card) in one step, once: the
    supervision office. Needs ``"confirm": true``; without it the 400 names the effect."""
    user = business_reader(request)
    if not visible_cards(user).filter(pk=path.card_id).exists():
        raise Http404("no such card")
    try:
        case = actions.do_open_case_from_card(actor=user, card_id=path.card_id, confirm=payload.confirm)
    except actions.NotYours as e:
        return refuse(403, e.errors)
    except actions.SupervisionError as e:
        return refuse(400, e.errors)
    card = Card.objects.select_related(*_RELATED).get(pk=path.card_id)
    return Status(201, {"case_id": case.pk, "state": case.state, "card": card_out(card)})
