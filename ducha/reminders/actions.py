"""Writes of the reminders app: choosing channels, re-sending dead letters."""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ducha.org.models import User
from ducha.org.roles import Role
from ducha.reminders.models import ChannelPreference, OutboxMessage, OutboxStatus

log = logging.getLogger("ducha.reminders")


class ReminderError(ValueError):
    """A step that is not allowed; the message names what is wrong."""


def do_save_channel_preference(*, actor: User, email: bool, sms: bool, sms_only_urgent: bool) -> ChannelPreference:
    with transaction.atomic():
        pref, _created = ChannelPreference.objects.update_or_create(
            user=actor, defaults={"email": email, "sms": sms, "sms_only_urgent": sms_only_urgent}
        )
    return pref


def do_retry_dead_letter(*, actor: User, message_id: int) -> OutboxMessage:
    """The system administrator sends a dead letter again (after fixing an address or a robot)."""
    if getattr(actor, "role", "") != Role.SYSTEM_ADMIN:
        raise ReminderError(_("Only the system administrator retries dead letters."))
    rows = OutboxMessage.objects.filter(pk=message_id, status=OutboxStatus.DEAD).update(
        status=OutboxStatus.PENDING, attempts=0, next_attempt_at=timezone.now(), last_error=""
    )
    if rows != 1:
        raise ReminderError(_("Not a dead letter, or already re-queued."))
    log.warning("dead letter %s re-queued by %s", message_id, actor.username)
    return OutboxMessage.objects.get(pk=message_id)
