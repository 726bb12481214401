"""The system proposes, a person sends: the proposals page, the letter forms (S1.4, S1.5),
dismissing a proposal with a reason, and the entry point from a matter's page.

Nothing here sends on its own: a letter leaves only on the sending unit's POST of the form,
after it has read (and may have edited) the prefilled text.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from ducha.letters import actions, texts
from ducha.letters.access import MAX_PROPOSALS, access_sending_unit, open_letter_proposals
from ducha.letters.facts import (
    OfficeMissing,
    PartFacts,
    address_problem,
    assigned_dates,
    general_office_unit,
    part_facts,
    pending_requests_of,
    reply_workdays,
    requests_with_requesters,
    required_addressees,
)
from ducha.letters.forms import DismissForm, LetterForm
from ducha.letters.views import _user
from ducha.matters.access import access_matter_by_id, visible_matters
from ducha.matters.models import CoUnitPart, Matter, Source
from ducha.org.models import Unit
from ducha.reminders.engine import load_rules
from ducha.rules.letters import Addressee, AddressError
from ducha.rules.workdays import UncoveredYear
from ducha.workcal import service as workcal


@login_required
def proposals(request: HttpRequest) -> HttpResponse:
    """The lead unit's slow co-units (from the engine's proposals) and its stalled requests."""
    user = _user(request)
    unit, open_proposals = open_letter_proposals(user)
    today = workcal.today()
    grouped: OrderedDict[int, dict[str, Any]] = OrderedDict()
    for p in open_proposals:
        row = grouped.setdefault(p.co_part_id, {"proposal": p, "reasons": [], "since": p.created_at})
        row["reasons"].append(p.get_reason_display())
        row["since"] = min(row["since"], p.created_at)
    rows: list[dict[str, Any]] = []
    problem = ""
    requests = []
    try:
        cal = workcal.get_calendar()
        policy = load_rules().policy
        for row in grouped.values():
            row["proposal"].co_part.matter = row["proposal"].matter
        assigned = assigned_dates([row["proposal"].co_part for row in grouped.values()])
        for row in grouped.values():
            p = row["proposal"]
            facts = part_facts(p.co_part, p.matter, today, cal, policy, assigned[p.co_part_id])
            if facts.slow:  # updated or finished since the engine looked: nothing to propose
                rows.append({**row, "facts": facts})
        requests = pending_requests_of(unit, today, cal) if unit is not None else []
    except UncoveredYear as e:
        problem = str(e)
    return render(request, "letters/proposals.html", {
        "rows": rows, "requests": requests, "unit": unit, "today": today, "problem": problem,
        "dismiss_form": DismissForm(), "read_only": unit is None, "truncated": len(grouped) >= MAX_PROPOSALS,
    })


@login_required
@require_POST
def dismiss(request: HttpRequest, co_part_id: int) -> HttpResponse:
    user = _user(request)
    form = DismissForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why no letter is sent (at least 4 characters)."))
        return redirect("letters:proposals")
    try:
        n = actions.do_dismiss_letter_proposals(actor=user, co_part_id=co_part_id, reason=form.cleaned_data["reason"])
    except actions.LetterError as e:
        messages.error(request, "; ".join(e.errors.values()))
        return redirect("letters:proposals")
    messages.success(request, _("Proposal dismissed (%(n)d).") % {"n": n})
    return redirect("letters:proposals")


def _chain(sender: Unit, to: Unit | None) -> tuple[tuple[Addressee, ...], str]:
    if to is None:
        return (), ""
    try:
        return required_addressees(sender, to), ""
    except (AddressError, OfficeMissing) as e:
        return (), address_problem(e)


def _apply_errors(form: LetterForm, error: actions.LetterError) -> None:
    for key, msg in error.errors.items():
        form.add_error(key if key in form.fields else None, msg)


@login_required
@require_http_methods(["GET", "POST"])
def compose_co_unit(request: HttpRequest, co_part_id: int) -> HttpResponse:
    """S1.4: the letter to a slow co-unit, prefilled from the facts, edited, sent."""
    user = _user(request)
    sender = access_sending_unit(user)
    part = CoUnitPart.objects.select_related("matter", "matter__lead_unit", "unit").filter(
        pk=co_part_id, matter__in=visible_matters(user).values("pk")).first()
    if part is None or part.matter.lead_unit_id != sender.pk:
        raise Http404("No such co-unit part")
    today = workcal.today()
    facts: PartFacts | None = None
    problem = ""
    try:
        facts = part_facts(part, part.matter, today, workcal.get_calendar())
    except UncoveredYear as e:
        problem = str(e)
    chain, chain_problem = _chain(sender, part.unit)
    exclude = [sender.pk, *(a.party.id for a in chain if a.party.kind == "unit")]
    if request.method == "POST":
        form = LetterForm(request.POST, exclude_unit_ids=exclude)
        if form.is_valid():
            try:
                letter = actions.do_send_co_unit_letter(actor=user, co_part_id=part.pk, draft=form.draft(),
                                                        today=today)
            except actions.LetterError as e:
                _apply_errors(form, e)
            else:
                messages.success(request, _("Letter %(number)s sent.") % {"number": letter.number})
                return redirect("letters:detail", letter_id=letter.pk)
    else:
        initial = {}
        if facts is not None and facts.slow:
            initial = {"title": texts.co_unit_title(facts), "body": texts.co_unit_body(facts, today, reply_workdays())}
        form = LetterForm(initial=initial, exclude_unit_ids=exclude)
    return render(request, "letters/compose.html", {
        "form": form, "kind": "co_unit", "matter": part.matter, "part": part, "facts": facts, "chain": chain,
        "problem": problem or chain_problem, "sender": sender, "today": today,
        "can_send": facts is not None and facts.slow and not chain_problem,
        "action": reverse("letters:compose-co-unit", args=[part.pk]),
    }, status=400 if request.method == "POST" else 200)


@login_required
@require_http_methods(["GET", "POST"])
def compose_request(request: HttpRequest) -> HttpResponse:
    """S1.5: the unit picks its stalled request and writes to the general office."""
    user = _user(request)
    sender = access_sending_unit(user)
    today = workcal.today()
    problem = ""
    try:
        pending = pending_requests_of(sender, today, workcal.get_calendar())
    except UncoveredYear as e:
        pending, problem = [], str(e)
    raw = (request.POST if request.method == "POST" else request.GET).get("matter", "")
    chosen = next((r for r in pending if str(r.matter.pk) == raw), None)
    if raw and chosen is None:
        raise Http404("No such request")
    office: Unit | None = None
    try:
        office = general_office_unit()
    except OfficeMissing as e:
        problem = problem or address_problem(e)
    chain, chain_problem = _chain(sender, office) if chosen is not None else ((), "")
    exclude = [sender.pk, *(a.party.id for a in chain if a.party.kind == "unit")]
    if request.method == "POST" and chosen is not None:
        form = LetterForm(request.POST, exclude_unit_ids=exclude)
        if form.is_valid():
            try:
                letter = actions.do_send_request_letter(actor=user, matter_id=chosen.matter.pk, draft=form.draft(),
                                                        today=today)
            except actions.LetterError as e:
                _apply_errors(form, e)
            else:
                messages.success(request, _("Letter %(number)s sent.") % {"number": letter.number})
                return redirect("letters:detail", letter_id=letter.pk)
    elif request.method == "POST":
        raise Http404("No request chosen")
    else:
        initial = {}
        if chosen is not None and chosen.stalled:
            initial = {"title": texts.request_title(chosen),
                       "body": texts.request_body(chosen, today, sender, reply_workdays())}
        form = LetterForm(initial=initial, exclude_unit_ids=exclude)
    return render(request, "letters/compose.html", {
        "form": form, "kind": "request", "pending": pending, "chosen": chosen, "chain": chain,
        "problem": problem or chain_problem, "sender": sender, "today": today, "office": office,
        "matter": chosen.matter if chosen else None,
        "can_send": chosen is not None and chosen.stalled and not chain_problem and office is not None,
        "action": reverse("letters:compose-request"),
    }, status=400 if request.method == "POST" else 200)


@login_required
def propose_for_matter(request: HttpRequest, matter_id: int) -> HttpResponse:
    """From a matter's page: the requester writes about its request (S1.5); the lead unit picks
    the slow co-unit to write to (S1.4), straight to the form when only one is slow."""
    user = _user(request)
    sender = access_sending_unit(user)
    matter = Matter.objects.select_related("request_origin").filter(pk=matter_id).first()
    if matter is not None and matter.source == Source.UNIT_REQUEST:
        try:
            facts = requests_with_requesters([matter], workcal.today(), workcal.get_calendar())[0]
        except UncoveredYear:
            facts = None
        if facts is not None and facts.requester_id == sender.pk:
            return redirect(f"{reverse('letters:compose-request')}?matter={matter.pk}")
    matter = access_matter_by_id(user, matter_id)
    if matter.lead_unit_id != sender.pk:
        raise Http404("Only the lead unit writes to co-units")
    today = workcal.today()
    parts = list(matter.co_parts.select_related("unit").order_by("id"))
    rows: list[PartFacts] = []
    problem = ""
    try:
        cal, policy = workcal.get_calendar(), load_rules().policy
        for p in parts:
            p.matter = matter
        assigned = assigned_dates(parts)
        rows = [part_facts(p, matter, today, cal, policy, assigned[p.pk]) for p in parts]
    except UncoveredYear as e:
        problem = str(e)
    slow = [r for r in rows if r.slow]
    if len(slow) == 1 and not problem:
        return redirect("letters:compose-co-unit", co_part_id=slow[0].part.pk)
    return render(request, "letters/choose.html", {"matter": matter, "rows": rows, "problem": problem})
