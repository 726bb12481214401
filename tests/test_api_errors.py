"""Every answer under /api/ is JSON with a message (issue 11 item 8): a script that calls the API
never has to parse a Django HTML page or follow a redirect to one, whatever went wrong."""

from __future__ import annotations

import json

import pytest
from django.conf import settings
from django.test import Client

from ducha.security.models import AccountSecurity
from tests.conftest import PASSWORD


def message_of(response) -> str:
    assert response["Content-Type"].startswith("application/json"), (response.status_code, response.content[:200])
    body = json.loads(response.content)
    assert isinstance(body["detail"], str) and body["detail"].strip(), body
    return body["detail"]


def test_item_8_a_body_over_the_limit_is_a_json_413(city):
    client = Client()
    client.force_login(city.alice)
    body = json.dumps({"title": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)})
    response = client.post("/api/matters", body, content_type="application/json")
    assert response.status_code == 413
    assert "2.5 MB" in message_of(response)


def test_item_8_a_password_that_must_be_changed_is_a_json_403_not_a_redirect(city):
    AccountSecurity.objects.update_or_create(user=city.sam, defaults={"must_change_password": True})
    client = Client()
    assert client.post("/login/", {"username": "sam", "password": PASSWORD}).status_code == 302
    assert client.get("/").status_code == 302  # the pages still go to the change form
    response = client.get("/api/matters")
    assert response.status_code == 403
    assert "/account/password/" in message_of(response)
    assert response.json()["errors"] == {"__all__": response.json()["detail"]}


def test_item_8_an_ended_session_is_a_json_401(city, clock):
    clock.set("2026-06-30T10:00")
    client = Client()
    client.force_login(city.sam)
    assert client.get("/api/matters").status_code == 200
    clock.set("2026-06-30T11:00")  # past the 30-minute idle timeout
    response = client.get("/api/matters")
    assert response.status_code == 401 and message_of(response)


def test_item_8_a_missing_csrf_token_is_json(city):
    client = Client(enforce_csrf_checks=True)
    client.force_login(city.alice)
    response = client.post("/api/matters", "{}", content_type="application/json")
    assert response.status_code == 403 and message_of(response)


@pytest.mark.parametrize("method,path,status", [
    ("get", "/api/no-such-thing", 404),
    ("get", "/api/", 404),
    ("delete", "/api/units", 405),
    ("put", "/api/matters", 405),
])
def test_item_8_unknown_addresses_and_methods_are_json(city, method, path, status):
    client = Client()
    client.force_login(city.alice)
    response = getattr(client, method)(path)
    assert response.status_code == status and message_of(response)
    if status == 405:
        assert "GET" in response["Allow"] and "GET" in message_of(response)


def test_item_8_a_server_error_is_json_with_the_request_id(city, monkeypatch):
    def broken(user):
        raise RuntimeError("secret inner detail")

    monkeypatch.setattr("ducha.api.views.visible_units", broken)
    client = Client(raise_request_exception=False)
    client.force_login(city.alice)
    response = client.get("/api/units")
    assert response.status_code == 500
    text = message_of(response)
    assert response["X-Request-ID"] in text and "secret" not in text  # nothing of the inside shown


def test_item_8_pages_keep_their_html(city):
    client = Client()
    client.force_login(city.alice)
    response = client.get("/no-such-page/")
    assert response.status_code == 404 and response["Content-Type"].startswith("text/html")
