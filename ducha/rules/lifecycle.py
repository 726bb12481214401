"""The lifecycle of a supervised matter (督办事项) as a transition table (S2.6, S5.1).

A matter is drafted and assigned by the supervision office, worked on by its lead unit,
claimed complete by the lead unit and verified and closed (销号) by the supervision office,
which may instead return it for rework. The office may suspend and resume it. Extension
requests (延期申请) do not change the status; they change the deadline when approved.

The table is data so that the Django side applies it with one guarded UPDATE
(``filter(id=…, status=from).update(status=to)``) and the pages can show exactly the
actions a person may take.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Status(StrEnum):
    DRAFT = "draft"  # 草稿
    ASSIGNED = "assigned"  # 已交办
    IN_PROGRESS = "in_progress"  # 办理中
    CLAIMED = "claimed"  # 申请销号
    CLOSED = "closed"  # 已销号
    SUSPENDED = "suspended"  # 已暂停


class Actor(StrEnum):
    """Who may take a step: the supervision office, or the matter's lead unit."""

    SUPERVISOR = "supervisor"
    LEAD_UNIT = "lead_unit"


OPEN_STATUSES = frozenset({Status.ASSIGNED, Status.IN_PROGRESS, Status.CLAIMED})
# A matter counts against its deadline only while someone is expected to act on it.
RUNNING_STATUSES = frozenset({Status.ASSIGNED, Status.IN_PROGRESS})


@dataclass(frozen=True)
class Transition:
    action: str
    sources: frozenset[Status]
    target: Status
    actor: Actor
    needs_reason: bool
    label_zh: str


TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in [
        Transition("assign", frozenset({Status.DRAFT}), Status.ASSIGNED, Actor.SUPERVISOR, False, "交办"),
        Transition("start", frozenset({Status.ASSIGNED}), Status.IN_PROGRESS, Actor.LEAD_UNIT, False, "签收办理"),
        Transition(
            "claim", frozenset({Status.ASSIGNED, Status.IN_PROGRESS}), Status.CLAIMED, Actor.LEAD_UNIT, True,
            "申请销号",
        ),
        Transition("close", frozenset({Status.CLAIMED}), Status.CLOSED, Actor.SUPERVISOR, False, "审核销号"),
        Transition("return", frozenset({Status.CLAIMED}), Status.IN_PROGRESS, Actor.SUPERVISOR, True, "退回整改"),
        Transition(
            "suspend", frozenset({Status.ASSIGNED, Status.IN_PROGRESS}), Status.SUSPENDED, Actor.SUPERVISOR, True,
            "暂停",
        ),
        Transition("resume", frozenset({Status.SUSPENDED}), Status.IN_PROGRESS, Actor.SUPERVISOR, True, "恢复办理"),
    ]
}


class TransitionError(ValueError):
    """A step that the table does not allow; the message says why, in Chinese and English."""


def check_transition(action: str, current: Status, actor: Actor, reason: str = "") -> Transition:
    """The transition for ``action`` if ``actor`` may take it from ``current``; else TransitionError."""
    transition = TRANSITIONS.get(action)
    if transition is None:
        raise TransitionError(f"未知操作 {action!r} (unknown action)")
    if actor != transition.actor:
        raise TransitionError(f"无权执行“{transition.label_zh}” (not allowed for {actor.value})")
    if current not in transition.sources:
        raise TransitionError(
            f"事项当前状态为 {current.value}，不能“{transition.label_zh}” (cannot {action} from {current.value})"
        )
    if transition.needs_reason and not reason.strip():
        raise TransitionError(f"“{transition.label_zh}”须填写理由 (a reason is required)")
    return transition


def actions_for(current: Status, actors: frozenset[Actor]) -> list[Transition]:
    """The steps a person holding ``actors`` may take now, in table order (for the pages)."""
    return [t for t in TRANSITIONS.values() if current in t.sources and t.actor in actors]
