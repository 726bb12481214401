"""The content of an official document (公文), independent of how it is rendered.

Plain, frozen dataclasses: the .docx and PDF renderers read the same object, so the two outputs
cannot drift apart, and the business code (督查通知 in September, the monthly 通报, 提醒函) only
fills in facts. Element names and their order follow 《党政机关公文处理工作条例》 art. 9 and
GB/T 9704-2012 §7 (ordinary format) and §10.1 (信函格式).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from .layout import text_width_em as text_width_em  # re-exported: defined here before layout.py
from .layout import title_lines as title_lines

DOC_NUMBER_PATTERN = re.compile(r"^[\u4e00-\u9fa5]+〔\d{4}〕[1-9]\d*号$")
_AGENCY_PATTERN = re.compile(r"^[\u4e00-\u9fa5]+$")
_PARSE_PATTERN = re.compile(r"^(?P<agency>[\u4e00-\u9fa5]+)〔(?P<year>\d{4})〕(?P<seq>[1-9]\d*)号$")

Kind = Literal["notice", "bulletin", "letter"]
KINDS: tuple[str, ...] = ("notice", "bulletin", "letter")
URGENCIES: tuple[str, ...] = ("特急", "加急")


@dataclass(frozen=True)
class DocNumber:
    """发文字号: 机关代字〔年份〕序号号, e.g. 宛督〔2026〕12号 (GB/T 9704-2012 §7.2.4).

    The year is four digits inside 六角括号 〔〕 (U+3014/U+3015); the sequence has no 第 and no
    leading zero. Anything else is rejected here rather than printed on a government letterhead.
    """

    agency: str
    year: int
    sequence: int

    def __post_init__(self) -> None:
        if not _AGENCY_PATTERN.match(self.agency):
            raise ValueError(f"机关代字 must be Chinese characters only, got {self.agency!r}")
        if not 1000 <= self.year <= 9999:
            raise ValueError(f"发文字号 year must have four digits, got {self.year!r}")
        if self.sequence < 1:
            raise ValueError(f"发文字号 sequence must be a positive number, got {self.sequence!r}")

    def __str__(self) -> str:
        return f"{self.agency}〔{self.year}〕{self.sequence}号"

    @classmethod
    def parse(cls, text: str) -> DocNumber:
        """Read a 发文字号; ValueError names the offending text."""
        match = _PARSE_PATTERN.match(text)
        if match is None:
            raise ValueError(
                f"not a valid 发文字号 {text!r}: expected 机关代字〔四位年份〕序号号, e.g. 宛督〔2026〕12号"
            )
        return cls(match["agency"], int(match["year"]), int(match["seq"]))

    @staticmethod
    def is_valid(text: str) -> bool:
        return DOC_NUMBER_PATTERN.match(text) is not None


def format_doc_date(value: dt.date) -> str:
    """成文日期 in Arabic numerals, full year, no zero padding: 2026年5月15日 (§7.3.5)."""
    return f"{value.year}年{value.month}月{value.day}日"


_DIGITS = "零一二三四五六七八九"


def chinese_number(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 21 → 二十一 (heading numbers 一、 and （一）); 1 ≤ n ≤ 99."""
    if not 1 <= n <= 99:
        raise ValueError(f"heading numbers run from 1 to 99, got {n}")
    tens, ones = divmod(n, 10)
    if tens == 0:
        return _DIGITS[ones]
    head = "" if tens == 1 else _DIGITS[tens]
    return head + "十" + (_DIGITS[ones] if ones else "")


@dataclass(frozen=True)
class Paragraph:
    """A body paragraph: 3号仿宋, first line indented two characters (§7.3.3)."""

    text: str


@dataclass(frozen=True)
class Heading:
    """A structural heading inside the 正文 (§7.3.3): level 1 一、 黑体; 2 （一） 楷体; 3 1. 仿宋; 4 （1） 仿宋.

    With ``number`` the label is generated (level 1, number 2 → "二、"); without it ``text`` is
    printed as given. ``tail`` continues the same paragraph in 仿宋, the common run-in style
    "（一）压实责任。各单位要……".
    """

    level: int
    text: str
    number: int | None = None
    tail: str = ""

    def __post_init__(self) -> None:
        if self.level not in (1, 2, 3, 4):
            raise ValueError(f"heading level must be 1–4, got {self.level}")

    @property
    def label(self) -> str:
        if self.number is None:
            return ""
        if self.level == 1:
            return f"{chinese_number(self.number)}、"
        if self.level == 2:
            return f"（{chinese_number(self.number)}）"
        if self.level == 3:
            return f"{self.number}."
        return f"（{self.number}）"

    @property
    def font_role(self) -> str:
        """Which family the heading uses: 黑体, 楷体 or the body's 仿宋 (§7.3.3)."""
        return {1: "hei", 2: "kai"}.get(self.level, "fang")


@dataclass(frozen=True)
class HeaderCell:
    """One cell of a table header; spans make the two-level headers of a 通报 table."""

    text: str
    colspan: int = 1
    rowspan: int = 1


@dataclass(frozen=True)
class Placement:
    row: int
    col: int
    rowspan: int
    colspan: int
    text: str


@dataclass(frozen=True)
class Table:
    """A figures table of a monthly 通报 (S2.8): header rows (may be two-level), body rows.

    ``column_widths`` are relative weights scaled to the 156 mm 版心 (§5.2.2); empty means equal.
    """

    header: tuple[tuple[HeaderCell | str, ...], ...]
    rows: tuple[tuple[str, ...], ...]
    column_widths: tuple[float, ...] = ()
    caption: str = ""
    font_size_pt: float = 12.0

    def __post_init__(self) -> None:
        n = self.column_count
        for row in self.rows:
            if len(row) != n:
                raise ValueError(f"table row has {len(row)} cells, the header has {n} columns: {row!r}")
        if self.column_widths and len(self.column_widths) != n:
            raise ValueError(f"{len(self.column_widths)} column widths for {n} columns")
        self.header_placements()  # validates the spans

    @property
    def column_count(self) -> int:
        if self.header:
            return sum(_cell(c).colspan for c in self.header[0])
        return len(self.rows[0]) if self.rows else 0

    def relative_widths(self) -> tuple[float, ...]:
        n = self.column_count
        widths = self.column_widths or (1.0,) * n
        total = sum(widths)
        return tuple(w / total for w in widths)

    def header_placements(self) -> list[Placement]:
        """Grid positions of the header cells, honouring row and column spans (HTML table rules)."""
        n = self.column_count
        taken: set[tuple[int, int]] = set()
        placed: list[Placement] = []
        for r, row in enumerate(self.header):
            col = 0
            for item in row:
                cell = _cell(item)
                while (r, col) in taken:
                    col += 1
                if col + cell.colspan > n or r + cell.rowspan > len(self.header):
                    raise ValueError(f"header cell {cell.text!r} spans outside the table")
                for dr in range(cell.rowspan):
                    for dc in range(cell.colspan):
                        taken.add((r + dr, col + dc))
                placed.append(Placement(r, col, cell.rowspan, cell.colspan, cell.text))
                col += cell.colspan
        if len(taken) != n * len(self.header):
            raise ValueError("header rows do not cover every column exactly once")
        return placed


def _cell(item: HeaderCell | str) -> HeaderCell:
    return item if isinstance(item, HeaderCell) else HeaderCell(item)


Block = Paragraph | Heading | Table


@dataclass(frozen=True)
class OfficialDocument:
    """One 公文 with the elements of 条例 art. 9 that the platform uses.

    kind: "notice" (督查通知) and "bulletin" (通报) use the ordinary format (§7); "letter"
    (提醒函 / 督办函, 文种 函) uses 信函格式 (§10.1), whose 版记 has no 印发机关和印发日期.
    issuer_suffix: "文件" to print "……文件" as the ordinary-format masthead (§7.2.3).
    reported_to: the "报：" line of the 版记 (S1.4/S1.5: vice mayor in charge, mayor).
    """

    kind: Kind
    issuer: str
    number: DocNumber
    title: str
    date: dt.date
    signature: str
    recipients: tuple[str, ...] = ()
    body: tuple[Block, ...] = ()
    attachments: tuple[str, ...] = ()
    copy_number: str | None = None
    urgency: str | None = None
    cc: tuple[str, ...] = ()
    reported_to: tuple[str, ...] = ()
    printed_by: str | None = None
    printed_date: dt.date | None = None
    note: str | None = None
    issuer_suffix: str = ""

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}, got {self.kind!r}")
        if self.copy_number is not None and not re.fullmatch(r"\d{6}", self.copy_number):
            raise ValueError(f"份号 must be six digits (§7.2.1), got {self.copy_number!r}")
        if self.urgency is not None and self.urgency not in URGENCIES:
            raise ValueError(f"紧急程度 must be 特急 or 加急 (§7.2.2), got {self.urgency!r}")
        if self.issuer_suffix not in ("", "文件"):
            raise ValueError(f"issuer_suffix is '' or '文件', got {self.issuer_suffix!r}")
        if self.is_letter and (self.printed_by or self.printed_date):
            raise ValueError("信函格式 has no 印发机关和印发日期 in its 版记 (GB/T 9704-2012 §10.1)")
        if (self.printed_by is None) != (self.printed_date is None):
            raise ValueError("印发机关 and 印发日期 go together (§7.4.3)")
        for name in ("recipients", "body", "attachments", "cc", "reported_to"):
            if not isinstance(getattr(self, name), tuple):
                object.__setattr__(self, name, tuple(getattr(self, name)))
        validate_blocks(self.body)

    @property
    def is_letter(self) -> bool:
        return self.kind == "letter"

    @property
    def masthead(self) -> str:
        """发文机关标志 text; the 信函格式 masthead never carries 文件 (§10.1)."""
        return self.issuer if self.is_letter else self.issuer + self.issuer_suffix

    @property
    def recipients_line(self) -> str:
        """主送机关, names joined by 、 and ending in a full-width colon (§7.3.2).

        When an entry is itself a list ("城乡一体化示范区、高新区管委会"), the entries are joined by
        ， so the groups read apart, as in "各县（市、区）人民政府，城乡一体化示范区、高新区管委会，市直各单位：".
        """
        if not self.recipients:
            return ""
        joiner = "，" if any("、" in r for r in self.recipients) else "、"
        return joiner.join(self.recipients) + "："

    @property
    def date_text(self) -> str:
        return format_doc_date(self.date)

    def attachment_lines(self) -> list[str]:
        """附件说明 (§7.3.3): 附件：1. 名称 — numbered only when there are several, no final punctuation."""
        names = [a.rstrip("。；;，,.") for a in self.attachments]
        if len(names) == 1:
            return [f"附件：{names[0]}"]
        return [f"{'附件：' if i == 0 else ''}{i + 1}. {name}" for i, name in enumerate(names)]

    def imprint_lines(self) -> list[tuple[str, str]]:
        """版记 lines top to bottom as (kind, text): 报, 抄送, then 印发 (§7.4; letters: §10.1).

        Each list ends in a full-width 。 (§7.4.2). The 印发 line is (印发机关, 印发日期 + 印发).
        """
        lines: list[tuple[str, str]] = []
        if self.reported_to:
            lines.append(("report", "报：" + "、".join(self.reported_to) + "。"))
        if self.cc:
            lines.append(("cc", "抄送：" + "、".join(self.cc) + "。"))
        if not self.is_letter and self.printed_by and self.printed_date:
            lines.append(("printed", self.printed_by + "\t" + format_doc_date(self.printed_date) + "印发"))
        return lines


def signature_right_indent_em(doc: OfficialDocument) -> tuple[float, float]:
    """Right indents (signature, date) in characters, per §7.3.5.1 (document to be sealed).

    The date sits four characters in from the right; the signature is centred over the date.
    """
    date_indent = 4.0
    offset = (text_width_em(doc.date_text) - text_width_em(doc.signature)) / 2
    return max(0.0, date_indent + offset), date_indent


def masthead_size_pt(text: str, *, letter: bool) -> float:
    """Font size of the 发文机关标志: as large as fits ~150 mm, at most 初号 (42 pt), letters 小初 (36 pt).

    GB/T 9704-2012 §7.2.3 leaves the size open ("醒目、美观、庄重"); fitting the width is what
    printed mastheads do.
    """
    cap = 36.0 if letter else 42.0
    fit = 150 / 25.4 * 72 / max(text_width_em(text), 1)
    return round(min(cap, fit), 1)


def validate_blocks(blocks: Sequence[Block]) -> None:
    for block in blocks:
        if not isinstance(block, Paragraph | Heading | Table):
            raise TypeError(f"body blocks are Paragraph, Heading or Table, got {type(block).__name__}")
