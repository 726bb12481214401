"""Log-in controls (等保 §8.1.4.1 b, ASVS 6.3/7.x): lock-out, same reply for unknown names,
rate limit, idle and absolute session timeouts, log-out that clears the server session."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.sessions.models import Session
from django.test import Client

from ducha.audit.models import AuditEvent
from ducha.security.models import LoginThrottle, UserSession
from tests.conftest import PASSWORD

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def login(client, username, password=PASSWORD, **extra):
    return client.post("/login/", {"username": username, "password": password}, **extra)


def test_sixth_try_is_refused_even_with_the_right_password_then_lock_expires(city, client):
    with time_machine.travel(T0, tick=False) as traveller:
        for _ in range(5):
            assert login(client, "sam", "wrong").status_code == 200
        refused = login(client, "sam")
        assert refused.status_code == 200 and "_auth_user_id" not in client.session
        assert "30" in refused.content.decode()  # says how long
        assert AuditEvent.objects.filter(action="security.lock", after__username="sam").exists()
        assert AuditEvent.objects.filter(action="auth.login_refused", result="denied").exists()
        traveller.shift(timedelta(minutes=29))
        assert login(client, "sam").status_code == 200
        traveller.shift(timedelta(minutes=2))
        assert login(client, "sam").status_code == 302  # cool-off over
        assert not LoginThrottle.objects.filter(username="sam").exists()


def _form_part(page: str, name: str) -> str:
    import re

    page = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page).replace(name, "X")
    return page.split("<main")[1].split("</form>")[0]


def test_unknown_user_and_wrong_password_get_the_same_reply(city, client):
    wrong = login(client, "sam", "nope").content.decode()
    unknown = login(client, "nosuchperson", "nope").content.decode()
    assert _form_part(wrong, "sam") == _form_part(unknown, "nosuchperson")
    # and an unknown name locks exactly like a real one, with the same message
    for _ in range(4):
        login(client, "sam", "nope")
        login(client, "nosuchperson", "nope")
    assert _form_part(login(client, "sam").content.decode(), "sam") == _form_part(
        login(client, "nosuchperson").content.decode(), "nosuchperson")
    assert LoginThrottle.objects.filter(username="nosuchperson", locked_until__isnull=False).exists()


def test_lock_is_per_name_and_address_and_per_name(city, settings):
    settings.DUCHA_LOCKOUT_ACCOUNT_ATTEMPTS = 8
    a, b, c = (Client(REMOTE_ADDR=f"10.0.0.{i}") for i in (1, 2, 3))
    for _ in range(5):
        login(a, "sam", "wrong")
    assert login(a, "sam").status_code == 200  # this address is locked for sam
    assert login(b, "sam").status_code == 302  # another address is not (malicious lock-out curbed)
    for _ in range(5):
        login(a, "carl", "wrong")
    b = Client(REMOTE_ADDR="10.0.0.2")  # the first b is logged in as sam now
    for _ in range(3):
        login(b, "carl", "wrong")  # 5 + 3 = 8 failures for the name from anywhere
    assert login(c, "carl").status_code == 200  # locked everywhere


def test_security_administrator_lists_and_unlocks(city, client):
    for _ in range(5):
        login(client, "carl", "wrong")
    sec = Client()
    sec.force_login(city.sec)
    page = sec.get("/security/lockouts/").content.decode()
    assert "carl" in page
    assert sec.post("/security/lockouts/unlock/", {"username": "carl"}).status_code == 302
    assert not LoginThrottle.objects.filter(username="carl").exists()
    event = AuditEvent.objects.get(action="security.unlock")
    assert event.username == "sec" and event.before["locks"]
    assert login(client, "carl").status_code == 302


def test_login_rate_limit_per_address(city, settings):
    settings.DUCHA_LOGIN_RATE = (3, 60)
    c = Client(REMOTE_ADDR="10.9.9.9")
    for name in ("a", "b", "c"):
        assert login(c, name, "x").status_code == 200
    assert login(c, "sam").status_code == 429


def test_idle_timeout_deletes_the_session_row(city, client):
    with time_machine.travel(T0, tick=False) as traveller:
        assert login(client, "sam").status_code == 302
        key = client.session.session_key
        traveller.shift(timedelta(minutes=29))
        assert client.get("/").status_code == 200  # activity resets the idle clock
        traveller.shift(timedelta(minutes=29))
        assert client.get("/").status_code == 200
        traveller.shift(timedelta(minutes=31))
        response = client.get("/units/")
        assert response.status_code == 302 and response["Location"].startswith("/login/?next=/units/")
        assert not Session.objects.filter(session_key=key).exists()
        assert not UserSession.objects.filter(session_key=key).exists()
        assert AuditEvent.objects.filter(action="auth.timeout", username="sam").exists()


def test_absolute_timeout_after_twelve_hours(city, client):
    with time_machine.travel(T0, tick=False) as traveller:
        login(client, "sam")
        for _ in range(12 * 4 + 1):
            traveller.shift(timedelta(minutes=15))
            response = client.get("/")
        assert response.status_code == 302 and "/login/" in response["Location"]


def test_logout_flushes_the_session_and_clears_site_data(city, client):
    login(client, "sam")
    key = client.session.session_key
    assert client.get("/logout/").status_code == 405  # no state change on GET
    response = client.post("/logout/")
    assert response.status_code == 302 and '"cache"' in response["Clear-Site-Data"]
    assert not Session.objects.filter(session_key=key).exists()
    assert AuditEvent.objects.filter(action="auth.logout", username="sam").exists()


def test_authenticated_pages_are_not_stored(city, client):
    login(client, "sam")
    assert "no-store" in client.get("/").headers["Cache-Control"]
    assert "no-store" in Client().get("/login/").headers["Cache-Control"]


def test_new_session_id_at_login(city, client):
    client.get("/login/")
    client.cookies["sessionid"] = "attacker-chosen-id"
    login(client, "sam")
    assert client.session.session_key != "attacker-chosen-id"


def test_csrf_is_enforced_on_login_and_logout(city):
    strict = Client(enforce_csrf_checks=True)
    assert login(strict, "sam").status_code == 403
    strict.force_login(city.sam)
    assert strict.post("/logout/").status_code == 403


def test_login_events_are_audited_with_source_and_agent(city):
    c = Client(REMOTE_ADDR="10.1.2.3", HTTP_USER_AGENT="TestBrowser/1.0")
    login(c, "sam", "wrong")
    login(c, "sam")
    failed = AuditEvent.objects.get(action="auth.login_failed")
    ok = AuditEvent.objects.get(action="auth.login", username="sam")
    assert failed.src_ip == ok.src_ip == "10.1.2.3" and ok.user_agent == "TestBrowser/1.0"
    assert failed.result == "fail" and failed.after == {"username": "sam"}
    assert ok.request_id and ok.ts.tzinfo is not None


def test_forwarded_address_only_from_a_trusted_proxy(city, settings):
    login(Client(REMOTE_ADDR="10.1.1.1", HTTP_X_FORWARDED_FOR="6.6.6.6"), "sam", "x")
    assert AuditEvent.objects.filter(action="auth.login_failed").last().src_ip == "10.1.1.1"
    settings.DUCHA_TRUSTED_PROXIES = ["10.1.1.0/24"]
    login(Client(REMOTE_ADDR="10.1.1.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 192.168.5.5"), "sam", "x")
    assert AuditEvent.objects.order_by("-seq").filter(action="auth.login_failed").first().src_ip == "192.168.5.5"


def test_field_level_errors_on_the_login_form(db, client):
    page = client.post("/login/", {"username": "", "password": ""}).content.decode()
    assert page.count("invalid-feedback") == 2 and "is-invalid" in page


@pytest.mark.parametrize("path", ["/admin/login/"])
def test_admin_login_goes_through_our_login(client, db, path):
    response = client.get(path + "?next=/admin/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_item_1_lockout_is_keyed_on_the_resolved_account(city, client):
    """Issue 11 item 1 (等保 §8.1.4.1 b): the form logs in `ｓam` (NFKC) and `SAM` (any case) as sam,
    so every spelling counts against sam's one counter, and a locked sam stays locked under each."""
    spellings = ["sam", "ｓam", "SAM", "ｓａｍ", " Sam "]
    for spelling in spellings:
        login(client, spelling, "wrong")
    for spelling in [*spellings, "Ｓａｍ"]:
        refused = login(client, spelling)  # the right password, but the account is locked
        assert refused.status_code == 200 and "_auth_user_id" not in client.session, spelling
    assert set(LoginThrottle.objects.values_list("username", flat=True)) == {"sam"}
    # An unknown name is keyed on its normalised form, so its spellings share one counter too.
    for spelling in ["nobody", "ｎobody", "NOBODY", "ｎｏｂｏｄｙ", "Nobody"]:
        login(client, spelling, "wrong")
    assert LoginThrottle.objects.filter(username="nobody", ip="", locked_until__isnull=False).exists()
    assert set(LoginThrottle.objects.values_list("username", flat=True)) == {"sam", "nobody"}
