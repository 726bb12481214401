"""Administrative approval's clocks and structure (S3.1–S3.5), from 《中华人民共和国行政许可法》.

Every period here is counted in working days on the calendar (art. 82: 工作日, not counting
法定节假日), and an event on a day starts its count the next working day (民法典 art. 201, as
``WorkCalendar.add_workdays`` does):

- **the materials check** (art. 32): within five working days of receipt the organ either
  accepts (受理) or gives one notice (一次性告知) of everything missing. With no notice in time the
  application is **accepted as of the day of receipt**;
- **the decision clock** (art. 42) starts the working day after 受理: 20 working days by law
  unless another law sets a limit (an item's statutory limit), +10 with the organ head's
  approval; joint handling (统一/联合/集中办理) 45, +15 with the same-level government's approval;
- **excluded periods** (art. 45): 听证、招标、拍卖、检验、检测、检疫、鉴定、专家评审 do not count, once
  the applicant is told in writing. A pause noticed on day P and ended on day R takes the working
  days in (P, R] out of the clock: day P was worked, and the clock runs again after R.

Also: a flow's committed time (the critical path of its steps: steps sharing an order run in
parallel) and the catalogue's rule that no items may require each other, directly or through a
chain (S3.2), which names the whole cycle.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal

from ducha.rules.workdays import WorkCalendar

__all__ = [
    "CHECK_WORKDAYS",
    "EXTENSION_WORKDAYS",
    "JOINT_EXTENSION_WORKDAYS",
    "JOINT_LIMIT_WORKDAYS",
    "Card",
    "Clock",
    "FlowStepSpec",
    "Pause",
    "card_for",
    "check_deadline",
    "critical_path",
    "decision_clock",
    "deemed_accepted_on",
    "find_cycle",
    "paused_workdays",
]

CHECK_WORKDAYS = 5  # art. 32: "当场或者在五日内一次告知"
STATUTORY_WORKDAYS = 20  # art. 42 ¶1
EXTENSION_WORKDAYS = 10  # art. 42 ¶1
JOINT_LIMIT_WORKDAYS = 45  # art. 42 ¶2
JOINT_EXTENSION_WORKDAYS = 15  # art. 42 ¶2

Card = Literal["green", "yellow", "red"]


# -- the materials check (art. 32) -----------------------------------------------------


def check_deadline(cal: WorkCalendar, received: date, workdays: int = CHECK_WORKDAYS) -> date:
    """The last day on which a one-time notice (or 受理) may be given for materials received on
    ``received``: the fifth working day after it."""
    return cal.add_workdays(received, workdays)


def deemed_accepted_on(cal: WorkCalendar, received: date, today: date,
                       workdays: int = CHECK_WORKDAYS) -> date | None:
    """Art. 32: when the check's last day has passed with neither a notice nor an acceptance,
    the application is accepted as of the day of receipt. None while there is still time."""
    return received if today > check_deadline(cal, received, workdays) else None


# -- the decision clock (arts. 42 and 45) ----------------------------------------------


@dataclass(frozen=True)
class Pause:
    """An excluded period (art. 45): noticed in writing on ``start``, ended on ``end`` (None while
    it runs)."""

    start: date
    end: date | None = None


def paused_workdays(cal: WorkCalendar, pauses: Iterable[Pause], today: date) -> int:
    """Working days taken out of the clock: those in (start, end] of each pause, a running pause
    counted to ``today``. Overlapping pauses count a day once."""
    days: set[date] = set()
    for p in pauses:
        end = p.end if p.end is not None else today
        d = p.start
        while True:
            d = cal.add_workdays(d, 1)
            if d > end:
                break
            days.add(d)
    return len(days)


@dataclass(frozen=True)
class Clock:
    """Where an application's decision clock stands on ``today``."""

    accepted: date
    limit: int  # working days allowed: the limit plus any extension
    extension: int
    paused: int  # working days excluded so far (art. 45)
    running_pause: bool
    used: int  # working days counted so far (never above what has elapsed)
    left: int  # limit - used; negative when overdue
    due: date | None  # None while a pause runs: the due day depends on when it ends

    @property
    def overdue(self) -> bool:
        return self.left < 0

    def as_dict(self) -> dict[str, object]:
        return {
            "accepted": self.accepted.isoformat(), "limit": self.limit, "extension": self.extension,
            "paused": self.paused, "running_pause": self.running_pause, "used": self.used,
            "left": self.left, "due": self.due.isoformat() if self.due else None,
        }


def decision_clock(cal: WorkCalendar, *, accepted: date, limit: int, today: date,
                   pauses: Sequence[Pause] = (), extension: int = 0,
                   stopped: date | None = None) -> Clock:
    """The decision clock of an application accepted on ``accepted`` with ``limit`` working days
    (the item's limit; ``extension`` added once approved), read on ``today`` — or on ``stopped``,
    the day of the decision, after which nothing more is counted.

    The due day is the (limit + extension + paused)-th working day after acceptance; it is
    unknown while a pause runs."""
    if limit < 0 or extension < 0:
        raise ValueError("limit and extension are whole numbers of working days")
    as_of = min(today, stopped) if stopped else today
    as_of = max(as_of, accepted)
    paused = paused_workdays(cal, [p for p in pauses if p.start <= as_of], as_of)
    running = any(p.end is None and p.start <= as_of for p in pauses) and stopped is None
    total = limit + extension
    used = cal.workdays_between(accepted, as_of) - paused
    due = None if running else cal.add_workdays(accepted, total + paused) if total + paused > 0 else accepted
    return Clock(accepted=accepted, limit=total, extension=extension, paused=paused,
                 running_pause=running, used=used, left=total - used, due=due)


def card_for(limit: int, used: int, yellow_share: float) -> Card:
    """Electronic supervision (电子监察): a yellow card once ``used`` reaches ``yellow_share`` of the
    limit (rounded up, at least one day), a red card once it is past the limit."""
    if not 0 < yellow_share <= 1:
        raise ValueError("yellow_share is a share of the limit, above 0 and at most 1")
    if used > limit:
        return "red"
    threshold = max(1, -(-int(limit * 1000 * yellow_share) // 1000))
    return "yellow" if used >= threshold else "green"


# -- flows and prerequisites (S3.2) -----------------------------------------------------


@dataclass(frozen=True)
class FlowStepSpec:
    order: int  # steps sharing an order run in parallel
    key: str  # names the step in messages: its department, say
    limit: int  # working days


def critical_path(steps: Sequence[FlowStepSpec]) -> tuple[int, list[FlowStepSpec]]:
    """A flow's committed time and the steps that make it: per order, its longest step, in order.

    Steps of one order run in parallel, orders one after another, so the time is the sum of each
    order's longest limit. Ties pick the first step given."""
    by_order: dict[int, FlowStepSpec] = {}
    for s in steps:
        if s.limit < 0:
            raise ValueError(f"step {s.key}: a limit is a whole number of working days")
        best = by_order.get(s.order)
        if best is None or s.limit > best.limit:
            by_order[s.order] = s
    path = [by_order[o] for o in sorted(by_order)]
    return sum(s.limit for s in path), path


def find_cycle(requires: Mapping[str, Iterable[str]]) -> list[str] | None:
    """A chain of prerequisites that comes back to its start, as ``[A, B, C, A]`` (A requires B,
    B requires C, C requires A), or None. Iterative, so thousands of items in a chain do not
    exhaust the stack; the nodes are visited in sorted order so the answer is stable."""
    graph = {k: sorted(set(v)) for k, v in requires.items()}
    white, grey, black = 0, 1, 2
    colour: dict[str, int] = {}
    for root in sorted(graph):
        if colour.get(root, white) != white:
            continue
        colour[root] = grey
        path = [root]
        stack = [iter(graph.get(root, ()))]
        while stack:
            nxt = next(stack[-1], None)
            if nxt is None:
                stack.pop()
                colour[path.pop()] = black
                continue
            state = colour.get(nxt, white)
            if state == grey:
                return [*path[path.index(nxt):], nxt]
            if state == white:
                colour[nxt] = grey
                path.append(nxt)
                stack.append(iter(graph.get(nxt, ())))
    return None
