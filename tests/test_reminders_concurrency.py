"""S5.1 reminders are never lost and never doubled: proofs with real worker processes.

PostgreSQL: 8 `ducha worker --once` processes race over 5,000 due matters; workers are
SIGKILLed in the middle of a batch (seen 'idle in transaction' in pg_stat_activity) and
restarted; a worker gets SIGTERM mid-batch and leaves within 30 s. SQLite runs one worker
(its write lock serialises claims), so there the same results are shown in-process, with
a crash injected inside the batch transaction.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from datetime import date, timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.db.models import Count
from django.utils import timezone

from ducha.inbox.models import Notification
from ducha.matters import schedule
from ducha.matters.models import MatterCheck
from ducha.reminders import engine
from ducha.reminders.models import OutboxMessage, Reminder
from ducha.workcal.service import get_calendar, today
from tests.reminders_helpers import bulk_running_matters, reference_data  # noqa: F401
from tests.slow_worker import slow_batches

_skip_unless_postgres = pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
    reason="needs PostgreSQL: SQLite has no row locks (SKIP LOCKED) and its test database is in memory, "
           "invisible to worker processes",
)


def postgres_only(test):
    return pytest.mark.postgres(_skip_unless_postgres(test))
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("reference_data")]


def due_matters(city, n: int) -> None:
    """``n`` running matters, each with exactly one reminder due today (the latest passed rung)."""
    d, cal = today(), get_calendar()
    # Due the working day before the last working day: the "1 working day overdue" rung (lead unit
    # and vice mayor) is the latest passed, whatever day of the week the suite runs.
    bulk_running_matters(city, n, due=cal.add_workdays(cal.workday_on_or_before(d), -1), last_progress=d,
                         next_check=timezone.now() - timedelta(minutes=1))


def worker_env(**extra: str) -> dict[str, str]:
    db = connection.settings_dict
    env = dict(os.environ)
    env["DUCHA_DATABASE_URL"] = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    env["DUCHA_DATA_DIR"] = str(settings.DATA_DIR)
    env.update(extra)
    return env


_started: list[subprocess.Popen[str]] = []


def start_worker(*args: str, pause: float | None = None, **env: str) -> subprocess.Popen[str]:
    """`ducha worker` in a process of its own; with ``pause``, each batch's transaction stays
    open that many seconds after its writes (tests/slow_worker.py), a window to kill it in."""
    p = subprocess.Popen(
        [sys.executable, "-m", "ducha", "worker", *args] if pause is None
        else [sys.executable, "-m", "tests.slow_worker", str(pause), *args], env=worker_env(**env),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    _started.append(p)
    return p


@pytest.fixture(autouse=True)
def _no_worker_outlives_its_test():
    """A failing test must not leave a worker running against the test database."""
    yield
    while _started:
        p = _started.pop()
        if p.poll() is None:
            p.kill()
            p.wait(timeout=30)


def run_once_many(n: int, batch: int = 100) -> list[dict]:
    procs = [start_worker("--once", "--json", "--batch", str(batch)) for _ in range(n)]
    figures = []
    for p in procs:
        out, err = p.communicate(timeout=300)
        assert p.returncode == 0, err[-2000:]
        lines = out.strip().splitlines()
        assert len(lines) == 1, out
        figures.append(json.loads(lines[0]))
    return figures


def assert_exactly_one_reminder_per_matter(n: int) -> None:
    assert Reminder.objects.count() == n
    assert Reminder.objects.values("matter").distinct().count() == n
    dupes = Reminder.objects.values("matter", "kind", "stage", "deadline").annotate(c=Count("id")).filter(c__gt=1)
    assert not dupes.exists()
    # Every reminder reaches the lead unit's liaison and the vice mayor in their inboxes, once each
    # (they have no e-mail, phone or robot: nothing is queued for other channels).
    assert Notification.objects.count() == 2 * n
    assert Notification.objects.values("user", "reminder").distinct().count() == 2 * n
    assert not OutboxMessage.objects.exists()


@postgres_only
def test_s5_1_eight_concurrent_workers_create_exactly_5000_reminders(city):
    due_matters(city, 5000)
    figures = run_once_many(8)
    assert sum(f["reminders_created"] for f in figures) == 5000
    assert sum(1 for f in figures if f["reminders_created"]) >= 2  # the work was really shared
    assert_exactly_one_reminder_per_matter(5000)
    assert sum(f["deliveries_sent"] for f in figures) == 10000
    again = run_once_many(2)
    assert sum(f["reminders_created"] for f in again) == 0
    assert sum(f["deliveries_sent"] for f in again) == 0


def _workers_in_transaction() -> int:
    with connection.cursor() as cur:
        cur.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND state = 'idle in transaction' AND pid <> pg_backend_pid()"
        )
        return int(cur.fetchone()[0])


@postgres_only
def test_s5_1_workers_killed_mid_batch_lose_nothing_and_double_nothing(city):
    due_matters(city, 5000)
    procs = [start_worker("--interval", "0.2", "--batch", "100", pause=0.5) for _ in range(3)]
    deadline = time.monotonic() + 180
    seen = 0
    while time.monotonic() < deadline and all(p.poll() is None for p in procs):
        time.sleep(0.2)
        if Reminder.objects.count() >= 300 and (seen := _workers_in_transaction()) >= 1:
            break
    for p in procs:
        p.send_signal(signal.SIGKILL)
        p.wait(timeout=30)
    assert seen >= 1, "no worker was caught inside a batch"
    partial = Reminder.objects.count()
    assert 0 < partial < 5000
    # What committed is whole: a matter has its reminder exactly when its check time moved on.
    moved = MatterCheck.objects.filter(next_check_at__gt=timezone.now()).count()
    assert moved == partial == Reminder.objects.values("matter").distinct().count()
    figures = run_once_many(8)
    assert sum(f["reminders_created"] for f in figures) == 5000 - partial
    assert_exactly_one_reminder_per_matter(5000)
    assert sum(f["reminders_created"] for f in run_once_many(1)) == 0


@postgres_only
def test_s5_1_sigterm_finishes_the_batch_and_exits_within_30_seconds(city):
    due_matters(city, 2000)
    p = start_worker("--interval", "1", "--batch", "200", pause=1.5)
    deadline = time.monotonic() + 180  # a loaded CI machine can take long to start Django
    while time.monotonic() < deadline and p.poll() is None and _workers_in_transaction() < 1:
        time.sleep(0.1)
    if p.poll() is not None:
        pytest.fail(f"the worker exited early ({p.returncode}): {p.communicate()[1][-2000:]}")
    assert _workers_in_transaction() >= 1, "the worker never entered a batch"
    started = time.monotonic()
    p.send_signal(signal.SIGTERM)
    p.wait(timeout=30)
    assert time.monotonic() - started < 30 and p.returncode == 0
    created = Reminder.objects.count()
    assert created > 0 and created % 200 == 0  # whole batches only
    assert created == MatterCheck.objects.filter(next_check_at__gt=timezone.now()).count()


@pytest.mark.skipif(settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3",
                    reason="the SQLite variant of the proofs (PostgreSQL runs them with processes)")
def test_s5_1_sqlite_one_worker_crash_mid_batch_then_restart(city, monkeypatch, clock):
    clock.set(date(2026, 11, 18))  # the worker runs in this process: one clock for both
    due_matters(city, 500)
    real = schedule.set_next_checks
    calls = {"n": 0}

    def crash_in_third_batch(pairs):
        real(pairs)
        calls["n"] += 1
        if calls["n"] == 3:
            raise SystemExit("worker died")  # inside the batch transaction, after every write

    monkeypatch.setattr(schedule, "set_next_checks", crash_in_third_batch)
    with pytest.raises(SystemExit):
        engine.scan(batch_size=100)
    assert Reminder.objects.count() == 200  # two committed batches; the third rolled back whole
    assert MatterCheck.objects.filter(next_check_at__gt=timezone.now()).count() == 200
    monkeypatch.setattr(schedule, "set_next_checks", real)
    assert engine.scan(batch_size=100).reminders_created == 300
    assert_exactly_one_reminder_per_matter(500)
    assert engine.scan(batch_size=100).reminders_created == 0


@postgres_only
def test_s5_1_one_pass_over_several_connections_creates_each_reminder_once(city, monkeypatch):
    due_matters(city, 450)
    real, lanes = engine._scan_batch, set()

    def recording(*args, **kwargs):
        lanes.add(threading.current_thread().name)
        return real(*args, **kwargs)

    monkeypatch.setattr(engine, "_scan_batch", recording)
    limited = engine.scan(batch_size=100, max_batches=2, connections=3)
    assert limited.reminders_created == Reminder.objects.count() == 200  # the budget is shared by the lanes
    monkeypatch.setattr(schedule, "set_next_checks", slow_batches(schedule.set_next_checks, 0.3))  # every lane gets one
    stats = engine.scan(batch_size=100, connections=3)
    assert len(lanes) >= 2, lanes  # the helper lanes really ran batches
    assert (stats.reminders_created, stats.matters_checked, stats.batches) == (250, 250, 3)
    assert_exactly_one_reminder_per_matter(450)
    assert MatterCheck.objects.filter(next_check_at__gt=timezone.now()).count() == 450
    assert engine.scan(batch_size=100, connections=3).reminders_created == 0
