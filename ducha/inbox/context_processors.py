"""The unread count on every page: one indexed COUNT over the partial index of unread rows."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from ducha.inbox.models import Notification


def inbox(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_unread": 0}
    # Lazy: pages that never render the navigation bar (htmx fragments) pay nothing.
    return {"nav_unread": SimpleLazyObject(
        lambda: Notification.objects.filter(user_id=user.pk, read_at__isnull=True).count()
    )}
