"""Second factor (等保 §8.1.4.1 d, ASVS 6.3.3): TOTP, mandatory for the three administrator roles,
available to everyone; each code once, 30-second steps, ±1 step, at most 5 tries in 5 minutes."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pyotp
import pytest
import time_machine
from django.test import Client

from ducha.audit.models import AuditEvent
from ducha.security.actions import do_confirm_enrolment, do_start_enrolment
from ducha.security.models import TOTPDevice
from ducha.security.totp import decrypt_secret
from tests.conftest import PASSWORD

T0 = datetime(2026, 12, 1, 9, 0, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def code_at(secret: str, when: datetime) -> str:
    return pyotp.TOTP(secret).at(when)


def enrol(person, when=T0) -> str:
    with time_machine.travel(when - timedelta(minutes=5), tick=False):
        secret = do_start_enrolment(person=person)
        assert do_confirm_enrolment(person=person, code=pyotp.TOTP(secret).now())
    return secret


def password_step(client, username):
    return client.post("/login/", {"username": username, "password": PASSWORD})


@pytest.mark.parametrize("persona", ["sysop", "sec", "audrey"])
def test_administrators_cannot_finish_login_without_enrolling(city, persona):
    client = Client()
    with time_machine.travel(T0, tick=False):
        response = password_step(client, persona)
        assert response.status_code == 302 and response["Location"] == "/login/otp/enrol/"
        assert "_auth_user_id" not in client.session
        # every other page still treats them as logged out
        assert client.get("/").status_code == 302 and client.get("/").url.startswith("/login/")
        assert client.get("/admin/").status_code == 302
        page = client.get("/login/otp/enrol/").content.decode()
        assert "<svg" in page and 'data-testid="totp-secret"' in page
        secret = re.search(r'data-testid="totp-secret">([A-Z2-7 ]+)<', page).group(1).replace(" ", "")
        wrong = client.post("/login/otp/enrol/", {"code": "000000"})
        assert wrong.status_code == 200 and "invalid-feedback" in wrong.content.decode()
        done = client.post("/login/otp/enrol/", {"code": code_at(secret, T0)})
        assert done.status_code == 302 and client.session["_auth_user_id"] == str(city.people[persona].pk)
    assert TOTPDevice.objects.get(user=city.people[persona]).confirmed_at is not None
    assert AuditEvent.objects.get(action="auth.login", username=persona).after == {"mfa": True}
    assert AuditEvent.objects.filter(action="security.mfa_enrol", username=persona).exists()


def test_enrolled_administrator_logs_in_with_a_code(city):
    secret = enrol(city.sysop)
    client = Client()
    with time_machine.travel(T0, tick=False):
        assert password_step(client, "sysop")["Location"] == "/login/otp/"
        assert client.post("/login/otp/", {"code": code_at(secret, T0)}).status_code == 302
        assert client.get("/admin/").status_code == 200


def test_secret_is_stored_encrypted(city):
    secret = enrol(city.sysop)
    device = TOTPDevice.objects.get(user=city.sysop)
    assert secret not in device.secret_encrypted and device.secret_encrypted.startswith("sm4gcm1:")
    assert decrypt_secret(device) == secret
    TOTPDevice.objects.filter(pk=device.pk).update(user=city.sec)  # bound to its account
    with pytest.raises(Exception):  # noqa: B017
        decrypt_secret(TOTPDevice.objects.get(pk=device.pk))


def test_one_step_of_drift_either_way_and_no_more(city):
    secret = enrol(city.sec)
    with time_machine.travel(T0, tick=False):
        for offset, accepted in [(-60, False), (90, False), (-30, True), (30, True)]:
            client = Client()
            password_step(client, "sec")
            ok = client.post("/login/otp/", {"code": code_at(secret, T0 + timedelta(seconds=offset))})
            assert (ok.status_code == 302) is accepted, offset


def test_a_code_works_once(city):
    secret = enrol(city.audrey)
    with time_machine.travel(T0, tick=False):
        first, second = Client(), Client()
        password_step(first, "audrey")
        password_step(second, "audrey")
        code = code_at(secret, T0)
        assert first.post("/login/otp/", {"code": code}).status_code == 302
        replay = second.post("/login/otp/", {"code": code})
        assert replay.status_code == 200 and "_auth_user_id" not in second.session
        assert "already been used" in replay.content.decode() or "已使用" in replay.content.decode()


def test_at_most_five_tries_in_five_minutes(city, settings):
    settings.DUCHA_LOCKOUT_ATTEMPTS = settings.DUCHA_LOCKOUT_ACCOUNT_ATTEMPTS = 10
    secret = enrol(city.sysop)
    with time_machine.travel(T0, tick=False):
        client = Client()
        password_step(client, "sysop")
        for _ in range(5):
            assert client.post("/login/otp/", {"code": "123456"}).status_code == 200
        sixth = client.post("/login/otp/", {"code": code_at(secret, T0)})
        assert sixth.status_code == 302 and sixth["Location"] == "/login/"
        assert "_auth_user_id" not in client.session
        assert AuditEvent.objects.filter(action="auth.mfa_failed", reason="rate limit").exists()


def test_field_level_error_for_a_malformed_code(city):
    enrol(city.sysop)
    client = Client()
    password_step(client, "sysop")
    page = client.post("/login/otp/", {"code": "12ab"}).content.decode()
    assert 'class="form-control is-invalid"' in page and "invalid-feedback" in page


def test_the_pre_authenticated_step_expires(city):
    enrol(city.sysop)
    client = Client()
    with time_machine.travel(T0, tick=False) as traveller:
        password_step(client, "sysop")
        traveller.shift(timedelta(minutes=6))
        assert client.get("/login/otp/")["Location"] == "/login/"


def test_optional_for_other_roles_then_required_once_set_up(city):
    client = Client()
    assert password_step(client, "sam")["Location"] == "/"
    client.get("/account/authenticator/")
    secret = decrypt_secret(TOTPDevice.objects.get(user=city.sam))
    assert client.post("/account/authenticator/", {"code": pyotp.TOTP(secret).now()}).status_code == 302
    client.post("/logout/")
    assert password_step(client, "sam")["Location"] == "/login/otp/"


def test_administrators_cannot_remove_their_factor_but_security_admin_resets_it(city):
    enrol(city.sysop)
    client = Client()
    client.force_login(city.sysop)
    client.post("/account/authenticator/remove/")
    assert TOTPDevice.objects.filter(user=city.sysop).exists()
    sec = Client()
    sec.force_login(city.sec)
    assert sec.post(f"/security/accounts/{city.sysop.pk}/reset-factor/", {"confirm": "reset-factor"}).status_code == 302
    assert not TOTPDevice.objects.filter(user=city.sysop).exists()
    assert AuditEvent.objects.get(action="security.mfa_reset").username == "sec"


def test_everyone_when_the_policy_says_so(city, settings):
    settings.DUCHA_MFA_FOR_EVERYONE = True
    assert password_step(Client(), "sam")["Location"] == "/login/otp/enrol/"
