"""The reminder loop: scan, deliver, run queued one-off tasks; then wait.

Run by ``ducha worker`` (alone, any number of copies) and, as a daemon thread, by
``ducha serve`` / ``ducha demo``. A stop request (SIGTERM, Ctrl-C, the server exiting)
lets the current batch finish: batches are single transactions of a bounded size, so
stopping takes seconds, never a half-written batch.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from typing import Any

from django.conf import settings
from django.db import close_old_connections, connection, transaction

from ducha.reminders import engine, outbox, passes

log = logging.getLogger("ducha.reminders")
# Messages claimed per delivery transaction: small enough that a slow channel (an SMTP relay at
# tens of milliseconds a message) ends a chunk soon after the pass's time bound, and well within
# the claim's lease.
_DELIVERY_CHUNK = 500


def run_db_tasks(limit: int = 20) -> int:
    """Run up to ``limit`` ready tasks of the database backend (when it is the default)."""
    backend = settings.TASKS.get("default", {}).get("BACKEND", "")
    if backend != "django_tasks_db.DatabaseBackend":
        return 0
    from django_tasks_db.management.commands.db_worker import Worker
    from django_tasks_db.models import DBTaskResult

    if not DBTaskResult.objects.ready().filter(backend_name="default").exists():
        return 0
    worker = Worker(
        queue_names=["*"], interval=0, batch=True, backend_name="default", startup_delay=False, max_tasks=None,
        worker_id=f"{socket.gethostname()[:40]}-{os.getpid()}", excluded_queue_names=[],
    )
    done = 0
    while done < limit:
        with transaction.atomic():
            result = DBTaskResult.objects.ready().filter(backend_name="default").get_locked()
            if result is None:
                break
            result.claim(worker.worker_id)
        worker.run_task(result)
        done += 1
    return done


def run_once(*, batch_size: int = 1000, stop: threading.Event | None = None) -> dict[str, Any]:
    """One pass; the figures scripts read from ``ducha worker --once --json``."""
    should_stop = stop.is_set if stop is not None else (lambda: False)
    started = time.monotonic()
    scan = engine.scan(batch_size=batch_size, should_stop=should_stop)
    # Bounded, so a large outbox is drained over several passes with a scan before each: matters
    # falling due meanwhile get their reminders (the inbox at once) instead of waiting for the drain.
    sent = outbox.deliver(max_messages=settings.DUCHA_DELIVERY_PASS_MESSAGES,
                          max_seconds=settings.DUCHA_DELIVERY_PASS_SECONDS, limit=_DELIVERY_CHUNK,
                          should_stop=should_stop)
    tasks = 0 if should_stop() else run_db_tasks()
    others = passes.run_all(should_stop)
    return {
        "reminders_created": scan.reminders_created,
        "inbox_delivered": scan.inbox_delivered,
        "deliveries_queued": scan.outbox_created,
        # inbox rows written with their reminders + outbox messages the channels accepted
        "deliveries_sent": scan.inbox_delivered + sent.sent,
        "deliveries_failed": sent.failed,
        "deliveries_held": sent.held,
        "dead_letters": sent.dead,
        "deliveries_more": sent.more,  # the pass ended at its bound: the next one starts at once
        "matters_checked": scan.matters_checked,
        "matters_swept": scan.swept,
        "matters_failed": scan.matters_failed,  # set aside for a while, logged with their error
        "batches": scan.batches,
        "tasks_run": tasks,
        "calendar_missing": scan.calendar_missing,
        **others,  # the passes the apps above register (passes.py)
        "seconds": round(time.monotonic() - started, 3),
    }


def run_forever(stop: threading.Event, *, interval: float, batch_size: int = 1000) -> None:
    log.info("reminder loop started (every %ss)", interval)
    while not stop.is_set():
        close_old_connections()
        try:
            figures = run_once(batch_size=batch_size, stop=stop)
            if figures["reminders_created"] or figures["deliveries_sent"]:
                log.info("reminder pass: %s", figures)
            more = bool(figures["deliveries_more"])
        except Exception:
            # A database restart or a bad row must not end the loop; the next pass retries.
            log.exception("reminder pass failed")
            connection.close()
            more = False
        _wait(stop, 0 if more else interval)
    log.info("reminder loop stopped")


# Set by wake(): a one-off task was queued in this process (a ledger import the office waits
# for), so the in-process loop starts its next pass now instead of after its interval.
_woken = threading.Event()


def wake() -> None:
    _woken.set()


def _wait(stop: threading.Event, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not stop.is_set() and not _woken.is_set() and (left := deadline - time.monotonic()) > 0:
        stop.wait(min(left, 0.25))
    _woken.clear()


def start_in_thread(interval: float | None = None) -> tuple[threading.Thread, threading.Event]:
    """The in-process worker of the embedded deployment (``ducha serve`` / ``ducha demo``)."""
    stop = threading.Event()
    every = float(interval if interval is not None else settings.DUCHA_WORKER_INTERVAL)

    def target() -> None:
        try:
            run_forever(stop, interval=every)
        finally:
            connection.close()

    thread = threading.Thread(target=target, name="ducha-reminders", daemon=True)
    thread.start()
    return thread, stop
