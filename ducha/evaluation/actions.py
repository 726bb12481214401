"""Every write of the evaluation's periods (S6.3): open a period (scored at once), score it
again, check, approve or return, publish; a unit's objection and its answer. Each scoring is a
new snapshot version with its reason, so a published rank never changes silently.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from ducha.audit.api import record as audit
from ducha.evaluation.access import approver, approves, runs_evaluation
from ducha.evaluation.models import (
    Category,
    EvaluationPeriod,
    IndicatorSet,
    Objection,
    ObjectionState,
    PeriodState,
    Snapshot,
    SnapshotLine,
)
from ducha.evaluation.scoring import score_units
from ducha.inbox.notify import notify_people, notify_units
from ducha.org.models import Unit, User
from ducha.publication.models import Kind
from ducha.publication.publish import publish
from ducha.rules.periods import Period
from ducha.rules.workdays import UncoveredYear
from ducha.workcal import service as workcal

MAX_TEXT = 2000


class EvaluationError(ValueError):
    """Bad input or a step not allowed now; ``errors`` maps field names to messages."""

    def __init__(self, errors: dict[str, str] | str) -> None:
        self.errors = errors if isinstance(errors, dict) else {"__all__": errors}
        super().__init__("; ".join(self.errors.values()))


class NotYours(EvaluationError):
    """The step belongs to another role (the API answers 403)."""


def _office(actor: User) -> None:
    if not runs_evaluation(actor):
        raise NotYours(_("Only the performance office runs the evaluation."))


def parse_period(text: str) -> Period | None:
    try:
        period = Period.parse(text.strip())
    except ValueError:
        return None
    return period if period.kind in ("quarter", "year") else None


def set_in_force(category: Category, period: Period) -> IndicatorSet | None:
    """The latest version of the year's set in force on the period's first day."""
    return (category.indicator_sets.filter(year=period.year, valid_from__lte=period.start)
            .order_by("-version").first())


def category_units(category: Category) -> list[int]:
    return list(category.units.filter(is_active=True).order_by("sort_order", "id").values_list("pk", flat=True))


def _snapshot(evaluation: EvaluationPeriod, actor: User, reason: str, today: date) -> Snapshot:
    """Score the period now and freeze it as the next version (inside the caller's transaction)."""
    period = Period.parse(evaluation.period)
    lines = score_units(evaluation.indicator_set, category_units(evaluation.category), period, today)
    version = (evaluation.snapshots.aggregate(v=Max("version"))["v"] or 0) + 1
    snap = Snapshot.objects.create(evaluation=evaluation, version=version, reason=reason[:300], made_by=actor,
                                   as_of=today)
    SnapshotLine.objects.bulk_create([SnapshotLine(
        snapshot=snap, unit_id=line.unit_id, base=line.base, total=line.total, tie_break=line.tie_break,
        rank=line.rank, grade=line.grade, breakdown=line.breakdown) for line in lines])
    return snap


def do_open_evaluation(*, actor: User, category_id: int, period_key: str, today: date | None = None) -> EvaluationPeriod:
    """Open a category's quarter or year once it is over, scored at once as a draft."""
    _office(actor)
    today = today or workcal.today()
    errors: dict[str, str] = {}
    category = Category.objects.filter(pk=category_id).first()
    period = parse_period(period_key)
    if category is None:
        errors["category"] = _("No evaluation category with id %(id)s.") % {"id": category_id}
    if period is None:
        errors["period"] = _("Name a quarter or a year, e.g. 2026-Q3 or 2026.")
    elif period.end >= today:
        errors["period"] = _("%(period)s is not over yet; it is scored once it ends.") % {"period": period.key}
    if errors:
        raise EvaluationError(errors)
    assert category is not None and period is not None
    indicator_set = set_in_force(category, period)
    if indicator_set is None:
        raise EvaluationError({"period": _("No indicator set of %(year)d for %(category)s is in force on %(day)s.") % {
            "year": period.year, "category": category.name, "day": period.start.isoformat()}})
    try:
        with transaction.atomic():
            evaluation = EvaluationPeriod.objects.create(category=category, period=period.key,
                                                         indicator_set=indicator_set, opened_by=actor)
            snap = _snapshot(evaluation, actor, _("Scored when the period was opened."), today)
            audit(actor=actor, action="evaluation.open", obj_type="evaluation.EvaluationPeriod", obj_id=evaluation.pk,
                  before=None, after={"category": category.code, "period": period.key, "set": indicator_set.pk,
                                      "snapshot": snap.version})
    except IntegrityError:
        raise EvaluationError({"period": _("%(period)s of this category is open already.") % {
            "period": period.key}}) from None
    return evaluation


def do_rescore_evaluation(*, actor: User, evaluation: EvaluationPeriod, reason: str,
                          today: date | None = None) -> Snapshot:
    """Score again with the inputs as they are now. Before publication the period returns to
    draft; after it, the correction is a new version announced to the units, with its reason."""
    _office(actor)
    if not reason.strip() or len(reason) > 300:
        raise EvaluationError({"reason": _("Say why it is scored again (at most 300 characters).")})
    today = today or workcal.today()
    with transaction.atomic():
        locked = EvaluationPeriod.objects.select_for_update().get(pk=evaluation.pk)
        if locked.state in (PeriodState.CHECKED, PeriodState.APPROVED):
            EvaluationPeriod.objects.filter(pk=locked.pk).update(state=PeriodState.DRAFT, checked_by=None,
                                                                 checked_at=None, approved_by=None, approved_at=None)
        snap = _snapshot(locked, actor, reason.strip(), today)
        audit(actor=actor, action="evaluation.rescore", obj_type="evaluation.EvaluationPeriod", obj_id=locked.pk,
              before={"state": locked.state}, after={"snapshot": snap.version, "reason": reason.strip()})
        if locked.state == PeriodState.PUBLISHED:
            publish_ranking(locked, correction=reason.strip())
            units = category_units(locked.category)
            title = _("Evaluation corrected: %(period)s") % {"period": locked.period}
            transaction.on_commit(lambda: notify_units(units, title=title, body=reason.strip()))
    return snap


def _move(evaluation: EvaluationPeriod, frm: PeriodState, **change: object) -> None:
    if EvaluationPeriod.objects.filter(pk=evaluation.pk, state=frm).update(**change) != 1:
        raise EvaluationError(_("The period is not in the state this step needs."))


def do_check_evaluation(*, actor: User, evaluation: EvaluationPeriod) -> EvaluationPeriod:
    """The performance office has checked the draft (审核): it goes to the approver."""
    _office(actor)
    person = approver()
    if person is None:
        raise EvaluationError(_("No approver is set: name one in DUCHA_EVALUATION_APPROVER or give the city a "
                                "mayor's account."))
    with transaction.atomic():
        _move(evaluation, PeriodState.DRAFT, state=PeriodState.CHECKED, checked_by=actor, checked_at=timezone.now(),
              returned_reason="")
        audit(actor=actor, action="evaluation.check", obj_type="evaluation.EvaluationPeriod", obj_id=evaluation.pk,
              before={"state": "draft"}, after={"state": "checked"})
        title = _("Evaluation to approve: %(period)s %(category)s") % {
            "period": evaluation.period, "category": evaluation.category.name}
        transaction.on_commit(lambda: notify_people([person.pk], title=title, body=title))
    evaluation.refresh_from_db()
    return evaluation


def do_decide_evaluation(*, actor: User, evaluation: EvaluationPeriod, approve: bool,
                         reason: str = "") -> EvaluationPeriod:
    if not approves(actor):
        raise NotYours(_("Only the approver approves an evaluation."))
    if not approve and (not reason.strip() or len(reason) > MAX_TEXT):
        raise EvaluationError({"reason": _("Say why it is returned (at most %(n)d characters).") % {"n": MAX_TEXT}})
    with transaction.atomic():
        if approve:
            _move(evaluation, PeriodState.CHECKED, state=PeriodState.APPROVED, approved_by=actor,
                  approved_at=timezone.now())
        else:
            _move(evaluation, PeriodState.CHECKED, state=PeriodState.DRAFT, returned_reason=reason.strip())
        audit(actor=actor, action="evaluation." + ("approve" if approve else "return"),
              obj_type="evaluation.EvaluationPeriod", obj_id=evaluation.pk, before={"state": "checked"},
              after={"state": "approved" if approve else "draft", "reason": reason.strip()})
    evaluation.refresh_from_db()
    return evaluation


def publish_effect(evaluation: EvaluationPeriod) -> str:
    units = len(category_units(evaluation.category))
    return _("Publish the ranking of %(period)s for %(category)s: a numbered bulletin to its %(n)d units, each "
             "told in its inbox; scores and explanations become visible to them. A published rank is corrected "
             "only as a new version with its reason.") % {
        "period": evaluation.period, "category": evaluation.category.name, "n": units}


def do_publish_evaluation(*, actor: User, evaluation: EvaluationPeriod, today: date | None = None) -> EvaluationPeriod:
    from ducha.evaluation.documents import number_for, render_ranking_files

    _office(actor)
    today = today or workcal.today()
    with transaction.atomic():
        number = number_for(today)
        _move(evaluation, PeriodState.APPROVED, state=PeriodState.PUBLISHED, published_at=timezone.now(),
              number=number)
        audit(actor=actor, action="evaluation.publish", obj_type="evaluation.EvaluationPeriod", obj_id=evaluation.pk,
              before={"state": "approved"}, after={"state": "published", "number": number})
        units = category_units(evaluation.category)
        title = _("Evaluation published: %(period)s") % {"period": evaluation.period}
        body = _("Document %(number)s; see your unit's result and how it was scored.") % {"number": number}
        transaction.on_commit(lambda: notify_units(units, title=title, body=body))
    evaluation.refresh_from_db()
    render_ranking_files(evaluation)
    with transaction.atomic():
        publish_ranking(evaluation)
    return evaluation


def publish_ranking(evaluation: EvaluationPeriod, correction: str = "") -> None:
    """The published ranking on the public site (key: period and category), with the bulletin's
    PDF; a correction after publication publishes the new ranks with its reason."""
    from ducha.evaluation.documents import GRADES_ZH, title_of
    from ducha.evaluation.summary import current_lines

    period = Period.parse(evaluation.period)
    rows = [{"rank": line.rank, "unit": line.unit.name, "score": str(line.total),
             "grade": {"zh": GRADES_ZH.get(line.grade, line.grade), "en": line.grade.capitalize()}}
            for line in current_lines(evaluation).select_related("unit")]
    day = timezone.localdate(evaluation.published_at) if evaluation.published_at else workcal.today()
    summary = {"zh": f"{period.label_zh}{evaluation.category.name}绩效考评结果，共{len(rows)}个单位。",
               "en": f"Performance evaluation of {period.key}, {evaluation.category.code}: {len(rows)} units."}
    if correction:
        summary = {k: f"{v} ({correction})" for k, v in summary.items()}
    payload = {"period": {"zh": period.label_zh, "en": period.key}, "document_number": evaluation.number,
               "date": day.isoformat(), "summary": summary, "category": evaluation.category.code,
               "groups": [{"title": evaluation.category.name, "rows": rows}]}
    files = [(f"{evaluation.number}.pdf", Path(evaluation.pdf.path))] if evaluation.pdf else []
    publish(Kind.RANKING, f"{evaluation.period}-{evaluation.category.code}", title_of(evaluation), payload,
            files=[f for f in files if f[1].is_file()])


def objection_deadline(evaluation: EvaluationPeriod) -> date | None:
    if evaluation.published_at is None:
        return None
    from django.conf import settings

    try:
        return workcal.get_calendar().add_workdays(timezone.localdate(evaluation.published_at),
                                                   settings.DUCHA_EVALUATION_OBJECTION_WORKDAYS)
    except UncoveredYear:
        return None


def do_raise_objection(*, actor: User, evaluation: EvaluationPeriod, text: str, indicator: str = "",
                       today: date | None = None) -> Objection:
    """A unit's administrator objects to its published result within the working days allowed."""
    from ducha.org.roles import Role

    today = today or workcal.today()
    if actor.role != Role.UNIT_ADMIN or actor.unit_id is None or not evaluation.category.units.filter(
            pk=actor.unit_id).exists():
        raise NotYours(_("A unit's administrator objects for the unit."))
    if evaluation.state != PeriodState.PUBLISHED:
        raise EvaluationError(_("Only a published result can be objected to."))
    deadline = objection_deadline(evaluation)
    if deadline is not None and today > deadline:
        raise EvaluationError(_("Objections closed on %(day)s.") % {"day": deadline.isoformat()})
    if not text.strip() or len(text) > MAX_TEXT:
        raise EvaluationError({"text": _("Say what is wrong (at most %(n)d characters).") % {"n": MAX_TEXT}})
    with transaction.atomic():
        objection = Objection.objects.create(evaluation=evaluation, unit_id=actor.unit_id, indicator=indicator[:40],
                                             text=text.strip(), raised_by=actor)
        audit(actor=actor, action="evaluation.objection", obj_type="evaluation.Objection", obj_id=objection.pk,
              before=None, after={"evaluation": evaluation.pk, "indicator": indicator})
        office = list(User.objects.filter(role=Role.PERFORMANCE_OFFICE, is_active=True).values_list("pk", flat=True))
        title = _("Objection from %(unit)s") % {"unit": Unit.objects.get(pk=actor.unit_id).name}
        transaction.on_commit(lambda: notify_people(office, title=title, body=text.strip()))
    return objection


def do_answer_objection(*, actor: User, objection: Objection, upheld: bool, answer: str,
                        today: date | None = None) -> Objection:
    """Answer an objection; an upheld one scores the period again as a new version."""
    _office(actor)
    if not answer.strip() or len(answer) > MAX_TEXT:
        raise EvaluationError({"answer": _("Write the answer (at most %(n)d characters).") % {"n": MAX_TEXT}})
    with transaction.atomic():
        if Objection.objects.filter(pk=objection.pk, state=ObjectionState.PENDING).update(
                state=ObjectionState.UPHELD if upheld else ObjectionState.DISMISSED, answer=answer.strip(),
                answered_by=actor, answered_at=timezone.now()) != 1:
            raise EvaluationError(_("This objection has been answered."))
        audit(actor=actor, action="evaluation.objection_answer", obj_type="evaluation.Objection", obj_id=objection.pk,
              before={"state": "pending"}, after={"upheld": upheld})
        if upheld:
            do_rescore_evaluation(actor=actor, evaluation=objection.evaluation, today=today, reason=(
                _("Objection %(id)d upheld: %(answer)s") % {"id": objection.pk, "answer": answer.strip()})[:300])
        unit = objection.unit_id
        title = _("Your objection was answered")
        transaction.on_commit(lambda: notify_units([unit], title=title, body=answer.strip()))
    objection.refresh_from_db()
    return objection
