"""The four ledger phases (S2.4) as actions of the supervision office.

Each action recomputes the plan its preview showed (``services.plan_*``), refuses when the
plan has a blocker or its digest differs from the one the user confirmed, then claims the
phase with one guarded UPDATE (its column null, the previous one set) before writing
anything else. A second run, a run out of order or a lost race therefore raises and
changes nothing.
"""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone

from ducha.audit.api import record
from ducha.ledger.models import LedgerCheckFlag, LedgerEvent, LedgerYear, Phase, SupervisionNotice
from ducha.ledger.notices import render_notice_files
from ducha.ledger.services import (
    PhasePlan,
    baseline_snapshot,
    final_snapshot,
    notice_prefix,
    plan_build,
    plan_close,
    plan_june_check,
    plan_reconciliation,
)
from ducha.matters.models import MatterEvent, Rectification, RectificationSource
from ducha.org.models import Unit, User
from ducha.org.roles import Role
from ducha.reminders.notify import notify_units_apart
from ducha.reports.numbering import take_document_number
from ducha.workcal import service as workcal


class LedgerError(ValueError):
    """A phase that may not run now, or bad input; the message says why."""


class PlanChanged(LedgerError):
    """The figures moved between the preview and the confirmation."""


def can_run_phases(user: object) -> bool:
    return bool(getattr(user, "is_authenticated", False) and getattr(user, "role", "") == Role.SUPERVISION_OFFICE)


def _require_office(actor: User) -> None:
    if not can_run_phases(actor) or not actor.is_active:
        raise LedgerError("台账各阶段由市政府督查室办理 (only the supervision office runs the ledger phases)")


def _ready(plan: PhasePlan, expected_digest: str | None) -> None:
    if plan.blocker:
        raise LedgerError(plan.blocker)
    if expected_digest is not None and expected_digest != plan.digest:
        raise PlanChanged(
            "预览之后数据已有变化，请重新查看预览再确认 (the figures changed since the preview; review it again)"
        )


def _claim(row: LedgerYear, column: str, previous: str | None, actor: User, **extra: object) -> None:
    guard = {f"{column}_at__isnull": True}
    if previous:
        guard[f"{previous}_at__isnull"] = False
    now = timezone.now()
    if LedgerYear.objects.filter(pk=row.pk, **guard).update(**{f"{column}_at": now, f"{column}_by": actor}, **extra) != 1:
        raise LedgerError("该阶段已由他人办理，请刷新页面 (someone else ran this phase first; reload the page)")


def _event(row: LedgerYear, phase: str, actor: User | None, counts: dict[str, int]) -> LedgerEvent:
    """The ledger year's own history row, and the same fact in the tamper-evident audit trail."""
    record(actor=actor, action=f"ledger.{phase}", obj_type="ledger.LedgerYear", obj_id=row.year,
           before=None, after=counts)
    return LedgerEvent.objects.create(ledger_year=row, phase=phase, actor=actor, counts=counts)


def do_build_ledger(*, actor: User, year: int, today: date | None = None,
                    expected_digest: str | None = None) -> LedgerYear:
    """年初建账: freeze the year's matters, targets, due dates and units as the baseline."""
    _require_office(actor)
    today = today or workcal.today()
    with transaction.atomic():
        row, _ = LedgerYear.objects.get_or_create(year=year)
        plan = plan_build(year, today, row)
        _ready(plan, expected_digest)
        snapshot = baseline_snapshot(year, today)
        _claim(row, "built", None, actor, baseline=snapshot)
        _event(row, Phase.BUILD, actor,
               {"matters": snapshot["count"], "drafts": plan.counts["drafts"], "units": plan.counts["units"]})
    row.refresh_from_db()
    return row


# The line in each flagged matter's timeline (MatterEvent.action is at most 30 characters).
EVENT_ACTIONS: dict[str, str] = {Phase.JUNE_CHECK: "ledger_june_check", Phase.RECONCILIATION: "ledger_reconcile"}


def _flag_matters(row: LedgerYear, plan: PhasePlan, phase: str, actor: User, source: str,
                  notices: dict[int, SupervisionNotice] | None = None) -> int:
    """Rectifications and flags for every matter of ``plan``, and a line in each matter's timeline."""
    assert plan.rectify_by is not None
    label = "6月查账" if phase == Phase.JUNE_CHECK else "9月对账"
    flags = plan.flags
    rects = Rectification.objects.bulk_create(
        Rectification(
            matter_id=f.matter_id, unit_id=f.unit_id, source=source, due_date=plan.rectify_by,
            demand=(f"{label}：完成进度{f.progress}%，低于时间进度{f.elapsed_percent}%"
                    f"（时间过半、任务过半），请于{plan.rectify_by:%Y-%m-%d}前整改到位。"),
        )
        for f in flags
    )
    LedgerCheckFlag.objects.bulk_create(
        LedgerCheckFlag(
            ledger_year=row, phase=phase, matter_id=f.matter_id, unit_id=f.unit_id, progress=f.progress,
            elapsed_share=f.elapsed, checked_on=plan.today, rectification=r,
            notice=notices.get(f.unit_id) if notices else None,
        )
        for f, r in zip(flags, rects, strict=True)
    )
    MatterEvent.objects.bulk_create(
        MatterEvent(matter_id=f.matter_id, actor=actor, action=EVENT_ACTIONS[phase], reason=r.demand,
                    data={"progress": f.progress, "elapsed_share": str(f.elapsed), "ledger_year": row.year,
                          "notice": notices[f.unit_id].number if notices else None})
        for f, r in zip(flags, rects, strict=True)
    )
    return len(flags)


def _built_year(year: int) -> LedgerYear:
    """The year's ledger row; every phase after the build needs one."""
    row = LedgerYear.objects.filter(year=year).first()
    if row is None:
        raise LedgerError(f"{year}年台账尚未建账 (the {year} ledger was not built)")
    return row


def do_check_ledger(*, actor: User, year: int, today: date | None = None,
                    expected_digest: str | None = None) -> LedgerYear:
    """6月查账: flag each running matter whose progress is below the working time elapsed."""
    _require_office(actor)
    today = today or workcal.today()
    with transaction.atomic():
        row = _built_year(year)
        plan = plan_june_check(year, today, row)
        _ready(plan, expected_digest)
        _claim(row, "june_checked", "built", actor)
        flagged = _flag_matters(row, plan, Phase.JUNE_CHECK, actor, RectificationSource.JUNE_CHECK)
        _event(row, Phase.JUNE_CHECK, actor, {"judged": plan.counts["judged"], "flagged": flagged,
                                               "units": plan.counts["units"], "skipped": plan.counts["skipped"]})
    row.refresh_from_db()
    return row


def do_reconcile_ledger(*, actor: User, year: int, today: date | None = None,
                        expected_digest: str | None = None, render: bool = True) -> list[SupervisionNotice]:
    """9月对账: one numbered 督查通知 to each unit still behind schedule, delivered to the unit."""
    _require_office(actor)
    today = today or workcal.today()
    with transaction.atomic():
        row = _built_year(year)
        plan = plan_reconciliation(year, today, row)
        _ready(plan, expected_digest)
        assert plan.rectify_by is not None
        _claim(row, "reconciled", "june_checked", actor)
        now = timezone.now()
        prefix = notice_prefix()
        units = Unit.objects.in_bulk([g.unit_id for g in plan.units])
        notices: dict[int, SupervisionNotice] = {}
        for group in plan.units:
            sequence = take_document_number(prefix, today.year)
            unit = units[group.unit_id]
            notice = SupervisionNotice.objects.create(
                ledger_year=row, unit=unit, number=f"{prefix}〔{today.year}〕{sequence}号", prefix=prefix,
                doc_year=today.year, sequence=sequence, rectify_by=plan.rectify_by,
                title=f"关于{unit.name}{year}年重点工作进度滞后问题的督查通知",
                issued_by=actor, issued_at=now, delivered_at=now,
            )
            notice.matters.set([f.matter_id for f in group.flags])
            notices[group.unit_id] = notice
        flagged = _flag_matters(row, plan, Phase.RECONCILIATION, actor, RectificationSource.NOTICE, notices)
        transaction.on_commit(lambda: _tell_units(list(notices.values())))
        _event(row, Phase.RECONCILIATION, actor, {"judged": plan.counts["judged"], "flagged": flagged,
                                                   "notices": len(notices), "skipped": plan.counts["skipped"]})
    issued = list(notices.values())
    if render:
        for notice in issued:
            render_notice_files(notice)
            notice.refresh_from_db()
    return issued


def _tell_units(notices: list[SupervisionNotice]) -> None:
    """Each notice reaches its unit's inbox, red: it demands rectification by a date."""
    notify_units_apart(((n.unit_id, f"督查通知 {n.number}",
                         f"{n.title}。请于{n.rectify_by:%Y年%m月%d日}前完成整改并报送。") for n in notices), light="red")


def do_close_ledger(*, actor: User, year: int, today: date | None = None,
                    expected_digest: str | None = None) -> LedgerYear:
    """年底交账: freeze each matter's final state for the performance evaluation."""
    _require_office(actor)
    today = today or workcal.today()
    with transaction.atomic():
        row = _built_year(year)
        plan = plan_close(year, today, row)
        _ready(plan, expected_digest)
        snapshot = final_snapshot(year, today)
        _claim(row, "closed", "reconciled", actor, final=snapshot)
        _event(row, Phase.CLOSE, actor, {"matters": snapshot["count"], **snapshot["counts"]})
    row.refresh_from_db()
    return row


PHASE_ACTIONS = {
    "build": do_build_ledger,
    "june_check": do_check_ledger,
    "year_end_close": do_close_ledger,
}


def do_read_notice(*, user: User, notice: SupervisionNotice) -> SupervisionNotice:
    """Record the first time someone of the receiving unit opens the notice (签收)."""
    receiving = getattr(user, "unit_id", None) == notice.unit_id and user.role in (Role.UNIT_ADMIN, Role.UNIT_STAFF)
    if receiving and SupervisionNotice.objects.filter(pk=notice.pk, read_at__isnull=True).update(
        read_at=timezone.now(), read_by=user
    ):
        notice.refresh_from_db()
    return notice


def do_render_notice(*, actor: User, notice: SupervisionNotice) -> bool:
    """Render a notice's files again (after a font was installed, say)."""
    _require_office(actor)
    return render_notice_files(notice)
