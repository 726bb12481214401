"""The three rates of S2.7 — 督查执行率, 上报率, 整改率 — each targeted at 100 %.

Each rate is ``done / due`` over a period, with the records behind its shortfall kept so a
page can show them. A period with nothing due has no rate (``None``), shown as "—": a unit
with no matters due is neither perfect nor failing, and averaging it in would flatter it.

execution rate     matters (and co-unit parts) whose deadline falls in the period;
                   done = completed on or before the deadline.
reporting rate     (unit, month, matter) items a unit had to report for the months whose
                   report window closes in the period; done = reported in a report
                   submitted by the window's last day.
rectification rate rectification demands (退回整改, June-check flags, 督查通知) due in the
                   period; done = rectified on or before the demand's due date.

While a period is still running only what has fallen due is judged (``rate_to_date``): a
deadline is the end of its day, so something due today is not yet missed, and counting
next week's deadlines would make every unit look behind on the first day of a quarter.
docs/rates.md gives each formula with a worked example.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)


@dataclass(frozen=True)
class Obligation(Generic[K]):
    """One thing that was due: a matter's deadline, a report item, a rectification demand."""

    key: K
    due: date
    done_on: date | None

    def met(self) -> bool:
        return self.done_on is not None and self.done_on <= self.due


@dataclass(frozen=True)
class Rate(Generic[K]):
    due: int
    done: int
    shortfall: tuple[K, ...]

    @property
    def value(self) -> float | None:
        return None if self.due == 0 else self.done / self.due

    @property
    def missed(self) -> int:
        """How many were due and not done: the length of the shortfall, also when only counted."""
        return self.due - self.done

    @property
    def percent(self) -> str:
        value = self.value
        return "—" if value is None else f"{value * 100:.1f}%"


def rate(obligations: Iterable[Obligation[K]], start: date, end: date) -> Rate[K]:
    """The rate over obligations due in [start, end]; the shortfall lists the unmet keys."""
    due = [o for o in obligations if start <= o.due <= end]
    missed = tuple(o.key for o in due if not o.met())
    return Rate(due=len(due), done=len(due) - len(missed), shortfall=missed)


def rate_to_date(obligations: Iterable[Obligation[K]], start: date, end: date, today: date) -> Rate[K]:
    """The rate over [start, end] as judged on ``today``: only obligations due before today.

    Once the period is over this is ``rate(obligations, start, end)``.
    """
    return rate(obligations, start, min(end, today - timedelta(days=1)))
