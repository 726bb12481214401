"""Issue #11 item 16 for the file imports and their command lines: the Excel 台账 import (S2.4),
the holiday-calendar import and the ``ducha workdays``/``calendar`` commands, and the monthly
bulletin (S2.8) refuse in the reader's language only, never "中文 (English)".

What a message quotes from the file (a cell, a header, a path) is the file's own words and is
left out of the check; so are the technical names a person types or sees in the file itself
(Excel, .xlsx, CSV UTF-8, YYYY-MM-DD, the column names of the calendar CSV).
"""

from __future__ import annotations

import argparse
import ast
import re
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from django.utils import translation

from ducha.ledger.import_file import LedgerFileError, LedgerImportRefused, check_archive, parse_ledger
from ducha.ledger.validation import Lookups
from ducha.reports.actions import ReportError
from ducha.reports.bulletin import do_issue_bulletin
from ducha.rules.periods import Period
from ducha.workcal.actions import do_import_calendar_file
from ducha.workcal.commandline import date_arg, positive_int_arg
from ducha.workcal.importing import CalendarImportError, parse_calendar_csv

ROOT = Path(__file__).resolve().parent.parent / "ducha"
FILES = [
    "ledger/import_file.py", "ledger/validation.py", "ledger/import_job.py", "ledger/views_io.py",
    "workcal/importing.py", "workcal/actions.py", "workcal/commandline.py",
    *[str(p.relative_to(ROOT)) for p in sorted((ROOT / "workcal/management/commands").glob("*.py"))],
    "reports/bulletin.py",
]
CJK = re.compile(r"[\u3400-\u9fff\u3000-\u303f\uff00-\uffef]")
QUOTED = re.compile(r"“[^”]*”|「[^」]*」|'[^']*'")
TECHNICAL = re.compile(r"Excel|\.?xlsx|CSV UTF-8|UTF-8|YYYY-MM-DD|\bMB\b|DB\d{4}-0001|makeup_workday|holiday|"
                       r"date,kind,name,source|\b(?:date|kind|name|source)\b")
# A sentence in one script followed by a parenthesised one in the other: the old two-language form.
MIXED = re.compile(r"[\u4e00-\u9fff][^\"]*\([A-Za-z]|[A-Za-z]{3,}[^\"]*[（(][\u4e00-\u9fff]")


def _latin_words(message: str) -> list[str]:
    return re.findall(r"[A-Za-z]{2,}", TECHNICAL.sub("", QUOTED.sub("", message)))


def _chinese(message: str) -> list[str]:
    return CJK.findall(QUOTED.sub("", message))


def _ledger(path: Path, rows: list[list[object]], header: bool = True) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["2026年重点工作督查台账"])
    if header:
        ws.append(["序号", "督查事项", "牵头单位", "责任领导", "工作目标", "定性标准", "完成时限", "来源类别"])
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


def _refusals(tmp_path: Path) -> list[str]:
    """Every refusal of the scenarios below, as the person reads it, in the active language."""
    said: list[str] = []
    not_a_zip = tmp_path / "nope.xlsx"
    not_a_zip.write_bytes(b"not a zip")
    with pytest.raises(LedgerFileError) as file_error:
        check_archive(not_a_zip)
    said.append(str(file_error.value))
    headless = _ledger(tmp_path / "headless.xlsx", [[1, "事项", "某单位"]], header=False)
    with pytest.raises(LedgerFileError) as file_error:
        parse_ledger(headless, 2026, Lookups.load())
    said.append(str(file_error.value))
    bad = _ledger(tmp_path / "bad.xlsx", [
        [1, "坏事项", "Nowhere Bureau", "Nobody", "目标", "标准", "someday", "Rumour"],
        [2, "x" * 201, "", "Victor", "", "", date(2026, 9, 30), ""],
    ])
    with pytest.raises(LedgerImportRefused) as refused:
        parse_ledger(bad, 2026, Lookups.load())
    said.append(str(refused.value))
    said += [str(e) for e in refused.value.errors]

    for data in (b"", "date,kind,name\n2027-01-01,holiday,元旦\n".encode("gbk"), b"day,note\n1,2\n"):
        with pytest.raises(CalendarImportError) as calendar_error:
            parse_calendar_csv(data)
        said.append(str(calendar_error.value))
    rows = parse_calendar_csv(b"date,kind\n2027-02-30,holiday\n2027-02-10,makeup_workday\n2027-03-01,rest\n"
                              b"2207-01-01,holiday\n2027-01-01,holiday\n2027-01-01,holiday\n")
    with pytest.raises(CalendarImportError) as calendar_error:
        do_import_calendar_file(actor=None, rows=rows)
    said.append(str(calendar_error.value))
    for parse, text in ((date_arg, "2026-02-30"), (positive_int_arg, "0"), (positive_int_arg, "three")):
        with pytest.raises(argparse.ArgumentTypeError) as argument_error:
            parse(text)
        said.append(str(argument_error.value))
    return said


def _bulletin_refusals(city) -> list[str]:
    said = []
    for actor, period in ((city.sam, "2026-09"), (city.alice, "2026-10")):
        with pytest.raises(ReportError) as e:
            do_issue_bulletin(actor=actor, period=Period.parse(period), today=date(2026, 10, 9))
        said += list(e.value.errors.values())
    return said


def test_item_16_import_and_bulletin_refusals_in_chinese_only(city, tmp_path):
    with translation.override("zh-hans"):
        said = _refusals(tmp_path) + _bulletin_refusals(city)
    assert len(said) >= 14
    for message in said:
        assert _chinese(message), message
        assert not _latin_words(message), message


def test_item_16_import_and_bulletin_refusals_in_english_only(city, tmp_path):
    with translation.override("en"):
        said = _refusals(tmp_path) + _bulletin_refusals(city)
    for message in said:
        assert not _chinese(message), message
    assert any("Nowhere Bureau" in m and "There is no lead unit" in m for m in said)
    assert any("2027-02-10" in m and "Wednesday" in m for m in said)
    assert any("2026-10" in m and "not over yet" in m for m in said)


def test_item_16_no_two_language_message_left_in_the_import_code():
    """The source itself: no string literal of these files pairs a sentence with its translation."""
    found = []
    for name in FILES:
        tree = ast.parse((ROOT / name).read_text(encoding="utf-8"))
        docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                      if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef)
                      and node.body and isinstance(node.body[0], ast.Expr)}
        for node in ast.walk(tree):
            if isinstance(node, ast.JoinedStr):
                text = "".join(v.value if isinstance(v, ast.Constant) else "{}" for v in node.values)
            elif isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
                text = node.value
            else:
                continue
            if MIXED.search(text):
                found.append(f"{name}:{node.lineno}: {text}")
    assert not found, "\n".join(found)
