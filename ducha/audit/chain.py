"""Appending to and verifying the SM3 hash chain.

Appends are serialised so the chain stays linear: on PostgreSQL by a transaction-scoped
advisory lock (released at commit, so the order of `seq` is the order of commits); on
SQLite the connection's IMMEDIATE transaction mode already takes the write lock at BEGIN.
The unique `seq` is the second line of defence: an unserialised writer gets an
IntegrityError (its action rolls back) rather than a fork.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from ducha.audit.gm import hmac_matches, hmac_sm3_hex, sm3_hex
from ducha.audit.models import AuditAnchor, AuditChainHead, AuditEvent

GENESIS = "0" * 64
ADVISORY_LOCK_KEY = 0x6475636861  # b"ducha"
HEAD_LABEL = "audit head v1"
CHAINED_FIELDS = (
    "seq", "ts", "user_id", "username", "user_name", "role", "src_ip", "user_agent", "request_id",
    "action", "obj_type", "obj_id", "before", "after", "result", "reason", "prev_hash",
)


def canonical_ts(ts: datetime) -> str:
    return ts.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical_json(fields: dict[str, Any]) -> bytes:
    """Sorted keys, no spaces, UTF-8: the same bytes on every engine and Python version."""
    body = {name: fields[name] for name in CHAINED_FIELDS}
    body["ts"] = canonical_ts(body["ts"])
    return json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def event_hash(fields: dict[str, Any]) -> str:
    return sm3_hex(canonical_json(fields) + fields["prev_hash"].encode("ascii"))


def head_mac(seq: int, hash_: str) -> str:
    return hmac_sm3_hex(f"{seq}:{hash_}".encode(), label=HEAD_LABEL)


def _lock() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [ADVISORY_LOCK_KEY])


def _tip() -> tuple[int, str]:
    last = AuditEvent.objects.order_by("-seq").values_list("seq", "hash").first()
    if last is not None:
        return last
    anchor = AuditAnchor.objects.order_by("-seq").values_list("seq", "hash").first()
    return anchor if anchor is not None else (0, GENESIS)


def append(fields: dict[str, Any]) -> AuditEvent:
    """Adds one event at the end of the chain, inside the caller's transaction if there is one."""
    with transaction.atomic():
        _lock()
        seq, prev = _tip()
        row = dict(fields, seq=seq + 1, ts=timezone.now(), prev_hash=prev)
        row["hash"] = event_hash(row)
        event = AuditEvent.objects.create(**row)
        AuditChainHead.objects.update_or_create(
            pk=1,
            defaults={"seq": event.seq, "hash": event.hash, "mac": head_mac(event.seq, event.hash),
                      "updated_at": row["ts"]},
        )
    return event


@dataclass(frozen=True)
class Verdict:
    ok: bool
    checked: int
    message: str
    first_bad_seq: int | None = None
    first_bad_id: int | None = None
    # What was found, for the pages to word in the user's language (``message`` is for logs and
    # the command line): intact, bad_anchor, before_anchor, missing, out_of_order, edited,
    # no_head, bad_head, head_behind. ``anchor_seq``: the check started at a prune anchor.
    code: str = ""
    anchor_seq: int | None = None


def _row_fields(row: AuditEvent) -> dict[str, Any]:
    return {name: getattr(row, name) for name in CHAINED_FIELDS}


def verify() -> Verdict:
    """Walks the chain from the newest prune anchor (or genesis); names the first bad row."""
    anchor = AuditAnchor.objects.order_by("-seq").first()
    if anchor is not None and not hmac_matches(f"{anchor.seq}:{anchor.hash}".encode(), anchor.mac,
                                               label=HEAD_LABEL):
        return Verdict(False, 0, f"prune anchor at seq {anchor.seq} has a bad MAC (altered anchor)",
                       anchor.seq, None, "bad_anchor")
    expected_seq, prev = (anchor.seq + 1, anchor.hash) if anchor else (1, GENESIS)
    checked = 0
    for row in AuditEvent.objects.order_by("seq").iterator(chunk_size=2000):
        if row.seq < expected_seq:
            return Verdict(False, checked, f"event id {row.id} (seq {row.seq}) lies before the prune anchor "
                           f"(inserted row)", row.seq, row.id, "before_anchor")
        if row.seq != expected_seq:
            return Verdict(False, checked, f"events seq {expected_seq}..{row.seq - 1} are missing before "
                           f"event id {row.id} (seq {row.seq}): deleted rows", row.seq, row.id, "missing")
        if row.prev_hash != prev:
            return Verdict(False, checked, f"event id {row.id} (seq {row.seq}) does not follow the previous "
                           f"event (inserted or replaced row)", row.seq, row.id, "out_of_order")
        if event_hash(_row_fields(row)) != row.hash:
            return Verdict(False, checked, f"event id {row.id} (seq {row.seq}) was edited: its content does not "
                           f"match its hash", row.seq, row.id, "edited")
        prev = row.hash
        expected_seq += 1
        checked += 1
    last_seq = expected_seq - 1
    head = AuditChainHead.objects.filter(pk=1).first()
    if head is None:
        if checked:
            return Verdict(False, checked, "the chain head record is missing", last_seq, None, "no_head")
    else:
        if not hmac_matches(f"{head.seq}:{head.hash}".encode(), head.mac, label=HEAD_LABEL):
            return Verdict(False, checked, "the chain head has a bad MAC: the chain was rebuilt or the data key "
                           "is not this installation's", head.seq, None, "bad_head")
        if (head.seq, head.hash) != (last_seq, prev):
            return Verdict(False, checked, f"the chain ends at seq {last_seq} but its head says seq {head.seq}: "
                           f"events at the end were deleted or rewritten", last_seq + 1, None, "head_behind")
    return Verdict(True, checked, f"audit chain intact: {checked} events verified"
                   + (f" from the prune anchor at seq {anchor.seq}" if anchor else ""),
                   code="intact", anchor_seq=anchor.seq if anchor else None)
