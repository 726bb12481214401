"""Benchmark of the Excel 台账 export and import (S2.4) at the issue's size: 100,000 matters.

    .venv/bin/python bench/ledger_excel.py                      # SQLite
    .venv/bin/python bench/ledger_excel.py --postgres postgres://postgres@127.0.0.1:5432/postgres

It builds its own data on a throwaway database (a temporary SQLite file, or a database
created and dropped on the PostgreSQL server given): 60 units, 8 city leaders and 100,000
matters of 2026, a third of them with one or two co-units. Every measured operation runs in
a fresh child process, which reports its wall time and its peak resident memory
(``resource.getrusage(RUSAGE_SELF).ru_maxrss``: the whole process, Django included).

Measured, each with the baseline it is compared with in the same run:
  export          ducha.ledger.excel.export_ledger (layout by XlsxWriter, rows streamed into it)
  export baselines the same rows cell by cell through XlsxWriter's constant-memory mode,
                  and through openpyxl's write-only mode
  import          ducha.ledger.import_job.import_file: 100,000 new rows into an empty year
                  (read with python-calamine, validated, written in one transaction)
  re-import       the exported 2026 file into 2026: every row matched by 编号, unchanged
  read            python-calamine reading the sheet's values only
  read baseline   openpyxl read-only reading the same values
Targets: export ≤ 10 s and ≤ 150 MB peak; import ≤ 10 s and ≤ 300 MB. Exit 1 on a miss.
Not a timed test: the machine is shared, so figures are the best of REPEAT runs.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

MATTERS = 100_000
UNITS = 60
LEADERS = 8
REPEAT = 2
TARGETS = {"export": (10.0, 150.0), "import": (10.0, 300.0)}
LABELS = {
    "export": "export (ducha: XlsxWriter layout + streamed rows)",
    "export-xlsxwriter": "export baseline, XlsxWriter constant-memory cell by cell",
    "export-openpyxl": "export baseline, openpyxl write-only",
    "import": "import 100,000 new rows (calamine + validation + one transaction)",
    "reimport": "re-import the exported file: 100,000 rows matched by 编号, unchanged",
    "read-calamine": "read values only, python-calamine (row by row)",
    "read-openpyxl": "read values only baseline, openpyxl read-only",
}


# -- child side: one operation in a fresh process ---------------------------------------


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ducha.settings")
    import django

    from ducha.environment import ensure_data_dir

    ensure_data_dir()  # the keys, as the ducha command makes them
    django.setup()


def seed() -> dict[str, Any]:
    from django.db import transaction

    from ducha.matters.models import CoUnitPart, Matter, Source, Status
    from ducha.org.models import LeaderKind, LeaderPost, Unit, UnitKind, User
    from ducha.org.roles import Role

    rng = random.Random(2026)
    with transaction.atomic():
        units = Unit.objects.bulk_create(
            Unit(code=f"u{i:02d}", name=f"南阳市第{i}单位", short_name=f"单位{i}",
                 kind=UnitKind.COUNTY if i % 6 == 0 else UnitKind.DEPARTMENT, sort_order=i)
            for i in range(1, UNITS + 1)
        )
        office = User.objects.create_user(username="bench", password=None, name="督查室", role=Role.SUPERVISION_OFFICE)
        leaders = []
        for i in range(LEADERS):
            person = User.objects.create_user(username=f"leader{i}", password=None, name=f"领导{i}", role=Role.LEADER)
            LeaderPost.objects.create(person=person, kind=LeaderKind.MAYOR if i == 0 else LeaderKind.VICE_MAYOR,
                                      title="市长" if i == 0 else "副市长")
            leaders.append(person)
        sources = [Source.KEY_WORK, Source.MEETING, Source.ASSIGNED, Source.TV_QUESTIONING]
        statuses = [Status.DRAFT, Status.ASSIGNED, Status.IN_PROGRESS, Status.IN_PROGRESS, Status.CLOSED]
        batch: list[Matter] = []
        for n in range(1, MATTERS + 1):
            start = date(2026, 1, 1) + timedelta(days=rng.randrange(120))
            quantitative = n % 3 != 0
            batch.append(Matter(
                year=2026, number=f"DB2026-{n:04d}", title=f"重点工作第{n}项：推进城市更新和产业升级",
                source=sources[n % len(sources)], source_ref=f"宛政〔2026〕{n % 90 + 1}号",
                goal="按照年度计划完成建设任务，形成可复制可推广的经验做法" * (1 + n % 2),
                target_quantity=Decimal(rng.randrange(1, 5000)) if quantitative else None,
                target_unit="个" if quantitative else "", qualitative_standard="" if quantitative else "群众满意度明显提升",
                responsible_leader=leaders[n % LEADERS], lead_unit=units[n % UNITS], status=statuses[n % 5],
                start_date=start, due_date=start + timedelta(days=rng.randrange(60, 330)),
                progress=rng.randrange(0, 101), created_by=office,
            ))
            if len(batch) == 5000:
                Matter.objects.bulk_create(batch)
                batch = []
        Matter.objects.bulk_create(batch)
        parts = []
        for mid, lead_id, due in Matter.objects.filter(year=2026).values_list("id", "lead_unit_id", "due_date"):
            if mid % 3 == 0:
                for k in range(1 + mid % 2):
                    unit = units[(lead_id + 7 + k * 13) % UNITS]
                    if unit.id != lead_id:
                        parts.append(CoUnitPart(matter_id=mid, unit=unit, part="配合推进", due_date=due))
        CoUnitPart.objects.bulk_create(parts, batch_size=5000)
    return {"matters": Matter.objects.count(), "co_parts": CoUnitPart.objects.count()}


def child(mode: str, work: Path) -> dict[str, Any]:
    _setup_django()
    if mode == "seed":
        return seed()
    from ducha.ledger.excel import all_matters, export_ledger, ledger_rows
    from ducha.matters.models import Matter
    from ducha.org.models import User

    ledger_2026, ledger_2027 = work / "ledger-2026.xlsx", work / "ledger-2027.xlsx"
    today = date(2026, 7, 1)
    if mode == "reset-2027":  # plain SQL: the collector would visit every app's relations
        from django.db import connection, transaction

        from ducha.ledger.models import LedgerEvent
        from ducha.matters.models import CoUnitPart, MatterEvent

        with transaction.atomic(), connection.cursor() as cur:
            ids = f"SELECT id FROM {Matter._meta.db_table} WHERE year = 2027"
            for model in (CoUnitPart, MatterEvent):
                cur.execute(f"DELETE FROM {model._meta.db_table} WHERE matter_id IN ({ids})")
            cur.execute(f"DELETE FROM {Matter._meta.db_table} WHERE year = 2027")
            LedgerEvent.objects.filter(ledger_year__year=2027).delete()
        return {}
    if mode == "make-2027":  # the 2026 ledger without its numbers: 100,000 new rows for an empty year
        from ducha.ledger.excel import write_ledger

        selected = all_matters().filter(year=2026)
        rows = ((r[0], "", *r[2:]) for r in ledger_rows(selected, today))
        return {"rows": write_ledger(str(ledger_2027), 2027, rows, selected.count())}
    base_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    load = os.getloadavg()[0]
    t0, c0 = time.perf_counter(), time.process_time()
    result: dict[str, Any] = {}
    if mode == "export":
        result["rows"] = export_ledger(str(ledger_2026), year=2026, matters=all_matters(), today=today)
    elif mode == "export-openpyxl":
        result["rows"] = openpyxl_export(work / "openpyxl.xlsx", ledger_rows(all_matters().filter(year=2026), today))
    elif mode == "export-xlsxwriter":
        result["rows"] = xlsxwriter_export(work / "xlsxwriter.xlsx",
                                           ledger_rows(all_matters().filter(year=2026), today))
    elif mode in ("import", "reimport"):
        from ducha.ledger.import_job import import_file

        actor = User.objects.get(username="bench")
        year, path = (2027, ledger_2027) if mode == "import" else (2026, ledger_2026)
        result.update(import_file(actor=actor, year=year, path=path))
    elif mode == "read-calamine":
        from python_calamine import CalamineWorkbook

        sheet = CalamineWorkbook.from_path(str(ledger_2026)).get_sheet_by_index(0)
        result["rows"] = sum(1 for _ in sheet.iter_rows())  # row by row, as the import reads
    elif mode == "read-openpyxl":
        import openpyxl

        wb = openpyxl.load_workbook(ledger_2026, read_only=True)
        result["rows"] = sum(1 for _ in wb.active.iter_rows(values_only=True))
        wb.close()
    result["seconds"] = time.perf_counter() - t0
    result["cpu"] = time.process_time() - c0
    result["load"] = load
    result["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    result["base_mb"] = base_rss
    return result


def openpyxl_export(path: Path, rows: Any) -> int:
    """The baseline: the same cells and formats through openpyxl's write-only (streaming) mode."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font, PatternFill

    from ducha.ledger.excel import COLUMNS, DATE_FORMAT, LEDGER_STATUS_ZH, STATUS_FILLS

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("台账")
    font, wrap = Font(name="宋体", size=10), Alignment(wrap_text=True, vertical="center")
    fills = {LEDGER_STATUS_ZH[k]: PatternFill("solid", fgColor=v.lstrip("#")) for k, v in STATUS_FILLS.items()}
    ws.append(["台账"])
    ws.append([c.group or c.header for c in COLUMNS])
    ws.append([c.header for c in COLUMNS])
    n = 0
    for row in rows:
        cells = []
        for c, value in zip(COLUMNS, row, strict=True):
            if c.kind == "status" and value:
                cell = WriteOnlyCell(ws, value=value)
                cell.fill = fills[value]
            else:
                cell = WriteOnlyCell(ws, value=value)
                if c.kind == "date":
                    cell.number_format = DATE_FORMAT
            cell.font, cell.alignment = font, wrap
            cells.append(cell)
        ws.append(cells)
        n += 1
    wb.save(path)
    return n


def xlsxwriter_export(path: Path, rows: Any) -> int:
    """The baseline: every cell through XlsxWriter's own writer, constant-memory mode."""
    import xlsxwriter

    from ducha.ledger.excel import COLUMNS, DATE_FORMAT, HEADER_ROWS

    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    ws = wb.add_worksheet("台账")
    base = {"font_name": "宋体", "font_size": 10, "border": 1}
    text, date_fmt = wb.add_format(base), wb.add_format({**base, "num_format": DATE_FORMAT})
    ws.write_string(0, 0, "台账")
    for i, c in enumerate(COLUMNS):
        ws.write_string(1, i, c.group or c.header)
    for i, c in enumerate(COLUMNS):
        ws.write_string(2, i, c.header)
    r = HEADER_ROWS
    for row in rows:
        for i, (c, value) in enumerate(zip(COLUMNS, row, strict=True)):
            if value is None or value == "":
                ws.write_blank(r, i, None, text)
            elif c.kind == "date":
                ws.write_datetime(r, i, value, date_fmt)
            elif c.kind in ("number", "int"):
                ws.write_number(r, i, value, text)
            else:
                ws.write_string(r, i, value, text)
        r += 1
    wb.close()
    return r - HEADER_ROWS


# -- parent side -------------------------------------------------------------------------


def run_child(mode: str, env: dict[str, str], work: Path) -> dict[str, Any]:
    proc = subprocess.run([sys.executable, __file__, "--child", mode, "--work", str(work)], env=env,
                          capture_output=True, text=True, timeout=3600)
    if proc.returncode != 0:
        raise SystemExit(f"{mode} failed:\n{proc.stderr[-4000:]}")
    return dict(json.loads(proc.stdout.strip().splitlines()[-1]))


def best(mode: str, env: dict[str, str], work: Path, before: str | None = None) -> dict[str, Any]:
    runs = []
    for _ in range(REPEAT):
        if before:
            run_child(before, env, work)
        runs.append(run_child(mode, env, work))
        print(f"  {mode}: {runs[-1]['seconds']:.2f} s (CPU {runs[-1]['cpu']:.2f} s, load {runs[-1]['load']:.1f}), "
              f"peak {runs[-1]['peak_mb']:.0f} MB", file=sys.stderr)
    out = min(runs, key=lambda r: r["seconds"])
    out["peak_mb"] = max(r["peak_mb"] for r in runs)
    out["cpu"] = min(r["cpu"] for r in runs)
    out["range"] = (min(r["seconds"] for r in runs), max(r["seconds"] for r in runs))
    return out


def postgres_database(url: str) -> tuple[str, Any]:
    import psycopg

    name = f"ducha_bench_ledger_{os.getpid()}"
    admin = psycopg.connect(url, autocommit=True)
    admin.execute(f'CREATE DATABASE "{name}"')
    base, _, _ = url.rpartition("/")

    def drop() -> None:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()

    return f"{base}/{name}", drop


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--child")
    parser.add_argument("--work")
    parser.add_argument("--postgres", help="server URL; a throwaway database is created on it and dropped")
    parser.add_argument("--only", default="", help="comma-separated measures to run (default: all)")
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, Path(args.work)), default=str))
        return 0

    work = Path(tempfile.mkdtemp(prefix="ducha-bench-ledger-"))
    drop = None
    if args.postgres:
        db_url, drop = postgres_database(args.postgres)
    else:
        db_url = f"sqlite:///{work / 'bench.sqlite3'}"
    env = {**os.environ, "DUCHA_DATA_DIR": str(work), "DUCHA_DATABASE_URL": db_url}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    try:
        t0 = time.perf_counter()
        subprocess.run([str(Path(sys.executable).parent / "ducha"), "migrate", "-v", "0"], env=env, check=True)
        seeded = run_child("seed", env, work)
        print(f"seeded {seeded} in {time.perf_counter() - t0:.0f} s", file=sys.stderr)
        wanted = set(filter(None, args.only.split(","))) or set(LABELS)
        results: dict[str, dict[str, Any]] = {}
        for key in ("export", "export-xlsxwriter", "export-openpyxl"):
            if key in wanted or (key == "export" and wanted & {"reimport", "read-calamine", "read-openpyxl"}):
                results[key] = best(key, env, work)
        if "import" in wanted:
            run_child("make-2027", env, work)
            results["import"] = best("import", env, work, before="reset-2027")
        for key in ("reimport", "read-calamine", "read-openpyxl"):
            if key in wanted:
                results[key] = best(key, env, work)
        exported = work / "ledger-2026.xlsx"
        size_mb = exported.stat().st_size / 2**20 if exported.exists() else 0.0
    finally:
        if drop:
            drop()
        shutil.rmtree(work, ignore_errors=True)

    engine = "PostgreSQL" if args.postgres else "SQLite"
    print(f"\nLedger Excel benchmark, {engine}, {MATTERS:,} matters ({seeded['co_parts']:,} co-unit parts), "
          f"{date.today()}, {platform.processor() or platform.machine()}, Python {platform.python_version()}, "
          f"{os.cpu_count()} cores; best of {REPEAT}; export file {size_mb:.1f} MB\n")
    print("| Measure | Wall time | CPU time | Peak RSS | Target | Pass |")
    print("|---|---|---|---|---|---|")
    ok = True
    for key, label in LABELS.items():
        if key not in results:
            continue
        r = results[key]
        target = TARGETS.get(key)
        verdict, text = "", "--"
        if target:
            passed = r["seconds"] <= target[0] and r["peak_mb"] <= target[1]
            ok &= passed
            verdict, text = ("pass" if passed else "FAIL"), f"≤ {target[0]:.0f} s, ≤ {target[1]:.0f} MB"
        print(f"| {label} | {r['seconds']:.1f} s ({r['range'][0]:.1f}–{r['range'][1]:.1f}) | {r['cpu']:.1f} s | "
              f"{r['peak_mb']:.0f} MB (Django alone {r['base_mb']:.0f} MB) | {text} | {verdict} |")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
