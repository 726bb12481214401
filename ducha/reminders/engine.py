"""The scan: find matters whose check time has come, decide with the rules, record once.

Each open matter stores ``next_check_at``; a partial index holds only matters that have
one, and a scan reads only the rows whose time has come. A batch is one transaction:

1. claim up to ``batch_size`` due rows. PostgreSQL: ``SELECT … FOR UPDATE SKIP LOCKED``,
   so any number of workers on any number of machines split the work without waiting on
   each other. SQLite: the transaction is IMMEDIATE (see ducha.dburl), i.e. it takes the
   database's write lock at BEGIN, so one worker at a time claims; the in-process worker
   is the only one an embedded installation runs.
2. evaluate each matter with ``ducha.rules.escalation.evaluate``;
3. insert the reminders with ``bulk_create(ignore_conflicts=True)`` under the unique key
   (matter, kind, stage, deadline) and read back the ones this batch inserted (by its
   batch token): only those fan out, so a reminder is created, and sent, once;
4. in the same transaction, write the outbox rows (unique idempotency key), the 催办单,
   accountability and reminder-letter records, and each matter's next check time.

A worker killed mid-batch rolls the whole batch back; the rows are still due and the
next scan takes them. Nothing is lost, nothing is doubled.
"""

from __future__ import annotations

import logging
import os
import time as pytime
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone

from ducha.matters.models import CoUnitPart, Matter
from ducha.reminders.audience import Resolver
from ducha.reminders.fastwrite import array_literal, execute_arrays, filter_ids, insert_ignore
from ducha.reminders.models import (
    AccountabilityProposal,
    Channel,
    EscalationRung,
    LetterProposal,
    Notification,
    OutboxMessage,
    OutboxStatus,
    Reminder,
    UrgeNotice,
)
from ducha.reminders.texts import MatterLine, Phrases, compose
from ducha.rules.escalation import Action, Audience, CoPartFacts, DueReminder, MatterFacts, Policy, Rung, evaluate
from ducha.rules.lifecycle import RUNNING_STATUSES
from ducha.rules.workdays import WorkCalendar
from ducha.workcal import service as workcal

log = logging.getLogger("ducha.reminders")

RUNNING = sorted(s.value for s in RUNNING_STATUSES)
# Seconds to wait inside each batch's transaction, for tests that kill workers mid-batch.
_FAULT_PAUSE = float(os.environ.get("DUCHA_FAULT_BATCH_PAUSE") or 0)
Key = tuple[int, str, str, date]  # matter, kind, stage, deadline: the reminder's unique key


@dataclass
class ScanStats:
    batches: int = 0
    matters_checked: int = 0
    reminders_created: int = 0
    inbox_delivered: int = 0  # inbox rows written with their reminders
    outbox_created: int = 0  # messages queued for the channels outside the database
    swept: int = 0
    calendar_missing: bool = False
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Rules:
    ladder: tuple[Rung, ...]
    names: dict[str, tuple[str, int]]  # rung code -> (name, offset)
    policy: Policy
    phrases: Phrases
    memo: dict[Any, Any] = field(default_factory=dict)  # for ``evaluate``, one pass


def load_rules() -> Rules:
    """The administrator's ladder (active rungs) and the detection settings."""
    ladder: list[Rung] = []
    names: dict[str, tuple[str, int]] = {}
    for r in EscalationRung.objects.filter(is_active=True).order_by("offset_workdays"):
        audience = {a for a, on in [
            (Audience.LEAD_UNIT, r.to_lead_unit), (Audience.UNIT_IN_CHARGE, r.to_unit_in_charge),
            (Audience.VICE_MAYOR, r.to_vice_mayor), (Audience.SUPERVISION_OFFICE, r.to_supervision_office),
            (Audience.MAYOR, r.to_mayor),
        ] if on}
        ladder.append(Rung(r.code, r.offset_workdays, frozenset(audience), r.light, Action(r.action), r.urgent))
        names[r.code] = (r.name, r.offset_workdays)
    policy = Policy(
        inaction_workdays=int(getattr(settings, "DUCHA_INACTION_WORKDAYS", 10)),
        co_unit_workdays=int(getattr(settings, "DUCHA_CO_UNIT_SLOW_WORKDAYS", 10)),
        behind_checkpoints=tuple(getattr(settings, "DUCHA_BEHIND_CHECKPOINTS", (0.25, 0.5, 0.75))),
    )
    return Rules(tuple(ladder), names, policy, Phrases())


def check_time() -> time:
    """Reminders fall due at the start of the working day (setting DUCHA_REMINDER_TIME, "08:30")."""
    return time.fromisoformat(str(getattr(settings, "DUCHA_REMINDER_TIME", "08:30")))


def _next_check_at(d: date | None, now: datetime, memo: dict[Any, Any]) -> datetime | None:
    if d is None:
        return None
    at = memo.get(("at", d))
    if at is None:
        at = memo[("at", d)] = timezone.make_aware(datetime.combine(d, check_time()))
    # With a pinned "today" (rehearsals, tests) the date may lie behind the clock: look again
    # in an hour rather than on every pass.
    return at if at > now else now + timedelta(hours=1)


# -- scheduling hooks for other apps ---------------------------------------------------------


def reschedule_matter(matter_id: int, *, now: datetime | None = None) -> None:
    """Look at this matter on the next pass: call after its deadline, status or co-units change."""
    Matter.objects.filter(pk=matter_id).update(next_check_at=now or timezone.now())


def reschedule_all(*, now: datetime | None = None) -> int:
    """Look at every running matter on the next pass (a calendar import moved due dates, the
    ladder was edited). Returns the number of matters."""
    return Matter.objects.filter(status__in=RUNNING).update(next_check_at=now or timezone.now())


def sweep(now: datetime) -> int:
    """Running matters without a check time (just assigned or resumed) are due now."""
    return Matter.objects.filter(next_check_at__isnull=True, status__in=RUNNING).update(next_check_at=now)


# -- the scan --------------------------------------------------------------------------------

_FIELDS = ("id", "number", "title", "status", "start_date", "due_date", "last_progress_on", "progress",
           "lead_unit_id", "responsible_leader_id")


def claim_queryset(now: datetime, batch_size: int) -> QuerySet[Matter]:
    """The due rows, oldest first, through the partial index ``matter_next_check``."""
    qs = Matter.objects.filter(next_check_at__lte=now).order_by("next_check_at")
    if connection.features.has_select_for_update_skip_locked:
        qs = qs.select_for_update(skip_locked=True)
    return qs[:batch_size]


def _claim(now: datetime, batch_size: int) -> list[tuple[Any, ...]]:
    return list(claim_queryset(now, batch_size).values_list(*_FIELDS))


def _set_next_checks(pairs: list[tuple[int, datetime | None]]) -> None:
    if not pairs:
        return
    if connection.vendor == "postgresql":
        execute_arrays(
            f"UPDATE {Matter._meta.db_table} AS m SET next_check_at = v.t "  # noqa: S608 - table name from the model
            "FROM unnest(%s::bigint[], %s::timestamptz[]) AS v(id, t) WHERE m.id = v.id",
            [array_literal([p[0] for p in pairs]), array_literal([p[1] for p in pairs])],
        )
        return
    by_value: dict[datetime | None, list[int]] = {}
    for pk, at in pairs:
        by_value.setdefault(at, []).append(pk)
    for at, ids in by_value.items():
        Matter.objects.filter(pk__in=ids).update(next_check_at=at)


def _scan_batch(now: datetime, today: date, cal: WorkCalendar, rules: Rules, res: Resolver,
                batch_size: int, stats: ScanStats) -> int:
    token = uuid.uuid4().hex
    with transaction.atomic():
        rows = _claim(now, batch_size)
        if not rows:
            return 0
        running = [r for r in rows if r[3] in RUNNING]
        ids = [r[0] for r in running]
        parts: dict[int, list[tuple[Any, ...]]] = {}
        if ids:
            for p in filter_ids(CoUnitPart.objects.filter(done_on__isnull=True), "matter", ids).values_list(
                "id", "matter_id", "unit_id", "due_date", "last_progress_on", "part"
            ):
                parts.setdefault(p[1], []).append(p)
        part_info = {p[0]: p for ps in parts.values() for p in ps}
        res.load_units({r[8] for r in running} | {p[2] for p in part_info.values()})

        new: list[tuple[Any, ...]] = []
        wanted: dict[Key, tuple[tuple[Any, ...], DueReminder]] = {}
        next_checks: list[tuple[int, datetime | None]] = []
        for r in rows:
            mid, number, title, status, start, due, last, progress, lead_unit, _leader = r
            facts = MatterFacts(
                start=start, due=due, running=status in RUNNING, last_progress=last, progress=progress,
                co_parts=tuple(CoPartFacts(p[0], p[3], False, p[4]) for p in parts.get(mid, ())),
            )
            ev = evaluate(facts, today, cal, rules.ladder, rules.policy, rules.memo)
            next_checks.append((mid, _next_check_at(ev.next_check, now, rules.memo)))
            if not ev.due_now:
                continue
            line = MatterLine(mid, number, title, due, progress, res.unit_names.get(lead_unit, ""))
            for d in ev.due_now:
                name, offset = rules.names.get(d.stage, ("", 0))
                co = part_info.get(d.co_part_id) if d.co_part_id else None
                head, body = compose(line, d, rules.phrases, rung_name=name, rung_offset=offset,
                                     co_unit=res.unit_names.get(co[2], "") if co else "", co_part=co[5] if co else "")
                new.append((mid, d.kind.value, d.stage, d.deadline, d.light, d.action.value, d.urgent, d.co_part_id,
                            head, body, ",".join(sorted(a.value for a in d.audience)), token))
                wanted[(mid, d.kind.value, d.stage, d.deadline)] = (r, d)
        if new:
            inserted = insert_ignore(Reminder, _REMINDER_FIELDS, new, returning=_REMINDER_KEY)
            if connection.vendor != "postgresql":
                inserted = list(filter_ids(Reminder.objects.filter(batch=token), "matter", [r[0] for r in rows])
                                .values_list(*_REMINDER_KEY))
            texts_by_key = {(row[0], row[1], row[2], row[3]): (row[8], row[9], row[4]) for row in new}
            inbox, queued = _fan_out(inserted, wanted, texts_by_key, part_info, res, now, today)
            stats.reminders_created += len(inserted)
            stats.inbox_delivered += inbox
            stats.outbox_created += queued
        _set_next_checks(next_checks)
        if _FAULT_PAUSE:
            pytime.sleep(_FAULT_PAUSE)  # fault injection: widen the window a SIGKILL can hit
    stats.batches += 1
    stats.matters_checked += len(rows)
    return len(rows)


_REMINDER_FIELDS = ("matter", "kind", "stage", "deadline", "light", "action", "urgent", "co_part", "title", "body",
                    "audience", "batch")
_REMINDER_KEY = ("id", "matter", "kind", "stage", "deadline")
_NOTIFICATION_FIELDS = ("user", "reminder", "title", "body", "light")
_OUTBOX_FIELDS = ("reminder", "channel", "user", "robot", "address", "idempotency_key", "urgent", "status",
                  "attempts", "next_attempt_at", "receipt", "last_error")


def _fan_out(inserted: list[tuple[Any, ...]], wanted: dict[Key, tuple[tuple[Any, ...], DueReminder]],
             texts: dict[Key, tuple[str, str, str]], part_info: dict[int, tuple[Any, ...]],
             res: Resolver, now: datetime, today: date) -> tuple[int, int]:
    """Inbox rows, outbox rows and escalation records for the reminders this batch created.

    The inbox is a table in the same database, so its delivery is written here, in the
    reminder's transaction, under the idempotency key: exactly once by construction. The
    other channels leave the database and go through the outbox."""
    todo = [(rid, key, *wanted[key]) for rid, *rest in inserted for key in [tuple(rest)]]
    matter_ids = sorted({row[0] for _, _, row, _ in todo})
    assignees = res.assignees(matter_ids, {row[0]: row[8] for _, _, row, _ in todo})
    per_reminder = [
        (rid, key, row, d, res.recipients(d.audience, row[8], assignees.get(row[0], []), row[9]))
        for rid, key, row, d in todo
    ]
    res.load_people({pid for *_, people in per_reminder for pid in people})
    inbox: list[tuple[Any, ...]] = []
    outbox: list[tuple[Any, ...]] = []
    urges: list[tuple[Any, ...]] = []
    proposals: list[tuple[Any, ...]] = []
    letters: list[tuple[Any, ...]] = []
    for rid, key, row, d, people in per_reminder:
        title, body, light = texts[key]
        # Derived from the reminder's unique key, not its row id: should a committed batch ever be
        # lost and redone, the same message gets the same key and receivers still drop the repeat.
        stem = f"{key[0]}.{key[1][0]}.{key[2]}.{key[3]:%Y%m%d}"
        for channel, user_id, robot_id, address in res.channels(people, d.urgent):
            if channel == Channel.INBOX:  # its key is the unique (reminder, user)
                inbox.append((user_id, rid, title, body, light))
                continue
            ident = f"{stem}.{channel}.{'u' if user_id is not None else 'r'}{user_id or robot_id}"
            outbox.append((rid, channel, user_id, robot_id, address, ident, d.urgent,
                           OutboxStatus.PENDING.value, 0, now, {}, ""))
        if d.action == Action.URGE_NOTICE:
            urges.append((row[0], rid, d.deadline, today))
        elif d.action == Action.ACCOUNTABILITY:
            proposals.append((row[0], rid, d.deadline, today,
                              f"逾期{d.workdays}个工作日未办结 (overdue {d.workdays} working days)"))
        if d.co_part_id is not None and d.letter_reason is not None:
            letters.append((row[0], d.co_part_id, row[8], part_info[d.co_part_id][2], d.letter_reason.value,
                            d.deadline, rid))
    insert_ignore(Notification, _NOTIFICATION_FIELDS, inbox)
    insert_ignore(OutboxMessage, _OUTBOX_FIELDS, outbox)
    insert_ignore(UrgeNotice, ("matter", "reminder", "deadline", "issued_on"), urges)
    insert_ignore(AccountabilityProposal, ("matter", "reminder", "deadline", "proposed_on", "reason"), proposals)
    insert_ignore(LetterProposal, ("matter", "co_part", "from_unit", "to_unit", "reason", "due_date", "reminder"),
                  letters)
    return len(inbox), len(outbox)


def scan(*, now: datetime | None = None, today: date | None = None, batch_size: int = 1000,
         max_batches: int | None = None, should_stop: Callable[[], bool] = lambda: False) -> ScanStats:
    """One pass: every matter whose check time has come, in batches, until none is left."""
    stats = ScanStats()
    now = now or timezone.now()
    today = today or workcal.today()
    stats.swept = sweep(now)
    # A quiet pass (the usual one) costs two indexed statements and nothing else.
    if not Matter.objects.filter(next_check_at__lte=now).exists():
        return stats
    try:
        cal = workcal.get_calendar()
    except workcal.CalendarEmpty:
        stats.calendar_missing = True
        return stats
    rules = load_rules()
    res = Resolver()
    while max_batches is None or stats.batches < max_batches:
        n = _scan_batch(now, today, cal, rules, res, batch_size, stats)
        if n < batch_size or should_stop():
            break
    if stats.reminders_created:
        log.info("reminders: %d created, %d inbox messages, %d deliveries queued", stats.reminders_created,
                 stats.inbox_delivered, stats.outbox_created)
    return stats
