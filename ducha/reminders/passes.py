"""Periodic passes of the apps above the reminders, run by the same loop (``ducha worker``).

An app higher up (approval supervision, say) registers its pass in ``AppConfig.ready()``; the
loop calls each after its own scan, in rank order. A pass is a claim loop of its own: it claims
rows with a guarded update or ``SKIP LOCKED``, does a bounded batch and returns its figures, so
any number of workers may run it at once. A pass that raises is logged and the others still run.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

log = logging.getLogger("ducha.reminders")

PassFn = Callable[[Callable[[], bool]], dict[str, int]]


@dataclass(frozen=True)
class _Pass:
    name: str
    rank: int
    run: PassFn


_passes: dict[str, _Pass] = {}


def register(name: str, run: PassFn, *, rank: int) -> None:
    """``run(should_stop)`` does one bounded batch and returns its figures by name."""
    _passes[name] = _Pass(name, rank, run)


def run_all(should_stop: Callable[[], bool]) -> dict[str, int]:
    figures: dict[str, int] = {}
    for p in sorted(_passes.values(), key=lambda p: (p.rank, p.name)):
        if should_stop():
            break
        try:
            for key, value in p.run(should_stop).items():
                figures[f"{p.name}_{key}"] = value
        except Exception:
            log.exception("periodic pass %s failed", p.name)
            figures[f"{p.name}_failed"] = 1
    return figures
