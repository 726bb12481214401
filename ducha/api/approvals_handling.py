"""Administrative approval over the API: an accepted application's handling (S3.3, S3.4).

The clock (``GET …/clock``) is computed, never stored: the accepted date, the statutory and the
promised due dates, the working days excluded (行政许可法 art. 45) and added (art. 42), and each
step's state and due day, with the explanation of how the due day was reached. A department
finishes its own steps; the clock is paused and resumed, extended (``"confirm": true``) and the
application decided (``"confirm": true``: the decision goes to the applicant) under the pages'
rules. A joint application (S3.4) is received with the items reviewed together.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Field, Path, Router, Schema, Status

from ducha.api.common import ERRORS, refuse
from ducha.api.schemas import Error, RowId, UnitRef
from ducha.approvals import actions_handling as actions
from ducha.approvals import joint
from ducha.approvals.access import access_application_by_id
from ducha.approvals.clock import clock_fields, joint_versions, limits_of
from ducha.approvals.joint import combined_materials, fee_sheet
from ducha.approvals.models import Application, Document, PauseReason
from ducha.org.access import business_reader
from ducha.workcal import service as workcal

router = Router(tags=["approvals"])
CONFIRM_EXTEND = "true to extend: once only; the reasons are told to the applicant"
CONFIRM_DECIDE = "true to decide: the numbered decision goes to the applicant and cannot be taken back"
CONFIRM_PAUSE = "true to stop the clock: the written notice to the applicant is recorded"


class ApprovalHandlingStepOut(Schema):
    id: int
    department: UnitRef
    item: str = Field(description="the code of the item whose flow the step belongs to")
    order: int = Field(description="steps of the same item sharing an order run in parallel")
    action: str
    state: str = Field(description="waiting (未开始), running (办理中) or done (已完成)")
    started_on: date | None
    finished_on: date | None
    limit: int = Field(description="working days")
    due: date | None = Field(description="None while the step waits, or while a pause runs")
    used: int
    left: int
    overdue: bool
    opinion: str
    handled_by: str | None


class ApprovalHandlingPauseOut(Schema):
    start: date = Field(description="the day the applicant was told; the clock stops from the next working day")
    end: date | None = Field(description="None while it runs")


class ApprovalHandlingClockOut(Schema):
    application_id: int
    receipt_number: str
    state: str
    joint: bool
    today: date
    accepted_on: date | None = Field(description="None before 受理: the clock has not started")
    deemed_accepted: bool = Field(description="accepted by law as of receipt (art. 32)")
    decided_on: date | None = Field(description="the clock stops on this day")
    statutory_days: int | None = Field(description="the statutory limit before the extension (joint: 45)")
    promised_days: int | None
    limit: int | None = Field(description="statutory days plus the extension")
    due_date: date | None = Field(description="accepted + limit + excluded working days; None while a pause runs")
    promised_due_date: date | None
    paused_workdays: int = Field(description="working days not counted (art. 45)")
    extension_workdays: int = Field(description="working days added (art. 42)")
    extension_approved_by: str
    extension_approved_on: date | None
    extension_reason: str
    running_pause: bool
    used: int
    left: int | None = Field(description="negative when overdue")
    promised_used: int
    promised_left: int | None
    overdue: bool
    promised_overdue: bool
    explanation: str = Field(description="how the due date was computed, with the numbers")
    steps: list[ApprovalHandlingStepOut]
    pauses: list[ApprovalHandlingPauseOut]


class ApprovalHandlingPath(Schema):
    application_id: RowId


class ApprovalHandlingStepPath(Schema):
    application_id: RowId
    step_id: RowId


class ApprovalHandlingFinishIn(Schema):
    opinion: str = Field(max_length=2000, description="the department's opinion (审查意见)")


class ApprovalHandlingPauseIn(Schema):
    reason: str = Field(description="one of art. 45's periods: " + ", ".join(PauseReason.values))
    expected_days: int = Field(ge=1, le=actions.MAX_PAUSE_DAYS, description="working days it is expected to take")
    notice_text: str = Field(max_length=2000, description="the written notice to the applicant")
    confirm: bool = Field(False, description=CONFIRM_PAUSE)


class ApprovalHandlingResumeIn(Schema):
    note: str = Field("", max_length=2000)


class ApprovalHandlingExtendIn(Schema):
    days: int = Field(ge=1, le=100, description="at most 10 working days, joint handling 15 (art. 42)")
    reason: str = Field(max_length=2000, description="the reasons, told to the applicant")
    approved_by: str = Field(max_length=100, description="the organ head, or for joint handling the same-level "
                                                         "government's head, who approved it")
    approved_on: date
    confirm: bool = Field(False, description=CONFIRM_EXTEND)


class ApprovalHandlingDecideIn(Schema):
    grant: bool = Field(description="true: 准予行政许可; false: 不予行政许可")
    reasons: str = Field("", max_length=2000, description="required for a refusal (art. 38)")
    confirm: bool = Field(False, description=CONFIRM_DECIDE)


class ApprovalHandlingDecisionOut(Schema):
    document_id: int
    kind: str = Field(description="grant (准予行政许可决定书) or refusal (不予行政许可决定书)")
    number: str = Field(description="the document number from the register")
    issued_on: date
    clock: ApprovalHandlingClockOut


class ApprovalHandlingJointIn(Schema):
    item_code: str = Field(max_length=40, description="the lead item's code (its version in force today)")
    member_item_codes: list[str] = Field(min_length=1, max_length=30,
                                         description="the other items reviewed together")
    provincial_key: bool = Field(False, description="a provincial key project")
    city_key: bool = Field(False, description="a municipal key project")
    investment: Decimal | None = Field(None, ge=0, max_digits=16, decimal_places=2, description="yuan")
    designated: bool = Field(False, description="designated by the city for joint approval")
    area_id: RowId | None = Field(None, description="the applicant's county or zone; none: the city")
    applicant_name: str = Field(max_length=200)
    applicant_id: str = Field(max_length=40, description="身份证号 or 统一社会信用代码")
    applicant_phone: str = Field(max_length=20)
    project: str = Field("", max_length=200)
    materials_handed_in: list[RowId] = Field(default_factory=list, max_length=500,
                                             description="material ids of any of the items; a shared one counts once")
    channel: str = Field("window", description="window or portal")


class ApprovalHandlingMaterialOut(Schema):
    code: str
    name: str
    required: bool
    copies: int
    items: list[str] = Field(description="the codes of the items that need it")


class ApprovalHandlingFeeOut(Schema):
    item: str
    item_name: str
    name: str
    amount: str = Field(description="yuan")
    basis: str


class ApprovalHandlingJointOut(Schema):
    application_id: int
    receipt_number: str
    joint_reason: str = Field(description="key_provincial, key_city, investment or designated")
    items: list[str] = Field(description="the lead item's code first, then the others")
    statutory_days: int = Field(description="45 working days (art. 42 ¶2)")
    materials: list[ApprovalHandlingMaterialOut] = Field(description="the one combined list: each material once")
    fees: list[ApprovalHandlingFeeOut] = Field(description="the one fee sheet, itemised")
    fee_total: str = Field(description="yuan")


def clock_out(app: Application) -> dict[str, Any]:
    app.refresh_from_db()
    return clock_fields(app, workcal.today())


def _refused(step: Callable[[], object]) -> Any:
    try:
        step()
    except actions.NotYours as e:
        return refuse(403, e.errors)
    except actions.HandlingError as e:
        return refuse(400, e.errors)
    return None


@router.get("/approvals/applications/{application_id}/clock", response={200: ApprovalHandlingClockOut, **ERRORS})
def get_clock(request: HttpRequest, path: Path[ApprovalHandlingPath]) -> Any:
    """The application's clocks and steps, computed today, with how the due date was reached:
    accepted + limit + excluded working days (art. 45) + extension (art. 42)."""
    user = business_reader(request)
    return clock_out(access_application_by_id(user, path.application_id))


@router.post("/approvals/applications/{application_id}/steps/{step_id}/finish",
             response={200: ApprovalHandlingClockOut, 400: Error, 403: Error, **ERRORS})
def finish_step(request: HttpRequest, path: Path[ApprovalHandlingStepPath], payload: ApprovalHandlingFinishIn) -> Any:
    """The department finishes its running step; the next order starts when its order is done."""
    user = business_reader(request)
    app = access_application_by_id(user, path.application_id)
    if not app.steps.filter(pk=path.step_id).exists():
        return refuse(404, {"step": "No such step of this application."})
    refused = _refused(lambda: actions.do_finish_step(actor=user, step_id=path.step_id, opinion=payload.opinion))
    return refused or clock_out(app)


@router.post("/approvals/applications/{application_id}/pause",
             response={200: ApprovalHandlingClockOut, 400: Error, 403: Error, **ERRORS})
def pause(request: HttpRequest, path: Path[ApprovalHandlingPath], payload: ApprovalHandlingPauseIn) -> Any:
    """Stop the clock for a period art. 45 excludes, with the written notice to the applicant.
    Needs ``"confirm": true``; without it the 400 names the effect."""
    user = business_reader(request)
    app = access_application_by_id(user, path.application_id)
    refused = _refused(lambda: actions.do_start_pause(
        actor=user, application_id=app.pk, reason=payload.reason, expected_days=payload.expected_days,
        notice_text=payload.notice_text, confirm=payload.confirm))
    return refused or clock_out(app)


@router.post("/approvals/applications/{application_id}/resume",
             response={200: ApprovalHandlingClockOut, 400: Error, 403: Error, **ERRORS})
def resume(request: HttpRequest, path: Path[ApprovalHandlingPath], payload: ApprovalHandlingResumeIn) -> Any:
    """End the running pause: the clock counts again from the next working day."""
    user = business_reader(request)
    app = access_application_by_id(user, path.application_id)
    refused = _refused(lambda: actions.do_end_pause(actor=user, application_id=app.pk, note=payload.note))
    return refused or clock_out(app)


@router.post("/approvals/applications/{application_id}/extend",
             response={200: ApprovalHandlingClockOut, 400: Error, 403: Error, **ERRORS})
def extend(request: HttpRequest, path: Path[ApprovalHandlingPath], payload: ApprovalHandlingExtendIn) -> Any:
    """Extend the period once (art. 42: +10, joint +15) with the named authority's approval,
    before the statutory period ends. Needs ``"confirm": true``."""
    user = business_reader(request)
    app = access_application_by_id(user, path.application_id)
    refused = _refused(lambda: actions.do_extend(
        actor=user, application_id=app.pk, days=payload.days, reason=payload.reason,
        approved_by=payload.approved_by, approved_on=payload.approved_on, confirm=payload.confirm))
    return refused or clock_out(app)


@router.post("/approvals/applications/{application_id}/decide",
             response={201: ApprovalHandlingDecisionOut, 400: Error, 403: Error, **ERRORS})
def decide(request: HttpRequest, path: Path[ApprovalHandlingPath], payload: ApprovalHandlingDecideIn) -> Any:
    """准予 or 不予行政许可 once every step is done; the numbered decision is issued. Needs
    ``"confirm": true``."""
    user = business_reader(request)
    app = access_application_by_id(user, path.application_id)
    made: list[Document] = []
    refused = _refused(lambda: made.append(actions.do_decide(
        actor=user, application_id=app.pk, grant=payload.grant, reasons=payload.reasons, confirm=payload.confirm)))
    if refused:
        return refused
    doc = made[0]
    return Status(201, {"document_id": doc.pk, "kind": doc.kind, "number": doc.number, "issued_on": doc.issued_on,
                        "clock": clock_out(app)})


def joint_out(app: Application) -> dict[str, Any]:
    versions = joint_versions(app)
    lines, total = fee_sheet(versions)
    return {"application_id": app.pk, "receipt_number": app.receipt_number, "joint_reason": app.joint_reason,
            "items": [v.item.code for v in versions], "statutory_days": limits_of(app)[0],
            "materials": [{"code": c.code, "name": c.material.name, "required": c.required, "copies": c.copies,
                           "items": c.items} for c in combined_materials(versions)],
            "fees": [{"item": ln.item, "item_name": ln.item_name, "name": ln.name, "amount": str(ln.amount),
                      "basis": ln.basis} for ln in lines], "fee_total": str(total)}


@router.post("/approvals/joint-applications",
             response={201: ApprovalHandlingJointOut, 400: Error, 403: Error, **ERRORS})
def receive_joint(request: HttpRequest, payload: ApprovalHandlingJointIn) -> Any:
    """Receive a joint application (S3.4) at the window: a provincial or municipal key project, an
    investment at or above ``DUCHA_APPROVAL_JOINT_INVESTMENT`` yuan, or designated by the city. One
    combined materials list, one fee sheet, one decision; 45 working days."""
    user = business_reader(request)
    try:
        app = joint.do_receive_joint_application(
            actor=user, item_code=payload.item_code, member_item_codes=payload.member_item_codes,
            provincial_key=payload.provincial_key, city_key=payload.city_key, investment=payload.investment,
            designated=payload.designated, materials_handed_in=payload.materials_handed_in,
            area_id=payload.area_id, applicant_name=payload.applicant_name, applicant_id=payload.applicant_id,
            applicant_phone=payload.applicant_phone, project=payload.project, channel=payload.channel)
    except joint.JointNotYours as e:
        return refuse(403, e.errors)
    except joint.JointError as e:
        return refuse(400, e.errors)
    return Status(201, joint_out(app))
