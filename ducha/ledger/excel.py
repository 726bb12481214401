"""The Excel 台账 as units know it from paper: layout, and export with XlsxWriter.

Layout (official-documents.md §10): a merged title row, then two header rows where a group
("任务来源", "考核目标", "办理情况") spans its sub-columns and every other header spans both
rows; panes frozen below the headers, the header rows repeated on each printed page, A4
landscape fitted to the page width, dates as real dates shown as 2026年6月30日, the 状态
column filled red / yellow / green.

The layout comes from XlsxWriter; the data rows are streamed into it by ``xlsxstream``
(about 1 µs a cell instead of XlsxWriter's 15), in constant memory: 100,000 matters are
read from the database in chunks and written straight into the zip. Every user-typed text
is an inline string, never a formula, and text starting with = + - @ TAB CR also gets
Excel's quote prefix, so it stays text when someone edits the cell later (CSV injection,
OWASP).
"""

from __future__ import annotations

import io
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import IO, Any

import xlsxwriter
from django.db import transaction
from django.db.models import OuterRef, Subquery

from ducha.ledger.cutoff import ledger_matters
from ducha.ledger.xlsxstream import (
    DATE,
    NUMBER,
    QUOTED_TEXT,
    TEXT,
    ColumnSpec,
    column_names,
    rows_xml,
    splice_rows,
    xf_index,
)
from ducha.matters.models import CoUnitPart, Matter, Source
from ducha.org.models import LeaderPost, Unit, User
from ducha.reports.models import ReportItem
from ducha.rules.ledger import LEDGER_STATUS_ZH, ledger_status

# The Chinese names the paper ledger uses for each source (the model's labels follow the UI language).
SOURCE_ZH: dict[str, str] = {
    Source.KEY_WORK: "清单事项",
    Source.MEETING: "会议议定事项",
    Source.INSTRUCTION: "领导批示",
    Source.ASSIGNED: "交办事项",
    Source.NPC_SUGGESTION: "人大代表建议",
    Source.CPPCC_PROPOSAL: "政协提案",
    Source.TV_QUESTIONING: "电视问政",
    Source.UNIT_REQUEST: "报请市政府事项",
}
SOURCE_BY_ZH = {zh: key for key, zh in SOURCE_ZH.items()}
# The sources a ledger row may bring in (报请市政府事项 are registered in the platform, S1.5).
IMPORTED_SOURCES = tuple(zh for key, zh in SOURCE_ZH.items() if key != Source.UNIT_REQUEST)

DATE_FORMAT = 'yyyy"年"m"月"d"日"'
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
TRIGGER_CHARS = frozenset(FORMULA_TRIGGERS)
CO_UNIT_SEPARATOR = "、"


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    group: str = ""
    width: float = 12
    kind: str = "text"  # text | wrap | date | number | int | status


COLUMNS: tuple[Column, ...] = (
    Column("index", "序号", width=6, kind="int"),
    Column("number", "编号", width=13),
    Column("title", "督查事项", width=28, kind="wrap"),
    Column("source", "来源类别", "任务来源", width=11),
    Column("source_ref", "文号或会议", "任务来源", width=16, kind="wrap"),
    Column("lead_unit", "牵头单位", width=16, kind="wrap"),
    Column("co_units", "配合单位", width=16, kind="wrap"),
    Column("leader", "责任领导", width=10),
    Column("goal", "工作目标", width=30, kind="wrap"),
    Column("target_quantity", "定量目标", "考核目标", width=10, kind="number"),
    Column("target_unit", "计量单位", "考核目标", width=8),
    Column("qualitative_standard", "定性标准", "考核目标", width=20, kind="wrap"),
    Column("start_date", "起始日期", width=14, kind="date"),
    Column("due_date", "完成时限", width=14, kind="date"),
    Column("progress_text", "进展情况", "办理情况", width=24, kind="wrap"),
    Column("progress", "完成进度(%)", "办理情况", width=9, kind="int"),
    Column("status", "状态", "办理情况", width=9, kind="status"),
    Column("remark", "备注", width=18, kind="wrap"),
    # 暂定: the due date was counted over a year the State Council has not announced yet. Last,
    # so the columns people know from the paper ledger keep their places.
    Column("due_provisional", "时限暂定", width=8),
)
HEADER_ROWS = 3  # title, group headers, sub-headers; data starts on the 4th row
MAX_ROWS = 1_048_576  # Excel's last row: validation and colours cover rows users add by hand too
STATUS_FILLS = {"completed": "#C6EFCE", "in_progress": "#FFEB9C", "overdue": "#FFC7CE", "not_started": "#FFFFFF",
                "suspended": "#D9D9D9"}


def ledger_title(year: int) -> str:
    return f"{year}年重点工作督查台账"


def _fmt_quantity(value: Decimal | None) -> float | None:
    return float(value) if value is not None else None


def _progress_text(done: str | None, achieved: Decimal | None, target_unit: str, last_on: date | None,
                   status: str) -> str:
    """进展情况: what the lead unit's latest report line says was done, then the figures behind it
    (the quantity achieved, the day of the update, a pending completion claim)."""
    facts = []
    if achieved is not None:
        facts.append(f"已完成{achieved.normalize():f}{target_unit}")
    if last_on is not None:
        facts.append(f"{last_on.year}年{last_on.month}月{last_on.day}日更新")
    if status == "claimed":
        facts.append("已申请销号")
    text = (done or "").strip()
    if text and facts:
        return f"{text}\n（{'，'.join(facts)}）"
    return text or "，".join(facts)


def latest_report_text() -> Subquery:
    """The 本月工作完成情况 of the matter's latest report line from its lead unit (co-units'
    lines speak for their parts)."""
    return Subquery(ReportItem.objects.filter(matter_id=OuterRef("id"), co_part__isnull=True).order_by(
        "-report__year", "-report__month").values("done")[:1])


def ledger_rows(matters: Any, today: date) -> Iterator[tuple[Any, ...]]:
    """One tuple per matter of the ``matters`` queryset, values in COLUMNS order."""
    units = dict(Unit.objects.values_list("id", "name"))
    leaders = dict(User.objects.filter(leader_post__isnull=False).values_list("id", "name"))
    co: dict[int, list[int]] = defaultdict(list)
    for mid, uid in CoUnitPart.objects.filter(matter__in=matters.values("id")).order_by("matter_id", "id").values_list(
        "matter_id", "unit_id"
    ).iterator(chunk_size=10000):
        co[mid].append(uid)
    rows = matters.annotate(report_text=latest_report_text()).order_by("id").values_list(
        "id", "number", "title", "source", "source_ref", "lead_unit_id", "responsible_leader_id", "goal",
        "target_quantity", "target_unit", "qualitative_standard", "start_date", "due_date", "progress", "status",
        "achieved_quantity", "last_progress_on", "completed_on", "instruction_text", "due_provisional", "report_text",
    )
    for i, r in enumerate(rows.iterator(chunk_size=2000), start=1):
        (mid, number, title, source, source_ref, lead, leader, goal, target, target_unit, qualitative, start, due,
         progress, status, achieved, last_on, completed_on, instruction, due_provisional, report_text) = r
        yield (
            i, number, title, SOURCE_ZH.get(source, source), source_ref, units.get(lead, ""),
            CO_UNIT_SEPARATOR.join(units.get(u, "") for u in co.get(mid, ())), leaders.get(leader, ""), goal,
            _fmt_quantity(target), target_unit, qualitative, start, due,
            _progress_text(report_text, achieved, target_unit, last_on, status), progress,
            LEDGER_STATUS_ZH[ledger_status(status, progress=progress, due=due, completed_on=completed_on, today=today)],
            instruction if source == Source.INSTRUCTION else ("时限待确认" if due is None else ""),
            "暂定" if due_provisional and due is not None else "",
        )


@dataclass(frozen=True)
class LedgerChoices:
    """The names the template's dropdowns offer besides 来源类别 and 状态 (from the database)."""

    units: Sequence[str] = ()
    leaders: Sequence[str] = ()


def ledger_choices() -> LedgerChoices:
    units = list(Unit.objects.filter(is_active=True).values_list("name", flat=True))
    leaders = list(dict.fromkeys(LeaderPost.objects.values_list("person__name", flat=True)))
    return LedgerChoices(units, leaders)


CHOICES_SHEET = "选项"


def _add_dropdowns(wb: Any, ws: Any, choices: LedgerChoices) -> None:
    """Dropdowns (data validation lists) for 来源类别, 牵头单位, 配合单位 and 责任领导 (状态 has its own).

    Units and leaders are too many for a list written into the rule (Excel's limit is 255
    characters), so these lists are columns of a hidden sheet. A 来源类别 outside the list is
    refused by Excel as by the import; a unit or leader outside it is only warned about (the
    import also takes a unit's short name), and 配合单位 merely offers the names, a cell
    holding several of them (市财政局、市教育局).
    """
    lists = [("来源类别", list(IMPORTED_SOURCES)), ("单位", list(choices.units)), ("市领导", list(choices.leaders))]
    sheet = wb.add_worksheet(CHOICES_SHEET)
    ranges = {}
    for col, (header, names) in enumerate(lists):
        sheet.write_string(0, col, header)
        for row, name in enumerate(names, start=1):
            sheet.write_string(row, col, name)
        letter = column_names(col + 1)[-1]
        ranges[header] = f"='{CHOICES_SHEET}'!${letter}$2:${letter}${len(names) + 1}" if names else ""
    sheet.hide()
    rules = {"source": ("来源类别", "stop"), "lead_unit": ("单位", "warning"), "co_units": ("单位", "information"),
             "leader": ("市领导", "warning")}
    for i, c in enumerate(COLUMNS):
        if c.key in rules and ranges[rules[c.key][0]]:
            ws.data_validation(HEADER_ROWS, i, MAX_ROWS - 1, i, {
                "validate": "list", "source": ranges[rules[c.key][0]], "ignore_blank": True,
                "error_type": rules[c.key][1], "error_title": c.header,
                "error_message": f"请从下拉列表中选择{c.header}",
            })


def _write_headers(ws: Any, head_fmt: Any) -> None:
    """Row 2: groups spanning their sub-columns, other headers spanning rows 2–3; row 3: sub-headers."""
    spans: list[tuple[int, int, str]] = []  # (first column, last column, group)
    for i, c in enumerate(COLUMNS):
        if c.group and spans and spans[-1][2] == c.group and spans[-1][1] == i - 1:
            spans[-1] = (spans[-1][0], i, c.group)
        elif c.group:
            spans.append((i, i, c.group))
    for first, last, group in spans:
        ws.merge_range(1, first, 1, last, group, head_fmt)
    for i, c in enumerate(COLUMNS):
        if c.group:
            ws.write_string(2, i, c.header, head_fmt)
        else:
            ws.merge_range(1, i, 2, i, c.header, head_fmt)


def _layout(year: int, choices: LedgerChoices) -> tuple[bytes, dict[str, int]]:
    """The workbook without data rows, and the style index of each kind of data cell."""
    buffer = io.BytesIO()
    wb = xlsxwriter.Workbook(buffer, {"in_memory": True})
    ws = wb.add_worksheet(f"{year}年台账")
    base = {"font_name": "宋体", "font_size": 10, "border": 1, "valign": "vcenter"}
    title_fmt = wb.add_format({"font_name": "黑体", "font_size": 18, "bold": True, "align": "center",
                               "valign": "vcenter"})
    head_fmt = wb.add_format({**base, "font_name": "黑体", "bold": True, "align": "center", "text_wrap": True,
                              "bg_color": "#D9E1F2"})
    formats = {
        "text": wb.add_format(base),
        "wrap": wb.add_format({**base, "text_wrap": True}),
        "text!": wb.add_format({**base, "quote_prefix": True}),
        "wrap!": wb.add_format({**base, "text_wrap": True, "quote_prefix": True}),
        "date": wb.add_format({**base, "num_format": DATE_FORMAT, "align": "center"}),
        "number": wb.add_format(base),  # General: 12 and 12.5, never "12."
        "int": wb.add_format({**base, "align": "center", "num_format": "0"}),
        "status": wb.add_format({**base, "align": "center"}),
    }
    last_col = len(COLUMNS) - 1
    ws.set_row(0, 36)
    ws.merge_range(0, 0, 0, last_col, ledger_title(year), title_fmt)
    ws.set_row(1, 22)
    ws.set_row(2, 30)
    _write_headers(ws, head_fmt)
    for i, c in enumerate(COLUMNS):
        # The column's own format too, so a row a user adds by hand looks like the others.
        ws.set_column(i, i, c.width, formats["wrap" if c.kind == "wrap" else c.kind if c.kind in formats else "text"])
    ws.freeze_panes(HEADER_ROWS, 3)
    ws.repeat_rows(1, 2)
    ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.fit_to_pages(1, 0)
    ws.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
    ws.set_footer("&C第 &P 页，共 &N 页")
    status_col = next(i for i, c in enumerate(COLUMNS) if c.kind == "status")
    area = (HEADER_ROWS, status_col, MAX_ROWS - 1, status_col)
    ws.data_validation(*area, {"validate": "list", "source": list(LEDGER_STATUS_ZH.values()), "ignore_blank": True})
    _add_dropdowns(wb, ws, choices)
    for key, colour in STATUS_FILLS.items():
        ws.conditional_format(*area, {"type": "cell", "criteria": "==", "value": f'"{LEDGER_STATUS_ZH[key]}"',  # type: ignore[index]
                                      "format": wb.add_format({"bg_color": colour})})
    styles = {key: xf_index(f) for key, f in formats.items()}
    wb.close()
    return buffer.getvalue(), styles


def _column_specs(styles: dict[str, int]) -> list[ColumnSpec]:
    letters = column_names(len(COLUMNS))
    specs = []
    for letter, c in zip(letters, COLUMNS, strict=True):
        if c.kind in ("text", "wrap"):
            specs.append(ColumnSpec(letter, QUOTED_TEXT, styles[c.kind], styles[c.kind + "!"], TRIGGER_CHARS))
        elif c.kind == "status":
            specs.append(ColumnSpec(letter, TEXT, styles["status"]))
        elif c.kind == "date":
            specs.append(ColumnSpec(letter, DATE, styles["date"]))
        else:
            specs.append(ColumnSpec(letter, NUMBER, styles[c.kind]))
    return specs


def write_ledger(target: str | IO[bytes], year: int, rows: Iterable[Sequence[Any]], count: int,
                 choices: LedgerChoices | None = None) -> int:
    """Write the ledger workbook to ``target`` (a path or a binary file); returns the data row count.

    ``count`` is how many rows there will be: the sheet's <dimension> precedes them. Every
    user-typed text is an inline string (never a formula), and text starting with
    = + - @ TAB CR also carries Excel's quote prefix, so it stays text when edited later.
    ``choices`` fill the unit and leader dropdowns (``ledger_choices()``).
    """
    layout, styles = _layout(year, choices or LedgerChoices())
    counter: list[int] = []
    splice_rows(layout, target, rows_xml(rows, _column_specs(styles), HEADER_ROWS + 1, counter),
                last_row=HEADER_ROWS + max(count, 0) - 1, last_col=len(COLUMNS) - 1)
    return counter[0]


def export_ledger(target: str | IO[bytes], *, year: int, matters: Any, today: date) -> int:
    """Export ``matters`` (a Matter queryset, already limited to what the caller may see): the
    year's own and those the previous year's close carried over into it (S2.4)."""
    selected = matters.filter(ledger_matters(year))
    with transaction.atomic():  # the count and the rows from one snapshot where the database gives one
        return write_ledger(target, year, ledger_rows(selected, today), selected.count(), ledger_choices())


def all_matters() -> Any:
    return Matter.objects.all()
