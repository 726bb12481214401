"""Benchmark of the working-day calendar (ducha.rules.workdays) -- no Django needed.

    .venv/bin/python bench/workdays.py

Why it matters: after an administrator edits the holiday calendar, every open
deadline (S1.13 requests, S1.2 report windows, S2.3 milestones) is recomputed in
bulk.  The targets: at most 2 µs per add_workdays / workdays_between call, at least
100x faster than walking day by day with chinese_calendar.is_workday, and 1,000,000
deadlines in at most 2 s of CPU.  Each figure is the best of 3 runs because the
machine is shared; the script exits 1 when a target is missed.
"""

from __future__ import annotations

import os
import platform
import random
import sys
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout, not installed

import chinese_calendar
from chinese_calendar import constants

from ducha.rules.workdays import WorkCalendar

CALLS = 200_000
BASELINE_CALLS = 5_000
DEADLINES = 1_000_000
REPEAT = 3
FIRST, LAST_START = date(2004, 1, 1), date(2026, 10, 31)  # + 20 working days stays in 2026
ONE_DAY = timedelta(days=1)


def baseline_add(start: date, n: int) -> date:
    """The naive way: step one day at a time asking chinese_calendar (start excluded)."""
    day = start
    while n:
        day += ONE_DAY
        n -= chinese_calendar.is_workday(day)
    return day


def baseline_between(a: date, b: date) -> int:
    count, day = 0, a
    while day < b:
        day += ONE_DAY
        count += chinese_calendar.is_workday(day)
    return count


def best_of(run: Callable[[], None], clock: Callable[[], float] = time.perf_counter) -> float:
    best = float("inf")
    for _ in range(REPEAT):
        t0 = clock()
        run()
        best = min(best, clock() - t0)
    return best


def main() -> int:
    rng = random.Random(20260101)
    span = (LAST_START - FIRST).days
    t0 = time.perf_counter()
    cal = WorkCalendar.build(range(2004, 2027), constants.holidays, constants.workdays)
    build_ms = (time.perf_counter() - t0) * 1000

    add_pairs = [(FIRST + timedelta(days=rng.randrange(span)), rng.randint(1, 20)) for _ in range(CALLS)]
    between_pairs = [(d, d + timedelta(days=rng.randint(0, 28))) for d, _ in add_pairs]
    add, between = cal.add_workdays, cal.workdays_between

    # Same answers as the naive loop, or the speed means nothing.
    for d, n in add_pairs[:BASELINE_CALLS]:
        assert add(d, n) == baseline_add(d, n), (d, n)
    for a, b in between_pairs[:BASELINE_CALLS]:
        assert between(a, b) == baseline_between(a, b), (a, b)

    def run_add() -> None:
        for d, n in add_pairs:
            add(d, n)

    def run_between() -> None:
        for a, b in between_pairs:
            between(a, b)

    def run_baseline_add() -> None:
        for d, n in add_pairs[:BASELINE_CALLS]:
            baseline_add(d, n)

    def run_fast_loop_add() -> None:
        # Fairer second baseline: the same day loop over a fast lookup (our own is_workday),
        # showing what the precomputed index buys beyond chinese_calendar's per-call cost.
        is_workday = cal.is_workday
        for d, n in add_pairs[:BASELINE_CALLS]:
            day = d
            while n:
                day += ONE_DAY
                n -= is_workday(day)

    def run_baseline_between() -> None:
        for a, b in between_pairs[:BASELINE_CALLS]:
            baseline_between(a, b)

    add_us = best_of(run_add) / CALLS * 1e6
    between_us = best_of(run_between) / CALLS * 1e6
    base_add_us = best_of(run_baseline_add) / BASELINE_CALLS * 1e6
    base_between_us = best_of(run_baseline_between) / BASELINE_CALLS * 1e6
    fast_loop_us = best_of(run_fast_loop_add) / BASELINE_CALLS * 1e6

    deadlines = [(FIRST + timedelta(days=rng.randrange(span)), rng.randint(1, 20)) for _ in range(DEADLINES)]

    def run_deadlines() -> None:
        for d, n in deadlines:
            add(d, n)

    deadlines_cpu = best_of(run_deadlines, time.process_time)

    rows = [
        ("add_workdays, per call", f"{add_us:.2f} µs", "≤ 2 µs", add_us <= 2),
        ("workdays_between, per call", f"{between_us:.2f} µs", "≤ 2 µs", between_us <= 2),
        ("baseline add (day-by-day is_workday), per call", f"{base_add_us:.2f} µs", "--", None),
        ("baseline between (day-by-day is_workday), per call", f"{base_between_us:.2f} µs", "--", None),
        ("day-by-day loop over WorkCalendar.is_workday, per add", f"{fast_loop_us:.2f} µs", "--", None),
        ("speed-up add vs baseline", f"{base_add_us / add_us:.0f}×", "≥ 100×", base_add_us / add_us >= 100),
        (
            "speed-up between vs baseline",
            f"{base_between_us / between_us:.0f}×",
            "≥ 100×",
            base_between_us / between_us >= 100,
        ),
        ("1,000,000 deadlines (add_workdays), CPU", f"{deadlines_cpu:.2f} s", "≤ 2 s", deadlines_cpu <= 2),
        ("WorkCalendar.build 2004–2026 (once)", f"{build_ms:.0f} ms", "--", None),
    ]
    print(f"# Working-day calendar benchmark, {datetime.now():%Y-%m-%d %H:%M}")
    print(
        f"Python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} CPUs; "
        f"best of {REPEAT}; {CALLS:,} random calls, baseline {BASELINE_CALLS:,}; n = 1..20 working days"
    )
    print()
    print("| Measure | Result | Target | Pass |")
    print("|---|---|---|---|")
    for name, result, target, ok in rows:
        verdict = "" if ok is None else ("pass" if ok else "FAIL")
        print(f"| {name} | {result} | {target} | {verdict} |")
    return 0 if all(ok is not False for *_, ok in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
