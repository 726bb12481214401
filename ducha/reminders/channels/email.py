"""E-mail through Django's mail backend (an SMTP relay in production, the console when none is set, files under `ducha demo`).

The idempotency key becomes the Message-ID, which mail systems use to drop a repeat."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMessage, get_connection

from ducha.reminders.channels import Outcome, mask_email
from ducha.reminders.models import OutboxMessage

log = logging.getLogger("ducha.reminders.email")


def deliver(messages: Sequence[OutboxMessage]) -> dict[int, Outcome]:
    out: dict[int, Outcome] = {}
    if not messages:
        return out
    host = urlsplit(settings.DUCHA_SITE_URL).hostname or "ducha.local"
    site = settings.DUCHA_SITE_URL
    try:
        connection = get_connection(fail_silently=False)
        connection.open()
    except Exception as e:  # an unreachable relay fails every message of the pass alike
        return {m.pk: Outcome(False, error=f"SMTP connection: {e}"[:500]) for m in messages}
    try:
        for m in messages:
            message_id = f"<{m.idempotency_key}@{host}>"
            body = m.reminder.body + (f"\n\n{site}/inbox/" if site else "")
            msg = EmailMessage(m.reminder.title, body, settings.DEFAULT_FROM_EMAIL, [m.address],
                               headers={"Message-ID": message_id}, connection=connection)
            try:
                msg.send(fail_silently=False)
            except Exception as e:
                log.warning("email to %s failed: %s", mask_email(m.address), e)
                out[m.pk] = Outcome(False, error=str(e)[:500])
            else:
                out[m.pk] = Outcome(True, {"message_id": message_id})
    finally:
        connection.close()
    return out
