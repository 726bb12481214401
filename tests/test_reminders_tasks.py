"""One-off jobs through the Django Tasks API: the database backend run by the reminder loop,
and the RQ backend (Redis) that multi-machine deployments use (S5.1 rescheduling)."""

from __future__ import annotations

import socket
from datetime import date

import pytest
from django.db import transaction

from ducha.matters import schedule
from ducha.reminders import loop
from ducha.reminders.tasks import enqueue_reschedule_all, reschedule_all_task
from tests.reminders_helpers import at, check_time, reference_data, running_matter  # noqa: F401

pytestmark = pytest.mark.usefixtures("reference_data")
DUE = date(2026, 9, 30)


def test_s5_1_reschedule_all_runs_as_a_database_task_after_commit(city, django_capture_on_commit_callbacks, clock):
    m = running_matter(city, due=DUE)
    schedule.look_at([m.pk], at(date(2026, 12, 1)))
    now = clock.set(at(date(2026, 11, 20), hour=8), tick=False)
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        enqueue_reschedule_all()
    assert loop.run_db_tasks() == 1
    assert check_time(m) == now  # looked at again at once, not at the old time
    assert loop.run_db_tasks() == 0


def _redis_up() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5):
            return True
    except OSError:
        return False


@pytest.mark.skipif(not _redis_up(), reason="Redis is not reachable on 127.0.0.1:6379 (scripts/test.sh starts it)")
def test_s5_1_reschedule_all_through_the_rq_backend_and_a_burst_worker(city, clock):
    import django_rq
    from django_tasks_rq.backend import Job
    from rq import SimpleWorker

    class _BurstWorker(SimpleWorker):
        """A burst worker without the command channel (rq's pubsub thread for "stop" and "kill"
        from outside): nobody sends it one here, and with the system clock shifted (faketime)
        that thread's 60-second wait never returns, so the worker's teardown would hang."""

        def subscribe(self):
            self.pubsub_thread = None

        def unsubscribe(self):
            pass

    m = running_matter(city, due=DUE)
    schedule.look_at([m.pk], at(date(2026, 12, 1)))
    # A running clock: the RQ worker's Redis listener waits on time.time() and never ends on a
    # clock that stands still.
    now = clock.set(at(date(2026, 11, 20), hour=8))
    queue = django_rq.get_queue("default")
    queue.empty()
    result = reschedule_all_task.using(backend="rq").enqueue()
    assert queue.count == 1
    worker = _BurstWorker([queue], connection=queue.connection, job_class=Job)
    assert worker.work(burst=True)
    assert now <= check_time(m) < at(date(2026, 11, 20))  # looked at again at once
    result.refresh()
    assert result.status == "SUCCESSFUL" and result.return_value == 1
