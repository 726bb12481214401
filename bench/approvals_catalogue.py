"""The approval catalogue's checks at city scale (S3.2, issue #16): circular prerequisites and
flows' critical paths on a generated catalogue of 10,000 items.

    .venv/bin/python bench/approvals_catalogue.py [--items 10000] [--repeat 3] [--pg]

Part 1, no database: ``rules.approvals.find_cycle`` (iterative, three colours) and
``critical_path`` against simple baselines in the same run: a recursive depth-first search (the
textbook one; the recursion limit raised so a 10,000-long chain fits), Kahn's topological sort
(which says whether there is a cycle but not which), and for the flows a per-order scan that
looks at every step for each order. Three graphs: a random acyclic catalogue (each item requires
0–3 items after it), the same plus one chain through every item, and that chain closed into one
cycle of all the items. Each figure is the best of ``--repeat``.

Part 2, the database (SQLite in a temporary folder, or a throwaway PostgreSQL database with
``--pg`` on DUCHA_BENCH_PG): the same catalogue published, then ``catalogue.prerequisite_graph``
(the one query that reads every live version's prerequisites), a hand-written query for the
same edges, and ``do_publish_version`` refused because it would close the 10,000-item cycle (the
whole action: the checks, the graph, the cycle, the names of every item for the message) and
accepted for an item that closes none.

Prints a table; exits 1 if a check disagrees with its baseline or a publication takes over 5 s.
"""

from __future__ import annotations

import argparse
import itertools
import os
import platform
import random
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ducha.rules.approvals import FlowStepSpec, critical_path, find_cycle  # noqa: E402

PUBLISH_LIMIT_S = 5.0


def best(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    times, out = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return min(times), out


def catalogue(n: int, seed: int = 16) -> dict[str, set[str]]:
    rnd = random.Random(seed)
    codes = [f"I{i:05d}" for i in range(n)]
    graph: dict[str, set[str]] = {c: set() for c in codes}
    for i, c in enumerate(codes):
        for _ in range(rnd.randint(0, 3)):
            if i + 1 < n:
                graph[c].add(codes[rnd.randint(i + 1, n - 1)])
    return graph


def with_chain(graph: dict[str, set[str]], closed: bool) -> dict[str, set[str]]:
    codes = sorted(graph)
    out = {k: set(v) for k, v in graph.items()}
    for a, b in itertools.pairwise(codes):
        out[a].add(b)
    if closed:
        out[codes[-1]].add(codes[0])
    return out


def recursive_dfs(graph: dict[str, set[str]]) -> list[str] | None:
    """The textbook recursive three-colour search."""
    colour: dict[str, int] = {}
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        colour[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            state = colour.get(nxt, 0)
            if state == 1:
                return [*path[path.index(nxt):], nxt]
            if state == 0 and (found := visit(nxt)):
                return found
        colour[node] = 2
        path.pop()
        return None

    for root in sorted(graph):
        if colour.get(root, 0) == 0 and (found := visit(root)):
            return found
    return None


def kahn_has_cycle(graph: dict[str, set[str]]) -> bool:
    indegree = {k: 0 for k in graph}
    for targets in graph.values():
        for t in targets:
            indegree[t] = indegree.get(t, 0) + 1
    ready = [k for k, d in indegree.items() if d == 0]
    seen = 0
    while ready:
        node = ready.pop()
        seen += 1
        for t in graph.get(node, ()):
            indegree[t] -= 1
            if indegree[t] == 0:
                ready.append(t)
    return seen < len(indegree)


def flows(n: int, seed: int = 16) -> list[list[FlowStepSpec]]:
    rnd = random.Random(seed)
    return [[FlowStepSpec(order=rnd.randint(1, 5), key=f"d{j}", limit=rnd.randint(1, 20))
             for j in range(rnd.randint(3, 12))] for _ in range(n)]


def naive_critical(steps: list[FlowStepSpec]) -> int:
    return sum(max(s.limit for s in steps if s.order == o) for o in sorted({s.order for s in steps}))


def part_one(n: int, repeat: int) -> tuple[list[tuple[str, str, str]], bool]:
    sys.setrecursionlimit(max(10_000, 4 * n))
    rows, ok = [], True
    base = catalogue(n)
    for label, graph in [("acyclic", base), ("acyclic + chain through all", with_chain(base, False)),
                         (f"one cycle of {n:,} items", with_chain(base, True))]:
        ours_t, ours = best(lambda g=graph: find_cycle(g), repeat)
        rec_t, rec = best(lambda g=graph: recursive_dfs(g), repeat)
        kahn_t, kahn = best(lambda g=graph: kahn_has_cycle(g), repeat)
        ok &= (ours is None) == (rec is None) == (not kahn) and (ours is None or len(ours) == len(rec or []))
        edges = sum(len(v) for v in graph.values())
        rows.append((f"cycle check, {label} ({edges:,} prerequisites)", f"{ours_t * 1000:.1f} ms",
                     f"recursive DFS {rec_t * 1000:.1f} ms; Kahn {kahn_t * 1000:.1f} ms (no cycle named)"))
    all_flows = flows(n)
    ours_t, ours = best(lambda: [critical_path(f)[0] for f in all_flows], repeat)
    naive_t, naive = best(lambda: [naive_critical(f) for f in all_flows], repeat)
    ok &= ours == naive
    steps = sum(len(f) for f in all_flows)
    rows.append((f"critical paths of {n:,} flows ({steps:,} steps)", f"{ours_t * 1000:.1f} ms",
                 f"per-order scan {naive_t * 1000:.1f} ms"))
    return rows, ok


def setup_database(pg: bool) -> Callable[[], None]:
    data_dir = Path(tempfile.mkdtemp(prefix="ducha-bench-cat-"))
    (data_dir / "static").mkdir()
    cleanup: list[Callable[[], None]] = [lambda: shutil.rmtree(data_dir, ignore_errors=True)]
    if pg:
        from bench._pgdata import setup_django, throwaway_database

        ctx = throwaway_database("ducha_bench_catalogue")
        url = ctx.__enter__()
        cleanup.insert(0, lambda: ctx.__exit__(None, None, None))
        setup_django(url)
    else:
        os.environ.pop("DUCHA_DATABASE_URL", None)
        os.environ["DUCHA_DATA_DIR"] = str(data_dir)
        os.environ["DUCHA_DEBUG"] = "0"
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ducha.settings")
        import django
        from django.core.management import call_command

        from ducha.environment import ensure_data_dir

        ensure_data_dir()
        django.setup()
        call_command("migrate", verbosity=0)
    return lambda: [c() for c in cleanup] and None


def part_two(n: int, repeat: int) -> tuple[list[tuple[str, str, str]], bool]:
    from django.db import connection

    from ducha.approvals.actions_catalogue import CatalogueError, do_create_item, do_publish_version
    from ducha.approvals.catalogue import prerequisite_graph
    from ducha.approvals.catalogue_checks import MaterialInput, VersionInput
    from ducha.approvals.models import Item, ItemVersion, Prerequisite, VersionState
    from ducha.org.models import Unit, UnitKind, User
    from ducha.org.roles import Role

    today = date(2026, 9, 28)
    office = Unit.objects.create(code="xzspj", name="市行政审批服务局", kind=UnitKind.DEPARTMENT)
    dept = Unit.objects.create(code="fgw", name="市发展和改革委员会", kind=UnitKind.DEPARTMENT)
    actor = User.objects.create_user(username="shenpi", password=None, name="审批局管理员", role=Role.UNIT_ADMIN,
                                     unit=office)
    graph = with_chain(catalogue(n), False)
    codes = sorted(graph)
    items = Item.objects.bulk_create([Item(code=c) for c in codes], batch_size=2000)
    by_code = {i.code: i for i in items}
    versions = ItemVersion.objects.bulk_create([
        ItemVersion(item=i, version=1, effective_from=today, state=VersionState.PUBLISHED, name=f"事项{i.code}",
                    kind="01", legal_basis="依据", lead_department=dept, statutory_days=20, promised_days=10,
                    created_by=actor) for i in items], batch_size=2000)
    v_of = {v.item_id: v for v in versions}
    Prerequisite.objects.bulk_create([Prerequisite(version=v_of[by_code[a].pk], requires=by_code[b])
                                      for a, targets in graph.items() for b in targets], batch_size=5000)
    edges = sum(len(v) for v in graph.values())
    rows, ok = [], True
    ours_t, ours = best(lambda: prerequisite_graph(today), repeat)
    sql = ("SELECT i.code, r.code FROM approvals_prerequisite p JOIN approvals_itemversion v ON v.id = p.version_id "
           "JOIN approvals_item i ON i.id = v.item_id JOIN approvals_item r ON r.id = p.requires_id "
           "WHERE v.state = 'published'")

    def hand() -> int:
        with connection.cursor() as cur:
            cur.execute(sql)
            return len(cur.fetchall())

    hand_t, hand_n = best(hand, repeat)
    ok &= sum(len(v) for v in ours.values()) == hand_n == edges
    rows.append((f"prerequisite_graph: {edges:,} prerequisites of {n:,} items ({connection.vendor})",
                 f"{ours_t * 1000:.0f} ms", f"hand-written join {hand_t * 1000:.0f} ms"))
    material = [MaterialInput("sqb", "申请表")]
    closing = do_create_item(actor=actor, code="CLOSE", data=VersionInput(
        name="闭环事项", kind="01", legal_basis="依据", lead_department_id=dept.pk, statutory_days=20, promised_days=10,
        effective_from=today, materials=material, prerequisites=[codes[0]]), today=today)
    # The last item of the chain now requires CLOSE, which requires the first: one cycle of n + 1 items.
    Prerequisite.objects.create(version=v_of[by_code[codes[-1]].pk], requires=closing.item)

    def refused() -> int:
        try:
            do_publish_version(actor=actor, version=closing, today=today)
        except CatalogueError as e:
            return e.errors["prerequisites"].count(" → ")
        return 0

    refused_t, arrows = best(refused, repeat)
    ok &= arrows == n + 1 and refused_t < PUBLISH_LIMIT_S
    rows.append((f"do_publish_version refused: a cycle of {n + 1:,} items, each named", f"{refused_t * 1000:.0f} ms",
                 f"limit {PUBLISH_LIMIT_S:.0f} s"))
    free = [do_create_item(actor=actor, code=f"FREE{k}", data=VersionInput(
        name="独立事项", kind="01", legal_basis="依据", lead_department_id=dept.pk, statutory_days=20, promised_days=10,
        effective_from=today, materials=material, prerequisites=[codes[k]]), today=today) for k in range(repeat)]
    times = []
    for v in free:
        t = time.perf_counter()
        do_publish_version(actor=actor, version=v, today=today)
        times.append(time.perf_counter() - t)
    ok &= min(times) < PUBLISH_LIMIT_S
    rows.append((f"do_publish_version accepted in a catalogue of {n:,} items", f"{min(times) * 1000:.0f} ms",
                 f"limit {PUBLISH_LIMIT_S:.0f} s"))
    return rows, ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--pg", action="store_true", help="PostgreSQL (DUCHA_BENCH_PG) instead of SQLite")
    args = parser.parse_args()
    print(f"{platform.machine()} {platform.processor() or ''} Python {platform.python_version()}, "
          f"{os.cpu_count()} CPUs; best of {args.repeat}")
    rows, ok = part_one(args.items, args.repeat)
    cleanup = setup_database(args.pg)
    try:
        more, ok2 = part_two(args.items, args.repeat)
    finally:
        cleanup()
    rows += more
    width = max(len(r[0]) for r in rows)
    print(f"| {'measure':<{width}} | ours | baseline or limit |")
    print(f"|{'-' * (width + 2)}|---|---|")
    for r in rows:
        print(f"| {r[0]:<{width}} | {r[1]} | {r[2]} |")
    print("all checks agree" if ok and ok2 else "A CHECK FAILED")
    return 0 if ok and ok2 else 1


if __name__ == "__main__":
    sys.exit(main())
