"""The electronic supervision board (S3.3, issue 16) at city scale, PostgreSQL.

    .venv/bin/python bench/approvals_board.py [--sizes 10000,100000] [--requests 5]

For each size, a child process creates a throwaway database (ducha_sup_board_<pid>) on
DUCHA_BENCH_PG (default: the server of DUCHA_DATABASE_URL, else postgres://postgres@127.0.0.1:5432),
fills it with ``bench/_pgdata.build_city`` (500 units), a catalogue of 200 items and N open
applications (``INSERT … SELECT generate_series``: skewed over the departments, 75 % accepted,
10 % received, 5 % notified, 10 % paused) plus N/10 decided ones, and a yellow card on 15 % of
the open applications and a red one on 5 % (half of them this month). It then measures, best
and median of ``--requests`` after one warm-up:

- ``board.board_rows`` for the supervision office (every department): the time spent in the
  database (statements timed by an execute wrapper) and in all;
- the floor, in the same run: the same counts in two hand-written GROUP BY statements;
- the board page (``/approvals/supervision/``) and the API's board through the test client,
  with the number of statements each made.

Targets (issue 16): the board's database time within 3 × the floor; the statements the same
at every size. Exit status 1 when a case misses one.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

if "DUCHA_BENCH_PG" not in os.environ and os.environ.get("DUCHA_DATABASE_URL", "").startswith("postgres"):
    _u = urlsplit(os.environ["DUCHA_DATABASE_URL"])
    os.environ["DUCHA_BENCH_PG"] = f"{_u.scheme}://{_u.netloc}"

from bench._pgdata import _default_sql, build_city, measure_sizes, setup_django, throwaway_database  # noqa: E402

OPEN = "('received', 'notified', 'accepted', 'paused')"


def _catalogue(clerk: int) -> list[int]:
    from datetime import date

    from ducha.approvals.models import Item, ItemVersion, VersionState
    from ducha.org.models import Unit, UnitKind

    departments = list(Unit.objects.filter(kind=UnitKind.DEPARTMENT).values_list("pk", flat=True))
    Item.objects.bulk_create([Item(code=f"B{i:05d}") for i in range(200)])
    items = list(Item.objects.order_by("code"))
    ItemVersion.objects.bulk_create([
        ItemVersion(item=it, version=1, effective_from=date(2020, 1, 1), state=VersionState.PUBLISHED,
                    name=f"审批事项{i}", kind="01", legal_basis="《行政许可法》",
                    lead_department_id=departments[i % len(departments)], statutory_days=20,
                    promised_days=5 + i % 15, created_by_id=clerk)
        for i, it in enumerate(items)])
    return departments


def _applications_sql(n: int, decided: int, clerk: int, today: Any) -> str:
    from ducha.approvals.models import Application

    state = (f"CASE WHEN g > {n} THEN 'granted' WHEN rs < .75 THEN 'accepted' WHEN rs < .85 THEN 'received' "
             "WHEN rs < .90 THEN 'notified' ELSE 'paused' END")
    fixed = {
        "receipt_number": "'SP' || lpad(g::text, 9, '0')",
        "version_id": "v.id", "handling_unit_id": "v.lead_department_id", "state": "state",
        "applicant_name": "'申请人' || g", "applicant_id": "'91410000' || lpad(g::text, 10, '0')",
        "applicant_phone": "'13800000000'", "first_officer_id": str(clerk), "received_on": "received",
        "received_at": "received::timestamptz", "channel": "'window'",
        "accepted_on": "CASE WHEN state IN ('received', 'notified') THEN NULL ELSE received + 2 END",
        "decided_on": f"CASE WHEN state = 'granted' THEN least(DATE '{today}', received + 20) END",
        "next_check_on": f"CASE WHEN state = 'granted' THEN NULL ELSE DATE '{today}' + 1 END",
        "created_at": "received::timestamptz",
    }
    cols, exprs = [], []
    for f in Application._meta.concrete_fields:
        if f.primary_key:
            continue
        cols.append(f.column)
        exprs.append(fixed.get(f.name) or fixed.get(f.column) or _default_sql(f, "approvals_application"))
    return f"""
        WITH r AS MATERIALIZED (
            SELECT g, random() AS ru, random() AS rs, random() AS rd FROM generate_series(1, {n + decided}) AS g
        ), v AS MATERIALIZED (
            SELECT row_number() OVER (ORDER BY id) - 1 AS k, id, lead_department_id FROM approvals_itemversion
        ), s AS MATERIALIZED (
            SELECT r.*, {state} AS state, DATE '{today}' - 1 - floor(rd * 60)::int AS received
            FROM r
        )
        INSERT INTO approvals_application ({', '.join(cols)})
        SELECT {', '.join(exprs)} FROM s JOIN v ON v.k = floor(200 * ru * ru)::int
    """


def _cards_sql(today: Any) -> list[str]:
    month = f"DATE '{today.replace(day=1)}'"
    cols = "(application_id, step_id, unit_id, colour, issued_on, limit_days, used_days, case_id)"
    return [
        f"INSERT INTO approvals_card {cols} SELECT a.id, NULL, a.handling_unit_id, 'yellow', "
        f"CASE WHEN a.id % 2 = 0 THEN greatest({month}, DATE '{today}' - 3) ELSE DATE '{today}' - 40 END, 10, 8, NULL "
        f"FROM approvals_application a WHERE a.state IN {OPEN} AND a.id % 100 < 15",
        f"INSERT INTO approvals_card {cols} SELECT a.id, NULL, a.handling_unit_id, 'red', "
        f"CASE WHEN a.id % 2 = 0 THEN greatest({month}, DATE '{today}' - 1) ELSE DATE '{today}' - 30 END, 10, 11, NULL "
        f"FROM approvals_application a WHERE a.state IN {OPEN} AND a.id % 100 < 5",
    ]


def floor_sql(today: Any) -> list[str]:
    year, month = f"DATE '{today.replace(month=1, day=1)}'", f"DATE '{today.replace(day=1)}'"
    return [
        f"SELECT handling_unit_id, count(*) FROM approvals_application WHERE state IN {OPEN} GROUP BY 1",
        "SELECT c.unit_id, "
        f"count(*) FILTER (WHERE c.colour = 'yellow' AND c.issued_on >= {month}), "
        f"count(*) FILTER (WHERE c.colour = 'red' AND c.issued_on >= {month}), "
        f"count(*) FILTER (WHERE c.colour = 'yellow' AND c.issued_on >= {year}), "
        f"count(*) FILTER (WHERE c.colour = 'red' AND c.issued_on >= {year}), "
        f"count(*) FILTER (WHERE c.colour = 'yellow' AND a.state IN {OPEN}), "
        f"count(*) FILTER (WHERE c.colour = 'red' AND a.state IN {OPEN}) "
        "FROM approvals_card c JOIN approvals_application a ON a.id = c.application_id "
        f"WHERE c.issued_on >= {year} OR a.state IN {OPEN} GROUP BY 1",
    ]


def timed(fn: Any, n: int) -> tuple[float, float]:
    runs = []
    for i in range(n + 1):
        t = time.perf_counter()
        fn()
        if i:
            runs.append((time.perf_counter() - t) * 1000)
    return min(runs), statistics.median(runs)


def child(size: int, requests: int) -> list[dict[str, Any]]:
    with throwaway_database("ducha_sup_board") as url:
        setup_django(url)
        from django.db import connection
        from django.test import Client, override_settings
        from django.test.utils import CaptureQueriesContext

        from ducha.approvals.board import board_rows
        from ducha.org.models import User
        from ducha.workcal.service import today

        # Static URLs need no manifest here: the benchmark measures the page, not collectstatic.
        override_settings(STORAGES={
            "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}).enable()
        city = build_city(connection, matters=1000)
        day = today()
        _catalogue(city.supervision_id)
        with connection.cursor() as cur:
            cur.execute("SELECT setseed(0.16)")
            cur.execute(_applications_sql(size, size // 10, city.supervision_id, day))
            for sql in _cards_sql(day):
                cur.execute(sql)
            cur.execute("VACUUM ANALYZE approvals_application")
            cur.execute("VACUUM ANALYZE approvals_card")
            cur.execute("SELECT count(*) FILTER (WHERE state IN " + OPEN + "), count(*) FROM approvals_application")
            running, total = cur.fetchone()
            cur.execute("SELECT count(*) FROM approvals_card")
            (cards,) = cur.fetchone()
        user = User.objects.get(pk=city.supervision_id)
        db_ms: list[float] = []

        def wrapper(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
            t = time.perf_counter()
            try:
                return execute(sql, params, many, context)
            finally:
                db_ms[-1] += (time.perf_counter() - t) * 1000

        def ours() -> None:
            db_ms.append(0.0)
            with connection.execute_wrapper(wrapper):
                rows = board_rows(user, day)
            assert sum(r.running for r in rows) == running

        def floor() -> None:
            with connection.cursor() as cur:
                for sql in floor_sql(day):
                    cur.execute(sql)
                    cur.fetchall()

        best, median = timed(ours, requests)
        db_best = min(db_ms[1:])
        fbest, _ = timed(floor, requests)
        client = Client()
        client.force_login(user)
        statements = {}
        for name, path in (("page", "/approvals/supervision/"), ("api", "/api/approvals/supervision/board")):
            with CaptureQueriesContext(connection) as q:
                assert client.get(path).status_code == 200
            statements[name] = len(q.captured_queries)
        page_best, _ = timed(lambda: client.get("/approvals/supervision/"), requests)
        return [{"size": size, "running": running, "total": total, "cards": cards, "best": best, "median": median,
                 "db": db_best, "floor": fbest, "page": page_best, "statements": statements}]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="10000,100000")
    ap.add_argument("--requests", type=int, default=5)
    ap.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.requests)))
        return 0
    rows = measure_sizes(__file__, args.sizes, args.requests)
    if rows is None:
        return 2
    print(f"\nSupervision board, PostgreSQL, {platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}, best and median of {args.requests}, load {os.getloadavg()[0]:.1f}\n")
    print("| open applications | cards | board_rows best | median | of it in the database | floor (SQL) | ratio "
          "| page | statements (page, API) | pass |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    missed = 0
    first = rows[0]["statements"]
    for r in rows:
        ratio = r["db"] / r["floor"] if r["floor"] else 0
        ok = ratio <= 3 and r["statements"] == first
        missed += not ok
        print(f"| {r['running']:,} | {r['cards']:,} | {r['best']:.1f} ms | {r['median']:.1f} ms | {r['db']:.1f} ms "
              f"| {r['floor']:.1f} ms | {ratio:.2f} | {r['page']:.0f} ms | {r['statements']['page']}, "
              f"{r['statements']['api']} | {'pass' if ok else 'MISS'} |")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
