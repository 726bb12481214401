"""The three rates (S2.7) and the bulletin's figures (S2.8) at city scale (issue 13), PostgreSQL.

    .venv/bin/python bench/rates.py [--sizes 10000,100000,1000000] [--requests 5]

For each size, a child process creates a throwaway database (ducha_bench_rates_<pid>) on
DUCHA_BENCH_PG (default postgres://postgres@127.0.0.1:5432), fills it with
``bench/_pgdata.build_city`` plus monthly reports (each unit's report for every month,
three in four submitted, a line for each matter it leads that month) and rectifications, and
measures, best and median of ``--requests`` calls after one warm-up:

- ``gather_rates`` for the last complete month, for the whole city and for the busiest unit
  (``overall=False``, as the unit's shortfall page asks);
- ``bulletin_data`` for that month;
- the floor, in the same run: hand-written GROUP BY statements counting the same three rates
  for all units, and for the one unit.

Targets (issue 13): one unit <= 3 x floor and <= 100 ms; the city <= 3 x floor and <= 2 s;
the bulletin <= 5 s. Exit status 1 when a case misses one.
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


def _reports_sql(year: int, month: int, clerk: int) -> list[str]:
    """Every unit's report for the month (three in four submitted on time) with a line per
    matter it leads that is running or was finished in or after the month."""
    first = f"DATE '{year}-{month:02d}-01'"
    return [
        "INSERT INTO reports_monthlyreport (unit_id, year, month, status, first_submitted_on, submitted_at, "
        "return_reason, created_by_id, created_at, updated_at) "
        f"SELECT id, {year}, {month}, CASE WHEN random() < .75 THEN 'submitted' ELSE 'draft' END, NULL, NULL, '', "
        f"{clerk}, now(), now() FROM org_unit",
        f"UPDATE reports_monthlyreport SET first_submitted_on = ({first} + interval '1 month' + "
        f"(floor(random() * 9))::int * interval '1 day')::date, submitted_at = now() "
        f"WHERE year = {year} AND month = {month} AND status = 'submitted'",
        "INSERT INTO reports_reportitem (report_id, matter_id, progress, done, problems, next_steps, "
        "achieved_quantity, saved_by_id, saved_at) "
        f"SELECT r.id, m.id, m.progress, '推进', '', '继续', NULL, {clerk}, now() FROM matters_matter m "
        f"JOIN reports_monthlyreport r ON r.unit_id = m.lead_unit_id AND r.year = {year} AND r.month = {month} "
        f"WHERE m.status IN ('assigned', 'in_progress', 'claimed', 'closed') AND m.start_date < {first} "
        f"+ interval '1 month' AND coalesce(m.completed_on, m.closed_on, {first}) >= {first} AND random() < .9",
    ]


def floor_sql(unit: int | None, first: str, last: str, window: Any, end_of_month: str) -> list[str]:
    """The three rates for the judged days [first, last], counted by hand; the reporting rate
    for the one report window closing then (``window``: the month before's report)."""
    lead = "" if unit is None else f" AND m.lead_unit_id = {unit}"
    part = "" if unit is None else f" AND p.unit_id = {unit}"
    rect = "" if unit is None else f" AND r.unit_id = {unit}"
    live = "m.status NOT IN ('draft', 'suspended')"
    wfirst, wlast = f"DATE '{window.year}-{window.month:02d}-01'", f"DATE '{window.last}'"
    sent = ("EXISTS (SELECT 1 FROM reports_reportitem i JOIN reports_monthlyreport rp ON rp.id = i.report_id "
            f"WHERE rp.unit_id = {{unit}} AND rp.year = {window.year} AND rp.month = {window.month} "
            f"AND i.matter_id = {{matter}} AND rp.first_submitted_on <= DATE '{window.closes}')")
    owed = f"{live} AND m.start_date <= {wlast} AND m.created_at < {end_of_month}"
    return [
        "SELECT m.lead_unit_id, count(*), count(*) FILTER (WHERE m.completed_on <= m.due_date) FROM matters_matter m "
        f"WHERE {live} AND m.due_date BETWEEN {first} AND {last}{lead} GROUP BY 1",
        "SELECT p.unit_id, count(*), count(*) FILTER (WHERE p.done_on <= p.due_date) FROM matters_counitpart p "
        f"JOIN matters_matter m ON m.id = p.matter_id WHERE {live} AND p.due_date BETWEEN {first} AND {last}{part} "
        "GROUP BY 1",
        "SELECT r.unit_id, count(*), count(*) FILTER (WHERE r.rectified_on <= r.due_date) FROM matters_rectification r "
        f"WHERE r.due_date BETWEEN {first} AND {last}{rect} GROUP BY 1",
        f"SELECT m.lead_unit_id, count(*), count(*) FILTER (WHERE {sent.format(unit='m.lead_unit_id', matter='m.id')}) "
        f"FROM matters_matter m WHERE {owed} AND (coalesce(m.completed_on, m.closed_on) IS NULL "
        f"OR coalesce(m.completed_on, m.closed_on) >= {wfirst}){lead} GROUP BY 1",
        f"SELECT p.unit_id, count(*), count(*) FILTER (WHERE {sent.format(unit='p.unit_id', matter='p.matter_id')}) "
        f"FROM matters_counitpart p JOIN matters_matter m ON m.id = p.matter_id WHERE {owed} "
        f"AND (least(p.done_on, m.completed_on, m.closed_on) IS NULL "
        f"OR least(p.done_on, m.completed_on, m.closed_on) >= {wfirst}){part} GROUP BY 1",
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
    with throwaway_database("ducha_bench_rates") as url:
        setup_django(url)
        from django.db import connection

        from ducha.reports.bulletin_data import bulletin_data
        from ducha.reports.rates import gather_rates
        from ducha.rules.periods import Period
        from ducha.workcal.service import today

        city = build_city(connection, matters=size)
        day = today()
        month = Period.containing("month", day).previous()
        before = month.previous()
        with connection.cursor() as cur:
            for p in (before, month):
                for sql in _reports_sql(p.start.year, p.start.month, city.supervision_id):
                    cur.execute(sql)
            cur.execute(
                "INSERT INTO matters_rectification (matter_id, unit_id, source, demand, due_date, due_provisional, "
                "rectified_on, created_at) SELECT id, lead_unit_id, 'notice', '整改', due_date - 10, false, "
                "CASE WHEN random() < .6 THEN due_date - 12 END, now() FROM matters_matter "
                "WHERE random() < .05 AND due_date IS NOT NULL")
            cur.execute("ANALYZE")
        from datetime import timedelta

        from django.utils import timezone

        from ducha.reports.owed import end_of_day, windows_in
        from ducha.rules.reporting import month_bounds

        first, last = f"DATE '{month.start}'", f"DATE '{min(month.end, day - timedelta(days=1))}'"
        [w] = [w for w in windows_in(month)[0] if w.closes < day]
        w_last = month_bounds(w.year, w.month)[1]

        class Window:
            year, month, closes, last = w.year, w.month, w.closes, w_last

        eom = f"TIMESTAMPTZ '{timezone.localtime(end_of_day(w_last)).isoformat()}'"
        out = []
        for label, unit in (("city", None), ("one unit", city.busy_unit_id)):
            statements = floor_sql(unit, first, last, Window, eom)

            def floor(statements: list[str] = statements) -> None:
                with connection.cursor() as cur:
                    for sql in statements:
                        cur.execute(sql)
                        cur.fetchall()

            if unit is None:
                def ours() -> None:
                    gather_rates(month, day)
            else:
                def ours(unit: int = unit) -> None:
                    gather_rates(month, day, [unit], overall=False)
            best, median = timed(ours, requests)
            fbest, _ = timed(floor, requests)
            tracemalloc.start()
            ours()
            peak = tracemalloc.get_traced_memory()[1] / 2**20
            tracemalloc.stop()
            out.append({"size": size, "what": f"rates, {label}", "best": best, "median": median, "floor": fbest,
                        "peak": peak})
        best, median = timed(lambda: bulletin_data(month, day), max(1, requests // 2))
        tracemalloc.start()
        bulletin_data(month, day)
        peak = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
        out.append({"size": size, "what": "bulletin data", "best": best, "median": median, "floor": None,
                    "peak": peak})
        return out


LIMITS = {"rates, city": 2000, "rates, one unit": 100, "bulletin data": 5000}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="10000,100000,1000000")
    ap.add_argument("--requests", type=int, default=5)
    ap.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.requests)))
        return 0
    rows = measure_sizes(__file__, args.sizes, args.requests)
    if rows is None:
        return 2
    print(f"\nRates and bulletin for the last month, PostgreSQL, {platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}, best and median of {args.requests}, load {os.getloadavg()[0]:.1f}\n")
    print("| matters | what | best | median | floor (SQL) | ratio | peak memory | target | pass |")
    print("|---|---|---|---|---|---|---|---|---|")
    missed = 0
    for r in rows:
        limit = LIMITS[r["what"]]
        ratio = r["best"] / r["floor"] if r["floor"] else None
        ok = r["best"] <= limit and (ratio is None or ratio <= 3)
        missed += not ok
        floor = "--" if r["floor"] is None else f"{r['floor']:.0f} ms"
        shown = "--" if ratio is None else f"{ratio:.1f}"
        target = f"≤ {limit:,} ms" + ("" if r["floor"] is None else ", ≤ 3 × floor")
        print(f"| {r['size']:,} | {r['what']} | {r['best']:.0f} ms | {r['median']:.0f} ms | {floor} | {shown} | "
              f"{r['peak']:.1f} MB | {target} | {'pass' if ok else 'MISS'} |")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
