"""S2.4: how 6月查账 and 9月对账 judge a matter -- as of their cut-off day, not the run day.

The June check ("time half, task half", 时间过半、任务过半) judges each matter's progress
*as recorded up to its cut-off* (30 June by default) against the working time elapsed *at
the cut-off*; the September reconciliation likewise at 30 September. A phase run late
therefore judges the same facts and flags the same matters as one run on time: a matter
that started, was assigned, was closed or reported more progress after the cut-off looks
as it did on the cut-off day. A phase run before its cut-off judges as of its run day (no
later fact exists yet).

The seed's September words are "对未按时间节点和标准要求推进工作的地方和部门，下发《督查通知》":
there a matter is also behind when one of its time nodes (时间节点, S2.3) fell due by the
cut-off and was not done by then. Each flag carries the reasons that apply, as codes the
app turns into words, so a notice can say which of the two it is.

The caller reconstructs every matter as it stood at the end of the as-of day
(``MatterAtCutoff``); this module decides.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Literal

from ducha.rules.ledger import behind_schedule, judged_in_check
from ducha.rules.workdays import UncoveredYear, WorkCalendar, elapsed_share

__all__ = [
    "FLAG_REASONS",
    "FlagReason",
    "Judgement",
    "MatterAtCutoff",
    "MonthDay",
    "SkipReason",
    "TimeNode",
    "judge",
    "judged_as_of",
    "missed_time_nodes",
    "parse_month_day",
]

FlagReason = Literal["behind_share", "missed_milestone"]
FLAG_REASONS: tuple[FlagReason, ...] = ("behind_share", "missed_milestone")

# not_running: not being worked on at the cut-off (a draft, not yet in the system, claimed,
# closed or suspended); it is left out quietly. The other reasons are listed as "not judged".
SkipReason = Literal["not_running", "started_after_cutoff", "no_due_date", "uncovered_year"]


@dataclass(frozen=True, order=True)
class MonthDay:
    """A day of the year without the year, such as the June check's cut-off 06-30."""

    month: int
    day: int

    def __post_init__(self) -> None:
        # 2001 is not a leap year: 29 February would not exist in three years of four.
        date(2001, self.month, self.day)

    def in_year(self, year: int) -> date:
        return date(year, self.month, self.day)

    def __str__(self) -> str:
        return f"{self.month:02d}-{self.day:02d}"


def parse_month_day(text: str) -> MonthDay:
    """``"06-30"`` -> MonthDay(6, 30); anything else raises ValueError naming the text."""
    m = re.fullmatch(r"\s*(\d{1,2})-(\d{1,2})\s*", text)
    if not m:
        raise ValueError(f"{text!r} is not a month and day written MM-DD, such as 06-30")
    try:
        return MonthDay(int(m.group(1)), int(m.group(2)))
    except ValueError:
        raise ValueError(f"{text!r} is not a day of every year (MM-DD; 02-29 is not allowed)") from None


def judged_as_of(cutoff: date, today: date) -> date:
    """The day a check judges: its cut-off, or the run day when it runs before the cut-off."""
    return min(cutoff, today)


@dataclass(frozen=True)
class TimeNode:
    """A matter's time node (时间节点, S2.3): when it is due and when it was done, if it was."""

    title: str
    due: date
    done_on: date | None = None


@dataclass(frozen=True)
class MatterAtCutoff:
    """A matter as it stood at the end of the as-of day.

    ``status`` is its lifecycle status then (None: it was not in the system yet); ``due``
    its deadline then; ``progress`` the percentage recorded up to then (0 when nothing was).
    """

    matter_id: int
    status: str | None
    start: date
    due: date | None
    progress: int
    time_nodes: tuple[TimeNode, ...] = ()


@dataclass(frozen=True)
class Judgement:
    matter_id: int
    as_of: date
    progress: int
    elapsed: float | None = None  # share of working time elapsed at ``as_of``; None when not judged
    reasons: tuple[FlagReason, ...] = ()
    missed: tuple[TimeNode, ...] = ()  # the time nodes behind a "missed_milestone" reason
    skipped: SkipReason | None = None
    uncovered_year: int | None = None  # for "uncovered_year": the year the calendar lacks

    @property
    def judged(self) -> bool:
        return self.skipped is None

    @property
    def flagged(self) -> bool:
        return bool(self.reasons)


def missed_time_nodes(nodes: tuple[TimeNode, ...], as_of: date) -> tuple[TimeNode, ...]:
    """The time nodes due on or before ``as_of`` and not done by the end of that day.

    A node done late but before the cut-off is done: the seed asks whether work advanced by
    its time nodes, and a late node is the reminder ladder's business, not the notice's.
    """
    return tuple(n for n in sorted(nodes, key=lambda n: (n.due, n.title))
                 if n.due <= as_of and (n.done_on is None or n.done_on > as_of))


def judge(cal: WorkCalendar, m: MatterAtCutoff, as_of: date, *, count_time_nodes: bool) -> Judgement:
    """Judge one matter as of ``as_of`` (see ``judged_as_of``).

    June (``count_time_nodes=False``): behind when progress < elapsed share. September
    (``count_time_nodes=True``): behind when progress < elapsed share **or** a time node
    was missed; both reasons are returned when both apply.
    """
    if m.status is None or not judged_in_check(m.status):
        return Judgement(m.matter_id, as_of, m.progress, skipped="not_running")
    if m.start > as_of:
        return Judgement(m.matter_id, as_of, m.progress, skipped="started_after_cutoff")
    if m.due is None:
        return Judgement(m.matter_id, as_of, m.progress, skipped="no_due_date")
    try:
        share = elapsed_share(cal, m.start, m.due, as_of)
    except UncoveredYear as e:
        return Judgement(m.matter_id, as_of, m.progress, skipped="uncovered_year", uncovered_year=e.year)
    reasons: list[FlagReason] = []
    if behind_schedule(m.progress / 100, share):
        reasons.append("behind_share")
    missed = missed_time_nodes(m.time_nodes, as_of) if count_time_nodes else ()
    if missed:
        reasons.append("missed_milestone")
    return Judgement(m.matter_id, as_of, m.progress, share, tuple(reasons), missed)
