"""A city of realistic size in a throwaway PostgreSQL database, for the benchmarks.

    from bench._pgdata import throwaway_database, setup_django, build_city

``throwaway_database`` creates ``<prefix>_<pid>`` on DUCHA_BENCH_PG (default
postgres://postgres@127.0.0.1:5432) and drops it afterwards; ``setup_django`` points Django
at it and migrates; ``build_city`` fills it: units of the four kinds, a mayor and vice mayors
with portfolios, unit administrators and staff, and N supervised matters with co-unit parts
made by ``INSERT … SELECT generate_series`` (a million rows take well under a minute).

The organisation is made through the ORM (a few thousand rows, and the models' defaults
stay right); the matters in SQL, with every NOT NULL column of the model given a value, so
a new column without a default stops the build with a message naming it.
"""

from __future__ import annotations

import atexit
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import psycopg

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def server() -> str:
    return os.environ.get("DUCHA_BENCH_PG", "postgres://postgres@127.0.0.1:5432").rstrip("/")


@contextmanager
def throwaway_database(prefix: str, *, keep: bool = False, reuse: str | None = None) -> Iterator[str]:
    """Yields the URL of a new database (or of ``reuse``, which is never dropped)."""
    if reuse:
        yield f"{server()}/{reuse}"
        return
    name = f"{prefix}_{os.getpid()}"
    with psycopg.connect(f"{server()}/postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{server()}/{name}"
    finally:
        if keep:
            print(f"kept database {name} (reuse it with --reuse {name}; drop it with: "
                  f"psql {server()}/postgres -c 'DROP DATABASE \"{name}\" WITH (FORCE)')")
        else:
            try:
                from django.db import connections

                connections.close_all()
            except Exception:  # Django not set up yet: nothing to close
                pass
            with psycopg.connect(f"{server()}/postgres", autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def setup_django(url: str, *, migrate: bool = True) -> None:
    """Django on ``url`` with DEBUG off, a temporary data directory, requests from the test client allowed."""
    os.environ["DUCHA_DATABASE_URL"] = url
    data_dir = Path(tempfile.mkdtemp(prefix="ducha-bench-"))
    atexit.register(shutil.rmtree, data_dir, ignore_errors=True)
    (data_dir / "static").mkdir()  # WhiteNoise looks for it; no file is served in a benchmark
    os.environ["DUCHA_DATA_DIR"] = str(data_dir)
    os.environ["DUCHA_DEBUG"] = "0"
    os.environ["DUCHA_ALLOWED_HOSTS"] = "testserver,127.0.0.1,localhost"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ducha.settings")
    import django

    from ducha.environment import ensure_data_dir

    ensure_data_dir()  # the keys, as the ducha command makes them
    django.setup()
    if migrate:
        from django.core.management import call_command

        call_command("migrate", verbosity=0)


@dataclass(frozen=True)
class City:
    units: int
    users: int
    matters: int
    co_parts: int
    supervision_id: int  # 督查室: sees every matter, drafts included
    vice_mayor_id: int  # 副市长 with a portfolio of ~units/vice_mayors units
    vice_mayor_units: int
    busy_staff_id: int  # staff of the unit leading the most matters
    busy_unit_id: int
    busy_unit_matters: int  # visible to its staff: lead or co-unit, drafts excluded
    quiet_staff_id: int  # staff of a unit leading few matters (a scan in id order finds its rows last)
    quiet_unit_id: int
    quiet_unit_matters: int
    seconds: float


KINDS = [  # (kind, how many of 500, name pattern)
    ("office", 4, "市政府办公室{k}"),
    ("county", 16, "第{k}县(区)人民政府"),
    ("zone", 10, "第{k}开发区管委会"),
]
WORDS = ["推进", "落实", "整治", "建设", "改造", "提升", "完善", "开展", "加快", "强化"]
OBJECTS = ["老旧小区", "营商环境", "河道", "学校", "道路", "污水管网", "农贸市场", "停车场", "养老服务",
           "公共厕所", "背街小巷", "口袋公园"]


def build_city(
    connection: Any, *, matters: int, units: int = 500, vice_mayors: int = 10, users: int = 2000,
    co_share: float = 0.3, today: date | None = None,
) -> City:
    """Fills a migrated, empty database. Years run from today's year - 2 to today's year."""
    from django.utils import timezone

    from ducha.matters.models import CoUnitPart, Matter
    from ducha.org.models import LeaderKind, LeaderPost, Unit, UnitKind, User
    from ducha.org.roles import Role

    t0 = time.perf_counter()
    today = today or timezone.localdate()
    kinds: list[tuple[str, str]] = []
    for kind, n, pattern in KINDS:
        kinds += [(kind, pattern)] * max(1, n * units // 500)
    kinds += [(UnitKind.DEPARTMENT, "市第{k}局")] * (units - len(kinds))
    Unit.objects.bulk_create([
        Unit(code=f"u{k:03d}", name=pattern.format(k=k), short_name=f"单位{k}", kind=kind, sort_order=k)
        for k, (kind, pattern) in enumerate(kinds[:units], start=1)
    ])
    unit_ids = list(Unit.objects.order_by("sort_order").values_list("id", flat=True))
    office = unit_ids[0]
    people = [
        User(username="bench_sup", name="督查室", role=Role.SUPERVISION_OFFICE, unit_id=office, password="!"),
        User(username="bench_gen", name="市政府办", role=Role.GENERAL_OFFICE, unit_id=office, password="!"),
        User(username="bench_perf", name="绩效办", role=Role.PERFORMANCE_OFFICE, unit_id=office, password="!"),
        User(username="bench_mayor", name="市长", role=Role.LEADER, password="!"),
    ]
    people += [User(username=f"bench_vice{i}", name=f"副市长{i}", role=Role.LEADER, password="!")
               for i in range(vice_mayors)]
    left = max(units, users - len(people))
    for k, uid in enumerate(unit_ids, start=1):
        people.append(User(username=f"u{k:03d}_admin", name=f"联络员{k}", role=Role.UNIT_ADMIN, unit_id=uid,
                           password="!"))
        staff = left // units + (1 if k <= left % units else 0) - 1
        people += [User(username=f"u{k:03d}_s{j}", name=f"工作人员{k}-{j}", role=Role.UNIT_STAFF, unit_id=uid,
                        password="!") for j in range(1, staff + 1)]
    User.objects.bulk_create(people, batch_size=1000)
    by_name = dict(User.objects.filter(username__startswith="bench_").values_list("username", "id"))
    LeaderPost.objects.create(person_id=by_name["bench_mayor"], kind=LeaderKind.MAYOR, title="市长")
    vice_ids = [by_name[f"bench_vice{i}"] for i in range(vice_mayors)]
    for i, vid in enumerate(vice_ids):
        post = LeaderPost.objects.create(person_id=vid, kind=LeaderKind.VICE_MAYOR, title="副市长", sort_order=i + 1)
        # Portfolios interleave (unit k -> vice mayor k mod n), so each holds busy and quiet units.
        post.portfolio.set(unit_ids[i::vice_mayors])

    with connection.cursor() as cur:
        cur.execute("SET synchronous_commit = off")
        cur.execute("DROP TABLE IF EXISTS bench_unit")
        cur.execute("CREATE TEMP TABLE bench_unit (k int PRIMARY KEY, unit_id bigint, leader_id bigint)")
        cur.executemany("INSERT INTO bench_unit VALUES (%s, %s, %s)",
                        [(k, uid, vice_ids[k % vice_mayors]) for k, uid in enumerate(unit_ids)])
        cur.execute("SELECT setseed(0.42)")
        cur.execute(_matter_sql(Matter, matters, len(unit_ids), by_name["bench_sup"], today))
        cur.execute(_co_parts_sql(CoUnitPart, co_share, len(unit_ids)))
        cur.execute(_checks_sql())
        cur.execute("VACUUM ANALYZE matters_matter")
        cur.execute("VACUUM ANALYZE matters_mattercheck")
        cur.execute("VACUUM ANALYZE matters_counitpart")
        cur.execute("ANALYZE")
        cur.execute("SELECT lead_unit_id, count(*) FROM matters_matter GROUP BY 1 ORDER BY 2 DESC, 1")
        counts = cur.fetchall()
    busy_unit = counts[0][0]
    # A quiet unit: one of the least busy that still has a page of matters of its own.
    quiet_unit = next((u for u, n in reversed(counts) if n >= 50), counts[-1][0])
    busy_staff = User.objects.filter(unit_id=busy_unit, role=Role.UNIT_STAFF).order_by("id").first() \
        or User.objects.get(unit_id=busy_unit, role=Role.UNIT_ADMIN)
    quiet_staff = User.objects.filter(unit_id=quiet_unit, role=Role.UNIT_STAFF).order_by("id").first() \
        or User.objects.get(unit_id=quiet_unit, role=Role.UNIT_ADMIN)
    from ducha.matters.access import visible_matters

    return City(
        units=len(unit_ids), users=User.objects.count(), matters=Matter.objects.count(),
        co_parts=CoUnitPart.objects.count(), supervision_id=by_name["bench_sup"], vice_mayor_id=vice_ids[0],
        vice_mayor_units=len(unit_ids[0::vice_mayors]), busy_staff_id=busy_staff.pk, busy_unit_id=busy_unit,
        busy_unit_matters=visible_matters(busy_staff).count(), quiet_staff_id=quiet_staff.pk,
        quiet_unit_id=quiet_unit, quiet_unit_matters=visible_matters(quiet_staff).count(),
        seconds=time.perf_counter() - t0,
    )


def _matter_sql(model: Any, n: int, units: int, clerk_id: int, today: date) -> str:
    """One INSERT … SELECT: skewed lead units, statuses by year, due dates, progress."""
    y0 = today.year - 2
    words = "ARRAY[" + ",".join(f"'{w}'" for w in WORDS) + "]"
    objects = "ARRAY[" + ",".join(f"'{o}'" for o in OBJECTS) + "]"
    # Status by year: old years are mostly closed, the current one mostly running.
    status = (
        f"CASE WHEN year = {y0} THEN CASE WHEN rs < .90 THEN 'closed' WHEN rs < .92 THEN 'claimed' "
        "  WHEN rs < .95 THEN 'suspended' ELSE 'in_progress' END "
        f"WHEN year = {y0 + 1} THEN CASE WHEN rs < .60 THEN 'closed' WHEN rs < .68 THEN 'claimed' "
        "  WHEN rs < .70 THEN 'suspended' WHEN rs < .72 THEN 'draft' WHEN rs < .75 THEN 'assigned' "
        "  ELSE 'in_progress' END "
        "ELSE CASE WHEN rs < .20 THEN 'closed' WHEN rs < .30 THEN 'claimed' WHEN rs < .33 THEN 'suspended' "
        "  WHEN rs < .38 THEN 'draft' WHEN rs < .50 THEN 'assigned' ELSE 'in_progress' END END"
    )
    source = (
        "CASE WHEN rsrc < .40 THEN 'key_work' WHEN rsrc < .60 THEN 'meeting' WHEN rsrc < .75 THEN 'instruction' "
        "WHEN rsrc < .85 THEN 'assigned' WHEN rsrc < .90 THEN 'npc_suggestion' WHEN rsrc < .95 THEN 'cppcc_proposal' "
        "WHEN rsrc < .97 THEN 'tv_questioning' ELSE 'unit_request' END"
    )
    fixed = {
        "year": "year", "number": "'DB' || year || '-' || lpad(seq::text, 6, '0')",
        "title": f"({words})[1 + (g % 10)] || ({objects})[1 + (g / 10 % 12)] || '工作 ' || g",
        "source": "source", "goal": "'按期完成目标任务'", "responsible_leader_id": "leader_id",
        "lead_unit_id": "unit_id", "status": "status", "start_date": "start_date",
        "due_date": "CASE WHEN rlen < .01 THEN NULL ELSE due END",
        "progress": "CASE WHEN status IN ('closed', 'claimed') THEN 100 WHEN status IN ('draft', 'assigned') THEN 0 "
                    "ELSE least(95, floor(rprog * 100)::int) END",
        "last_progress_on": f"CASE WHEN status IN ('draft', 'assigned') THEN NULL "
                            f"ELSE least(DATE '{today}', start_date + 20) END",
        "completed_on": f"CASE WHEN status IN ('closed', 'claimed') THEN least(DATE '{today}', due - 5) END",
        "closed_on": f"CASE WHEN status = 'closed' THEN least(DATE '{today}', due) END",
        "created_by_id": str(clerk_id), "created_at": "start_date::timestamptz", "updated_at": "start_date::timestamptz",
        # Open matters carry a reminder check time (matters.MatterCheck, filled by _checks_sql).
        "check_scheduled": "status IN ('assigned', 'in_progress', 'claimed')",
    }
    cols, exprs = [], []
    for f in model._meta.concrete_fields:
        if f.primary_key:
            continue
        cols.append(f.column)
        expr = fixed.get(f.name) or fixed.get(f.column)
        if expr is None:
            expr = _default_sql(f, "matters_matter")
        exprs.append(expr)
    return f"""
        WITH r AS MATERIALIZED (
            SELECT g, random() AS ru, random() AS ry, random() AS rs, random() AS rsrc, random() AS rstart,
                   random() AS rlen, random() AS rprog
            FROM generate_series(1, {n}) AS g
        ), s AS MATERIALIZED (
            SELECT r.*, bu.unit_id, bu.leader_id,
                   CASE WHEN ry < .30 THEN {y0} WHEN ry < .65 THEN {y0 + 1} ELSE {y0 + 2} END AS year,
                   {source} AS source
            FROM r JOIN bench_unit bu
              -- skewed lead units (a few lead many matters), scattered over the unit list
              ON bu.k = (floor({units} * ru * ru)::int * 7919 + 123) % {units}
        ), t AS MATERIALIZED (
            SELECT s.*, {status} AS status,
                   make_date(year, 1, 2) + floor(rstart * 300)::int AS start_date
            FROM s
        ), u AS MATERIALIZED (
            SELECT t.*, start_date + 20 + floor(rlen * 340)::int AS due,
                   row_number() OVER (PARTITION BY year ORDER BY start_date, g) AS seq
            FROM t
        )
        INSERT INTO matters_matter ({', '.join(cols)})
        -- ids grow with time, as when matters are entered day by day
        SELECT {', '.join(exprs)} FROM u ORDER BY u.start_date, u.g
    """


def _checks_sql() -> str:
    """The reminder engine's check time of each open matter: 3 days before its due date."""
    return ("INSERT INTO matters_mattercheck (matter_id, next_check_at) "
            "SELECT id, (coalesce(due_date, start_date + 20) - 3)::timestamptz + interval '1 hour' "
            "FROM matters_matter WHERE check_scheduled")


def _co_parts_sql(model: Any, share: float, units: int) -> str:
    """~share × matters parts: two thirds of the chosen matters have one co-unit, a third two."""
    fixed = {
        "matter_id": "m.id", "unit_id": "bu2.unit_id", "part": "'配合完成相关工作'",
        "due_date": "coalesce(m.due_date, m.start_date + 60)", "progress": "m.progress",
        "last_progress_on": "m.last_progress_on", "done_on": "CASE WHEN m.status IN ('closed', 'claimed') "
                                                           "THEN coalesce(m.completed_on, m.start_date + 30) END",
    }
    cols, exprs = [], []
    for f in model._meta.concrete_fields:
        if f.primary_key:
            continue
        cols.append(f.column)
        exprs.append(fixed.get(f.name) or fixed.get(f.column) or _default_sql(f, "matters_counitpart"))
    # Matters picked by id: 2/3·share get the first part, 1/3·share (a subset) a second one;
    # both offsets are 1..units-1 and differ, so neither repeats the lead unit nor each other.
    first = round(share * 2 / 3 * 1000)
    second = round(share / 3 * 1000)
    pick = f"""
        FROM matters_matter m JOIN bench_unit bu ON bu.unit_id = m.lead_unit_id
        JOIN bench_unit bu2 ON bu2.k = (bu.k + 1 + OFFSET) % {units}
    """
    off1 = f"(m.id * 31 % {units - 1})"
    off2 = f"(({off1} + {units // 2}) % {units - 1})"
    select = f"SELECT {', '.join(exprs)} "
    return (
        f"INSERT INTO matters_counitpart ({', '.join(cols)}) "
        f"{select} {pick.replace('OFFSET', off1)} WHERE m.id % 1000 < {first} "
        f"UNION ALL {select} {pick.replace('OFFSET', off2)} WHERE m.id % 1000 < {second}"
    )


def _default_sql(f: Any, table: str) -> str:
    from django.db import models

    if f.null:
        return "NULL"
    if f.has_default() and isinstance(f.default, bool):
        return "true" if f.default else "false"
    if f.has_default() and isinstance(f.default, (int, float)):
        return str(f.default)
    if f.has_default() and isinstance(f.default, str):
        return "'" + f.default.replace("'", "''") + "'"
    if isinstance(f, (models.CharField, models.TextField)):
        return "''"
    if isinstance(f, models.BooleanField):
        return "false"
    raise SystemExit(f"bench/_pgdata.py: no value for {table}.{f.column}; add it to `fixed`")


def measure_sizes(script: str, sizes: str, requests: int) -> list[dict[str, Any]] | None:
    """Run ``script --child N --requests R`` for each size in a fresh process (each builds its own
    database) and gather the rows each prints as JSON on its last line; None if one failed."""
    rows: list[dict[str, Any]] = []
    for size in [int(s) for s in sizes.split(",")]:
        t = time.perf_counter()
        done = subprocess.run([sys.executable, script, "--child", str(size), "--requests", str(requests)],
                              capture_output=True, text=True, env=os.environ.copy())
        if done.returncode:
            print(done.stderr, file=sys.stderr)
            return None
        rows += json.loads(done.stdout.strip().splitlines()[-1])
        print(f"{size:,} matters measured in {time.perf_counter() - t:.0f} s", file=sys.stderr)
    return rows
