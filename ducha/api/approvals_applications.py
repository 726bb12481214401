"""Administrative approval over the API: the window's part of an application (S3.3; 行政许可法
art. 32) under the pages' rules. The approval service office's window staff receive, check,
give the one-time notice (``"confirm": true``: it goes to the applicant), record 补正, accept,
refuse to accept (``"confirm": true``), hand over first-contact responsibility and withdraw at
the applicant's request; everyone reads the applications of their scope
(``access.visible_applications``), anything else is a 404.

``GET /approvals/applications/{receipt_number}`` answers where an application stands: its state,
the days received and accepted, whether it was accepted by law and why, the materials check's
last day, and, once accepted, the decision clock and each step (``approvals.clock``)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from django.db.models import Q
from django.http import HttpRequest
from ninja import Field, Path, Query, Router, Schema, Status

from ducha.api.common import ERRORS, keyset_page, refuse
from ducha.api.schemas import AfterId, Error, PersonRef, RowId, UnitRef
from ducha.approvals import actions_intake as act
from ducha.approvals import intake
from ducha.approvals.access import access_application_by_id, access_application_by_receipt, visible_applications
from ducha.approvals.models import Application, ApplicationState, Channel, Event, MaterialState
from ducha.org.access import business_reader
from ducha.workcal import service as workcal

router = Router(tags=["approvals"])
CONFIRM_NOTICE = "true to give it: the numbered one-time notice goes to the applicant"
CONFIRM_REFUSE = "true to refuse: the numbered decision not to accept goes to the applicant; it cannot be undone"
CONFIRM_WITHDRAW = "true to end the application at the applicant's request; it cannot be undone"


class ApprovalWindowMaterialOut(Schema):
    material_id: int = Field(description="the catalogue material's id")
    code: str
    name: str
    required: bool
    state: str = Field(description="pending (待审查), ok (齐全), missing (缺少) or wrong (不符合法定形式)")
    problem: str
    submitted_on: date | None = Field(description="the day last handed in")


class ApprovalWindowNoticeOut(Schema):
    sequence: int
    given_on: date
    items: list[dict[str, Any]] = Field(description="each material named: material, code, name, state, problem")


class ApprovalWindowDocumentOut(Schema):
    id: int
    kind: str
    number: str
    issued_on: date
    rendered: bool


class ApprovalApplicationOut(Schema):
    id: int
    receipt_number: str
    item: str = Field(description="the item's code")
    item_name: str
    version: int
    state: str
    channel: str
    applicant_name: str
    project: str
    handling_unit: UnitRef
    area: UnitRef | None
    first_officer: PersonRef = Field(description="首问负责: answers the applicant until the application ends")
    received_on: date
    accepted_on: date | None
    deemed_accepted: bool = Field(description="accepted by law (art. 32): no notice within the check's five "
                                              "working days")
    deemed_reason: str | None = Field(description="why, in words, when accepted by law")
    check_deadline: date | None = Field(description="the last day for a one-time notice or acceptance while the "
                                                    "materials check runs (art. 32)")
    check_explanation: str
    decided_on: date | None
    materials: list[ApprovalWindowMaterialOut]
    notices: list[ApprovalWindowNoticeOut]
    documents: list[ApprovalWindowDocumentOut]
    # filled in once accepted, by the decision clock (approvals.clock.clock_fields)
    due_date: date | None = Field(None, description="the statutory due day (art. 42), None before acceptance or "
                                                    "while a pause runs")
    promised_due_date: date | None = Field(None, description="the promised (承诺) due day")
    paused_workdays: int = Field(0, description="working days excluded (art. 45)")
    extension_workdays: int = Field(0, description="working days added by an approved extension (art. 42)")
    steps: list[dict[str, Any]] = Field(default_factory=list, description="each flow step with its state and clock")


class ApprovalApplicationPage(Schema):
    items: list[ApprovalApplicationOut]
    next_after: int | None


class ApprovalApplicationFilters(Schema):
    state: ApplicationState | None = None
    q: str | None = Field(None, max_length=60, description="a receipt number, an applicant's name or ID")
    after: AfterId | None = None
    limit: int = Field(20, ge=1, le=50)


class ApprovalWindowReceiveIn(Schema):
    item_code: str = Field(max_length=40)
    area_id: RowId | None = Field(None, description="the applicant's county, district or zone; none: the city")
    applicant_name: str = Field(max_length=200)
    applicant_id: str = Field(max_length=40, description="18-character 身份证号 or 统一社会信用代码")
    applicant_phone: str = Field(max_length=20, description="11-digit mobile number")
    project: str = Field("", max_length=200)
    materials_handed_in: list[RowId] = Field(default_factory=list, max_length=200,
                                             description="ids of the item's materials handed in")
    channel: Channel = Channel.WINDOW


class ApprovalWindowCheckLine(Schema):
    material_id: RowId
    state: MaterialState
    problem: str = Field("", max_length=300, description="what is wrong; required for wrong")


class ApprovalWindowCheckIn(Schema):
    results: list[ApprovalWindowCheckLine] = Field(max_length=200)


class ApprovalWindowNoticeIn(Schema):
    confirm: bool = Field(False, description=CONFIRM_NOTICE)


class ApprovalWindowSubmitIn(Schema):
    material_ids: list[RowId] = Field(max_length=200)


class ApprovalWindowAcceptIn(Schema):
    pass


class ApprovalWindowRefuseIn(Schema):
    reasons: str = Field(max_length=2000)
    confirm: bool = Field(False, description=CONFIRM_REFUSE)


class ApprovalWindowHandOverIn(Schema):
    to_user_id: RowId
    reason: str = Field(max_length=2000)


class ApprovalWindowWithdrawIn(Schema):
    reason: str = Field(max_length=2000)
    confirm: bool = Field(False, description=CONFIRM_WITHDRAW)


class ApprovalApplicationPath(Schema):
    application_id: RowId


class ApprovalReceiptPath(Schema):
    receipt_number: str = Field(max_length=40)


def _handling_fields(app: Application, today: date) -> dict[str, Any]:
    """The decision clock's fields, from the handling part when it is installed."""
    try:
        from ducha.approvals.clock import clock_fields
    except ImportError:
        return {}
    fields = clock_fields(app, today)
    keys = ("due_date", "promised_due_date", "paused_workdays", "extension_workdays", "steps")
    return {k: fields[k] for k in keys if k in fields and fields[k] is not None}


def application_out(app: Application, today: date | None = None) -> dict[str, Any]:
    today = today or workcal.today()
    clock = intake.check_clock(app)
    under_check = app.state in (ApplicationState.RECEIVED, ApplicationState.NOTIFIED)
    deemed = Event.objects.filter(application=app, kind="deemed_accepted").values_list("detail", flat=True).first()
    out: dict[str, Any] = {
        "id": app.pk, "receipt_number": app.receipt_number, "item": app.version.item.code,
        "item_name": app.version.name, "version": app.version.version, "state": app.state, "channel": app.channel,
        "applicant_name": app.applicant_name, "project": app.project, "handling_unit": app.handling_unit,
        "area": app.area, "first_officer": app.first_officer, "received_on": app.received_on,
        "accepted_on": app.accepted_on, "deemed_accepted": app.deemed_accepted,
        "deemed_reason": deemed.get("reason") if deemed else None,
        "check_deadline": clock.deadline if under_check else None,
        "check_explanation": clock.words() if under_check else "", "decided_on": app.decided_on,
        "materials": [{"material_id": r.material_id, "code": r.material.code, "name": r.material.name,
                       "required": r.material.required, "state": r.state, "problem": r.problem,
                       "submitted_on": r.submitted_on}
                      for r in app.materials.select_related("material").order_by("material__position", "id")],
        "notices": [{"sequence": n.sequence, "given_on": n.given_on, "items": n.items}
                    for n in app.notices.order_by("sequence")],
        "documents": [{"id": d.pk, "kind": d.kind, "number": d.number, "issued_on": d.issued_on,
                       "rendered": bool(d.pdf)} for d in app.documents.order_by("issued_on", "id")],
    }
    if app.accepted_on is not None:
        out.update(_handling_fields(app, today))
    return out


def _refused(step: Callable[[], object]) -> Any:
    try:
        step()
    except act.NotYours as e:
        return refuse(403, e.errors)
    except act.IntakeError as e:
        return refuse(400, e.errors)
    return None


def _after(request: HttpRequest, application_id: int, step: Callable[[], object], status: int = 200) -> Any:
    refused = _refused(step)
    if refused:
        return refused
    app = access_application_by_id(business_reader(request), application_id)
    return Status(status, application_out(app))


@router.post("/approvals/applications", response={201: ApprovalApplicationOut, 400: Error, 403: Error, **ERRORS})
def receive_application(request: HttpRequest, payload: ApprovalWindowReceiveIn) -> Any:
    """收件 (the window): an item of the published catalogue in force today only (S3.1); the
    area's delegation decides the handling unit (S3.5); the caller becomes the first-contact officer."""
    user = business_reader(request)
    made: list[Application] = []
    refused = _refused(lambda: made.append(act.do_receive_application(
        actor=user, item_code=payload.item_code, area_id=payload.area_id, applicant_name=payload.applicant_name,
        applicant_id=payload.applicant_id, applicant_phone=payload.applicant_phone, project=payload.project,
        materials_handed_in=payload.materials_handed_in, channel=payload.channel)))
    return refused or Status(201, application_out(made[0]))


@router.get("/approvals/applications", response={200: ApprovalApplicationPage, **ERRORS})
def list_applications(request: HttpRequest, filters: Query[ApprovalApplicationFilters]) -> Any:
    qs = visible_applications(business_reader(request)).select_related(
        "version__item", "handling_unit", "area", "first_officer")
    if filters.state:
        qs = qs.filter(state=filters.state)
    if filters.q and filters.q.strip():
        q = filters.q.strip()
        qs = qs.filter(Q(receipt_number__icontains=q) | Q(applicant_name__icontains=q) | Q(applicant_id=q.upper()))
    rows, next_after = keyset_page(qs, filters.after, filters.limit)
    today = workcal.today()
    return {"items": [application_out(a, today) for a in rows], "next_after": next_after}


@router.get("/approvals/applications/{receipt_number}", response={200: ApprovalApplicationOut, **ERRORS})
def get_application(request: HttpRequest, path: Path[ApprovalReceiptPath]) -> Any:
    """Where the application stands, by its receipt number."""
    return application_out(access_application_by_receipt(business_reader(request), path.receipt_number))


@router.post("/approvals/applications/{application_id}/check",
             response={200: ApprovalApplicationOut, 400: Error, 403: Error, **ERRORS})
def check_materials(request: HttpRequest, path: Path[ApprovalApplicationPath], payload: ApprovalWindowCheckIn) -> Any:
    """Record the materials check: ok, missing, or wrong with what is wrong."""
    user = business_reader(request)
    app = access_application_by_id(user, path.application_id)
    results = {line.material_id: (str(line.state), line.problem) for line in payload.results}
    return _after(request, app.pk, lambda: act.do_check_materials(actor=user, application_id=app.pk, results=results))


@router.post("/approvals/applications/{application_id}/notice",
             response={200: ApprovalApplicationOut, 400: Error, 403: Error, **ERRORS})
def give_notice(request: HttpRequest, path: Path[ApprovalApplicationPath], payload: ApprovalWindowNoticeIn) -> Any:
    """一次性告知 (art. 32): every required material missing or wrong, at once. Needs ``"confirm": true``."""
    user = business_reader(request)
    app = access_application_by_id(user, path.application_id)
    return _after(request, app.pk, lambda: act.do_give_notice(actor=user, application_id=app.pk,
                                                              confirm=payload.confirm))


@router.post("/approvals/applications/{application_id}/materials",
             response={200: ApprovalApplicationOut, 400: Error, 403: Error, **ERRORS})
def submit_materials(request: HttpRequest, path: Path[ApprovalApplicationPath], payload: ApprovalWindowSubmitIn) -> Any:
    """补正: materials handed in (again) go back to the check."""
    user = business_reader(request)
    app = access_application_by_id(user, path.application_id)
    return _after(request, app.pk, lambda: act.do_submit_materials(actor=user, application_id=app.pk,
                                                                   material_ids=payload.material_ids))


@router.post("/approvals/applications/{application_id}/accept",
             response={200: ApprovalApplicationOut, 400: Error, 403: Error, **ERRORS})
def accept(request: HttpRequest, path: Path[ApprovalApplicationPath], payload: ApprovalWindowAcceptIn) -> Any:
    """受理: every required material complete; the 受理通知书 is issued and the flow starts."""
    user = business_reader(request)
    app = access_application_by_id(user, path.application_id)
    return _after(request, app.pk, lambda: act.do_accept(actor=user, application_id=app.pk))


@router.post("/approvals/applications/{application_id}/refuse",
             response={200: ApprovalApplicationOut, 400: Error, 403: Error, **ERRORS})
def refuse_to_accept(request: HttpRequest, path: Path[ApprovalApplicationPath], payload: ApprovalWindowRefuseIn) -> Any:
    """不予受理 with reasons and the right of appeal. Needs ``"confirm": true``."""
    user = business_reader(request)
    app = access_application_by_id(user, path.application_id)
    return _after(request, app.pk, lambda: act.do_refuse_to_accept(
        actor=user, application_id=app.pk, reasons=payload.reasons, confirm=payload.confirm))


@router.post("/approvals/applications/{application_id}/hand-over",
             response={200: ApprovalApplicationOut, 400: Error, 403: Error, **ERRORS})
def hand_over(request: HttpRequest, path: Path[ApprovalApplicationPath], payload: ApprovalWindowHandOverIn) -> Any:
    """First-contact responsibility to another window officer (the current one or the office's administrator)."""
    user = business_reader(request)
    app = access_application_by_id(user, path.application_id)
    return _after(request, app.pk, lambda: act.do_hand_over(actor=user, application_id=app.pk,
                                                            to_user_id=payload.to_user_id, reason=payload.reason))


@router.post("/approvals/applications/{application_id}/withdraw",
             response={200: ApprovalApplicationOut, 400: Error, 403: Error, **ERRORS})
def withdraw(request: HttpRequest, path: Path[ApprovalApplicationPath], payload: ApprovalWindowWithdrawIn) -> Any:
    """撤回 at the applicant's request, made at the window. Needs ``"confirm": true``."""
    user = business_reader(request)
    app = access_application_by_id(user, path.application_id)
    return _after(request, app.pk, lambda: act.do_withdraw(actor=user, application_id=app.pk, reason=payload.reason,
                                                           confirm=payload.confirm))
