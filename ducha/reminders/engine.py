"""The scan: find matters whose check time has come, decide with the rules, record once.

Each open matter has a check time in ``matters.MatterCheck`` (a narrow row of its own, not a
column of the wide matter row: docs/decisions/0002); a partial index holds only the rows
that have one, and a scan reads only those whose time has come. A batch is one transaction:

1. claim up to ``batch_size`` due check rows, with their matters. PostgreSQL: ``SELECT …
   FOR UPDATE OF <check row> SKIP LOCKED``,
   so any number of workers on any number of machines split the work without waiting on
   each other. SQLite: the transaction is IMMEDIATE (see ducha.dburl), i.e. it takes the
   database's write lock at BEGIN, so one worker at a time claims; the in-process worker
   is the only one an embedded installation runs.
2. evaluate each matter with ``ducha.rules.escalation.evaluate``;
3. insert the reminders with ``bulk_create(ignore_conflicts=True)`` under the unique key
   (matter, kind, stage, deadline) and read back the ones this batch inserted (by its
   batch token): only those fan out, so a reminder is created, and sent, once;
4. in the same transaction, write the outbox rows (unique idempotency key), the 催办单,
   accountability and reminder-letter records, and have the matters app write each
   matter's next check time (``matters.schedule.set_next_checks``).

A matter the engine holds no time for (``Matter.check_scheduled`` false: never looked at,
or last found not running) is found by the sweep once it runs, whoever made it run.

A worker killed mid-batch rolls the whole batch back; the rows are still due and the
next scan takes them. Nothing is lost, nothing is doubled.

A matter that raises (broken data) does not: it is set aside for a while (``failures``),
logged, and the batch goes on, so it cannot stall the queue by being claimed first again
and again. The module is over 400 lines because the claim, the batch and its lanes share
one transaction discipline that reads best in one place.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django import db
from django.conf import settings
from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone

from ducha.bulk import filter_ids, insert_ignore
from ducha.matters import schedule
from ducha.matters.models import CoUnitPart, MatterCheck
from ducha.reminders import failures
from ducha.reminders.audience import Resolver
from ducha.reminders.fanout import ClaimedMatter, Key, OpenPart, Wanted, fan_out
from ducha.reminders.models import EscalationRung, Reminder
from ducha.reminders.texts import MatterLine, Phrases, compose
from ducha.rules.escalation import Action, Audience, CoPartFacts, DueReminder, MatterFacts, Policy, Rung, evaluate
from ducha.rules.lifecycle import RUNNING
from ducha.rules.workdays import WorkCalendar
from ducha.workcal import service as workcal

log = logging.getLogger("ducha.reminders")



@dataclass
class ScanStats:
    batches: int = 0
    matters_checked: int = 0
    reminders_created: int = 0
    inbox_delivered: int = 0  # inbox rows written with their reminders
    outbox_created: int = 0  # messages queued for the channels outside the database
    swept: int = 0
    matters_failed: int = 0  # set aside for a while: their data broke the rules or the database refused it
    calendar_missing: bool = False
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Rules:
    ladder: tuple[Rung, ...]
    names: dict[str, tuple[str, int]]  # rung code -> (name, offset)
    policy: Policy
    phrases: Phrases
    memo: dict[Any, Any] = field(default_factory=dict)  # for ``evaluate``, one pass
    set_aside: bool = False  # some matters were set aside after failing: a look that succeeds clears them


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
        inaction_workdays=settings.DUCHA_INACTION_WORKDAYS,
        co_unit_workdays=settings.DUCHA_CO_UNIT_SLOW_WORKDAYS,
        co_unit_overdue_workdays=settings.DUCHA_CO_UNIT_OVERDUE_WORKDAYS,
        behind_checkpoints=settings.DUCHA_BEHIND_CHECKPOINTS,
    )
    return Rules(tuple(ladder), names, policy, Phrases(), set_aside=failures.any_set_aside())


def check_time() -> time:
    """Reminders fall due at the start of the working day (setting DUCHA_REMINDER_TIME, 08:30)."""
    reminder_time: time = settings.DUCHA_REMINDER_TIME
    return reminder_time


def _next_check_at(d: date | None, now: datetime, memo: dict[Any, Any]) -> datetime | None:
    """The start of the working day ``d`` (None: never). ``memo`` belongs to one pass, one ``now``."""
    if d is None:
        return None
    at: datetime | None = memo.get(("at", d))
    if at is None:
        at = timezone.make_aware(datetime.combine(d, check_time()))
        # With a pinned "today" (rehearsals, tests) the date may lie behind the clock: look again
        # in an hour rather than on every pass.
        at = memo[("at", d)] = at if at > now else now + timedelta(hours=1)
    return at


# -- scheduling hooks for other apps ---------------------------------------------------------


def reschedule_matter(matter_id: int, *, now: datetime | None = None) -> None:
    """Look at this matter on the next pass: call after its deadline, status or co-units change."""
    schedule.look_at([matter_id], now or timezone.now())


def reschedule_all(*, now: datetime | None = None) -> int:
    """Look at every running matter on the next pass (a calendar import moved due dates, the
    ladder was edited). Returns the number of matters with a check time; the others the
    sweep schedules on that same pass."""
    return schedule.look_at_all_running(now or timezone.now())


def sweep(now: datetime) -> int:
    """Running matters the engine holds no check time for (just assigned, resumed, created or
    imported running) are due now. One indexed read when there are none."""
    ids = list(schedule.unscheduled_running())
    if ids:
        schedule.schedule(ids, now)
    return len(ids)


# -- the scan --------------------------------------------------------------------------------

_FIELDS = ("matter_id", "matter__number", "matter__title", "matter__status", "matter__start_date",
           "matter__due_date", "matter__last_progress_on", "matter__progress", "matter__lead_unit_id",
           "matter__responsible_leader_id")
_PART_FIELDS = ("id", "matter_id", "unit_id", "due_date", "last_progress_on", "part")


def claim_queryset(now: datetime, batch_size: int, only: list[int] | None = None) -> QuerySet[MatterCheck]:
    """The due check rows, oldest first, through the partial index ``matter_next_check``.

    Only the check rows are locked: workers skip each other's, while people keep working on
    the matters. A matter changed during the batch is evaluated as it was read; every change
    that matters reschedules it (``matters.schedule.look_at``, waiting for this batch's lock) or
    makes it running and so visible to the sweep."""
    qs = MatterCheck.objects.filter(next_check_at__lte=now).order_by("next_check_at")
    if only is not None:
        qs = qs.filter(matter_id__in=only)
    if connection.features.has_select_for_update_skip_locked:
        qs = qs.select_for_update(skip_locked=True, of=("self",))
    return qs[:batch_size]


def _claim(now: datetime, batch_size: int, only: list[int] | None) -> list[ClaimedMatter]:
    return [ClaimedMatter._make(r) for r in claim_queryset(now, batch_size, only).values_list(*_FIELDS)]


def _columns(d: DueReminder, memo: dict[Any, Any]) -> tuple[str, str, str]:
    """Kind, action and audience of a reminder as stored: a handful of combinations per pass."""
    key = ("columns", d.kind, d.action, d.audience)
    got = memo.get(key)
    if got is None:
        got = memo[key] = (d.kind.value, d.action.value, ",".join(sorted(a.value for a in d.audience)))
    return got


def _scan_batch(now: datetime, today: date, cal: WorkCalendar, rules: Rules, res: Resolver,
                batch_size: int, stats: ScanStats, only: list[int] | None = None) -> int:
    """One batch: up to ``batch_size`` due matters (``only``: those of these ids) in one transaction.

    A matter whose evaluation raises is set aside and the batch goes on. Should the batch's
    transaction fail all the same (the database refuses a row, a row cannot be read), its
    matters are taken again one at a time, so only the one at fault is set aside. A failure of
    the database itself (connection, lock, timeout) is not a matter's fault: it ends the pass
    and the loop tries again."""
    claimed: list[int] = []
    try:
        return _batch(now, today, cal, rules, res, batch_size, stats, only, claimed)
    except (db.OperationalError, db.InterfaceError):
        raise
    except Exception as e:
        ids = claimed or _due_ids(now, batch_size, only)
        if not ids:
            raise
        log.warning("reminder scan: a batch of %d matters failed (%s: %s); looking at them one by one",
                    len(ids), type(e).__name__, e)
        for mid in ids:
            try:
                _batch(now, today, cal, rules, res, 1, stats, [mid], [])
            except (db.OperationalError, db.InterfaceError):
                raise
            except Exception as one:
                failures.set_aside([(mid, one)], now)
                stats.matters_failed += 1
        return len(ids)


def _due_ids(now: datetime, batch_size: int, only: list[int] | None) -> list[int]:
    """The ids of the batch that could not be read: the check rows alone, without their matters."""
    with transaction.atomic():
        return list(claim_queryset(now, batch_size, only).values_list("matter_id", flat=True))


def _batch(now: datetime, today: date, cal: WorkCalendar, rules: Rules, res: Resolver, batch_size: int,
           stats: ScanStats, only: list[int] | None, claimed: list[int]) -> int:
    token = uuid.uuid4().hex
    with transaction.atomic():
        rows = _claim(now, batch_size, only)
        if not rows:
            return 0
        claimed.extend(r.id for r in rows)
        running = [r for r in rows if r.status in RUNNING]
        ids = [r.id for r in running]
        parts: dict[int, list[OpenPart]] = {}
        if ids:
            for values in filter_ids(CoUnitPart.objects.filter(done_on__isnull=True), "matter", ids).values_list(
                *_PART_FIELDS
            ):
                p = OpenPart._make(values)
                parts.setdefault(p.matter_id, []).append(p)
        part_info = {p.id: p for ps in parts.values() for p in ps}
        res.load_units({r.lead_unit_id for r in running} | {p.unit_id for p in part_info.values()})

        new: list[tuple[Any, ...]] = []
        wanted: dict[Key, Wanted] = {}
        next_checks: list[tuple[int, datetime | None]] = []
        failed: list[tuple[int, Exception]] = []
        memo = rules.memo
        for r in rows:
            mid = r.id
            kept = len(new)
            try:
                own = parts.get(mid)
                facts = MatterFacts(
                    start=r.start_date, due=r.due_date, running=r.status in RUNNING, last_progress=r.last_progress_on,
                    progress=r.progress,
                    co_parts=tuple(CoPartFacts(p.id, p.due_date, False, p.last_progress_on) for p in own) if own else (),
                )
                ev = evaluate(facts, today, cal, rules.ladder, rules.policy, memo)
                check = (mid, _next_check_at(ev.next_check, now, memo))
                if ev.due_now:
                    line = MatterLine(mid, r.number, r.title, r.due_date, r.progress,
                                      res.unit_names.get(r.lead_unit_id, ""))
                    for d in ev.due_now:
                        name, offset = rules.names.get(d.stage, ("", 0))
                        co = part_info.get(d.co_part_id) if d.co_part_id else None
                        head, body = compose(line, d, rules.phrases, rung_name=name, rung_offset=offset,
                                             co_unit=res.unit_names.get(co.unit_id, "") if co else "",
                                             co_part=co.part if co else "")
                        kind, action, audience = _columns(d, memo)
                        new.append((mid, kind, d.stage, d.deadline, d.light, action, d.urgent, d.co_part_id, head,
                                    body, audience))
                        wanted[(mid, kind, d.stage, d.deadline)] = (r, d, (head, body, d.light))
                next_checks.append(check)
            except Exception as e:  # this matter's data, not the batch's: set it aside and go on
                for row in new[kept:]:
                    wanted.pop(row[:4], None)
                del new[kept:]
                failed.append((mid, e))
        if new:
            inserted = insert_ignore(Reminder, _REMINDER_FIELDS, new, returning=_REMINDER_KEY, same={"batch": token})
            if connection.vendor != "postgresql":
                inserted = list(filter_ids(Reminder.objects.filter(batch=token), "matter", [r.id for r in rows])
                                .values_list(*_REMINDER_KEY))
            inbox, queued = fan_out(inserted, wanted, part_info, res, now, today)
        else:
            inserted, inbox, queued = [], 0, 0
        schedule.set_next_checks(next_checks)
        if failed:
            failures.set_aside(failed, now)
        if rules.set_aside and next_checks:
            failures.forget([c[0] for c in next_checks])
    # Counted once committed: a batch that fails is taken again matter by matter.
    stats.batches += 1
    stats.matters_checked += len(rows) - len(failed)
    stats.matters_failed += len(failed)
    stats.reminders_created += len(inserted)
    stats.inbox_delivered += inbox
    stats.outbox_created += queued
    return len(rows)


_REMINDER_FIELDS = ("matter", "kind", "stage", "deadline", "light", "action", "urgent", "co_part", "title", "body",
                    "audience")
_REMINDER_KEY = ("id", "matter", "kind", "stage", "deadline")
def scan(*, now: datetime | None = None, today: date | None = None, batch_size: int = 1000,
         max_batches: int | None = None, should_stop: Callable[[], bool] = lambda: False,
         connections: int | None = None) -> ScanStats:
    """One pass: every matter whose check time has come, in batches, until none is left.

    On PostgreSQL, once a first full batch shows there is more, the batches run over
    ``connections`` database connections at once (setting DUCHA_SCAN_CONNECTIONS, default 2):
    while one lane waits on the database, another evaluates its matters. The lanes are
    exactly the workers of the module docstring, inside one process. Any number of them
    split the due rows with SKIP LOCKED. On SQLite, or inside a caller's transaction (only
    its own connection sees its rows), there is one lane."""
    stats = ScanStats()
    now = now or timezone.now()
    today = today or workcal.today()
    lanes = _lanes(connections)
    stats.swept = sweep(now)
    # A quiet pass (the usual one) costs two indexed statements and nothing else.
    if not MatterCheck.objects.filter(next_check_at__lte=now).exists():
        return stats
    try:
        cal = workcal.get_calendar()
    except workcal.CalendarEmpty:
        stats.calendar_missing = True
        return stats
    rules = load_rules()
    budget = _Budget(max_batches)

    def batch(res: Resolver, st: ScanStats) -> int:
        return _scan_batch(now, today, cal, rules, res, batch_size, st)

    res = Resolver()
    if budget.take() and (batch(res, stats) < batch_size or should_stop()):
        budget.close()
    helpers: list[threading.Thread] = []
    helper_stats = [ScanStats() for _ in range(lanes - 1)]
    errors: list[BaseException] = []
    if budget.take(release=True):
        for st in helper_stats:
            helpers.append(threading.Thread(target=_helper_lane, args=(batch, st, budget, batch_size, should_stop,
                                                                      errors), name="ducha-scan-lane", daemon=True))
            helpers[-1].start()
    try:
        _lane(batch, res, stats, budget, batch_size, should_stop)
    finally:
        budget.close()
        for t in helpers:
            t.join()
    if errors:
        raise errors[0]
    for st in helper_stats:
        for name in ("batches", "matters_checked", "matters_failed", "reminders_created", "inbox_delivered",
                     "outbox_created"):
            setattr(stats, name, getattr(stats, name) + getattr(st, name))
    if stats.reminders_created:
        log.info("reminders: %d created, %d inbox messages, %d deliveries queued", stats.reminders_created,
                 stats.inbox_delivered, stats.outbox_created)
    return stats


def _lanes(asked: int | None) -> int:
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return 1
    return max(1, int(asked if asked is not None else settings.DUCHA_SCAN_CONNECTIONS))


class _Budget:
    """The batches a pass may still start, shared by its lanes; closed once a lane finds the
    due rows exhausted, is asked to stop, or fails."""

    def __init__(self, limit: int | None) -> None:
        self.left = limit
        self.open = True
        self.lock = threading.Lock()

    def take(self, *, release: bool = False) -> bool:
        """One batch more may start (``release``: only ask, take nothing)."""
        with self.lock:
            if not self.open or self.left == 0:
                return False
            if self.left is not None and not release:
                self.left -= 1
            return True

    def close(self) -> None:
        with self.lock:
            self.open = False


def _lane(batch: Callable[[Resolver, ScanStats], int], res: Resolver, stats: ScanStats, budget: _Budget,
          batch_size: int, should_stop: Callable[[], bool]) -> None:
    while budget.take():
        if batch(res, stats) < batch_size or should_stop():
            budget.close()


def _helper_lane(batch: Callable[[Resolver, ScanStats], int], stats: ScanStats, budget: _Budget, batch_size: int,
                 should_stop: Callable[[], bool], errors: list[BaseException]) -> None:
    try:
        _lane(batch, Resolver(), stats, budget, batch_size, should_stop)  # its own organisation cache
    except BaseException as e:  # re-raised by the pass, after every lane has stopped
        errors.append(e)
        budget.close()
    finally:
        db.connections.close_all()  # this thread's own connection
