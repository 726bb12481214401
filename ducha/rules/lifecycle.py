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

from ducha.rules.words import RuleError


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
# The same as stored values, for queries (``status__in=RUNNING``) and membership tests.
RUNNING: tuple[str, ...] = tuple(sorted(s.value for s in RUNNING_STATUSES))


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


class TransitionError(RuleError):
    """A step that the table does not allow; ``code`` says why (``ducha.rules.words``)."""


def check_transition(action: str, current: Status, actor: Actor, reason: str = "") -> Transition:
    """The transition for ``action`` if ``actor`` may take it from ``current``; else TransitionError."""
    transition = TRANSITIONS.get(action)
    if transition is None:
        raise TransitionError("transition.unknown", action=action)
    if actor != transition.actor:
        raise TransitionError("transition.not_allowed", action=action, actor=actor.value)
    if current not in transition.sources:
        raise TransitionError("transition.wrong_status", action=action, status=current.value)
    if transition.needs_reason and not reason.strip():
        raise TransitionError("transition.reason_required", action=action)
    return transition


FULL_PROGRESS = 100


def claim_needs_explanation(action: str, progress: int) -> bool:
    """A completion claim (申请销号) below 100 % progress must say why the matter is done anyway:
    the verifying office reads that before it closes the matter (S2.6)."""
    return action == "claim" and progress < FULL_PROGRESS


def actions_for(current: Status, actors: frozenset[Actor]) -> list[Transition]:
    """The steps a person holding ``actors`` may take now, in table order (for the pages)."""
    return [t for t in TRANSITIONS.values() if current in t.sources and t.actor in actors]
