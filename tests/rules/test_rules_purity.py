"""ducha.rules stays plain Python: no Django import and no clock reads.

The Django side and the benchmarks import these modules without settings, and every
rule must be replayable for any "today" -- so the constraint is checked, not trusted.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

RULES = Path(__file__).resolve().parents[2] / "ducha" / "rules"
MODULES = sorted(RULES.glob("*.py"))
CLOCK_CALLS = {"today", "now", "utcnow", "time", "monotonic", "perf_counter", "process_time"}


def test_modules_found() -> None:
    assert {p.name for p in MODULES} >= {"workdays.py", "periods.py", "ledger.py"}


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_no_django_and_no_clock(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            names = [node.module or ""]
        else:
            names = []
        assert not any(n.split(".")[0] in {"django", "time"} for n in names), (path.name, names)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            assert node.func.attr not in CLOCK_CALLS, (path.name, node.lineno)
