"""Many people at once (issue 13): requests/s and latency of `ducha serve` with 1 and 2 processes.

    .venv/bin/python bench/load.py [--clients 16] [--seconds 30] [--processes 1,2] [--postgres N]

Sets up the demo city in a temporary SQLite data folder (`ducha demo --no-serve`), or with
``--postgres N`` a city of N matters in a throwaway PostgreSQL database
(``bench/_pgdata.build_city``, on DUCHA_BENCH_PG), then for
each process count starts `ducha serve --processes N --no-worker` on a free port and lets
``--clients`` threads, each logged in as a demo person (the supervision office, the vice
mayor, a unit's staff, in turn), ask for a mix of what people open: the home page, the
dashboard, the matter list, a matter's page and the API's list; and, as the floor, a static
file served by the same server. Reports requests/s, p50 and p95 latency, errors and the
largest resident memory of a server process.

Targets (issue 13): p95 <= 1 s, no error, no process above 400 MB.
"""

from __future__ import annotations

import argparse
import http.client
import os
import platform
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DUCHA = str(Path(sys.executable).parent / "ducha")
PEOPLE = ["duchashi", "fushizhang", "fgw_staff"]
BUILD = (
    "import sys; sys.path.insert(0, {root!r})\n"
    "from django.db import connection\n"
    "from bench._pgdata import build_city\n"
    "from ducha.org.models import User\n"
    "city = build_city(connection, matters={n})\n"
    "for pk in (city.supervision_id, city.vice_mayor_id, city.busy_staff_id):\n"
    "    print('person', User.objects.get(pk=pk).username)\n"
)
PAGES = ["/", "/matters/dashboard/", "/matters/", "{matter}", "/api/matters"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def sessions(env: dict[str, str], people: list[str]) -> tuple[dict[str, tuple[str, str]], str]:
    """Per person a session cookie and a matter they see; a static file's URL."""
    code = (
        "from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY\n"
        "from django.contrib.sessions.backends.db import SessionStore\n"
        "from django.contrib.staticfiles.storage import staticfiles_storage\n"
        "from ducha.matters.access import visible_matters\n"
        "from ducha.org.models import User\n"
        f"for name in {people!r}:\n"
        "    u = User.objects.get(username=name)\n"
        "    s = SessionStore()\n"
        "    s[SESSION_KEY] = str(u.pk)\n"
        "    s[BACKEND_SESSION_KEY] = 'django.contrib.auth.backends.ModelBackend'\n"
        "    s[HASH_SESSION_KEY] = u.get_session_auth_hash()\n"
        "    s.create()\n"
        "    m = visible_matters(u).exclude(status='draft').order_by('id').first()\n"
        "    print(name, f'{s.session_key}|/matters/{m.id}/')\n"
        "print('static', staticfiles_storage.url('bootstrap/css/bootstrap.min.css'))\n"
    )
    out = subprocess.run([DUCHA, "shell", "-c", code], env=env, capture_output=True, text=True, check=True).stdout
    values = dict(line.split(" ", 1) for line in out.strip().splitlines() if line.count(" ") == 1)
    return {p: tuple(values[p].split("|")) for p in people}, values["static"]  # type: ignore[misc]


def rss_mb(parent: int) -> float:
    """The largest resident set among the server's processes."""
    largest = 0
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            text = status.read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in text.splitlines() if ":" in line)
        pid, ppid = int(status.parent.name), int(fields.get("PPid", "0").strip())
        if pid == parent or ppid == parent:
            largest = max(largest, int(fields.get("VmRSS", "0 kB").split()[0]))
    return largest / 1024


def run(port: int, paths: list[str], people: list[tuple[str, str]], clients: int,
        seconds: float) -> tuple[list[float], int]:
    latencies: list[float] = []
    errors = [0]
    seen: dict[tuple[int, str], int] = {}
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def client(i: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        cookie, matter = people[i % len(people)]
        k = i
        mine: list[float] = []
        bad = 0
        while time.monotonic() < stop:
            path = paths[k % len(paths)].format(matter=matter)
            k += 1
            t = time.perf_counter()
            try:
                conn.request("GET", path, headers={"Cookie": f"sessionid={cookie}", "Accept-Language": "zh-CN"})
                response = conn.getresponse()
                response.read()
                if response.status != 200:
                    bad += 1
                    seen[(response.status, path)] = seen.get((response.status, path), 0) + 1
            except (OSError, http.client.HTTPException):
                bad += 1
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            mine.append(time.perf_counter() - t)
        with lock:
            latencies.extend(mine)
            errors[0] += bad

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    if seen:
        print(f"answers other than 200: {seen}", file=sys.stderr)
    return latencies, errors[0]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--clients", type=int, default=16)
    ap.add_argument("--seconds", type=float, default=30)
    ap.add_argument("--processes", default="1,2")
    ap.add_argument("--postgres", type=int, metavar="N", help="a PostgreSQL city of N matters instead of the demo")
    args = ap.parse_args()
    data = Path(tempfile.mkdtemp(prefix="ducha-load-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DUCHA_", "DJANGO_"))}
    env.update({"DUCHA_DATA_DIR": str(data), "DUCHA_SECRET_KEY": secrets.token_urlsafe(50), "DUCHA_DEBUG": "0"})
    t = time.perf_counter()
    database = None
    if args.postgres:
        import psycopg

        server = os.environ.get("DUCHA_BENCH_PG", "postgres://postgres@127.0.0.1:5432").rstrip("/")
        database = f"ducha_bench_load_{os.getpid()}"
        with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{database}"')
        env["DUCHA_DATABASE_URL"] = f"{server}/{database}"
        subprocess.run([DUCHA, "migrate", "-v", "0"], env=env, check=True)
        out = subprocess.run([DUCHA, "shell", "-c", BUILD.format(root=str(ROOT), n=args.postgres)], env=env,
                             check=True, capture_output=True, text=True).stdout
        names = [line.split(" ", 1)[1] for line in out.splitlines() if line.startswith("person ")]
    else:
        subprocess.run([DUCHA, "demo", "--no-serve"], env=env, check=True, capture_output=True)
        names = PEOPLE
    subprocess.run([DUCHA, "collectstatic", "--noinput", "-v", "0"], env=env, check=True)
    people, static = sessions(env, names)
    print(f"city set up in {time.perf_counter() - t:.0f} s", file=sys.stderr)
    try:
        return measure(args, env, people, static)
    finally:
        if database:
            import psycopg

            with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


def measure(args: argparse.Namespace, env: dict[str, str], people: dict[str, tuple[str, str]], static: str) -> int:
    pages = PAGES
    rows = []
    for n in [int(x) for x in args.processes.split(",")]:
        port = free_port()
        server = subprocess.Popen([DUCHA, "serve", "--port", str(port), "--processes", str(n), "--no-worker"],
                                  env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 120
            while True:
                try:
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                    conn.request("GET", static)
                    if conn.getresponse().status == 200:
                        break
                except OSError:
                    pass
                if time.monotonic() > deadline:
                    raise SystemExit("the server did not start")
                time.sleep(0.5)
            run(port, pages, list(people.values()), args.clients, 3)  # warm-up
            for label, paths in (("pages", pages), ("static file (floor)", [static])):
                lat, errors = run(port, paths, list(people.values()), args.clients, args.seconds)
                lat.sort()
                rows.append((n, label, len(lat) / args.seconds, statistics.median(lat) * 1000,
                             lat[int(0.95 * (len(lat) - 1))] * 1000, errors, rss_mb(server.pid)))
        finally:
            server.terminate()
            server.wait(timeout=30)
    city = f"PostgreSQL city of {args.postgres:,} matters" if args.postgres else "SQLite demo city"
    print(f"\nLoad, {city}, {platform.machine()}, {os.cpu_count()} cores, Python "
          f"{platform.python_version()}, {args.clients} clients for {args.seconds:.0f} s each, load "
          f"{os.getloadavg()[0]:.1f}\n")
    print("| processes | requests | requests/s | p50 | p95 | errors | largest process | pass |")
    print("|---|---|---|---|---|---|---|---|")
    missed = 0
    for n, label, rps, p50, p95, errors, rss in rows:
        ok = p95 <= 1000 and errors == 0 and rss <= 400
        missed += not ok
        print(f"| {n} | {label} | {rps:.0f} | {p50:.0f} ms | {p95:.0f} ms | {errors} | {rss:.0f} MB | "
              f"{'pass' if ok else 'MISS'} |")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
