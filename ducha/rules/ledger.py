"""S2.4: the four phases of a task-ledger (台账) year.

年初建账 (build the ledger in January), 6月查账 (June check: "time half, task half" --
时间过半、任务过半), 9月对账 (September reconciliation) and 年底交账 (year-end close in
December).  Each phase opens on the first working day of its month and is due on the
last one: a phase due on a Sunday or on the 国庆 holiday would give units a deadline
nobody is at work to meet.  The year-end close is the exception: it freezes the year for
good, so it opens only in the year's last working days (``close_opens``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from ducha.rules.lifecycle import RUNNING_STATUSES, Status
from ducha.rules.words import RuleError
from ducha.rules.workdays import WorkCalendar

__all__ = [
    "LEDGER_STATUS_ZH",
    "PHASE_ORDER",
    "LedgerPhase",
    "LedgerPhaseKey",
    "LedgerStatus",
    "PhaseOrderError",
    "behind_schedule",
    "check_phase_order",
    "close_opens",
    "judged_in_check",
    "ledger_phases",
    "ledger_status",
    "parse_phase_runners",
    "phase_open",
]

LedgerPhaseKey = Literal["build", "june_check", "september_reconciliation", "year_end_close"]

_PHASES: tuple[tuple[LedgerPhaseKey, str, int], ...] = (
    ("build", "年初建账", 1),
    ("june_check", "6月查账", 6),
    ("september_reconciliation", "9月对账", 9),
    ("year_end_close", "年底交账", 12),
)


@dataclass(frozen=True)
class LedgerPhase:
    key: LedgerPhaseKey
    name_zh: str
    opens: date
    due: date


def _month_end(year: int, month: int) -> date:
    first_next = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
    return first_next - timedelta(days=1)


def close_opens(cal: WorkCalendar, year: int, last_workdays: int) -> date:
    """The first of the year's last ``last_workdays`` working days: 年底交账 opens then.

    The close cannot be undone, so it waits until the year's work is all but over; counted
    on the working-day calendar, so a December with a make-up Saturday keeps its N days.
    Never before the first working day of December, whatever N is.
    """
    if last_workdays < 1:
        raise ValueError(f"the close opens within the last N working days, N >= 1, got {last_workdays}")
    last = cal.workday_on_or_before(date(year, 12, 31))
    day = cal.add_workdays(last, -(last_workdays - 1)) if last_workdays > 1 else last
    return max(day, cal.next_workday_on_or_after(date(year, 12, 1)))


def ledger_phases(cal: WorkCalendar, year: int, *, close_last_workdays: int = 5) -> list[LedgerPhase]:
    """The S2.4 phases of ``year`` in chronological order (raises UncoveredYear for a
    year whose holiday notice is not loaded: phase dates are never guessed)."""
    return [
        LedgerPhase(
            key=key,
            name_zh=name_zh,
            opens=(close_opens(cal, year, close_last_workdays) if key == "year_end_close"
                   else cal.next_workday_on_or_after(date(year, month, 1))),
            due=cal.workday_on_or_before(_month_end(year, month)),
        )
        for key, name_zh, month in _PHASES
    ]


def phase_open(phase: LedgerPhase, today: date) -> bool:
    """Whether units can act on ``phase`` today: from its opening day to its due day."""
    return phase.opens <= today <= phase.due


def behind_schedule(progress_share: float, elapsed: float) -> bool:
    """S2.4 June check: a task is behind when its progress share is below the share of
    working time elapsed (see ``workdays.elapsed_share``) -- "time half, task half".

    Progress above 1 (over-fulfilment) is allowed; an elapsed share outside 0..1 or a
    NaN is a caller bug and would otherwise silently compare false.
    """
    if math.isnan(progress_share) or progress_share < 0:
        raise ValueError(f"progress share must be >= 0, got {progress_share}")
    if not 0.0 <= elapsed <= 1.0:
        raise ValueError(f"elapsed share must be within 0..1, got {elapsed}")
    return progress_share < elapsed


# -- order of the phases ----------------------------------------------------------------

PHASE_ORDER: tuple[LedgerPhaseKey, ...] = tuple(key for key, _, _ in _PHASES)


class PhaseOrderError(RuleError):
    """A phase asked for twice, or before the phase it builds on."""


def check_phase_order(key: LedgerPhaseKey, done: frozenset[str]) -> None:
    """Raise PhaseOrderError unless ``key`` is the next phase after those in ``done``.

    The phases build on each other: the June check compares against the January baseline,
    the September notices follow up on the June flags, and the close freezes what the
    reconciliation found. Running one twice would double the flags, notices and numbers.
    """
    if key in done:
        raise PhaseOrderError("ledger.phase_done", phase=key)
    for earlier in PHASE_ORDER[: PHASE_ORDER.index(key)]:
        if earlier not in done:
            raise PhaseOrderError("ledger.phase_order", phase=key, earlier=earlier)


def parse_phase_runners(text: str, defaults: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
    """Who runs which phase: ``defaults`` overridden by ``text``, entries such as
    ``"june_check=general_office;year_end_close=general_office,supervision_office"``.

    Raises ValueError naming an unknown phase, a phase given twice or one left to nobody.
    The role names are checked by the app, which knows the roles.
    """
    runners = dict(defaults)
    seen: set[str] = set()
    for entry in (e.strip() for e in text.split(";")):
        if not entry:
            continue
        phase, sep, roles = (part.strip() for part in entry.partition("="))
        if not sep or phase not in PHASE_ORDER:
            raise ValueError(f"{entry!r}: expected PHASE=ROLE[,ROLE], PHASE one of {', '.join(PHASE_ORDER)}")
        if phase in seen:
            raise ValueError(f"{phase} is given twice")
        seen.add(phase)
        names = tuple(dict.fromkeys(r.strip() for r in roles.split(",") if r.strip()))
        if not names:
            raise ValueError(f"{phase}: name at least one role")
        runners[phase] = names
    return runners


def judged_in_check(status: str) -> bool:
    """Whether the June check and the September reconciliation judge a matter's progress.

    Only matters someone is expected to be working on: a draft has not reached its unit, a
    claimed matter waits for the office's verification, a suspended one is on hold.
    """
    return status in RUNNING_STATUSES


# -- 状态 column of the Excel ledger ----------------------------------------------------

LedgerStatus = Literal["not_started", "in_progress", "completed", "overdue", "suspended"]

LEDGER_STATUS_ZH: dict[LedgerStatus, str] = {
    "not_started": "未启动",
    "in_progress": "推进中",
    "completed": "已完成",
    "overdue": "已逾期",
    "suspended": "已暂停",
}


def ledger_status(
    status: str, *, progress: int, due: date | None, completed_on: date | None, today: date
) -> LedgerStatus:
    """The paper ledger's four states (plus 已暂停) from a matter's lifecycle status.

    A deadline is the end of its day, so a matter is overdue from the day after. A completion
    claimed on or before the deadline is not overdue while the office verifies it.
    """
    if status == Status.CLOSED:
        return "completed"
    if status == Status.SUSPENDED:
        return "suspended"
    finished = completed_on if status == Status.CLAIMED else None
    if due is not None and (finished or today) > due:
        return "overdue"
    if status in (Status.DRAFT, Status.ASSIGNED) and progress == 0:
        return "not_started"
    return "in_progress"
