"""Every write of the supervision rounds (S2.6): open a round, record a finding, issue the
findings. Issuing is one transaction: each finding that demands it gets a rectification with
its due date in working days (``matters.Rectification``, source ``round``: the rectification
rate counts it exactly like a returned completion claim) and a line in its matter's timeline;
each unit concerned is told on commit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ducha.accountability.access import registers
from ducha.accountability.actions import MAX_TEXT, AccountabilityError, NotYours
from ducha.accountability.documents import render_round_files
from ducha.accountability.rounds import inspects
from ducha.accountability.rounds_models import Breadth, Finding, Focus, Openness, Regularity, Round, RoundState
from ducha.audit.api import record as audit
from ducha.documents import DocNumber
from ducha.documents.register import next_document_number, take_document_number
from ducha.inbox.notify import notify_units_apart
from ducha.matters.models import CoUnitPart, Matter, RectificationSource
from ducha.matters.recorded import add_to_timeline, demand_rectifications
from ducha.org.models import Unit, User
from ducha.reports.bulletin import doc_prefix
from ducha.rules.workdays import UncoveredYear
from ducha.workcal import service as workcal

MAX_RECTIFY_WORKDAYS = 120


@dataclass(frozen=True)
class RoundInput:
    title: str
    regularity: str
    focus: str
    breadth: str
    openness: str
    starts_on: date | None
    ends_on: date | None
    unit_ids: tuple[int, ...]
    inspector_ids: tuple[int, ...]
    theme: str = ""


def do_open_round(*, actor: User, data: RoundInput) -> Round:
    if not registers(actor):
        raise NotYours(_("Only the supervision office opens supervision rounds."))
    errors: dict[str, str] = {}
    if not data.title.strip() or len(data.title) > 200:
        errors["title"] = _("Give the round a title (at most 200 characters).")
    for name, choices in (("regularity", Regularity), ("focus", Focus), ("breadth", Breadth),
                          ("openness", Openness)):
        if getattr(data, name) not in choices.values:
            errors[name] = _("Choose one of: %(choices)s.") % {"choices": ", ".join(choices.values)}
    if data.breadth == Breadth.SPECIAL and not data.theme.strip():
        errors["theme"] = _("A special round names its theme.")
    if data.starts_on is None or data.ends_on is None:
        errors["starts_on"] = _("Give the round's first and last day.")
    elif data.starts_on > data.ends_on:
        errors["ends_on"] = _("The round ends before it starts.")
    units = list(Unit.objects.filter(pk__in=data.unit_ids, is_active=True))
    if not data.unit_ids or len(units) != len(set(data.unit_ids)):
        errors["units"] = _("Choose the units in the round's scope (active units).")
    inspectors = list(User.objects.filter(pk__in=data.inspector_ids, is_active=True))
    if not data.inspector_ids or len(inspectors) != len(set(data.inspector_ids)):
        errors["inspectors"] = _("Name the inspectors (active accounts).")
    if errors:
        raise AccountabilityError(errors)
    assert data.starts_on is not None and data.ends_on is not None
    with transaction.atomic():
        row = Round.objects.create(title=data.title.strip(), regularity=data.regularity, focus=data.focus,
                                   breadth=data.breadth, openness=data.openness, theme=data.theme.strip(),
                                   starts_on=data.starts_on, ends_on=data.ends_on, created_by=actor)
        row.units.set(units)
        row.inspectors.set(inspectors)
        audit(actor=actor, action="accountability.round_open", obj_type="accountability.Round", obj_id=row.pk,
              before=None, after={"title": row.title, "openness": row.openness, "units": sorted(data.unit_ids)})
    return row


@dataclass(frozen=True)
class FindingInput:
    unit_id: int
    problem: str
    matter_id: int | None = None
    rectify_workdays: int | None = None


def do_record_finding(*, actor: User, round_: Round, data: FindingInput) -> Finding:
    """A problem found in a unit of the round's scope (the office or one of the round's inspectors)."""
    if not (registers(actor) or inspects(actor, round_)):
        raise NotYours(_("Only the supervision office and the round's inspectors record findings."))
    errors: dict[str, str] = {}
    if round_.state != RoundState.OPEN:
        errors["__all__"] = _("The round's findings have been issued; it takes no more.")
    if not round_.units.filter(pk=data.unit_id).exists():
        errors["unit"] = _("Not a unit in the round's scope.")
    matter = Matter.objects.filter(pk=data.matter_id).first() if data.matter_id else None
    if data.matter_id and (matter is None or (matter.lead_unit_id != data.unit_id and not CoUnitPart.objects.filter(
            matter=matter, unit_id=data.unit_id).exists())):
        errors["matter"] = _("Not a matter the unit leads or co-operates on.")
    if not data.problem.strip() or len(data.problem) > MAX_TEXT:
        errors["problem"] = _("Say what was found (at most %(n)d characters).") % {"n": MAX_TEXT}
    if data.rectify_workdays is not None:
        if not 1 <= data.rectify_workdays <= MAX_RECTIFY_WORKDAYS:
            errors["rectify_workdays"] = _("Between 1 and %(n)d working days.") % {"n": MAX_RECTIFY_WORKDAYS}
        elif matter is None:
            # The rectification rate counts rectifications per matter (S2.7).
            errors["matter"] = _("A rectification is tracked on a matter: name the matter.")
    if errors:
        raise AccountabilityError(errors)
    with transaction.atomic():
        finding = Finding.objects.create(round=round_, unit_id=data.unit_id, matter=matter,
                                         problem=data.problem.strip(), rectify_workdays=data.rectify_workdays,
                                         created_by=actor)
        audit(actor=actor, action="accountability.finding", obj_type="accountability.Finding", obj_id=finding.pk,
              before=None, after={"round": round_.pk, "unit": data.unit_id, "matter": data.matter_id})
    return finding


def next_number(today: date) -> str:
    return str(DocNumber(doc_prefix(), today.year, next_document_number(doc_prefix(), today.year)))


def issue_effect(round_: Round) -> str:
    findings = list(round_.findings.all())
    units = {f.unit_id for f in findings}
    demands = sum(1 for f in findings if f.rectify_workdays)
    text = _("Issue %(n)d findings to %(units)d units; %(demands)d of them demand a rectification by a date, "
             "counted in the rectification rate, in a supervision bulletin numbered %(number)s. This cannot be "
             "undone.") % {"n": len(findings), "units": len(units), "demands": demands,
                           "number": next_number(workcal.today())}
    if round_.openness == Openness.UNANNOUNCED:
        text += " " + _("The unannounced round becomes visible to the units in its scope.")
    return text


def do_issue_round(*, actor: User, round_: Round, today: date | None = None) -> Round:
    if not registers(actor):
        raise NotYours(_("Only the supervision office issues a round's findings."))
    today = today or workcal.today()
    findings = list(round_.findings.all())
    if not findings:
        raise AccountabilityError(_("The round has no findings to issue."))
    cal = workcal.get_calendar()
    try:
        dues = {f.pk: cal.add_workdays(today, f.rectify_workdays) for f in findings if f.rectify_workdays}
    except UncoveredYear as e:
        raise AccountabilityError(_("%(reason)s: the rectification dates cannot be computed.") % {"reason": e}) from e
    with transaction.atomic():
        # The 督查通报's number is taken in the same transaction as the state: an issued round
        # always has its number, and a rolled-back issue gives none away.
        number = str(DocNumber(doc_prefix(), today.year, take_document_number(doc_prefix(), today.year)))
        if Round.objects.filter(pk=round_.pk, state=RoundState.OPEN).update(
                state=RoundState.ISSUED, issued_at=timezone.now(), number=number) != 1:
            raise AccountabilityError(_("The round's findings have been issued already."))
        demanding = [f for f in findings if f.pk in dues]
        assert all(f.matter_id is not None for f in demanding)  # finding_rectify_needs_matter
        made = demand_rectifications([(f.matter_id or 0, f.unit_id, RectificationSource.ROUND.value, dues[f.pk],
                                       f"{round_.title}：{f.problem}") for f in demanding])
        for f, rect in zip(demanding, made, strict=True):
            Finding.objects.filter(pk=f.pk).update(rectification=rect)
        add_to_timeline(actor=actor, entries=[(f.matter_id, "round_finding", f.problem,
                                               {"round": round_.pk, "rectify_by": dues[f.pk].isoformat()
                                                if f.pk in dues else None}) for f in findings if f.matter_id])
        audit(actor=actor, action="accountability.round_issue", obj_type="accountability.Round", obj_id=round_.pk,
              before={"state": RoundState.OPEN}, after={"findings": len(findings), "rectifications": len(made),
                                                        "number": number})
        per_unit: dict[int, int] = {}
        for f in findings:
            per_unit[f.unit_id] = per_unit.get(f.unit_id, 0) + 1
        messages = [(unit_id, _("Supervision findings: %(title)s") % {"title": round_.title},
                     _("%(n)d problems found; see the round's page for what to put right and by when.") % {"n": n})
                    for unit_id, n in per_unit.items()]
        transaction.on_commit(lambda: notify_units_apart(messages, light="red"))
    round_.refresh_from_db()
    # Rendered after the commit: a slow PDF must not hold the write lock, and a failure is kept
    # on the row (render_error) with a way to render again, not raised.
    render_round_files(round_)
    return round_


def do_render_round(*, actor: User, round_: Round) -> bool:
    """Render an issued round's 通报 again (after a rendering failure)."""
    if not registers(actor):
        raise NotYours(_("Only the supervision office issues a round's findings."))
    if round_.state != RoundState.ISSUED:
        raise AccountabilityError(_("The round's findings have not been issued."))
    ok = render_round_files(round_)
    audit(actor=actor, action="accountability.round_render", obj_type="accountability.Round", obj_id=round_.pk,
          before=None, after={"ok": ok})
    return ok
