"""The fan-out of a scan batch: who hears of each new reminder, and how.

Inbox rows, outbox rows and the escalation records (催办单, accountability proposals,
reminder-letter proposals) for the reminders the batch has just created, written in the
batch's transaction.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, NamedTuple

from django.db import connection

from ducha.bulk import array_literal, execute_arrays, insert_ignore
from ducha.inbox.models import Notification
from ducha.reminders.audience import Resolver
from ducha.reminders.models import (
    AccountabilityProposal,
    Channel,
    LetterProposal,
    OutboxMessage,
    OutboxStatus,
    Reminder,
    UrgeNotice,
)
from ducha.rules.escalation import Action, DueReminder


class ClaimedMatter(NamedTuple):
    """A matter as the scan claims it: one row of the claim query, in ``engine._FIELDS`` order."""

    id: int
    number: str
    title: str
    status: str
    start_date: date
    due_date: date | None
    last_progress_on: date | None
    progress: int
    lead_unit_id: int
    leader_id: int


class OpenPart(NamedTuple):
    """A co-unit's part not yet done, in ``engine._PART_FIELDS`` order."""

    id: int
    matter_id: int
    unit_id: int
    due_date: date
    last_progress_on: date | None
    part: str


Key = tuple[int, str, str, date]  # matter, kind, stage, deadline: the reminder's unique key
Wanted = tuple[ClaimedMatter, DueReminder, tuple[str, str, str]]  # the matter, the reminder, (title, body, light)

_NOTIFICATION_FIELDS = ("user", "reminder", "title", "body", "light")
_INBOX_SQL = (
    f"INSERT INTO {Notification._meta.db_table} (user_id, reminder_id, title, body, light, created_at) "  # noqa: S608
    f"SELECT v.u, r.id, r.title, r.body, r.light, now() FROM unnest(%s::bigint[], %s::bigint[]) AS v(u, rid) "
    f"JOIN {Reminder._meta.db_table} r ON r.id = v.rid"
)
_OUTBOX_FIELDS = ("reminder", "channel", "user", "robot", "address", "idempotency_key", "urgent", "status",
                  "attempts", "next_attempt_at", "receipt", "last_error")


def fan_out(inserted: list[tuple[Any, ...]], wanted: dict[Key, Wanted], part_info: dict[int, OpenPart],
             res: Resolver, now: datetime, today: date) -> tuple[int, int]:
    """Inbox rows, outbox rows and escalation records for the reminders this batch created.

    The inbox is a table in the same database, so its delivery is written here, in the
    reminder's transaction, under the idempotency key: exactly once by construction. The
    other channels leave the database and go through the outbox."""
    todo = [(rid, key, *wanted[key]) for rid, *rest in inserted for key in [tuple(rest)]]
    matter_ids = sorted({m.id for _, _, m, _, _ in todo})
    assignees = res.assignees(matter_ids, {m.id: m.lead_unit_id for _, _, m, _, _ in todo})
    # Who and by which channels depends on the audience, the lead unit, the assignees and the
    # leader, which many reminders of a batch share: each combination is resolved once.
    audiences: dict[Any, list[int]] = {}
    per_reminder = []
    for rid, key, m, d, text in todo:
        who = assignees.get(m.id)
        k = (d.audience, m.lead_unit_id, tuple(who) if who else (), m.leader_id)
        people = audiences.get(k)
        if people is None:
            people = audiences[k] = res.recipients(d.audience, m.lead_unit_id, who or [], m.leader_id)
        per_reminder.append((rid, key, m, d, text, k))
    res.load_people({pid for people in audiences.values() for pid in people})
    channels: dict[tuple[Any, bool], list[tuple[str, int | None, int | None, str]]] = {}
    inbox: list[tuple[Any, ...]] = []
    outbox: list[tuple[Any, ...]] = []
    urges: list[tuple[Any, ...]] = []
    proposals: list[tuple[Any, ...]] = []
    letters: list[tuple[Any, ...]] = []
    pg = connection.vendor == "postgresql"
    for rid, key, m, d, text, k in per_reminder:
        stem = ""
        ch = channels.get((k, d.urgent))
        if ch is None:
            ch = channels[(k, d.urgent)] = res.channels(audiences[k], d.urgent)
        for channel, user_id, robot_id, address in ch:
            if channel == Channel.INBOX:  # its key is the unique (reminder, user)
                inbox.append((user_id, rid) if pg else (user_id, rid, *text))
                continue
            # Derived from the reminder's unique key, not its row id: should a committed batch ever be
            # lost and redone, the same message gets the same key and receivers still drop the repeat.
            stem = stem or f"{key[0]}.{key[1][0]}.{key[2]}.{key[3]:%Y%m%d}"
            ident = f"{stem}.{channel}.{'u' if user_id is not None else 'r'}{user_id or robot_id}"
            outbox.append((rid, channel, user_id, robot_id, address, ident, d.urgent,
                           OutboxStatus.PENDING.value, 0, now, {}, ""))
        if d.action == Action.URGE_NOTICE:
            urges.append((m.id, rid, d.deadline, today))
        elif d.action == Action.ACCOUNTABILITY:
            proposals.append((m.id, rid, d.deadline, today,
                              f"逾期{d.workdays}个工作日未办结"))
        if d.co_part_id is not None and d.letter_reason is not None:
            letters.append((m.id, d.co_part_id, m.lead_unit_id, part_info[d.co_part_id].unit_id, d.letter_reason.value,
                            d.deadline, rid))
    if pg and inbox:
        # The inbox message says what the reminder says: its texts are copied inside the
        # database, not sent a second time. Each pair is new (the reminder was created by this
        # transaction, the pairs are distinct), so no conflict can arise and the INSERT skips
        # the cost of ON CONFLICT; the unique (reminder, user) key still stands guard.
        inbox = list(dict.fromkeys(inbox))
        execute_arrays(_INBOX_SQL, [array_literal([i[0] for i in inbox]), array_literal([i[1] for i in inbox])])
    else:
        insert_ignore(Notification, _NOTIFICATION_FIELDS, inbox)
    insert_ignore(OutboxMessage, _OUTBOX_FIELDS, outbox)
    insert_ignore(UrgeNotice, ("matter", "reminder", "deadline", "issued_on"), urges)
    insert_ignore(AccountabilityProposal, ("matter", "reminder", "deadline", "proposed_on", "reason"), proposals)
    insert_ignore(LetterProposal, ("matter", "co_part", "from_unit", "to_unit", "reason", "due_date", "reminder"),
                  letters)
    return len(inbox), len(outbox)
