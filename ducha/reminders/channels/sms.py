"""SMS through a gateway. Government SMS platforms (政务短信平台, 云MAS behind a 前置机) differ
per city, so the gateway is a small class named by the setting DUCHA_SMS_GATEWAY; the demo's
``FileGateway`` writes each message as one line of DATA_DIR/sms.log.

Policy lives here, not in gateways: quiet hours (no SMS 22:00–08:00 unless the reminder is
urgent) and a cap per number and day, both holding messages rather than dropping them.
Phone numbers are masked in every log line.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from datetime import datetime, time, timedelta
from typing import Any, Protocol

from django.conf import settings
from django.db.models import Count
from django.utils import timezone
from django.utils.module_loading import import_string

from ducha.reminders.channels import Outcome, mask_phone
from ducha.reminders.models import Channel, OutboxMessage, OutboxStatus
from ducha.reminders.texts import sms_text

log = logging.getLogger("ducha.reminders.sms")


class SmsGateway(Protocol):
    def send(self, phone: str, text: str, client_id: str) -> dict[str, Any]:
        """Send one message; return the gateway's receipt (message id, status). ``client_id``
        is the idempotency key, for gateways that accept a client message id."""
        ...


class FileGateway:
    """Demo and test gateway: appends ``time  client id  masked number  text`` to DATA_DIR/sms.log."""

    _lock = threading.Lock()

    def send(self, phone: str, text: str, client_id: str) -> dict[str, Any]:
        path = settings.DATA_DIR / "sms.log"
        line = f"{timezone.localtime():%Y-%m-%d %H:%M:%S}\t{client_id}\t{mask_phone(phone)}\t{text}\n"
        with self._lock, open(path, "a", encoding="utf-8") as f:
            f.write(line)
        return {"gateway": "file", "status": "DELIVRD", "client_id": client_id}


def gateway() -> SmsGateway:
    cls = import_string(settings.DUCHA_SMS_GATEWAY)
    gw: SmsGateway = cls()
    return gw


def quiet_until(now: datetime) -> datetime | None:
    """The end of the quiet hours if ``now`` is inside them (setting DUCHA_SMS_QUIET_HOURS, (22, 8))."""
    start, end = settings.DUCHA_SMS_QUIET_HOURS
    local = timezone.localtime(now)
    if start == end:
        return None
    quiet = local.hour >= start or local.hour < end if start > end else start <= local.hour < end
    if not quiet:
        return None
    day = local.date() if local.hour < end else local.date() + timedelta(days=1)
    return timezone.make_aware(datetime.combine(day, time(end)))


def deliver(messages: Sequence[OutboxMessage], now: datetime) -> dict[int, Outcome]:
    out: dict[int, Outcome] = {}
    if not messages:
        return out
    hold = quiet_until(now)
    cap = settings.DUCHA_SMS_PER_NUMBER_PER_DAY
    local_midnight = timezone.make_aware(datetime.combine(timezone.localtime(now).date(), time(0)))
    numbers = {m.address for m in messages}
    sent_today = dict(
        OutboxMessage.objects.filter(channel=Channel.SMS, status=OutboxStatus.SENT, sent_at__gte=local_midnight,
                                     address__in=numbers)
        .values("address").annotate(n=Count("id")).values_list("address", "n")
    )
    gw = gateway()
    for m in messages:
        if hold is not None and not m.urgent:
            out[m.pk] = Outcome(False, hold_until=hold)
            continue
        if sent_today.get(m.address, 0) >= cap:
            out[m.pk] = Outcome(False, hold_until=local_midnight + timedelta(days=1, hours=8))
            continue
        try:
            receipt = gw.send(m.address, sms_text(m.reminder.title, m.reminder.body), m.idempotency_key)
        except Exception as e:
            log.warning("sms to %s failed: %s", mask_phone(m.address), e)
            out[m.pk] = Outcome(False, error=str(e)[:500])
            continue
        sent_today[m.address] = sent_today.get(m.address, 0) + 1
        log.info("sms to %s sent (%s)", mask_phone(m.address), m.idempotency_key)
        out[m.pk] = Outcome(True, receipt)
    return out
