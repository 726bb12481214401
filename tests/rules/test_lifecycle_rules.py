"""The lifecycle table of supervised matters (ducha.rules.lifecycle), checked exhaustively."""

import pytest

from ducha.rules.lifecycle import TRANSITIONS, Actor, Status, TransitionError, actions_for, check_transition
from ducha.rules.traffic import Light, light


def test_every_transition_is_allowed_only_from_its_sources_and_for_its_actor():
    for action, t in TRANSITIONS.items():
        for status in Status:
            for actor in Actor:
                allowed = status in t.sources and actor == t.actor
                if allowed:
                    assert check_transition(action, status, actor, "理由").target == t.target
                else:
                    with pytest.raises(TransitionError):
                        check_transition(action, status, actor, "理由")


def test_closed_is_final():
    assert actions_for(Status.CLOSED, frozenset(Actor)) == []


def test_unknown_action_and_missing_reason():
    with pytest.raises(TransitionError, match="未知"):
        check_transition("delete", Status.DRAFT, Actor.SUPERVISOR)
    with pytest.raises(TransitionError, match="理由"):
        check_transition("claim", Status.IN_PROGRESS, Actor.LEAD_UNIT, "")


def test_actions_for_lead_unit_in_progress():
    assert [t.action for t in actions_for(Status.IN_PROGRESS, frozenset({Actor.LEAD_UNIT}))] == ["claim"]


@pytest.mark.parametrize("completed,left,elapsed,progress,expected", [
    (True, -5, 1.0, 0.0, Light.GREEN),
    (False, -1, 1.0, 0.9, Light.RED),
    (False, 0, 1.0, 0.9, Light.YELLOW),
    (False, 3, 0.5, 0.9, Light.YELLOW),
    (False, 30, 0.5, 0.4, Light.YELLOW),
    (False, 30, 0.5, 0.5, Light.GREEN),
])
def test_traffic_light(completed, left, elapsed, progress, expected):
    assert light(completed=completed, workdays_left=left, elapsed_share=elapsed, progress_share=progress) == expected
