"""What follows a change of the working-day calendar, in the apps above the calendar.

Importing or correcting a year's holiday notice changes the working days that matters'
deadlines and time nodes, and the reminders' next checks, are counted on. The calendar sits
on the ground floor and cannot import those apps, so each of them registers a follower in its
``AppConfig.ready()``; the import action calls every follower, in the order of their rank,
inside its own transaction (a follower that fails rolls the import back). It is an explicit
list, not a Django signal: ``followers()`` shows what runs, and a test checks that the
matters and the reminders are on it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any


@dataclass(frozen=True)
class CalendarChange:
    """A year imported or corrected: who did it, which year, the reason each moved date
    records, and the recomputed S1.13 deadlines (deadline id → its due date before)."""

    actor: Any
    year: int
    reason: str
    old_dues: dict[int, date | None]


Follower = Callable[[CalendarChange], object]
_followers: dict[str, tuple[int, Follower]] = {}


def register(name: str, follower: Follower, *, rank: int) -> None:
    """Adds (or replaces, for a reloaded app) the follower called ``name``; lower ranks run first."""
    _followers[name] = (rank, follower)


def followers() -> list[str]:
    return [name for name, _f in sorted(_followers.items(), key=lambda item: item[1][0])]


def follow(change: CalendarChange) -> None:
    for name in followers():
        _followers[name][1](change)
