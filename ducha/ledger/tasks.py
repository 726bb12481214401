"""The ledger import as a one-off job of the Django Tasks API (see settings, "Background work").

The upload queues the job; the job page also starts it at once from the browser (htmx), so
an interactive import does not wait for the worker's next pass. Whichever comes first runs
it -- ``run_import_job`` claims the job with a guarded UPDATE -- and the other finds it no
longer queued. An import whose page was closed is still run by the worker.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django_tasks import task

from ducha.ledger.imports import run_import_job

log = logging.getLogger(__name__)


@task()
def import_ledger_task(job_id: int) -> str:
    return str(run_import_job(job_id).status)


def enqueue_import(job_id: int) -> None:
    """Queue the job once the upload is committed; a queue that is down leaves it to the page."""

    def enqueue() -> None:
        try:
            import_ledger_task.enqueue(job_id)
        except Exception:  # the page's own start still runs it
            log.exception("could not queue ledger import job %s", job_id)

    transaction.on_commit(enqueue)
