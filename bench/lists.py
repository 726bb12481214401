"""Matter lists at city scale (issue 4 "Speed"): database time per page, PostgreSQL.

    .venv/bin/python bench/lists.py [--matters 1000000] [--requests 30] [--keep | --reuse DB] [--sql "CREATE INDEX …"]

Creates a throwaway database (ducha_bench_lists_<pid>) on DUCHA_BENCH_PG (default
postgres://postgres@127.0.0.1:5432), migrates it and fills it (bench/_pgdata.py: 500 units,
10 vice mayors with 50 units each, ~2,000 people, N matters over three years, 0.3·N co-unit
parts). Then, inside this process with DEBUG off, django.test.Client with force_login asks
for what users open:

- the REST API list ``/api/matters`` (keyset pages of 50 through ``after``);
- the matters page ``/matters/`` (pages of 25 through ``?page=``), plain and with its filters;
- the same pages reached by the page's "Next" link (``?page=N&after=<key of the last row>``),
  the way a person goes from page 99 to page 100;
- the baseline: ``visible_matters(user).order_by("id")[offset:offset + 50]`` with COUNT(*),
  the naive OFFSET paging the API avoids (queryset only, no request);

for the supervision office (every matter), a vice mayor (a 50-unit portfolio) and the staff
of the busiest and of a quiet unit, at pages 1, 10 and 100 (filtered pages: 1 and 100).
Database time is the sum of the request's query durations (``connection.execute_wrapper``),
with its query count. Each case is ``--requests`` requests after ``--warmup``; a case still
slow after ``--budget`` seconds stops once it has 5 (column n), so that a run stays near
10 minutes while pages take seconds.

Targets, for the API and the page: p95 database time <= 50 ms, the same number of queries on
every page, page 100 <= 2 x page 1 (medians). Exit status 1 when a measured case misses one.
``--sql`` runs statements after the build (to try an index); ``--keep``/``--reuse`` keep the
data between runs. ``--only api|page|next|offset`` measures one list.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._pgdata import build_city, setup_django, throwaway_database

PAGES = (1, 10, 100)
API_PAGE = 50
TARGET_P95_MS = 50.0
TARGET_RATIO = 2.0


@dataclass
class Case:
    list: str  # api, page, offset
    persona: str
    filters: str
    page: int
    db_ms: list[float] = field(default_factory=list)
    wall_ms: list[float] = field(default_factory=list)
    queries: list[int] = field(default_factory=list)
    by_sql: dict[str, list[float]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    ratio: float | None = None
    misses: list[str] = field(default_factory=list)

    @property
    def p50(self) -> float:
        return statistics.median(self.db_ms)

    @property
    def p95(self) -> float:
        xs = sorted(self.db_ms)
        return xs[min(len(xs) - 1, max(0, round(0.95 * len(xs)) - 1))]

    @property
    def note(self) -> str:
        return "; ".join(self.notes)

    def add_note(self, text: str) -> None:
        if text not in self.notes:
            self.notes.append(text)

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.list, self.persona, self.filters)


class Timer:
    """An execute wrapper adding up the time and number of the queries run inside it."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.count = 0
        self.queries: list[tuple[str, float]] = []

    def __call__(self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        t = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            dt = time.perf_counter() - t
            self.seconds += dt
            self.count += 1
            self.queries.append((sql, dt))


def measure(case: Case, fn: Callable[[], None], *, requests: int, warmup: int, budget: float) -> Case:
    """``requests`` timed calls after ``warmup``; a slow case stops after ``budget`` seconds (5 calls at least)."""
    from django.db import connection

    start = time.perf_counter()
    for i in range(warmup + requests):
        if i >= warmup + 5 and time.perf_counter() - start > budget:
            case.add_note(f"stopped after {budget:.0f} s")
            break
        timer = Timer()
        with connection.execute_wrapper(timer):
            t = time.perf_counter()
            fn()
            wall = time.perf_counter() - t
        if i < warmup:
            continue
        case.db_ms.append(timer.seconds * 1000)
        case.wall_ms.append(wall * 1000)
        case.queries.append(timer.count)
        for sql, dt in timer.queries:
            case.by_sql.setdefault(sql, []).append(dt * 1000)
    return case


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--matters", type=int, default=1_000_000)
    ap.add_argument("--requests", type=int, default=30, help="measured requests per case (after --warmup)")
    ap.add_argument("--warmup", type=int, default=1)
    ap.add_argument("--budget", type=float, default=10.0,
                    help="seconds after which a slow case stops early (after 5 measured requests), so that "
                         "a run of today's slow pages stays near 10 minutes")
    ap.add_argument("--keep", action="store_true", help="keep the database afterwards")
    ap.add_argument("--reuse", metavar="DB", help="measure a database kept by --keep (no build)")
    ap.add_argument("--sql", action="append", default=[], help="SQL to run before measuring (repeatable)")
    ap.add_argument("--only", choices=["api", "page", "next", "offset"], action="append")
    ap.add_argument("--slow", type=int, default=2, help="slowest queries shown per missed case")
    args = ap.parse_args()
    if args.matters < 1000:
        ap.error("--matters must be at least 1000")
    with throwaway_database("ducha_bench_lists", keep=args.keep, reuse=args.reuse) as url:
        return run(args, url)


def run(args: argparse.Namespace, url: str) -> int:
    t0 = time.perf_counter()
    setup_django(url, migrate=not args.reuse)
    from django.db import connection
    from django.test import Client
    from django.test.utils import override_settings

    from ducha.matters.access import visible_matters
    from ducha.matters.models import Matter
    from ducha.org.models import User
    from ducha.workcal.service import today

    city = _city_of(args.reuse) if args.reuse else build_city(connection, matters=args.matters)
    build = time.perf_counter() - t0
    with connection.cursor() as cur:
        for stmt in args.sql:
            t = time.perf_counter()
            cur.execute(stmt)
            print(f"-- {stmt}  ({time.perf_counter() - t:.1f} s)")
        if args.sql:
            cur.execute("ANALYZE matters_matter")
            cur.execute("ANALYZE matters_counitpart")
        cur.execute("SELECT pg_size_pretty(pg_total_relation_size('matters_matter'))")
        size = cur.fetchone()[0]

    personas = {
        "supervision office": User.objects.get(pk=city.supervision_id),
        "vice mayor": User.objects.get(pk=city.vice_mayor_id),
        "unit staff, busiest unit": User.objects.get(pk=city.busy_staff_id),
        "unit staff, quiet unit": User.objects.get(pk=city.quiet_staff_id),
    }
    visible = {name: visible_matters(u).count() for name, u in personas.items()}
    print(f"data: {city.matters:,} matters, {city.co_parts:,} co-unit parts, {city.units} units, {city.users:,} people; "
          f"matters table {size}; built in {build:.0f} s")
    print("visible: " + "; ".join(f"{k} {v:,}" for k, v in visible.items()))
    only = set(args.only or ["api", "page", "next", "offset"])
    # Static URLs need no manifest here: the benchmark measures the database, not collectstatic.
    plain = {"default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
             "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
    cases: list[Case] = []
    timing: dict[str, Any] = {"requests": args.requests, "warmup": args.warmup, "budget": args.budget}
    d = today()
    with override_settings(STORAGES=plain):
        clients = {}
        for name, user in personas.items():
            c = Client()
            c.force_login(user)
            clients[name] = c
        if "api" in only:
            for name, user in personas.items():
                ids = visible_matters(user).order_by("id").values_list("id", flat=True)
                for p in PAGES:
                    case = Case("api", name, "", p)
                    if visible[name] <= (p - 1) * API_PAGE:
                        case.add_note("fewer rows")
                        cases.append(case)
                        continue
                    after = ids[(p - 1) * API_PAGE - 1] if p > 1 else None
                    path = "/api/matters" + (f"?after={after}" if after else "")
                    cases.append(measure(case, _get(clients[name], path, api=True), **timing))
        if only & {"page", "next"}:
            filters = [("supervision office", "")]
            filters += [("vice mayor", ""), ("unit staff, busiest unit", ""), ("unit staff, quiet unit", "")]
            filters += [
                ("supervision office", f"unit={city.busy_unit_id}"),
                ("supervision office", "status=in_progress"),
                ("supervision office", "overdue=on"),
                ("supervision office", "due_within=10"),
                ("supervision office", "q=污水"),
                ("vice mayor", "overdue=on"),
            ]
            for name, query in filters:
                # Filtered lists: first and hundredth page (the ratio is the question there).
                for p in PAGES if not query else (1, 100):
                    qs = "&".join(x for x in (query, f"page={p}" if p > 1 else "") if x)
                    path = "/matters/" + (f"?{qs}" if qs else "")
                    if "page" in only:
                        case = Case("page", name, query, p)
                        cases.append(measure(case, _get(clients[name], path, page=p, case=case), **timing))
                    if "next" in only:
                        # The same page reached by "Next" from the page before it: the link
                        # carries the last row's key (ducha/matters/paging.py).
                        case = Case("next", name, query, p)
                        url = path if p == 1 else _next_of(clients[name], query, p - 1)
                        if url is None:
                            case.add_note("fewer rows")
                            cases.append(case)
                        else:
                            cases.append(measure(case, _get(clients[name], url, page=p, case=case), **timing))
        if "offset" in only:
            for name, user in personas.items():
                for p in PAGES:
                    case = Case("offset", name, "", p)
                    if visible[name] <= (p - 1) * API_PAGE:
                        case.add_note("fewer rows")
                        cases.append(case)
                        continue
                    cases.append(measure(case, _offset(user, p), **timing))
    _judge(cases)
    print()
    print(_table(cases, visible))
    print()
    missed = [c for c in cases if c.misses and c.list != "offset"]
    for c in missed:
        print(f"MISS {c.list} {c.persona} {c.filters or '(no filter)'} page {c.page}: {', '.join(c.misses)}")
        for sql, ms in sorted(c.by_sql.items(), key=lambda kv: -statistics.median(kv[1]))[: args.slow]:
            print(f"    {statistics.median(ms):7.1f} ms  {' '.join(sql.split())[:300]}")
    with connection.cursor() as cur:
        cur.execute("SHOW server_version")
        pg = cur.fetchone()[0]
    print(f"\nmachine: {platform.machine()}, {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}, "
          f"Python {platform.python_version()}, PostgreSQL {pg}; today {d}; {args.requests} requests per case "
          f"after {args.warmup} warm-up; total {time.perf_counter() - t0:.0f} s")
    assert Matter.objects.exists()
    return 1 if missed else 0


def _get(client: Any, path: str, *, api: bool = False, page: int = 1, case: Case | None = None) -> Callable[[], None]:
    def fn() -> None:
        r = client.get(path)
        if r.status_code != 200:
            raise SystemExit(f"bench/lists.py: GET {path} answered {r.status_code}")
        if api:
            body = r.json()
            if len(body["items"]) != API_PAGE:
                raise SystemExit(f"bench/lists.py: GET {path} gave {len(body['items'])} items, not {API_PAGE}")
        elif page > 1 and case is not None and f'aria-current="page">{page}<'.encode() not in r.content:
            case.add_note("fewer pages: shows the last")

    return fn


def _next_of(client: Any, query: str, page: int) -> str | None:
    """The href of the "Next" link on numbered page ``page`` (fetched once, not timed)."""
    import re

    qs = "&".join(x for x in (query, f"page={page}" if page > 1 else "") if x)
    html = client.get("/matters/" + (f"?{qs}" if qs else "")).content.decode()
    found = re.search(r'href="([^"]+)" rel="next"', html)
    return "/matters/" + found.group(1).replace("&amp;", "&") if found else None


def _offset(user: Any, page: int) -> Callable[[], None]:
    from ducha.matters.access import visible_matters

    def fn() -> None:
        qs = visible_matters(user).select_related("lead_unit", "responsible_leader").order_by("id")
        qs.count()
        start = (page - 1) * API_PAGE
        rows = list(qs[start : start + API_PAGE])
        assert len(rows) == API_PAGE

    return fn


def _judge(cases: list[Case]) -> None:
    groups: dict[tuple[str, str, str], list[Case]] = {}
    for c in cases:
        if c.db_ms:
            groups.setdefault(c.key, []).append(c)
    for group in groups.values():
        first = next((c for c in group if c.page == 1), None)
        counts = Counter(q for c in group for q in c.queries)
        usual = counts.most_common(1)[0][0]
        for c in group:
            if first is not None and c.page > 1:
                c.ratio = c.p50 / first.p50 if first.p50 else None
            if c.list == "offset":
                continue
            if c.p95 > TARGET_P95_MS:
                c.misses.append(f"p95 {c.p95:.0f} ms > {TARGET_P95_MS:.0f}")
            if c.ratio is not None and c.page == 100 and c.ratio > TARGET_RATIO:
                c.misses.append(f"page 100 = {c.ratio:.1f} x page 1")
            if set(c.queries) - {usual, usual + 1}:
                # +1: the session's idle clock is written at most once a minute (security middleware).
                c.misses.append(f"queries {min(c.queries)}-{max(c.queries)}, not {usual}")


def _table(cases: list[Case], visible: dict[str, int]) -> str:
    lines = [
        "| list | persona (matters visible) | filter | page | n | DB ms p50 | DB ms p95 | queries | request ms p50 "
        "| page/page 1 | target |",
        "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    names = {"api": "API `/api/matters` (keyset)", "page": "page `/matters/?page=N`", "offset": "baseline OFFSET + COUNT",
             "next": "page `/matters/` by Next (keyset)"}
    for c in cases:
        who = f"{c.persona} ({visible[c.persona]:,})"
        if not c.db_ms:
            lines.append(f"| {names[c.list]} | {who} | {c.filters or '-'} | {c.page} | | | | | | | {c.note} |")
            continue
        lo, hi = min(c.queries), max(c.queries)
        q = str(lo) if lo == hi else f"{lo}-{hi}"
        ratio = f"{c.ratio:.2f}" if c.ratio is not None else ""
        verdict = "--" if c.list == "offset" else ("MISS: " + "; ".join(c.misses) if c.misses else "pass")
        if c.note:
            verdict += f" ({c.note})"
        lines.append(
            f"| {names[c.list]} | {who} | {c.filters or '-'} | {c.page} | {len(c.db_ms)} | {c.p50:.1f} | {c.p95:.1f} | {q} "
            f"| {statistics.median(c.wall_ms):.0f} | {ratio} | {verdict} |"
        )
    return "\n".join(lines)


def _city_of(db: str) -> Any:
    """The personas of a kept database (same choices as build_city)."""
    from django.db.models import Count

    from bench._pgdata import City
    from ducha.matters.access import visible_matters
    from ducha.matters.models import CoUnitPart, Matter
    from ducha.org.models import LeaderPost, Unit, User
    from ducha.org.roles import Role

    counts = list(Matter.objects.values("lead_unit_id").annotate(n=Count("id")).order_by("-n", "lead_unit_id")
                  .values_list("lead_unit_id", "n"))
    busy = counts[0][0]
    quiet = next((u for u, n in reversed(counts) if n >= 50), counts[-1][0])
    vice = LeaderPost.objects.filter(kind="vice_mayor").order_by("sort_order", "id").first()
    assert vice is not None, f"{db} has no vice mayor: not a database kept by bench/lists.py"

    def staff(unit: int) -> User:
        return (User.objects.filter(unit_id=unit, role=Role.UNIT_STAFF).order_by("id").first()
                or User.objects.get(unit_id=unit, role=Role.UNIT_ADMIN))

    b, q = staff(busy), staff(quiet)
    return City(
        units=Unit.objects.count(), users=User.objects.count(), matters=Matter.objects.count(),
        co_parts=CoUnitPart.objects.count(), supervision_id=User.objects.get(username="bench_sup").pk,
        vice_mayor_id=vice.person_id, vice_mayor_units=vice.portfolio.count(), busy_staff_id=b.pk,
        busy_unit_id=busy, busy_unit_matters=visible_matters(b).count(), quiet_staff_id=q.pk, quiet_unit_id=quiet,
        quiet_unit_matters=visible_matters(q).count(), seconds=0.0,
    )


if __name__ == "__main__":
    raise SystemExit(main())
