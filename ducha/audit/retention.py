"""Pruning the audit trail without breaking it, and never inside the retention period.

《网络安全法》 requires network logs to be kept at least six months; six months can span
184 days, so that is the floor whatever DUCHA_AUDIT_RETENTION_DAYS says (one year by
default). A prune removes a prefix of the chain and leaves an anchor (the last removed
event's seq and hash, MAC'd) from which `verify` continues.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone

from ducha.audit import chain
from ducha.audit.api import record
from ducha.audit.checks import MIN_RETENTION_DAYS
from ducha.audit.gm import SM3
from ducha.audit.models import AuditAnchor, AuditEvent


class RetentionRefused(Exception):
    pass


class ChainBroken(Exception):
    pass


def retention_days() -> int:
    return max(settings.DUCHA_AUDIT_RETENTION_DAYS, MIN_RETENTION_DAYS)


def latest_allowed_before(today: date | None = None) -> date:
    today = today or timezone.localdate()
    return today - timedelta(days=retention_days())


@dataclass(frozen=True)
class Pruned:
    rows: int
    through_seq: int | None
    archive_sm3: str


def _delete_prefix(doomed: QuerySet[AuditEvent], cutoff: datetime) -> int:
    """On PostgreSQL the append-only trigger lets only `audit_prune_before` delete (migration
    audit.0003); it removes the same prefix, the rows before `cutoff` and before the first kept."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT audit_prune_before(%s)", [cutoff])
            return int(cursor.fetchone()[0])
    rows, _ = doomed.delete()
    return rows


def prune(*, before: date, archive: Path | None = None) -> Pruned:
    """Deletes events older than `before` (00:00 local time), refusing any inside the retention period."""
    limit = latest_allowed_before()
    if before > limit:
        raise RetentionRefused(
            f"--before {before} would delete events younger than the {retention_days()}-day retention period; "
            f"the latest allowed date is {limit}")
    verdict = chain.verify()
    if not verdict.ok:
        raise ChainBroken(f"refusing to prune a chain that does not verify: {verdict.message}")
    cutoff = datetime.combine(before, time.min, tzinfo=ZoneInfo(settings.TIME_ZONE))
    with transaction.atomic():
        chain._lock()
        first_kept = AuditEvent.objects.filter(ts__gte=cutoff).order_by("seq").values_list("seq", flat=True).first()
        doomed = AuditEvent.objects.filter(ts__lt=cutoff)
        if first_kept is not None:
            doomed = doomed.filter(seq__lt=first_kept)  # only ever a prefix of the chain
        last = doomed.order_by("-seq").values_list("seq", "hash").first()
        if last is None:
            return Pruned(0, None, "")
        digest = SM3()
        if archive is not None:
            with archive.open("x", encoding="utf-8") as out:
                for event in doomed.order_by("seq").iterator(chunk_size=2000):
                    fields = {name: getattr(event, name) for name in chain.CHAINED_FIELDS}
                    line = json.dumps({**json.loads(chain.canonical_json(fields)), "hash": event.hash},
                                      ensure_ascii=False, sort_keys=True) + "\n"
                    out.write(line)
                    digest.update(line.encode())
        rows = _delete_prefix(doomed, cutoff)
        archive_sm3 = digest.hexdigest() if archive is not None else ""
        AuditAnchor.objects.create(seq=last[0], hash=last[1], mac=chain.head_mac(*last), pruned_before=cutoff,
                                   rows_deleted=rows, created_at=timezone.now(), archive_sm3=archive_sm3)
        record(actor=None, action="audit.prune", obj_type="audit.AuditEvent", obj_id="", before=None,
               after={"before": before, "through_seq": last[0], "rows": rows, "archive_sm3": archive_sm3,
                      "retention_days": retention_days()})
    return Pruned(rows, last[0], archive_sm3)
