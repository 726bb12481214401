"""The in-app inbox (站内消息): every message a person is sent inside the platform.

Written by ``ducha.inbox.notify`` for one-off facts (a matter assigned, a report returned, a
letter received) and by the reminder scan for reminders, in its own bulk statement under the
(reminder, person) key (ducha.reminders.fanout).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Light(models.TextChoices):
    NONE = "", _("None")  # 无
    YELLOW = "yellow", _("Yellow")  # 黄灯
    RED = "red", _("Red")  # 红灯


class Notification(models.Model):
    """A message in a person's in-app inbox (站内消息)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications", verbose_name=_("person"),
        db_index=False,  # the (user, -created_at) index serves every lookup by person
    )
    # The reminder a message delivers, when it delivers one: its idempotency key (one message per
    # reminder and person). Named, not imported: the reminders sit above the inbox.
    reminder = models.ForeignKey(
        "reminders.Reminder", on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("reminder"),
        db_index=False,  # the unique (reminder, user) index serves it
    )
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"))
    light = models.CharField(_("light"), max_length=10, choices=Light.choices, blank=True)
    created_at = models.DateTimeField(_("received at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")  # 站内消息
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["user"], condition=Q(read_at__isnull=True), name="notification_unread"),
            models.Index(fields=["user", "-created_at"], name="notification_user_time"),
        ]
        # One inbox message per reminder and person: the inbox's idempotency key.
        constraints = [models.UniqueConstraint(fields=["reminder", "user"], name="notification_once")]

    def __str__(self) -> str:
        return self.title
