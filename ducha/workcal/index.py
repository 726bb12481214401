"""The working-day calendar in the database, for queries that judge many matters at once
(docs/decisions/0007).

A dashboard's traffic lights need, for every open matter, the working days from today to its
deadline and the share of its working time elapsed. Computed in Python that is a row per
matter pulled out of the database; with each day's running count of working days in a table,
it is two joins and a subtraction, and the database returns counts.

The index is built from the calendar the process holds, the first time a query needs it,
and keyed by a digest of that calendar: a calendar import, or the new provisional year a new
date brings, makes a new key and so new rows; older builds are dropped a day later, when
no process can still be reading them.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta

from django.db import connection, transaction
from django.utils import timezone

from ducha.rules.workdays import WorkCalendar
from ducha.workcal.models import WorkdayIndex, WorkdayIndexBuild

KEEP_OLD_BUILDS = timedelta(days=1)


def calendar_digest(cal: WorkCalendar) -> str:
    """16 hex digits naming the calendar's covered years and days (a few microseconds)."""
    h = hashlib.sha256()
    h.update(repr((sorted(cal.years), sorted(cal.holidays), sorted(cal.makeup_workdays))).encode())
    return h.hexdigest()[:16]


def ensure_index(cal: WorkCalendar) -> str:
    """The digest under which ``cal``'s days are in ``WorkdayIndex``, building them if needed.

    One indexed read when they are there. Two processes building at once insert the same
    rows; the second's are ignored.
    """
    key = calendar_digest(cal)
    if WorkdayIndexBuild.objects.filter(pk=key).exists():
        return key
    now = timezone.now()
    with transaction.atomic():
        WorkdayIndex.objects.bulk_create(
            (WorkdayIndex(calendar=key, day=d, before=b, through=t, run=r) for d, b, t, r in cal.day_counts()),
            batch_size=2000, ignore_conflicts=True,
        )
        WorkdayIndexBuild.objects.bulk_create([WorkdayIndexBuild(calendar=key, built_at=now)], ignore_conflicts=True)
        stale = list(WorkdayIndexBuild.objects.filter(built_at__lt=now - KEEP_OLD_BUILDS).exclude(pk=key)
                     .values_list("pk", flat=True))
        if stale:
            WorkdayIndexBuild.objects.filter(pk__in=stale).delete()
            WorkdayIndex.objects.filter(calendar__in=stale).delete()
    if connection.vendor == "postgresql":
        # Statistics now rather than at autovacuum's next pass: without them the planner takes
        # the new table for a few rows and joins a dashboard's matters to it by scanning it
        # once per matter (10,000 matters: 120 ms instead of 5).
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(WorkdayIndex._meta.db_table)}")
    return key
