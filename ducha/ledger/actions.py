"""The four ledger phases (S2.4), run by the offices of DUCHA_LEDGER_PHASE_RUNNERS, and the
units' self-check (自查) before the June check.

Each action recomputes the plan its preview showed (``services.plan_*``), refuses when the
plan has a blocker or its digest differs from the one the user confirmed, then claims the
phase with one guarded UPDATE (its column null, the previous one set) before writing
anything else. A second run, a run out of order or a lost race therefore raises and
changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from itertools import islice

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ducha.audit.api import record
from ducha.documents.register import take_document_number
from ducha.inbox.notify import notify_units_apart
from ducha.ledger.access import phase_runner_names, runs_ledger, runs_phase, self_check_unit
from ducha.ledger.models import (
    CarryOver,
    CloseOutcome,
    LedgerCheckFlag,
    LedgerEvent,
    LedgerYear,
    Phase,
    SelfCheck,
    SelfCheckLine,
    SupervisionNotice,
)
from ducha.ledger.notices import render_notice_files
from ducha.ledger.planning import (
    FlagPlan,
    PhasePlan,
    notice_prefix,
    open_ledger_matters,
    plan_build,
    plan_close,
    plan_june_check,
    plan_reconciliation,
)
from ducha.ledger.selfcheck import self_check_form
from ducha.ledger.snapshots import CHUNK, write_baseline, write_final
from ducha.matters.models import RectificationSource
from ducha.matters.recorded import add_to_timeline, demand_rectifications
from ducha.org.models import Unit, User
from ducha.org.roles import Role
from ducha.workcal import service as workcal


class LedgerError(ValueError):
    """A phase that may not run now, or bad input; the message says why."""


class PlanChanged(LedgerError):
    """The figures moved between the preview and the confirmation."""


class NotYours(LedgerError):
    """The phase is run by another office (the API answers 403)."""


def can_import_ledger(user: User) -> bool:
    """The Excel ledger is the supervision office's working file."""
    return runs_ledger(user)


def _require_runner(actor: User, key: str) -> None:
    if not runs_phase(actor, key):
        raise NotYours(_("%(phase)s is run by: %(roles)s.") % {"phase": Phase(key).label,
                                                                "roles": phase_runner_names(key)})


def _ready(plan: PhasePlan, expected_digest: str | None) -> None:
    if plan.blocker:
        raise LedgerError(plan.blocker)
    if expected_digest is not None and expected_digest != plan.digest:
        raise PlanChanged(
            _("The figures changed since the preview; review it again.")
        )


def _claim(row: LedgerYear, column: str, previous: str | None, actor: User, **extra: object) -> None:
    guard = {f"{column}_at__isnull": True}
    if previous:
        guard[f"{previous}_at__isnull"] = False
    now = timezone.now()
    if LedgerYear.objects.filter(pk=row.pk, **guard).update(**{f"{column}_at": now, f"{column}_by": actor}, **extra) != 1:
        raise LedgerError(_("Someone else ran this phase first; reload the page."))


def _event(row: LedgerYear, phase: str, actor: User | None, counts: dict[str, int]) -> LedgerEvent:
    """The ledger year's own history row, and the same fact in the tamper-evident audit trail."""
    record(actor=actor, action=f"ledger.{phase}", obj_type="ledger.LedgerYear", obj_id=row.year,
           before=None, after=counts)
    return LedgerEvent.objects.create(ledger_year=row, phase=phase, actor=actor, counts=counts)


def do_build_ledger(*, actor: User, year: int, today: date | None = None,
                    expected_digest: str | None = None) -> LedgerYear:
    """年初建账: freeze the year's matters, targets, due dates and units as the baseline."""
    _require_runner(actor, Phase.BUILD)
    today = today or workcal.today()
    with transaction.atomic():
        row, _created = LedgerYear.objects.get_or_create(year=year)
        plan = plan_build(year, today, row)
        _ready(plan, expected_digest)
        snapshot = write_baseline(row, today)
        _claim(row, "built", None, actor, baseline=snapshot)
        _event(row, Phase.BUILD, actor,
               {"matters": snapshot["count"], "drafts": plan.counts["drafts"], "units": plan.counts["units"]})
    row.refresh_from_db()
    return row


# The line in each flagged matter's timeline (MatterEvent.action is at most 30 characters).
EVENT_ACTIONS: dict[str, str] = {Phase.JUNE_CHECK: "ledger_june_check", Phase.RECONCILIATION: "ledger_reconcile"}


def demand_text(f: FlagPlan, phase: str, rectify_by: date) -> str:
    """The rectification demand: what was found as of which day, and why (the reasons that apply)."""
    label = "6月查账" if phase == Phase.JUNE_CHECK else "9月对账"
    found = []
    if "behind_share" in f.reasons:
        found.append(f"完成进度{f.progress}%，低于时间进度{f.elapsed_percent}%"
                     + ("（时间过半、任务过半）" if phase == Phase.JUNE_CHECK else ""))
    if f.missed:
        found.append("时间节点" + "、".join(f"“{n.title}”（{n.due:%m月%d日}）" for n in f.missed) + "未按期完成")
    return (f"{label}：截至{f.judged_on:%Y年%m月%d日}，" + "；".join(found)
            + f"，请于{rectify_by:%Y-%m-%d}前整改到位。")


def _flag_matters(row: LedgerYear, plan: PhasePlan, phase: str, actor: User, source: str,
                  notices: dict[int, SupervisionNotice] | None = None) -> int:
    """Rectifications and flags for every matter of ``plan``, and a line in each matter's timeline."""
    assert plan.rectify_by is not None
    flags = plan.flags
    rects = demand_rectifications([(f.matter_id, f.unit_id, source, plan.rectify_by,
                                    demand_text(f, phase, plan.rectify_by)) for f in flags])
    LedgerCheckFlag.objects.bulk_create(
        LedgerCheckFlag(
            ledger_year=row, phase=phase, matter_id=f.matter_id, unit_id=f.unit_id, progress=f.progress,
            elapsed_share=f.elapsed, checked_on=plan.today, judged_on=f.judged_on, reasons=list(f.reasons),
            missed_milestones=[{"title": n.title, "due": n.due.isoformat()} for n in f.missed],
            progress_source=f.source, progress_month=f.month, rectification=r,
            notice=notices.get(f.unit_id) if notices else None,
        )
        for f, r in zip(flags, rects, strict=True)
    )
    add_to_timeline(actor=actor, entries=(
        (f.matter_id, EVENT_ACTIONS[phase], r.demand,
         {"progress": f.progress, "elapsed_share": str(f.elapsed), "ledger_year": row.year,
          "judged_on": f.judged_on.isoformat(), "reasons": list(f.reasons),
          "notice": notices[f.unit_id].number if notices else None})
        for f, r in zip(flags, rects, strict=True)
    ))
    return len(flags)


def _built_year(year: int) -> LedgerYear:
    """The year's ledger row, locked: every phase after the build needs one, and a self-check
    confirmed meanwhile waits for the phase instead of slipping in after its preview."""
    row = LedgerYear.objects.select_for_update().filter(year=year).first()
    if row is None:
        raise LedgerError(_("The %(year)s ledger was not built.") % {"year": year})
    return row


def do_check_ledger(*, actor: User, year: int, today: date | None = None,
                    expected_digest: str | None = None) -> LedgerYear:
    """6月查账: flag each matter whose progress recorded by the cut-off (30 June) was below the
    working time elapsed at the cut-off, whenever the check runs."""
    _require_runner(actor, Phase.JUNE_CHECK)
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
    """9月对账: one numbered 督查通知 to each unit with a matter behind as of the cut-off (30
    September): below the elapsed share or past a time node not done; delivered to the unit."""
    _require_runner(actor, Phase.RECONCILIATION)
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


def do_close_ledger(*, actor: User, year: int, confirm_year: int | None, today: date | None = None,
                    expected_digest: str | None = None, not_done: frozenset[int] = frozenset()) -> LedgerYear:
    """年底交账: freeze each matter's final state for the performance evaluation. It cannot be
    undone, so the operator types the year to confirm. Every matter still open is carried
    over to next year's ledger, except those in ``not_done``, closed in the ledger as not done."""
    _require_runner(actor, Phase.CLOSE)
    if confirm_year != year:
        raise LedgerError(_("Type the year %(year)d to confirm the year-end close; it cannot be undone.")
                          % {"year": year})
    today = today or workcal.today()
    with transaction.atomic():
        row = _built_year(year)
        plan = plan_close(year, today, row)
        _ready(plan, expected_digest)
        still_open = open_ledger_matters(year)
        stray = sorted(set(not_done) - set(still_open.filter(pk__in=not_done).values_list("id", flat=True)))
        if stray:
            raise LedgerError(_("Not a matter still open in the %(year)d ledger: %(ids)s")
                              % {"year": year, "ids": ", ".join(map(str, stray))})
        snapshot = write_final(row, today, not_done)
        _claim(row, "closed", "reconciled", actor, final=snapshot)
        carried = still_open.exclude(pk__in=not_done).order_by("id").values_list("id", flat=True)
        it = carried.iterator(chunk_size=CHUNK)
        while batch := list(islice(it, CHUNK)):
            CarryOver.objects.bulk_create(CarryOver(ledger_year=row, matter_id=mid, to_year=year + 1) for mid in batch)
        _event(row, Phase.CLOSE, actor, {"matters": snapshot["count"], **snapshot["counts"],
                                         "carried_over": snapshot["outcomes"].get(CloseOutcome.CARRY_OVER, 0),
                                         "not_done": snapshot["outcomes"].get(CloseOutcome.NOT_DONE, 0)})
    row.refresh_from_db()
    return row


PHASE_ACTIONS = {
    "build": do_build_ledger,
    "june_check": do_check_ledger,
}


@dataclass(frozen=True)
class SelfCheckInput:
    """The figure a unit confirms for one matter, and why when it is below the record."""

    confirmed: int
    reason: str = ""


class SelfCheckRefused(LedgerError):
    """Bad figures in a self-check; ``errors`` maps matter ids (or "__all__") to messages."""

    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = errors
        super().__init__("; ".join(errors.values()))


MAX_REASON = 300


def do_confirm_self_check(*, actor: User, year: int, lines: dict[int, SelfCheckInput],
                          today: date | None = None) -> SelfCheck:
    """自查: the actor's unit confirms (or corrects) the progress of every matter on its form, in
    one step. The form must list exactly the matters it shows now; a figure below the record
    needs a reason. Confirming again before the June check replaces the earlier figures."""
    unit_id = self_check_unit(actor)
    if unit_id is None:
        raise NotYours(_("Only a unit's own staff confirm its self-check."))
    today = today or workcal.today()
    with transaction.atomic():
        row = LedgerYear.objects.select_for_update().filter(year=year).first()
        form = self_check_form(year, unit_id, today)
        if form.blocker:
            raise LedgerError(form.blocker)
        expected = {r.matter_id: r for r in form.rows}
        if set(lines) != set(expected):
            raise SelfCheckRefused({"__all__": _(
                "The list of matters has changed since the form was opened; reload it and confirm again.")})
        errors: dict[str, str] = {}
        for mid, given in lines.items():
            r = expected[mid]
            if not isinstance(given.confirmed, int) or not 0 <= given.confirmed <= 100:
                errors[str(mid)] = _("%(number)s: progress must be a whole number from 0 to 100.") % {
                    "number": r.number}
            elif given.confirmed < r.recorded and not given.reason.strip():
                errors[str(mid)] = _("%(number)s: %(given)d%% is below the %(recorded)d%% on record; say why.") % {
                    "number": r.number, "given": given.confirmed, "recorded": r.recorded}
            elif len(given.reason) > MAX_REASON:
                errors[str(mid)] = _("%(number)s: the reason is longer than %(n)d characters.") % {
                    "number": r.number, "n": MAX_REASON}
        if errors:
            raise SelfCheckRefused(errors)
        assert row is not None
        check, _created = SelfCheck.objects.update_or_create(
            ledger_year=row, unit_id=unit_id, defaults={"confirmed_by": actor, "confirmed_at": timezone.now()})
        SelfCheckLine.objects.filter(self_check=check).delete()
        SelfCheckLine.objects.bulk_create(
            SelfCheckLine(self_check=check, matter_id=mid, recorded=expected[mid].recorded, confirmed=given.confirmed,
                          reason=given.reason.strip() if given.confirmed < expected[mid].recorded else "")
            for mid, given in sorted(lines.items())
        )
        corrected = {str(mid): [expected[mid].recorded, g.confirmed] for mid, g in lines.items()
                     if g.confirmed != expected[mid].recorded}
        record(actor=actor, action="ledger.self_check", obj_type="ledger.SelfCheck", obj_id=check.pk,
               before=None, after={"year": year, "unit": unit_id, "matters": len(lines), "corrected": corrected})
    return check


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
    if not (runs_ledger(actor) or runs_phase(actor, Phase.RECONCILIATION)):
        raise NotYours(_("Only the office that issues the notices can generate their files again."))
    return render_notice_files(notice)
