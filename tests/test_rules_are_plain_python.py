"""The domain rules (calendar, deadlines, escalation, scoring) never import Django.

They are plain, typed functions so they can be tested, benchmarked and reused without a
database; this test keeps it that way.
"""

import ast
from pathlib import Path

RULES = Path(__file__).resolve().parent.parent / "ducha" / "rules"


def imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_rules_package_exists():
    assert (RULES / "__init__.py").exists()


def test_no_module_in_rules_imports_django_or_the_apps():
    offenders = {}
    for path in RULES.rglob("*.py"):
        bad = {
            name for name in imported_modules(path)
            if name.split(".")[0] == "django"
            or (name.startswith("ducha.") and not name.startswith("ducha.rules"))
        }
        if bad:
            offenders[path.name] = sorted(bad)
    assert offenders == {}


def test_the_check_notices_a_django_import(tmp_path):
    sample = tmp_path / "bad.py"
    sample.write_text("from django.db import models\nimport ducha.org.models\n")
    assert {"django.db", "ducha.org.models"} <= imported_modules(sample)
