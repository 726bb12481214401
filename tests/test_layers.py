"""The floors of the code (docs/ARCHITECTURE.md, issue #12): an app imports only apps below it.

Every import of a ``ducha`` module is read from the source, at module level or inside a
function alike (a deferred import is still a dependency). Each app has a rank; an import must
point to a lower rank. The ground floor (ranks below 10) serves everything; the core (10–19)
is ordered matters, reminders, reports, letters, ledger; the apps still to come take 20–29;
the API and the pages sit on top. A new upward import fails here with the line that made it.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import ducha

PACKAGE = Path(ducha.__file__).parent

RANKS: dict[str, int] = {
    # the ground floor: plain modules, then the apps every other app may use
    "environment": 0, "dburl": 0, "paging": 0, "bulk": 0, "rules": 0,
    "org": 1,
    "audit": 2, "documents": 2,
    "workcal": 3, "inbox": 3,
    "security": 4,
    # what the public site may read (published snapshots) and write (submissions), nothing else
    "publication": 5,
    "settings": 5, "cli": 5, "wsgi": 5, "__main__": 6,
    # the core, in the order of the matter's path
    "matters": 10, "reminders": 11, "reports": 12, "letters": 13, "ledger": 14,
    # the newer apps, on top of the core
    "accountability": 20, "awards": 21, "lawful": 22, "burden": 23, "approvals": 24, "evaluation": 25, "staffeval": 26,
    # on top: the API and the pages, then the URL map that joins them
    "api": 30, "web": 31, "portal": 32, "portal_settings": 32, "urls": 40,
}

# Upward imports still to be removed, each with its reason. Keep this empty or shrinking.
KNOWN_UPWARD: dict[tuple[str, str], str] = {}


def _unit(path: Path) -> str:
    first = path.relative_to(PACKAGE).parts[0]
    return first.removesuffix(".py")


def import_edges() -> dict[tuple[str, str], list[str]]:
    edges: dict[tuple[str, str], list[str]] = defaultdict(list)
    for path in PACKAGE.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        source = _unit(path)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                parts = name.split(".")
                if parts[0] == "ducha" and len(parts) > 1 and parts[1] != source:
                    edges[(source, parts[1])].append(f"{path.relative_to(PACKAGE.parent)}:{node.lineno}")
    return edges


def test_every_app_and_module_has_a_floor():
    units = {_unit(p) for p in PACKAGE.rglob("*.py")} | {p.name for p in PACKAGE.iterdir() if p.is_dir()}
    units -= {"__init__", "__pycache__", "locale"}
    assert not units - RANKS.keys(), f"give these a rank in RANKS: {sorted(units - RANKS.keys())}"


def test_no_app_imports_one_above_it():
    upward = [
        f"{a} (rank {RANKS[a]}) imports {b} (rank {RANKS[b]}) at {', '.join(where[:3])}"
        for (a, b), where in sorted(import_edges().items())
        if RANKS.get(b, 99) >= RANKS.get(a, 99) and (a, b) not in KNOWN_UPWARD
    ]
    assert not upward, "\n".join(upward)


def test_no_import_cycle_between_apps():
    graph: dict[str, set[str]] = defaultdict(set)
    for a, b in import_edges():
        graph[a].add(b)
    state: dict[str, int] = {}
    cycles: list[list[str]] = []

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycles.append([*trail[trail.index(nxt):], nxt] if nxt in trail else [node, nxt])
            elif nxt not in state:
                visit(nxt, [*trail, nxt])
        state[node] = 2

    for start in sorted(graph):
        if start not in state:
            visit(start, [start])
    assert not cycles, cycles


def test_the_known_upward_imports_still_exist():
    """An exception that is gone is taken off the list, so that it cannot come back unseen."""
    edges = import_edges()
    assert [pair for pair in KNOWN_UPWARD if pair not in edges] == []
