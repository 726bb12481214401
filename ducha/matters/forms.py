"""Forms of the matter pages. They parse and present; the rules live in ``actions.py``.

The create form checks types only (a date is a date); whether the input makes a valid
matter (S2.1 fields, S2.2 measurable target, S5.2 classified) is decided once, by
``do_create_matter``, and its messages are put back on the fields they name.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any

from django import forms
from django.forms import formset_factory
from django.utils.translation import gettext_lazy as _

from ducha.matters.actions import CoUnitInput, MatterInput, proposal_limit_months
from ducha.matters.actions_edit import assignable_unit
from ducha.matters.models import Matter, Source, Status
from ducha.org.models import LeaderPost, Section, Unit, UnitKind, User
from ducha.rules.lifecycle import Actor
from ducha.rules.workdays import UncoveredYear
from ducha.workcal import service as workcal

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
ROWS3 = forms.Textarea(attrs={"rows": 3})


def unit_choices(units: Iterable[Unit], blank: str = "") -> list[Any]:
    """Units grouped by kind (departments, counties, zones, offices), as the city lists them."""
    groups: dict[str, list[tuple[int, str]]] = {k.value: [] for k in UnitKind}
    for u in units:
        groups.setdefault(u.kind, []).append((u.id, u.name))
    labels = dict(UnitKind.choices)
    return [("", blank)] + [(str(labels.get(k, k)), opts) for k, opts in groups.items() if opts]


def leader_choices(blank: str = "") -> list[tuple[Any, str]]:
    posts = LeaderPost.objects.select_related("person").order_by("sort_order", "id")
    return [("", blank)] + [(p.person_id, f"{p.title} {p.person.name}") for p in posts]


class MatterFilterForm(forms.Form):
    """GET filters of the list and the battle map; every field optional."""

    q = forms.CharField(
        label=_("Number or title"), required=False, max_length=100,
        widget=forms.TextInput(attrs={"placeholder": _("Search by number or title"), "type": "search"}),
    )
    unit = forms.TypedChoiceField(label=_("Unit"), required=False, coerce=int, empty_value=None)
    unit_role = forms.ChoiceField(
        label=_("Unit's role"), required=False,
        choices=[("any", _("lead or co-unit")), ("lead", _("lead unit")), ("co", _("co-unit"))],
    )
    leader = forms.TypedChoiceField(label=_("Responsible leader"), required=False, coerce=int, empty_value=None)
    source = forms.ChoiceField(label=_("Source"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False)
    year = forms.TypedChoiceField(label=_("Year"), required=False, coerce=int, empty_value=None)
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
    due_within = forms.IntegerField(
        label=_("Due within (working days)"), required=False, min_value=1, max_value=250
    )
    sort = forms.ChoiceField(
        label=_("Sort by"), required=False,
        choices=[
            ("number", _("Matter number")), ("due", _("Due date")),
            ("-due", _("Due date, latest first")), ("progress", _("Progress, least first")), ("unit", _("Lead unit")),
        ],
    )

    def __init__(self, data: Mapping[str, Any] | None, *, units: Iterable[Unit], years: Iterable[int],
                 statuses: Iterable[str] = Status.values) -> None:
        super().__init__(data)
        f = self.fields
        any_ = str(_("Any"))
        f["unit"].choices = unit_choices(units, any_)  # type: ignore[attr-defined]
        f["leader"].choices = leader_choices(any_)  # type: ignore[attr-defined]
        f["source"].choices = [("", any_), *Source.choices]  # type: ignore[attr-defined]
        f["status"].choices = [("", any_)] + [  # type: ignore[attr-defined]
            (v, label) for v, label in Status.choices if v in set(statuses)
        ]
        f["year"].choices = [("", any_)] + [(y, str(y)) for y in years]  # type: ignore[attr-defined]

    def active(self) -> bool:
        return self.is_valid() and any(v for k, v in self.cleaned_data.items() if k not in ("sort", "unit_role"))


class CoUnitForm(forms.Form):
    """One co-unit's part (配合单位) with its own due date (S1.4)."""

    unit = forms.TypedChoiceField(label=_("Co-unit"), coerce=int)
    part = forms.CharField(label=_("Its part"), max_length=2000)
    due_date = forms.DateField(label=_("Its due date"), widget=DATE)

    def __init__(self, *args: Any, units: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = units  # type: ignore[attr-defined]


CoUnitFormSet = formset_factory(CoUnitForm, extra=2, max_num=30, validate_max=True)
# Editing: the existing parts as rows, each with a "remove" box instead of clearing it.
CoUnitEditFormSet = formset_factory(CoUnitForm, extra=1, max_num=30, validate_max=True, can_delete=True)


class MatterForm(forms.Form):
    """Create a supervised matter (S2.1 fields, source-specific fields, S5.2 classified)."""

    classified = forms.BooleanField(label=_("Classified"), required=False)
    # S5.2 只能登记编号: the one thing sent for a classified matter.
    classified_reference = forms.CharField(label=_("Reference number"), max_length=60, required=False)
    title = forms.CharField(label=_("Matter title"), max_length=200)
    source = forms.ChoiceField(label=_("Source"), choices=Source.choices, initial=Source.KEY_WORK)
    source_ref = forms.CharField(
        label=_("Source reference"), max_length=120, required=False,
        help_text=_("Document number, meeting, or instruction slip."),
    )
    instructed_by = forms.TypedChoiceField(label=_("Instructing leader"), required=False, coerce=int,
                                           empty_value=None)
    requesting_unit = forms.TypedChoiceField(
        label=_("Requesting unit"), required=False, coerce=int, empty_value=None,
        help_text=_("The county or department that submitted the request: it can follow the matter."),
    )
    instruction_text = forms.CharField(label=_("Instruction text"), required=False, widget=ROWS3)
    proposer = forms.CharField(label=_("Deputy or member"), max_length=60, required=False)
    goal = forms.CharField(label=_("Goal"), widget=ROWS3)
    projects = forms.CharField(label=_("Supporting projects"), required=False, widget=ROWS3)
    standard = forms.CharField(label=_("Work standard"), required=False, widget=ROWS3)
    target_quantity = forms.DecimalField(label=_("Target quantity"), required=False, max_digits=14,
                                         decimal_places=2)
    target_unit = forms.CharField(label=_("Unit of measure"), max_length=20, required=False)
    qualitative_standard = forms.CharField(label=_("Qualitative standard"), required=False, widget=ROWS3)
    responsible_leader = forms.TypedChoiceField(label=_("Responsible leader"), coerce=int)
    lead_unit = forms.TypedChoiceField(label=_("Lead unit"), coerce=int)
    start_date = forms.DateField(label=_("Start date"), widget=DATE,
                                 help_text=_("For a unit's request: the day it was received."))
    due_date = forms.DateField(label=_("Due date"), widget=DATE, required=False)
    milestones = forms.IntegerField(
        label=_("Time nodes"), min_value=0, max_value=24, initial=0,
        help_text=_("Scheduled backwards from the deadline on working days."),
    )

    # Which fields belong to which sources: the page shows them only for those sources.
    SOURCE_FIELDS = {
        "instructed_by": [Source.INSTRUCTION],
        "instruction_text": [Source.INSTRUCTION],
        "proposer": [Source.NPC_SUGGESTION, Source.CPPCC_PROPOSAL],
        "requesting_unit": [Source.UNIT_REQUEST],
    }

    def __init__(self, *args: Any, units: list[Any], leaders: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lead_unit"].choices = units  # type: ignore[attr-defined]
        if "requesting_unit" in self.fields:
            self.fields["requesting_unit"].choices = units  # type: ignore[attr-defined]
        self.fields["responsible_leader"].choices = leaders  # type: ignore[attr-defined]
        self.fields["instructed_by"].choices = leaders  # type: ignore[attr-defined]
        self.fields["milestones"].widget.attrs["max"] = 24

    def to_input(self, co_units: list[CoUnitInput]) -> MatterInput:
        c = self.cleaned_data
        computed = c["source"] == Source.UNIT_REQUEST
        return MatterInput(
            title=c["title"], source=c["source"], lead_unit_id=c["lead_unit"],
            responsible_leader_id=c["responsible_leader"], start_date=c["start_date"], goal=c["goal"],
            due_date=None if computed else c["due_date"], source_ref=c["source_ref"],
            instructed_by_id=c["instructed_by"] if c["source"] == Source.INSTRUCTION else None,
            instruction_text=c["instruction_text"] if c["source"] == Source.INSTRUCTION else "",
            projects=c["projects"], standard=c["standard"], target_quantity=c["target_quantity"],
            target_unit=c["target_unit"], qualitative_standard=c["qualitative_standard"],
            proposer=c["proposer"], co_units=co_units, milestones=c["milestones"] or 0,
            requesting_unit_id=c.get("requesting_unit") if computed else None,
        )


class MatterEditForm(MatterForm):
    """The create form prefilled, with what an edit adds: the version it was opened on, the
    reason for a changed due date, and whether to reschedule the time nodes."""

    requesting_unit = None  # type: ignore[assignment]  # corrected on the general office's requests page
    classified_reference = None  # type: ignore[assignment]  # registered only when a matter is created
    updated_at = forms.CharField(widget=forms.HiddenInput)
    due_reason = forms.CharField(
        label=_("Reason for changing the due date"), required=False, max_length=2000, widget=ROWS3,
        help_text=_("Required when the due date of an assigned matter changes; kept on its timeline."),
    )
    reschedule = forms.BooleanField(
        label=_("Reschedule the time nodes"), required=False,
        help_text=_("Replace the undone time nodes with this many, backwards from the deadline."),
    )

    def expected_updated_at(self) -> datetime | None:
        try:
            return datetime.fromisoformat(self.cleaned_data["updated_at"])
        except (KeyError, ValueError):
            return None


def matter_initial(matter: Matter) -> dict[str, Any]:
    return {
        "title": matter.title, "source": matter.source, "source_ref": matter.source_ref,
        "instructed_by": matter.instructed_by_id, "instruction_text": matter.instruction_text,
        "proposer": matter.proposer, "goal": matter.goal, "projects": matter.projects, "standard": matter.standard,
        "target_quantity": matter.target_quantity, "target_unit": matter.target_unit,
        "qualitative_standard": matter.qualitative_standard, "responsible_leader": matter.responsible_leader_id,
        "lead_unit": matter.lead_unit_id, "start_date": matter.start_date, "due_date": matter.due_date,
        "milestones": matter.milestones.filter(done_on__isnull=True).count(),
        "updated_at": matter.updated_at.isoformat(),
    }


class AssignmentForm(forms.Form):
    """S2.5: the unit's part given to one of its sections and/or a named person."""

    section = forms.TypedChoiceField(label=_("Section"), required=False, coerce=int, empty_value=None)
    person = forms.TypedChoiceField(label=_("Responsible person"), required=False, coerce=int, empty_value=None)
    task = forms.CharField(label=_("Task"), required=False, max_length=300)

    def __init__(self, *args: Any, unit_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        sections = Section.objects.filter(unit_id=unit_id).order_by("id").values_list("id", "name")
        people = User.objects.filter(unit_id=unit_id, is_active=True).order_by("name", "id").values_list("id", "name")
        self.fields["section"].choices = [("", "—"), *sections]  # type: ignore[attr-defined]
        self.fields["person"].choices = [("", "—"), *people]  # type: ignore[attr-defined]


class MilestoneDoneForm(forms.Form):
    done_on = forms.DateField(label=_("Done on"), widget=DATE)


class RescheduleForm(forms.Form):
    count = forms.IntegerField(label=_("Time nodes"), min_value=0, max_value=24)


def detail_extras(user: User, matter: Matter, kinds: frozenset[Actor], co_unit_ids: set[int],
                  today: date) -> dict[str, Any]:
    """What a matter's page offers for the writes of ``actions_edit``: only to whom may make them."""
    office = Actor.SUPERVISOR in kinds and matter.status != Status.CLOSED
    unit_id = assignable_unit(user, matter, co_unit_ids)
    return {
        "can_edit": office,
        "can_reschedule": office and matter.due_date is not None,
        "reschedule_form": RescheduleForm(initial={"count": matter.milestones.count() or 4}),
        "can_complete": Actor.LEAD_UNIT in kinds and matter.status in (Status.ASSIGNED, Status.IN_PROGRESS),
        "assign_unit": unit_id,
        "assign_form": AssignmentForm(unit_id=unit_id) if unit_id is not None else None,
    }


class ReasonForm(forms.Form):
    action = forms.CharField(max_length=30)
    expected_status = forms.CharField(max_length=20, required=False)
    reason = forms.CharField(label=_("Reason"), required=False, max_length=2000, widget=ROWS3)
    # A claim below 100 % says why the matter is complete anyway (S2.6).
    explanation = forms.CharField(required=False, max_length=2000)
    # The step the person confirmed on the page (交办, 销号): without it nothing is done.
    confirm = forms.CharField(required=False, max_length=30)


class ExtensionRequestForm(forms.Form):
    requested_due = forms.DateField(label=_("New due date"), widget=DATE)
    reason = forms.CharField(label=_("Reason for the extension"), max_length=2000, widget=ROWS3)


class ExtensionDecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", _("Approve")), ("refuse", _("Refuse"))])
    note = forms.CharField(label=_("Note"), required=False, max_length=2000, widget=ROWS3)


def deadline_context(source: str, received_text: str, co_units: int) -> dict[str, Any]:
    """What the create form says about the deadline it will compute (S1.13 unit requests, proposals)."""
    context: dict[str, Any] = {"source": source, "proposal_months": proposal_limit_months()}
    if source != Source.UNIT_REQUEST:
        return context
    departments = 1 + co_units
    context.update(departments=departments, workdays=workcal.handling_workdays(departments))
    try:
        received = date.fromisoformat(received_text)
    except ValueError:
        return context
    try:
        context["due"], context["due_provisional"] = workcal.handling_due_date(received, departments)
    except UncoveredYear as e:
        context["uncovered"] = e.year
    return context


def co_units_chosen(data: Any) -> int:
    """Co-unit rows with a unit chosen and not marked for removal: each is one more handling
    department (S1.13)."""
    return sum(
        1 for k, v in data.items()
        if k.startswith("co-") and k.endswith("-unit") and str(v).strip() and not data.get(k[:-4] + "DELETE")
    )
