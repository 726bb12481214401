"""The inbox moved from the reminders app to its own (issue #12): an installation that upgrades
keeps every message, read or unread, and its (reminder, person) key."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from ducha.inbox.models import Notification
from ducha.org.models import User

BEFORE = [("reminders", "0003_scan_failure"), ("inbox", None)]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


@pytest.mark.django_db(transaction=True)
def test_upgrading_keeps_every_message_in_the_renamed_table():
    person = User.objects.create(username="reader", role="auditor")
    _migrate(BEFORE)
    try:
        with connection.cursor() as cur:
            cur.execute(
                "INSERT INTO reminders_notification (user_id, reminder_id, title, body, light, created_at, read_at) "
                "VALUES (%s, NULL, %s, %s, %s, CURRENT_TIMESTAMP, NULL), "
                "(%s, NULL, %s, %s, %s, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)",
                [person.pk, "事项交办", "请按时办理", "", person.pk, "月报退回", "请补充", "yellow"],
            )
    finally:
        _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
    assert "reminders_notification" not in connection.introspection.table_names()
    kept = list(Notification.objects.filter(user=person).order_by("title").values_list("title", "light", "read_at"))
    assert [(t, light, read is not None) for t, light, read in kept] == [("事项交办", "", False),
                                                                          ("月报退回", "yellow", True)]
    assert Notification.objects.filter(user=person, read_at__isnull=True).count() == 1
