"""The pages of the supervision core: list, a matter's page, the create form, dashboards,
the battle map (S2.1, S2.3, S5.1, S5.2).

Views read through ``visible_matters`` / ``access_matter_by_id`` and write only through
``ducha.matters.actions``; every state change is a POST that redirects on success and
re-renders the page with the message on failure.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Max, Min, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ducha.matters import actions
from ducha.matters.access import (
    access_matter_by_id,
    actor_kinds,
    can_create_matters,
    visible_matter_parts,
    visible_matters,
    visible_matters_led_by,
)
from ducha.matters.charts import donut, gantt, stacked
from ducha.matters.classified import do_register_classified, visible_classified
from ducha.matters.forms import (
    CoUnitFormSet,
    ExtensionDecisionForm,
    ExtensionRequestForm,
    MatterFilterForm,
    MatterForm,
    ReasonForm,
    co_units_chosen,
    deadline_context,
    detail_extras,
    leader_choices,
    unit_choices,
)
from ducha.matters.models import ExtensionRequest, ExtensionStatus, Matter, Milestone, Source, Status
from ducha.matters.overview import (
    DONE,
    OPEN,
    ROW_FIELDS,
    FilterError,
    calendar_or_none,
    filter_matters,
    overdue_co_parts,
    rows,
    signal_for,
    unit_work,
)
from ducha.matters.paging import matter_page
from ducha.matters.summary import summarise
from ducha.matters.validation import key_work_gaps, key_work_refusal
from ducha.org.access import business_reader, unit_scope, visible_units
from ducha.org.models import LeaderKind, Unit, User
from ducha.org.roles import UNIT_ROLES, Role
from ducha.paging import CappedPaginator
from ducha.rules.lifecycle import RUNNING, Actor, actions_for
from ducha.rules.lifecycle import Status as LStatus
from ducha.workcal import service as workcal

PAGE_SIZE = 25
MAP_PAGE_SIZE = 40


_user = business_reader  # administrators read no business data (ARCHITECTURE "Access scope")


def _filtered(request: HttpRequest, user: User) -> tuple[MatterFilterForm, QuerySet[Matter], Any]:
    """The list's form and rows; the third item is (today, calendar, the rows' count parts)."""
    today, cal = workcal.today(), calendar_or_none()
    base, parts = visible_matters(user), visible_matter_parts(user)
    # The year choices come from the two ends of the year index, not from a DISTINCT over the
    # visible matters (which reads them all); a year without the user's matters lists nothing.
    bounds = Matter.objects.aggregate(lo=Min("year"), hi=Max("year"))
    years = list(range(bounds["hi"], bounds["lo"] - 1, -1)) if bounds["lo"] is not None else []
    statuses = Status.values if user.role == Role.SUPERVISION_OFFICE else [s for s in Status.values if s != "draft"]
    form = MatterFilterForm(request.GET or None, units=visible_units(user), years=years, statuses=statuses)
    if form.is_bound and not form.is_valid():
        return form, base.none(), (today, cal, [base.none()])
    chosen = form.cleaned_data if form.is_bound else {}
    try:
        qs = filter_matters(base, chosen, today=today, cal=cal)
        counted = [filter_matters(p, chosen, today=today, cal=cal) for p in parts]
    except FilterError as e:
        form.add_error(e.field, str(e))
        return form, base.none(), (today, cal, [base.none()])
    return form, qs, (today, cal, counted)


@login_required
@require_GET
def matter_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    form, qs, (today, cal, counted) = _filtered(request, user)
    values = qs.values(*ROW_FIELDS)
    chosen = form.cleaned_data if form.is_bound and form.is_valid() else {}
    # Keys follow the default order. Not with "due within N working days": its dates sit in
    # the newest year, so the older years' range of a key would be read to its end for
    # nothing (bench/lists.py: 0.27 s at page 100); those lists are short and page by number.
    keyset = (chosen.get("sort") or "number") == "number" and not chosen.get("due_within")
    page = matter_page(values, CappedPaginator(values, PAGE_SIZE, count_from=counted), request.GET, keyset=keyset)
    return render(request, "matters/list.html", {
        "form": form, "page": page, "rows": rows(page.object_list, today, cal), "today": today,
        "can_create": can_create_matters(user), "classified": _classified_rows(user, chosen),
    })


def _classified_rows(user: User, chosen: dict[str, Any]) -> list[Any]:
    """S5.2: registered classified matters, by number only. They have no unit, leader, source or
    status, so a filter on any of those leaves them out; a search finds them by their number."""
    if any(v for k, v in chosen.items() if k not in ("q", "sort", "unit_role")):
        return []
    found = visible_classified(user)
    if chosen.get("q"):
        found = found.filter(reference__icontains=chosen["q"])
    return list(found[:CLASSIFIED_SHOWN])


CLASSIFIED_SHOWN = 100


@login_required
@require_GET
def battle_map(request: HttpRequest) -> HttpResponse:
    """挂图作战 (S2.3): the filtered matters as bars on a time axis, time nodes as markers."""
    user = _user(request)
    form, qs, (today, cal, counted) = _filtered(request, user)
    if not request.GET.get("sort"):
        qs = qs.order_by("lead_unit__sort_order", "lead_unit_id", "due_date", "id")
    values = qs.values(*ROW_FIELDS)
    page = matter_page(values, CappedPaginator(values, MAP_PAGE_SIZE, count_from=counted), request.GET, keyset=False)
    page_rows = rows(page.object_list, today, cal)
    by_matter: dict[int, list[Milestone]] = {}
    for ms in Milestone.objects.filter(matter_id__in=[r.id for r in page_rows]):
        by_matter.setdefault(ms.matter_id, []).append(ms)
    for r in page_rows:
        r.milestones = by_matter.get(r.id, [])
    year = form.cleaned_data.get("year") if form.is_bound and form.is_valid() else None
    return render(request, "matters/map.html", {
        "form": form, "page": page, "timeline": gantt(page_rows, today=today, year=year), "today": today,
    })


# -- a matter's page ---------------------------------------------------------------------------

# Steps that go out to others or cannot be taken back: the page names their effect and the
# POST must carry ``confirm=<action>`` (a form sent without it, with or without JavaScript, does nothing).
CONFIRMED_ACTIONS = ("assign", "close")


def confirm_effect(matter: Matter, action: str) -> str:
    """What confirming ``action`` will do, in the words the confirmation shows."""
    if action == "assign":
        gaps = key_work_gaps(matter, milestones=matter.milestones.count())
        if gaps:  # S2.1: said before the click, not only after it
            return key_work_refusal(gaps)
        co = matter.co_parts.count()
        return _("Assigning sends %(number)s to %(lead)s and %(co)d co-units: each is told in its inbox at once "
                 "and the due date starts to count. It cannot be taken back to a draft.") % {
            "number": matter.number, "lead": matter.lead_unit.name, "co": co}
    if action == "close":
        return _("Closing %(number)s records it as completed at 100%% progress; %(lead)s reports on it no more. "
                 "It cannot be reopened.") % {"number": matter.number, "lead": matter.lead_unit.name}
    return ""


TRANSITION_STYLE = {"assign": "btn-primary", "start": "btn-primary", "claim": "btn-success",
                    "close": "btn-success", "return": "btn-outline-danger", "suspend": "btn-outline-secondary",
                    "resume": "btn-outline-primary"}


def _detail_context(request: HttpRequest, matter: Matter, **extra: Any) -> dict[str, Any]:
    user = _user(request)
    today, cal = workcal.today(), calendar_or_none()
    kinds = actor_kinds(user, matter)
    extensions = list(matter.extensions.select_related("requested_by", "decided_by").order_by("-created_at", "-id"))
    pending = next((e for e in extensions if e.status == ExtensionStatus.PENDING), None)
    row = rows([{
        "id": matter.id, "number": matter.number, "title": matter.title, "year": matter.year,
        "source": matter.source, "status": matter.status, "start_date": matter.start_date,
        "due_date": matter.due_date, "progress": matter.progress, "lead_unit_id": matter.lead_unit_id,
        "lead_unit__name": matter.lead_unit.name, "lead_unit__short_name": matter.lead_unit.short_name,
        "responsible_leader_id": matter.responsible_leader_id,
        "responsible_leader__name": matter.responsible_leader.name, "completed_on": matter.completed_on,
        "due_provisional": matter.due_provisional,
    }], today, cal)[0]
    row.milestones = list(matter.milestones.all())
    co_parts = [
        (p, signal_for(status=matter.status, start=matter.start_date, due=p.due_date, progress=p.progress,
                       today=today, cal=cal, done=p.done_on is not None or matter.status in DONE))
        for p in matter.co_parts.select_related("unit")
    ]
    transitions = [
        {"t": t, "style": TRANSITION_STYLE.get(t.action, "btn-outline-primary"),
         "effect": confirm_effect(matter, t.action) if t.action in CONFIRMED_ACTIONS else ""}
        for t in actions_for(LStatus(matter.status), kinds)
    ]
    context = {
        "matter": matter, "row": row, "signal": row.signal, "today": today,
        "co_parts": co_parts,
        "assignments": list(matter.assignments.select_related("unit", "section", "person")),
        "milestones": row.milestones,
        "events": list(matter.events.select_related("actor").order_by("-created_at", "-id")),
        "extensions": extensions, "pending": pending,
        "rectifications": list(matter.rectifications.select_related("unit")),
        "transitions": transitions,
        "can_request_extension": Actor.LEAD_UNIT in kinds and matter.status in RUNNING and pending is None,
        "can_decide": Actor.SUPERVISOR in kinds and pending is not None,
        "timeline": gantt([row], today=today, width=640, with_today=True) if matter.status != Status.DRAFT or row.milestones else None,
        "is_proposal": matter.source in (Source.NPC_SUGGESTION, Source.CPPCC_PROPOSAL),
        "extension_form": ExtensionRequestForm(),
        "decision_form": ExtensionDecisionForm(),
        "evidence": list(matter.evidence.select_related("unit", "uploaded_by")),
    }
    context.update(detail_extras(user, matter, kinds, {p.unit_id for p, _sig in co_parts}, today))
    context.update(extra)
    return context


@login_required
@require_GET
def matter_detail(request: HttpRequest, matter_id: int) -> HttpResponse:
    matter = access_matter_by_id(_user(request), matter_id)
    return render(request, "matters/detail.html", _detail_context(request, matter))


def _stale(request: HttpRequest, matter: Matter) -> HttpResponse:
    text = _("Someone else changed this matter in the meantime. Reload the page to see its current state.")
    return render(request, "matters/detail.html", _detail_context(request, matter, conflict=text), status=409)


@login_required
@require_POST
def matter_act(request: HttpRequest, matter_id: int) -> HttpResponse:
    """One lifecycle step (交办, 签收, 申请销号, 销号, 退回, 暂停, 恢复) from the buttons on the page."""
    user = _user(request)
    matter = access_matter_by_id(user, matter_id)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        return render(request, "matters/detail.html",
                      _detail_context(request, matter, action_error=_("The request was incomplete.")), status=400)
    action, reason = form.cleaned_data["action"], form.cleaned_data["reason"]
    explanation = form.cleaned_data["explanation"]
    expected = form.cleaned_data["expected_status"]
    if expected and expected != matter.status:
        # The page the person acted on is out of date: acting now would be acting blind.
        return _stale(request, matter)
    offered = {t.action for t in actions_for(LStatus(matter.status), actor_kinds(user, matter))}
    if action in CONFIRMED_ACTIONS and action in offered and form.cleaned_data["confirm"] != action:
        return render(request, "matters/detail.html", _detail_context(
            request, matter, action_error=_("Nothing was done. Confirm it on the page: %(effect)s") % {
                "effect": confirm_effect(matter, action)}, failed_action=action,
        ), status=400)
    try:
        done = actions.do_transition_matter(actor=user, matter_id=matter.id, action=action, reason=reason,
                                            explanation=explanation, evidence=request.FILES.get("evidence"))
    except actions.ConcurrentChange:
        matter.refresh_from_db()
        return _stale(request, matter)
    except actions.MatterError as e:
        return render(request, "matters/detail.html", _detail_context(
            request, matter, action_error=" ".join(e.errors.values()), failed_action=action,
            failed_reason=reason, failed_explanation=explanation,
        ), status=400)
    messages.success(request, _("Done: %(matter)s is now “%(status)s”.") % {
        "matter": done.number, "status": done.get_status_display(),
    })
    return redirect("matters:detail", matter_id=matter.id)


@login_required
@require_POST
def extension_request(request: HttpRequest, matter_id: int) -> HttpResponse:
    user = _user(request)
    matter = access_matter_by_id(user, matter_id)
    form = ExtensionRequestForm(request.POST)
    if form.is_valid():
        try:
            actions.do_request_extension(actor=user, matter_id=matter.id, reason=form.cleaned_data["reason"],
                                         requested_due=form.cleaned_data["requested_due"])
        except actions.MatterError as e:
            for key, msg in e.errors.items():
                form.add_error(key if key in form.fields else None, msg)
        else:
            messages.success(request, _("Extension requested; the supervision office will decide."))
            return redirect("matters:detail", matter_id=matter.id)
    return render(request, "matters/detail.html", _detail_context(request, matter, extension_form=form,
                                                                  open_extension=True), status=400)


@login_required
@require_POST
def extension_decide(request: HttpRequest, request_id: int) -> HttpResponse:
    user = _user(request)
    ext = ExtensionRequest.objects.filter(pk=request_id).values_list("matter_id", flat=True).first()
    if ext is None:
        raise Http404("No such extension request")
    matter = access_matter_by_id(user, ext)
    form = ExtensionDecisionForm(request.POST)
    if form.is_valid():
        try:
            actions.do_decide_extension(actor=user, request_id=request_id, note=form.cleaned_data["note"],
                                        approve=form.cleaned_data["decision"] == "approve")
        except actions.ConcurrentChange:
            return _stale(request, matter)
        except actions.MatterError as e:
            for key, msg in e.errors.items():
                form.add_error(key if key in form.fields else None, msg)
        else:
            messages.success(request, _("Extension decided."))
            return redirect("matters:detail", matter_id=matter.id)
    return render(request, "matters/detail.html", _detail_context(request, matter, decision_form=form),
                  status=400)


# -- create --------------------------------------------------------------------------------------


def _apply_errors(form: MatterForm, filled: list[Any], errors: dict[str, str]) -> None:
    for key, msg in errors.items():
        if key in form.fields:
            form.add_error(key, msg)
        elif key.startswith("co_units.") and key[9:].isdigit() and 0 < int(key[9:]) <= len(filled):
            filled[int(key[9:]) - 1].add_error(None, msg)
        else:
            form.add_error(None, msg)


@login_required
@require_http_methods(["GET", "POST"])
def matter_create(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not can_create_matters(user):
        raise PermissionDenied(_("Only the supervision office and the general office create matters."))
    all_units = list(Unit.objects.filter(is_active=True).order_by("sort_order", "id"))
    units, co_units = unit_choices(all_units, "—"), unit_choices(all_units, "—")
    leaders = leader_choices("—")
    show_co_errors = True
    if request.method == "POST":
        form = MatterForm(request.POST, units=units, leaders=leaders)
        formset = CoUnitFormSet(request.POST, prefix="co", form_kwargs={"units": co_units})
        if request.POST.get("classified"):
            # S5.2: only the reference number is registered, whatever else was typed; nothing of
            # the rest is stored or echoed as errors.
            form.errors.clear()
            show_co_errors = False
            # The page sent no co-unit rows (the browser disables them): show them empty again.
            formset = CoUnitFormSet(prefix="co", form_kwargs={"units": co_units})
            try:
                registration = do_register_classified(actor=user, reference=request.POST.get("classified_reference", ""))
            except actions.MatterError as e:
                form.add_error("classified_reference", e.errors.get("reference") or str(e))
            else:
                messages.success(request, _("Classified matter %(reference)s registered: only its number is kept; "
                                            "handle it offline.") % {"reference": registration.reference})
                return redirect("matters:list")
        elif form.is_valid() and formset.is_valid():
            filled = [f for f in formset.forms if f.cleaned_data]
            co = [actions.CoUnitInput(unit_id=f.cleaned_data["unit"], part=f.cleaned_data["part"],
                                      due_date=f.cleaned_data["due_date"]) for f in filled]
            try:
                matter = actions.do_create_matter(actor=user, data=form.to_input(co))
            except actions.MatterError as e:
                _apply_errors(form, filled, e.errors)
            else:
                messages.success(request, _("Matter %(number)s created as a draft.") % {"number": matter.number})
                if visible_matters(user).filter(pk=matter.pk).exists():
                    return redirect("matters:detail", matter_id=matter.id)
                return redirect("matters:list")
        status = 400
    else:
        source = request.GET.get("source", "")
        if source not in Source.values:
            source = Source.UNIT_REQUEST if user.role == Role.GENERAL_OFFICE else Source.KEY_WORK
        form = MatterForm(initial={"source": source, "start_date": workcal.today(), "milestones": 0},
                          units=units, leaders=leaders)
        formset = CoUnitFormSet(prefix="co", form_kwargs={"units": co_units})
        status = 200
    data = request.POST if request.method == "POST" else {}
    start = data.get("start_date") or str(form.initial.get("start_date", ""))
    return render(request, "matters/form.html", {
        "form": form, "formset": formset, "show_co_errors": show_co_errors,
        "deadline": deadline_context(str(form["source"].value() or ""), start, co_units_chosen(data)),
        "source_fields": {k: " ".join(v) for k, v in MatterForm.SOURCE_FIELDS.items()},
        "proposal_months": actions.proposal_limit_months(),
    }, status=status)


@login_required
@require_GET
def deadline_preview(request: HttpRequest) -> HttpResponse:
    """S1.13 on the form: the due date a unit's request gets from its receipt date and departments."""
    _user(request)
    context = deadline_context(request.GET.get("source", ""), request.GET.get("start_date", ""),
                                co_units_chosen(request.GET))
    return render(request, "matters/_deadline_preview.html", context)


# -- dashboards -----------------------------------------------------------------------------------


def _dashboard_context(user: User) -> dict[str, Any]:
    today, cal = workcal.today(), calendar_or_none()
    qs = visible_matters(user)
    # The scope in disjoint parts, each read through its own index (access.visible_matter_parts).
    parts = visible_matter_parts(user)
    post = getattr(user, "leader_post", None)
    context: dict[str, Any] = {"today": today, "now": timezone.localtime()}
    if user.role in UNIT_ROLES and user.unit_id is not None:
        context["kind"] = "unit"
        context["unit"] = user.unit
        summary = summarise(visible_matters_led_by(user, [user.unit_id]), today=today, cal=cal)
        context.update(unit_work(user.unit_id, today=today, cal=cal))
    elif user.role == Role.LEADER and post is not None and post.kind == LeaderKind.VICE_MAYOR:
        context["kind"] = "leader"
        portfolio = [(u.id, u.short_name or u.name) for u in post.portfolio.order_by("sort_order", "id")]
        # Every figure is of the matters the portfolio's units lead, so the table of units adds up
        # to the totals; a matter led elsewhere with a portfolio unit as co-unit stays in the list.
        summary = summarise(visible_matters_led_by(user, [uid for uid, _n in portfolio]), today=today, cal=cal,
                            units=portfolio)
        context["my_open"] = qs.filter(responsible_leader=user, status__in=OPEN).count()
    else:
        context["kind"] = "city" if unit_scope(user).all_units else "none"
        summary = summarise(parts, today=today, cal=cal)
    scale = max((b.counts.total for b in summary.units), default=0)
    context.update(
        summary=summary,
        unit_bars=[(b, stacked(b.counts, scale)) for b in summary.units],
        status_total=sum(n for _s, _l, n in summary.status_counts),
        status_arcs=donut([(s, label, n) for s, label, n in summary.status_counts]),
        light_bar=stacked(summary.lights, summary.lights.total),
    )
    return context


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    return render(request, "matters/dashboard.html", _dashboard_context(_user(request)))


@login_required
@require_GET
def dashboard_panel(request: HttpRequest) -> HttpResponse:
    """The part of the dashboard that htmx refreshes every 60 seconds."""
    return render(request, "matters/_dashboard_panel.html", _dashboard_context(_user(request)))


def home_context(user: User) -> dict[str, Any]:
    """The home page's summary of the person's matters (lights and what is overdue)."""
    today, cal = workcal.today(), calendar_or_none()
    parts = visible_matter_parts(user)
    lead_only = user.role in UNIT_ROLES and user.unit_id is not None
    context: dict[str, Any] = {"matter_summary_lead_only": lead_only}
    if lead_only:
        assert user.unit_id is not None
        parts = [visible_matters_led_by(user, [user.unit_id])]
        context["co_overdue"], context["co_overdue_total"] = overdue_co_parts(user.unit_id, today=today, cal=cal)
    context["matter_summary"] = summarise(parts, today=today, cal=cal, limit=5)
    return context
