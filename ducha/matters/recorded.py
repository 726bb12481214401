"""What other apps record on a matter: the progress a monthly report line carries (S1.2 "report
once": a report line is the only place progress is entered), the rectifications a ledger check
demands (S2.4), and their lines in the matter's timeline (办理记录). The callers decide when;
the rows are written here, so that the matters app is the one writer of its tables.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from django.utils import timezone

from ducha.matters.models import CoUnitPart, Matter, MatterEvent, Rectification, Status
from ducha.org.models import User

# A matter's own figure follows its reports while it is worked on or awaits closing.
PROGRESS_FOLLOWS_REPORT = (Status.ASSIGNED, Status.IN_PROGRESS, Status.CLAIMED)


def take_reported_progress(
    *, actor: User, matter: Matter, co_part_id: int | None, progress: int, achieved_quantity: Decimal | None,
    today: date, month_end: date, reason: str, data: dict[str, Any],
) -> bool:
    """A report line's figure becomes the co-unit part's (``co_part_id``) or the matter's, with a
    'progress_report' line in the timeline; False when the matter's figure no longer follows reports."""
    if co_part_id is not None:
        changes: dict[str, Any] = {"progress": progress, "last_progress_on": today}
        # The report describes the month, so a part reported done was done by the month's end.
        changes["done_on"] = min(today, month_end) if progress == 100 else None
        part = CoUnitPart.objects.filter(pk=co_part_id)
        if progress == 100:
            part.filter(done_on__isnull=False).update(progress=100, last_progress_on=today)
            part.filter(done_on__isnull=True).update(**changes)
        else:
            part.update(**changes)
    elif matter.status in PROGRESS_FOLLOWS_REPORT:
        changes = {"progress": progress, "last_progress_on": today, "updated_at": timezone.now()}
        if achieved_quantity is not None:
            changes["achieved_quantity"] = achieved_quantity
            data = {**data, "achieved_quantity": str(achieved_quantity)}
        Matter.objects.filter(pk=matter.pk, status__in=PROGRESS_FOLLOWS_REPORT).update(**changes)
    else:
        return False
    MatterEvent.objects.create(matter=matter, actor=actor, action="progress_report", reason=reason, data=data)
    return True


def demand_rectifications(rows: Sequence[tuple[int, int, str, date, str]]) -> list[Rectification]:
    """New rectifications, ``(matter id, unit id, source, due date, demand)`` each, in one insert."""
    return Rectification.objects.bulk_create(
        Rectification(matter_id=matter_id, unit_id=unit_id, source=source, due_date=due, demand=demand)
        for matter_id, unit_id, source, due, demand in rows
    )


def add_to_timeline(*, actor: User | None, entries: Iterable[tuple[int, str, str, dict[str, Any]]]) -> int:
    """Lines in the matters' timelines, ``(matter id, action, reason, data)`` each, in one insert."""
    return len(MatterEvent.objects.bulk_create(
        MatterEvent(matter_id=matter_id, actor=actor, action=action, reason=reason, data=data)
        for matter_id, action, reason, data in entries
    ))
