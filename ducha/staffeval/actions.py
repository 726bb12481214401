"""Every write of the internal evaluation (S2.5, S6.2): record a section's monthly review, start
a year's staff evaluation, redraft its figures, propose the grades, submit it, and the
organisation and personnel office's confirmation or return.

A monthly review is written in its month only (the row is locked, one per section and month).
The evaluation's row is the lock of everything in it: each step locks it and checks its state,
and the state changes with a guarded update, so grades cannot change under a submission and a
confirmation cannot cross a return. The number of 优秀 is checked against the quota on every
save and again on submission, when the quota, the unit's grade and the figures are frozen.
Messages go out on commit.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from ducha.audit.api import record as audit
from ducha.inbox.notify import notify_people
from ducha.org.models import Section, User
from ducha.org.roles import ADMIN_ROLES, Role
from ducha.staffeval.access import is_hr, is_unit_admin_of
from ducha.staffeval.ledger import ledger_items, tally
from ducha.staffeval.models import (
    EDITABLE_STATES,
    REASON_GRADES,
    EvaluationState,
    MonthlyReview,
    StaffEvaluation,
    StaffGradeChoice,
    StaffLine,
)
from ducha.staffeval.quota import Quota, current_quota
from ducha.workcal import service as workcal

MAX_TEXT = 2000
MAX_REASON = 300
MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


class StaffEvalError(ValueError):
    """Bad input or a step that is not allowed; ``errors`` maps field names to messages."""

    def __init__(self, errors: dict[str, str] | str) -> None:
        self.errors = errors if isinstance(errors, dict) else {"__all__": errors}
        super().__init__("; ".join(self.errors.values()))


class NotYours(StaffEvalError):
    """The step belongs to another role (the API answers 403)."""


def only_admin() -> str:
    return _("Only the unit's administrator does this.")


def _unit_admin(actor: User, unit_id: int) -> None:
    if not is_unit_admin_of(actor, unit_id):
        raise NotYours(only_admin())


def _hr(actor: User) -> None:
    if not is_hr(actor):
        raise NotYours(_("Only the organisation and personnel office confirms staff evaluations."))


def staff_of(unit_id: int) -> QuerySet[User]:
    """The people evaluated: the unit's active people (its administrator accounts of the
    platform excepted, who are not its staff)."""
    return (User.objects.filter(unit_id=unit_id, is_active=True).exclude(role__in=[*ADMIN_ROLES, Role.HR])
            .select_related("section").order_by("section_id", "id"))


# -- the monthly review (一月一讲评) -------------------------------------------------------------


@dataclass(frozen=True)
class ReviewInput:
    section_id: int | None
    month: str
    reviewed: str
    points: int | None = None
    problems: str = ""
    next_steps: str = ""


def do_record_monthly_review(*, actor: User, data: ReviewInput, today: date | None = None) -> MonthlyReview:
    """Record or correct a section's review of this month (the unit's administrator). A past
    month's review is frozen; a future month cannot be reviewed yet."""
    today = today or workcal.today()
    unit_id = getattr(actor, "unit_id", None)
    if unit_id is None:
        raise NotYours(only_admin())
    _unit_admin(actor, unit_id)
    errors: dict[str, str] = {}
    section = Section.objects.filter(pk=data.section_id or 0, unit_id=unit_id).first()
    if section is None:
        errors["section"] = _("Choose a section of your unit.")
    current = f"{today.year:04d}-{today.month:02d}"
    if not MONTH.match(data.month or ""):
        errors["month"] = _("Give a month such as 2026-05.")
    elif data.month != current:
        errors["month"] = (_("%(month)s is over; its review is frozen.") if data.month < current
                           else _("%(month)s has not begun yet.")) % {"month": data.month}
    fields = {"reviewed": data.reviewed.strip(), "problems": data.problems.strip(), "next_steps": data.next_steps.strip()}
    if not fields["reviewed"]:
        errors["reviewed"] = _("Say what was reviewed.")
    for name, text in fields.items():
        if len(text) > MAX_TEXT:
            errors[name] = _("At most %(n)d characters.") % {"n": MAX_TEXT}
    if data.points is not None and not 0 <= data.points <= 100:
        errors["points"] = _("Points are a whole number from 0 to 100, or empty.")
    if errors:
        raise StaffEvalError(errors)
    assert section is not None
    after = {"section": section.pk, "month": data.month, "points": data.points, **fields}
    try:
        with transaction.atomic():
            row = MonthlyReview.objects.select_for_update().filter(section=section, month=data.month).first()
            before = None
            if row is None:
                row = MonthlyReview.objects.create(unit_id=unit_id, section=section, month=data.month,
                                                   points=data.points, recorded_by=actor, **fields)
            else:
                before = {"points": row.points, "reviewed": row.reviewed, "problems": row.problems,
                          "next_steps": row.next_steps}
                row.points, row.recorded_by = data.points, actor
                row.reviewed, row.problems, row.next_steps = fields["reviewed"], fields["problems"], fields["next_steps"]
                row.save(update_fields=["points", "reviewed", "problems", "next_steps", "recorded_by", "recorded_at"])
            audit(actor=actor, action="staffeval.review", obj_type="staffeval.MonthlyReview", obj_id=row.pk,
                  before=before, after=after)
    except IntegrityError:
        raise StaffEvalError(_("Someone recorded this review at the same moment; reload and try again.")) from None
    return row


# -- the year-end staff evaluation ------------------------------------------------------------


def _figures(unit_id: int, year: int, people: Sequence[User], today: date) -> dict[int, dict[str, int]]:
    items = ledger_items(unit_id, year, today)
    reviews: dict[int, int] = {}
    for section_id in MonthlyReview.objects.filter(unit_id=unit_id, month__startswith=f"{year:04d}-").values_list(
            "section_id", flat=True):
        reviews[section_id] = reviews.get(section_id, 0) + 1
    out = {}
    for p in people:
        t = tally(i for i in items if i.person_id == p.pk)
        out[p.pk] = {"assigned": t.assigned, "done": t.done, "on_time": t.on_time, "overdue": t.overdue,
                     "reviews": reviews.get(p.section_id, 0) if p.section_id else 0}
    return out


def _draft_lines(evaluation: StaffEvaluation, today: date) -> None:
    """Bring the lines to the unit's staff of today with the ledger's figures of today; grades
    and reasons of the people still there are kept."""
    people = list(staff_of(evaluation.unit_id))
    figures = _figures(evaluation.unit_id, evaluation.year, people, today)
    StaffLine.objects.filter(evaluation=evaluation).exclude(person_id__in=[p.pk for p in people]).delete()
    existing = {ln.person_id: ln for ln in StaffLine.objects.filter(evaluation=evaluation)}
    for p in people:
        line = existing.get(p.pk)
        if line is None:
            StaffLine.objects.create(evaluation=evaluation, person=p, section_id=p.section_id, **figures[p.pk])
        else:
            StaffLine.objects.filter(pk=line.pk).update(section_id=p.section_id, **figures[p.pk])


def _lock(evaluation: StaffEvaluation, states: frozenset[str] | set[str]) -> StaffEvaluation:
    locked = StaffEvaluation.objects.select_for_update().filter(pk=evaluation.pk).first()
    if locked is None or locked.state not in states:
        state = EvaluationState(locked.state).label if locked else ""
        raise StaffEvalError(_("The evaluation is %(state)s: this step is not possible now.") % {"state": state})
    return locked


def years_open(today: date) -> list[int]:
    """The years an evaluation may be started for: this year and the one before."""
    return [today.year, today.year - 1]


def do_start_staff_evaluation(*, actor: User, year: int | None, today: date | None = None) -> StaffEvaluation:
    """Start the unit's evaluation of ``year`` (its administrator): a line per person of the unit,
    drafted from the internal ledger."""
    today = today or workcal.today()
    unit_id = getattr(actor, "unit_id", None)
    if unit_id is None:
        raise NotYours(only_admin())
    _unit_admin(actor, unit_id)
    if year not in years_open(today):
        raise StaffEvalError({"year": _("Choose this year or the one before.")})
    assert year is not None
    if StaffEvaluation.objects.filter(unit_id=unit_id, year=year).exists():
        raise StaffEvalError({"year": _("The evaluation of %(year)d has been started already.") % {"year": year}})
    try:
        with transaction.atomic():
            evaluation = StaffEvaluation.objects.create(unit_id=unit_id, year=year, started_by=actor)
            _draft_lines(evaluation, today)
            audit(actor=actor, action="staffeval.start", obj_type="staffeval.StaffEvaluation", obj_id=evaluation.pk,
                  before=None, after={"unit": unit_id, "year": year, "lines": evaluation.lines.count()})
    except IntegrityError:
        raise StaffEvalError({"year": _("The evaluation of %(year)d has been started already.") % {"year": year}}) from None
    return evaluation


def do_redraft_staff_evaluation(*, actor: User, evaluation: StaffEvaluation, today: date | None = None) -> StaffEvaluation:
    """Read the ledger again (and the unit's staff of today), keeping the grades proposed."""
    today = today or workcal.today()
    _unit_admin(actor, evaluation.unit_id)
    with transaction.atomic():
        locked = _lock(evaluation, EDITABLE_STATES)
        _draft_lines(locked, today)
        audit(actor=actor, action="staffeval.redraft", obj_type="staffeval.StaffEvaluation", obj_id=locked.pk,
              before=None, after={"lines": locked.lines.count()})
    return locked


@dataclass(frozen=True)
class GradeInput:
    person_id: int
    grade: str  # a StaffGradeChoice value, or "" for not yet graded
    reason: str = ""


def _excellent_over(count: int, quota: Quota) -> str:
    return _("%(n)d graded excellent, more than the quota of %(quota)d (%(explain)s).") % {
        "n": count, "quota": quota.quota, "explain": quota.explain()}


def do_grade_staff(*, actor: User, evaluation: StaffEvaluation, grades: Sequence[GradeInput]) -> StaffEvaluation:
    """Propose grades (the unit's administrator): for the people given, the grade and, for
    基本称职 and 不称职, a short reason. The number of 优秀 may not exceed the quota."""
    _unit_admin(actor, evaluation.unit_id)
    errors: dict[str, str] = {}
    for g in grades:
        reason = g.reason.strip()
        if g.grade and g.grade not in StaffGradeChoice.values:
            errors[f"grade-{g.person_id}"] = _("Choose one of the four grades.")
        elif g.grade in REASON_GRADES and not reason:
            errors[f"reason-{g.person_id}"] = _("Give a short reason for this grade.")
        if len(reason) > MAX_REASON:
            errors[f"reason-{g.person_id}"] = _("At most %(n)d characters.") % {"n": MAX_REASON}
    if errors:
        raise StaffEvalError(errors)
    with transaction.atomic():
        locked = _lock(evaluation, EDITABLE_STATES)
        lines = {ln.person_id: ln for ln in StaffLine.objects.select_for_update().filter(evaluation=locked)}
        unknown = [g.person_id for g in grades if g.person_id not in lines]
        if unknown:
            raise StaffEvalError({f"grade-{unknown[0]}": _("This person has no line in the evaluation.")})
        changed = sorted({g.person_id for g in grades})
        before = {str(pid): lines[pid].grade for pid in changed}
        for g in grades:
            line = lines[g.person_id]
            line.grade, line.reason = g.grade, g.reason.strip() if g.grade in REASON_GRADES else ""
        excellent = sum(ln.grade == StaffGradeChoice.EXCELLENT for ln in lines.values())
        quota = current_quota(locked.unit_id, locked.year, len(lines))
        if excellent > quota.quota:
            raise StaffEvalError({"grades": _excellent_over(excellent, quota)})
        StaffLine.objects.bulk_update([lines[pid] for pid in changed], ["grade", "reason"])
        audit(actor=actor, action="staffeval.grade", obj_type="staffeval.StaffEvaluation", obj_id=locked.pk,
              before={"grades": before}, after={"grades": {str(pid): lines[pid].grade for pid in changed}})
    return locked


def submit_effect(evaluation: StaffEvaluation) -> str:
    return _("Submits the grades of %(n)d people to the organisation and personnel office, which confirms them "
             "or returns them; the figures, the unit's grade and the quota are frozen now.") % {
        "n": evaluation.lines.count()}


def do_submit_staff_evaluation(*, actor: User, evaluation: StaffEvaluation, today: date | None = None) -> StaffEvaluation:
    """Submit (the unit's administrator): every line graded, 优秀 within the quota; the figures
    are read a last time and the quota frozen. The office is told."""
    today = today or workcal.today()
    _unit_admin(actor, evaluation.unit_id)
    with transaction.atomic():
        locked = _lock(evaluation, EDITABLE_STATES)
        _draft_lines(locked, today)
        lines = list(StaffLine.objects.filter(evaluation=locked).select_related("person"))
        errors: dict[str, str] = {}
        missing = [ln.person.name for ln in lines if not ln.grade]
        if not lines:
            errors["__all__"] = _("The unit has no staff to evaluate.")
        if missing:
            errors["grades"] = _("Grade everyone first; not yet graded: %(names)s.") % {"names": "、".join(missing)}
        unreasoned = [ln.person.name for ln in lines if ln.grade in REASON_GRADES and not ln.reason]
        if unreasoned:
            errors["reasons"] = _("Give a short reason for: %(names)s.") % {"names": "、".join(unreasoned)}
        quota = current_quota(locked.unit_id, locked.year, len(lines))
        excellent = sum(ln.grade == StaffGradeChoice.EXCELLENT for ln in lines)
        if excellent > quota.quota:
            errors["quota"] = _excellent_over(excellent, quota)
        if errors:
            raise StaffEvalError(errors)
        before = {"state": locked.state}
        if StaffEvaluation.objects.filter(pk=locked.pk, state__in=EDITABLE_STATES).update(
                state=EvaluationState.SUBMITTED, unit_grade=quota.grade, share=quota.share, staff_count=quota.staff,
                quota=quota.quota, submitted_by=actor, submitted_at=timezone.now(), return_reason="") != 1:
            raise StaffEvalError(_("The evaluation changed meanwhile; reload it."))
        locked.refresh_from_db()
        audit(actor=actor, action="staffeval.submit", obj_type="staffeval.StaffEvaluation", obj_id=locked.pk,
              before=before, after={"state": locked.state, "unit_grade": quota.grade, "quota": quota.quota,
                                    "staff": quota.staff, "grades": {str(ln.person_id): ln.grade for ln in lines}})
        hr = list(User.objects.filter(role=Role.HR, is_active=True).values_list("pk", flat=True))
        title = _("Staff evaluation of %(year)d submitted: %(unit)s") % {"year": locked.year, "unit": locked.unit.name}
        body = _("%(unit)s has submitted the grades of %(n)d people for your confirmation.") % {
            "unit": locked.unit.name, "n": len(lines)}
        transaction.on_commit(lambda: notify_people(hr, title=title, body=body))
    return locked


def _tell_unit(evaluation: StaffEvaluation, title: str, body: str) -> None:
    people = list(User.objects.filter(unit_id=evaluation.unit_id, is_active=True, role=Role.UNIT_ADMIN)
                  .values_list("pk", flat=True))
    transaction.on_commit(lambda: notify_people(people, title=title, body=body))


def do_confirm_staff_evaluation(*, actor: User, evaluation: StaffEvaluation) -> StaffEvaluation:
    """Confirm a submitted evaluation (the organisation and personnel office)."""
    _hr(actor)
    with transaction.atomic():
        if StaffEvaluation.objects.filter(pk=evaluation.pk, state=EvaluationState.SUBMITTED).update(
                state=EvaluationState.CONFIRMED, decided_by=actor, decided_at=timezone.now()) != 1:
            raise StaffEvalError(_("Only a submitted evaluation can be confirmed."))
        evaluation.refresh_from_db()
        audit(actor=actor, action="staffeval.confirm", obj_type="staffeval.StaffEvaluation", obj_id=evaluation.pk,
              before={"state": EvaluationState.SUBMITTED}, after={"state": EvaluationState.CONFIRMED})
        _tell_unit(evaluation, _("Staff evaluation of %(year)d confirmed") % {"year": evaluation.year},
                   _("The organisation and personnel office has confirmed the grades; each person now reads "
                     "their own line."))
    return evaluation


def do_return_staff_evaluation(*, actor: User, evaluation: StaffEvaluation, reason: str) -> StaffEvaluation:
    """Return a submitted evaluation to the unit with a reason (the organisation and personnel office)."""
    _hr(actor)
    reason = reason.strip()
    if not reason:
        raise StaffEvalError({"reason": _("Say why it is returned.")})
    if len(reason) > MAX_TEXT:
        raise StaffEvalError({"reason": _("At most %(n)d characters.") % {"n": MAX_TEXT}})
    with transaction.atomic():
        if StaffEvaluation.objects.filter(pk=evaluation.pk, state=EvaluationState.SUBMITTED).update(
                state=EvaluationState.RETURNED, decided_by=actor, decided_at=timezone.now(), return_reason=reason) != 1:
            raise StaffEvalError(_("Only a submitted evaluation can be returned."))
        evaluation.refresh_from_db()
        audit(actor=actor, action="staffeval.return", obj_type="staffeval.StaffEvaluation", obj_id=evaluation.pk,
              before={"state": EvaluationState.SUBMITTED}, after={"state": EvaluationState.RETURNED, "reason": reason})
        _tell_unit(evaluation, _("Staff evaluation of %(year)d returned") % {"year": evaluation.year},
                   _("The organisation and personnel office returned the grades: %(reason)s") % {"reason": reason})
    return evaluation


def frozen_quota(evaluation: StaffEvaluation) -> Quota | None:
    """The quota frozen on submission (None while the evaluation is still drafted)."""
    if evaluation.quota is None or evaluation.share is None or evaluation.staff_count is None:
        return None
    return Quota(evaluation.unit_grade, evaluation.share, evaluation.staff_count, evaluation.quota)


def quota_of(evaluation: StaffEvaluation) -> Quota:
    """The quota that applies: frozen once submitted, else today's."""
    frozen = frozen_quota(evaluation) if evaluation.state not in EDITABLE_STATES else None
    return frozen or current_quota(evaluation.unit_id, evaluation.year, evaluation.lines.count())
