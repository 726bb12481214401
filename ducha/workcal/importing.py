"""Reading and checking calendar rows before anything is written.

One wrong row in a holiday file moves real deadlines, so a file is all or nothing: every
row is checked, every problem is reported with its row number, and only a file without
problems reaches the database. The command line and the upload page share this code, so
they accept and refuse exactly the same files.

CSV format (UTF-8, with or without BOM; header row required)::

    date,kind,name,source
    2027-02-06,holiday,春节,test data
    2027-02-14,makeup_workday,春节,test data

* date: YYYY-MM-DD (YYYY/M/D, as spreadsheets save it, is accepted too)
* kind: exactly ``holiday`` (a day off, weekend days inside a span included) or
  ``makeup_workday`` (a Saturday or Sunday declared a working day, 调休上班)
* name, source: optional text (the holiday's name, e.g. 春节; where the row comes from)

Row numbers are spreadsheet row numbers: the header is row 1, the first day is row 2.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from ducha.workcal.models import DayKind

MAX_FILE_BYTES = 1_000_000
# A year outside this range is a typo (2207), not a calendar anyone will publish.
MIN_YEAR, MAX_YEAR = 2000, 2099
REQUIRED_COLUMNS = ("date", "kind")
COLUMNS = ("date", "kind", "name", "source")
NAME_MAX, SOURCE_MAX = 60, 200
_DATE = re.compile(r"^(\d{4})[-/](\d{1,2})[-/](\d{1,2})$")
_WEEKDAYS = "一二三四五六日"


@dataclass(frozen=True)
class CalendarRow:
    """One row as given: text from a file, or a date from code (the demo loader)."""

    row: int
    date: str | date
    kind: str
    name: str = ""
    source: str = ""


@dataclass(frozen=True)
class ValidDay:
    row: int
    date: date
    kind: str
    name: str
    source: str


@dataclass(frozen=True)
class RowError:
    row: int | None  # None: about the file or a whole year, not one row
    message: str

    def __str__(self) -> str:
        return f"第{self.row}行 (row {self.row}): {self.message}" if self.row is not None else self.message


class CalendarImportError(ValueError):
    """The rows were refused; ``errors`` lists every problem found, in row order."""

    def __init__(self, errors: Sequence[RowError]) -> None:
        self.errors = list(errors)
        super().__init__("; ".join(str(e) for e in self.errors))


def parse_date(text: str) -> date | None:
    """The date in ``text``, or None when it is not a real calendar date."""
    m = _DATE.match(text.strip())
    if not m:
        return None
    try:
        return date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        return None


def parse_calendar_csv(data: bytes) -> list[CalendarRow]:
    """The rows of a calendar CSV file; CalendarImportError for an unreadable file or header."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CalendarImportError(
            [RowError(None, "文件不是 UTF-8 编码，请另存为“CSV UTF-8” (the file is not UTF-8 text)")]
        ) from None
    records = list(csv.reader(io.StringIO(text, newline="")))
    if not records or not any(cell.strip() for cell in records[0]):
        raise CalendarImportError(
            [RowError(None, "文件为空或缺少表头 date,kind,name,source (empty file or no header)")]
        )
    header = [cell.strip().lower() for cell in records[0]]
    problems = []
    unknown = [h for h in header if h not in COLUMNS]
    if unknown:
        problems.append(f"未知列 {', '.join(unknown)} (unknown columns; allowed: {', '.join(COLUMNS)})")
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        problems.append(f"缺少列 {', '.join(missing)} (missing columns)")
    repeated = sorted({h for h in header if header.count(h) > 1})
    if repeated:
        problems.append(f"列名重复 {', '.join(repeated)} (repeated columns)")
    if problems:
        raise CalendarImportError([RowError(1, "; ".join(problems))])

    rows: list[CalendarRow] = []
    errors: list[RowError] = []
    for number, cells in enumerate(records[1:], start=2):
        if not any(cell.strip() for cell in cells):
            continue  # blank lines, e.g. at the end of a hand-edited file
        if len(cells) > len(header):
            errors.append(RowError(number, f"有 {len(cells)} 列，表头只有 {len(header)} 列 (too many cells)"))
            continue
        values = dict(zip(header, (c.strip() for c in cells), strict=False))
        rows.append(
            CalendarRow(
                number,
                values.get("date", ""),
                values.get("kind", ""),
                values.get("name", ""),
                values.get("source", ""),
            )
        )
    if errors:
        raise CalendarImportError(errors)
    if not rows:
        raise CalendarImportError([RowError(None, "文件中没有日期行 (the file holds no days)")])
    return rows


def _check_row(r: CalendarRow, year: int | None) -> tuple[ValidDay | None, list[str]]:
    problems: list[str] = []
    if isinstance(r.date, date):
        d: date | None = r.date
    elif not r.date.strip():
        d = None
        problems.append("缺少日期 (date is empty)")
    else:
        d = parse_date(r.date)
        if d is None:
            problems.append(f"日期无效 {r.date.strip()!r}，应为 YYYY-MM-DD 的真实日期 (not a valid date)")
    kind = r.kind.strip().lower()
    if kind not in DayKind.values:
        problems.append(
            f"类型无效 {r.kind.strip()!r}，应为 holiday 或 makeup_workday "
            "(kind must be holiday or makeup_workday)"
        )
    if d is not None:
        if year is not None and d.year != year:
            problems.append(f"日期 {d.isoformat()} 不属于 {year} 年 (date is not in {year})")
        elif not MIN_YEAR <= d.year <= MAX_YEAR:
            problems.append(f"年份 {d.year} 超出 {MIN_YEAR}–{MAX_YEAR} (year out of range)")
        if kind == DayKind.MAKEUP_WORKDAY and d.weekday() < 5:
            problems.append(
                f"调休上班日 {d.isoformat()} 是星期{_WEEKDAYS[d.weekday()]}，只有周六、周日可以调休上班 "
                "(a make-up working day must be a Saturday or Sunday)"
            )
    name, source = r.name.strip(), r.source.strip()
    if len(name) > NAME_MAX:
        problems.append(f"名称超过 {NAME_MAX} 个字 (name too long)")
    if len(source) > SOURCE_MAX:
        problems.append(f"来源超过 {SOURCE_MAX} 个字 (source too long)")
    if problems or d is None:
        return None, problems
    return ValidDay(r.row, d, kind, name, source), []


def validate_rows(rows: Iterable[CalendarRow], *, year: int | None = None) -> dict[int, list[ValidDay]]:
    """The days grouped by year, ascending; CalendarImportError listing every problem.

    With ``year`` every row must belong to that year. Checked: real dates, known kinds,
    make-up days on weekends only, each date at most once (a date that is both a holiday
    and a make-up day is named as such), and at least one holiday per year: a notice
    without a single day off is a wrong file, not a year without holidays.
    """
    errors: list[RowError] = []
    by_year: dict[int, list[ValidDay]] = {}
    seen: dict[date, ValidDay] = {}
    for r in rows:
        day, problems = _check_row(r, year)
        errors.extend(RowError(r.row, p) for p in problems)
        if day is None:
            continue
        first = seen.get(day.date)
        if first is not None:
            if first.kind != day.kind:
                errors.append(
                    RowError(
                        r.row,
                        f"日期 {day.date.isoformat()} 既是假日又是调休上班日（见第{first.row}行） "
                        f"(both a holiday and a make-up working day, see row {first.row})",
                    )
                )
            else:
                errors.append(
                    RowError(
                        r.row,
                        f"日期 {day.date.isoformat()} 重复，已见于第{first.row}行 "
                        f"(duplicate date, see row {first.row})",
                    )
                )
            continue
        seen[day.date] = day
        by_year.setdefault(day.date.year, []).append(day)
    if year is not None and not by_year and not errors:
        errors.append(RowError(None, f"没有 {year} 年的日期 (no days for {year})"))
    for y, days in sorted(by_year.items()):
        if not any(d.kind == DayKind.HOLIDAY for d in days):
            errors.append(RowError(None, f"{y} 年没有任何假日，不像一份放假通知 (year {y} has no holiday)"))
    if errors:
        errors.sort(key=lambda e: (e.row is None, e.row or 0))
        raise CalendarImportError(errors)
    return {y: sorted(days, key=lambda d: d.date) for y, days in sorted(by_year.items())}
