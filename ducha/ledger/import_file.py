"""Reading an Excel 台账 back: the archive checked, the header rows recognised, every row
validated with the rules of ``do_create_matter`` before anything is written.

The rules are the matters app's own (``ducha.matters.validation``: ``content_errors`` and
``reference_errors``), applied by ``ledger.validation.check_row`` against units and leaders
loaded once per file rather than per row, which for a 100,000-row ledger is seconds instead
of minutes. ``tests/test_ledger_excel.py`` checks that the form and the import refuse the
same rows.

All or nothing: one bad row refuses the file, and the report names every bad row, its
column and what is wrong with it, in the row numbers Excel shows.
"""

from __future__ import annotations

import itertools
import logging
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from python_calamine import CalamineError, CalamineWorkbook
from xlsxwriter.utility import xl_col_to_name

from ducha.ledger.excel import SOURCE_BY_ZH, SOURCE_ZH
from ducha.ledger.validation import Lookups, RowProblems, RowValues, check_row

Progress = Callable[[str, int, int], None]
log = logging.getLogger(__name__)

HEADER_NAMES: dict[str, str] = {
    "序号": "index", "编号": "number", "事项编号": "number",
    "督查事项": "title", "事项名称": "title", "重点工作": "title", "工作任务": "title",
    "来源类别": "source", "事项来源": "source", "来源": "source",
    "文号或会议": "source_ref", "任务来源": "source_ref", "来源文号": "source_ref",
    "牵头单位": "lead_unit", "责任单位": "lead_unit", "配合单位": "co_units",
    "责任领导": "leader", "分管领导": "leader", "分管市领导": "leader",
    "工作目标": "goal", "目标任务": "goal",
    "定量目标": "target_quantity", "计量单位": "target_unit", "定性标准": "qualitative_standard",
    "起始日期": "start_date", "开始日期": "start_date",
    "完成时限": "due_date", "时限要求": "due_date", "完成时间": "due_date",
    "备注": "remark",
}
REQUIRED = {"title": "督查事项", "lead_unit": "牵头单位", "leader": "责任领导", "goal": "工作目标", "due_date": "完成时限"}
HEADER_SEARCH_ROWS = 16  # the header row is looked for in the first 15 rows (its sub-header may be the 16th)
_NUMBER = re.compile(r"^DB(\d{4})-(\d{4,})$")
_DATE_TEXT = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_SPLIT = re.compile(r"[、，,；;\n]+")


def max_file_bytes() -> int:
    return int(settings.DUCHA_LEDGER_IMPORT_MAX_BYTES)


def max_zip_entries() -> int:
    return int(settings.DUCHA_LEDGER_IMPORT_MAX_ENTRIES)


def max_uncompressed_bytes() -> int:
    return int(settings.DUCHA_LEDGER_IMPORT_MAX_UNCOMPRESSED)


def max_rows() -> int:
    return int(settings.DUCHA_LEDGER_IMPORT_MAX_ROWS)


class LedgerFileError(ValueError):
    """The file as a whole cannot be read as a ledger."""


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        return _("Row %(row)s %(column)s: %(message)s") % {"row": self.row, "column": self.column, "message": self.message}


class LedgerImportRefused(ValueError):
    def __init__(self, errors: list[RowError]) -> None:
        self.errors = errors
        super().__init__(_("%(count)s problems; nothing was imported.") % {"count": len(errors)})


@dataclass(frozen=True)
class ImportPlan:
    rows_total: int
    new: list[RowValues]
    updates: list[RowValues]
    unchanged: int


def check_archive(path: Path) -> None:
    """Refuse what is not an .xlsx, and zip bombs, before a parser inflates anything (ASVS 5.2.3).

    The messages never name the file: in a job it is stored under a name of the platform's, and
    the person knows which file they gave (the command line prefixes its own argument)."""
    try:
        size = path.stat().st_size
    except OSError as e:
        raise LedgerFileError(_("Cannot read the file: %(reason)s") % {"reason": e.strerror}) from e
    if size > max_file_bytes():
        raise LedgerFileError(_("The file is larger than %(mb)s MB.") % {"mb": max_file_bytes() // 2**20})
    try:
        with zipfile.ZipFile(path) as z:
            entries = z.infolist()
    except (zipfile.BadZipFile, OSError) as e:
        raise LedgerFileError(_("This is not an Excel (.xlsx) file.")) from e
    if len(entries) > max_zip_entries():
        raise LedgerFileError(_("Too many entries in the archive (%(count)s).") % {"count": len(entries)})
    inflated = sum(e.file_size for e in entries)
    if inflated > max_uncompressed_bytes():
        raise LedgerFileError(_("Uncompressed, the file is larger than %(mb)s MB.") % {"mb": max_uncompressed_bytes() // 2**20})
    if not any(e.filename.startswith("xl/worksheets/") for e in entries):
        raise LedgerFileError(_("There is no worksheet in the file."))


_SHEET_OF_WORKBOOK = re.compile(rb"<(?:\w+:)?sheet\b[^>]*?\br:id=\"([^\"]+)\"")
_RELATIONSHIP = re.compile(rb"<(?:\w+:)?Relationship\b[^>]*>")
_ATTRIBUTE = re.compile(rb'(\w+)="([^"]*)"')


def _first_sheet_part(z: zipfile.ZipFile) -> str:
    """The zip entry of the workbook's first sheet (the one the import reads)."""
    try:
        first = _SHEET_OF_WORKBOOK.search(z.read("xl/workbook.xml"))
        rels = z.read("xl/_rels/workbook.xml.rels")
    except KeyError:
        first, rels = None, b""
    if first:
        for tag in _RELATIONSHIP.findall(rels):
            attrs = dict(_ATTRIBUTE.findall(tag))
            if attrs.get(b"Id") == first[1] and b"Target" in attrs:
                target = attrs[b"Target"].decode()
                name = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
                if name in z.namelist():
                    return name
    return next((n for n in sorted(z.namelist()) if n.startswith("xl/worksheets/") and n.endswith(".xml")),
                "xl/worksheets/sheet1.xml")


def count_sheet_rows(path: Path) -> int:
    """The rows the first worksheet stores, counted in its XML as it is inflated, in constant
    memory: the reader (python-calamine) holds the whole sheet, so a file too long for the
    import is refused before it is read."""
    rows = 0
    with zipfile.ZipFile(path) as z, z.open(_first_sheet_part(z)) as sheet:
        carry = b""
        while chunk := sheet.read(1 << 20):
            data = carry + chunk
            cut = data.rfind(b"<")  # no tag spans the cut: every tag starts with "<"
            cut = len(data) if cut < 0 else cut
            rows += data.count(b"<row ", 0, cut) + data.count(b"<row>", 0, cut)
            carry = data[cut:]
        rows += carry.count(b"<row ") + carry.count(b"<row>")
    return rows


def check_row_count(path: Path) -> int:
    """The sheet's row count, refused above DUCHA_LEDGER_IMPORT_MAX_ROWS naming both figures."""
    try:
        rows = count_sheet_rows(path)
    except (zipfile.BadZipFile, OSError, KeyError, EOFError) as e:
        raise LedgerFileError(_("This is not an Excel (.xlsx) file.")) from e
    if rows > max_rows():
        raise LedgerFileError(
            _("The worksheet has %(rows)s rows, headers included; one import takes at most %(max)s: "
              "split the file.") % {"rows": f"{rows:,}", "max": f"{max_rows():,}"}
        )
    return rows


def open_sheet(path: Path) -> tuple[Iterator[list[Any]], int, int]:
    """(rows, column offset, row count) of the first sheet.

    The rows are produced one at a time from the parsed sheet instead of as one list of
    lists, which for 100,000 rows would double the memory. python-calamine yields rows from
    row 1 but columns from the first used one, hence the offset.
    """
    try:
        sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0)
    except (CalamineError, OSError, ValueError) as e:
        # calamine's message may carry the path the file is stored under: logged, not shown
        log.warning("ledger import: cannot read the worksheet: %s", e)
        raise LedgerFileError(_("Cannot read the worksheet; the file may be damaged.")) from e
    start, end = sheet.start, sheet.end
    return iter(sheet.iter_rows()), (start[1] if start else 0), (end[0] + 1 if end else 0)


def _header_text(value: Any) -> str:
    return re.sub(r"\s+", "", str(value)) if value is not None else ""


def locate_columns(rows: list[list[Any]], col_offset: int = 0) -> tuple[int, dict[str, int], dict[str, str]]:
    """(first data row index, column of each field, header text of each field) from the top rows."""
    h = next((i for i, row in enumerate(rows[:HEADER_SEARCH_ROWS - 1])
              if any(HEADER_NAMES.get(_header_text(v)) == "title" for v in row)), None)
    if h is None:
        raise LedgerFileError(_("No header row: none of the first 15 rows has a “督查事项” column."))
    texts = [_header_text(v) for v in rows[h]]
    sub = [_header_text(v) for v in rows[h + 1]] if h + 1 < len(rows) else []
    has_sub = any(t in HEADER_NAMES for t in sub)
    columns: dict[str, int] = {}
    names: dict[str, str] = {}
    for c, top in enumerate(texts):
        name = (sub[c] if has_sub and c < len(sub) and sub[c] else top)
        key = HEADER_NAMES.get(name)
        if key and key not in columns:
            columns[key] = c
            names[key] = _("column %(letter)s “%(name)s”") % {"letter": xl_col_to_name(c + col_offset), "name": name}
    missing = [zh for key, zh in REQUIRED.items() if key not in columns]
    if missing:
        raise LedgerFileError(_("Required columns missing: %(columns)s") % {"columns": "、".join(missing)})
    return h + (2 if has_sub else 1), columns, names


def _text(value: Any) -> str:
    if type(value) is str:
        # Spaces and line breaks around a cell's text are typing noise; a TAB is kept, being
        # rarer and possibly meant (the export writes it back behind Excel's quote prefix).
        return value.strip(" \u3000\r\n")
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.isoformat()[:10]
    return str(value).strip(" \u3000\r\n")


def _date(value: Any) -> date | None:
    """A real date cell, an Excel serial number, or text such as 2026-06-30 / 2026年6月30日."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and 1 <= value < 2958466:
        return date(1899, 12, 30) + timedelta(days=int(value))
    m = _DATE_TEXT.match(str(value).strip())
    if m:
        try:
            return date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:
            pass
    raise ValueError(_("“%(value)s” is not a date: use a date cell or text such as 2026-06-30.") % {"value": _text(value)})


def _decimal(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        d = Decimal(str(value).replace(",", "").strip()) if not isinstance(value, bool) else None
    except InvalidOperation:
        d = None
    if d is None or not d.is_finite():
        raise ValueError(_("“%(value)s” is not a number.") % {"value": _text(value)})
    if d != d.quantize(Decimal("0.01")) or abs(d) >= Decimal("1e12"):
        raise ValueError(_("“%(value)s”: at most 12 digits and 2 decimals.") % {"value": _text(value)})
    return d.quantize(Decimal("0.01"))


def _parse_row(excel_row: int, cells: dict[str, Any], year: int,
               seen_numbers: dict[str, int]) -> tuple[RowValues, RowProblems]:
    """The row's cells read into a RowValues, with the problems of reading them (bad dates,
    numbers, sources, 编号); the matter rules are checked afterwards by ``check_row``."""
    problems: RowProblems = []
    parsed: dict[str, Any] = {}
    for key, convert in (("start_date", _date), ("due_date", _date), ("target_quantity", _decimal)):
        try:
            parsed[key] = convert(cells.get(key))
        except ValueError as e:
            problems.append((key, str(e)))
    source_text = _text(cells.get("source"))
    source = SOURCE_BY_ZH.get(source_text, source_text) if source_text else "key_work"
    if source not in SOURCE_ZH:
        problems.append(("source", _("Unknown source “%(source)s”; use one of: %(allowed)s") % {
            "source": source_text, "allowed": _(", ").join(f"“{s}”" for s in SOURCE_ZH.values())}))
    number = _text(cells.get("number"))
    if number:
        m = _NUMBER.match(number)
        if not m or int(m[1]) != year:
            problems.append(("number", _("Number “%(number)s” must look like DB%(year)s-0001, or be left empty "
                                         "for the platform to number it.") % {"number": number, "year": year}))
        elif number in seen_numbers:
            problems.append(("number", _("Number “%(number)s” repeats row %(row)s.") % {"number": number, "row": seen_numbers[number]}))
        seen_numbers.setdefault(number, excel_row)
    co_text = _text(cells.get("co_units"))
    row = RowValues(
        row=excel_row, number=number, title=_text(cells.get("title")), source=source,
        source_ref=_text(cells.get("source_ref")), lead_unit=_text(cells.get("lead_unit")),
        co_units=[s.strip() for s in _SPLIT.split(co_text) if s.strip()] if co_text else (),
        leader=_text(cells.get("leader")), goal=_text(cells.get("goal")),
        target_quantity=parsed.get("target_quantity"), target_unit=_text(cells.get("target_unit")),
        qualitative_standard=_text(cells.get("qualitative_standard")),
        start_date=parsed.get("start_date") or date(year, 1, 1), due_date=parsed.get("due_date"),
        instruction_text=_text(cells.get("remark")) if source == "instruction" else "",
        date_problem=any(k == "due_date" for k, _ in problems), start_given=parsed.get("start_date") is not None,
    )
    return row, problems


def parse_ledger(path: Path, year: int, lookups: Lookups, progress: Progress | None = None) -> ImportPlan:
    """Validate the whole file; raise LedgerFileError or LedgerImportRefused, else return the plan."""
    check_archive(path)
    check_row_count(path)
    if progress:
        progress("reading", 0, 0)
    rows, col_offset, height = open_sheet(path)
    top = list(itertools.islice(rows, HEADER_SEARCH_ROWS))
    start, columns, names = locate_columns(top, col_offset)
    total = max(height - start, 0)
    errors: list[RowError] = []
    values: list[RowValues] = []
    seen_numbers: dict[str, int] = {}
    body = ((i + 1, r) for i, r in enumerate(itertools.chain(top[start:], rows), start=start)
            if any(v not in (None, "") for v in r))
    n = 0
    for excel_row, r in body:
        n += 1
        width = len(r)
        cells = {key: r[c] if c < width else None for key, c in columns.items()}
        row, row_errors = _parse_row(excel_row, cells, year, seen_numbers)
        row_errors.extend(check_row(row, lookups, year))
        for key, message in row_errors:
            errors.append(RowError(excel_row, _column_name(key, names), message))
        if not row_errors:
            values.append(row)
        if progress and n % 2000 == 0:
            progress("validating", n, total)
    if errors:
        raise LedgerImportRefused(errors)
    if n == 0:
        raise LedgerFileError(_("The ledger has no rows."))
    new, updates, unchanged = lookups.classify(values, year)
    if lookups.errors:
        raise LedgerImportRefused([RowError(r, _column_name(k, names), m) for r, k, m in lookups.errors])
    return ImportPlan(n, new, updates, unchanged)


# Validation speaks of the matter's fields; the report names the ledger column they came from.
_COLUMN_OF = {"responsible_leader": "leader", "instruction_text": "remark"}


def _column_name(key: str, names: dict[str, str]) -> str:
    column = _COLUMN_OF.get(key, key)
    # a column the file does not have is named by the template's header, which is the file's vocabulary
    return names.get(column) or _("column “%(name)s”") % {"name": _FIELD_LABELS.get(column, column)}


_FIELD_LABELS = {
    "co_units": "配合单位", "target_quantity": "定量目标", "source": "来源类别", "number": "编号",
    "remark": "备注（批示内容）", "start_date": "起始日期", "source_ref": "文号或会议", "target_unit": "计量单位",
}
