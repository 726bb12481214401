"""The shapes of the REST API (OpenAPI 3 at /api/openapi.json)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Annotated

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
    classified: bool = False


class TransitionIn(Schema):
    action: ActionCode
    reason: str = Field(default="", max_length=2000)
