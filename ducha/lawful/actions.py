"""Every write of the lawful-administration check (S1.6): open a half-year's check, record a
deduction with its finding, publish the check, hand a finding to an efficiency case.

The check's row is the lock: recording a deduction locks it and requires it still open, and
publishing flips its state with a guarded update, so no deduction slips in after the results
went out. Messages go out on commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ducha.accountability.actions import AccountabilityError
from ducha.accountability.actions_cases import CaseInput, do_open_case
from ducha.accountability.models import Case, CaseSource, Conduct
from ducha.audit.api import record as audit
from ducha.inbox.notify import notify_units, notify_units_apart
from ducha.lawful.access import runs_checks
from ducha.lawful.models import Check, CheckState, Deduction
from ducha.lawful.results import checklist_of, half_label, results
from ducha.org.models import Unit, UnitKind, User
from ducha.rules.lawful import ChecklistItem, deduction_problem
from ducha.rules.periods import Period
from ducha.workcal import service as workcal

MAX_TEXT = 2000


class LawfulError(ValueError):
    """Bad input or a step that is not allowed; ``errors`` maps field names to messages."""

    def __init__(self, errors: dict[str, str] | str) -> None:
        self.errors = errors if isinstance(errors, dict) else {"__all__": errors}
        super().__init__("; ".join(self.errors.values()))


class NotYours(LawfulError):
    """The step belongs to another role (the API answers 403)."""


def _office(actor: User) -> None:
    if not runs_checks(actor):
        raise NotYours(_("Only the supervision office runs the lawful-administration check."))


def current_checklist() -> tuple[ChecklistItem, ...]:
    return tuple(settings.DUCHA_LAWFUL_CHECKLIST)


def departments() -> list[Unit]:
    return list(Unit.objects.filter(kind=UnitKind.DEPARTMENT, is_active=True).order_by("sort_order", "id"))


def parse_half(text: str) -> Period | None:
    try:
        period = Period.parse(text.strip())
    except ValueError:
        return None
    return period if period.kind == "half" else None


def open_effect(period: Period | None) -> str:
    """What opening does; ``period`` None on the form, where the half-year is still being chosen."""
    items = current_checklist()
    numbers = {"n": len(departments()), "items": len(items), "points": sum(i.points for i in items)}
    if period is None:
        return _("Opens the chosen half-year's check for %(n)d departments on a checklist of %(items)d items "
                 "(%(points)d points); each department is told that the check has begun.") % numbers
    return _("Opens the check of %(period)s for %(n)d departments on a checklist of %(items)d items "
             "(%(points)d points); each department is told that the check has begun.") % {
        "period": half_label(period), **numbers}


def do_open_check(*, actor: User, period: str, today: date | None = None) -> Check:
    """Open a half-year's check of the active municipal departments, freezing the checklist."""
    _office(actor)
    today = today or workcal.today()
    half = parse_half(period)
    units = departments()
    errors: dict[str, str] = {}
    if half is None:
        errors["period"] = _("Give a half-year such as 2026-H1.")
    elif half.start > today:
        errors["period"] = _("%(period)s has not begun yet.") % {"period": half_label(half)}
    elif Check.objects.filter(period=half.key).exists():
        errors["period"] = _("%(period)s has been checked already.") % {"period": half_label(half)}
    if not units:
        errors["units"] = _("There is no active municipal department to check.")
    if errors:
        raise LawfulError(errors)
    assert half is not None
    try:
        with transaction.atomic():
            check = Check.objects.create(period=half.key, checklist=[i.as_dict() for i in current_checklist()],
                                         opened_by=actor)
            check.units.set(units)
            audit(actor=actor, action="lawful.open", obj_type="lawful.Check", obj_id=check.pk, before=None,
                  after={"period": half.key, "units": [u.pk for u in units], "checklist": check.checklist})
    except IntegrityError:
        raise LawfulError({"period": _("%(period)s has been checked already.") % {"period": half_label(half)}}) from None
    title = _("Lawful-administration check of %(period)s") % {"period": half_label(half)}
    body = _("The supervision office has begun the half-yearly check of lawful administration.")
    unit_ids = [u.pk for u in units]
    transaction.on_commit(lambda: notify_units(unit_ids, title=title, body=body))
    return check


@dataclass(frozen=True)
class DeductionInput:
    unit_id: int
    item: str
    points: int | None
    finding: str


def do_record_deduction(*, actor: User, check: Check, data: DeductionInput) -> Deduction | None:
    """Record (or correct) one department's deduction on one item with the finding in words.
    No points and no words clear it; a finding handed to a case cannot be cleared."""
    _office(actor)
    items = {i.code: i for i in checklist_of(check)}
    errors: dict[str, str] = {}
    if not check.units.filter(pk=data.unit_id).exists():
        errors["unit"] = _("Not a department of this check.")
    item = items.get(data.item)
    finding = data.finding.strip()
    if item is None:
        errors["item"] = _("Choose an item of the check's checklist.")
    elif data.points is None:
        errors["points"] = _("Give the points deducted as a whole number (0 for none).")
    else:
        problem = deduction_problem(item.points, data.points, finding)
        if problem == "negative":
            errors["points"] = _("Points deducted cannot be negative.")
        elif problem == "exceeds_points":
            errors["points"] = _("At most the item's %(n)d points.") % {"n": item.points}
        elif problem == "finding_missing":
            errors["finding"] = _("Say what was found: points lost need the finding in words.")
    if len(finding) > MAX_TEXT:
        errors["finding"] = _("At most %(n)d characters.") % {"n": MAX_TEXT}
    if errors:
        raise LawfulError(errors)
    assert data.points is not None
    with transaction.atomic():
        if Check.objects.select_for_update().filter(pk=check.pk, state=CheckState.OPEN).first() is None:
            raise LawfulError(_("The check has been published; it cannot be changed."))
        row = Deduction.objects.select_for_update().filter(lawful_check=check, unit_id=data.unit_id,
                                                           item=data.item).first()
        before = {"points": row.points, "finding": row.finding} if row else None
        if data.points == 0 and not finding:
            if row is None:
                return None
            if row.case_id:
                raise LawfulError({"finding": _("This finding was handed to efficiency case %(id)s; it stays.")
                                   % {"id": row.case_id}})
            row.delete()
            audit(actor=actor, action="lawful.clear", obj_type="lawful.Check", obj_id=check.pk, before=before,
                  after={"unit": data.unit_id, "item": data.item})
            return None
        if row is None:
            row = Deduction.objects.create(lawful_check=check, unit_id=data.unit_id, item=data.item,
                                           points=data.points, finding=finding, recorded_by=actor)
        else:
            row.points, row.finding, row.recorded_by = data.points, finding, actor
            row.save(update_fields=["points", "finding", "recorded_by", "recorded_at"])
        audit(actor=actor, action="lawful.deduct", obj_type="lawful.Deduction", obj_id=row.pk, before=before,
              after={"check": check.pk, "unit": data.unit_id, "item": data.item, "points": data.points,
                     "finding": finding})
    return row


def publish_effect(check: Check) -> str:
    findings = Deduction.objects.filter(lawful_check=check).count()
    return _("Publishes the scores of %(units)d departments with %(n)d findings; each department is told its "
             "score, and the performance office reads them for the evaluation. Nothing in the check can be "
             "changed afterwards.") % {"units": check.units.count(), "n": findings}


def do_publish_check(*, actor: User, check: Check) -> Check:
    _office(actor)
    with transaction.atomic():
        if Check.objects.filter(pk=check.pk, state=CheckState.OPEN).update(
                state=CheckState.PUBLISHED, published_at=timezone.now(), published_by=actor) != 1:
            raise LawfulError(_("The check has been published already."))
        check.refresh_from_db()
        scored = results(check, check.units.order_by("sort_order", "id"))
        audit(actor=actor, action="lawful.publish", obj_type="lawful.Check", obj_id=check.pk,
              before={"state": CheckState.OPEN},
              after={"state": CheckState.PUBLISHED, "scores": {r.unit.pk: r.score.value for r in scored}})
        title = _("Lawful-administration check of %(period)s: results") % {"period": half_label(Period.parse(check.period))}
        messages = [(r.unit.pk, title, _("Your score: %(score)d of %(total)d, %(n)d findings. See the check's "
                                         "page for each item.") % {"score": r.score.value, "total": r.score.total,
                                                                   "n": len(r.findings)}) for r in scored]
        transaction.on_commit(lambda: notify_units_apart(messages))
    return check


def do_hand_to_case(*, actor: User, deduction: Deduction, conduct: str, summary: str = "",
                    evidence: str = "") -> Case:
    """Hand a bad case found by the check to an efficiency case (效能问题线索) in one step; the
    finding keeps the link. Once per finding."""
    _office(actor)
    if deduction.case_id:
        raise LawfulError(_("This finding was handed to efficiency case %(id)s already.") % {"id": deduction.case_id})
    if conduct not in Conduct.values:
        raise LawfulError({"conduct": _("Choose the conduct: %(choices)s.") % {"choices": ", ".join(Conduct.values)}})
    check = deduction.lawful_check
    items = {i.code: i for i in checklist_of(check)}
    item = items.get(deduction.item)
    half = Period.parse(check.period).label_zh
    words = summary.strip() or f"{half}依法行政检查·{item.name if item else deduction.item}：{deduction.finding}"
    with transaction.atomic():
        locked = Deduction.objects.select_for_update().filter(pk=deduction.pk, case__isnull=True).first()
        if locked is None:
            raise LawfulError(_("This finding was handed to an efficiency case already."))
        try:
            case = do_open_case(actor=actor, data=CaseInput(unit_id=deduction.unit_id, conduct=conduct,
                                                            source=CaseSource.LAWFUL_CHECK, summary=words[:MAX_TEXT],
                                                            evidence=evidence))
        except AccountabilityError as e:
            raise LawfulError(e.errors) from None
        Deduction.objects.filter(pk=deduction.pk).update(case=case)
        audit(actor=actor, action="lawful.hand_to_case", obj_type="lawful.Deduction", obj_id=deduction.pk,
              before={"case": None}, after={"case": case.pk, "conduct": conduct})
    deduction.refresh_from_db()
    return case
