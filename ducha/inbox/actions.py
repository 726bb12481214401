"""Writes of the inbox: a person marks their own messages read or unread."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from ducha.inbox.models import Notification
from ducha.org.models import User


class InboxError(ValueError):
    """A step that is not allowed; the message names what is wrong."""


def do_mark_notification_read(*, actor: User, notification_id: int, read: bool = True) -> int:
    """Mark one of the actor's own messages read (or unread again); someone else's is 'not found'."""
    rows = Notification.objects.filter(pk=notification_id, user_id=actor.pk).update(
        read_at=timezone.now() if read else None
    )
    if rows != 1:
        raise InboxError(_("There is no such message."))
    return rows


def do_mark_all_notifications_read(*, actor: User) -> int:
    return Notification.objects.filter(user_id=actor.pk, read_at__isnull=True).update(read_at=timezone.now())
