"""`ducha worker` whose batches last: python -m tests.slow_worker SECONDS [worker options].

Each batch's transaction stays open SECONDS after its writes, so that a test can kill or stop a
worker inside one (S5.1: nothing lost, nothing doubled). The worker is otherwise the real one.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from typing import Any


def slow_batches(write_checks: Callable[..., Any], pause: float) -> Callable[..., Any]:
    """The scan's last write of a batch (the next check times), followed by a pause."""

    def slow(*args: Any, **kwargs: Any) -> Any:
        result = write_checks(*args, **kwargs)
        time.sleep(pause)
        return result

    return slow


def main() -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ducha.settings")
    django.setup()
    from django.core.management import execute_from_command_line

    from ducha.matters import schedule

    schedule.set_next_checks = slow_batches(schedule.set_next_checks, float(sys.argv[1]))
    execute_from_command_line(["ducha", "worker", *sys.argv[2:]])


if __name__ == "__main__":
    main()
