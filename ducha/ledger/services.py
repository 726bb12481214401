"""What each ledger phase will do, computed once for the preview page and again, identically,
inside the action that does it (S2.4).

The preview carries a digest of the figures it showed; the confirm POST sends it back and the
action refuses when the figures have moved in between (a unit reported progress meanwhile),
so nobody confirms a list of flags other than the one they read.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import Count

from ducha.ledger.models import LedgerCheckFlag, LedgerYear, Phase, SupervisionNotice
from ducha.matters.models import CoUnitPart, Matter, Rectification, Status
from ducha.reports.models import DocumentSequence
from ducha.rules.ledger import (
    LEDGER_STATUS_ZH,
    LedgerPhase,
    LedgerPhaseKey,
    PhaseOrderError,
    behind_schedule,
    check_phase_order,
    judged_in_check,
    ledger_phases,
    ledger_status,
)
from ducha.rules.workdays import UncoveredYear, WorkCalendar, elapsed_share
from ducha.workcal import service as workcal

PREVIEW_ROWS = 500  # matters listed on a preview page; counts are always complete


def june_rectify_workdays() -> int:
    """Working days a unit gets to put right a matter flagged in June (setting, default 20)."""
    return int(getattr(settings, "DUCHA_LEDGER_JUNE_RECTIFY_WORKDAYS", 20))


def notice_rectify_workdays() -> int:
    """Working days a unit gets to answer a September 督查通知 (setting, default 20)."""
    return int(getattr(settings, "DUCHA_LEDGER_NOTICE_RECTIFY_WORKDAYS", 20))


def notice_prefix() -> str:
    """机关代字 of the 督查通知 (setting DUCHA_NOTICE_DOC_PREFIX, default 宛督 as in 宛督〔2026〕12号)."""
    return str(getattr(settings, "DUCHA_NOTICE_DOC_PREFIX", "宛督"))


def notice_issuer() -> str:
    """The issuing office printed on the notice (setting DUCHA_NOTICE_ISSUER)."""
    return str(getattr(settings, "DUCHA_NOTICE_ISSUER", "南阳市人民政府督查室"))


@dataclass(frozen=True)
class FlagPlan:
    matter_id: int
    number: str
    title: str
    unit_id: int
    unit_name: str
    progress: int
    elapsed: Decimal
    start_date: date
    due_date: date

    @property
    def elapsed_percent(self) -> Decimal:
        return (self.elapsed * 100).quantize(Decimal("0.1"))


@dataclass(frozen=True)
class Skipped:
    matter_id: int
    number: str
    title: str
    reason: str


@dataclass
class UnitGroup:
    unit_id: int
    unit_name: str
    flags: list[FlagPlan] = field(default_factory=list)
    matter_count: int = 0


@dataclass
class PhasePlan:
    year: int
    phase: LedgerPhaseKey
    today: date
    window: LedgerPhase | None
    blocker: str = ""
    late: bool = False
    counts: dict[str, int] = field(default_factory=dict)
    units: list[UnitGroup] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    rectify_by: date | None = None
    numbers: list[str] = field(default_factory=list)
    status_counts: list[tuple[str, int]] = field(default_factory=list)
    fingerprint: list[Any] = field(default_factory=list)

    @property
    def flags(self) -> list[FlagPlan]:
        return [f for g in self.units for f in g.flags]

    @property
    def digest(self) -> str:
        payload = json.dumps([self.year, self.phase, self.today.isoformat(), self.fingerprint], default=str)
        return hashlib.sha256(payload.encode()).hexdigest()[:32]

    def preview_units(self) -> list[tuple[UnitGroup, list[FlagPlan], str]]:
        """Every unit with its flags (at most PREVIEW_ROWS matters in all) and its notice number."""
        budget = PREVIEW_ROWS
        out = []
        for i, g in enumerate(self.units):
            shown = g.flags[: max(budget, 0)]
            budget -= len(shown)
            out.append((g, shown, self.numbers[i] if i < len(self.numbers) else ""))
        return out


def ledger_year(year: int) -> LedgerYear | None:
    return LedgerYear.objects.defer("baseline", "final").filter(year=year).first()


def is_closed(year: int) -> bool:
    """Whether the year's ledger is closed (年底交账): its matters are then read-only for the ledger."""
    return LedgerYear.objects.filter(year=year, closed_at__isnull=False).exists()


def _calendar() -> WorkCalendar | None:
    try:
        return workcal.get_calendar()
    except UncoveredYear:
        return None


def phase_windows(year: int) -> dict[str, LedgerPhase]:
    cal = _calendar()
    if cal is None:
        return {}
    try:
        return {p.key: p for p in ledger_phases(cal, year)}
    except UncoveredYear:
        return {}


def _base_plan(year: int, phase: LedgerPhaseKey, today: date, row: LedgerYear | None) -> PhasePlan:
    windows = phase_windows(year)
    plan = PhasePlan(year=year, phase=phase, today=today, window=windows.get(phase))
    if plan.window is None:
        plan.blocker = f"工作日历未包含 {year} 年，无法确定台账各阶段日期 (the calendar does not cover {year})"
        return plan
    try:
        check_phase_order(phase, row.done_phases() if row else frozenset())
    except PhaseOrderError as e:
        plan.blocker = str(e)
        return plan
    if today < plan.window.opens:
        plan.blocker = (
            f"{plan.window.name_zh}自{plan.window.opens:%Y-%m-%d}起方可进行 "
            f"({phase} opens on {plan.window.opens:%Y-%m-%d})"
        )
    plan.late = today > plan.window.due
    return plan


def _behind(year: int, today: date, plan: PhasePlan) -> None:
    """Fill ``plan`` with the year's running matters below the working time elapsed, per lead unit."""
    cal = _calendar()
    if cal is None:
        plan.blocker = plan.blocker or "工作日历尚未导入 (no calendar is loaded)"
        return
    rows = (
        Matter.objects.filter(year=year)
        .order_by("lead_unit__sort_order", "lead_unit_id", "id")
        .values_list("id", "number", "title", "status", "lead_unit_id", "lead_unit__name", "progress",
                     "start_date", "due_date")
    )
    groups: dict[int, UnitGroup] = {}
    judged = 0
    for mid, number, title, status, unit_id, unit_name, progress, start, due in rows.iterator(chunk_size=2000):
        if not judged_in_check(status):
            continue
        if due is None:
            plan.skipped.append(Skipped(mid, number, title, "时限待确认，无法判断进度 (no due date yet)"))
            continue
        try:
            share = elapsed_share(cal, start, due, today)
        except UncoveredYear as e:
            plan.skipped.append(Skipped(mid, number, title, str(e)))
            continue
        judged += 1
        share_d = Decimal(str(share)).quantize(Decimal("0.0001"))
        if behind_schedule(progress / 100, share):
            group = groups.setdefault(unit_id, UnitGroup(unit_id, unit_name))
            group.flags.append(FlagPlan(mid, number, title, unit_id, unit_name, progress, share_d, start, due))
            plan.fingerprint.append([mid, progress, str(share_d)])
    plan.units = list(groups.values())
    plan.counts = {
        "judged": judged,
        "flagged": sum(len(g.flags) for g in plan.units),
        "units": len(plan.units),
        "skipped": len(plan.skipped),
    }


def plan_build(year: int, today: date, row: LedgerYear | None = None) -> PhasePlan:
    plan = _base_plan(year, "build", today, row if row is not None else ledger_year(year))
    matters = Matter.objects.filter(year=year)
    by_status = dict(matters.values_list("status").annotate(n=Count("id")).values_list("status", "n"))
    plan.counts = {
        "matters": sum(by_status.values()),
        "drafts": by_status.get(Status.DRAFT, 0),
        "no_due": matters.filter(due_date__isnull=True).count(),
    }
    plan.status_counts = [(str(label), by_status.get(value, 0)) for value, label in Status.choices]
    per_unit = (
        matters.values_list("lead_unit_id", "lead_unit__name").annotate(n=Count("id"))
        .order_by("lead_unit__sort_order", "lead_unit_id")
    )
    plan.units = [UnitGroup(uid, name, [], n) for uid, name, n in per_unit]
    plan.counts["units"] = len(plan.units)
    plan.fingerprint = sorted(by_status.items())
    if not plan.blocker and plan.counts["matters"] == 0:
        plan.blocker = f"{year}年尚无督办事项，请先立项或导入台账 (no matters for {year} yet: create or import them)"
    return plan


def plan_june_check(year: int, today: date, row: LedgerYear | None = None) -> PhasePlan:
    plan = _base_plan(year, "june_check", today, row if row is not None else ledger_year(year))
    if plan.window is not None:
        _behind(year, today, plan)
        _rectify_date(plan, june_rectify_workdays())
    return plan


def plan_reconciliation(year: int, today: date, row: LedgerYear | None = None) -> PhasePlan:
    plan = _base_plan(year, "september_reconciliation", today, row if row is not None else ledger_year(year))
    if plan.window is not None:
        _behind(year, today, plan)
        _rectify_date(plan, notice_rectify_workdays())
        seq = DocumentSequence.objects.filter(prefix=notice_prefix(), year=today.year).first()
        first = (seq.last if seq else 0) + 1
        plan.numbers = [f"{notice_prefix()}〔{today.year}〕{first + i}号" for i in range(len(plan.units))]
    return plan


def plan_close(year: int, today: date, row: LedgerYear | None = None) -> PhasePlan:
    plan = _base_plan(year, "year_end_close", today, row if row is not None else ledger_year(year))
    counts: dict[str, int] = defaultdict(int)
    rows = Matter.objects.filter(year=year).values_list("status", "progress", "due_date", "completed_on")
    for status, progress, due, completed_on in rows.iterator(chunk_size=5000):
        counts[ledger_status(status, progress=progress, due=due, completed_on=completed_on, today=today)] += 1
    plan.status_counts = [(zh, counts.get(key, 0)) for key, zh in LEDGER_STATUS_ZH.items()]
    plan.counts = {"matters": sum(counts.values()), **counts}
    plan.fingerprint = sorted(counts.items())
    return plan


PLANNERS = {
    "build": plan_build,
    "june_check": plan_june_check,
    "september_reconciliation": plan_reconciliation,
    "year_end_close": plan_close,
}


def _rectify_date(plan: PhasePlan, workdays: int) -> None:
    cal = _calendar()
    if cal is None:
        return
    try:
        plan.rectify_by = cal.add_workdays(plan.today, workdays)
    except UncoveredYear as e:
        plan.blocker = plan.blocker or f"{e}：无法计算整改时限 (cannot compute the rectification date)"


# -- snapshots ------------------------------------------------------------------------


def _co_units(year: int) -> dict[int, list[dict[str, Any]]]:
    out: dict[int, list[dict[str, Any]]] = defaultdict(list)
    parts = CoUnitPart.objects.filter(matter__year=year).order_by("matter_id", "id")
    for mid, uid, name, due, progress in parts.values_list(
        "matter_id", "unit_id", "unit__name", "due_date", "progress"
    ).iterator(chunk_size=5000):
        out[mid].append({"unit_id": uid, "unit": name, "due_date": due.isoformat(), "progress": progress})
    return out


def _iso(d: date | None) -> str | None:
    return d.isoformat() if d else None


def baseline_snapshot(year: int, today: date) -> dict[str, Any]:
    """年初建账: each matter's targets, due date and units as agreed in January."""
    co = _co_units(year)
    rows = Matter.objects.filter(year=year).order_by("id").values_list(
        "id", "number", "title", "source", "source_ref", "lead_unit_id", "lead_unit__name",
        "responsible_leader_id", "responsible_leader__name", "goal", "target_quantity", "target_unit",
        "qualitative_standard", "start_date", "due_date", "status",
    )
    matters = [
        {
            "id": r[0], "number": r[1], "title": r[2], "source": r[3], "source_ref": r[4],
            "lead_unit_id": r[5], "lead_unit": r[6], "leader_id": r[7], "leader": r[8], "goal": r[9],
            "target_quantity": str(r[10]) if r[10] is not None else None, "target_unit": r[11],
            "qualitative_standard": r[12], "start_date": _iso(r[13]), "due_date": _iso(r[14]), "status": r[15],
            "co_units": co.get(r[0], []),
        }
        for r in rows.iterator(chunk_size=5000)
    ]
    return {"year": year, "taken_on": today.isoformat(), "count": len(matters), "matters": matters}


def final_snapshot(year: int, today: date) -> dict[str, Any]:
    """年底交账: each matter's final state, read by the performance evaluation (S6.1)."""
    flags: dict[int, set[str]] = defaultdict(set)
    for mid, phase in LedgerCheckFlag.objects.filter(ledger_year__year=year).values_list("matter_id", "phase"):
        flags[mid].add(phase)
    notices: dict[int, str] = dict(
        SupervisionNotice.matters.through.objects.filter(supervisionnotice__ledger_year__year=year)
        .values_list("matter_id", "supervisionnotice__number")
    )
    open_rect: dict[int, int] = dict(
        Rectification.objects.filter(matter__year=year, rectified_on__isnull=True)
        .values_list("matter_id").annotate(n=Count("id")).values_list("matter_id", "n")
    )
    rows = Matter.objects.filter(year=year).order_by("id").values_list(
        "id", "number", "title", "lead_unit_id", "lead_unit__name", "status", "progress", "target_quantity",
        "achieved_quantity", "due_date", "completed_on", "closed_on",
    )
    matters = []
    counts: dict[str, int] = defaultdict(int)
    for mid, number, title, uid, uname, status, progress, target, achieved, due, completed, closed in rows.iterator(
        chunk_size=5000
    ):
        final = ledger_status(status, progress=progress, due=due, completed_on=completed, today=today)
        counts[final] += 1
        on_time = None if status != Status.CLOSED or due is None or completed is None else completed <= due
        matters.append({
            "id": mid, "number": number, "title": title, "lead_unit_id": uid, "lead_unit": uname,
            "status": status, "ledger_status": final, "progress": progress,
            "target_quantity": str(target) if target is not None else None,
            "achieved_quantity": str(achieved) if achieved is not None else None,
            "due_date": _iso(due), "completed_on": _iso(completed), "closed_on": _iso(closed), "on_time": on_time,
            "june_flag": Phase.JUNE_CHECK in flags.get(mid, ()),
            "september_flag": Phase.RECONCILIATION in flags.get(mid, ()),
            "notice": notices.get(mid), "open_rectifications": open_rect.get(mid, 0),
        })
    return {"year": year, "taken_on": today.isoformat(), "count": len(matters), "counts": dict(counts),
            "matters": matters}
