"""Home page and dashboard at city scale (issue 13): time and memory of a request, PostgreSQL.

    .venv/bin/python bench/dashboard.py [--sizes 10000,100000,1000000] [--requests 10]

For each size, a child process creates a throwaway database (ducha_bench_dash_<pid>) on
DUCHA_BENCH_PG (default postgres://postgres@127.0.0.1:5432), fills it with
``bench/_pgdata.build_city`` (500 units, 10 vice mayors, N matters over three years) and
measures, with DEBUG off and django.test.Client, the home page ``/``, the dashboard
``/matters/dashboard/`` and its htmx panel for the supervision office (the whole city), a
vice mayor (a 50-unit portfolio) and the staff of the busiest unit:

- wall time of the request (rendering included) and its database time, median and p95 of
  ``--requests`` requests after one warm-up, and its query count;
- the peak of Python memory allocated during one request (tracemalloc, a separate request);
- the floor, in the same run: the same figures from hand-written SQL (statuses; lights per
  lead unit from the calendar's working-day counts; the overdue and due-soon lists with
  LIMIT), for the same scope.

Targets (issue 13): wall time <= 3 x floor and <= 200 ms; peak memory <= 50 MB. Exit status 1
when a case misses one.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
import tracemalloc
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._pgdata import build_city, measure_sizes, setup_django, throwaway_database  # noqa: E402

PAGES = [("home", "/"), ("dashboard", "/matters/dashboard/"), ("panel", "/matters/dashboard/panel/")]


def floor_sql(scope_where: str) -> list[str]:
    """What the dashboard shows, written by hand: four statements over the scope's matters."""
    frame = (
        "FROM matters_matter m "
        "LEFT JOIN workcal_workdayindex s ON s.calendar = %(key)s AND s.day = m.start_date AND s.run = %(run)s "
        "LEFT JOIN workcal_workdayindex d ON d.calendar = %(key)s AND d.day = m.due_date AND d.run = %(run)s "
        f"WHERE {scope_where} "
    )
    running = "m.status IN ('assigned', 'in_progress')"
    regular = f"({running} AND m.due_date >= %(today)s AND s.day IS NOT NULL AND d.day IS NOT NULL)"
    yellow = ("(d.through - %(t)s <= 3 OR m.progress * (d.through - s.before) < 100 * (%(t)s - s.before))")
    return [
        f"SELECT m.status, count(*) FROM matters_matter m WHERE {scope_where} GROUP BY m.status",
        "SELECT m.lead_unit_id, count(*), count(*) FILTER (WHERE m.status = 'claimed'),"
        f" count(*) FILTER (WHERE {running} AND m.due_date < %(today)s),"
        f" count(*) FILTER (WHERE {regular} AND {yellow}),"
        f" count(*) FILTER (WHERE {regular} AND NOT {yellow}) "
        + frame + "AND m.status IN ('assigned', 'in_progress', 'claimed') GROUP BY m.lead_unit_id",
        f"SELECT m.id, m.number, m.title, m.due_date FROM matters_matter m WHERE {scope_where} AND {running}"
        " AND m.due_date < %(today)s ORDER BY m.due_date, m.id LIMIT 15",
        f"SELECT m.id, m.number, m.title, m.due_date {frame} AND {regular} AND d.through - %(t)s <= 5"
        " ORDER BY m.due_date, m.id LIMIT 15",
    ]


def child(size: int, requests: int) -> list[dict[str, Any]]:
    with throwaway_database("ducha_bench_dash") as url:
        setup_django(url)
        from django.db import connection
        from django.test import Client, override_settings

        from ducha.org.models import User
        from ducha.workcal.index import ensure_index
        from ducha.workcal.service import get_calendar, today

        # Static URLs need no manifest here: the benchmark measures the page, not collectstatic.
        override_settings(STORAGES={
            "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}).enable()
        city = build_city(connection, matters=size)
        day = today()
        cal = get_calendar()
        key = ensure_index(cal)
        params = {"key": key, "run": cal.run_of(day), "today": day, "t": cal.through(day)}
        vice = User.objects.get(pk=city.vice_mayor_id)
        portfolio = ",".join(str(u) for u in vice.leader_post.portfolio.values_list("id", flat=True))
        personas = [
            ("office", city.supervision_id, "TRUE"),
            ("vice mayor", city.vice_mayor_id, f"m.lead_unit_id IN ({portfolio})"),
            ("busy unit", city.busy_staff_id, f"m.lead_unit_id = {city.busy_unit_id} AND m.status <> 'draft'"),
        ]
        out = []
        for persona, user_id, where in personas:
            statements = floor_sql(where)
            floors = []
            for _ in range(requests + 1):
                t = time.perf_counter()
                with connection.cursor() as cur:
                    for sql in statements:
                        cur.execute(sql, params)
                        cur.fetchall()
                floors.append((time.perf_counter() - t) * 1000)
            floor = statistics.median(floors[1:])
            client = Client()
            client.force_login(User.objects.get(pk=user_id))
            for page, path in PAGES:
                walls, dbs, counts = [], [], []
                for i in range(requests + 1):
                    spent = {"s": 0.0, "n": 0}

                    def timer(execute, sql, p, many, context, spent=spent):  # type: ignore[no-untyped-def]
                        t0 = time.perf_counter()
                        try:
                            return execute(sql, p, many, context)
                        finally:
                            spent["s"] += time.perf_counter() - t0
                            spent["n"] += 1

                    with connection.execute_wrapper(timer):
                        t = time.perf_counter()
                        response = client.get(path)
                        wall = (time.perf_counter() - t) * 1000
                    assert response.status_code == 200, (path, response.status_code)
                    if i:
                        walls.append(wall)
                        dbs.append(spent["s"] * 1000)
                        counts.append(spent["n"])
                tracemalloc.start()
                client.get(path)
                _, peak = tracemalloc.get_traced_memory()
                tracemalloc.stop()
                walls.sort()
                out.append({
                    "size": size, "persona": persona, "page": page, "p50": statistics.median(walls),
                    "p95": walls[max(0, round(0.95 * len(walls)) - 1)], "db": statistics.median(dbs),
                    "queries": max(counts), "floor": floor, "peak_mb": peak / 2**20,
                })
        return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="10000,100000,1000000")
    ap.add_argument("--requests", type=int, default=10)
    ap.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.requests)))
        return 0
    rows = measure_sizes(__file__, args.sizes, args.requests)
    if rows is None:
        return 2
    print(f"\nHome and dashboard, PostgreSQL, {platform.machine()}, {os.cpu_count()} cores, Python "
          f"{platform.python_version()}, {args.requests} requests each after one warm-up, load "
          f"{os.getloadavg()[0]:.1f}\n")
    print("| matters | persona | page | wall p50 | wall p95 | database | queries | floor (SQL) | ratio | "
          "peak memory | pass |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    missed = 0
    for r in rows:
        ratio = r["p50"] / r["floor"] if r["floor"] else float("inf")
        ok = r["p50"] <= 200 and ratio <= 3 and r["peak_mb"] <= 50
        missed += not ok
        print(f"| {r['size']:,} | {r['persona']} | {r['page']} | {r['p50']:.0f} ms | {r['p95']:.0f} ms | "
              f"{r['db']:.0f} ms | {r['queries']} | {r['floor']:.1f} ms | {ratio:.1f} | {r['peak_mb']:.1f} MB | "
              f"{'pass' if ok else 'MISS'} |")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
