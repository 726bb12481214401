"""`ducha portal` as an operator meets it: its own process and port, under its own settings, on
a migrated SQLite folder (the embedded default), and what it says when there is nothing to read."""

from __future__ import annotations

import http.client
import json
import os
import secrets
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings

DUCHA = str(Path(sys.executable).parent / "ducha")

pytestmark = pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3",
    reason="the served installation is a SQLite folder of its own whatever the suite's database; one pass is enough",
)


def environment(data: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DUCHA_", "DJANGO_"))}
    return env | {"DUCHA_DATA_DIR": str(data), "DUCHA_SECRET_KEY": secrets.token_urlsafe(50), **extra}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def get(port: int, path: str) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", path)
    response = connection.getresponse()
    body = response.read()
    connection.close()
    return response.status, body


def test_the_portal_serves_its_own_site_on_its_own_port(tmp_path):
    done = subprocess.run([DUCHA, "migrate", "-v", "0"], env=environment(tmp_path), capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    port = free_port()
    log = tmp_path / "portal.log"
    with log.open("w") as out:
        process = subprocess.Popen([DUCHA, "portal", "--port", str(port)], env=environment(tmp_path),
                                   stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 120
        while True:
            assert process.poll() is None, log.read_text()
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert time.monotonic() < deadline, log.read_text()
                time.sleep(0.3)
        status, body = get(port, "/")
        assert status == 200 and b'data-testid="portal-home"' in body
        assert get(port, "/admin/")[0] == get(port, "/login/")[0] == 404
        css = json.loads((tmp_path / "portal-static" / "staticfiles.json").read_text())["paths"]["portal/portal.css"]
        assert get(port, f"/static/{css}")[0] == 200
        assert not (tmp_path / "static").exists()  # the intranet's static folder is not the portal's
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_without_a_database_it_says_what_to_run(tmp_path):
    out = subprocess.run([DUCHA, "portal", "--port", str(free_port())], env=environment(tmp_path),
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 2
    assert "ducha portal grant" in out.stderr and "ducha migrate" in out.stderr
    assert not (tmp_path / "ducha.sqlite3").exists()
