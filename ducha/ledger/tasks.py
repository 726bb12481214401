"""The ledger import as one-off jobs of the Django Tasks API (see settings, "Background work").

The upload queues the file's check and the office's confirmation queues its write; the worker
runs them (the reminder loop inside ``ducha serve``, woken at once, or ``ducha worker``
processes on their next pass), never the web request. ``run_import_job`` claims the job with
a guarded UPDATE, so a task run twice does its step once.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django_tasks import task

from ducha.ledger.import_job import run_import_job

log = logging.getLogger(__name__)


@task()
def import_ledger_task(job_id: int) -> str:
    return str(run_import_job(job_id).status)


def enqueue_import(job_id: int) -> None:
    """Queue the job's next step once the caller's transaction commits."""

    def enqueue() -> None:
        try:
            import_ledger_task.enqueue(job_id)
        except Exception:  # the job stays waiting; the page says so and the upload can be repeated
            log.exception("could not queue ledger import job %s", job_id)
            return
        from ducha.reminders.loop import wake

        wake()

    transaction.on_commit(enqueue)
