"""Every write to a matter: validate, guarded update, an event row, notifications on commit.

Two people acting on the same matter at once (one closes it, the other returns it): the
guarded UPDATE lets exactly one win; the other gets ``ConcurrentChange`` and is told.
"""

from __future__ import annotations

import calendar as pycalendar
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ducha.audit.api import record
from ducha.inbox.notify import notify_units
from ducha.matters import schedule
from ducha.matters.access import access_matter_by_id, actor_kinds, can_create_matters
from ducha.matters.actions_evidence import attach_evidence, check_evidence
from ducha.matters.errors import ConcurrentChange as ConcurrentChange  # re-exported: callers catch them here
from ducha.matters.errors import MatterError as MatterError
from ducha.matters.models import (
    PROPOSAL_SOURCES,
    Assignment,
    CoUnitPart,
    EvidenceKind,
    ExtensionRequest,
    ExtensionStatus,
    Matter,
    MatterEvent,
    Milestone,
    Rectification,
    RectificationSource,
    Source,
    Status,
)
from ducha.matters.numbering import next_matter_number
from ducha.matters.validation import (
    References,
    content_errors,
    key_work_gaps,
    key_work_refusal,
    reference_errors,
)
from ducha.org.models import Section, User
from ducha.rules.lifecycle import Actor, TransitionError, check_transition, claim_needs_explanation
from ducha.rules.lifecycle import Status as LStatus
from ducha.rules.workdays import UncoveredYear, schedule_backwards
from ducha.workcal import service as workcal
from ducha.workcal.provisional import provisional_mark


@dataclass
class CoUnitInput:
    unit_id: int
    part: str
    due_date: date


@dataclass
class AssignmentInput:
    unit_id: int
    section_id: int | None = None
    person_id: int | None = None
    task: str = ""


@dataclass
class MatterInput:
    title: str
    source: str
    lead_unit_id: int
    responsible_leader_id: int
    start_date: date
    goal: str = ""
    due_date: date | None = None
    source_ref: str = ""
    instructed_by_id: int | None = None
    instruction_text: str = ""
    projects: str = ""
    standard: str = ""
    target_quantity: Decimal | None = None
    target_unit: str = ""
    qualitative_standard: str = ""
    proposer: str = ""
    co_units: Sequence[CoUnitInput] = field(default_factory=list)
    assignments: Sequence[AssignmentInput] = field(default_factory=list)
    milestones: int = 0
    classified: bool = False
    year: int | None = None
    requesting_unit_id: int | None = None  # S1.5 报请单位 of a unit_request


def _months_later(d: date, months: int) -> date:
    month0 = d.month - 1 + months
    year, month = d.year + month0 // 12, month0 % 12 + 1
    return date(year, month, min(d.day, pycalendar.monthrange(year, month)[1]))


def proposal_limit_months() -> int:
    """Handling limit of NPC suggestions and CPPCC proposals from assignment (setting, default 3)."""
    return settings.DUCHA_PROPOSAL_LIMIT_MONTHS


def rework_workdays() -> int:
    """Working days a unit gets to put right a matter returned for rework (setting, default 10)."""
    return settings.DUCHA_REWORK_WORKDAYS


def _validate(data: MatterInput) -> dict[str, str]:
    errors: dict[str, str] = {}
    if data.classified:
        # S5.2: classified documents stay off the network; not even the title is recorded here.
        return {"classified": _("Classified matters are not handled here: only their reference number "
                                "is recorded; handle them offline under the rules for classified documents.")}
    computed = data.source in PROPOSAL_SOURCES or data.source == Source.UNIT_REQUEST
    errors.update(content_errors(data, due_required=not computed))
    co_ids = [c.unit_id for c in data.co_units]
    refs = References.load(
        unit_ids=[data.lead_unit_id, *co_ids, *([data.requesting_unit_id] if data.requesting_unit_id else [])],
        leader_ids=[data.responsible_leader_id, *([data.instructed_by_id] if data.instructed_by_id else [])],
    )
    errors.update(reference_errors(source=data.source, lead_unit_id=data.lead_unit_id,
                                   leader_id=data.responsible_leader_id, co_unit_ids=co_ids, refs=refs))
    errors.update(_requester_errors(data.source, data.requesting_unit_id, data.lead_unit_id, refs))
    if data.instructed_by_id and data.instructed_by_id not in refs.leaders:
        errors["instructed_by"] = _("Instructions come from a city leader.")
    for i, co in enumerate(data.co_units, start=1):
        if not co.part.strip():
            errors[f"co_units.{i}"] = _("The co-unit's part is required.")
        if data.due_date is not None and co.due_date > data.due_date:
            errors[f"co_units.{i}"] = _("A co-unit's due date is after the matter's.")
    for i, a in enumerate(data.assignments, start=1):
        if a.section_id is None and a.person_id is None:
            errors[f"assignments.{i}"] = _("A section or a person.")
        if a.section_id and not Section.objects.filter(pk=a.section_id, unit_id=a.unit_id).exists():
            errors[f"assignments.{i}"] = _("The section is not in that unit.")
        if a.person_id and not User.objects.filter(pk=a.person_id, unit_id=a.unit_id).exists():
            errors[f"assignments.{i}"] = _("The person is not in that unit.")
    if not 0 <= data.milestones <= 24:
        errors["milestones"] = _("From 0 to 24 time nodes.")
    return errors


def _requester_errors(source: str, requesting_unit_id: int | None, lead_unit_id: int,
                      refs: References | None = None) -> dict[str, str]:
    if requesting_unit_id is None:
        return {}
    if source != Source.UNIT_REQUEST:
        return {"requesting_unit": _("Only a unit's request has a requesting unit.")}
    if requesting_unit_id == lead_unit_id:
        return {"requesting_unit": _("The requester cannot be the handling lead unit.")}
    refs = refs or References.load(unit_ids=[requesting_unit_id], leader_ids=[])
    if requesting_unit_id not in refs.units:
        return {"requesting_unit": _("No such requesting unit.")}
    return {}


def do_record_requesting_unit(*, actor: User, matter_id: int, unit_id: int) -> Matter:
    """S1.5: state which unit submitted a request, or correct it; the unit then sees the matter.

    The general office registers requests (``can_create_matters``); ``letters`` also calls this
    when it learns the requester from the request's reference.
    """
    with transaction.atomic():
        matter = Matter.objects.select_for_update().filter(pk=matter_id, source=Source.UNIT_REQUEST).first()
        if matter is None:
            raise MatterError(_("Not a unit's request."))
        errors = _requester_errors(matter.source, unit_id, matter.lead_unit_id)
        if errors:
            raise MatterError(errors)
        before = matter.requesting_unit_id
        if before != unit_id:
            Matter.objects.filter(pk=matter.pk).update(requesting_unit_id=unit_id, updated_at=timezone.now())
            _event(matter, actor, "requesting_unit", old_unit=before, unit=unit_id)
        matter.refresh_from_db()
        return matter


def _event(matter: Matter, actor: User | None, action: str, *, old: str = "", new: str = "",
           reason: str = "", **data: Any) -> MatterEvent:
    """The matter's own timeline row, and the same fact in the tamper-evident audit trail (等保 audit)."""
    event = MatterEvent.objects.create(
        matter=matter, actor=actor, action=action, from_status=old, to_status=new, reason=reason, data=data
    )
    record(
        actor=actor, action=f"matter.{action}", obj_type="matters.Matter", obj_id=matter.pk,
        before={"status": old} if old else None, after={"status": new, **data} if (new or data) else None,
        reason=reason,
    )
    return event


def _notify(callback: Callable[[], None] | None) -> None:
    if callback is not None:
        transaction.on_commit(callback)


@transaction.atomic
def do_create_matter(*, actor: User, data: MatterInput, today: date | None = None) -> Matter:
    """Create a draft matter with its co-unit parts, assignments and backward-scheduled milestones."""
    if not can_create_matters(actor):
        raise MatterError(_("Only the supervision or general office creates matters."))
    errors = _validate(data)
    if errors:
        raise MatterError(errors)
    today = today or workcal.today()
    deadline = None
    due = data.due_date
    due_provisional = False
    if data.source == Source.UNIT_REQUEST:
        # S1.13: 3 working days for one handling department, "one week" for several.
        deadline = workcal.create_handling_deadline(
            data.start_date, 1 + len(data.co_units), label=data.title[:200]
        )
        due, due_provisional = deadline.due_date, deadline.provisional
    elif data.source in PROPOSAL_SOURCES and due is None:
        due = _months_later(data.start_date, proposal_limit_months())
    year = data.year or (due or data.start_date).year
    matter = Matter.objects.create(
        year=year, number=next_matter_number(year), title=data.title.strip(), source=data.source,
        source_ref=data.source_ref, instructed_by_id=data.instructed_by_id, instruction_text=data.instruction_text,
        goal=data.goal, projects=data.projects, standard=data.standard, target_quantity=data.target_quantity,
        target_unit=data.target_unit, qualitative_standard=data.qualitative_standard,
        responsible_leader_id=data.responsible_leader_id, lead_unit_id=data.lead_unit_id,
        start_date=data.start_date, due_date=due, due_provisional=due_provisional, workday_deadline=deadline,
        handling_departments=(1 + len(data.co_units)) if deadline else None,
        proposer=data.proposer, created_by=actor, requesting_unit_id=data.requesting_unit_id,
    )
    CoUnitPart.objects.bulk_create(
        CoUnitPart(matter=matter, unit_id=c.unit_id, part=c.part, due_date=c.due_date) for c in data.co_units
    )
    Assignment.objects.bulk_create(
        Assignment(matter=matter, unit_id=a.unit_id, section_id=a.section_id, person_id=a.person_id, task=a.task)
        for a in data.assignments
    )
    if data.milestones and due is not None:
        schedule_milestones(matter, data.milestones)
    if due_provisional:
        _event(matter, actor, "create", new=Status.DRAFT, due=str(due), due_provisional=True)
    else:
        _event(matter, actor, "create", new=Status.DRAFT, due=str(due) if due else None)
    return matter


def schedule_milestones(matter: Matter, count: int) -> list[Milestone]:
    """S2.3 倒排工期: ``count`` time nodes spread back from the deadline onto working days.

    Nodes already done are history and stay; the undone ones are replaced by ``count`` new
    nodes spread over the days left after the last one done, numbered on from it.
    """
    if matter.due_date is None:
        raise MatterError({"milestones": _("No deadline yet.")})
    done = list(matter.milestones.filter(done_on__isnull=False).order_by("due_date", "sort_order"))
    basis = max([matter.start_date, *(m.done_on for m in done if m.done_on is not None)])
    dates: list[date] = []
    provisional = False
    if count:
        try:
            cal = workcal.get_calendar()
            dates = schedule_backwards(cal, basis, matter.due_date, count)
            # 暂定: spread over working days of a year not announced yet.
            provisional = cal.touches_provisional(basis, matter.due_date)
        except UncoveredYear as e:
            raise MatterError({"milestones": str(e)}) from e
        except ValueError as e:
            raise MatterError({"milestones": _("No working day is left before the deadline: %(reason)s") % {"reason": e}}) from e
    matter.milestones.filter(done_on__isnull=True).delete()
    total = len(done) + len(dates)
    return Milestone.objects.bulk_create(
        Milestone(matter=matter, title=f"节点{k}：完成{round(100 * k / total)}%", due_date=d, sort_order=k,
                  provisional=provisional)
        for k, d in enumerate(dates, start=len(done) + 1)
    )


def do_transition_matter(
    *, actor: User, matter_id: int, action: str, reason: str = "", today: date | None = None,
    notify: Callable[[], None] | None = None, explanation: str = "", evidence: Any = None,
) -> Matter:
    """Apply one step of the lifecycle table (ducha.rules.lifecycle) with a guarded UPDATE.

    A claim below 100 % progress needs ``explanation``; ``evidence`` (a file, optional) goes
    with a claim as its 佐证材料.
    """
    today = today or workcal.today()
    with transaction.atomic():
        matter = access_matter_by_id(actor, matter_id)
        kinds = actor_kinds(actor, matter)
        current = LStatus(matter.status)
        transition = None
        problems = []
        for kind in sorted(kinds):
            try:
                transition = check_transition(action, current, kind, reason)
                break
            except TransitionError as e:
                problems.append(str(e))
        if transition is None:
            raise MatterError(problems[0] if problems else _("You cannot act on this matter."))
        if action == "assign":
            # S2.1: a draft may be incomplete; a key-work item goes to its unit whole.
            gaps = key_work_gaps(matter, milestones=matter.milestones.count())
            if gaps:
                raise MatterError({"__all__": key_work_refusal(gaps)})
        checked = None
        if evidence is not None:
            if action != "claim":
                raise MatterError({"evidence": _("Evidence files go with a monthly report line or a completion claim.")})
            checked, problem = check_evidence(evidence)
            if checked is None:
                raise MatterError({"evidence": problem})
        extra: dict[str, Any] = {}
        if action == "claim":
            extra["progress"] = matter.progress
            if claim_needs_explanation(action, matter.progress):
                if not explanation.strip():
                    raise MatterError({"explanation": _(
                        "The progress on record is %(p)d%%: say why the matter is complete below 100%%.") % {
                        "p": matter.progress}})
                if len(explanation) > 2000:
                    raise MatterError({"explanation": _("At most 2000 characters.")})
                extra["explanation"] = explanation.strip()
        changes: dict[str, Any] = {"status": transition.target.value, "updated_at": timezone.now()}
        if action == "claim":
            changes["completed_on"] = today
        elif action == "close":
            changes["closed_on"] = today
            changes["progress"] = 100
        elif action == "return":
            changes["completed_on"] = None
        rows = Matter.objects.filter(pk=matter.pk, status=current.value).update(**changes)
        if rows != 1:
            raise ConcurrentChange(_("Someone else changed this matter; reload."))
        if action == "return":
            cal = workcal.get_calendar()
            rework_due = cal.add_workdays(today, rework_workdays())
            Rectification.objects.create(
                matter=matter, unit_id=matter.lead_unit_id, source=RectificationSource.RETURNED, demand=reason,
                due_date=rework_due, due_provisional=cal.touches_provisional(today, rework_due),
            )
        if action == "close" and matter.workday_deadline_id is not None:
            # Done: a later calendar import leaves the met deadline alone.
            workcal.close_deadline(matter.workday_deadline_id)
        if action == "claim":
            matter.rectifications.filter(rectified_on__isnull=True).update(rectified_on=today)
        _event(matter, actor, action, old=current.value, new=transition.target.value, reason=reason, **extra)
        if checked is not None:
            attach_evidence(actor=actor, matter=matter, unit_id=matter.lead_unit_id, upload=evidence, checked=checked,
                            kind=EvidenceKind.CLAIM)
        _notify(notify)
        if action in TOLD_UNITS:
            units = [matter.lead_unit_id]
            if action == "assign":
                units += list(matter.co_parts.values_list("unit_id", flat=True))
            title, body = TOLD_UNITS[action](matter, reason)
            transaction.on_commit(lambda: notify_units(units, title=title, body=body,
                                                       light="red" if action == "return" else ""))
        matter.refresh_from_db()
        return matter


# Steps the units involved hear of in their inbox: (title, text) of the message.
TOLD_UNITS: dict[str, Callable[[Matter, str], tuple[str, str]]] = {
    "assign": lambda m, _r: (f"新督办事项 {m.number}",
                             f"{m.title}。完成时限：{m.due_date:%Y年%m月%d日}{provisional_mark(m.due_provisional)}。"
                             if m.due_date else f"{m.title}。"),
    "return": lambda m, r: (f"督办事项 {m.number} 退回整改", f"{m.title}。退回理由：{r}"),
}


def do_request_extension(
    *, actor: User, matter_id: int, requested_due: date, reason: str
) -> ExtensionRequest:
    with transaction.atomic():
        matter = access_matter_by_id(actor, matter_id)
        if Actor.LEAD_UNIT not in actor_kinds(actor, matter):
            raise MatterError(_("Only the lead unit may ask for an extension."))
        if matter.status not in (Status.ASSIGNED, Status.IN_PROGRESS):
            raise MatterError(_("The matter is not being worked on."))
        if not reason.strip():
            raise MatterError({"reason": _("A reason is required.")})
        if matter.due_date is not None and requested_due <= matter.due_date:
            raise MatterError({"requested_due": _("The new date must be later.")})
        if matter.extensions.filter(status=ExtensionStatus.PENDING).exists():
            raise MatterError(_("An extension request is already pending."))
        request = ExtensionRequest.objects.create(
            matter=matter, requested_by=actor, old_due=matter.due_date, requested_due=requested_due, reason=reason
        )
        _event(matter, actor, "extension_request", reason=reason, requested_due=str(requested_due))
        return request


def do_decide_extension(*, actor: User, request_id: int, approve: bool, note: str = "") -> ExtensionRequest:
    with transaction.atomic():
        request = ExtensionRequest.objects.select_related("matter").get(pk=request_id)
        matter = access_matter_by_id(actor, request.matter_id)
        if Actor.SUPERVISOR not in actor_kinds(actor, matter):
            raise MatterError(_("Only the supervision office decides extensions."))
        if not approve and not note.strip():
            raise MatterError({"note": _("A refusal needs a reason.")})
        new_status = ExtensionStatus.APPROVED if approve else ExtensionStatus.REFUSED
        rows = ExtensionRequest.objects.filter(pk=request.pk, status=ExtensionStatus.PENDING).update(
            status=new_status, decided_by=actor, decided_at=timezone.now(), decision_note=note
        )
        if rows != 1:
            raise ConcurrentChange(_("This request was already decided."))
        if approve:
            # The date granted is a given date, no longer counted on the calendar: never 暂定.
            Matter.objects.filter(pk=matter.pk).update(due_date=request.requested_due, due_provisional=False,
                                                       updated_at=timezone.now())
            schedule.look_at([matter.pk], timezone.now())  # the reminder engine looks again under the new deadline
        _event(matter, actor, "extension_" + new_status, reason=note, old_due=str(request.old_due),
               new_due=str(request.requested_due) if approve else None)
        decided = (f"延期至{request.requested_due:%Y年%m月%d日}，已批准" if approve
                   else f"延期申请未获批准：{note.strip()}")
        transaction.on_commit(lambda: notify_units(
            [matter.lead_unit_id], title=f"督办事项 {matter.number} 延期申请", body=f"{matter.title}。{decided}"))
        request.refresh_from_db()
        return request
