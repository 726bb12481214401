"""DingTalk and WeCom group robots (钉钉 / 企业微信 自定义机器人).

Both accept 20 messages a minute per robot (DingTalk then throttles for 10 minutes), so
messages for one robot are merged into digests and every post is first reserved against
the robot's last minute of ``RobotPost`` rows, under a row lock on the robot: workers on
several machines share one budget. What does not fit waits, it is not dropped.

DingTalk 加签: the string ``timestamp + "\\n" + secret`` is signed with HMAC-SHA256 keyed by
the secret, Base64-encoded and URL-encoded, and sent as the ``timestamp`` and ``sign``
query parameters. WeCom has no signature: the ``key`` in the URL is the credential, so
URLs are redacted in every log line and error message.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import re
import time as pytime
import urllib.error
import urllib.request
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote_plus

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from ducha.reminders.channels import Outcome
from ducha.reminders.models import Channel, OutboxMessage, RobotPost, RobotWebhook

log = logging.getLogger("ducha.reminders.robots")

_SECRET_PARAMS = re.compile(r"(access_token|key|sign)=[^&\s]+")
# DingTalk 130101 "send too fast", WeCom 45009 "api freq out of limit": the robot is throttled.
THROTTLED = {130101, 45009}


def redact(url: str) -> str:
    return _SECRET_PARAMS.sub(r"\1=***", url)


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    string_to_sign = f"{timestamp_ms}\n{secret}".encode()
    digest = hmac.new(secret.encode(), string_to_sign, hashlib.sha256).digest()
    return quote_plus(base64.b64encode(digest))


def signed_url(robot: RobotWebhook, timestamp_ms: int | None = None) -> str:
    if robot.kind != Channel.DINGTALK or not robot.secret:
        return robot.url
    ts = timestamp_ms if timestamp_ms is not None else int(pytime.time() * 1000)
    sep = "&" if "?" in robot.url else "?"
    return f"{robot.url}{sep}timestamp={ts}&sign={dingtalk_sign(robot.secret, ts)}"


def payload(kind: str, title: str, text: str) -> dict[str, Any]:
    if kind == Channel.DINGTALK:
        return {"msgtype": "markdown", "markdown": {"title": title, "text": text}}
    return {"msgtype": "markdown", "markdown": {"content": text}}


def _chunks(messages: Sequence[OutboxMessage]) -> list[list[OutboxMessage]]:
    """Digests of at most DUCHA_ROBOT_DIGEST_MAX items and 3,800 bytes (WeCom's markdown limit is 4,096)."""
    most = settings.DUCHA_ROBOT_DIGEST_MAX
    out: list[list[OutboxMessage]] = []
    size = 0
    for m in messages:
        n = len(_item(m).encode())
        if not out or len(out[-1]) >= most or size + n > 3800:
            out.append([])
            size = 0
        out[-1].append(m)
        size += n
    return out


def _item(m: OutboxMessage) -> str:
    return f"- **{m.reminder.title}**\n  {m.reminder.body}\n"


def _text(chunk: list[OutboxMessage]) -> tuple[str, str]:
    if len(chunk) == 1:
        return chunk[0].reminder.title, f"### {chunk[0].reminder.title}\n\n{chunk[0].reminder.body}\n"
    title = f"督办提醒 {len(chunk)} 条"
    return title, f"### {title}\n\n" + "".join(_item(m) for m in chunk)


def _log_only(robot: RobotWebhook, title: str, text: str, keys: str) -> Outcome:
    """A ``log://`` robot (demo, rehearsal): the signed request goes to DATA_DIR/webhook.log."""
    path = settings.DATA_DIR / "webhook.log"
    line = (f"{timezone.localtime():%Y-%m-%d %H:%M:%S}\t{robot.kind}\t{redact(signed_url(robot))}\t{keys}\t"
            f"{title}\t{len(text.encode())} bytes\n")
    with open(path, "a", encoding="utf-8") as f:
        f.write(line)
    return Outcome(True, {"errcode": 0, "errmsg": "logged", "digest": keys.count(" ") + 1})


def post(robot: RobotWebhook, chunk: list[OutboxMessage]) -> Outcome:
    title, text = _text(chunk)
    body = json.dumps(payload(robot.kind, title, text), ensure_ascii=False).encode()
    keys = " ".join(m.idempotency_key for m in chunk)
    if robot.url.startswith("log://"):
        return _log_only(robot, title, text, keys)
    request = urllib.request.Request(  # noqa: S310 - the URL is the administrator's robot configuration
        signed_url(robot), data=body, method="POST",
        headers={"Content-Type": "application/json; charset=utf-8", "X-Ducha-Message-Keys": keys},
    )
    opener = urllib.request.build_opener(urllib.request.ProxyHandler(settings.DUCHA_HTTP_PROXIES))
    try:
        with opener.open(request, timeout=settings.DUCHA_WEBHOOK_TIMEOUT) as resp:
            raw = resp.read(65536)
    except urllib.error.HTTPError as e:
        return Outcome(False, error=f"HTTP {e.code} from {redact(robot.url)}")
    except (urllib.error.URLError, OSError, TimeoutError) as e:
        return Outcome(False, error=redact(f"{type(e).__name__}: {e}")[:500])
    try:
        answer = json.loads(raw or b"{}")
    except ValueError:
        return Outcome(False, error=f"not JSON from {redact(robot.url)}: {raw[:80]!r}")
    code = int(answer.get("errcode", 0)) if isinstance(answer, dict) else -1
    if code == 0:
        return Outcome(True, {"errcode": 0, "errmsg": answer.get("errmsg", "ok"), "digest": len(chunk)})
    error = f"errcode {code}: {str(answer.get('errmsg', ''))[:200]}"
    if code in THROTTLED:
        return Outcome(False, error=error, hold_until=timezone.now() + timedelta(minutes=10))
    return Outcome(False, error=error)


def _reserve(robot_id: int, wanted: int, now: datetime) -> tuple[int, datetime | None]:
    """Reserve up to ``wanted`` posts in the robot's minute; (granted, when the next slot frees)."""
    limit = settings.DUCHA_ROBOT_PER_MINUTE
    with transaction.atomic():
        if connection.features.has_select_for_update:
            list(RobotWebhook.objects.select_for_update().filter(pk=robot_id).values_list("pk"))
        recent = list(RobotPost.objects.filter(robot_id=robot_id, at__gt=now - timedelta(seconds=60))
                      .order_by("at").values_list("at", flat=True))
        granted = max(0, min(wanted, limit - len(recent)))
        RobotPost.objects.bulk_create([RobotPost(robot_id=robot_id, at=now) for _ in range(granted)])
    if granted >= wanted:
        return granted, None
    frees = (recent[0] if recent else now) + timedelta(seconds=60)
    return granted, max(frees, now + timedelta(seconds=1))


def deliver(messages: Sequence[OutboxMessage], now: datetime) -> dict[int, Outcome]:
    out: dict[int, Outcome] = {}
    by_robot: dict[int, list[OutboxMessage]] = defaultdict(list)
    for m in messages:
        if m.robot_id is None or m.robot is None or not m.robot.is_active:
            out[m.pk] = Outcome(False, error="robot missing or switched off")
            continue
        by_robot[m.robot_id].append(m)
    for robot_id, msgs in by_robot.items():
        chunks = _chunks(msgs)
        granted, frees = _reserve(robot_id, len(chunks), now)
        for i, chunk in enumerate(chunks):
            if i >= granted:
                for m in chunk:
                    out[m.pk] = Outcome(False, hold_until=frees)
                continue
            result = post(chunk[0].robot, chunk)  # type: ignore[arg-type]
            if not result.ok:
                log.warning("robot %s: %s", robot_id, result.error)
            for m in chunk:
                out[m.pk] = result
    return out
