"""Writing reminder letters over the API: the system proposes, a person sends (S1.4, S1.5).

The lead unit reads the co-units the reminder engine found slow and its own stalled requests,
reads the prefilled draft (``…/draft``: the text, the addressees, nothing sent), and sends
with ``"confirm": true``, or dismisses a proposal with a reason. The supervision office reads
every open proposal and sends nothing. Every write goes through ``ducha.letters.actions``:
who may send what, the facts, the numbering and the addressees are the action's, exactly as
for the form; a part or request the caller may not write about is a 404.
"""

from __future__ import annotations

import uuid
from collections import OrderedDict
from datetime import date
from typing import Any

from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Status

from ducha.api.common import ERRORS, refuse
from ducha.api.letter_schemas import (
    DismissIn,
    DismissOut,
    DraftOut,
    LetterDetailOut,
    ProposalsOut,
    SendIn,
)
from ducha.api.letters import letter_detail, reader
from ducha.api.schemas import Error, RowId
from ducha.letters import actions, texts
from ducha.letters.access import MAX_PROPOSALS, access_sending_unit, open_letter_proposals
from ducha.letters.actions import LetterDraft, LetterError
from ducha.letters.facts import (
    OfficeMissing,
    PartFacts,
    RequestFacts,
    address_problem,
    general_office_unit,
    part_facts,
    pending_requests_of,
    reply_workdays,
    required_addressees,
)
from ducha.letters.models import Letter, LetterKind, RoleChoice
from ducha.matters.access import visible_matters
from ducha.matters.models import CoUnitPart
from ducha.org.models import Unit, User
from ducha.reminders.engine import load_rules
from ducha.reminders.models import LetterProposal
from ducha.rules.letters import Addressee, AddressError
from ducha.rules.workdays import UncoveredYear
from ducha.workcal import service as workcal

router = Router(tags=["letters"])
WRITES = {400: Error, 403: Error, 409: Error, **ERRORS}
def _facts(facts: PartFacts) -> dict[str, Any]:
    return {"overdue_workdays": facts.overdue, "silent_workdays": facts.silent, "last_update": facts.last_update,
            "reasons": facts.reasons}


def _request(r: RequestFacts) -> dict[str, Any]:
    return {"matter": r.matter, "lead_unit": r.matter.lead_unit, "due_date": r.matter.due_date,
            "overdue_workdays": r.overdue, "stalled": r.stalled, "requester_inferred": r.inferred}


def _chain(sender: Unit, to: Unit | None, extra: list[Unit] | None = None) -> tuple[tuple[Addressee, ...], str]:
    if to is None:
        return (), ""
    try:
        return required_addressees(sender, to, extra), ""
    except (AddressError, OfficeMissing) as e:
        return (), address_problem(e)


def _planned(chain: tuple[Addressee, ...]) -> list[dict[str, Any]]:
    return [{"role": a.role.value, "label": a.party.label, "mandatory": a.mandatory} for a in chain]


@router.get("/letter-proposals", response={200: ProposalsOut, **ERRORS})
def list_proposals(request: HttpRequest) -> Any:
    """The lead unit's slow co-units not yet written to, and its requests still being handled.
    The supervision office reads every unit's proposals; other roles have none (404)."""
    user = reader(request)
    unit, open_proposals = open_letter_proposals(user)
    today = workcal.today()
    first: OrderedDict[int, LetterProposal] = OrderedDict()
    for p in open_proposals:
        first.setdefault(p.co_part_id, p)
    proposals: list[dict[str, Any]] = []
    requests: list[RequestFacts] = []
    problem = ""
    try:
        cal, policy = workcal.get_calendar(), load_rules().policy
        for p in first.values():
            facts = part_facts(p.co_part, p.matter, today, cal, policy)
            if facts.slow:  # updated or finished since the engine looked: nothing to propose
                proposals.append({
                    "co_part_id": p.co_part_id, "part": p.co_part.part, "matter": p.matter, "from_unit": p.from_unit,
                    "to_unit": p.to_unit, "due_date": p.co_part.due_date, "proposed_at": p.created_at,
                    "facts": _facts(facts)})
        requests = pending_requests_of(unit, today, cal) if unit is not None else []
    except UncoveredYear as e:
        problem = str(e)
    return {"unit": unit, "read_only": unit is None, "proposals": proposals,
            "requests": [_request(r) for r in requests], "truncated": len(first) >= MAX_PROPOSALS,
            "problem": problem}


@router.post("/letter-proposals/{co_part_id}/dismiss", response={200: DismissOut, **WRITES})
def dismiss_proposal(request: HttpRequest, co_part_id: RowId, payload: DismissIn) -> Any:
    """The lead unit decides not to write to the slow co-unit; the reason is kept on record."""
    user = reader(request)
    try:
        n = actions.do_dismiss_letter_proposals(actor=user, co_part_id=co_part_id, reason=payload.reason)
    except LetterError as e:
        return refuse(400, e.errors)
    return {"dismissed": n}


def _co_part(user: User, co_part_id: int) -> tuple[Unit, CoUnitPart]:
    sender = access_sending_unit(user)
    part = CoUnitPart.objects.select_related("matter", "unit").filter(
        pk=co_part_id, matter__in=visible_matters(user).values("pk")).first()
    if part is None or part.matter.lead_unit_id != sender.pk:
        raise Http404("No such co-unit part")
    return sender, part


def _pending(sender: Unit, matter_id: int, today: date) -> RequestFacts:
    try:
        pending = pending_requests_of(sender, today, workcal.get_calendar())
    except UncoveredYear as e:
        raise Http404(str(e)) from None
    chosen = next((r for r in pending if r.matter.pk == matter_id), None)
    if chosen is None:
        raise Http404("No such request")
    return chosen


@router.get("/letters/co-unit/{co_part_id}/draft", response={200: DraftOut, **ERRORS})
def co_unit_draft(request: HttpRequest, co_part_id: RowId) -> Any:
    """S1.4: the letter to a slow co-unit of a matter the caller's unit leads, prefilled."""
    user = reader(request)
    sender, part = _co_part(user, co_part_id)
    today = workcal.today()
    facts: PartFacts | None = None
    problem = ""
    try:
        facts = part_facts(part, part.matter, today, workcal.get_calendar())
    except UncoveredYear as e:
        problem = str(e)
    chain, chain_problem = _chain(sender, part.unit)
    slow = facts is not None and facts.slow
    if facts is not None and not slow:
        problem = _("This co-unit is neither overdue nor silent past the limit: no letter is due.")
    return {
        "kind": LetterKind.CO_UNIT, "matter": part.matter, "from_unit": sender, "to_unit": part.unit,
        "title": texts.co_unit_title(facts) if slow and facts else "",
        "body": texts.co_unit_body(facts, today, reply_workdays()) if slow and facts else "",
        "addressees": _planned(chain), "facts": _facts(facts) if facts else None, "request": None,
        "can_send": slow and not chain_problem, "problem": problem or chain_problem, "token": uuid.uuid4().hex,
    }


@router.get("/letters/request/{matter_id}/draft", response={200: DraftOut, **ERRORS})
def request_draft(request: HttpRequest, matter_id: RowId) -> Any:
    """S1.5: the letter to the general office on a request of the caller's unit, prefilled."""
    user = reader(request)
    sender = access_sending_unit(user)
    today = workcal.today()
    chosen = _pending(sender, matter_id, today)
    office: Unit | None = None
    problem = ""
    try:
        office = general_office_unit()
    except OfficeMissing as e:
        problem = str(e)
    chain, chain_problem = _chain(sender, office)
    if not chosen.stalled:
        problem = problem or _("This request is still within its time limit: no letter is due.")
    return {
        "kind": LetterKind.REQUEST, "matter": chosen.matter, "from_unit": sender, "to_unit": office,
        "title": texts.request_title(chosen) if chosen.stalled else "",
        "body": texts.request_body(chosen, today, sender, reply_workdays()) if chosen.stalled else "",
        "addressees": _planned(chain), "facts": None, "request": _request(chosen),
        "can_send": chosen.stalled and office is not None and not chain_problem, "problem": problem or chain_problem,
        "token": uuid.uuid4().hex,
    }


def _unconfirmed(sender: Unit, to: Unit | None, payload: SendIn) -> Status[dict[str, Any]]:
    """The refusal of a send without ``confirm``: it names where the letter would go."""
    extra = list(Unit.objects.filter(pk__in=payload.extra_cc, is_active=True).order_by("sort_order", "id"))
    chain, _problem = _chain(sender, to, extra)
    groups = [f"{label}: {'、'.join(a.party.label for a in chain if a.role.value == role)}"
              for role, label in RoleChoice.choices if any(a.role.value == role for a in chain)]
    where = "; ".join(groups) or (to.name if to else "")
    return refuse(400, {"confirm": _(
        "A letter cannot be taken back once sent: it goes out numbered in the name of %(sender)s (%(where)s) and "
        "counts against the addressee. To send it, send again with confirm: true.") % {
            "sender": sender.name, "where": where}})


def _draft(payload: SendIn) -> LetterDraft:
    return LetterDraft(title=payload.title, body=payload.body, token=payload.token or uuid.uuid4().hex,
                       extra_cc_unit_ids=list(payload.extra_cc))


def _sent(user: User, letter: Letter) -> Status[dict[str, Any]]:
    letter = Letter.objects.select_related("from_unit", "to_unit", "matter", "sent_by").get(pk=letter.pk)
    return Status(201, letter_detail(user, letter))


@router.post("/letters/co-unit/{co_part_id}", response={201: LetterDetailOut, **WRITES})
def send_co_unit_letter(request: HttpRequest, co_part_id: RowId, payload: SendIn) -> Any:
    """S1.4: send the (edited) letter to the slow co-unit. Needs ``"confirm": true``: it goes out
    to the co-unit, is reported to the leaders and copied to the supervision office."""
    user = reader(request)
    sender, part = _co_part(user, co_part_id)
    if not payload.confirm:
        return _unconfirmed(sender, part.unit, payload)
    try:
        letter = actions.do_send_co_unit_letter(actor=user, co_part_id=part.pk, draft=_draft(payload))
    except LetterError as e:
        return refuse(400, e.errors)
    return _sent(user, letter)


@router.post("/letters/request/{matter_id}", response={201: LetterDetailOut, **WRITES})
def send_request_letter(request: HttpRequest, matter_id: RowId, payload: SendIn) -> Any:
    """S1.5: send the (edited) letter to the general office about a stalled request of the
    caller's unit. Needs ``"confirm": true``: it goes out and is reported to the leaders."""
    user = reader(request)
    sender = access_sending_unit(user)
    chosen = _pending(sender, matter_id, workcal.today())
    if not payload.confirm:
        try:
            office: Unit | None = general_office_unit()
        except OfficeMissing:
            office = None
        return _unconfirmed(sender, office, payload)
    try:
        letter = actions.do_send_request_letter(actor=user, matter_id=chosen.matter.pk, draft=_draft(payload))
    except LetterError as e:
        return refuse(400, e.errors)
    return _sent(user, letter)
