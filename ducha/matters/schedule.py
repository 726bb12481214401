"""When the reminder engine next looks at a matter (S5.1): the matters app writes the schedule,
the engine and the actions that move a date ask for it.

The schedule is ``MatterCheck.next_check_at`` (a narrow row of its own) and the flag
``Matter.check_scheduled`` (docs/decisions/0002). Only this module writes them. The engine
claims the due rows itself, in its own transaction (``reminders.engine.claim_queryset``),
and hands back what it decided through ``set_next_checks``, inside that transaction.
The PostgreSQL statements take whole arrays (``ducha.bulk``): a pass writes 10,000 check
times in one statement (bench/scan.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db import connection, transaction
from django.db.models import QuerySet

from ducha.bulk import array_literal, execute_arrays, filter_ids
from ducha.matters.models import Matter, MatterCheck
from ducha.rules.lifecycle import RUNNING


def look_at(matter_ids: Iterable[int], at: datetime) -> None:
    """Look at these matters at ``at`` (now: on the engine's next pass), whatever time they
    held: after a deadline, status or co-unit change."""
    MatterCheck.objects.bulk_create(
        [MatterCheck(matter_id=pk, next_check_at=at) for pk in matter_ids],
        update_conflicts=True, unique_fields=["matter"], update_fields=["next_check_at"], batch_size=1000,
    )


def look_at_all_running(at: datetime) -> int:
    """Every running matter with a check time is looked at ``at`` (a calendar import moved due
    dates, the ladder was edited); the others the sweep schedules on that same pass."""
    return MatterCheck.objects.filter(matter__status__in=RUNNING).update(next_check_at=at)


def unscheduled_running() -> QuerySet[Matter, int]:
    """The ids of running matters without a check time, through the partial index ``matter_unscheduled``."""
    return Matter.objects.filter(check_scheduled=False, status__in=RUNNING).order_by().values_list("id", flat=True)


def schedule(matter_ids: list[int], at: datetime) -> None:
    """The sweep's write: these running matters are held by the engine from now on, due ``at``."""
    with transaction.atomic():
        filter_ids(Matter.objects.filter(check_scheduled=False), "id", matter_ids).update(check_scheduled=True)
        if connection.vendor != "postgresql":
            look_at(matter_ids, at)
            return
        execute_arrays(
            f"INSERT INTO {MatterCheck._meta.db_table} (matter_id, next_check_at) "  # noqa: S608 - from the model
            "SELECT id, %s::timestamptz FROM unnest(%s::bigint[]) AS v(id) "
            "ON CONFLICT (matter_id) DO UPDATE SET next_check_at = EXCLUDED.next_check_at",
            [at, array_literal(matter_ids)],
        )


def set_next_checks(pairs: list[tuple[int, datetime | None]]) -> None:
    """The scan's write, in its batch's transaction: each matter's next check time; None when
    it is not running, which also clears its flag so the sweep finds it if it runs again."""
    if not pairs:
        return
    # Unconditionally: should the matter have started running again since it was read, the
    # sweep then finds it. Once per status change, so rarely a write at all.
    dormant = [pk for pk, at in pairs if at is None]
    if dormant:
        filter_ids(Matter.objects.filter(check_scheduled=True), "id", dormant).update(check_scheduled=False)
    if connection.vendor == "postgresql":
        execute_arrays(
            f"UPDATE {MatterCheck._meta.db_table} AS c SET next_check_at = v.t "  # noqa: S608 - from the model
            "FROM unnest(%s::bigint[], %s::timestamptz[]) AS v(id, t) WHERE c.matter_id = v.id",
            [array_literal([pk for pk, _at in pairs]), array_literal([at for _pk, at in pairs])],
        )
        return
    by_value: dict[datetime | None, list[int]] = {}
    for pk, at in pairs:
        by_value.setdefault(at, []).append(pk)
    for at, ids in by_value.items():
        MatterCheck.objects.filter(pk__in=ids).update(next_check_at=at)


def postpone(matter_id: int, at: datetime) -> None:
    """A matter the scan set aside (its data raised) is looked at again at ``at``, not at once."""
    MatterCheck.objects.filter(matter_id=matter_id).update(next_check_at=at)
