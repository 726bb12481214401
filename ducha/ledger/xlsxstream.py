"""Data rows streamed into a workbook laid out by XlsxWriter.

XlsxWriter writes every part of an .xlsx that Excel is particular about (styles, merges,
print titles, page setup, validation, conditional formats); it costs about 15 µs of Python
per cell, which for a 100,000-matter ledger (1.8 million cells) is minutes. So the layout is
made by XlsxWriter with no data rows, and the rows -- plain <row>/<c> elements in the same
form XlsxWriter writes them in constant-memory mode (inline strings, numbers, styled
blanks) -- are streamed into its sheet part while the zip is copied, at about 1 µs a cell
and constant memory.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import IO, Any

from xlsxwriter.utility import xl_col_to_name

_EPOCH = date(1899, 12, 30).toordinal()
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\ufffe\uffff]")
_ESCAPED_LOOKALIKE = re.compile(r"(_x[0-9a-fA-F]{4}_)")
_XML = re.compile(r"[&<>]")
_DIMENSION = re.compile(rb'<dimension ref="[^"]*"/>')


def xf_index(cell_format: Any) -> int:
    """The style index Excel uses for an XlsxWriter Format.

    XlsxWriter assigns it when a cell is written with the format; rows written here never
    pass through XlsxWriter, so the index is asked for directly (the method XlsxWriter's own
    worksheet calls for each cell).
    """
    return int(cell_format._get_xf_index())


def escape_text(text: str) -> str:
    """XML text as Excel stores it: & < > escaped, control characters as _xHHHH_, and an
    existing literal "_xHHHH_" protected by escaping its underscore (as Excel does)."""
    if _CONTROL.search(text) or "_x" in text:
        text = _ESCAPED_LOOKALIKE.sub(r"_x005F\1", text)
        text = _CONTROL.sub(lambda m: f"_x{ord(m.group()):04X}_", text)
    if _XML.search(text):
        text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text


_NEEDS_ESCAPE = re.compile(r"[&<>\x00-\x08\x0b-\x1f\ufffe\uffff]|_x[0-9a-fA-F]{4}_")
_SPACE = frozenset(" \t\n\r\u3000")
TEXT, QUOTED_TEXT, NUMBER, DATE = "text", "quoted", "number", "date"


@dataclass(frozen=True)
class ColumnSpec:
    """How one column's cells are written: ``kind`` TEXT, QUOTED_TEXT (text that gets the
    quote-prefixed style ``xf_quoted`` when it starts with a formula trigger), NUMBER or DATE."""

    letter: str
    kind: str
    xf: int
    xf_quoted: int = 0
    triggers: frozenset[str] = frozenset()


def rows_xml(rows: Iterable[Sequence[Any]], columns: Sequence[ColumnSpec], first_row: int,
             counter: list[int]) -> Iterator[str]:
    """One <row> element per sequence of values (1-based ``first_row``); empty values become
    styled blanks. Appends the number of rows written to ``counter`` when done.

    This is the hot loop of a 100,000-row export, hence the inlined cell forms.
    """
    epoch = _EPOCH
    r = first_row - 1
    for values in rows:
        r += 1
        out = [f'<row r="{r}">']
        append = out.append
        for spec, value in zip(columns, values, strict=True):
            if value is None or value == "":
                append(f'<c r="{spec.letter}{r}" s="{spec.xf}"/>')
            elif spec.kind == TEXT or spec.kind == QUOTED_TEXT:
                xf = spec.xf_quoted if value[0] in spec.triggers else spec.xf
                text = escape_text(value) if _NEEDS_ESCAPE.search(value) else value
                space = ' xml:space="preserve"' if value[0] in _SPACE or value[-1] in _SPACE else ""
                append(f'<c r="{spec.letter}{r}" s="{xf}" t="inlineStr"><is><t{space}>{text}</t></is></c>')
            elif spec.kind == DATE:
                append(f'<c r="{spec.letter}{r}" s="{spec.xf}"><v>{value.toordinal() - epoch}</v></c>')
            else:
                number = value if isinstance(value, int) else format(value, ".16G")
                append(f'<c r="{spec.letter}{r}" s="{spec.xf}"><v>{number}</v></c>')
        append("</row>")
        yield "".join(out)
    counter.append(r - first_row + 1)


def column_names(count: int) -> list[str]:
    return [xl_col_to_name(i) for i in range(count)]


def splice_rows(layout: bytes, target: str | IO[bytes], rows: Iterable[str], *, last_row: int, last_col: int,
                sheet: str = "xl/worksheets/sheet1.xml", compresslevel: int = 1) -> None:
    """Copy the XlsxWriter ``layout`` zip to ``target``, streaming ``rows`` (each a complete
    <row> element) into ``sheet`` just before </sheetData>; ``last_row``/``last_col`` are the
    0-based bounds the <dimension> must now cover."""
    import io

    with zipfile.ZipFile(io.BytesIO(layout)) as src, zipfile.ZipFile(
        target, "w", zipfile.ZIP_DEFLATED, compresslevel=compresslevel
    ) as out:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename != sheet:
                out.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED)
                continue
            head, sep, tail = data.partition(b"</sheetData>")
            if not sep:  # no data at all: XlsxWriter wrote <sheetData/>
                head, sep, tail = data.partition(b"<sheetData/>")
                head, sep = head + b"<sheetData>", b"</sheetData>"
            ref = f"A1:{xl_col_to_name(last_col)}{last_row + 1}".encode()
            head = _DIMENSION.sub(b'<dimension ref="' + ref + b'"/>', head, count=1)
            with out.open(sheet, "w", force_zip64=True) as f:
                f.write(head)
                buffer: list[str] = []
                size = 0
                for row in rows:
                    buffer.append(row)
                    size += len(row)
                    if size > 1 << 20:
                        f.write("".join(buffer).encode())
                        buffer, size = [], 0
                f.write("".join(buffer).encode())
                f.write(sep + tail)
