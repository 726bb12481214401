"""Hardened settings (ASVS 3.4, 等保 §8.1.4.1 c): `check --deploy` clean in plain and TLS mode,
Content-Security-Policy without unsafe-*, no inline script or style on any of our pages."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys

import pytest
from django.test import Client

from tests.conftest import PASSWORD


def run_deploy_check(tmp_path, **env):
    # A deployment's environment: nothing of the test run's (the browser tests set DJANGO_ALLOW_ASYNC_UNSAFE).
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DUCHA_", "DJANGO_"))}
    base.update({"DUCHA_DATA_DIR": str(tmp_path), "DUCHA_DEBUG": "0", "DUCHA_SECRET_KEY": secrets.token_urlsafe(50),
                 "DUCHA_ALLOWED_HOSTS": "ducha.example.gov.cn", **env})
    return subprocess.run([sys.executable, "-m", "ducha", "check", "--deploy", "--fail-level", "WARNING"],
                          env=base, capture_output=True, text=True, check=False, timeout=120)


def test_check_deploy_passes_with_production_settings(tmp_path):
    result = run_deploy_check(tmp_path)
    assert result.returncode == 0, result.stderr + result.stdout
    assert "ducha_security.I001" in result.stdout + result.stderr  # says TLS is off, and how to turn it on


def test_check_deploy_passes_in_https_mode(tmp_path):
    result = run_deploy_check(tmp_path, DUCHA_HTTPS="1", DUCHA_TRUSTED_PROXY="127.0.0.1")
    assert result.returncode == 0, result.stderr + result.stdout
    assert "I001" not in result.stdout + result.stderr


def test_check_deploy_is_not_vacuous(tmp_path):
    result = run_deploy_check(tmp_path, DUCHA_DEBUG="1")
    assert result.returncode != 0 and "security.W018" in result.stderr


def test_https_mode_settings(tmp_path):
    code = ("import os; os.environ['DJANGO_SETTINGS_MODULE']='ducha.settings'; from django.conf import settings as s;"
            "print(s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE,"
            " s.SESSION_COOKIE_NAME, s.SECURE_PROXY_SSL_HEADER)")
    env = {k: v for k, v in os.environ.items() if not k.startswith("DUCHA_")}
    env.update({"DUCHA_DATA_DIR": str(tmp_path), "DUCHA_HTTPS": "1", "DUCHA_TRUSTED_PROXY": "10.0.0.1"})
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True).stdout
    assert out.strip() == ("True 31536000 True True __Host-ducha_session "
                           "('HTTP_X_FORWARDED_PROTO', 'https')")


def test_data_key_is_generated_privately(tmp_path):
    run_deploy_check(tmp_path)
    key_file = tmp_path / "data_key"
    assert key_file.exists() and oct(key_file.stat().st_mode)[-3:] == "600" and len(key_file.read_text()) == 64


def test_content_security_policy_header(client, db):
    csp = client.get("/login/")["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    assert directives["default-src"] == "'self'" and directives["frame-ancestors"] == "'none'"
    assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'"
    assert "unsafe" not in csp


INLINE = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>|\sstyle=\"|<style[\s>]|\son[a-z]+=\"", re.IGNORECASE)


@pytest.mark.parametrize("persona,urls", [
    ("sec", ["/security/", "/security/lockouts/", "/security/accounts/", "/security/policy/",
             "/account/security/", "/account/password/"]),
    ("audrey", ["/audit/"]),
    ("sam", ["/", "/account/security/", "/account/authenticator/"]),
])
def test_our_pages_have_nothing_inline_for_csp(city, persona, urls):
    client = Client()
    client.force_login(city.people[persona])
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert INLINE.findall(response.content.decode()) == [], url


def test_login_steps_have_nothing_inline(city):
    client = Client()
    assert INLINE.findall(client.get("/login/").content.decode()) == []
    client.post("/login/", {"username": "sysop", "password": PASSWORD})
    assert INLINE.findall(client.get("/login/otp/enrol/").content.decode()) == []


def test_security_headers(client, db):
    response = client.get("/login/")
    assert response["X-Frame-Options"] == "DENY" and response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin" and response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert len(response["X-Request-ID"]) == 32


def test_request_id_from_a_client_is_not_trusted(client, db):
    assert client.get("/login/", HTTP_X_REQUEST_ID="forged-id-123")["X-Request-ID"] != "forged-id-123"
