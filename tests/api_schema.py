"""The API's OpenAPI document for schemathesis, with the test's logged-in session as its auth.

The session has to reach the app as a cookie of the WSGI client: a bare ``Cookie`` header is
dropped by that client (it sends its own cookie jar), which leaves every generated request
anonymous, so a conformance test would see nothing but 401s. Registered as the schema's
auth, the cookie is also known to schemathesis as real credentials, so its checks that
take them away (``ignored_auth``) test that the API then refuses.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import schemathesis
from django.contrib.sessions.models import Session
from django.core.signals import request_finished, request_started
from django.db import close_old_connections

from ducha.wsgi import application

schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application)
# Cases are generated (with their auth) when the tests are collected, before any log-in, so
# the session a test logs in with is given this fixed key.
SESSION_KEY = "schemathesis0api0test0session0key"


@schema.auth(refresh_interval=None)
class SessionCookie:
    def get(self, case: Any, context: Any) -> str:
        return SESSION_KEY

    def set(self, case: Any, data: str, context: Any) -> None:
        case.cookies = {**(case.cookies or {}), "sessionid": data}


def log_in(client: Any, user: Any, settings: Any) -> str:
    """Log ``user`` in for the generated requests (sent to http://localhost)."""
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "localhost"]
    client.force_login(user)
    Session.objects.filter(session_key=client.cookies["sessionid"].value).update(session_key=SESSION_KEY)
    return SESSION_KEY


@contextmanager
def connection_kept() -> Iterator[None]:
    """Keep the test's transaction open across the generated requests.

    The WSGI handler closes "old" database connections at the start and end of every request;
    inside a test's transaction that closes the test's own connection (on PostgreSQL), so the
    next request fails. Django's test client disconnects the same handler for the same reason.
    """
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
