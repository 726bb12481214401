"""Password policy profiles (等保 §8.1.4.1 a vs ASVS 6.2): both as Django validators, tested;
initial and expired passwords force the change page before any other page."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from ducha.audit.models import AuditEvent
from ducha.org.models import User
from ducha.security import profiles
from ducha.security.models import AccountSecurity, PasswordHistory
from tests.conftest import PASSWORD


@pytest.fixture
def dengbao3(settings):
    settings.AUTH_PASSWORD_VALIDATORS = profiles.password_validators(
        profiles.get("dengbao3"), min_length=8, history=5)
    settings.DUCHA_PASSWORD_MAX_AGE_DAYS = 90


@pytest.fixture
def asvs(settings):
    settings.AUTH_PASSWORD_VALIDATORS = profiles.password_validators(profiles.get("asvs"), min_length=12, history=0)
    settings.DUCHA_PASSWORD_MAX_AGE_DAYS = 0


def refused(password, user=None) -> set[str]:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        return {e.code for e in exc.error_list}
    return set()


def test_dengbao3_length_and_three_of_four_classes(db, dengbao3):
    assert "password_too_short" in refused("Ab1!x")
    assert "password_too_simple" in refused("onlylowercaseletters")
    assert "password_too_simple" in refused("lowerand12345")
    assert refused("Lower-and-1") == set()  # lower, upper, digit, symbol
    assert refused("汉字密码abc123") == set()  # non-ASCII counts as a symbol class


def test_asvs_length_over_composition(db, asvs):
    assert "password_too_short" in refused("Ab1!Ab1!Ab1")  # 11 characters, four classes: still short
    assert refused("correct horse battery staple") == set()  # one class, long: fine
    assert "password_too_common" in refused("password1234")


@pytest.mark.parametrize("profile", ["dengbao3", "asvs"])
def test_both_accept_64_character_passphrases_and_refuse_the_demo_password(db, request, profile):
    request.getfixturevalue(profile)
    assert refused("Aa1-" * 16) == set()
    assert "password_published" in refused("demo-only-2026")


def test_settings_pick_the_profile(tmp_path):
    import os
    import subprocess
    import sys

    code = ("import os; os.environ['DJANGO_SETTINGS_MODULE']='ducha.settings'; from django.conf import settings as s;"
            "print([v['NAME'].rsplit('.',1)[1] for v in s.AUTH_PASSWORD_VALIDATORS], s.DUCHA_PASSWORD_MAX_AGE_DAYS)")
    env = {k: v for k, v in os.environ.items() if not k.startswith("DUCHA_")} | {"DUCHA_DATA_DIR": str(tmp_path)}
    default = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert "CharacterClassesValidator" in default.stdout and default.stdout.strip().endswith("90")
    asvs = subprocess.run([sys.executable, "-c", code], env=env | {"DUCHA_SECURITY_PROFILE": "asvs"},
                          capture_output=True, text=True, check=True)
    assert "CharacterClassesValidator" not in asvs.stdout and asvs.stdout.strip().endswith(" 0")
    bad = subprocess.run([sys.executable, "-c", code], env=env | {"DUCHA_SECURITY_PROFILE": "lax"},
                         capture_output=True, text=True, check=False)
    assert bad.returncode != 0 and "DUCHA_SECURITY_PROFILE" in bad.stderr


def test_no_reuse_of_the_last_five(city, dengbao3):
    sam = city.sam
    for i in range(5):
        sam.set_password(f"Fresh-pass-{i}")
        sam.save()
    assert "password_reused" in refused("Fresh-pass-1", sam)
    assert PasswordHistory.objects.filter(user=sam).count() == 5
    assert "password_reused" not in refused(PASSWORD, sam)  # the sixth one back may come again


def change(client, old, new, **extra):
    return client.post("/account/password/", {"old_password": old, "new_password1": new, "new_password2": new},
                       **extra)


def test_password_set_by_an_administrator_must_be_changed_first(city, dengbao3):
    sysop = Client()
    sysop.force_login(city.sysop)
    response = sysop.post(f"/admin/org/user/{city.sam.pk}/password/",
                          {"password1": "Temp-pass-2026", "password2": "Temp-pass-2026", "usable_password": "true"})
    assert response.status_code == 302
    assert AccountSecurity.objects.get(user=city.sam).must_change_password
    client = Client()
    assert client.post("/login/", {"username": "sam", "password": "Temp-pass-2026"}).status_code == 302
    for url in ["/", "/units/", "/calendar/", "/account/security/"]:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/account/password/"), url
    page = client.get("/account/password/").content.decode()
    assert 'data-testid="password-forced"' in page
    assert change(client, "Temp-pass-2026", "Mine-own-2026").status_code == 302
    assert client.get("/").status_code == 200
    assert not AccountSecurity.objects.get(user=city.sam).must_change_password
    assert AuditEvent.objects.filter(action="auth.password_change", username="sam").exists()


def test_expired_password_forces_a_change_before_any_other_page(city, dengbao3):
    client = Client()
    client.force_login(city.alice)
    assert client.get("/").status_code == 200
    with time_machine.travel(timezone.now() + timedelta(days=91), tick=False):
        client.force_login(city.alice)
        response = client.get("/units/")
        assert response.status_code == 302 and response["Location"] == "/account/password/?next=%2Funits%2F"
        assert client.post("/logout/").status_code == 302  # log-out stays possible


def test_no_expiry_under_asvs(city, asvs):
    client = Client()
    with time_machine.travel(timezone.now() + timedelta(days=400), tick=False):
        client.force_login(city.alice)
        assert client.get("/").status_code == 200


def test_password_change_shows_field_level_errors(city, dengbao3):
    client = Client()
    client.force_login(city.sam)
    page = change(client, "not-my-password", "short").content.decode()
    assert page.count("invalid-feedback") >= 2
    assert 'id="id_old_password_error"' in page and 'id="id_new_password2_error"' in page


def test_changing_the_password_ends_other_sessions(city, dengbao3):
    other, this = Client(), Client()
    other.post("/login/", {"username": "sam", "password": PASSWORD})
    this.post("/login/", {"username": "sam", "password": PASSWORD})
    assert change(this, PASSWORD, "Brand-new-2026").status_code == 302
    assert this.get("/").status_code == 200
    assert other.get("/").status_code == 302


def test_rehash_on_login_is_not_a_password_change(city, settings):
    city.sam.set_password(PASSWORD)  # MD5 (the first hasher when it was set), with its history
    with time_machine.travel(timezone.now() - timedelta(days=10)):
        city.sam.save()
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher",
                                 "django.contrib.auth.hashers.MD5PasswordHasher"]
    before = AccountSecurity.objects.get(user=city.sam).password_changed_at
    assert Client().post("/login/", {"username": "sam", "password": PASSWORD}).status_code == 302
    assert User.objects.get(pk=city.sam.pk).password.startswith("pbkdf2_sha256$")
    assert AccountSecurity.objects.get(user=city.sam).password_changed_at == before
