"""What each ledger phase will do, computed once for the preview page and again, identically,
inside the action that does it (S2.4).

The preview carries a digest of the figures it showed; the confirm POST sends it back and the
action refuses when the figures have moved in between (a unit reported progress meanwhile),
so nobody confirms a list of flags other than the one they read.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import Case, CharField, Count, F, QuerySet, Sum, Value, When
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ducha.documents.register import next_document_number
from ducha.ledger.cutoff import cutoff, ledger_matters, matters_as_of
from ducha.ledger.models import (
    CloseOutcome,
    FlagReason,
    LedgerYear,
    ProgressSource,
    SelfCheck,
)
from ducha.matters.models import Matter, Status
from ducha.rules.ledger import (
    LEDGER_STATUS_ZH,
    LedgerPhase,
    LedgerPhaseKey,
    PhaseOrderError,
    check_phase_order,
    ledger_phases,
)
from ducha.rules.ledger_check import TimeNode, judge, judged_as_of
from ducha.rules.workdays import UncoveredYear, WorkCalendar
from ducha.workcal import service as workcal

PREVIEW_ROWS = 500  # matters listed on a preview page; counts are always complete


def june_rectify_workdays() -> int:
    """Working days a unit gets to put right a matter flagged in June."""
    return int(settings.DUCHA_LEDGER_JUNE_RECTIFY_WORKDAYS)


def notice_rectify_workdays() -> int:
    """Working days a unit gets to answer a September 督查通知."""
    return int(settings.DUCHA_LEDGER_NOTICE_RECTIFY_WORKDAYS)


def notice_prefix() -> str:
    """机关代字 of the 督查通知 (宛督 as in 宛督〔2026〕12号)."""
    return str(settings.DUCHA_NOTICE_DOC_PREFIX)


def notice_issuer() -> str:
    """The issuing office printed on the notice."""
    return str(settings.DUCHA_NOTICE_ISSUER)


SKIP_TEXT = {  # literal msgids, so makemessages finds them
    "started_after_cutoff": gettext_lazy("started after the cut-off day"),
    "no_due_date": gettext_lazy("no due date yet"),
    "uncovered_year": gettext_lazy("the working-day calendar does not cover the year"),
}


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
    judged_on: date
    reasons: tuple[str, ...] = ("behind_share",)
    missed: tuple[TimeNode, ...] = ()
    source: str = ProgressSource.RECORD
    month: str = ""

    @property
    def elapsed_percent(self) -> Decimal:
        return (self.elapsed * 100).quantize(Decimal("0.1"))

    @property
    def reason_labels(self) -> list[str]:
        return [str(FlagReason(r).label) for r in self.reasons]


@dataclass(frozen=True)
class Skipped:
    matter_id: int
    number: str
    title: str
    code: str
    year: int | None = None

    @property
    def reason(self) -> str:
        text = str(SKIP_TEXT.get(self.code, self.code))
        return f"{text} ({self.year})" if self.year else text


@dataclass
class UnitGroup:
    unit_id: int
    unit_name: str
    flags: list[FlagPlan] = field(default_factory=list)
    matter_count: int = 0


@dataclass(frozen=True)
class UnitRef:
    unit_id: int
    unit_name: str


@dataclass(frozen=True)
class OpenMatter:
    """A matter still open at the year-end close and what the close does with it."""

    matter_id: int
    number: str
    title: str
    unit_name: str
    status: str
    progress: int
    due_date: date | None
    outcome: str  # CloseOutcome

    @property
    def status_label(self) -> str:
        return str(Status(self.status).label)

    @property
    def outcome_label(self) -> str:
        return str(CloseOutcome(self.outcome).label)


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
    cutoff: date | None = None  # the day the phase judges as of (June, September)
    as_of: date | None = None  # the cut-off, or the run day before it
    confirmed_units: list[UnitRef] = field(default_factory=list)  # June: self-checks done
    unconfirmed_units: list[UnitRef] = field(default_factory=list)  # June: self-checks missing
    open_matters: list[OpenMatter] = field(default_factory=list)  # close: still open, with their outcome

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
        phases = ledger_phases(cal, year, close_last_workdays=settings.DUCHA_LEDGER_CLOSE_LAST_WORKDAYS)
    except UncoveredYear:
        return {}
    return {p.key: p for p in phases}


def _base_plan(year: int, phase: LedgerPhaseKey, today: date, row: LedgerYear | None) -> PhasePlan:
    windows = phase_windows(year)
    plan = PhasePlan(year=year, phase=phase, today=today, window=windows.get(phase))
    if plan.window is None:
        plan.blocker = _("The working-day calendar does not cover %(year)s: the ledger's phase dates cannot be set.") % {"year": year}
        return plan
    try:
        check_phase_order(phase, row.done_phases() if row else frozenset())
    except PhaseOrderError as e:
        plan.blocker = str(e)
        return plan
    if today < plan.window.opens:
        if phase == "year_end_close":
            plan.blocker = _(
                "The year-end close opens on %(day)s, the first of the year's last %(n)d working days; it cannot "
                "be run before that day.") % {"day": f"{plan.window.opens:%Y-%m-%d}",
                                              "n": settings.DUCHA_LEDGER_CLOSE_LAST_WORKDAYS}
        else:
            plan.blocker = (
                f"{plan.window.name_zh}自{plan.window.opens:%Y-%m-%d}起方可进行 "
                f"({phase} opens on {plan.window.opens:%Y-%m-%d})"
            )
    plan.late = today > plan.window.due
    return plan


def _behind(year: int, today: date, plan: PhasePlan) -> None:
    """Fill ``plan`` with the matters behind schedule as of the phase's cut-off, per lead unit
    (``ducha.rules.ledger_check``; the facts as they stood then come from ``cutoff``)."""
    cal = _calendar()
    plan.cutoff = cutoff(plan.phase, year)
    if cal is None or plan.cutoff is None:
        plan.blocker = plan.blocker or _("No calendar is loaded.")
        return
    as_of = plan.as_of = judged_as_of(plan.cutoff, today)
    september = plan.phase == "september_reconciliation"
    groups: dict[int, UnitGroup] = {}
    asked: dict[int, str] = {}  # units whose self-check covers a matter of this check
    judged = 0
    for row, facts in matters_as_of(year, as_of, self_check=not september, time_nodes=september):
        j = judge(cal, facts, as_of, count_time_nodes=september)
        if j.skipped == "not_running":
            continue
        if j.skipped != "started_after_cutoff":
            asked.setdefault(row.unit_id, row.unit_name)
        if not j.judged:
            plan.skipped.append(Skipped(row.matter_id, row.number, row.title, str(j.skipped), j.uncovered_year))
            continue
        judged += 1
        if not j.flagged:
            continue
        assert j.elapsed is not None and facts.due is not None
        share_d = Decimal(str(j.elapsed)).quantize(Decimal("0.0001"))
        group = groups.setdefault(row.unit_id, UnitGroup(row.unit_id, row.unit_name))
        group.flags.append(FlagPlan(row.matter_id, row.number, row.title, row.unit_id, row.unit_name, j.progress,
                                    share_d, facts.start, facts.due, as_of, j.reasons, j.missed, row.source,
                                    row.month))
        plan.fingerprint.append([row.matter_id, j.progress, str(share_d), list(j.reasons)])
    plan.units = list(groups.values())
    if not september:
        done = set(SelfCheck.objects.filter(ledger_year__year=year).values_list("unit_id", flat=True))
        plan.confirmed_units = [UnitRef(u, n) for u, n in asked.items() if u in done]
        plan.unconfirmed_units = [UnitRef(u, n) for u, n in asked.items() if u not in done]
    plan.counts = {
        "judged": judged,
        "flagged": sum(len(g.flags) for g in plan.units),
        "units": len(plan.units),
        "skipped": len(plan.skipped),
    }


def plan_build(year: int, today: date, row: LedgerYear | None = None) -> PhasePlan:
    plan = _base_plan(year, "build", today, row if row is not None else ledger_year(year))
    matters = Matter.objects.filter(ledger_matters(year))
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
        plan.blocker = _("No matters for %(year)s yet: create them or import the ledger first.") % {"year": year}
    return plan


def plan_june_check(year: int, today: date, row: LedgerYear | None = None) -> PhasePlan:
    row = row if row is not None else ledger_year(year)
    plan = _base_plan(year, "june_check", today, row)
    if plan.window is not None:
        _behind(year, today, plan)
        _rectify_date(plan, june_rectify_workdays())
    return plan


def plan_reconciliation(year: int, today: date, row: LedgerYear | None = None) -> PhasePlan:
    plan = _base_plan(year, "september_reconciliation", today, row if row is not None else ledger_year(year))
    if plan.window is not None:
        _behind(year, today, plan)
        _rectify_date(plan, notice_rectify_workdays())
        first = next_document_number(notice_prefix(), today.year)
        plan.numbers = [f"{notice_prefix()}〔{today.year}〕{first + i}号" for i in range(len(plan.units))]
    return plan


def ledger_status_sql(today: date) -> Case:
    """``rules.ledger.ledger_status`` as a database expression over a matter's columns, so the
    close counts the year's states without reading its matters (a test compares the two)."""
    finished = Case(When(status=Status.CLAIMED, then=Coalesce(F("completed_on"), Value(today))), default=Value(today))
    return Case(
        When(status=Status.CLOSED, then=Value("completed")),
        When(status=Status.SUSPENDED, then=Value("suspended")),
        When(due_date__isnull=False, due_date__lt=finished, then=Value("overdue")),
        When(status__in=[Status.DRAFT, Status.ASSIGNED], progress=0, then=Value("not_started")),
        default=Value("in_progress"), output_field=CharField(),
    )


def open_ledger_matters(year: int) -> QuerySet[Matter]:
    """The year's matters the close carries over or closes as not done: every one not closed."""
    return Matter.objects.filter(ledger_matters(year)).exclude(status=Status.CLOSED)


def plan_close(year: int, today: date, row: LedgerYear | None = None) -> PhasePlan:
    """年底交账: the final state of every matter counted, and the matters still open with what the
    close will do with them (carried over by default; the operator may close any as not done).
    The first ``PREVIEW_ROWS`` open matters are listed; the count and the fingerprint cover all."""
    plan = _base_plan(year, "year_end_close", today, row if row is not None else ledger_year(year))
    counts = dict(Matter.objects.filter(ledger_matters(year)).annotate(state=ledger_status_sql(today))
                  .values_list("state").annotate(n=Count("id")).values_list("state", "n"))
    still_open = open_ledger_matters(year)
    listed = still_open.order_by("lead_unit__sort_order", "lead_unit_id", "id").values_list(
        "id", "number", "title", "lead_unit__name", "status", "progress", "due_date")[:PREVIEW_ROWS]
    plan.open_matters = [OpenMatter(*r, outcome=CloseOutcome.CARRY_OVER) for r in listed]
    # Which matters are open, not only how many: a matter closed while another was reopened
    # between the preview and the confirmation leaves the counts but not the id sum as they were.
    open_count, id_sum = still_open.aggregate(n=Count("id"), s=Sum("id")).values()
    plan.status_counts = [(zh, counts.get(key, 0)) for key, zh in LEDGER_STATUS_ZH.items()]
    plan.counts = {"matters": sum(counts.values()), **counts, "open": open_count}
    plan.fingerprint = [sorted(counts.items()), open_count, id_sum or 0]
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
        plan.blocker = plan.blocker or _("%(reason)s: the rectification date cannot be computed.") % {"reason": e}
