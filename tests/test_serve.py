"""`ducha serve` and the `ducha` command as an operator meets them (issue 11 items 2 and 28): a real
server process on a free loopback port, behind a TLS-terminating proxy and in front of an
untrusted peer; a data folder where static files were never collected; a folder with no
installation at all."""

from __future__ import annotations

import http.client
import os
import re
import secrets
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.conf import settings

DUCHA = str(Path(sys.executable).parent / "ducha")
PROXY = "127.0.0.1"  # the trusted TLS-terminating proxy
STRANGER = "127.0.0.2"  # another peer on the loopback network, trusted by nobody

pytestmark = pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3",
    reason="the served installation is a SQLite folder of its own whatever the suite's database; one pass is enough",
)


def environment(data: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DUCHA_", "DJANGO_"))}
    env.update({"DUCHA_DATA_DIR": str(data), "DUCHA_SECRET_KEY": secrets.token_urlsafe(50), **extra})
    return env


@pytest.fixture(scope="module")
def installation(tmp_path_factory) -> Path:
    """A migrated data folder where `collectstatic` was never run."""
    data = tmp_path_factory.mktemp("served")
    done = subprocess.run([DUCHA, "migrate", "-v", "0"], env=environment(data), capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    return data


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def served(data: Path, *args: str, **env: str) -> Iterator[int]:
    port = free_port()
    # The server's output goes to a file, not a pipe nobody reads while it runs: a full pipe
    # would block every process of the server at its next log line.
    log = data / f"serve-{port}.log"
    with log.open("w") as out:
        process = subprocess.Popen([DUCHA, "serve", "--port", str(port), *(args or ["--no-worker"])],
                                   env=environment(data, **env), stdout=out, stderr=subprocess.STDOUT, text=True)
    served.log = log  # type: ignore[attr-defined]
    try:
        deadline = time.monotonic() + 300  # the first start collects the static files
        while True:
            assert process.poll() is None, log.read_text()
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert time.monotonic() < deadline, "ducha serve did not start listening"
                time.sleep(0.3)
        served.pid = process.pid  # type: ignore[attr-defined]
        yield port
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def request(port: int, method: str, path: str, *, peer: str = PROXY, headers: dict[str, str] | None = None,
            body: str | None = None) -> http.client.HTTPResponse:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30, source_address=(peer, 0))
    connection.request(method, path, body=body, headers={"Host": f"127.0.0.1:{port}", **(headers or {})})
    response = connection.getresponse()
    response.body = response.read()  # type: ignore[attr-defined]
    connection.close()
    return response


def failed_login(port: int, *, peer: str, forwarded: dict[str, str], secure: bool) -> int:
    """GET the form, POST a wrong password for `nobody` as a browser would; returns the POST's status."""
    page = request(port, "GET", "/login/", peer=peer, headers=forwarded)
    assert page.status == 200, page.status
    cookie = "; ".join(c.split(";", 1)[0] for c in page.headers.get_all("Set-Cookie") or [])
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page.body).group(1).decode()  # type: ignore[attr-defined]
    scheme = "https" if secure else "http"
    answer = request(port, "POST", "/login/", peer=peer, body=urlencode(
        {"csrfmiddlewaretoken": token, "username": "nobody", "password": "wrong"}),
        headers={**forwarded, "Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded",
                 "Referer": f"{scheme}://127.0.0.1:{port}/login/"})
    return answer.status


def rows(data: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(data / "ducha.sqlite3") as db:
        return db.execute(sql).fetchall()


def test_item_28_serve_collects_static_files_when_the_manifest_is_missing(installation):
    manifest = installation / "static" / "staticfiles.json"
    manifest.unlink(missing_ok=True)
    with served(installation) as port:
        page = request(port, "GET", "/login/")
        assert page.status == 200
        stylesheet = re.search(rb'href="(/static/[^"]+\.css)"', page.body).group(1).decode()  # type: ignore[attr-defined]
        assert request(port, "GET", stylesheet).status == 200
    assert manifest.exists()


def test_item_2_forwarded_headers_count_from_the_trusted_proxy_only(installation):
    """Issue 11 item 2 (等保 §8.1.4.3 records the source address): behind the TLS proxy the page is
    served, not redirected for ever, and the audit trail, the lock-out and the rate limit see the
    client's address; a peer that is not the proxy gets its forwarded headers ignored."""
    client = "203.0.113.7"
    through_proxy = {"X-Forwarded-Proto": "https", "X-Forwarded-For": client}
    with served(installation, DUCHA_HTTPS="1", DUCHA_TRUSTED_PROXY=PROXY) as port:
        assert failed_login(port, peer=PROXY, forwarded=through_proxy, secure=True) == 200
        stranger = request(port, "GET", "/login/", peer=STRANGER,
                           headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "198.51.100.9"})
        assert stranger.status == 301 and stranger.headers["Location"].startswith("https://")
    assert rows(installation, "SELECT src_ip FROM audit_auditevent WHERE action = 'auth.login_failed'") == [(client,)]
    assert rows(installation, "SELECT ip FROM security_loginthrottle WHERE ip != ''") == [(client,)]
    assert (client,) in rows(installation, "SELECT key FROM security_ratecounter WHERE scope = 'login'")

    # Without TLS the stranger's request is served, and its forwarded address is not believed.
    with served(installation, DUCHA_TRUSTED_PROXY=PROXY) as port:
        assert failed_login(port, peer=STRANGER, forwarded={"X-Forwarded-For": "198.51.100.9"}, secure=False) == 200
    seen = rows(installation, "SELECT src_ip FROM audit_auditevent WHERE action = 'auth.login_failed' ORDER BY seq")
    assert seen == [(client,), (STRANGER,)]


def test_item_28_a_command_without_a_migrated_database_says_where_it_looked(tmp_path):
    empty = tmp_path / "nothing-here"
    for args in (["workdays", "add", "2026-01-05", "3"], ["audit", "verify"], ["serve", "--port", "8123"]):
        done = subprocess.run([DUCHA, *args], env=environment(empty), capture_output=True, text=True, timeout=120)
        assert done.returncode == 2, (args, done.stdout, done.stderr)
        assert "Traceback" not in done.stderr
        for words in (str(empty), str(empty / "ducha.sqlite3"), "DUCHA_DATA_DIR", "DUCHA_DATABASE_URL",
                      "ducha migrate"):
            assert words in done.stderr, (args, words, done.stderr)
    assert not (empty / "ducha.sqlite3").exists()  # looking created no empty database
    unreachable = environment(empty, DUCHA_DATABASE_URL="postgres://ducha@127.0.0.1:1/ducha")
    done = subprocess.run([DUCHA, "worker"], env=unreachable, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "'ducha' on 127.0.0.1:1" in done.stderr and "cannot be opened" in done.stderr
    # Commands that need no database still run.
    for args in (["help"], ["version"], ["serve", "--help"], ["check"]):
        done = subprocess.run([DUCHA, *args], env=environment(empty), capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, (args, done.stderr)


def children_of(pid: int) -> set[int]:
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.add(int(stat.parent.name))
    return found


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads the process table from /proc")
def test_issue_13_serve_runs_several_processes_on_one_port_and_restarts_one_that_dies(installation):
    with served(installation, "--processes", "2", "--threads", "2") as port:
        parent = served.pid  # type: ignore[attr-defined]
        deadline = time.monotonic() + 30
        while len(children_of(parent)) < 2 and time.monotonic() < deadline:
            time.sleep(0.2)
        first = children_of(parent)
        assert len(first) == 2, served.log.read_text()[-3000:]  # type: ignore[attr-defined]
        for _ in range(6):
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            conn.request("GET", "/login/")
            assert conn.getresponse().status == 200
            conn.close()
        victim = min(first)
        os.kill(victim, 9)
        deadline = time.monotonic() + 30
        # One reading of the process table per look: the killed child stays listed (a zombie)
        # until the server reaps it, so two readings can see it there and then gone.
        now = children_of(parent)
        while (len(now) < 2 or victim in now) and time.monotonic() < deadline:
            time.sleep(0.2)
            now = children_of(parent)
        assert len(now) == 2 and victim not in now, served.log.read_text()[-3000:]  # type: ignore[attr-defined]
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.request("GET", "/login/")
        assert conn.getresponse().status == 200
        survivors = children_of(parent)
    time.sleep(1)
    assert not any(Path(f"/proc/{pid}").exists() and "zombie" not in Path(f"/proc/{pid}/status").read_text()
                   .lower() for pid in survivors)


def test_issue_13_serve_refuses_a_bad_process_count(installation):
    done = subprocess.run([DUCHA, "serve", "--processes", "0"], env=environment(installation), capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 2 and "--processes must be between 1 and 64" in done.stderr
