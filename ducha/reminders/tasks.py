"""One-off jobs through the Django Tasks API (django-tasks backport; ``django.tasks`` from Django 6).

The default backend stores tasks in the database and the reminder loop runs them, so an
embedded installation needs nothing more; a multi-machine deployment points the default
at the RQ backend (settings, "Background work").
"""

from __future__ import annotations

import logging

from django.db import transaction
from django_tasks import task

from ducha.reminders import engine

log = logging.getLogger("ducha.reminders")


@task()
def reschedule_all_task() -> int:
    """Every running matter is looked at on the next pass (calendar import, ladder edited)."""
    n = engine.reschedule_all()
    log.info("rescheduled %d matters", n)
    return n


def enqueue_reschedule_all() -> None:
    """Queue the rescheduling once the caller's transaction commits (a rolled-back import
    must not move anything)."""
    transaction.on_commit(reschedule_all_task.enqueue)
