"""Traffic-light status (红黄绿灯) of a supervised matter, as users know it from such systems.

red    overdue: past its deadline and not completed
yellow at risk: due within ``warn_workdays`` working days, or progress behind the share of
       working days elapsed ("time half, task half", S2.4)
green  on track

The calendar is passed in as the two numbers that matter (working days left, elapsed share)
so the rule stays a pure function of figures.
"""

from __future__ import annotations

from enum import StrEnum


class Light(StrEnum):
    GREEN = "green"
    YELLOW = "yellow"
    RED = "red"


def light(
    *, completed: bool, workdays_left: int, elapsed_share: float, progress_share: float, warn_workdays: int = 3
) -> Light:
    """``workdays_left``: working days from today to the deadline (negative or zero-and-past when overdue).

    A matter is overdue when ``workdays_left < 0``: the deadline is the end of its day, so on
    the due date itself (0 left) it is not yet late.
    """
    if completed:
        return Light.GREEN
    if workdays_left < 0:
        return Light.RED
    if workdays_left <= warn_workdays or progress_share + 1e-9 < elapsed_share:
        return Light.YELLOW
    return Light.GREEN
