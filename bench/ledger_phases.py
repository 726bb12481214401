"""The ledger's phases (S2.4) at city scale (issue 13), PostgreSQL.

    .venv/bin/python bench/ledger_phases.py [--sizes 10000,100000,1000000] [--requests 3]

For each size, a child process creates a throwaway database (ducha_bench_ledger_<pid>) on
DUCHA_BENCH_PG (default postgres://postgres@127.0.0.1:5432), fills it with
``bench/_pgdata.build_city`` plus each matter's timeline (assigned the day before it starts,
started, claimed and closed on the days it was) and the lead units' monthly reports for
April to June, and measures, best and median of ``--requests`` calls after one warm-up, with
the peak of Python's memory in a further call:

- the June check's preview (``plan_june_check``) for this year, judged as of 30 June;
- the year-end close's preview (``plan_close``);
- the floor of each, in the same run: one hand-written SQL over the year. For June, each
  matter's status at the cut-off (its last timeline step by then), its latest report line up
  to June, and its working time elapsed from the working-day index, counted per lead unit;
  for the close, the ledger states counted and the open matters listed (the first
  ``PREVIEW_ROWS``, as the page shows).

Target (issue 13): the June preview <= 3 x its floor. Exit status 1 when it misses.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tracemalloc
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._pgdata import build_city, measure_sizes, setup_django, throwaway_database  # noqa: E402
from bench.rates import _reports_sql, timed  # noqa: E402

TIMELINE_SQL = [
    # Assigned the day before the start, 09:00 Beijing time; running matters started a week on.
    "INSERT INTO matters_matterevent (matter_id, actor_id, action, from_status, to_status, reason, data, created_at) "
    "SELECT id, {clerk}, 'assign', 'draft', 'assigned', '', '{{}}', (start_date - 1) + time '01:00' "
    "FROM matters_matter WHERE status <> 'draft'",
    "INSERT INTO matters_matterevent (matter_id, actor_id, action, from_status, to_status, reason, data, created_at) "
    "SELECT id, {clerk}, 'progress', 'assigned', 'in_progress', '', '{{}}', (start_date + 7) + time '02:00' "
    "FROM matters_matter WHERE status IN ('in_progress', 'claimed', 'closed', 'suspended')",
    "INSERT INTO matters_matterevent (matter_id, actor_id, action, from_status, to_status, reason, data, created_at) "
    "SELECT id, {clerk}, 'claim', 'in_progress', 'claimed', '', '{{}}', completed_on + time '03:00' "
    "FROM matters_matter WHERE status IN ('claimed', 'closed') AND completed_on IS NOT NULL",
    "INSERT INTO matters_matterevent (matter_id, actor_id, action, from_status, to_status, reason, data, created_at) "
    "SELECT id, {clerk}, 'close', 'claimed', 'closed', '', '{{}}', closed_on + time '04:00' "
    "FROM matters_matter WHERE status = 'closed' AND closed_on IS NOT NULL",
]


def june_floor_sql(year: int, cutoff: str, end: str, key: str) -> str:
    """The June check's counts per lead unit in one statement (behind: progress x total
    working days < 100 x working days passed, the integer form of ``behind_schedule``)."""
    return f"""
WITH ledger AS (
  SELECT m.id, m.lead_unit_id, m.start_date, m.due_date, m.progress, m.last_progress_on, m.status, m.closed_on
  FROM matters_matter m WHERE m.year = {year}
), st AS (
  SELECT DISTINCT ON (e.matter_id) e.matter_id, e.to_status FROM matters_matterevent e
  JOIN ledger l ON l.id = e.matter_id
  WHERE e.created_at < TIMESTAMPTZ '{end}' AND e.to_status <> ''
  ORDER BY e.matter_id, e.created_at DESC, e.id DESC
), rep AS (
  SELECT DISTINCT ON (i.matter_id) i.matter_id, i.progress FROM reports_reportitem i
  JOIN reports_monthlyreport r ON r.id = i.report_id JOIN ledger l ON l.id = i.matter_id
  WHERE i.co_part_id IS NULL AND r.unit_id = l.lead_unit_id AND (r.year < {year} OR r.month <= 6)
  ORDER BY i.matter_id, r.year DESC, r.month DESC
), judged AS (
  SELECT l.lead_unit_id,
         coalesce(rep.progress, CASE WHEN l.last_progress_on > DATE '{cutoff}' OR (l.status = 'closed'
                  AND coalesce(l.closed_on, DATE '{cutoff}' + 1) > DATE '{cutoff}') THEN 0 ELSE l.progress END) AS p,
         d.through - s.before AS total, least(d.through, c.through) - s.before AS passed
  FROM ledger l JOIN st ON st.matter_id = l.id LEFT JOIN rep ON rep.matter_id = l.id
  JOIN workcal_workdayindex s ON s.calendar = '{key}' AND s.day = l.start_date
  JOIN workcal_workdayindex d ON d.calendar = '{key}' AND d.day = l.due_date
  JOIN workcal_workdayindex c ON c.calendar = '{key}' AND c.day = DATE '{cutoff}'
  WHERE st.to_status IN ('assigned', 'in_progress') AND l.start_date <= DATE '{cutoff}'
)
SELECT lead_unit_id, count(*), count(*) FILTER (WHERE p * total < 100 * passed) FROM judged GROUP BY 1
"""


def close_floor_sql(year: int, today: str, rows: int) -> list[str]:
    return [
        f"""SELECT CASE WHEN status = 'closed' THEN 'completed' WHEN status = 'suspended' THEN 'suspended'
             WHEN due_date < (CASE WHEN status = 'claimed' THEN coalesce(completed_on, DATE '{today}')
                              ELSE DATE '{today}' END) THEN 'overdue'
             WHEN status IN ('draft', 'assigned') AND progress = 0 THEN 'not_started' ELSE 'in_progress' END,
           count(*) FROM matters_matter WHERE year = {year} GROUP BY 1""",
        f"""SELECT m.id, m.number, m.title, u.name, m.status, m.progress, m.due_date FROM matters_matter m
           JOIN org_unit u ON u.id = m.lead_unit_id WHERE m.year = {year} AND m.status <> 'closed'
           ORDER BY u.sort_order, u.id, m.id LIMIT {rows}""",
    ]


def peak_of(fn: Any) -> float:
    tracemalloc.start()
    fn()
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return peak


def child(size: int, requests: int, keep: bool = False, reuse: str | None = None) -> list[dict[str, Any]]:
    with throwaway_database("ducha_bench_ledger", keep=keep, reuse=reuse) as url:
        setup_django(url, migrate=not reuse)
        from django.db import connection
        from django.utils import timezone

        from ducha.ledger.cutoff import cutoff as cutoff_of
        from ducha.ledger.cutoff import end_of
        from ducha.ledger.planning import PREVIEW_ROWS, plan_close, plan_june_check
        from ducha.workcal.index import ensure_index
        from ducha.workcal.service import get_calendar, today

        day = today()
        year = day.year
        if not reuse:
            city = build_city(connection, matters=size)
            with connection.cursor() as cur:
                for sql in TIMELINE_SQL:
                    cur.execute(sql.format(clerk=city.supervision_id))
                for month in (4, 5, 6):
                    for sql in _reports_sql(year, month, city.supervision_id):
                        cur.execute(sql)
                cur.execute("VACUUM ANALYZE")
        cut = cutoff_of("june_check", year)
        assert cut is not None
        key = ensure_index(get_calendar())
        june_sql = june_floor_sql(year, cut.isoformat(), timezone.localtime(end_of(cut)).isoformat(), key)

        def floor_june() -> None:
            with connection.cursor() as cur:
                cur.execute(june_sql)
                cur.fetchall()

        close_sql = close_floor_sql(year, day.isoformat(), PREVIEW_ROWS)

        def floor_close() -> None:
            with connection.cursor() as cur:
                for sql in close_sql:
                    cur.execute(sql)
                    cur.fetchall()

        plan = plan_june_check(year, day)
        with connection.cursor() as cur:
            cur.execute(june_sql)
            floor_rows = cur.fetchall()
        # The floor must count what the plan counts, or it is no floor.
        flagged = sum(r[2] for r in floor_rows)
        assert (plan.counts["flagged"], plan.counts["judged"]) == (flagged, sum(r[1] for r in floor_rows)), (
            plan.counts, flagged)
        out = []
        for what, ours, floor in (
            ("June check preview", lambda: plan_june_check(year, day), floor_june),
            ("year-end close preview", lambda: plan_close(year, day), floor_close),
        ):
            best, median = timed(ours, requests)
            fbest, _ = timed(floor, requests)
            out.append({"size": size, "what": what, "best": best, "median": median, "floor": fbest,
                        "peak": peak_of(ours), "judged": plan.counts["judged"], "flagged": flagged})
        return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="10000,100000,1000000")
    ap.add_argument("--requests", type=int, default=3)
    ap.add_argument("--child", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--keep", action="store_true", help="with --child: keep the database it builds")
    ap.add_argument("--reuse", help="with --child: measure on this kept database instead of building one")
    args = ap.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.requests, args.keep, args.reuse)))
        return 0
    rows = measure_sizes(__file__, args.sizes, args.requests)
    if rows is None:
        return 2
    print(f"\nLedger phase previews for this year, PostgreSQL, {platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}, best and median of {args.requests}, load {os.getloadavg()[0]:.1f}\n")
    print("| matters | what | judged / flagged | best | median | floor (SQL) | ratio | peak memory | target | pass |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    missed = 0
    for r in rows:
        ratio = r["best"] / r["floor"]
        checked = r["what"].startswith("June")
        ok = ratio <= 3 or not checked
        missed += not ok
        print(f"| {r['size']:,} | {r['what']} | {r['judged']:,} / {r['flagged']:,} | {r['best']:.0f} ms | "
              f"{r['median']:.0f} ms | {r['floor']:.0f} ms | {ratio:.1f} | {r['peak']:.1f} MB | "
              f"{'≤ 3 × floor' if checked else '--'} | {'pass' if ok else 'MISS' if checked else '--'} |")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
