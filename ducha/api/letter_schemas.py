"""The shapes of the reminder letter (提醒函, S1.4, S1.5) and letter proposal endpoints."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from ninja import Field, Schema

from ducha.api.schemas import MatterRef, PersonRef, RowId, UnitRef
from ducha.letters.models import LetterKind, LetterReason, RoleChoice
from ducha.rules.escalation import LetterReason as ProposalReason

LetterKindCode = LetterKind
LetterReasonCode = LetterReason
AddresseeRoleCode = RoleChoice
ProposalReasonCode = ProposalReason

# The action's own check of the form token (ducha.letters.actions._validate_draft).
TOKEN_PATTERN = r"^[A-Za-z0-9-]{16,64}$"
CONFIRM_TEXT = (
    "must be true: a sent letter goes out to the addressee, the leaders it is reported to and the units "
    "copied, is numbered and counted against the addressee (S6.1), and cannot be taken back. Without it the "
    "answer is 400 naming who the letter would go to."
)


class Box(StrEnum):
    """Which letters: those addressed to the caller (or its unit), those its unit sent, or all it may read."""

    RECEIVED = "received"
    SENT = "sent"
    ALL = "all"


class AddresseeOut(Schema):
    role: AddresseeRoleCode = Field(description="to (主送), report (报) or cc (抄送)")
    label: str = Field(description="as printed on the letter")
    unit: UnitRef | None
    person: PersonRef | None
    mandatory: bool = Field(description="required by the rules; the sender cannot remove it")
    read_at: datetime | None = Field(description="first opened by this addressee (签收); null: not yet")
    read_by: PersonRef | None


class LetterOut(Schema):
    id: int
    number: str = Field(description="发文字号, e.g. 宛发改函〔2026〕3号")
    kind: LetterKindCode
    reason: LetterReasonCode
    matter: MatterRef
    from_unit: UnitRef
    to_unit: UnitRef
    title: str
    sent_on: date = Field(description="the date of the letter (成文日期); counted by this date")
    unread: bool = Field(description="addressed to the caller (or its unit) and not yet signed for")


class LetterDetailOut(LetterOut):
    body: str
    due_date: date | None = Field(description="the part's or request's time limit when the letter was sent")
    overdue_workdays: int
    silent_workdays: int
    sent_by: PersonRef
    sent_at: datetime
    addressees: list[AddresseeOut]
    files: dict[str, str] = Field(description="docx and pdf: the path of each rendered file")
    render_error: str = Field(description="why the files could not be rendered; empty when they were")


class LetterPage(Schema):
    items: list[LetterOut]
    next_after: int | None = Field(description="pass as `after` to get the next page; null on the last page")


class ReceiptOut(Schema):
    signed: int = Field(description="addressee rows signed for by this call (0: already signed, or not an addressee)")
    letter: LetterDetailOut


class PartFactsOut(Schema):
    """How slow the co-unit is today, by the reminder engine's rule, in working days."""

    overdue_workdays: int
    silent_workdays: int = Field(description="working days since the part's last progress update")
    last_update: date | None
    reasons: list[ProposalReasonCode] = Field(description="the engine's reasons that hold today; empty: not slow")


class ProposalOut(Schema):
    """A co-unit the engine found slow and the lead unit has not yet written to nor dismissed."""

    co_part_id: int
    part: str
    matter: MatterRef
    from_unit: UnitRef
    to_unit: UnitRef
    due_date: date
    proposed_at: datetime = Field(description="when the engine first proposed a letter")
    facts: PartFactsOut


class RequestOut(Schema):
    """A request the unit submitted to the city government (报请事项, S1.5) still being handled."""

    matter: MatterRef
    lead_unit: UnitRef
    due_date: date | None
    overdue_workdays: int
    stalled: bool = Field(description="past its time limit: a letter to the general office may be sent")
    requester_inferred: bool = Field(description="the requesting unit was read from the reference, not recorded")


class ProposalsOut(Schema):
    unit: UnitRef | None = Field(description="the caller's unit; null for the supervision office, which reads all")
    read_only: bool
    proposals: list[ProposalOut]
    requests: list[RequestOut]
    truncated: bool = Field(description="more than the first 500 open proposals exist")
    problem: str = Field(description="why the facts could not be worked out (the calendar); empty when they were")


class DismissIn(Schema):
    reason: str = Field(min_length=4, max_length=500, description="why no letter is sent (不发函理由)")


class DismissOut(Schema):
    dismissed: int = Field(description="open proposals of the part settled as dismissed")


class PlannedAddresseeOut(Schema):
    role: AddresseeRoleCode
    label: str
    mandatory: bool


class DraftOut(Schema):
    """The letter as the form would prefill it: nothing is sent by reading this."""

    kind: LetterKindCode
    matter: MatterRef
    from_unit: UnitRef
    to_unit: UnitRef | None
    title: str = Field(description="the prefilled title; empty when no letter is due")
    body: str = Field(description="the prefilled text; edit it before sending")
    addressees: list[PlannedAddresseeOut] = Field(description="who the letter goes to; more copies may be added")
    facts: PartFactsOut | None = Field(description="S1.4: how slow the co-unit is; null for a request")
    request: RequestOut | None = Field(description="S1.5: the request; null for a co-unit letter")
    can_send: bool
    problem: str = Field(description="why it cannot be sent now; empty when it can")
    token: str = Field(description="a fresh token to send with; the same token twice sends one letter")


class SendIn(Schema):
    title: str = Field(min_length=1, max_length=200)
    body: str = Field(min_length=1, max_length=20000)
    extra_cc: list[RowId] = Field(default_factory=list, max_length=50, description="more units to copy (抄送)")
    token: str | None = Field(None, pattern=TOKEN_PATTERN, description=(
        "makes a retried send safe: a second send with the same token returns the letter already sent; "
        "omitted, a new one is made"))
    confirm: bool = Field(False, description=CONFIRM_TEXT)
