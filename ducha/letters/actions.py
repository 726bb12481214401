"""Every write of the letters app: send (S1.4, S1.5), dismiss a proposal, record a requester,
sign for a letter, render its files again.

Sending is one transaction: check the sender and the facts, draw the next number of the
sender's 机关代字 for the year with one guarded UPDATE on the shared sequence row, store the
letter and its addressees, settle the engine's open proposals for the part, and add a line
to the matter's timeline. Notifications go out on commit; the files are rendered after it.
A double-clicked send carries the same form token and returns the letter already sent.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from ducha.audit.api import record
from ducha.documents.register import take_document_number
from ducha.letters.access import access_letter_by_id, can_record_requesters, receipt_filter, sending_unit
from ducha.letters.documents import render_letter_files
from ducha.letters.facts import (
    OfficeMissing,
    RequestFacts,
    address_problem,
    agency_for,
    general_office_unit,
    open_requests,
    part_facts,
    requests_with_requesters,
    required_addressees,
)
from ducha.letters.models import (
    Letter,
    LetterKind,
    LetterReason,
    LetterRecipient,
    Outcome,
    ProposalOutcome,
    RequestOrigin,
)
from ducha.letters.notify import notify_letter_sent
from ducha.matters.access import visible_matters
from ducha.matters.actions import do_record_requesting_unit
from ducha.matters.models import CoUnitPart, Matter, Source
from ducha.matters.recorded import add_to_timeline
from ducha.org.models import Unit, User
from ducha.org.roles import Role
from ducha.reminders.models import LetterProposal
from ducha.rules.letters import Addressee, AddressError
from ducha.rules.workdays import UncoveredYear
from ducha.workcal import service as workcal


class LetterError(ValueError):
    """Bad input or a step that is not allowed; ``errors`` maps field names to messages."""

    def __init__(self, errors: dict[str, str] | str) -> None:
        self.errors = errors if isinstance(errors, dict) else {"__all__": errors}
        super().__init__("; ".join(f"{k}: {v}" for k, v in self.errors.items()))


@dataclass
class LetterDraft:
    title: str
    body: str
    token: str
    extra_cc_unit_ids: list[int] = field(default_factory=list)


def _validate_draft(draft: LetterDraft) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not draft.title.strip():
        errors["title"] = _("The title is required.")
    elif len(draft.title.strip()) > 200:
        errors["title"] = _("The title has at most 200 characters.")
    if len(draft.body.strip()) < 20:
        errors["body"] = _("The text is too short: state the matter, the time limit and the request.")
    if not 16 <= len(draft.token) <= 64 or not draft.token.replace("-", "").isalnum():
        errors["__all__"] = _("The form has expired; reload the page and try again.")
    return errors


def _extra_cc(draft: LetterDraft) -> list[Unit]:
    ids = sorted(set(draft.extra_cc_unit_ids))
    units = list(Unit.objects.filter(pk__in=ids, is_active=True).order_by("sort_order", "id"))
    if len(units) != len(ids):
        raise LetterError({"extra_cc": _("No such unit to copy the letter to.")})
    return units


def _addressees(sender: Unit, to: Unit, extra: list[Unit]) -> tuple[Addressee, ...]:
    try:
        return required_addressees(sender, to, extra)
    except (AddressError, OfficeMissing) as e:
        raise LetterError(address_problem(e)) from e


def _already_sent(actor: User, token: str) -> Letter | None:
    return Letter.objects.filter(idempotency_key=token, sent_by=actor).first()


def _issue(*, actor: User, kind: str, matter: Matter, co_part: CoUnitPart | None, sender: Unit, to: Unit,
           reason: str, draft: LetterDraft, today: date, due: date | None, overdue: int, silent: int,
           addressees: tuple[Addressee, ...]) -> Letter:
    agency = _agency(sender)
    sequence = take_document_number(agency, today.year)
    number = f"{agency}〔{today.year}〕{sequence}号"
    letter = Letter.objects.create(
        kind=kind, matter=matter, co_part=co_part, from_unit=sender, to_unit=to, reason=reason, agency=agency,
        doc_year=today.year, sequence=sequence, number=number, title=draft.title.strip(), body=draft.body.strip(),
        due_date=due, overdue_workdays=min(overdue, 32767), silent_workdays=min(silent, 32767), sent_by=actor,
        sent_at=timezone.now(), sent_on=today, idempotency_key=draft.token,
    )
    LetterRecipient.objects.bulk_create(
        LetterRecipient(
            letter=letter, role=a.role.value, unit_id=a.party.id if a.party.kind == "unit" else None,
            person_id=a.party.id if a.party.kind == "person" else None, label=a.party.label[:100],
            mandatory=a.mandatory, sort_order=i,
        )
        for i, a in enumerate(addressees)
    )
    add_to_timeline(actor=actor, entries=[(
        matter.pk, "reminder_letter", f"{number} 致{to.name}：{letter.title}",
        {"letter": letter.pk, "number": number, "to_unit": to.pk, "kind": kind},
    )])
    record(actor=actor, action="letter.send", obj_type="letters.Letter", obj_id=letter.pk, before=None,
           after={"number": number, "kind": kind, "matter": matter.pk, "to_unit": to.pk,
                  "addressees": [f"{a.role}:{a.party.kind}:{a.party.id}" for a in addressees]})
    transaction.on_commit(lambda: notify_letter_sent(letter.pk))
    return letter


def _agency(sender: Unit) -> str:
    try:
        return agency_for(sender)
    except ValueError as e:
        raise LetterError(_("The letter code of %(unit)s cannot be derived from its name; the system administrator sets it.") % {"unit": sender.name}) from e


def _send(build: Callable[[], Letter], actor: User, token: str) -> Letter:
    """Run one send; a concurrent double submission with the same token returns the first letter."""
    try:
        letter = build()
    except IntegrityError:
        existing = _already_sent(actor, token)
        if existing is None:
            raise
        return existing
    if not letter.docx_file:
        render_letter_files(letter)
    return letter


def do_send_co_unit_letter(*, actor: User, co_part_id: int, draft: LetterDraft, today: date | None = None) -> Letter:
    """S1.4: the lead unit sends a reminder letter to a slow co-unit of one of its matters."""
    today = today or workcal.today()

    @transaction.atomic
    def build() -> Letter:
        sender = sending_unit(actor)
        part = CoUnitPart.objects.select_related("matter", "unit").filter(
            pk=co_part_id, matter__in=visible_matters(actor).values("pk")).first()
        if part is None or sender is None or part.matter.lead_unit_id != sender.pk:
            raise Http404("No such co-unit part")
        previous = _already_sent(actor, draft.token)
        if previous is not None:
            return previous
        errors = _validate_draft(draft)
        if errors:
            raise LetterError(errors)
        try:
            facts = part_facts(part, part.matter, today, workcal.get_calendar())
        except UncoveredYear as e:
            raise LetterError(str(e)) from e
        if not facts.slow:
            raise LetterError(_("This co-unit is neither overdue nor silent past the limit: no letter is due."))
        addressees = _addressees(sender, part.unit, _extra_cc(draft))
        letter = _issue(
            actor=actor, kind=LetterKind.CO_UNIT, matter=part.matter, co_part=part, sender=sender, to=part.unit,
            reason=facts.reason, draft=draft, today=today, due=part.due_date, overdue=facts.overdue,
            silent=facts.silent, addressees=addressees,
        )
        _settle_proposals(part.pk, actor, Outcome.SENT, letter=letter)
        return letter

    return _send(build, actor, draft.token)


def _settle_proposals(co_part_id: int, actor: User, outcome: str, *, letter: Letter | None = None,
                      reason: str = "") -> int:
    open_ids = list(LetterProposal.objects.filter(co_part_id=co_part_id, outcome__isnull=True)
                    .values_list("pk", flat=True))
    now = timezone.now()
    ProposalOutcome.objects.bulk_create(
        [ProposalOutcome(proposal_id=pid, outcome=outcome, letter=letter, reason=reason, decided_by=actor,
                         decided_at=now) for pid in open_ids],
        ignore_conflicts=True,
    )
    return len(open_ids)


def do_dismiss_letter_proposals(*, actor: User, co_part_id: int, reason: str) -> int:
    """The lead unit decides not to write to a co-unit the engine found slow; it must say why."""
    with transaction.atomic():
        sender = sending_unit(actor)
        if sender is None or not LetterProposal.objects.filter(co_part_id=co_part_id, from_unit=sender).exists():
            raise Http404("No such proposal")
        if len(reason.strip()) < 4:
            raise LetterError({"reason": _("Say why no letter is sent.")})
        proposals = LetterProposal.objects.filter(co_part_id=co_part_id, from_unit=sender, outcome__isnull=True)
        ids = list(proposals.values_list("pk", flat=True))
        if not ids:
            raise LetterError(_("This proposal was already handled; reload the page."))
        now = timezone.now()
        try:
            with transaction.atomic():
                ProposalOutcome.objects.bulk_create(
                    ProposalOutcome(proposal_id=pid, outcome=Outcome.DISMISSED, reason=reason.strip(),
                                    decided_by=actor, decided_at=now) for pid in ids
                )
        except IntegrityError:
            raise LetterError(_("Someone else handled this proposal first; reload the page.")) from None
        record(actor=actor, action="letter.dismiss_proposal", obj_type="matters.CoUnitPart", obj_id=co_part_id,
               before=None, after={"proposals": ids}, reason=reason.strip())
        return len(ids)


def _request_facts(matter: Matter, today: date) -> RequestFacts:
    try:
        return requests_with_requesters([matter], today, workcal.get_calendar())[0]
    except UncoveredYear as e:
        raise LetterError(str(e)) from e


def do_send_request_letter(*, actor: User, matter_id: int, draft: LetterDraft, today: date | None = None) -> Letter:
    """S1.5: a unit whose request to the city government has stalled writes to the general office."""
    today = today or workcal.today()

    @transaction.atomic
    def build() -> Letter:
        sender = sending_unit(actor)
        matter = Matter.objects.select_related("lead_unit", "request_origin").filter(
            pk=matter_id, source=Source.UNIT_REQUEST).first()
        facts = _request_facts(matter, today) if matter is not None else None
        if matter is None or sender is None or facts is None or facts.requester_id != sender.pk:
            raise Http404("No such request")
        previous = _already_sent(actor, draft.token)
        if previous is not None:
            return previous
        errors = _validate_draft(draft)
        if errors:
            raise LetterError(errors)
        if not facts.stalled:
            raise LetterError(_("The request is within its time limit or settled: no letter is due."))
        try:
            office = general_office_unit()
        except OfficeMissing as e:
            raise LetterError(address_problem(e)) from e
        addressees = _addressees(sender, office, _extra_cc(draft))
        if facts.inferred:
            RequestOrigin.objects.update_or_create(
                matter=matter, defaults={"requesting_unit": sender, "inferred": True, "recorded_by": actor})
            do_record_requesting_unit(actor=actor, matter_id=matter.pk, unit_id=sender.pk)
        return _issue(
            actor=actor, kind=LetterKind.REQUEST, matter=matter, co_part=None, sender=sender, to=office,
            reason=LetterReason.STALLED, draft=draft, today=today, due=matter.due_date, overdue=facts.overdue,
            silent=0, addressees=addressees,
        )

    return _send(build, actor, draft.token)


def do_record_request_origin(*, actor: User, matter_id: int, unit_id: int) -> RequestOrigin:
    """The general office states which unit submitted a request (S1.5), correcting any guess."""
    if not can_record_requesters(actor):
        raise Http404("No such page")
    with transaction.atomic():
        matter = Matter.objects.filter(pk=matter_id, source=Source.UNIT_REQUEST).first()
        if matter is None:
            raise Http404("No such request")
        unit = Unit.objects.filter(pk=unit_id, is_active=True).first()
        if unit is None:
            raise LetterError({"unit": _("No such unit.")})
        if unit.pk == matter.lead_unit_id:
            raise LetterError({"unit": _("The requesting unit cannot be the unit handling the request.")})
        before = RequestOrigin.objects.filter(matter=matter).values_list("requesting_unit_id", flat=True).first()
        origin, _created = RequestOrigin.objects.update_or_create(
            matter=matter, defaults={"requesting_unit": unit, "inferred": False, "recorded_by": actor})
        do_record_requesting_unit(actor=actor, matter_id=matter.pk, unit_id=unit.pk)
        record(actor=actor, action="letter.request_origin", obj_type="matters.Matter", obj_id=matter.pk,
               before={"requesting_unit": before}, after={"requesting_unit": unit.pk})
        return origin


def requests_for_office(today: date) -> list[RequestFacts]:
    """Every open request with its requester, for the general office's page."""
    return requests_with_requesters(open_requests(), today, workcal.get_calendar())


def do_open_letter(*, actor: User, letter_id: int) -> tuple[Letter, int]:
    """Read a letter; the first opening by an addressee signs for it (签收). Returns rows signed."""
    letter = access_letter_by_id(actor, letter_id)
    signed = LetterRecipient.objects.filter(receipt_filter(actor), letter=letter, read_at__isnull=True).update(
        read_at=timezone.now(), read_by=actor)
    return letter, signed


def do_render_letter_files(*, actor: User, letter_id: int) -> bool:
    """Render the files again after a failure (a font installed since): the sender or the supervision office."""
    letter = access_letter_by_id(actor, letter_id)
    unit = sending_unit(actor)
    if (unit is None or unit.pk != letter.from_unit_id) and actor.role != Role.SUPERVISION_OFFICE:
        raise LetterError(_("Only the sending unit or the supervision office may render the files again."))
    return render_letter_files(letter)
