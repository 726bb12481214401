"""The worker's loop runs the periodic passes that apps above the reminders register (approval
supervision, say), in rank order; a pass that fails is logged and the others still run."""

from __future__ import annotations

import pytest

from ducha.reminders import passes


@pytest.fixture
def registry(monkeypatch):
    monkeypatch.setattr(passes, "_passes", {})
    return passes


def test_passes_run_in_rank_order_and_a_failure_does_not_stop_the_others(registry, caplog):
    ran: list[str] = []

    def ok(name):
        def run(should_stop):
            ran.append(name)
            return {"done": len(ran)}
        return run

    def broken(should_stop):
        ran.append("broken")
        raise RuntimeError("boom")

    registry.register("late", ok("late"), rank=30)
    registry.register("broken", broken, rank=20)
    registry.register("early", ok("early"), rank=10)
    figures = registry.run_all(lambda: False)
    assert ran == ["early", "broken", "late"]
    assert figures == {"early_done": 1, "broken_failed": 1, "late_done": 3}
    assert "periodic pass broken failed" in caplog.text


def test_a_stop_request_ends_the_round_before_the_next_pass(registry):
    ran: list[str] = []
    stop = {"now": False}

    def first(should_stop):
        ran.append("first")
        stop["now"] = True
        return {}

    registry.register("first", first, rank=1)
    registry.register("second", lambda s: ran.append("second") or {}, rank=2)
    registry.run_all(lambda: stop["now"])
    assert ran == ["first"]
