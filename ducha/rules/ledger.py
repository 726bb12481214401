"""S2.4: the four phases of a task-ledger (台账) year.

年初建账 (build the ledger in January), 6月查账 (June check: "time half, task half" --
时间过半、任务过半), 9月对账 (September reconciliation) and 年底交账 (year-end close in
December).  Each phase opens on the first working day of its month and is due on the
last one: a phase due on a Sunday or on the 国庆 holiday would give units a deadline
nobody is at work to meet.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from ducha.rules.workdays import WorkCalendar

__all__ = ["LedgerPhase", "LedgerPhaseKey", "behind_schedule", "ledger_phases", "phase_open"]

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


def ledger_phases(cal: WorkCalendar, year: int) -> list[LedgerPhase]:
    """The S2.4 phases of ``year`` in chronological order (raises UncoveredYear for a
    year whose holiday notice is not loaded: phase dates are never guessed)."""
    return [
        LedgerPhase(
            key=key,
            name_zh=name_zh,
            opens=cal.next_workday_on_or_after(date(year, month, 1)),
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
