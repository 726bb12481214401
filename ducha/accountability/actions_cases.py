"""Every write of the efficiency cases (S1.14): open a case (from a proposal or not), move it
through 线索 → 核查 → 认定 / 不予认定 → 处理, dismiss a proposal. The supervision office takes
each step; each is a ``CaseStep`` with who and when, and an event in the audit trail."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from ducha.accountability.access import registers
from ducha.accountability.actions import MAX_TEXT, AccountabilityError, NotYours
from ducha.accountability.cases import NEXT, proposals
from ducha.accountability.models import Case, CaseSource, CaseState, CaseStep, Conduct, ProposalDismissal
from ducha.audit.api import record as audit
from ducha.inbox.notify import notify_units
from ducha.matters.models import Matter
from ducha.org.models import Unit, User


@dataclass(frozen=True)
class CaseInput:
    unit_id: int
    conduct: str
    source: str
    summary: str
    evidence: str = ""
    matter_id: int | None = None


def _office(actor: User) -> None:
    if not registers(actor):
        raise NotYours(_("Only the supervision office handles efficiency cases."))


def do_open_case(*, actor: User, data: CaseInput) -> Case:
    """Open a case (线索). From the platform's proposal: ``source`` platform and the matter named."""
    _office(actor)
    errors: dict[str, str] = {}
    unit = Unit.objects.filter(pk=data.unit_id, is_active=True).first()
    if unit is None:
        errors["unit"] = _("No active unit with id %(id)s.") % {"id": data.unit_id}
    if data.conduct not in Conduct.values:
        errors["conduct"] = _("Choose the conduct: %(choices)s.") % {"choices": ", ".join(Conduct.values)}
    if data.source not in CaseSource.values:
        errors["source"] = _("Choose where it came from: %(choices)s.") % {"choices": ", ".join(CaseSource.values)}
    matter = Matter.objects.filter(pk=data.matter_id).first() if data.matter_id else None
    if data.matter_id and matter is None:
        errors["matter"] = _("No matter with id %(id)s.") % {"id": data.matter_id}
    elif data.source == CaseSource.PLATFORM and (matter is None or not proposals().filter(pk=matter.pk).exists()):
        errors["matter"] = _("The platform proposes no case for this matter now.")
    if not data.summary.strip() or len(data.summary) > MAX_TEXT:
        errors["summary"] = _("Say what was found (at most %(n)d characters).") % {"n": MAX_TEXT}
    if len(data.evidence) > MAX_TEXT:
        errors["evidence"] = _("At most %(n)d characters.") % {"n": MAX_TEXT}
    if errors:
        raise AccountabilityError(errors)
    assert unit is not None
    try:
        with transaction.atomic():
            case = Case.objects.create(unit=unit, matter=matter, conduct=data.conduct, source=data.source,
                                       summary=data.summary.strip(), evidence=data.evidence.strip(), opened_by=actor)
            CaseStep.objects.create(case=case, to_state=CaseState.LEAD, actor=actor)
            audit(actor=actor, action="accountability.case_open", obj_type="accountability.Case", obj_id=case.pk,
                  before=None, after={"unit": data.unit_id, "conduct": data.conduct, "source": data.source})
    except IntegrityError:
        raise AccountabilityError({"matter": _("This matter already has an open case.")}) from None
    return case


def do_move_case(*, actor: User, case: Case, to_state: str, note: str) -> Case:
    """Take the case one step: verify, confirm or not confirm (with reasons), handle (with the
    outcome). A guarded update: two people moving it at once move it once."""
    _office(actor)
    allowed = NEXT.get(case.state, ())
    if to_state not in allowed:
        raise AccountabilityError({"state": _("A case in %(state)s can go to: %(next)s.") % {
            "state": CaseState(case.state).label, "next": "、".join(str(CaseState(s).label) for s in allowed) or "—"}})
    needs: dict[str, str] = {CaseState.CONFIRMED: "finding", CaseState.NOT_CONFIRMED: "finding",
                             CaseState.HANDLED: "handling"}
    if to_state in needs and (not note.strip() or len(note) > MAX_TEXT):
        raise AccountabilityError({"note": _("Give the reasons or the outcome (at most %(n)d characters).")
                                   % {"n": MAX_TEXT}})
    fields: dict[str, str] = {"state": to_state}
    if to_state in needs:
        fields[needs[to_state]] = note.strip()
    with transaction.atomic():
        if Case.objects.filter(pk=case.pk, state=case.state).update(**fields) != 1:
            raise AccountabilityError(_("Someone else moved this case first; reload the page."))
        CaseStep.objects.create(case=case, to_state=to_state, actor=actor, note=note.strip())
        audit(actor=actor, action="accountability.case_move", obj_type="accountability.Case", obj_id=case.pk,
              before={"state": case.state}, after={"state": to_state})
        if to_state in (CaseState.CONFIRMED, CaseState.NOT_CONFIRMED):
            title = _("Efficiency case %(id)s: %(state)s") % {"id": case.pk, "state": CaseState(to_state).label}
            unit_id, body = case.unit_id, note.strip()
            transaction.on_commit(lambda: notify_units([unit_id], title=title, body=body,
                                                       light="red" if to_state == CaseState.CONFIRMED else ""))
    case.refresh_from_db()
    return case


def do_dismiss_proposal(*, actor: User, matter_id: int, reason: str) -> ProposalDismissal:
    """Open no case for the platform's proposal on this matter, saying why."""
    _office(actor)
    matter = proposals().filter(pk=matter_id).first()
    if matter is None:
        raise AccountabilityError({"matter": _("The platform proposes no case for this matter now.")})
    if not reason.strip() or len(reason) > MAX_TEXT:
        raise AccountabilityError({"reason": _("Say why no case is opened (at most %(n)d characters).")
                                   % {"n": MAX_TEXT}})
    try:
        with transaction.atomic():
            row = ProposalDismissal.objects.create(reminder_id=matter.proposing, reason=reason.strip(),  # type: ignore[attr-defined]
                                                   dismissed_by=actor)
    except IntegrityError:
        raise AccountabilityError({"matter": _("This proposal has been dismissed already.")}) from None
    return row
