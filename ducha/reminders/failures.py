"""Matters the scan could not look at: set aside with a growing delay, so one broken matter
never holds up the queue (the way healthchecks pushes a failing check's next look ahead).

A matter is set aside when evaluating it raised (its data broke the rules) or when the
database refused what its batch wrote and it was the one at fault. Each failure is logged
with its traceback and kept in ``ScanFailure`` for the system administrator; the record goes
once a look at the matter succeeds.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction

from ducha.matters import schedule
from ducha.reminders.models import ScanFailure

log = logging.getLogger("ducha.reminders")


def retry_delay(failures: int) -> timedelta:
    """How long a matter that failed ``failures`` times in a row is set aside: DUCHA_SCAN_RETRY_SECONDS
    (300), doubled with each failure, at most DUCHA_SCAN_RETRY_CAP_SECONDS (a day). Editing the
    matter asks for a look at once."""
    base, cap = settings.DUCHA_SCAN_RETRY_SECONDS, settings.DUCHA_SCAN_RETRY_CAP_SECONDS
    return timedelta(seconds=min(cap, base * 2 ** min(30, max(0, failures - 1))))


def set_aside(failed: list[tuple[int, Exception]], now: datetime) -> None:
    """Log each failure and push its matter's check time on by ``retry_delay``, in the caller's
    transaction when there is one (the batch's), else in its own."""
    with transaction.atomic():
        ids = [mid for mid, _e in failed]
        before = dict(ScanFailure.objects.filter(matter_id__in=ids).values_list("matter_id", "failures"))
        records = []
        for mid, e in failed:
            n = before.get(mid, 0) + 1
            retry = now + retry_delay(n)
            error = f"{type(e).__name__}: {e}"[:500]
            log.error("reminder scan: matter %s failed (%d in a row), looked at again at %s: %s", mid, n,
                      retry.isoformat(), error, exc_info=e)
            records.append(ScanFailure(matter_id=mid, failures=n, error=error, failed_at=now, retry_at=retry))
            schedule.postpone(mid, retry)
        ScanFailure.objects.filter(matter_id__in=ids).delete()
        ScanFailure.objects.bulk_create(records)


def forget(matter_ids: list[int]) -> None:
    """These matters were looked at: whatever failed before is over."""
    ScanFailure.objects.filter(matter_id__in=matter_ids).delete()


def any_set_aside() -> bool:
    return ScanFailure.objects.exists()
