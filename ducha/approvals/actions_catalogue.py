"""Every write of the approval catalogue (S3.1, S3.2, S3.5), by the approval service office's
administrator (``access.edits_catalogue``): create an item, save a draft version, publish it,
withdraw a version.

A published version is never edited: a change is a new draft, published with its own effective
date, so an application keeps the version it was received under. Publishing checks the
catalogue as it would then stand for circular prerequisites (S3.2) and names the whole cycle.
Checks that read the whole catalogue run under one lock (the row of the catalogue's first
item), so two publications cannot close a loop between them.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ducha.approvals.access import edits_catalogue
from ducha.approvals.catalogue import areas, live_versions, names_of, prerequisite_graph
from ducha.approvals.catalogue_checks import (
    DelegationInput,
    FeeInput,
    MaterialInput,
    StepInput,
    VersionInput,
    amount_of,
    code_error,
    cycle_message,
    draft_errors,
    find_catalogue_cycle,
    publish_errors,
)
from ducha.approvals.models import (
    Delegation,
    FlowStep,
    Item,
    ItemVersion,
    Material,
    Prerequisite,
    VersionState,
)
from ducha.approvals.publish import publish_item
from ducha.audit.api import record as audit
from ducha.inbox.notify import notify_units
from ducha.org.models import Unit, User
from ducha.workcal import service as workcal

__all__ = [
    "CatalogueError",
    "NotYours",
    "do_create_item",
    "do_publish_version",
    "do_save_draft_version",
    "do_withdraw_version",
    "publish_effect",
    "version_input_of",
    "withdraw_effect",
]


class CatalogueError(ValueError):
    """Bad input or a step that is not allowed; ``errors`` maps field names to messages."""

    def __init__(self, errors: dict[str, str] | str) -> None:
        self.errors = errors if isinstance(errors, dict) else {"__all__": errors}
        super().__init__("; ".join(self.errors.values()))


class NotYours(CatalogueError):
    """Only the approval service office edits the catalogue (the API answers 403)."""


def _office(actor: User) -> None:
    if not edits_catalogue(actor):
        raise NotYours(_("Only the approval service office's administrator edits the catalogue."))


def lock_catalogue() -> None:
    """Serialise the writes that read the whole catalogue's prerequisites."""
    list(Item.objects.select_for_update().order_by("pk").values_list("pk", flat=True)[:1])


def reference_sets(extra_codes: set[str] | None = None) -> dict[str, Any]:
    return {"unit_ids": set(Unit.objects.filter(is_active=True).values_list("pk", flat=True)),
            "area_ids": {a.pk for a in areas()},
            "item_codes": set(Item.objects.values_list("code", flat=True)) | (extra_codes or set())}


def version_input_of(version: ItemVersion) -> VersionInput:
    """What a version says, as the editor's input (to start the next draft from it)."""
    return VersionInput(
        name=version.name, kind=version.kind, legal_basis=version.legal_basis,
        lead_department_id=version.lead_department_id, statutory_days=version.statutory_days,
        promised_days=version.promised_days, service_type=version.service_type, conditions=version.conditions,
        effective_from=version.effective_from, joint=version.joint, note=version.note,
        fees=[FeeInput(str(f.get("name", "")), str(f.get("amount", "0")), str(f.get("basis", "")))
              for f in version.fees],
        # .all() and sorting here, so a caller's prefetch_related serves a whole catalogue
        materials=[MaterialInput(m.code, m.name, m.required, m.form, m.copies, m.sample, m.note)
                   for m in sorted(version.materials.all(), key=lambda m: m.position)],
        delegations=[DelegationInput(d.area_id, d.level) for d in sorted(version.delegations.all(),
                                                                          key=lambda d: d.area_id)],
        prerequisites=sorted(p.requires.code for p in version.prerequisites.select_related("requires").all())
        if not _prefetched(version, "prerequisites") else sorted(p.requires.code for p in version.prerequisites.all()),
        steps=[StepInput(s.order, s.department_id, s.action, s.limit_days)
               for s in sorted(version.steps.all(), key=lambda s: (s.order, s.pk))],
    )


def _prefetched(obj: object, name: str) -> bool:
    return name in getattr(obj, "_prefetched_objects_cache", {})


def unpublished_prerequisites(codes: list[str], today: date, also_live: set[str] | None = None) -> dict[str, str]:
    """Prerequisites nobody could obtain: items with no published version in force now or later."""
    live = set(live_versions(today).filter(item__code__in=codes).values_list("item__code", flat=True))
    live |= also_live or set()
    return {f"prerequisites.{i}": _("%(code)s is not in the published catalogue: an applicant could not obtain "
                                    "it.") % {"code": c} for i, c in enumerate(codes, start=1) if c not in live}


def snapshot(data: VersionInput) -> dict[str, Any]:
    """A version's content as plain values, for the audit trail and for comparing versions."""
    return {
        "name": data.name, "kind": data.kind, "legal_basis": data.legal_basis,
        "lead_department": data.lead_department_id, "statutory_days": data.statutory_days,
        "promised_days": data.promised_days, "service_type": data.service_type, "conditions": data.conditions,
        "joint": data.joint,
        "fees": [[f.name, str(amount_of(f.amount)), f.basis] for f in data.fees],
        "materials": [[m.code, m.name, m.required, m.form, m.copies, m.sample, m.note] for m in data.materials],
        "delegations": sorted([d.area_id, d.level] for d in data.delegations),
        "prerequisites": sorted(data.prerequisites),
        "steps": [[s.order, s.department_id, s.action, s.limit_days] for s in data.steps],
    }


def write_parts(version: ItemVersion, data: VersionInput) -> None:
    """(Re)write a version's rows from ``data``; the version is a draft or being created."""
    version.materials.all().delete()
    version.delegations.all().delete()
    version.prerequisites.all().delete()
    version.steps.all().delete()
    Material.objects.bulk_create([
        Material(version=version, position=i, code=m.code, name=m.name.strip(), required=m.required, form=m.form,
                 copies=m.copies or 0, sample=m.sample.strip(), note=m.note.strip())
        for i, m in enumerate(data.materials, start=1)])
    Delegation.objects.bulk_create([Delegation(version=version, area_id=d.area_id, level=d.level)
                                    for d in data.delegations])
    items = dict(Item.objects.filter(code__in=data.prerequisites).values_list("code", "pk"))
    Prerequisite.objects.bulk_create([Prerequisite(version=version, requires_id=items[c]) for c in data.prerequisites])
    FlowStep.objects.bulk_create([
        FlowStep(version=version, order=s.order or 1, department_id=s.department_id or 0, action=s.action.strip(),
                 limit_days=s.limit_days or 0) for s in data.steps])


def _fields(data: VersionInput, today: date) -> dict[str, Any]:
    return {"name": data.name.strip(), "kind": data.kind, "legal_basis": data.legal_basis.strip(),
            "lead_department_id": data.lead_department_id, "conditions": data.conditions.strip(),
            "service_type": data.service_type, "statutory_days": data.statutory_days,
            "promised_days": data.promised_days, "joint": data.joint, "note": data.note.strip(),
            "effective_from": data.effective_from or today,
            "fees": [{"name": f.name.strip(), "amount": str(amount_of(f.amount)), "basis": f.basis.strip()}
                     for f in data.fees]}


def create_version(*, actor: User, item: Item, data: VersionInput, today: date,
                   state: str = VersionState.DRAFT) -> ItemVersion:
    """A new version numbered after the item's last; the caller holds the item's row lock."""
    last = ItemVersion.objects.filter(item=item).order_by("-version").values_list("version", flat=True).first()
    version = ItemVersion.objects.create(item=item, version=(last or 0) + 1, state=state, created_by=actor,
                                         published_at=timezone.now() if state == VersionState.PUBLISHED else None,
                                         **_fields(data, today))
    write_parts(version, data)
    return version


def do_create_item(*, actor: User, code: str, data: VersionInput, today: date | None = None) -> ItemVersion:
    """A new catalogue item with its first draft version."""
    _office(actor)
    today = today or workcal.today()
    code = code.strip()
    errors: dict[str, str] = {}
    if code_error(code):
        errors["code"] = code_error(code) or ""
    elif Item.objects.filter(code=code).exists():
        errors["code"] = _("Item %(code)s exists already.") % {"code": code}
    errors.update(draft_errors(data, own_code=code, **reference_sets()))
    if errors:
        raise CatalogueError(errors)
    try:
        with transaction.atomic():
            item = Item.objects.create(code=code)
            version = create_version(actor=actor, item=item, data=data, today=today)
            audit(actor=actor, action="approvals.catalogue.create", obj_type="approvals.ItemVersion",
                  obj_id=version.pk, before=None, after={"code": code, "version": 1, **snapshot(data)})
    except IntegrityError:
        raise CatalogueError({"code": _("Item %(code)s exists already.") % {"code": code}}) from None
    return version


def do_save_draft_version(*, actor: User, item: Item, data: VersionInput, version: ItemVersion | None = None,
                          today: date | None = None) -> ItemVersion:
    """Edit the item's draft (``version``), or start one when ``version`` is None. An item has at
    most one draft at a time."""
    _office(actor)
    today = today or workcal.today()
    errors = draft_errors(data, own_code=item.code, **reference_sets())
    if errors:
        raise CatalogueError(errors)
    with transaction.atomic():
        Item.objects.select_for_update().filter(pk=item.pk).first()
        draft = ItemVersion.objects.filter(item=item, state=VersionState.DRAFT).first()
        if version is None:
            if draft is not None:
                raise CatalogueError(_("Version %(n)d of %(code)s is a draft already: edit it.") % {
                    "n": draft.version, "code": item.code})
            saved = create_version(actor=actor, item=item, data=data, today=today)
            audit(actor=actor, action="approvals.catalogue.draft", obj_type="approvals.ItemVersion", obj_id=saved.pk,
                  before=None, after={"code": item.code, "version": saved.version, **snapshot(data)})
            return saved
        if draft is None or draft.pk != version.pk:
            raise CatalogueError(_("Version %(n)d is not a draft any more; it cannot be changed.") % {
                "n": version.version})
        before = snapshot(version_input_of(draft))
        for name, value in _fields(data, today).items():
            setattr(draft, name, value)
        draft.save()
        write_parts(draft, data)
        audit(actor=actor, action="approvals.catalogue.draft", obj_type="approvals.ItemVersion", obj_id=draft.pk,
              before=before, after=snapshot(data))
    return draft


def publish_effect(version: ItemVersion) -> str:
    return _("Publishes version %(n)d of %(code)s %(name)s, in force from %(day)s: from then on applications "
             "are received under it, the departments of its flow are told, and it cannot be changed, only "
             "followed by a new version.") % {"n": version.version, "code": version.item.code,
                                               "name": version.name, "day": version.effective_from.isoformat()}


def do_publish_version(*, actor: User, version: ItemVersion, today: date | None = None) -> ItemVersion:
    """Draft → published, after every check of ``catalogue_checks.publish_errors`` and the
    cycle check over the catalogue as it would stand."""
    _office(actor)
    today = today or workcal.today()
    with transaction.atomic():
        lock_catalogue()
        current = ItemVersion.objects.select_for_update().select_related("item").filter(pk=version.pk).first()
        if current is None or current.state != VersionState.DRAFT:
            raise CatalogueError(_("Only a draft can be published."))
        if ItemVersion.objects.filter(item=current.item, state=VersionState.PUBLISHED,
                                      version__gt=current.version).exists():
            raise CatalogueError(_("A later version of %(code)s has been published; start a new draft from it.")
                                 % {"code": current.item.code})
        data = version_input_of(current)
        errors = draft_errors(data, own_code=current.item.code, **reference_sets())
        errors.update(publish_errors(data, today=today))
        errors.update(unpublished_prerequisites(data.prerequisites, today))
        if not errors:
            graph = prerequisite_graph(today)
            graph[current.item.code] = graph.get(current.item.code, set()) | set(data.prerequisites)
            cycle = find_catalogue_cycle(graph)
            if cycle:
                names = names_of(cycle, today, {current.item.code: current.name})
                errors["prerequisites"] = cycle_message(cycle, names)
        if errors:
            raise CatalogueError(errors)
        ItemVersion.objects.filter(pk=current.pk).update(state=VersionState.PUBLISHED, published_at=timezone.now())
        current.refresh_from_db()
        audit(actor=actor, action="approvals.catalogue.publish", obj_type="approvals.ItemVersion", obj_id=current.pk,
              before={"state": VersionState.DRAFT},
              after={"state": VersionState.PUBLISHED, "code": current.item.code, "version": current.version,
                     "effective_from": current.effective_from})
        _tell_departments(current)
        publish_item(current.item.code, today)
    return current


def _tell_departments(version: ItemVersion) -> None:
    units = {version.lead_department_id, *version.steps.values_list("department_id", flat=True)}
    title = _("Approval catalogue: %(code)s %(name)s, version %(n)d") % {
        "code": version.item.code, "name": version.name, "n": version.version}
    body = _("In force from %(day)s; statutory limit %(s)d, promised limit %(p)d working days.") % {
        "day": version.effective_from.isoformat(), "s": version.statutory_days, "p": version.promised_days}
    transaction.on_commit(lambda: notify_units(sorted(u for u in units if u), title=title, body=body))


def withdraw_effect(version: ItemVersion) -> str:
    if version.state == VersionState.DRAFT:
        return _("Discards draft version %(n)d of %(code)s; the published versions stay as they are.") % {
            "n": version.version, "code": version.item.code}
    return _("Withdraws version %(n)d of %(code)s %(name)s and every earlier version: no new application can be "
             "received under them (applications already received keep their version); the item stays out of the "
             "catalogue unless a later version is published.") % {
        "n": version.version, "code": version.item.code, "name": version.name}


def do_withdraw_version(*, actor: User, version: ItemVersion) -> list[ItemVersion]:
    """Withdraw a published version with the earlier published ones (an older text never comes back
    into force by itself), or discard a draft. Returns the versions withdrawn."""
    _office(actor)
    with transaction.atomic():
        Item.objects.select_for_update().filter(pk=version.item_id).first()
        current = ItemVersion.objects.select_related("item").filter(pk=version.pk).first()
        if current is None or current.state == VersionState.WITHDRAWN:
            raise CatalogueError(_("This version has been withdrawn already."))
        if current.state == VersionState.DRAFT:
            targets = [current]
        else:
            targets = list(ItemVersion.objects.filter(item=current.item, state=VersionState.PUBLISHED,
                                                      version__lte=current.version))
        ItemVersion.objects.filter(pk__in=[v.pk for v in targets]).update(state=VersionState.WITHDRAWN)
        audit(actor=actor, action="approvals.catalogue.withdraw", obj_type="approvals.ItemVersion", obj_id=current.pk,
              before={"states": {v.version: v.state for v in targets}},
              after={"code": current.item.code, "withdrawn": [v.version for v in targets]})
        if current.state != VersionState.DRAFT:
            publish_item(current.item.code, workcal.today())
    for v in targets:
        v.refresh_from_db()
    return targets
