"""Reminders and escalation of a supervised matter (S5.1 "reminded when overdue, inaction
found early, tracked to accountability") and slow co-units (S1.4).

The ladder is data: each rung fires a number of working days before (negative) or after
(positive) the due date, reaches an audience, may colour the matter and may take an
action (a 催办单 from the supervision office, a proposal for accountability). An
administrator edits the rungs; ``DEFAULT_LADDER`` seeds them.

``evaluate`` is the whole decision for one matter on one day: which reminders are due
now and the next day the matter needs looking at. The engine stores that day and looks
at nothing else in between, so a million open matters cost nothing on a quiet day.

Catching up: when several rungs have passed since the matter was last looked at (a
matter registered late, a worker that was down), only the latest rung is sent. People
need "10 working days overdue, the mayor is informed", not also "due in 3 days".
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum
from typing import Any

from ducha.rules.words import say
from ducha.rules.workdays import UncoveredYear, WorkCalendar, elapsed_share


class Audience(StrEnum):
    LEAD_UNIT = "lead_unit"  # 牵头单位
    UNIT_IN_CHARGE = "unit_in_charge"  # 单位分管负责人
    VICE_MAYOR = "vice_mayor"  # 分管副市长
    SUPERVISION_OFFICE = "supervision_office"  # 督查室
    MAYOR = "mayor"  # 市长


class Action(StrEnum):
    NONE = ""
    URGE_NOTICE = "urge_notice"  # 督查室下发催办单
    ACCOUNTABILITY = "accountability"  # 提请问责


class Kind(StrEnum):
    DEADLINE = "deadline"  # 时限提醒 / 逾期督办
    INACTION = "inaction"  # 长期未报送进展
    BEHIND = "behind"  # 进度滞后于时间进度
    CO_UNIT = "co_unit"  # 配合单位滞后 (S1.4)


class LetterReason(StrEnum):
    OVERDUE = "overdue"  # 配合任务逾期
    NO_UPDATE = "no_update"  # 长期未更新进展


@dataclass(frozen=True)
class Rung:
    """One step of the ladder; ``offset`` in working days relative to the due date."""

    code: str
    offset: int
    audience: frozenset[Audience]
    light: str = ""  # "", "yellow" or "red"
    action: Action = Action.NONE
    urgent: bool = False  # urgent messages may be sent as SMS during quiet hours


DEFAULT_LADDER: tuple[Rung, ...] = (
    Rung("before_3", -3, frozenset({Audience.LEAD_UNIT}), "yellow"),
    Rung("due", 0, frozenset({Audience.LEAD_UNIT, Audience.UNIT_IN_CHARGE}), "yellow"),
    Rung("overdue_1", 1, frozenset({Audience.LEAD_UNIT, Audience.UNIT_IN_CHARGE, Audience.VICE_MAYOR}), "red"),
    Rung(
        "overdue_5", 5,
        frozenset({Audience.LEAD_UNIT, Audience.UNIT_IN_CHARGE, Audience.SUPERVISION_OFFICE}),
        "red", Action.URGE_NOTICE,
    ),
    Rung(
        "overdue_10", 10,
        frozenset({Audience.LEAD_UNIT, Audience.VICE_MAYOR, Audience.SUPERVISION_OFFICE, Audience.MAYOR}),
        "red", Action.ACCOUNTABILITY, urgent=True,
    ),
)


@dataclass(frozen=True)
class Policy:
    """The settings of detection that are not rungs of the ladder."""

    inaction_workdays: int = 10  # no progress update for this many working days (S5.1 inaction)
    co_unit_workdays: int = 10  # a co-unit without an update for this many working days is slow (S1.4)
    co_unit_overdue_workdays: int = 1  # a co-unit part this many working days past its due date is overdue
    behind_checkpoints: tuple[float, ...] = (0.25, 0.5, 0.75)  # shares of working time (S2.4 "time half")
    behind_audience: frozenset[Audience] = frozenset({Audience.LEAD_UNIT, Audience.UNIT_IN_CHARGE})
    inaction_audience: frozenset[Audience] = frozenset({Audience.LEAD_UNIT, Audience.UNIT_IN_CHARGE})

    def __post_init__(self) -> None:
        if self.inaction_workdays < 1 or self.co_unit_workdays < 1 or self.co_unit_overdue_workdays < 1:
            raise ValueError("inaction and co-unit periods must be at least 1 working day")
        if any(not 0.0 < c < 1.0 for c in self.behind_checkpoints):
            raise ValueError(f"behind checkpoints must lie strictly between 0 and 1: {self.behind_checkpoints}")


@dataclass(frozen=True)
class CoPartFacts:
    part_id: int
    due: date
    done: bool
    last_progress: date | None


@dataclass(frozen=True)
class MatterFacts:
    """What the rules need to know of a matter; ``running``: someone is expected to act on it."""

    start: date
    due: date | None
    running: bool
    last_progress: date | None
    progress: int  # percent
    co_parts: tuple[CoPartFacts, ...] = ()


@dataclass(frozen=True)
class DueReminder:
    """A reminder due now; (kind, stage, deadline) identifies it for its matter."""

    kind: Kind
    stage: str
    deadline: date
    audience: frozenset[Audience]
    light: str = ""
    action: Action = Action.NONE
    urgent: bool = False
    co_part_id: int | None = None
    letter_reason: LetterReason | None = None
    workdays: int = 0  # working days overdue, silent or behind, for the message


@dataclass(frozen=True)
class Evaluation:
    due_now: tuple[DueReminder, ...]
    next_check: date | None  # None: nothing will ever be due again unless the matter changes
    uncovered: bool = False  # some date fell in a year the calendar does not know
    notes: tuple[str, ...] = field(default=())


def validate_ladder(ladder: Sequence[Rung]) -> list[str]:
    """Problems with an administrator's ladder, each a sentence; empty when it is usable."""
    problems: list[str] = []
    codes = [r.code for r in ladder]
    if len(set(codes)) != len(codes):
        problems.append(say("ladder.duplicate_code"))
    offsets = [r.offset for r in ladder]
    if len(set(offsets)) != len(offsets):
        problems.append(say("ladder.same_day"))
    for r in ladder:
        if not r.audience:
            problems.append(say("ladder.nobody", rung=r.code))
        if not -60 <= r.offset <= 250:
            problems.append(say("ladder.offset", rung=r.code))
    return problems


def rung_date(cal: WorkCalendar, due: date, offset: int) -> date:
    """The working day a rung fires: on the due date itself the last working day on or
    before it (a Sunday deadline is reminded on Friday), otherwise ``offset`` working days
    before or after the due date."""
    if offset == 0:
        return cal.workday_on_or_before(due)
    return cal.add_workdays(due, offset)


def _silence(cal: WorkCalendar, last: date, period: int, today: date) -> tuple[date | None, date | None, int]:
    """Silence marks fall every ``period`` working days after ``last``: the latest mark on
    or before today (None when none has passed), the next one (None when the calendar does
    not reach it yet), and how many periods have passed."""
    if today <= last:
        return None, cal.add_workdays(last, period), 0
    k = cal.workdays_between(last, today) // period
    latest = cal.add_workdays(last, k * period) if k else None
    try:
        following: date | None = cal.add_workdays(last, (k + 1) * period)
    except UncoveredYear:
        following = None
    return latest, following, k


def checkpoint_date(cal: WorkCalendar, start: date, due: date, share: float) -> date:
    """The first working day on which the elapsed share of [start, due] reaches ``share``."""
    total = cal.workdays_in(start, due)
    needed = max(1, math.ceil(share * total - 1e-9))
    first = cal.next_workday_on_or_after(start)
    return first if needed == 1 else cal.add_workdays(first, needed - 1)


def _earliest(a: date | None, b: date | None) -> date | None:
    if a is None:
        return b
    if b is None:
        return a
    return min(a, b)


def _deadline_stage(facts: MatterFacts, today: date, cal: WorkCalendar, ladder: Sequence[Rung],
                    memo: dict[Any, Any] | None) -> tuple[DueReminder | None, date | None, bool]:
    """The latest rung passed, the next rung's date, and whether a rung fell in an unknown year
    (a deadline late in December: the overdue rungs wait for next year's calendar)."""
    assert facts.due is not None
    fired: Rung | None = None
    upcoming: date | None = None
    uncovered = False
    key = ("rungs", facts.due)
    dates: list[tuple[Rung, date | None]] | None = memo.get(key) if memo is not None else None
    if dates is None:
        dates = []
        for rung in sorted(ladder, key=lambda r: r.offset):
            try:
                dates.append((rung, rung_date(cal, facts.due, rung.offset)))
            except UncoveredYear:
                dates.append((rung, None))
        if memo is not None:
            memo[key] = dates
    for rung, when in dates:
        if when is None:
            uncovered = True
            continue
        if when <= today:
            fired = rung
        elif upcoming is None or when < upcoming:
            upcoming = when
    if fired is None:
        return None, upcoming, uncovered
    late = cal.workdays_between(facts.due, today) if today > facts.due else 0
    return DueReminder(
        Kind.DEADLINE, fired.code, facts.due, fired.audience, fired.light, fired.action, fired.urgent,
        workdays=late,
    ), upcoming, uncovered


def _behind_stage(facts: MatterFacts, today: date, cal: WorkCalendar, policy: Policy,
                  memo: dict[Any, Any] | None) -> tuple[DueReminder | None, date | None]:
    """S2.4 applied to every matter: at each checkpoint of working time, progress must have
    kept up. Only the latest checkpoint passed is judged, so a late look does not send
    stale warnings; after the due date the deadline ladder speaks instead."""
    assert facts.due is not None
    if facts.due <= facts.start or today > facts.due:
        return None, None
    passed: float | None = None
    upcoming: date | None = None
    key = ("checkpoints", facts.start, facts.due)
    marks: list[tuple[float, date]] | None = memo.get(key) if memo is not None else None
    if marks is None:
        marks = [] if cal.workdays_in(facts.start, facts.due) < 2 else [
            (c, checkpoint_date(cal, facts.start, facts.due, c)) for c in sorted(policy.behind_checkpoints)]
        if memo is not None:
            memo[key] = marks
    for c, when in marks:
        if when <= today:
            passed = c
        elif upcoming is None:
            upcoming = when
    if passed is None:
        return None, upcoming
    share = elapsed_share(cal, facts.start, facts.due, today)
    if facts.progress / 100.0 + 1e-9 >= share:
        return None, upcoming
    return DueReminder(
        Kind.BEHIND, f"behind_{round(passed * 100)}", facts.due, policy.behind_audience, "yellow",
        workdays=round(share * 100) - facts.progress,
    ), upcoming


def evaluate(facts: MatterFacts, today: date, cal: WorkCalendar,
             ladder: Sequence[Rung] = DEFAULT_LADDER, policy: Policy | None = None,
             memo: dict[Any, Any] | None = None) -> Evaluation:
    """The reminders due for a matter today and the next date it needs looking at.

    Pure: the same facts, day, calendar and ladder give the same answer, so running it
    twice (two workers, a retried batch) can only produce the same reminders, which the
    database's unique key then stores once. ``memo``: a dict the caller owns for one
    calendar, ladder and policy (one scan pass); rung and checkpoint dates shared by many
    matters are computed once.
    """
    policy = policy or Policy()
    if not facts.running:
        return Evaluation((), None)
    due_now: list[DueReminder] = []
    next_check: date | None = None
    uncovered = False
    notes: list[str] = []

    if facts.due is not None:
        try:
            hit, upcoming, missing = _deadline_stage(facts, today, cal, ladder, memo)
            uncovered = uncovered or missing
            if hit:
                due_now.append(hit)
            next_check = _earliest(next_check, upcoming)
        except UncoveredYear as e:
            uncovered = True
            notes.append(str(e))
        try:
            hit, upcoming = _behind_stage(facts, today, cal, policy, memo)
            if hit:
                due_now.append(hit)
            next_check = _earliest(next_check, upcoming)
        except UncoveredYear as e:
            uncovered = True
            notes.append(str(e))

    try:
        last = facts.last_progress or facts.start
        latest, following, k = _silence(cal, max(last, facts.start), policy.inaction_workdays, today)
        uncovered = uncovered or following is None
        if latest is not None:
            due_now.append(DueReminder(
                Kind.INACTION, "no_update", latest, policy.inaction_audience, "yellow",
                workdays=k * policy.inaction_workdays,
            ))
        next_check = _earliest(next_check, following)
    except UncoveredYear as e:
        uncovered = True
        notes.append(str(e))

    for part in facts.co_parts:
        if part.done:
            continue
        try:
            overdue_on = cal.add_workdays(part.due, policy.co_unit_overdue_workdays)
            if overdue_on <= today:
                due_now.append(DueReminder(
                    Kind.CO_UNIT, f"{LetterReason.OVERDUE}@{part.part_id}", part.due,
                    frozenset({Audience.LEAD_UNIT}), "red", co_part_id=part.part_id,
                    letter_reason=LetterReason.OVERDUE, workdays=cal.workdays_between(part.due, today),
                ))
            else:
                next_check = _earliest(next_check, overdue_on)
            last = max(part.last_progress or facts.start, facts.start)
            latest, following, k = _silence(cal, last, policy.co_unit_workdays, today)
            uncovered = uncovered or following is None
            if latest is not None:
                due_now.append(DueReminder(
                    Kind.CO_UNIT, f"{LetterReason.NO_UPDATE}@{part.part_id}", latest,
                    frozenset({Audience.LEAD_UNIT}), "yellow", co_part_id=part.part_id,
                    letter_reason=LetterReason.NO_UPDATE, workdays=k * policy.co_unit_workdays,
                ))
            next_check = _earliest(next_check, following)
        except UncoveredYear as e:
            uncovered = True
            notes.append(str(e))

    if uncovered:
        # The calendar import reschedules every matter; looking again tomorrow is the
        # safety net if it does not.
        next_check = _earliest(next_check, today + timedelta(days=1))
    if next_check is not None and next_check <= today:
        next_check = today + timedelta(days=1)
    return Evaluation(tuple(due_now), next_check, uncovered, tuple(notes))
