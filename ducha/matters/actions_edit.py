"""Changes to a matter after it is created: the supervision office's edit (S2.1), the
units' breakdown of their part to sections and people (S2.5), time nodes marked done
and rescheduled backwards from the deadline (S2.3).

Same conventions as ``ducha.matters.actions``: validate first and change nothing on bad
input; write with a guarded UPDATE so that of two people acting at once exactly one wins
and the other is told; leave an event row that says who changed what, from what to what.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models.deletion import ProtectedError
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from ducha.matters import schedule
from ducha.matters.access import access_matter_by_id, actor_kinds
from ducha.matters.actions import (
    ConcurrentChange,
    MatterError,
    MatterInput,
    _event,
    _months_later,
    _validate,
    proposal_limit_months,
    schedule_milestones,
)
from ducha.matters.models import (
    PROPOSAL_SOURCES,
    Assignment,
    CoUnitPart,
    Matter,
    Milestone,
    Source,
    Status,
)
from ducha.org.models import Section, Unit, User
from ducha.org.roles import Role
from ducha.rules.lifecycle import RUNNING, Actor
from ducha.workcal import service as workcal
from ducha.workcal.models import WorkdayDeadline

STALE = _("Someone else changed this matter; reload.")

# The matter's own fields the edit form carries, compared one by one for the event row.
EDITED_FIELDS = (
    "title", "source", "source_ref", "instructed_by_id", "instruction_text", "proposer", "goal", "projects",
    "standard", "target_quantity", "target_unit", "qualitative_standard", "responsible_leader_id", "lead_unit_id",
    "start_date", "due_date", "handling_departments",
)


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return str(value)


def _label(name: str) -> str:
    field = Matter._meta.get_field(name.removesuffix("_id"))
    return str(getattr(field, "verbose_name", name))


def _lock(matter_id: int) -> None:
    """Serialise writers of one matter's rows that have no status or timestamp to guard on."""
    list(Matter.objects.select_for_update().filter(pk=matter_id).values_list("pk", flat=True))


# -- the supervision office edits a matter (S2.1) -------------------------------------------------


def _unit_request_deadline(matter: Matter, data: MatterInput) -> tuple[WorkdayDeadline | None, int]:
    """S1.13: the request's deadline row, recomputed when the received date or the number of
    handling departments changed (the row is the matter's own: updated in place)."""
    departments = 1 + len(data.co_units)
    workdays = workcal.handling_workdays(departments)
    deadline = matter.workday_deadline
    if deadline is None:
        return workcal.create_handling_deadline(data.start_date, departments, label=data.title[:200]), departments
    if deadline.basis_date == data.start_date and deadline.workdays == workdays:
        return deadline, departments
    return workcal.recompute_deadline(deadline, data.start_date, workdays), departments


@transaction.atomic
def do_update_matter(
    *, actor: User, matter_id: int, data: MatterInput, expected_updated_at: datetime | None,
    due_reason: str = "", reschedule_milestones: bool = False,
) -> Matter:
    """The supervision office corrects or re-plans a matter that is not closed.

    ``expected_updated_at`` is the matter's ``updated_at`` when the form was opened: a
    form opened before someone else's change is refused rather than silently undoing it.
    A changed due date on an assigned matter needs ``due_reason`` (the units are held to
    the date, so moving it is accounted for). Time nodes move only when
    ``reschedule_milestones`` asks, to ``data.milestones`` nodes; otherwise a new due
    date before an undone node is refused. Assignments in ``data`` are ignored: the units
    break down their own parts (``do_assign_within_unit``).
    """
    matter = access_matter_by_id(actor, matter_id)
    if Actor.SUPERVISOR not in actor_kinds(actor, matter):
        raise MatterError(_("Only the supervision office edits matters."))
    if matter.status == Status.CLOSED:
        raise MatterError(_("A closed matter cannot be edited."))
    if expected_updated_at is None or matter.updated_at != expected_updated_at:
        raise ConcurrentChange(STALE)
    errors = _validate(data)
    if data.source != matter.source and matter.status != Status.DRAFT:
        errors["source"] = _("The source cannot change once the matter is assigned.")
    if errors:
        raise MatterError(errors)

    parts = {p.unit_id: p for p in matter.co_parts.select_related("unit")}
    wanted = {c.unit_id: c for c in data.co_units}
    removed = [p for uid, p in parts.items() if uid not in wanted]
    for p in removed:
        if p.progress or p.last_progress_on or p.done_on:
            errors["co_units"] = (
                f"配合单位“{p.unit.name}”已报送配合进度，不能直接删除；请先与其核实 "
                f"({p.unit.name} has reported progress on its part and cannot be removed)"
            )

    deadline = matter.workday_deadline
    departments: int | None = None
    due = data.due_date
    due_provisional = False
    if data.source == Source.UNIT_REQUEST:
        deadline, departments = _unit_request_deadline(matter, data)
        due = deadline.due_date if deadline is not None else None
        due_provisional = deadline is not None and deadline.provisional
    elif data.source in PROPOSAL_SOURCES and due is None:
        due = _months_later(data.start_date, proposal_limit_months())
    if due is not None:
        for i, co in enumerate(data.co_units, start=1):
            if co.due_date > due:
                errors.setdefault(f"co_units.{i}", _("A co-unit's due date is after the matter's."))
    due_changed = due != matter.due_date
    if due_changed and matter.status != Status.DRAFT and not due_reason.strip():
        errors["due_reason"] = _("The due date changes from %(old)s to %(new)s: give the reason.") % {
            "old": matter.due_date or _("pending"), "new": due or _("pending")}
    if reschedule_milestones and data.milestones and due is None:
        errors["milestones"] = _("No deadline yet to schedule from.")
    if not reschedule_milestones and due is not None:
        late = matter.milestones.filter(done_on__isnull=True, due_date__gt=due).count()
        if late:
            errors["milestones"] = _(
                "%(n)s open time nodes fall after the new due date: tick “Reschedule the time nodes”."
            ) % {"n": late}
    if errors:
        raise MatterError(errors)

    new_values: dict[str, Any] = {
        "title": data.title.strip(), "source": data.source, "source_ref": data.source_ref,
        "instructed_by_id": data.instructed_by_id, "instruction_text": data.instruction_text,
        "proposer": data.proposer, "goal": data.goal, "projects": data.projects, "standard": data.standard,
        "target_quantity": data.target_quantity, "target_unit": data.target_unit,
        "qualitative_standard": data.qualitative_standard, "responsible_leader_id": data.responsible_leader_id,
        "lead_unit_id": data.lead_unit_id, "start_date": data.start_date, "due_date": due,
        "handling_departments": departments,
    }
    changes = {
        f: [_text(getattr(matter, f)), _text(v)] for f, v in new_values.items() if getattr(matter, f) != v
    }
    old_deadline = matter.workday_deadline if data.source != Source.UNIT_REQUEST else None
    co_changes: dict[str, list[str]] = {"added": [], "removed": [], "changed": []}
    added_names = dict(Unit.objects.filter(pk__in=[u for u in wanted if u not in parts]).values_list("id", "name"))
    for uid, co in wanted.items():
        old = parts.get(uid)
        if old is None:
            co_changes["added"].append(added_names.get(uid, str(uid)))
        elif (old.part, old.due_date) != (co.part, co.due_date):
            co_changes["changed"].append(old.unit.name)
    co_changes["removed"] = [p.unit.name for p in removed]
    if not changes and not any(co_changes.values()) and not reschedule_milestones and deadline == matter.workday_deadline:
        return matter

    now = timezone.now()
    write = dict(new_values, workday_deadline=deadline if data.source == Source.UNIT_REQUEST else None,
                 due_provisional=due_provisional, updated_at=now)
    rows = Matter.objects.filter(pk=matter.pk, updated_at=expected_updated_at).exclude(
        status=Status.CLOSED).update(**write)
    if rows != 1:
        raise ConcurrentChange(STALE)
    if matter.status in RUNNING:
        schedule.look_at([matter.pk], now)  # the reminder engine looks again at the new dates
    if old_deadline is not None:
        old_deadline.delete()  # a draft no longer a unit's request: its S1.13 limit no longer applies

    for p in removed:
        try:
            gone, _n = CoUnitPart.objects.filter(
                pk=p.pk, progress=0, last_progress_on__isnull=True, done_on__isnull=True).delete()
        except ProtectedError:
            raise MatterError({"co_units": _(
                "Reminder letters were sent about the part of %(unit)s: it cannot be removed."
            ) % {"unit": p.unit.name}}) from None
        if not gone:
            raise ConcurrentChange(STALE)
    for uid, co in wanted.items():
        old = parts.get(uid)
        if old is None:
            CoUnitPart.objects.create(matter=matter, unit_id=uid, part=co.part, due_date=co.due_date)
        elif (old.part, old.due_date) != (co.part, co.due_date):
            CoUnitPart.objects.filter(pk=old.pk).update(part=co.part, due_date=co.due_date)
    # Work given to a unit that no longer takes part in the matter has nobody to answer for it.
    involved = {data.lead_unit_id, *wanted}
    dropped = list(Assignment.objects.filter(matter=matter).exclude(unit_id__in=involved).values_list("id", flat=True))
    Assignment.objects.filter(pk__in=dropped).delete()

    matter.refresh_from_db()
    rescheduled = None
    if reschedule_milestones:
        rescheduled = [str(m.due_date) for m in schedule_milestones(matter, data.milestones)]
    summary = [_label(f) for f in changes if f != "handling_departments"]
    summary += [f"+{n}" for n in co_changes["added"]] + [f"−{n}" for n in co_changes["removed"]]
    summary += [f"{n}*" for n in co_changes["changed"]]
    extra: dict[str, Any] = {}
    if due_changed:
        extra.update(old_due=_text(changes["due_date"][0]), new_due=_text(due))
    _event(matter, actor, "edit", reason=due_reason.strip(), changes=changes,
           co_units={k: v for k, v in co_changes.items() if v}, assignments_dropped=len(dropped),
           milestones=rescheduled, summary="、".join(summary), **extra)
    return matter


# -- units break down their part (S2.5) -----------------------------------------------------------


def assignable_unit(actor: User, matter: Matter, co_unit_ids: set[int] | None = None) -> int | None:
    """The unit whose part of ``matter`` ``actor`` may break down to sections and people:
    their own, when they are its administrator and it leads the matter or is a co-unit."""
    unit_id = getattr(actor, "unit_id", None)
    if getattr(actor, "role", "") != Role.UNIT_ADMIN or unit_id is None or matter.status == Status.CLOSED:
        return None
    if matter.lead_unit_id == unit_id:
        return int(unit_id)
    if co_unit_ids is None:
        involved = CoUnitPart.objects.filter(matter=matter, unit_id=unit_id).exists()
    else:
        involved = unit_id in co_unit_ids
    return int(unit_id) if involved else None


def _who(a: Assignment) -> str:
    return " / ".join(x for x in (a.section.name if a.section else "", a.person.name if a.person else "") if x)


def do_assign_within_unit(
    *, actor: User, matter_id: int, unit_id: int, section_id: int | None = None, person_id: int | None = None,
    task: str = "",
) -> Assignment:
    """The unit's administrator gives its part of the matter to a section and/or a named person."""
    with transaction.atomic():
        matter = access_matter_by_id(actor, matter_id)
        if matter.status == Status.CLOSED:
            raise MatterError(_("The matter is closed."))
        if unit_id is None or assignable_unit(actor, matter) != unit_id:
            raise MatterError(_("Only the unit's administrator breaks down the unit's own part "
                                "to sections and people."))
        errors: dict[str, str] = {}
        task = task.strip()
        if section_id is None and person_id is None:
            errors["__all__"] = _("Choose a section or a person.")
        if section_id is not None and not Section.objects.filter(pk=section_id, unit_id=unit_id).exists():
            errors["section"] = _("The section is not in your unit.")
        if person_id is not None and not User.objects.filter(pk=person_id, unit_id=unit_id, is_active=True).exists():
            errors["person"] = _("The person does not work in your unit.")
        if len(task) > 300:
            errors["task"] = _("At most 300 characters.")
        if errors:
            raise MatterError(errors)
        _lock(matter.pk)
        same: dict[str, Any] = {"section_id": section_id, "person_id": person_id}
        if Assignment.objects.filter(matter=matter, unit_id=unit_id, **same).exists():
            raise MatterError(_("This section and person already have this work."))
        a = Assignment.objects.create(matter=matter, unit_id=unit_id, section_id=section_id, person_id=person_id,
                                      task=task)
        a = Assignment.objects.select_related("section", "person").get(pk=a.pk)
        _event(matter, actor, "assignment_add", assignment=a.pk, unit=unit_id, section=section_id, person=person_id,
               summary=f"{_who(a)}{'：' + task if task else ''}")
        return a


def do_remove_assignment(*, actor: User, assignment_id: int) -> None:
    """The unit's administrator takes back work given inside the unit."""
    with transaction.atomic():
        matter_id = Assignment.objects.filter(pk=assignment_id).values_list("matter_id", flat=True).first()
        if matter_id is None:
            raise Http404("No such assignment")
        matter = access_matter_by_id(actor, matter_id)
        a = Assignment.objects.select_related("section", "person").filter(pk=assignment_id).first()
        if a is None:
            raise ConcurrentChange(_("This assignment was already removed."))
        if matter.status == Status.CLOSED:
            raise MatterError(_("The matter is closed."))
        if assignable_unit(actor, matter) != a.unit_id:
            raise MatterError(_("Only the unit's administrator changes its breakdown."))
        if Assignment.objects.filter(pk=a.pk).delete()[0] != 1:
            raise ConcurrentChange(_("This assignment was already removed."))
        _event(matter, actor, "assignment_remove", unit=a.unit_id, section=a.section_id, person=a.person_id,
               summary=_who(a))


# -- time nodes (S2.3) ----------------------------------------------------------------------------


def do_complete_milestone(*, actor: User, milestone_id: int, done_on: date, today: date | None = None) -> Milestone:
    """The lead unit marks a time node done on the day it was reached."""
    today = today or workcal.today()
    with transaction.atomic():
        matter_id = Milestone.objects.filter(pk=milestone_id).values_list("matter_id", flat=True).first()
        if matter_id is None:
            raise Http404("No such milestone")
        matter = access_matter_by_id(actor, matter_id)
        if Actor.LEAD_UNIT not in actor_kinds(actor, matter):
            raise MatterError(_("Only the lead unit marks time nodes done."))
        if matter.status not in RUNNING:
            raise MatterError(_("The matter is not being worked on."))
        if done_on > today:
            raise MatterError({"done_on": _("The date cannot be in the future.")})
        if done_on < matter.start_date:
            raise MatterError({"done_on": _("The date is before the matter started.")})
        if Milestone.objects.filter(pk=milestone_id, done_on__isnull=True).update(done_on=done_on) != 1:
            raise ConcurrentChange(_("Already done or rescheduled; reload."))
        ms = Milestone.objects.get(pk=milestone_id)
        _event(matter, actor, "milestone_done", milestone=ms.pk, due=str(ms.due_date), done_on=str(done_on),
               late=done_on > ms.due_date, summary=f"{ms.title}（{done_on}）")
        return ms


def do_reschedule_milestones(*, actor: User, matter_id: int, count: int) -> list[Milestone]:
    """The supervision office plans ``count`` undone time nodes backwards from the deadline anew."""
    with transaction.atomic():
        matter = access_matter_by_id(actor, matter_id)
        if Actor.SUPERVISOR not in actor_kinds(actor, matter):
            raise MatterError(_("Only the supervision office schedules time nodes."))
        if matter.status == Status.CLOSED:
            raise MatterError(_("The matter is closed."))
        if not 0 <= count <= 24:
            raise MatterError({"count": _("From 0 to 24 time nodes.")})
        _lock(matter.pk)
        old = [str(d) for d in matter.milestones.filter(done_on__isnull=True).values_list("due_date", flat=True)]
        try:
            nodes = schedule_milestones(matter, count)
        except MatterError as e:
            raise MatterError({"count": e.errors.get("milestones", str(e))}) from e
        new = [str(m.due_date) for m in nodes]
        _event(matter, actor, "milestones_rescheduled", old_dates=old, new_dates=new,
               summary=f"{len(old)} → {len(new)}：{'、'.join(new)}")
        return nodes
