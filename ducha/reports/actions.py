"""Writes to monthly reports (S1.2): save an item, submit, return for correction.

"Report once": the item a unit saves in its monthly report is the only place progress is
entered. Saving it moves the matter's progress (or the co-unit part's), so the matter
page, the traffic lights, the June check and the bulletin all read the same figure.
A report for an earlier month saved after a later one does not roll progress back.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from ducha.audit.api import record
from ducha.inbox.notify import notify_people, unit_liaisons
from ducha.matters.actions_evidence import attach_evidence, check_evidence
from ducha.matters.models import CoUnitPart, Evidence, EvidenceKind, Matter
from ducha.matters.recorded import PROGRESS_FOLLOWS_REPORT, take_reported_progress
from ducha.org.access import access_unit_by_id
from ducha.org.models import User
from ducha.reports.access import access_report_by_id, can_return_report, can_write_report
from ducha.reports.models import EDITABLE_STATUSES, MonthlyReport, ReportEvent, ReportItem, ReportStatus
from ducha.reports.owed import owed_by_unit, reportable_entries
from ducha.rules.reporting import month_bounds
from ducha.workcal import service as workcal

# Progress of a matter the supervision office has closed is final (100 %, set on closing).
MAX_TEXT = 4000


class ReportError(ValueError):
    """Bad input or a step that is not allowed; ``errors`` maps field names to messages."""

    def __init__(self, errors: dict[str, str] | str) -> None:
        self.errors = errors if isinstance(errors, dict) else {"__all__": errors}
        super().__init__("; ".join(f"{k}: {v}" for k, v in self.errors.items()))


class ConcurrentChange(ReportError):
    """Someone else changed the report first; reload and try again."""


@dataclass
class ItemInput:
    progress: int
    done: str
    next_steps: str
    problems: str = ""
    achieved_quantity: Decimal | None = None
    lower_reason: str = ""  # why the figure is below the one on record (required then)


def _validate_item(data: ItemInput, quantitative: bool) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not isinstance(data.progress, int) or not 0 <= data.progress <= 100:
        errors["progress"] = _("Progress must be a whole number from 0 to 100.")
    if not data.done.strip():
        errors["done"] = _("What was done this month is required.")
    if not data.next_steps.strip():
        errors["next_steps"] = _("Next steps are required.")
    for name in ("done", "problems", "next_steps", "lower_reason"):
        if len(getattr(data, name)) > MAX_TEXT:
            errors[name] = _("At most %(MAX_TEXT)s characters.") % {"MAX_TEXT": MAX_TEXT}
    if data.achieved_quantity is not None:
        if not quantitative:
            errors["achieved_quantity"] = _("This item has no quantitative target.")
        elif data.achieved_quantity < 0 or not data.achieved_quantity.is_finite():
            errors["achieved_quantity"] = _("The achieved quantity cannot be negative.")
        elif abs(data.achieved_quantity) >= Decimal("1e12"):
            errors["achieved_quantity"] = _("The achieved quantity is too large.")
    return errors


def _month_has_begun(year: int, month: int, today: date) -> bool:
    return (year, month) <= (today.year, today.month)


def _event(report: MonthlyReport, actor: User, action: str, reason: str = "") -> None:
    """The report's own history row, and the same fact in the tamper-evident audit trail."""
    ReportEvent.objects.create(report=report, actor=actor, action=action, reason=reason)
    record(actor=actor, action=f"report.{action}", obj_type="reports.MonthlyReport", obj_id=report.pk,
           before={"status": report.status}, after={"unit": report.unit_id, "month": f"{report.year}-{report.month:02d}"},
           reason=reason)


def do_save_report_item(
    *, actor: User, unit_id: int, year: int, month: int, matter_id: int, data: ItemInput,
    today: date | None = None, evidence: Any = None,
) -> ReportItem:
    """Save one line of the unit's report for the month (creating the draft report on the
    first line) and carry its progress over to the matter or the co-unit part.

    A figure below the one on record needs ``data.lower_reason``; ``evidence`` is an optional
    file (佐证材料) kept with the matter.
    """
    today = today or workcal.today()
    unit = access_unit_by_id(actor, unit_id)
    if not can_write_report(actor, unit.id):
        raise ReportError(_("Only the unit's own staff fill in its report."))
    if not 1 <= month <= 12 or not _month_has_begun(year, month, today):
        raise ReportError({"month": _("That month has not begun.")})
    first, last = month_bounds(year, month)
    entry = next(
        (e for e in owed_by_unit(reportable_entries(first, last, [unit.id]), year, month).get(unit.id, [])
         if e.matter_id == matter_id),
        None,
    )
    if entry is None:
        raise ReportError({"matter": _("The matter is not in this unit's report for the month.")})
    matter = Matter.objects.get(pk=matter_id)
    quantitative = entry.co_part_id is None and matter.target_quantity is not None
    errors = _validate_item(data, quantitative)
    recorded = _recorded_progress(matter, entry.co_part_id, unit.id, year, month)
    if not errors and recorded is not None and data.progress < recorded and not data.lower_reason.strip():
        # Progress does not go down silently: the figure on record was reported, and whoever lowers it says why.
        errors["lower_reason"] = _("%(new)d%% is below the %(old)d%% on record; say why the progress is lower.") % {
            "new": data.progress, "old": recorded}
    checked = None
    if evidence is not None:
        checked, problem = check_evidence(evidence)
        if checked is None:
            errors["evidence"] = problem
    if errors:
        raise ReportError(errors)
    with transaction.atomic():
        report, created = MonthlyReport.objects.get_or_create(
            unit=unit, year=year, month=month, defaults={"created_by": actor}
        )
        if created:
            _event(report, actor, "create")
        if not MonthlyReport.objects.filter(pk=report.pk, status__in=EDITABLE_STATUSES).update(
            updated_at=timezone.now()
        ):
            raise ConcurrentChange(_("The report has been submitted; it can no longer be changed."))
        item, _created = ReportItem.objects.update_or_create(
            report=report, matter_id=matter_id,
            defaults={
                "co_part_id": entry.co_part_id, "progress": data.progress, "done": data.done.strip(),
                "problems": data.problems.strip(), "next_steps": data.next_steps.strip(),
                "achieved_quantity": data.achieved_quantity if quantitative else None, "saved_by": actor,
            },
        )
        _carry_progress(actor, report, item, matter, last, today, old=recorded,
                        reason=data.lower_reason.strip() if recorded is not None and data.progress < recorded else "")
        if checked is not None:
            attach_evidence(actor=actor, matter=matter, unit_id=unit.id, upload=evidence, checked=checked,
                            kind=EvidenceKind.REPORT_LINE, month=report.month_key)
    return item


def do_attach_report_evidence(
    *, actor: User, unit_id: int, year: int, month: int, matter_id: int, upload: Any,
) -> Evidence:
    """A file for a line already saved in the unit's report for the month, while the report can
    still be changed (the line's form may carry one too; this adds what came later)."""
    unit = access_unit_by_id(actor, unit_id)
    if not can_write_report(actor, unit.id):
        raise ReportError(_("Only the unit's own staff fill in its report."))
    item = ReportItem.objects.select_related("report", "matter").filter(
        report__unit=unit, report__year=year, report__month=month, matter_id=matter_id).first()
    if item is None:
        raise ReportError({"matter": _("Save the line for this matter first; the file goes with it.")})
    checked, problem = check_evidence(upload)
    if checked is None:
        raise ReportError({"evidence": problem})
    with transaction.atomic():
        if not MonthlyReport.objects.filter(pk=item.report_id, status__in=EDITABLE_STATUSES).update(
            updated_at=timezone.now()
        ):
            raise ConcurrentChange(_("The report has been submitted; it can no longer be changed."))
        return attach_evidence(actor=actor, matter=item.matter, unit_id=unit.id, upload=upload, checked=checked,
                               kind=EvidenceKind.REPORT_LINE, month=item.report.month_key)


def _later_lines(matter_id: int, unit_id: int, year: int, month: int) -> Any:
    return ReportItem.objects.filter(matter_id=matter_id, report__unit_id=unit_id).filter(
        Q(report__year__gt=year) | Q(report__year=year, report__month__gt=month)
    )


def _recorded_progress(matter: Matter, co_part_id: int | None, unit_id: int, year: int, month: int) -> int | None:
    """The figure this line would replace (the part's or the matter's), or None when it replaces
    nothing: a later month already speaks for the matter, or a closed matter's figure is final."""
    if _later_lines(matter.pk, unit_id, year, month).exists():
        return None
    if co_part_id is not None:
        return int(CoUnitPart.objects.filter(pk=co_part_id).values_list("progress", flat=True).get())
    return matter.progress if matter.status in PROGRESS_FOLLOWS_REPORT else None


def _carry_progress(
    actor: User, report: MonthlyReport, item: ReportItem, matter: Matter, month_end: date, today: date,
    *, old: int | None, reason: str,
) -> None:
    if old is None:
        return  # a later month already speaks for the matter, or its figure is final
    data: dict[str, Any] = {"report": report.pk, "month": report.month_key, "progress": item.progress,
                            "old_progress": old}
    if item.co_part_id is not None:
        data["co_unit"] = report.unit_id
        data["co_unit_name"] = report.unit.short_name or report.unit.name
    take_reported_progress(actor=actor, matter=matter, co_part_id=item.co_part_id, progress=item.progress,
                           achieved_quantity=item.achieved_quantity, today=today, month_end=month_end,
                           reason=reason, data=data)


def do_submit_monthly_report(
    *, actor: User, report_id: int, today: date | None = None, notify: Callable[[], None] | None = None
) -> MonthlyReport:
    """Submit (or resubmit after a return): every owed matter must have its line.

    The month must be over: a report speaks for the whole month. Submitting after the
    window is allowed and marked late by the first submission date.
    """
    today = today or workcal.today()
    with transaction.atomic():
        report = access_report_by_id(actor, report_id)
        if not can_write_report(actor, report.unit_id):
            raise ReportError(_("Only the unit's own staff submit its report."))
        if report.status not in EDITABLE_STATUSES:
            raise ReportError(_("The report has already been submitted."))
        first, last = month_bounds(report.year, report.month)
        if today <= last:
            raise ReportError(
                {"month": _("%(report_year)s-%(report_month)s is not over; submit the report after it ends.") % {"report_year": report.year, "report_month": report.month}}
            )
        owed = owed_by_unit(reportable_entries(first, last, [report.unit_id]), report.year, report.month)
        have = set(report.items.values_list("matter_id", flat=True))
        lacking = [e.number for e in owed.get(report.unit_id, []) if e.matter_id not in have]
        if lacking:
            raise ReportError(
                {"items": "以下事项尚未填报：" + "、".join(lacking) + f" (not yet filled in: {', '.join(lacking)})"}
            )
        if not have:
            raise ReportError({"items": _("The report has no items.")})
        old = report.status
        rows = MonthlyReport.objects.filter(pk=report.pk, status=old).update(
            status=ReportStatus.SUBMITTED, submitted_at=timezone.now(), submitted_by=actor,
            first_submitted_on=Coalesce(F("first_submitted_on"), Value(today)), updated_at=timezone.now(),
        )
        if rows != 1:
            raise ConcurrentChange(_("Someone else changed the report; reload."))
        _event(report, actor, "resubmit" if old == ReportStatus.RETURNED else "submit")
        if notify is not None:
            transaction.on_commit(notify)
        report.refresh_from_db()
        return report


def do_return_monthly_report(
    *, actor: User, report_id: int, reason: str, notify: Callable[[], None] | None = None
) -> MonthlyReport:
    """The supervision office sends a submitted report back for correction, with a reason.

    The unit corrects and resubmits; the report keeps its first submission date, so a
    return does not make an on-time report late (docs/rates.md).
    """
    with transaction.atomic():
        report = access_report_by_id(actor, report_id)
        if not can_return_report(actor):
            raise ReportError(_("Only the supervision office returns reports."))
        if not reason.strip():
            raise ReportError({"reason": _("Say why the report is returned.")})
        rows = MonthlyReport.objects.filter(pk=report.pk, status=ReportStatus.SUBMITTED).update(
            status=ReportStatus.RETURNED, return_reason=reason.strip(), updated_at=timezone.now()
        )
        if rows != 1:
            raise ConcurrentChange(_("The report is not in the submitted state."))
        _event(report, actor, "return", reason.strip())
        tell = [*unit_liaisons([report.unit_id]).get(report.unit_id, []),
                *([report.submitted_by_id] if report.submitted_by_id else [])]
        transaction.on_commit(lambda: notify_people(
            tell, title=f"{report.year}年{report.month}月月度报告被退回", body=f"退回理由：{reason.strip()}",
            light="yellow"))
        if notify is not None:
            transaction.on_commit(notify)
        report.refresh_from_db()
        return report
