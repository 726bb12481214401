"""Scoring a quarter (S6.1, S6.3) at city scale (issue 15), PostgreSQL.

    .venv/bin/python bench/evaluation.py [--sizes 10000,100000,1000000] [--requests 3] [--units 500]

For each size, a child process creates a throwaway database (ducha_bench_eval_<pid>) on
DUCHA_BENCH_PG (default postgres://postgres@127.0.0.1:5432), fills it with
``bench/_pgdata.build_city`` (``--units`` units: 470 of the 500 are departments), the monthly
reports of the report windows closing in the quarter (as ``bench/rates.py`` makes them),
rectifications on 5 % of the matters, ratings for the quarter (three vice mayors' leader
ratings per unit, each entered twice so the latest must win, and one public rating), the
default categories and the departments' default indicator set for the year, and measures for
the last finished quarter (the departments category, all its units), best and median of
``--requests`` calls after one warm-up:

- ``score_units`` (nothing written), with its peak Python memory (tracemalloc) in a further
  call, and each source it reads timed once on its own;
- ``do_open_evaluation`` once (scoring and writing the snapshot; the period opens once per
  database, so it is measured once);
- the floor, in the same run: hand-written SQL for the same inputs per unit: the three rates'
  counts as ``bench/rates.py``'s floor counts them (its statements reused, the reporting ones
  once per report window of the quarter), key-work completion (mean of least(achieved/target, 1)
  or progress/100 per lead unit), findings, accountability records and letters counted in the
  quarter, and the mean of each rated source over its raters' latest entries. The floor's
  per-unit values are asserted equal to what the sources return;
- the queries of rendering one unit's explanation page (``/evaluation/<id>/units/<unit>/``,
  Django test client, the performance office's user), after a first request.

Targets (issue 15): score_units <= 3 x floor; under 10 s at 1,000,000 matters; the explanation's
query count the same at every size. Exit status 1 when one misses.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
import tracemalloc
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._pgdata import build_city, measure_sizes, setup_django, throwaway_database  # noqa: E402
from bench.rates import _reports_sql, floor_sql, timed  # noqa: E402

LIMIT_MS = 10_000


def ratings_sql(table: str, period: str, raters: list[int], clerk: int) -> list[str]:
    """Each assessed unit: three leaders rate it twice (the later entry counts), the public once."""
    cols = "(period, source, unit_id, rater_id, origin, value, entered_by_id, entered_at)"
    return [
        f"INSERT INTO {table} {cols} SELECT '{period}', 'leader_rating', u.id, r, '', "
        f"round((60 + random() * 40)::numeric, 2), {clerk}, now() - (n || ' days')::interval "
        f"FROM org_unit u, unnest(ARRAY{raters}::bigint[]) r, generate_series(1, 2) n WHERE u.kind <> 'office'",
        f"INSERT INTO {table} {cols} SELECT '{period}', 'public_rating', u.id, NULL, '民意调查', "
        f"round((50 + random() * 50)::numeric, 2), {clerk}, now() FROM org_unit u WHERE u.kind <> 'office'",
    ]


def child(size: int, requests: int, units: int) -> list[dict[str, Any]]:
    with throwaway_database("ducha_bench_eval") as url:
        setup_django(url)
        from datetime import timedelta

        from django.db import connection
        from django.test import Client, override_settings
        from django.test.utils import CaptureQueriesContext
        from django.utils import timezone

        from ducha.accountability.models import Record
        from ducha.accountability.rounds_models import Finding, Round
        from ducha.evaluation.actions import category_units, do_open_evaluation
        from ducha.evaluation.defaults import ensure_categories, ensure_default_set
        from ducha.evaluation.models import Rating
        from ducha.evaluation.scoring import score_units
        from ducha.evaluation.sources import SOURCES
        from ducha.letters.models import Letter
        from ducha.org.models import User
        from ducha.reports.owed import end_of_day, windows_in
        from ducha.rules.periods import Period
        from ducha.rules.reporting import month_bounds
        from ducha.workcal.service import today

        t0 = time.perf_counter()
        city = build_city(connection, matters=size, units=units)
        day = today()
        quarter = Period.containing("quarter", day).previous()
        windows = [w for w in windows_in(quarter)[0] if w.closes < day]
        perf = User.objects.get(username="bench_perf")
        raters = list(User.objects.filter(username__startswith="bench_vice").order_by("id")
                      .values_list("id", flat=True)[:3])
        with connection.cursor() as cur:
            for w in windows:
                for sql in _reports_sql(w.year, w.month, city.supervision_id):
                    cur.execute(sql)
            cur.execute(
                "INSERT INTO matters_rectification (matter_id, unit_id, source, demand, due_date, due_provisional, "
                "rectified_on, created_at) SELECT id, lead_unit_id, 'notice', '整改', due_date - 10, false, "
                "CASE WHEN random() < .6 THEN due_date - 12 END, now() FROM matters_matter "
                "WHERE random() < .05 AND due_date IS NOT NULL")
            for sql in ratings_sql(Rating._meta.db_table, quarter.key, raters, perf.pk):
                cur.execute(sql)
            cur.execute("VACUUM ANALYZE")
        categories = {c.code: c for c in ensure_categories()}
        category = categories["departments"]
        indicator_set = ensure_default_set(category, quarter.year, actor=perf)
        unit_ids = category_units(category)
        build_s = time.perf_counter() - t0

        # The floor: the same inputs per unit, by hand.
        first, last = f"DATE '{quarter.start}'", f"DATE '{min(quarter.end, day - timedelta(days=1))}'"
        rate_sql: list[tuple[str, str]] = []
        for n, w in enumerate(windows):
            class Window:
                year, month, closes, last = w.year, w.month, w.closes, month_bounds(w.year, w.month)[1]

            eom = f"TIMESTAMPTZ '{timezone.localtime(end_of_day(Window.last)).isoformat()}'"
            statements = floor_sql(None, first, last, Window, eom)
            if n == 0:
                rate_sql += [("execution", statements[0]), ("execution", statements[1]),
                             ("rectification", statements[2])]
            rate_sql += [("reporting", statements[3]), ("reporting", statements[4])]
        units_sql = f"ARRAY{unit_ids}::bigint[]"
        tz = timezone.get_current_timezone_name()
        other_sql = [
            ("key_work", "SELECT lead_unit_id, avg(CASE WHEN target_quantity > 0 AND achieved_quantity IS NOT NULL "
             "THEN least(achieved_quantity / target_quantity, 1) ELSE coalesce(progress, 0) / 100.0 END), count(*) "
             f"FROM matters_matter WHERE source = 'key_work' AND year = {quarter.year} AND status <> 'draft' "
             f"AND lead_unit_id = ANY({units_sql}) GROUP BY 1"),
            ("counts", f"SELECT 'findings', f.unit_id, count(*) FROM {Finding._meta.db_table} f "
             f"JOIN {Round._meta.db_table} r ON r.id = f.round_id WHERE r.state = 'issued' "
             f"AND (r.issued_at AT TIME ZONE '{tz}')::date BETWEEN DATE '{quarter.start}' AND DATE '{quarter.end}' "
             f"AND f.unit_id = ANY({units_sql}) GROUP BY 2 "
             f"UNION ALL SELECT 'records', unit_id, count(*) FROM {Record._meta.db_table} WHERE NOT revoked "
             f"AND decided_on BETWEEN DATE '{quarter.start}' AND DATE '{quarter.end}' "
             f"AND unit_id = ANY({units_sql}) GROUP BY 2 "
             f"UNION ALL SELECT 'letters', to_unit_id, count(*) FROM {Letter._meta.db_table} "
             f"WHERE sent_on BETWEEN DATE '{quarter.start}' AND DATE '{quarter.end}' "
             f"AND to_unit_id = ANY({units_sql}) GROUP BY 2"),
            ("ratings", f"SELECT source, unit_id, avg(value), count(*) FROM (SELECT DISTINCT ON "
             f"(source, unit_id, rater_id, origin) source, unit_id, value FROM {Rating._meta.db_table} "
             f"WHERE period = '{quarter.key}' AND unit_id = ANY({units_sql}) "
             "ORDER BY source, unit_id, rater_id, origin, entered_at DESC, id DESC) latest GROUP BY 1, 2"),
        ]

        def floor() -> dict[str, list[tuple[Any, ...]]]:
            got: dict[str, list[tuple[Any, ...]]] = {}
            with connection.cursor() as cur:
                for what, sql in rate_sql + other_sql:
                    cur.execute(sql)
                    got.setdefault(what, []).extend(cur.fetchall())
            return got

        # The floor must give what the sources give, or it is no floor.
        got = floor()
        wanted = set(unit_ids)
        rates: dict[str, dict[int, list[int]]] = {}
        for kind in ("execution", "reporting", "rectification"):
            per: dict[int, list[int]] = {}
            for uid, due, done in got[kind]:
                if uid in wanted:
                    per.setdefault(uid, [0, 0])
                    per[uid][0] += due
                    per[uid][1] += done
            rates[kind] = per
            raws = SOURCES[f"{kind}_rate"](unit_ids, quarter, day)
            for uid in unit_ids:
                due, done = per.get(uid, [0, 0])
                value = raws[uid].value
                expect = None if due == 0 else Decimal(done) / Decimal(due)
                assert value == expect, (kind, uid, value, due, done)
        key = {uid: (Decimal(str(mean)), n) for uid, mean, n in got["key_work"]}
        raws = SOURCES["key_work_completion"](unit_ids, quarter, day)
        for uid in unit_ids:
            if uid not in key:
                assert raws[uid].value is None, (uid, raws[uid])
                continue
            assert abs(raws[uid].value - key[uid][0]) < Decimal("1e-9") and raws[uid].note == f"items:{key[uid][1]}", (
                uid, raws[uid].value, raws[uid].note, key[uid])
        counts = {(what, uid): n for what, uid, n in got["counts"]}
        for what, code in (("findings", "round_findings"), ("records", "accountability_records"),
                           ("letters", "letters_received")):
            raws = SOURCES[code](unit_ids, quarter, day)
            for uid in unit_ids:
                assert raws[uid].value == counts.get((what, uid), 0), (code, uid, raws[uid].value)
        rated = {(src, uid): (mean, n) for src, uid, mean, n in got["ratings"]}
        for code in ("leader_rating", "public_rating"):
            raws = SOURCES[code](unit_ids, quarter, day)
            for uid in unit_ids:
                mean, n = rated.get((code, uid), (None, 0))
                if mean is None:
                    assert raws[uid].value is None, (code, uid)
                else:
                    assert abs(raws[uid].value - mean) < Decimal("1e-9") and raws[uid].note == f"raters:{n}", (
                        code, uid, raws[uid].value, mean, n)

        def ours() -> None:
            score_units(indicator_set, unit_ids, quarter, day)

        best, median = timed(ours, requests)
        fbest, fmedian = timed(floor, requests)
        tracemalloc.start()
        ours()
        peak = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
        leaves = sorted({i.source for i in indicator_set.indicators.all() if i.source})
        per_source = {}
        for code in leaves:
            t = time.perf_counter()
            SOURCES[code](unit_ids, quarter, day)
            per_source[code] = (time.perf_counter() - t) * 1000

        t = time.perf_counter()
        ev = do_open_evaluation(actor=perf, category_id=category.pk, period_key=quarter.key, today=day)
        open_ms = (time.perf_counter() - t) * 1000

        # Static URLs need no manifest here: the benchmark counts the page's queries, not collectstatic.
        override_settings(STORAGES={
            "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}).enable()
        client = Client()
        client.force_login(perf)
        unit = city.busy_unit_id if city.busy_unit_id in wanted else unit_ids[0]
        page = f"/evaluation/{ev.pk}/units/{unit}/"
        assert client.get(page).status_code == 200, page
        with CaptureQueriesContext(connection) as q:
            status = client.get(page).status_code
        assert status == 200, (page, status)
        return [{"size": size, "units": len(unit_ids), "period": quarter.key, "best": best, "median": median,
                 "floor": fbest, "floor_median": fmedian, "open": open_ms, "peak": peak, "queries": len(q),
                 "sources": per_source, "build_s": build_s, "windows": [f"{w.year}-{w.month:02d}" for w in windows],
                 "key_items": sum(n for _m, n in key.values()),
                 "owed_reports": sum(v[0] for v in rates["reporting"].values())}]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="10000,100000,1000000")
    ap.add_argument("--requests", type=int, default=3)
    ap.add_argument("--units", type=int, default=int(os.environ.get("DUCHA_BENCH_UNITS", "500")))
    ap.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.requests, args.units)))
        return 0
    os.environ["DUCHA_BENCH_UNITS"] = str(args.units)  # the children build this many
    rows = measure_sizes(__file__, args.sizes, args.requests)
    if rows is None:
        return 2
    print(f"\nScoring the departments' last quarter ({rows[0]['period']}, {rows[0]['units']} units), PostgreSQL, "
          f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, best and median of "
          f"{args.requests}, load {os.getloadavg()[0]:.1f}\n")
    print("| matters | score_units best | median | floor best | median | ratio | open + snapshot | peak memory "
          "| explanation queries | pass |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    missed = 0
    queries = {r["queries"] for r in rows}
    for r in rows:
        ratio = r["best"] / r["floor"]
        ok = ratio <= 3 and r["best"] < LIMIT_MS and r["open"] < LIMIT_MS and len(queries) == 1
        missed += not ok
        print(f"| {r['size']:,} | {r['best']:,.0f} ms | {r['median']:,.0f} ms | {r['floor']:,.0f} ms | "
              f"{r['floor_median']:,.0f} ms | {ratio:.1f} | {r['open']:,.0f} ms | {r['peak']:.1f} MB | "
              f"{r['queries']} | {'pass' if ok else 'MISS'} |")
    print("\nEach source once (ms):\n")
    codes = sorted(rows[0]["sources"])
    print("| matters | " + " | ".join(codes) + " |")
    print("|---|" + "---|" * len(codes))
    for r in rows:
        print(f"| {r['size']:,} | " + " | ".join(f"{r['sources'][c]:,.0f}" for c in codes) + " |")
    for r in rows:
        print(f"\n{r['size']:,}: built in {r['build_s']:.0f} s; report windows {', '.join(r['windows'])}; "
              f"{r['key_items']:,} key-work items; {r['owed_reports']:,} owed report lines", end="")
    print()
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
