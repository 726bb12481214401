"""Pages for the writes of ``actions_edit``: the office's edit form (S2.1), the units'
breakdown to sections and people (S2.5), time nodes done and rescheduled (S2.3).

As elsewhere: POST only, redirect with a message on success, the matter's page again
with the message on failure (400), 409 when someone else changed the matter first.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from ducha.matters import actions, actions_edit
from ducha.matters.access import access_matter_by_id, actor_kinds
from ducha.matters.forms import (
    AssignmentForm,
    CoUnitEditFormSet,
    MatterEditForm,
    MilestoneDoneForm,
    RescheduleForm,
    co_units_chosen,
    deadline_context,
    leader_choices,
    matter_initial,
    unit_choices,
)
from ducha.matters.models import Assignment, Matter, Milestone, Status
from ducha.matters.views import _apply_errors, _detail_context, _stale, _user
from ducha.org.models import Unit
from ducha.rules.lifecycle import Actor


def _edit_page(request: HttpRequest, matter: Matter, form: MatterEditForm, formset: Any, *,
               status: int, conflict: str = "", co_count: int | None = None) -> HttpResponse:
    data = request.POST if request.method == "POST" else {}
    start = data.get("start_date") or str(form.initial.get("start_date", ""))
    chosen = co_units_chosen(data) if co_count is None else co_count
    return render(request, "matters/form.html", {
        "form": form, "formset": formset, "show_co_errors": True, "editing": matter, "conflict": conflict,
        "deadline": deadline_context(str(form["source"].value() or ""), start, chosen),
        "source_fields": {k: " ".join(v) for k, v in MatterEditForm.SOURCE_FIELDS.items()},
        "proposal_months": actions.proposal_limit_months(),
    }, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def matter_edit(request: HttpRequest, matter_id: int) -> HttpResponse:
    """The create form prefilled; a due-date change asks for its reason (S2.1, S1.13, S2.3)."""
    user = _user(request)
    matter = access_matter_by_id(user, matter_id)
    if Actor.SUPERVISOR not in actor_kinds(user, matter):
        raise PermissionDenied(_("Only the supervision office edits matters."))
    if matter.status == Status.CLOSED:
        messages.error(request, _("A closed matter cannot be edited."))
        return redirect("matters:detail", matter_id=matter.id)
    all_units = list(Unit.objects.filter(is_active=True).order_by("sort_order", "id"))
    choices = {"units": unit_choices(all_units, "—"), "leaders": leader_choices("—")}
    co_choices = {"units": unit_choices(all_units, "—")}
    if request.method == "GET":
        parts = list(matter.co_parts.order_by("id"))
        form = MatterEditForm(initial=matter_initial(matter), **choices)
        formset = CoUnitEditFormSet(prefix="co", form_kwargs=co_choices, initial=[
            {"unit": p.unit_id, "part": p.part, "due_date": p.due_date} for p in parts])
        return _edit_page(request, matter, form, formset, status=200, co_count=len(parts))

    form = MatterEditForm(request.POST, **choices)
    formset = CoUnitEditFormSet(request.POST, prefix="co", form_kwargs=co_choices)
    if form.is_valid() and formset.is_valid():
        filled = [f for f in formset.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]
        co = [actions.CoUnitInput(unit_id=f.cleaned_data["unit"], part=f.cleaned_data["part"],
                                  due_date=f.cleaned_data["due_date"]) for f in filled]
        data = form.to_input(co)
        try:
            done = actions_edit.do_update_matter(
                actor=user, matter_id=matter.id, data=data, expected_updated_at=form.expected_updated_at(),
                due_reason=form.cleaned_data["due_reason"], reschedule_milestones=form.cleaned_data["reschedule"],
            )
        except actions.ConcurrentChange:
            text = _("Someone else changed this matter after you opened this form. Your changes were not "
                     "saved: open the form again to see the current state.")
            return _edit_page(request, matter, form, formset, status=409, conflict=text)
        except actions.MatterError as e:
            _apply_errors(form, filled, e.errors)
        else:
            if done.updated_at == matter.updated_at:
                messages.info(request, _("Nothing was changed."))
            else:
                messages.success(request, _("Changes to %(number)s saved.") % {"number": done.number})
            return redirect("matters:detail", matter_id=matter.id)
    return _edit_page(request, matter, form, formset, status=400)


# -- S2.5 inside the unit ---------------------------------------------------------------------------


def _assignments_partial(request: HttpRequest, matter: Matter, **extra: Any) -> HttpResponse:
    user = _user(request)
    co_unit_ids = set(matter.co_parts.values_list("unit_id", flat=True))
    unit_id = actions_edit.assignable_unit(user, matter, co_unit_ids)
    context = {
        "matter": matter, "assign_unit": unit_id,
        "assignments": list(matter.assignments.select_related("unit", "section", "person")),
        "assign_form": AssignmentForm(unit_id=unit_id) if unit_id is not None else None,
    }
    context.update(extra)
    return render(request, "matters/_assignments.html", context)


def _after(request: HttpRequest, matter: Matter, text: str, **extra: Any) -> HttpResponse:
    """Success: htmx swaps the list in place; a plain form goes back to the page with a message."""
    if getattr(request, "htmx", False):
        return _assignments_partial(request, matter, assign_note=text, **extra)
    messages.success(request, text)
    return redirect("matters:detail", matter_id=matter.id)


def _failed(request: HttpRequest, matter: Matter, form: AssignmentForm | None, error: str) -> HttpResponse:
    # htmx swaps only 2xx answers by default: the partial with its message comes back as 200.
    if getattr(request, "htmx", False):
        return _assignments_partial(request, matter, assign_error=error, **({"assign_form": form} if form else {}))
    extra: dict[str, Any] = {"action_error": error}
    if form is not None:
        extra["assign_form"] = form
    return render(request, "matters/detail.html", _detail_context(request, matter, **extra), status=400)


@login_required
@require_POST
def assignment_add(request: HttpRequest, matter_id: int) -> HttpResponse:
    user = _user(request)
    matter = access_matter_by_id(user, matter_id)
    unit_id = actions_edit.assignable_unit(user, matter)
    if unit_id is None:
        return _failed(request, matter, None, _("Only the administrator of the lead unit or of a co-unit "
                                                "assigns its part inside the unit."))
    form = AssignmentForm(request.POST, unit_id=unit_id)
    if not form.is_valid():
        return _failed(request, matter, form, _("Please correct the fields marked below."))
    try:
        a = actions_edit.do_assign_within_unit(
            actor=user, matter_id=matter.id, unit_id=unit_id, section_id=form.cleaned_data["section"],
            person_id=form.cleaned_data["person"], task=form.cleaned_data["task"])
    except actions.MatterError as e:
        for key, msg in e.errors.items():
            form.add_error(key if key in form.fields else None, msg)
        return _failed(request, matter, form, e.errors.get("__all__") or _("Please correct the fields marked below."))
    who = " / ".join(x for x in (a.section.name if a.section else "", a.person.name if a.person else "") if x)
    return _after(request, matter, _("Assigned to %(who)s.") % {"who": who})


@login_required
@require_POST
def assignment_remove(request: HttpRequest, assignment_id: int) -> HttpResponse:
    user = _user(request)
    matter_id = Assignment.objects.filter(pk=assignment_id).values_list("matter_id", flat=True).first()
    if matter_id is None:
        raise Http404("No such assignment")
    matter = access_matter_by_id(user, matter_id)
    try:
        actions_edit.do_remove_assignment(actor=user, assignment_id=assignment_id)
    except actions.ConcurrentChange:
        return _after(request, matter, _("That assignment had already been removed."))
    except actions.MatterError as e:
        return _failed(request, matter, None, e.errors.get("__all__") or str(e))
    return _after(request, matter, _("Assignment removed."))


# -- S2.3 time nodes ------------------------------------------------------------------------------------


@login_required
@require_POST
def milestone_done(request: HttpRequest, milestone_id: int) -> HttpResponse:
    user = _user(request)
    matter_id = Milestone.objects.filter(pk=milestone_id).values_list("matter_id", flat=True).first()
    if matter_id is None:
        raise Http404("No such milestone")
    matter = access_matter_by_id(user, matter_id)
    form = MilestoneDoneForm(request.POST)
    if not form.is_valid():
        return render(request, "matters/detail.html", _detail_context(
            request, matter, action_error=_("Give the date the time node was reached.")), status=400)
    try:
        ms = actions_edit.do_complete_milestone(actor=user, milestone_id=milestone_id,
                                                done_on=form.cleaned_data["done_on"])
    except actions.ConcurrentChange:
        return _stale(request, matter)
    except actions.MatterError as e:
        return render(request, "matters/detail.html", _detail_context(
            request, matter, action_error=" ".join(e.errors.values())), status=400)
    messages.success(request, _("Time node “%(title)s” marked done.") % {"title": ms.title})
    return redirect("matters:detail", matter_id=matter.id)


@login_required
@require_POST
def milestones_reschedule(request: HttpRequest, matter_id: int) -> HttpResponse:
    user = _user(request)
    matter = access_matter_by_id(user, matter_id)
    form = RescheduleForm(request.POST)
    if form.is_valid():
        try:
            nodes = actions_edit.do_reschedule_milestones(actor=user, matter_id=matter.id,
                                                          count=form.cleaned_data["count"])
        except actions.MatterError as e:
            for key, msg in e.errors.items():
                form.add_error(key if key in form.fields else None, msg)
        else:
            messages.success(request, _("%(n)d time nodes scheduled backwards from %(due)s.") % {
                "n": len(nodes), "due": matter.due_date})
            return redirect("matters:detail", matter_id=matter.id)
    error = " ".join(str(m) for errs in form.errors.values() for m in errs)
    return render(request, "matters/detail.html", _detail_context(
        request, matter, reschedule_form=form, action_error=error), status=400)

