"""S5.1 delivery of reminders: the outbox, retries, dead letters, rate limits and each channel,
against real local endpoints (an http.server on 127.0.0.1 in a thread) — nothing mocked."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
from collections import Counter
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.test import override_settings

from ducha.inbox.models import Notification
from ducha.reminders import engine, outbox
from ducha.reminders.channels import mask_phone
from ducha.reminders.channels.robots import dingtalk_sign, redact
from ducha.reminders.models import OutboxMessage, OutboxStatus, RobotPost, RobotWebhook
from tests.reminders_helpers import at, in_charge_leader, reference_data, running_matter  # noqa: F401

pytestmark = pytest.mark.usefixtures("reference_data")
DUE = date(2026, 9, 30)
OVERDUE_1 = date(2026, 10, 8)
SECRET = "SEC0123456789abcdef"


class FakeRobot:
    """A robot endpoint: answers 500 to the first ``fail_first`` posts, then DingTalk's success.

    It checks the 加签 signature of every post and records the idempotency keys it accepted."""

    def __init__(self, fail_first: int = 0, answer: dict | None = None) -> None:
        self.fail_first = fail_first
        self.answer = answer or {"errcode": 0, "errmsg": "ok"}
        self.posts = 0
        self.accepted: Counter[str] = Counter()
        self.bodies: list[dict] = []
        self.bad_signatures = 0
        self.lock = threading.Lock()
        robot = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                body = json.loads(self.rfile.read(length))
                q = parse_qs(urlsplit(self.path).query)
                with robot.lock:
                    robot.posts += 1
                    failing = robot.posts <= robot.fail_first
                    if "sign" in q:
                        ts = q["timestamp"][0]
                        expected = base64.b64encode(
                            hmac.new(SECRET.encode(), f"{ts}\n{SECRET}".encode(), hashlib.sha256).digest()
                        ).decode()
                        if unquote(q["sign"][0]) != expected and q["sign"][0] != expected:
                            robot.bad_signatures += 1
                    if not failing:
                        robot.bodies.append(body)
                        for key in self.headers.get("X-Ducha-Message-Keys", "").split():
                            robot.accepted[key] += 1
                self.send_response(500 if failing else 200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(b"{}" if failing else json.dumps(robot.answer).encode())

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/robot/send?access_token=tok-secret-123"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> FakeRobot:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


def make_reminders(city, n: int) -> None:
    for i in range(n):
        running_matter(city, due=DUE, title=f"事项{i}")
    assert engine.scan(now=at(OVERDUE_1), today=OVERDUE_1).reminders_created == n


def deliver_until_done(now, rounds: int = 20) -> None:
    for i in range(rounds):
        outbox.deliver(now=now + timedelta(seconds=61 * i))
        if not OutboxMessage.objects.filter(status=OutboxStatus.PENDING).exists():
            return


def test_dingtalk_signature_is_the_documented_one():
    ts = 1577262236757
    string_to_sign = f"{ts}\n{SECRET}".encode()
    raw = base64.b64encode(hmac.new(SECRET.encode(), string_to_sign, hashlib.sha256).digest())
    assert unquote(dingtalk_sign(SECRET, ts)) == raw.decode()
    assert "+" not in dingtalk_sign(SECRET, ts) and "/" not in dingtalk_sign(SECRET, ts)


@override_settings(DUCHA_OUTBOX_BACKOFF_SECONDS=0, DUCHA_ROBOT_DIGEST_MAX=2)
def test_s5_1_failing_then_recovering_webhook_gets_every_message_exactly_once(city):
    with FakeRobot(fail_first=3) as fake:
        RobotWebhook.objects.create(unit=city.units["fgw"], kind="dingtalk", name="发改委群", url=fake.url,
                                    secret=SECRET)
        make_reminders(city, 5)
        keys = set(OutboxMessage.objects.filter(channel="dingtalk").values_list("idempotency_key", flat=True))
        assert len(keys) == 5
        deliver_until_done(at(OVERDUE_1))
    assert fake.bad_signatures == 0
    assert set(fake.accepted) == keys and set(fake.accepted.values()) == {1}
    sent = OutboxMessage.objects.filter(channel="dingtalk")
    assert all(m.status == OutboxStatus.SENT and m.receipt["errcode"] == 0 for m in sent)
    assert max(m.attempts for m in sent) >= 2  # the 500s were real attempts
    assert all("tok-secret-123" not in m.last_error for m in sent)


@override_settings(DUCHA_OUTBOX_BACKOFF_SECONDS=0, DUCHA_OUTBOX_MAX_ATTEMPTS=3)
def test_s5_1_dead_letter_after_n_tries_is_shown_to_the_system_administrator(city, client):
    with FakeRobot(fail_first=1000) as fake:
        RobotWebhook.objects.create(unit=city.units["fgw"], kind="wecom", name="企业微信群",
                                    url=fake.url.replace("access_token=", "key="))
        make_reminders(city, 1)
        deliver_until_done(at(OVERDUE_1), rounds=5)
    dead = OutboxMessage.objects.get(channel="wecom")
    assert (dead.status, dead.attempts) == (OutboxStatus.DEAD, 3)
    assert "key=***" in dead.last_error and "tok-secret-123" not in dead.last_error
    assert Notification.objects.count() == 2  # the inbox is not held up by a broken robot
    client.force_login(city.alice)
    assert client.get("/inbox/dead-letters/").status_code == 404
    client.force_login(city.sysop)
    page = client.get("/inbox/dead-letters/")
    assert page.status_code == 200 and dead.idempotency_key in page.content.decode()
    assert "tok-secret-123" not in page.content.decode()
    client.post(f"/inbox/dead-letters/{dead.id}/retry/")
    dead.refresh_from_db()
    assert (dead.status, dead.attempts) == (OutboxStatus.PENDING, 0)


@override_settings(DUCHA_ROBOT_DIGEST_MAX=1, DUCHA_ROBOT_PER_MINUTE=20)
def test_s5_1_robot_rate_limit_holds_what_does_not_fit_in_the_minute(city):
    with FakeRobot() as fake:
        RobotWebhook.objects.create(unit=city.units["fgw"], kind="dingtalk", name="群", url=fake.url, secret=SECRET)
        make_reminders(city, 25)
        stats = outbox.deliver(now=at(OVERDUE_1))
        assert fake.posts == 20 and stats.held == 5
        held = OutboxMessage.objects.filter(channel="dingtalk", status=OutboxStatus.PENDING)
        assert held.count() == 5 and {m.attempts for m in held} == {0}
        assert outbox.deliver(now=at(OVERDUE_1) + timedelta(seconds=30)).sent == 0
        outbox.deliver(now=at(OVERDUE_1) + timedelta(seconds=61))
        assert fake.posts == 25 and sum(fake.accepted.values()) == 25
    assert RobotPost.objects.count() == 25


@override_settings(DUCHA_ROBOT_DIGEST_MAX=10)
def test_s5_1_bursts_are_merged_into_one_digest(city):
    with FakeRobot() as fake:
        RobotWebhook.objects.create(unit=city.units["fgw"], kind="dingtalk", name="群", url=fake.url, secret=SECRET)
        make_reminders(city, 7)
        outbox.deliver(now=at(OVERDUE_1))
    assert fake.posts == 1 and len(fake.accepted) == 7
    assert fake.bodies[0]["msgtype"] == "markdown" and "7" in fake.bodies[0]["markdown"]["title"]


def test_throttled_robot_waits_ten_minutes(city):
    with FakeRobot(answer={"errcode": 130101, "errmsg": "send too fast"}) as fake:
        RobotWebhook.objects.create(unit=city.units["fgw"], kind="dingtalk", name="群", url=fake.url, secret=SECRET)
        make_reminders(city, 1)
        outbox.deliver(now=at(OVERDUE_1))
    m = OutboxMessage.objects.get(channel="dingtalk")
    assert m.status == OutboxStatus.PENDING and "130101" in m.last_error
    assert m.next_attempt_at >= at(OVERDUE_1) + timedelta(minutes=9)


def test_sms_quiet_hours_hold_until_morning_and_numbers_are_masked(city, settings):
    ivan = in_charge_leader(city)
    running_matter(city, due=DUE)
    engine.scan(now=at(DUE, 7), today=DUE)  # the "due" rung reaches the in-charge leader
    night = at(DUE, 23)
    stats = outbox.deliver(now=night)
    sms = OutboxMessage.objects.get(channel="sms", user=ivan)
    assert stats.held >= 1 and sms.status == OutboxStatus.PENDING and sms.attempts == 0
    assert sms.next_attempt_at == at(date(2026, 10, 1), 8)
    outbox.deliver(now=at(date(2026, 10, 1), 8))
    sms.refresh_from_db()
    assert sms.status == OutboxStatus.SENT and sms.receipt["status"] == "DELIVRD"
    log = (settings.DATA_DIR / "sms.log").read_text(encoding="utf-8")
    assert sms.idempotency_key in log and mask_phone("13912345678") in log and "13912345678" not in log


def test_email_carries_the_idempotency_key_as_message_id(city):
    city.ursula.email = "ursula@fgw.example"
    city.ursula.save()
    make_reminders(city, 1)
    outbox.deliver(now=at(OVERDUE_1))
    (msg,) = mail.outbox
    key = OutboxMessage.objects.get(channel="email").idempotency_key
    assert msg.to == ["ursula@fgw.example"] and msg.extra_headers["Message-ID"].startswith(f"<{key}@")


def test_channel_preferences_switch_email_and_sms_off(city, client):
    ivan = in_charge_leader(city)
    ivan.email = "ivan@fgw.example"
    ivan.save()
    client.force_login(ivan)
    assert client.post("/inbox/settings/", {"email": ""}).status_code == 302
    running_matter(city, due=DUE)
    engine.scan(now=at(DUE), today=DUE)
    assert not OutboxMessage.objects.filter(user=ivan).exists()
    assert Notification.objects.filter(user=ivan).count() == 1


def test_redaction_hides_tokens_keys_and_signatures():
    url = "https://oapi.dingtalk.com/robot/send?access_token=abc&timestamp=1&sign=xyz"
    assert redact(url) == "https://oapi.dingtalk.com/robot/send?access_token=***&timestamp=1&sign=***"
    assert redact("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k-1") .endswith("key=***")


@pytest.mark.parametrize("phone,masked", [("13912345678", "139****5678"), ("123", "***")])
def test_phone_masking(phone, masked):
    assert mask_phone(phone) == masked


@override_settings(DUCHA_SMS_PER_NUMBER_PER_DAY=1)
def test_sms_cap_per_number_holds_the_rest_until_the_next_morning(city):
    ivan = in_charge_leader(city)
    running_matter(city, due=DUE, title="甲")
    running_matter(city, due=DUE, title="乙")
    engine.scan(now=at(DUE, 7), today=DUE)
    outbox.deliver(now=at(DUE, 9))
    sms = OutboxMessage.objects.filter(channel="sms", user=ivan).order_by("id")
    assert [m.status for m in sms] == [OutboxStatus.SENT, OutboxStatus.PENDING]
    assert sms[1].next_attempt_at == at(date(2026, 10, 1), 8) and sms[1].attempts == 0


def pending() -> int:
    return OutboxMessage.objects.filter(status=OutboxStatus.PENDING).count()


def backlog(city, n: int, now) -> None:
    """``n`` e-mails waiting in the outbox, as a busy morning leaves it."""
    from ducha.reminders.models import Reminder

    r = Reminder.objects.first()
    OutboxMessage.objects.bulk_create([
        OutboxMessage(reminder=r, channel="email", user=city.ursula, address=f"p{i}@fgw.example",
                      idempotency_key=f"backlog.{i}", next_attempt_at=now) for i in range(n)])


class SlowRelay(BaseEmailBackend):
    """An SMTP relay taking 10 ms a message."""

    def send_messages(self, email_messages):
        import time

        for _m in email_messages:
            time.sleep(0.01)
        return len(email_messages)


@override_settings(DUCHA_DELIVERY_PASS_MESSAGES=10, DUCHA_DELIVERY_PASS_SECONDS=0)
def test_item_3_delivery_pass_is_bounded_so_scans_interleave(city, clock):
    """S5.1: while a large outbox drains, a matter falling due gets its reminder on the next pass,
    not once the outbox is empty: each pass delivers at most DUCHA_DELIVERY_PASS_MESSAGES."""
    from ducha.reminders import loop
    from ducha.reminders.models import Reminder

    clock.set(OVERDUE_1)
    make_reminders(city, 1)
    backlog(city, 25, at(OVERDUE_1))
    first = loop.run_once()
    assert (first["deliveries_sent"], first["deliveries_more"], pending()) == (10, True, 15)
    newly_due = running_matter(city, due=DUE, title="新到期事项")
    second = loop.run_once()
    assert second["reminders_created"] == 1 and Reminder.objects.filter(matter=newly_due).exists()
    assert Notification.objects.filter(reminder__matter=newly_due).count() == 2  # the inbox, at once
    assert pending() == 5  # the scan came before the drain was over
    third = loop.run_once()
    assert (third["deliveries_sent"], third["deliveries_more"], pending()) == (5, False, 0)
    assert len(mail.outbox) == 25


@override_settings(EMAIL_BACKEND="tests.test_reminders_delivery.SlowRelay")
def test_item_3_delivery_pass_ends_near_its_time_bound_over_a_slow_channel(city):
    """A first small chunk shows the channel's pace; the pass stops near DUCHA_DELIVERY_PASS_SECONDS
    (here 0.3 s), not after all 300 messages (3 s at the relay's pace)."""
    import time

    make_reminders(city, 1)
    backlog(city, 300, at(OVERDUE_1))
    started = time.monotonic()
    stats = outbox.deliver(now=at(OVERDUE_1), max_seconds=0.3)
    took = time.monotonic() - started
    assert stats.more and 10 <= stats.sent < 150 and took < 1.5, (stats, took)
    assert pending() == 300 - stats.sent
    assert outbox.deliver(now=at(OVERDUE_1)).sent == 300 - stats.sent  # unbounded: until nothing is due


@pytest.mark.django_db(transaction=True)
@override_settings(DUCHA_DELIVERY_PASS_MESSAGES=10, DUCHA_DELIVERY_PASS_SECONDS=0)
def test_item_3_loop_starts_the_next_pass_at_once_while_the_outbox_is_behind(city, clock, caplog):
    """The worker's loop does not wait its interval after a pass that ended at its bound: the
    bounded passes follow each other until the outbox has caught up, and only then does it wait."""
    import logging

    from ducha.reminders import loop

    class FirstWait(threading.Event):
        """Stops the loop the first time it waits, noting what was still pending then."""

        pending_then: int | None = None

        def wait(self, timeout=None):
            if self.pending_then is None:
                self.pending_then = pending()
            self.set()
            return True

    clock.set(OVERDUE_1)
    make_reminders(city, 1)
    backlog(city, 25, at(OVERDUE_1))
    stop = FirstWait()
    with caplog.at_level(logging.INFO, logger="ducha.reminders"):
        loop.run_forever(stop, interval=3600)
    passes = [r.args["deliveries_sent"] for r in caplog.records if r.getMessage().startswith("reminder pass:")]
    assert passes == [10, 10, 5] and stop.pending_then == 0
