"""The approval catalogue over the API (S3.1, S3.2, S3.5): the published catalogue is public,
readable without signing in (the public portal and other systems read it); drafts are the
approval service office's. The office creates items, saves drafts, publishes and withdraws
versions (publishing and withdrawing with ``"confirm": true``: applicants and departments are
affected). A refusal is a 400 naming each field, list rows as ``materials.3.code``."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Annotated, Any

from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema, Status

from ducha.api.common import ERRORS, invalid, refuse
from ducha.api.schemas import AfterId, Error, RowId, UnitRef
from ducha.approvals import actions_catalogue as actions
from ducha.approvals.access import edits_catalogue
from ducha.approvals.catalogue import delegations_by_area, flow_summary, published_catalogue
from ducha.approvals.catalogue_checks import (
    CODE,
    DelegationInput,
    FeeInput,
    MaterialInput,
    StepInput,
    VersionInput,
)
from ducha.approvals.models import HandlingLevel, Item, ItemKind, ItemVersion, MaterialForm, ServiceType, VersionState
from ducha.org.access import business_reader
from ducha.org.models import User
from ducha.workcal import service as workcal

router = Router(tags=["approvals"])
ItemCode = Annotated[str, Field(pattern=CODE.pattern, max_length=40, description="事项编码")]
Days = Annotated[int, Field(ge=0, le=3650, description="working days")]
Text = Annotated[str, Field(max_length=4000)]
# Days as ISO text: pydantic would also take a number of seconds since 1970 for a date.
DayText = Annotated[str, Field(pattern=r"^[12][0-9]{3}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$",
                               description="YYYY-MM-DD")]


def _day(text: str | None, field: str) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise invalid(field, "not a day of the calendar") from None


class ApprovalMaterialOut(Schema):
    position: int
    code: str = Field(description="the same code in two items is the same document")
    name: str
    required: bool
    form: MaterialForm
    copies: int
    sample: str
    note: str


class ApprovalFeeOut(Schema):
    name: str
    amount: str = Field(description="yuan, as a decimal text")
    basis: str


class ApprovalLevelOut(Schema):
    area: UnitRef
    level: HandlingLevel = Field(description="city (the handling department), area (delegated) or none")


class ApprovalStepOut(Schema):
    order: int = Field(description="steps sharing an order run in parallel")
    department: UnitRef
    action: str
    limit_days: int
    critical: bool = Field(description="the step that sets its order's time")


class ApprovalFlowOut(Schema):
    steps: list[ApprovalStepOut]
    critical_path_days: int
    promised_days: int
    fits: bool


class ApprovalPrerequisiteOut(Schema):
    code: str


class ApprovalItemSummary(Schema):
    code: str
    version: int
    name: str
    kind: ItemKind
    lead_department: UnitRef
    statutory_days: int
    promised_days: int
    joint: bool
    effective_from: date


class ApprovalItemOut(ApprovalItemSummary):
    state: VersionState
    legal_basis: str
    conditions: str
    service_type: ServiceType
    note: str
    fees: list[ApprovalFeeOut]
    materials: list[ApprovalMaterialOut]
    levels: list[ApprovalLevelOut] = Field(description="every county, district and zone; unlisted ones: city")
    prerequisites: list[ApprovalPrerequisiteOut]
    flow: ApprovalFlowOut


class ApprovalItemPage(Schema):
    items: list[ApprovalItemSummary]
    next_after: int | None = Field(description="pass as after for the next page; null on the last")


class ApprovalVersionSummary(Schema):
    version: int
    state: VersionState
    name: str
    effective_from: date
    note: str


class ApprovalCatalogueFilters(Schema):
    q: str = Field("", max_length=100, description="code, name or department")
    on: DayText | None = Field(None, description="the day the catalogue is read for; today when left out")
    after: AfterId | None = None
    limit: int = Field(50, ge=1, le=200)


class ApprovalItemPath(Schema):
    code: ItemCode


class ApprovalVersionPath(Schema):
    code: ItemCode
    version: int = Field(ge=1, le=99999)


class ApprovalVersionQuery(Schema):
    version: int | None = Field(None, ge=1, le=99999, description="a version; the one in force today when left out")


class ApprovalFeeIn(Schema):
    name: str = Field(max_length=200)
    amount: str = Field("0", max_length=20)
    basis: str = Field("", max_length=300)


class ApprovalMaterialIn(Schema):
    code: str = Field(max_length=40)
    name: str = Field(max_length=200)
    required: bool = True
    form: MaterialForm = MaterialForm.ORIGINAL
    copies: int = Field(1, ge=0, le=99)
    sample: str = Field("", max_length=200)
    note: str = Field("", max_length=300)


class ApprovalLevelIn(Schema):
    area_id: RowId
    level: HandlingLevel


class ApprovalStepIn(Schema):
    order: int = Field(ge=1, le=99)
    department_id: RowId
    action: str = Field(max_length=200)
    limit_days: Days


class ApprovalVersionIn(Schema):
    name: str = Field(max_length=200)
    kind: ItemKind
    legal_basis: Text
    lead_department_id: RowId
    statutory_days: Days
    promised_days: Days
    service_type: ServiceType = ServiceType.PROMISED
    conditions: Text = ""
    effective_from: DayText | None = Field(None, description="today when left out")
    joint: bool = False
    note: Text = ""
    fees: list[ApprovalFeeIn] = Field(default_factory=list, max_length=200)
    materials: list[ApprovalMaterialIn] = Field(default_factory=list, max_length=200)
    levels: list[ApprovalLevelIn] = Field(default_factory=list, max_length=200)
    prerequisites: list[ItemCode] = Field(default_factory=list, max_length=200)
    steps: list[ApprovalStepIn] = Field(default_factory=list, max_length=200)


class ApprovalItemIn(ApprovalVersionIn):
    code: ItemCode


class ApprovalConfirmIn(Schema):
    confirm: bool = Field(False, description="true to go ahead; without it the 400 says what it would do")


def _unit(u: Any) -> dict[str, Any]:
    return {"id": u.pk, "name": u.name}


def summary_out(v: ItemVersion) -> dict[str, Any]:
    return {"code": v.item.code, "version": v.version, "name": v.name, "kind": v.kind,
            "lead_department": _unit(v.lead_department), "statutory_days": v.statutory_days,
            "promised_days": v.promised_days, "joint": v.joint, "effective_from": v.effective_from}


def item_out(v: ItemVersion) -> dict[str, Any]:
    flow = flow_summary(v)
    critical = flow.critical_ids
    return {
        **summary_out(v), "state": v.state, "legal_basis": v.legal_basis, "conditions": v.conditions,
        "service_type": v.service_type, "note": v.note,
        "fees": [{"name": str(f.get("name", "")), "amount": str(f.get("amount", "0")), "basis": str(f.get("basis", ""))}
                 for f in v.fees],
        "materials": [{"position": m.position, "code": m.code, "name": m.name, "required": m.required, "form": m.form,
                       "copies": m.copies, "sample": m.sample, "note": m.note} for m in v.materials.order_by("position")],
        "levels": [{"area": _unit(a), "level": lv} for a, lv in delegations_by_area(v)],
        "prerequisites": [{"code": c} for c in v.prerequisites.order_by("requires__code")
                          .values_list("requires__code", flat=True)],
        "flow": {"steps": [{"order": s.order, "department": _unit(s.department), "action": s.action,
                            "limit_days": s.limit_days, "critical": s.pk in critical}
                           for col in flow.columns for s in col.steps],
                 "critical_path_days": flow.total, "promised_days": flow.limit, "fits": flow.fits},
    }


def _viewer(request: HttpRequest) -> User | None:
    user = request.user
    return user if isinstance(user, User) and user.is_authenticated else None


def _versions(request: HttpRequest, code: str) -> tuple[Item, list[ItemVersion]]:
    item = Item.objects.filter(code=code).first()
    if item is None:
        raise Http404("No such item")
    viewer = _viewer(request)
    qs = ItemVersion.objects.filter(item=item).select_related("item", "lead_department").order_by("-version")
    if viewer is None or not edits_catalogue(viewer):
        qs = qs.exclude(state=VersionState.DRAFT)
    versions = list(qs)
    if not versions:
        raise Http404("No such item")
    return item, versions


@router.get("/approvals/catalogue", response={200: ApprovalItemPage, 422: Error}, auth=None)
def list_catalogue(request: HttpRequest, filters: Query[ApprovalCatalogueFilters]) -> Any:
    """The catalogue in force on a day (today by default), one row per item, by item id. Public."""
    qs = published_catalogue(_day(filters.on, "on") or workcal.today(), filters.q).order_by("item_id")
    if filters.after is not None:
        qs = qs.filter(item_id__gt=filters.after)
    rows = list(qs[: filters.limit + 1])
    more = len(rows) > filters.limit
    rows = rows[: filters.limit]
    return {"items": [summary_out(v) for v in rows], "next_after": rows[-1].item_id if more else None}


@router.get("/approvals/catalogue/{code}", response={200: ApprovalItemOut, 404: Error, 422: Error}, auth=None)
def get_item(request: HttpRequest, path: Path[ApprovalItemPath], query: Query[ApprovalVersionQuery]) -> Any:
    """An item's version in force today, or ``version``: its service guide (办事指南). Public."""
    _item, versions = _versions(request, path.code)
    today = workcal.today()
    if query.version is not None:
        chosen = next((v for v in versions if v.version == query.version), None)
    else:
        chosen = next((v for v in versions if v.state == VersionState.PUBLISHED and v.effective_from <= today), None)
    if chosen is None:
        raise Http404("No such version")
    return item_out(chosen)


@router.get("/approvals/catalogue/{code}/versions", response={200: list[ApprovalVersionSummary], 404: Error,
                                                              422: Error}, auth=None)
def list_versions(request: HttpRequest, path: Path[ApprovalItemPath]) -> Any:
    """An item's versions, newest first (drafts for the office only). Public."""
    _item, versions = _versions(request, path.code)
    return [{"version": v.version, "state": v.state, "name": v.name, "effective_from": v.effective_from,
             "note": v.note} for v in versions]


def _input(p: ApprovalVersionIn) -> VersionInput:
    return VersionInput(
        name=p.name, kind=p.kind, legal_basis=p.legal_basis, lead_department_id=p.lead_department_id,
        statutory_days=p.statutory_days, promised_days=p.promised_days, service_type=p.service_type,
        conditions=p.conditions, effective_from=_day(p.effective_from, "effective_from"), joint=p.joint, note=p.note,
        fees=[FeeInput(f.name, f.amount, f.basis) for f in p.fees],
        materials=[MaterialInput(m.code, m.name, m.required, m.form, m.copies, m.sample, m.note) for m in p.materials],
        delegations=[DelegationInput(d.area_id, d.level) for d in p.levels],
        prerequisites=list(p.prerequisites),
        steps=[StepInput(s.order, s.department_id, s.action, s.limit_days) for s in p.steps])


def _refused(step: Callable[[], Any]) -> Any:
    try:
        return step()
    except actions.NotYours as e:
        return refuse(403, e.errors)
    except actions.CatalogueError as e:
        return refuse(400, e.errors)


WRITE = {400: Error, 403: Error, **ERRORS}


@router.post("/approvals/catalogue", response={201: ApprovalItemOut, **WRITE})
def create_item(request: HttpRequest, payload: ApprovalItemIn) -> Any:
    """A new item with its first draft (the approval service office's administrator)."""
    user = business_reader(request)
    made = _refused(lambda: actions.do_create_item(actor=user, code=payload.code, data=_input(payload)))
    return made if not isinstance(made, ItemVersion) else Status(201, item_out(made))


@router.put("/approvals/catalogue/{code}/draft", response={200: ApprovalItemOut, **WRITE})
def save_draft(request: HttpRequest, path: Path[ApprovalItemPath], payload: ApprovalVersionIn) -> Any:
    """The item's draft, replaced whole; started when there is none."""
    user = business_reader(request)
    item = Item.objects.filter(code=path.code).first()
    if item is None:
        raise Http404("No such item")
    if not edits_catalogue(user):
        return refuse(403, _("Only the approval service office's administrator edits the catalogue."))
    draft = ItemVersion.objects.filter(item=item, state=VersionState.DRAFT).first()
    saved = _refused(lambda: actions.do_save_draft_version(actor=user, item=item, data=_input(payload), version=draft))
    return saved if not isinstance(saved, ItemVersion) else item_out(saved)


def _version(path: ApprovalVersionPath) -> ItemVersion:
    v = ItemVersion.objects.select_related("item", "lead_department").filter(
        item__code=path.code, version=path.version).first()
    if v is None:
        raise Http404("No such version")
    return v


@router.post("/approvals/catalogue/{code}/versions/{version}/publish", response={200: ApprovalItemOut, **WRITE})
def publish_version(request: HttpRequest, path: Path[ApprovalVersionPath], payload: ApprovalConfirmIn) -> Any:
    """Publish a draft. Needs ``"confirm": true``; the 400 without it says what publishing does."""
    user = business_reader(request)
    if not edits_catalogue(user):
        return refuse(403, _("Only the approval service office's administrator edits the catalogue."))
    v = _version(path)
    if v.state != VersionState.DRAFT:
        return refuse(400, _("Only a draft can be published."))
    if not payload.confirm:
        return refuse(400, {"confirm": actions.publish_effect(v)})
    done = _refused(lambda: actions.do_publish_version(actor=user, version=v))
    return done if not isinstance(done, ItemVersion) else item_out(done)


@router.post("/approvals/catalogue/{code}/versions/{version}/withdraw",
             response={200: list[ApprovalVersionSummary], **WRITE})
def withdraw_version(request: HttpRequest, path: Path[ApprovalVersionPath], payload: ApprovalConfirmIn) -> Any:
    """Withdraw a published version with the earlier ones, or discard a draft. Needs ``"confirm": true``."""
    user = business_reader(request)
    if not edits_catalogue(user):
        return refuse(403, _("Only the approval service office's administrator edits the catalogue."))
    v = _version(path)
    if v.state == VersionState.WITHDRAWN:
        return refuse(400, _("This version has been withdrawn already."))
    if not payload.confirm:
        return refuse(400, {"confirm": actions.withdraw_effect(v)})
    done = _refused(lambda: actions.do_withdraw_version(actor=user, version=v))
    if not isinstance(done, list):
        return done
    return [{"version": x.version, "state": x.state, "name": x.name, "effective_from": x.effective_from,
             "note": x.note} for x in done]
