"""The shapes of the REST API (OpenAPI 3 at /api/openapi.json)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any

from django.utils.translation import gettext as _
from ninja import Field, Schema

from ducha.matters.models import Source, Status
from ducha.org.models import UnitKind

# Ids as the databases store them: SQLite's INTEGER holds at most 2**63 - 1. A larger number
# is no row of ours and is refused as invalid input (422) before it reaches the database.
MAX_ROW_ID = 2**63 - 1
RowId = Annotated[int, Field(ge=1, le=MAX_ROW_ID)]
AfterId = Annotated[int, Field(ge=0, le=MAX_ROW_ID, description="the last id of the previous page")]
# The years a matter, report or ledger may belong to (the calendar holds 2004 on).
MIN_YEAR, MAX_YEAR = 1000, 2999

# The model's own choices become the schema's enums, so the document cannot drift from the data.
SourceCode = Source
StatusCode = Status
UnitKindCode = UnitKind


class ActionCode(StrEnum):
    """The lifecycle table's actions (ducha.rules.lifecycle.TRANSITIONS); a test keeps them equal."""

    ASSIGN = "assign"
    START = "start"
    CLAIM = "claim"
    CLOSE = "close"
    RETURN = "return"
    SUSPEND = "suspend"
    RESUME = "resume"


class Error(Schema):
    detail: str
    errors: dict[str, str] = Field(default_factory=dict)


class UnitRef(Schema):
    id: int
    name: str


class PersonRef(Schema):
    id: int
    name: str


class MatterRef(Schema):
    id: int
    number: str
    title: str


class UnitOut(Schema):
    id: int
    code: str
    name: str
    short_name: str
    kind: UnitKindCode


class CoUnitOut(Schema):
    unit: UnitRef
    part: str
    due_date: date
    progress: int = Field(ge=0, le=100)
    done_on: date | None


PROVISIONAL_TEXT = (
    "true while the date was counted over a year without a State Council holiday notice: worked out from "
    "the statutory holidays (暂定) and recomputed, with the move recorded, when the notice is imported"
)


class DeadlineOut(Schema):
    """A time limit counted in working days (S1.13) and how it was counted."""

    basis_date: date = Field(description="the day of receipt; counting starts the day after it (民法典 第二百零一条)")
    workdays: int
    due_date: date | None = Field(description="null while the calendar does not reach it (时限待确认)")
    provisional: bool = Field(description=PROVISIONAL_TEXT)
    explanation: str


def deadline_explanation(basis_date: date, workdays: int, due_date: date | None, provisional: bool) -> str:
    """The count in words, as a person checking the date by hand would say it."""
    facts = {"received": basis_date.isoformat(), "n": workdays}
    if due_date is None:
        return _("Received on %(received)s (that day not counted), %(n)s working days: the working-day "
                 "calendar does not reach that far yet, so the deadline is pending.") % facts
    text = _("Received on %(received)s (that day not counted), %(n)s working days: due on %(due)s") % {
        **facts, "due": due_date.isoformat()}
    if provisional:
        text += _("; provisional: the holidays of that year are not announced yet, so the count uses the "
                  "statutory holidays and is redone once they are")
    return text


class MatterOut(Schema):
    id: int
    number: str
    year: int
    title: str
    source: SourceCode
    status: StatusCode
    lead_unit: UnitRef
    responsible_leader: PersonRef
    start_date: date
    due_date: date | None = Field(description="null while the calendar year is not loaded (时限待确认)")
    due_provisional: bool = Field(description=PROVISIONAL_TEXT)
    progress: int = Field(ge=0, le=100)
    last_progress_on: date | None
    completed_on: date | None
    closed_on: date | None


class MatterDetailOut(MatterOut):
    source_ref: str
    goal: str
    projects: str
    standard: str
    target_quantity: Decimal | None
    target_unit: str
    qualitative_standard: str
    instruction_text: str
    co_units: list[CoUnitOut]
    deadline: DeadlineOut | None = Field(
        description="the S1.13 time limit in working days of a unit's request, with how it was counted; "
        "null for a matter whose due date is given"
    )

    @staticmethod
    def resolve_deadline(obj: Any) -> dict[str, Any] | None:
        d = getattr(obj, "workday_deadline", None)
        if d is None:
            return None
        return {"basis_date": d.basis_date, "workdays": d.workdays, "due_date": d.due_date,
                "provisional": d.provisional,
                "explanation": deadline_explanation(d.basis_date, d.workdays, d.due_date, d.provisional)}


class MatterPage(Schema):
    items: list[MatterOut]
    next_after: int | None = Field(description="pass as `after` to get the next page; null on the last page")


class CoUnitIn(Schema):
    unit_id: RowId
    part: str = Field(min_length=1, max_length=2000)
    due_date: date


class MatterIn(Schema):
    title: str = Field(min_length=1, max_length=200)
    source: SourceCode
    lead_unit_id: RowId
    responsible_leader_id: RowId
    start_date: date
    due_date: date | None = None
    goal: str = Field(min_length=1, max_length=5000)
    source_ref: str = Field(default="", max_length=120)
    instruction_text: str = Field(default="", max_length=5000)
    projects: str = Field(default="", max_length=5000)
    standard: str = Field(default="", max_length=5000)
    target_quantity: Decimal | None = Field(default=None, gt=0, max_digits=14, decimal_places=2)
    target_unit: str = Field(default="", max_length=20)
    qualitative_standard: str = Field(default="", max_length=5000)
    proposer: str = Field(default="", max_length=60)
    co_units: list[CoUnitIn] = Field(default_factory=list, max_length=50)
    milestones: int = Field(default=0, ge=0, le=24)
    classified: bool = Field(
        default=False,
        description="true is refused (S5.2): register a classified matter's reference number alone with "
                    "POST /api/classified-matters, which requires `reference` and nothing else")
    requesting_unit_id: RowId | None = Field(
        default=None, description="S1.5: the unit that submitted a unit_request; it can then read the matter")


class TransitionIn(Schema):
    action: ActionCode
    reason: str = Field(default="", max_length=2000)
    explanation: str = Field(default="", max_length=2000,
                             description="a claim below 100 % progress: why the matter is complete anyway")
