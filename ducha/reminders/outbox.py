"""Delivery from the outbox: at least once, with backoff, rate limits and dead letters.

A delivery pass claims pending messages whose time has come by pushing their next attempt
a lease into the future and counting the attempt, in one short transaction (PostgreSQL:
``FOR UPDATE SKIP LOCKED``; SQLite: the IMMEDIATE transaction's write lock). It then sends
outside any transaction, so no lock is held across the network, and records each outcome:

- sent: status ``sent``, the channel's receipt (状态报告) kept on the row;
- failed: retried after ``backoff(attempts)``; after DUCHA_OUTBOX_MAX_ATTEMPTS tries the
  message becomes a dead letter, listed for the system administrator, who may retry it;
- held (rate limit, quiet hours): not an attempt, tried again when the channel allows.

A worker that dies after sending but before recording sends again when the lease runs
out: at least once. The idempotency key travels with every message (Message-ID, SMS
client id, robot header) so a receiver can drop the repeat.
"""

from __future__ import annotations

import logging
import time as pytime
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from ducha.bulk import array_literal, execute_arrays
from ducha.reminders.channels import Outcome
from ducha.reminders.channels import email as email_channel
from ducha.reminders.channels import robots as robot_channel
from ducha.reminders.channels import sms as sms_channel
from ducha.reminders.models import Channel, DeliveryAttempt, OutboxMessage, OutboxStatus

log = logging.getLogger("ducha.reminders")

LEASE = timedelta(minutes=5)
_PROBE = 10  # messages of a time-bounded pass's first chunk


@dataclass
class DeliverStats:
    claimed: int = 0
    sent: int = 0
    failed: int = 0
    dead: int = 0
    held: int = 0
    more: bool = False  # a bound ended the pass while messages were still due


def max_attempts() -> int:
    return settings.DUCHA_OUTBOX_MAX_ATTEMPTS


def backoff(attempts: int) -> timedelta:
    """Delay after the ``attempts``-th failure: base * 2^(n-1), capped (settings
    DUCHA_OUTBOX_BACKOFF_SECONDS = 240, DUCHA_OUTBOX_BACKOFF_CAP_SECONDS = 21600). With the
    defaults a message failing for the 5th time waits 64 minutes: a poison message stops
    costing anything while the others flow."""
    base = settings.DUCHA_OUTBOX_BACKOFF_SECONDS
    cap = settings.DUCHA_OUTBOX_BACKOFF_CAP_SECONDS
    return timedelta(seconds=min(cap, base * 2 ** max(0, attempts - 1)))


def _claim(now: datetime, limit: int) -> list[OutboxMessage]:
    due = OutboxMessage.objects.filter(status=OutboxStatus.PENDING, next_attempt_at__lte=now)
    if not due.exists():  # the usual case: no transaction, one index probe
        return []
    with transaction.atomic():
        qs = OutboxMessage.objects.filter(status=OutboxStatus.PENDING, next_attempt_at__lte=now).order_by(
            "next_attempt_at", "id")
        if connection.features.has_select_for_update_skip_locked:
            qs = qs.select_for_update(skip_locked=True)
        ids = list(qs.values_list("id", flat=True)[:limit])
        if not ids:
            return []
        OutboxMessage.objects.filter(pk__in=ids, status=OutboxStatus.PENDING).update(
            next_attempt_at=now + LEASE, attempts=F("attempts") + 1
        )
    return list(OutboxMessage.objects.filter(pk__in=ids).select_related("reminder", "robot"))


def _record(messages: list[OutboxMessage], outcomes: dict[int, Outcome], now: datetime,
            stats: DeliverStats, durations: dict[int, int]) -> None:
    ceiling = max_attempts()
    sent_plain: list[int] = []
    changed: list[OutboxMessage] = []
    tries: list[DeliveryAttempt] = []
    for m in messages:
        o = outcomes.get(m.pk) or Outcome(False, error="no outcome from the channel")
        if o.hold_until is not None and not o.error:
            m.attempts -= 1
            m.next_attempt_at = o.hold_until
            changed.append(m)
            stats.held += 1
            continue
        tries.append(DeliveryAttempt(message=m, ok=o.ok, detail=(o.error or "ok")[:500],
                                     duration_ms=durations.get(m.pk, 0)))
        if o.ok:
            stats.sent += 1
            if not o.receipt:
                sent_plain.append(m.pk)
                continue
            m.status, m.sent_at, m.receipt, m.last_error = OutboxStatus.SENT, now, o.receipt, ""
        elif m.attempts >= ceiling:
            m.status, m.last_error = OutboxStatus.DEAD, o.error[:500]
            stats.dead += 1
            log.error("outbox %s is a dead letter after %d tries: %s", m.idempotency_key, m.attempts, o.error)
        else:
            m.last_error = o.error[:500]
            m.next_attempt_at = o.hold_until or now + backoff(m.attempts)
            stats.failed += 1
        changed.append(m)
    with transaction.atomic():
        if sent_plain:
            OutboxMessage.objects.filter(pk__in=sent_plain).update(status=OutboxStatus.SENT, sent_at=now)
        if changed:
            _save_outcomes(changed)
        if tries:
            DeliveryAttempt.objects.bulk_create(tries)


_OUTCOME_SQL = (
    f"UPDATE {OutboxMessage._meta.db_table} AS o SET status = v.status, sent_at = v.sent_at, "  # noqa: S608
    "receipt = v.receipt, last_error = v.last_error, attempts = v.attempts, next_attempt_at = v.next_attempt_at "
    "FROM unnest(%s::bigint[], %s::varchar[], %s::timestamptz[], %s::jsonb[], %s::varchar[], %s::integer[], "
    "%s::timestamptz[]) AS v(id, status, sent_at, receipt, last_error, attempts, next_attempt_at) WHERE o.id = v.id"
)


def _save_outcomes(changed: list[OutboxMessage]) -> None:
    """The outcome of each message, one statement per chunk on PostgreSQL. ``bulk_update`` builds a
    CASE of every row for every column: for 500 messages it took most of a delivery pass."""
    if connection.vendor != "postgresql":
        OutboxMessage.objects.bulk_update(
            changed, ["status", "sent_at", "receipt", "last_error", "attempts", "next_attempt_at"], batch_size=500
        )
        return
    execute_arrays(_OUTCOME_SQL, [
        array_literal([m.pk for m in changed]), array_literal([str(m.status) for m in changed]),
        array_literal([m.sent_at for m in changed]), array_literal([m.receipt or {} for m in changed]),
        array_literal([m.last_error for m in changed]), array_literal([m.attempts for m in changed]),
        array_literal([m.next_attempt_at for m in changed]),
    ])


def deliver(*, now: datetime | None = None, limit: int = 1000, max_messages: int = 0, max_seconds: float = 0,
            should_stop: Callable[[], bool] = lambda: False) -> DeliverStats:
    """Deliver what is due, ``limit`` messages at a time, until nothing due is left or a bound is
    reached: ``max_messages`` claimed, ``max_seconds`` spent (0: no bound). A bounded pass that
    stops with messages still due says so in ``more``; the loop then scans and comes straight back."""
    stats = DeliverStats()
    started = pytime.monotonic()
    while not should_stop():
        if max_seconds and pytime.monotonic() - started >= max_seconds:
            stats.more = True
            break
        chunk = limit if not max_messages else min(limit, max_messages - stats.claimed)
        if chunk <= 0:
            stats.more = True
            break
        if max_seconds:
            # A first small chunk shows the channels' pace; each next one is sized to the time left,
            # so a pass over a slow channel ends near its bound, not a whole chunk after it.
            spent = pytime.monotonic() - started
            fits = int((max_seconds - spent) * stats.claimed / spent) if stats.claimed and spent > 0 else _PROBE
            chunk = min(chunk, max(_PROBE, fits))
        at = now or timezone.now()
        messages = _claim(at, chunk)
        if not messages:
            break
        stats.claimed += len(messages)
        by_channel: dict[str, list[OutboxMessage]] = defaultdict(list)
        for m in messages:
            by_channel[m.channel].append(m)
        outcomes: dict[int, Outcome] = {}
        durations: dict[int, int] = {}
        for channel, msgs in by_channel.items():
            sent_at = pytime.monotonic()
            try:
                if channel == Channel.EMAIL:
                    outcomes.update(email_channel.deliver(msgs))
                elif channel == Channel.SMS:
                    outcomes.update(sms_channel.deliver(msgs, at))
                else:
                    outcomes.update(robot_channel.deliver(msgs, at))
            except Exception as e:  # a broken adapter must not stop the other channels
                log.exception("channel %s failed", channel)
                outcomes.update({m.pk: Outcome(False, error=f"{type(e).__name__}: {e}"[:500]) for m in msgs})
            spent = int((pytime.monotonic() - sent_at) * 1000)
            durations.update({m.pk: spent // max(1, len(msgs)) for m in msgs})
        _record(messages, outcomes, at, stats, durations)
        if len(messages) < chunk:
            break
    return stats


def dead_letters() -> list[OutboxMessage]:
    return list(OutboxMessage.objects.filter(status=OutboxStatus.DEAD).select_related("reminder__matter", "user",
                                                                                        "robot__unit")
                .order_by("-next_attempt_at", "-id")[:500])
