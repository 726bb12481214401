"""Newly due matters while the outbox drains (S5.1; issue #11 item 3), PostgreSQL.

    .venv/bin/python bench/drain.py [--pending 200000] [--due 2000] [--after 3] [--keep]

Creates a throwaway database (ducha_bench_drain_<pid>) on DUCHA_BENCH_PG (default
postgres://postgres@127.0.0.1:5432), migrates it and fills it with ``INSERT … SELECT
generate_series``:

- ``--pending`` e-mails waiting in the outbox, due now (a busy morning's backlog);
- ``--due`` running matters whose check time comes ``--after`` seconds into the run, each
  then owing one reminder to the lead unit's liaison.

The worker's own loop (``reminders.loop.run_forever``) then runs in a thread, as ``ducha
worker`` runs it, while this script watches for the reminders of those matters. Timed: from
the moment they fall due to the moment all their reminders (and inbox messages, written in
the same transaction) exist. Twice in the same run, from the same reset:

- **bounded**: the settings as shipped (DUCHA_DELIVERY_PASS_SECONDS, DUCHA_DELIVERY_PASS_MESSAGES);
- **unbounded**: both 0, i.e. one delivery pass drains the whole outbox before the next scan,
  as before the bound existed.

Each run lasts at least ``--window`` seconds, so the delivery pace of the two can be compared.

Mail goes to a backend that composes each message (headers, MIME encoding) and drops it: the
cost of mail on this side of the relay, without a network. A real relay is slower, which
only lengthens the unbounded wait. Exit status 1 when the bounded wait exceeds the time
bound plus 5 s.
"""

from __future__ import annotations

import argparse
import platform
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from django.core.mail.backends.base import BaseEmailBackend  # noqa: E402

from bench._pgdata import setup_django, throwaway_database  # noqa: E402


class ComposingBackend(BaseEmailBackend):
    """Composes each message as SMTP would send it, then drops it."""

    def send_messages(self, email_messages):  # type: ignore[no-untyped-def]
        for m in email_messages:
            m.message().as_bytes()
        return len(email_messages)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pending", type=int, default=200_000, help="e-mails waiting in the outbox")
    ap.add_argument("--due", type=int, default=2_000, help="matters falling due while it drains")
    ap.add_argument("--after", type=float, default=3.0, help="seconds into the run they fall due")
    ap.add_argument("--window", type=float, default=40.0,
                    help="seconds the worker runs at least, for its delivery pace")
    ap.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = ap.parse_args()
    with throwaway_database("ducha_bench_drain", keep=args.keep) as url:
        setup_django(url)
        return run(args)


def run(args: argparse.Namespace) -> int:
    from django.conf import settings
    from django.db import connection

    from bench.scan import _fill
    from ducha.org.models import LeaderKind, LeaderPost, Unit, UnitKind, User
    from ducha.org.roles import Role
    from ducha.workcal.service import get_calendar, today

    settings.EMAIL_BACKEND = "bench.drain.ComposingBackend"
    shipped = (settings.DUCHA_DELIVERY_PASS_SECONDS, settings.DUCHA_DELIVERY_PASS_MESSAGES)
    t0 = time.perf_counter()
    unit = Unit.objects.create(code="fgw", name="市发展和改革委员会", short_name="发改委", kind=UnitKind.DEPARTMENT)
    liaison = User.objects.create(username="liaison", name="联络员", role=Role.UNIT_ADMIN, unit=unit)
    vice = User.objects.create(username="vice", name="副市长", role=Role.LEADER)
    LeaderPost.objects.create(person=vice, kind=LeaderKind.VICE_MAYOR, title="副市长").portfolio.set([unit])
    clerk = User.objects.create(username="clerk", name="督查室", role=Role.SUPERVISION_OFFICE)
    cal, d = get_calendar(), today()
    # Today is the first rung (3 working days before the due date), which reaches the liaison only.
    due = cal.add_workdays(cal.workday_on_or_before(d), 3)
    _fill(connection, _matter_model(), args.due + 1, args.due, unit.pk, vice.pk, clerk.pk, due, d)
    with connection.cursor() as cur:
        # The backlog's e-mails belong to one reminder of one more matter (number B<due>).
        cur.execute("INSERT INTO reminders_reminder (matter_id, kind, stage, deadline, light, action, urgent, "
                    "title, body, audience, batch, created_at) SELECT id, 'deadline', 'backlog', due_date, '', '', "
                    "false, '【即将到期】 ' || number || ' ' || title, title || '（牵头单位：发改委）即将到期。', "
                    "'lead_unit', 'bench', now() FROM matters_matter WHERE number = %s RETURNING id",
                    [f"B{args.due:07d}"])
        backlog_reminder = cur.fetchone()[0]
    build = time.perf_counter() - t0

    def reset() -> None:
        with connection.cursor() as cur:
            cur.execute("DELETE FROM inbox_notification")
            cur.execute("DELETE FROM reminders_reminder WHERE id <> %s", [backlog_reminder])
            cur.execute("TRUNCATE reminders_outboxmessage, reminders_deliveryattempt")
            cur.execute(
                "INSERT INTO reminders_outboxmessage (reminder_id, channel, user_id, robot_id, address, "
                "idempotency_key, urgent, status, attempts, next_attempt_at, receipt, last_error, created_at) "
                "SELECT %s, 'email', %s, NULL, 'p' || g || '@fgw.example', 'backlog.' || g, false, 'pending', 0, "
                "now() - interval '1 minute', '{}', '', now() FROM generate_series(1, %s) AS g",
                [backlog_reminder, liaison.pk, args.pending])
            cur.execute("UPDATE matters_mattercheck SET next_check_at = now() + interval '30 days'")
            cur.execute("VACUUM ANALYZE reminders_outboxmessage")
            cur.execute("VACUUM ANALYZE matters_mattercheck")

    def newly_due() -> None:
        with connection.cursor() as cur:
            cur.execute("UPDATE matters_mattercheck SET next_check_at = now() + %s * interval '1 second' "
                        "WHERE matter_id IN (SELECT id FROM matters_matter WHERE number < %s)",
                        [args.after, f"B{args.due:07d}"])

    def reminded() -> int:
        with connection.cursor() as cur:
            cur.execute("SELECT count(*) FROM reminders_reminder WHERE id <> %s", [backlog_reminder])
            return int(cur.fetchone()[0])

    def pending() -> int:
        with connection.cursor() as cur:
            cur.execute("SELECT count(*) FROM reminders_outboxmessage WHERE status = 'pending'")
            return int(cur.fetchone()[0])

    results = {}
    for label, bounds in (("bounded", shipped), ("unbounded", (0, 0))):
        reset()
        settings.DUCHA_DELIVERY_PASS_SECONDS, settings.DUCHA_DELIVERY_PASS_MESSAGES = bounds
        stop = threading.Event()
        worker = threading.Thread(target=_worker, args=(stop,), name=f"worker-{label}")
        newly_due()
        started = time.perf_counter()
        falls_due = started + args.after
        worker.start()
        done_at = None
        while done_at is None and time.perf_counter() - started < 1800:
            time.sleep(0.1)
            if time.perf_counter() >= falls_due and reminded() >= args.due:
                done_at = time.perf_counter()
        left = pending()
        while time.perf_counter() - started < args.window:  # the drain's pace over a fair stretch
            time.sleep(0.2)
        stop.set()
        worker.join()
        stopped = time.perf_counter()
        sent = args.pending - pending()
        results[label] = (done_at - falls_due if done_at else float("inf"), left, sent / (stopped - started))
    settings.DUCHA_DELIVERY_PASS_SECONDS, settings.DUCHA_DELIVERY_PASS_MESSAGES = shipped

    print(f"data: {args.pending:,} e-mails pending, {args.due:,} matters falling due {args.after:g} s in; "
          f"built in {build:.0f} s")
    for label, (wait, left, rate) in results.items():
        bound = (f"DUCHA_DELIVERY_PASS_SECONDS={shipped[0]}, DUCHA_DELIVERY_PASS_MESSAGES={shipped[1]}"
                 if label == "bounded" else "no bound")
        print(f"{label} ({bound}): reminders of all {args.due:,} newly due matters {wait:.1f} s after they "
              f"fell due; {left:,} e-mails still pending then; delivery {rate:,.0f} messages/s over the run")
    print(f"machine: {platform.machine()}, Python {platform.python_version()}, "
          f"PostgreSQL {connection.cursor().connection.info.server_version}")
    ok = results["bounded"][0] <= shipped[0] + 5
    print(f"bounded wait <= time bound + 5 s: {'pass' if ok else 'MISS'}")
    return 0 if ok else 1


def _matter_model():  # type: ignore[no-untyped-def]
    from ducha.matters.models import Matter

    return Matter


def _worker(stop: threading.Event) -> None:
    """``ducha worker`` in a thread: its loop, a pass every 60 s, its own database connection."""
    from django.db import connection

    from ducha.reminders import loop

    try:
        loop.run_forever(stop, interval=60)
    finally:
        connection.close()


if __name__ == "__main__":
    raise SystemExit(main())
