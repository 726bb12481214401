"""Every write of the accountability register (S1.16): register a record, appeal it, answer
the appeal, settle a consequence.

Each write is one transaction that locks the unit's row first, so two records registered for
one unit at the same moment are counted one after the other and the ladder
(``ducha.rules.accountability.ladder``) is recomputed once per write, on every record of the
unit: what it no longer supports is withdrawn with the reason, what it newly supports is
raised. Messages go out on commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from ducha.accountability.access import appeals_for, registers
from ducha.accountability.models import (
    Appeal,
    Case,
    CaseState,
    Cause,
    Consequence,
    ConsequenceState,
    Form,
    Record,
    Rung,
    Sanction,
    SpecialOutcome,
    SpecialReview,
    Step,
    StepAction,
)
from ducha.accountability.special import candidates
from ducha.audit.api import record as audit
from ducha.inbox.notify import notify_people, notify_units
from ducha.matters.models import CoUnitPart, Matter
from ducha.org.models import Unit, UnitPost, User
from ducha.org.roles import Role
from ducha.rules.accountability import CountedRecord, WindowRule, add_months, ladder, sanction_period
from ducha.rules.periods import Period
from ducha.rules.workdays import UncoveredYear
from ducha.workcal import service as workcal

MAX_TEXT = 2000


class AccountabilityError(ValueError):
    """Bad input or a step that is not allowed; ``errors`` maps field names to messages."""

    def __init__(self, errors: dict[str, str] | str) -> None:
        self.errors = errors if isinstance(errors, dict) else {"__all__": errors}
        super().__init__("; ".join(self.errors.values()))


class NotYours(AccountabilityError):
    """The step belongs to another role (the API answers 403)."""


def window_rule() -> WindowRule:
    """Calendar year (the default) or rolling twelve months: DUCHA_ACCOUNTABILITY_WINDOW."""
    rule = str(settings.DUCHA_ACCOUNTABILITY_WINDOW)
    return "rolling_12_months" if rule == "rolling_12_months" else "calendar_year"


def appeal_deadline(record: Record) -> date | None:
    """The last day to appeal: DUCHA_ACCOUNTABILITY_APPEAL_WORKDAYS working days after the
    decision; None when the calendar does not cover it."""
    try:
        return workcal.get_calendar().add_workdays(record.decided_on, int(settings.DUCHA_ACCOUNTABILITY_APPEAL_WORKDAYS))
    except UncoveredYear:
        return None


@dataclass(frozen=True)
class RecordInput:
    unit_id: int
    people_ids: tuple[int, ...]
    cause: str
    reason: str
    form: str
    deciding_body: str
    document_number: str
    decided_on: date | None
    matter_id: int | None = None
    case_id: int | None = None


def _check(data: RecordInput, today: date) -> tuple[dict[str, str], Unit | None]:
    errors: dict[str, str] = {}
    unit = Unit.objects.filter(pk=data.unit_id, is_active=True).first()
    if unit is None:
        errors["unit"] = _("No active unit with id %(id)s.") % {"id": data.unit_id}
    if not data.people_ids:
        errors["people"] = _("Name the people held to account: the unit's principal, its leader in charge, or both.")
    elif unit is not None:
        leaders = set(UnitPost.objects.filter(unit=unit).values_list("person_id", flat=True))
        strangers = sorted(set(data.people_ids) - leaders)
        if strangers:
            errors["people"] = _("Not the principal or a leader in charge of %(unit)s: %(ids)s") % {
                "unit": unit.name, "ids": ", ".join(map(str, strangers))}
    if data.cause not in Cause.values:
        errors["cause"] = _("Choose the cause: %(choices)s.") % {"choices": ", ".join(Cause.values)}
    elif data.cause == Cause.MATTER:
        matter = Matter.objects.filter(pk=data.matter_id).first() if data.matter_id else None
        if matter is None:
            errors["matter"] = _("Name the matter the record is about.")
        elif unit is not None and matter.lead_unit_id != unit.pk and not CoUnitPart.objects.filter(
                matter=matter, unit=unit).exists():
            errors["matter"] = _("%(unit)s neither leads nor co-operates on matter %(number)s.") % {
                "unit": unit.name, "number": matter.number}
    elif data.cause == Cause.CASE:
        case = Case.objects.filter(pk=data.case_id).first() if data.case_id else None
        if case is None or case.state not in (CaseState.CONFIRMED, CaseState.HANDLED):
            errors["case"] = _("Name a confirmed efficiency case.")
        elif unit is not None and case.unit_id != unit.pk:
            errors["case"] = _("The case is about another unit.")
    if not data.reason.strip():
        errors["reason"] = _("Say what was wrong.")
    elif len(data.reason) > MAX_TEXT:
        errors["reason"] = _("At most %(n)d characters.") % {"n": MAX_TEXT}
    if data.form not in Form.values:
        errors["form"] = _("Choose the form: %(choices)s.") % {"choices": ", ".join(Form.values)}
    if not data.deciding_body.strip() or len(data.deciding_body) > 100:
        errors["deciding_body"] = _("Name the body that decided (at most 100 characters).")
    if not data.document_number.strip() or len(data.document_number) > 60:
        errors["document_number"] = _("Give the decision's document number (at most 60 characters).")
    elif unit is not None and Record.objects.filter(unit=unit, document_number=data.document_number.strip()).exists():
        errors["document_number"] = _("%(unit)s already has a record under %(number)s.") % {
            "unit": unit.name, "number": data.document_number.strip()}
    if data.decided_on is None:
        errors["decided_on"] = _("Give the day of the decision.")
    elif data.decided_on > today:
        errors["decided_on"] = _("The decision cannot be dated after today (%(today)s).") % {"today": today.isoformat()}
    return errors, unit


def do_register_record(*, actor: User, data: RecordInput, today: date | None = None,
                       special: Period | None = None) -> Record:
    """Register one decision and raise what the ladder says it raises. ``special``: the quarter
    whose special review (每季度专项问责) this record decides for its matter."""
    if not registers(actor):
        raise NotYours(_("Only the supervision office registers accountability records."))
    today = today or workcal.today()
    errors, unit = _check(data, today)
    if special is not None and not errors:
        errors.update(_special_errors(special, data.matter_id, today, data.cause))
    if errors:
        raise AccountabilityError(errors)
    assert unit is not None and data.decided_on is not None
    with transaction.atomic():
        Unit.objects.select_for_update().filter(pk=unit.pk).first()  # one write per unit at a time
        row = Record.objects.create(
            unit=unit, cause=data.cause, matter_id=data.matter_id if data.cause == Cause.MATTER else None,
            case_id=data.case_id if data.cause == Cause.CASE else None,
            reason=data.reason.strip(), form=data.form, deciding_body=data.deciding_body.strip(),
            document_number=data.document_number.strip(), decided_on=data.decided_on, created_by=actor)
        row.people.set(sorted(set(data.people_ids)))
        Step.objects.create(record=row, action=StepAction.REGISTER, actor=actor,
                            note=_("Special accountability, %(quarter)s") % {"quarter": special.key}
                            if special else "")
        if special is not None:
            assert data.matter_id is not None
            _decide_once(SpecialReview(quarter=special.key, matter_id=data.matter_id, outcome=SpecialOutcome.HELD,
                                       record=row, decided_by=actor))
        raised, _withdrawn = _recompute(unit.pk, actor, today, "")
        audit(actor=actor, action="accountability.register", obj_type="accountability.Record", obj_id=row.pk,
              before=None, after={"unit": unit.pk, "form": row.form, "document_number": row.document_number,
                                  "decided_on": row.decided_on.isoformat(), "raised": [c.pk for c in raised]})
        title = _("Accountability record %(number)s") % {"number": row.document_number}
        body = f"{unit.name}：{row.get_form_display()}。{row.reason}"
        people = list(data.people_ids)

        def tell() -> None:
            notify_units([unit.pk], title=title, body=body, light="red")
            notify_people(people, title=title, body=body, light="red")
            _tell_raised(raised)

        transaction.on_commit(tell)
    return row


def _recompute(unit_id: int, actor: User, today: date, reason: str) -> tuple[list[Consequence], list[Consequence]]:
    """Bring the unit's consequences in line with its records: withdraw those no rung supports
    (saying why), raise those a rung supports and the unit does not have yet."""
    records = list(Record.objects.filter(unit_id=unit_id).prefetch_related("people"))
    rungs = ladder([CountedRecord(r.pk, r.decided_on, r.revoked) for r in records], rule=window_rule())
    wanted = {(rung.raised_by, rung.kind): rung for rung in rungs}
    withdrawn = []
    live = (Consequence.objects.filter(raised_by__unit_id=unit_id).exclude(state=ConsequenceState.WITHDRAWN)
            .select_related("person"))
    for c in live:
        if (c.raised_by_id, c.rung) not in wanted:
            c.state, c.settled_at, c.settled_by = ConsequenceState.WITHDRAWN, timezone.now(), actor
            c.outcome = (reason or _("The records behind it no longer count.")) + (
                f"\n{c.outcome}" if c.outcome else "")
            c.save(update_fields=["state", "settled_at", "settled_by", "outcome"])
            withdrawn.append(c)
    have = {(c.raised_by_id, c.rung) for c in live if c.state != ConsequenceState.WITHDRAWN}
    by_id = {r.pk: r for r in records}
    due = date.fromordinal(add_months(today, int(settings.DUCHA_ACCOUNTABILITY_ACTION_MONTHS)).toordinal() - 1)
    raised = Consequence.objects.bulk_create(
        Consequence(raised_by_id=rung.raised_by, person=person, rung=rung.kind, count=rung.count,
                    records=list(rung.records), window_start=rung.window[0], window_end=rung.window[1], due_on=due)
        for key, rung in wanted.items() if key not in have for person in by_id[rung.raised_by].people.all()
    )
    for c in withdrawn:
        Step.objects.create(record_id=c.raised_by_id, action=StepAction.WITHDRAW, actor=actor,
                            note=f"{c.get_rung_display()}：{c.person.name}。{reason}")
    for c in raised:
        Step.objects.create(record_id=c.raised_by_id, action=StepAction.RAISE, actor=actor,
                            note=f"{Rung(c.rung).label}：{c.person.name}")
    return raised, withdrawn


def _tell_raised(raised: list[Consequence]) -> None:
    if not raised:
        return
    office = User.objects.filter(role=Role.SUPERVISION_OFFICE, is_active=True).values_list("pk", flat=True)
    for c in raised:
        notify_people(list(office), title=str(Rung(c.rung).label),
                      body=_("Due by %(day)s: the organisation department's action.") % {"day": c.due_on.isoformat()},
                      light="red")


def do_appeal_record(*, actor: User, record: Record, reason: str, today: date | None = None) -> Record:
    """The unit appeals a record within the appeal period."""
    if not appeals_for(actor, record):
        raise NotYours(_("Only the unit's administrator appeals its records."))
    today = today or workcal.today()
    last = appeal_deadline(record)
    if not reason.strip() or len(reason) > MAX_TEXT:
        raise AccountabilityError({"reason": _("Give the grounds of the appeal (at most %(n)d characters).")
                                   % {"n": MAX_TEXT}})
    if last is not None and today > last:
        raise AccountabilityError(_("The appeal period ended on %(day)s.") % {"day": last.isoformat()})
    with transaction.atomic():
        if Record.objects.filter(pk=record.pk, appeal=Appeal.NONE, revoked=False).update(
                appeal=Appeal.PENDING, appeal_reason=reason.strip(), appealed_at=timezone.now()) != 1:
            raise AccountabilityError(_("This record has been appealed already."))
        Step.objects.create(record=record, action=StepAction.APPEAL, actor=actor, note=reason.strip())
        audit(actor=actor, action="accountability.appeal", obj_type="accountability.Record", obj_id=record.pk,
              before={"appeal": ""}, after={"appeal": Appeal.PENDING})
        office = list(User.objects.filter(role=Role.SUPERVISION_OFFICE, is_active=True).values_list("pk", flat=True))
        title = _("Appeal against %(number)s") % {"number": record.document_number}
        transaction.on_commit(lambda: notify_people(office, title=title, body=reason.strip()))
    record.refresh_from_db()
    return record


def do_decide_appeal(*, actor: User, record: Record, upheld: bool, answer: str,
                     today: date | None = None) -> Record:
    """Answer an appeal. Upheld: the record is revoked and the ladder recomputed without it."""
    if not registers(actor):
        raise NotYours(_("Only the supervision office answers appeals."))
    if not answer.strip() or len(answer) > MAX_TEXT:
        raise AccountabilityError({"answer": _("Give the answer to the appeal (at most %(n)d characters).")
                                   % {"n": MAX_TEXT}})
    today = today or workcal.today()
    outcome = Appeal.UPHELD if upheld else Appeal.DISMISSED
    with transaction.atomic():
        Unit.objects.select_for_update().filter(pk=record.unit_id).first()
        if Record.objects.filter(pk=record.pk, appeal=Appeal.PENDING).update(
                appeal=outcome, appeal_answer=answer.strip(), appeal_decided_at=timezone.now(), revoked=upheld) != 1:
            raise AccountabilityError(_("This record has no appeal waiting for an answer."))
        Step.objects.create(record=record, action=StepAction.UPHELD if upheld else StepAction.DISMISSED, actor=actor,
                            note=answer.strip())
        withdrawn: list[Consequence] = []
        if upheld:
            why = _("Appeal upheld: record %(number)s revoked.") % {"number": record.document_number}
            _raised, withdrawn = _recompute(record.unit_id, actor, today, why)
        audit(actor=actor, action="accountability.appeal_decided", obj_type="accountability.Record", obj_id=record.pk,
              before={"appeal": Appeal.PENDING}, after={"appeal": outcome, "withdrawn": [c.pk for c in withdrawn]})
        title = _("Appeal against %(number)s: %(outcome)s") % {"number": record.document_number,
                                                               "outcome": Appeal(outcome).label}
        unit_id = record.unit_id
        transaction.on_commit(lambda: notify_units([unit_id], title=title, body=answer.strip()))
    record.refresh_from_db()
    return record


@dataclass(frozen=True)
class Settlement:
    state: str  # ConsequenceState.DONE or NOT_ADOPTED
    outcome: str
    sanction: str = ""
    sanction_number: str = ""
    sanction_from: date | None = None


def do_settle_consequence(*, actor: User, consequence: Consequence, data: Settlement) -> Consequence:
    """Record what became of a consequence: the talk held, the sanction decided (its period
    computed, with what is left of one still running, at most 48 months), or not adopted."""
    if not registers(actor):
        raise NotYours(_("Only the supervision office records what became of a consequence."))
    errors: dict[str, str] = {}
    if data.state not in (ConsequenceState.DONE, ConsequenceState.NOT_ADOPTED):
        errors["state"] = _("Choose done or not adopted.")
    if not data.outcome.strip() or len(data.outcome) > MAX_TEXT:
        errors["outcome"] = _("Say what was done, or why it was not adopted (at most %(n)d characters).") % {
            "n": MAX_TEXT}
    referral_done = consequence.rung == Rung.REFERRAL and data.state == ConsequenceState.DONE
    if referral_done:
        if data.sanction not in Sanction.values:
            errors["sanction"] = _("Choose the sanction decided: %(choices)s.") % {"choices": ", ".join(Sanction.values)}
        if not data.sanction_number.strip() or len(data.sanction_number) > 60:
            errors["sanction_number"] = _("Give the sanction decision's document number.")
        if data.sanction_from is None:
            errors["sanction_from"] = _("Give the day the sanction takes effect.")
    if errors:
        raise AccountabilityError(errors)
    fields: dict[str, object] = {"state": data.state, "outcome": data.outcome.strip(), "settled_at": timezone.now(),
                                 "settled_by": actor}
    with transaction.atomic():
        if referral_done:
            assert data.sanction_from is not None
            running = (Consequence.objects.filter(person_id=consequence.person_id, state=ConsequenceState.DONE,
                                                  sanction_until__gte=data.sanction_from)
                       .exclude(pk=consequence.pk).aggregate(last=Max("sanction_until"))["last"])
            period = sanction_period(Sanction(data.sanction).value, data.sanction_from, running)  # type: ignore[arg-type]
            fields.update(sanction=data.sanction, sanction_number=data.sanction_number.strip(),
                          sanction_from=period.starts, sanction_until=period.ends,
                          period_explained=period.explain()[:300])
        if Consequence.objects.filter(pk=consequence.pk, state=ConsequenceState.DUE).update(**fields) != 1:
            raise AccountabilityError(_("This consequence is no longer due."))
        Step.objects.create(record_id=consequence.raised_by_id, actor=actor, note=data.outcome.strip(),
                            action=StepAction.CARRIED_OUT if data.state == ConsequenceState.DONE
                            else StepAction.NOT_ADOPTED)
        audit(actor=actor, action="accountability.settle", obj_type="accountability.Consequence",
              obj_id=consequence.pk, before={"state": ConsequenceState.DUE},
              after={k: str(v) for k, v in fields.items() if k not in ("settled_at", "settled_by")})
    consequence.refresh_from_db()
    return consequence


def _special_errors(quarter: Period, matter_id: int | None, today: date, cause: str) -> dict[str, str]:
    if quarter.kind != "quarter":
        return {"special": _("Special accountability is decided per quarter, such as 2026-Q3.")}
    if cause != Cause.MATTER or matter_id is None or not candidates(quarter, today).filter(pk=matter_id).exists():
        return {"special": _("Not a candidate of %(quarter)s's special accountability still to be decided.")
                % {"quarter": quarter.key}}
    return {}


def do_decline_special(*, actor: User, quarter: Period, matter_id: int, reason: str,
                       today: date | None = None) -> SpecialReview:
    """每季度专项问责: the office decides a candidate is not held to account, saying why."""
    if not registers(actor):
        raise NotYours(_("Only the supervision office decides special accountability."))
    today = today or workcal.today()
    errors = _special_errors(quarter, matter_id, today, Cause.MATTER)
    if not reason.strip() or len(reason) > MAX_TEXT:
        errors["reason"] = _("Say why it is not held to account (at most %(n)d characters).") % {"n": MAX_TEXT}
    if errors:
        raise AccountabilityError(errors)
    with transaction.atomic():
        review = _decide_once(SpecialReview(quarter=quarter.key, matter_id=matter_id, decided_by=actor,
                                            outcome=SpecialOutcome.NOT_HELD, reason=reason.strip()))
        audit(actor=actor, action="accountability.special_not_held", obj_type="accountability.SpecialReview",
              obj_id=review.pk, before=None, after={"quarter": quarter.key, "matter": matter_id})
    return review


def _decide_once(review: SpecialReview) -> SpecialReview:
    """Save the decision; a second decision on the same candidate (two people at once) is refused."""
    try:
        with transaction.atomic():
            review.save()
    except IntegrityError:
        raise AccountabilityError({"special": _("This candidate has been decided already.")}) from None
    return review
