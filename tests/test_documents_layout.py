"""Page layout of official documents (GB/T 9704-2012), read back from the rendered PDF and .docx.

Issue #11 item 23: a signature or a date alone on the last page, a title broken to leave one
character, a table moved whole leaving the first page a third empty, dates wrapping in table
cells, no room for the seal. Each document here is made long enough to show the fault it guards
against; the letter is swept line by line across the foot of page 1 so that the body ends at
every height on the page.
"""

from __future__ import annotations

import dataclasses
import io
import itertools
import re
from datetime import date, timedelta

import pytest
from docx import Document
from docx.oxml.ns import qn

from ducha.documents import (
    DocNumber,
    HeaderCell,
    Heading,
    OfficialDocument,
    Paragraph,
    Table,
    render_docx,
    render_pdf,
)
from ducha.documents import style as st
from ducha.documents.layout import table_column_widths_mm, text_width_em, title_lines
from ducha.documents.samples import sample_letter
from ducha.rules.periods import Period
from tests.documents_helpers import TEXT_BOTTOM_MM, Text, pdf_texts

LINE_MM = st.LINE_PITCH_PT * 25.4 / 72
FILLER = "按照市政府2026年度重点工作安排，中心城区供热管网改造由我委牵头、你局配合实施，请你局加快推进。"


def letter_of(extra_lines: int) -> OfficialDocument:
    """The sample letter with a paragraph of about ``extra_lines`` lines put before its request."""
    doc = sample_letter()
    filler = (FILLER * 8)[: max(0, extra_lines * 28 - 2)]
    body = doc.body[:1] + ((Paragraph(filler),) if filler else ()) + doc.body[1:]
    return dataclasses.replace(doc, body=body)


def is_page_number(t: Text) -> bool:
    return re.fullmatch(r"— \d+ —", t.text.strip()) is not None


def closing_checks(doc: OfficialDocument, texts: list[Text]) -> None:
    """§7.3.5.1 on the rendered PDF: signature and date on one page with body text above them,
    the seal's room (its top within a line of the body, its foot clear of the 版记 and inside
    the 版心) on that page."""
    # 3号 (16 pt): not the masthead of a letter nor the 印发机关 of the 版记, which read the same
    signature = [t for t in texts if t.text.strip() == doc.signature and 15 < t.size_pt < 17]
    dated = [t for t in texts if t.text.strip() == doc.date_text]
    assert signature and dated, "no signature or date found"
    sig, when = signature[-1], dated[-1]
    assert sig.page == when.page, f"signature on page {sig.page}, date on page {when.page}"
    above = [t for t in texts if t.page == sig.page and t.bottom <= sig.top and not is_page_number(t)]
    assert above, f"the signature stands alone on page {sig.page}: no line of the body above it"
    last = max(above, key=lambda t: t.bottom)
    gap = sig.top - last.bottom
    assert LINE_MM < gap < 2.6 * LINE_MM, f"signature {gap:.1f} mm below the body, expected two lines"
    seal_foot = last.bottom + st.SEAL_TOP_BELOW_BODY_MM + st.SEAL_DIAMETER_MM
    assert seal_foot <= TEXT_BOTTOM_MM + LINE_MM / 2, f"no room for the seal: it would end at {seal_foot:.0f} mm"
    below = [t for t in texts if t.page == when.page and t.top >= when.bottom and not is_page_number(t)
             and not t.text.strip().startswith("（")]
    for t in below:
        assert t.top >= seal_foot - 2, f"{t.text!r} at {t.top:.0f} mm lies under the seal (foot {seal_foot:.0f} mm)"


@pytest.mark.parametrize("extra", range(0, 13))
def test_item_23_signature_never_alone_on_the_last_page(extra):
    """A letter whose body ends at each line of page 1 in turn: the 落款 moves with the last lines."""
    doc = letter_of(extra)
    closing_checks(doc, pdf_texts(render_pdf(doc)))


# ---------------------------------------------------------------- a long bulletin (S2.8)

def long_bulletin(city) -> OfficialDocument:
    """The monthly 通报 of a city with 40 units and 30 overdue matters: two long tables."""
    from ducha.org import demo_data as d
    from ducha.reports.bulletin import build_bulletin_document
    from ducha.reports.bulletin_data import BulletinData, OverdueMatter, UnitFigures
    from ducha.reports.rates import RateRow
    from ducha.rules.rates import Rate
    from ducha.rules.reporting import ReportCounts

    def rates(i: int) -> RateRow:
        return RateRow(None, Rate(10, 10 - i % 4, ()), Rate(6, 6 - i % 3, ()), Rate(2, 2 - i % 2, ()))

    names = [n for _, n, _ in d.DEPARTMENTS + d.COUNTIES + d.ZONES]
    units = [UnitFigures(i, names[i % len(names)], 10 + i % 7, 5, i % 4, rates(i),
                         ReportCounts(on_time=3, late=1, missing=i % 2)) for i in range(40)]
    overdue = [OverdueMatter(f"DB2026-{i:04d}", "城市更新片区改造及老旧小区配套基础设施提升工程" if i % 3 == 0
                             else "营商环境评价整改", names[i % len(names)], date(2026, 3, 30) + timedelta(days=i))
               for i in range(30)]
    data = BulletinData(
        period=Period.parse("2026-08"), today=date(2026, 9, 5), as_of=date(2026, 8, 31), total=120, completed=40,
        overdue=30, by_source=[], overall=rates(1), units=units, laggards=units[:5], commended=units[-3:],
        overdue_matters=overdue, reports=ReportCounts(on_time=50, late=4, missing=3))
    return build_bulletin_document(data, "宛督〔2026〕9号", date(2026, 9, 5))


def test_item_23_long_bulletin_keeps_headings_closing_and_table_headers(city):
    doc = long_bulletin(city)
    texts = pdf_texts(render_pdf(doc))
    pages = max(t.page for t in texts)
    assert pages >= 4
    closing_checks(doc, texts)
    standalone = {b.label + b.text for b in doc.body if isinstance(b, Heading) and not b.tail}
    for page in range(1, pages):
        foot = max((t for t in texts if t.page == page and not is_page_number(t)), key=lambda t: t.bottom)
        assert foot.text.strip() not in standalone, f"heading {foot.text!r} alone at the foot of page {page}"
    # Each table repeats its header on every page it runs onto (table text is 10.5 pt).
    cells = [t for t in texts if abs(t.size_pt - 10.5) < 0.6]
    for header, row in (("整改率", r"\d+\.\d%"), ("事项编号", r"DB2026-\d{4}")):
        header_on = {t.page for t in cells if header in t.text}
        rows_on = {t.page for t in cells if re.search(row, t.text)}
        assert len(rows_on) >= 2, f"the {header} table fits one page: the test needs it longer"
        assert header_on == rows_on, f"{header}: header on pages {sorted(header_on)}, rows on {sorted(rows_on)}"


def test_item_23_dates_in_table_cells_do_not_wrap(city):
    doc = long_bulletin(city)
    texts = pdf_texts(render_pdf(doc))
    table = [b for b in doc.body if isinstance(b, Table)][-1]
    # pdftohtml joins the cells of one line into one text run: a date is whole when some run holds it.
    lines = [t.text for t in texts]
    broken = [row[-1] for row in table.rows if not any(row[-1] in line for line in lines)]
    assert not broken, f"dates broken across lines: {broken[:3]}"
    # Short headers stay on one line too (承办事项, not 承办事 / 项).
    for header in ("承办事项", "完成时限", "事项编号"):
        assert any(header in line for line in lines), header


LONG_TITLE = "中心城区供热管网改造及老旧小区配套基础设施提升工程（含二次供水设施改造）"


def notice_with_table(rows: int, intro_lines: int) -> OfficialDocument:
    """A 督查通知 whose list of late matters follows an introduction of about ``intro_lines`` lines
    (S2.4), with the demo city's key-work titles and both grounds of being late; the first
    matter has a long title and both grounds, so its row is tall."""
    from ducha.matters.demo import KEY_WORK

    table = Table(
        caption="市发展和改革委员会进度滞后事项清单",
        header=((HeaderCell("序号", rowspan=2), HeaderCell("编号", rowspan=2), HeaderCell("督查事项", rowspan=2),
                 HeaderCell("完成时限", rowspan=2), HeaderCell("进度对比", colspan=2),
                 HeaderCell("滞后情形", rowspan=2)),
                ("完成进度", "时间进度")),
        rows=tuple((str(i), f"DB2026-{i:04d}", LONG_TITLE if i == 1 else KEY_WORK[i % len(KEY_WORK)][1],
                    f"2026年12月{10 + i}日", "5%", "72.4%",
                    "完成进度低于时间进度" + ("；时间节点“完成施工招标”（6月30日）未完成" if i % 3 == 1 else ""))
                   for i in range(1, rows + 1)),
        column_widths=(0.8, 2.0, 3.8, 2.2, 1.4, 1.4, 3.4), font_size_pt=10.5)
    intro = ("根据2026年重点工作督查台账9月对账情况，截至2026年9月30日，你单位牵头的重点工作未按时间节点"
             "和标准要求推进。" * 6)[: max(26, intro_lines * 28 - 2)]
    return OfficialDocument(
        kind="notice", issuer="南阳市人民政府督查室", issuer_suffix="文件", number=DocNumber("宛督", 2026, 12),
        title="关于市发展和改革委员会2026年重点工作进度滞后问题的督查通知", recipients=("市发展和改革委员会",),
        body=(Paragraph(intro), Heading(1, "滞后事项", number=1), Paragraph("滞后事项见下表。"), table,
              Heading(1, "整改要求", number=2),
              Paragraph("请于2026年10月15日前将整改措施和进展情况书面报送市政府督查室。")),
        signature="南阳市人民政府督查室", date=date(2026, 9, 30), reported_to=("副市长李志强",),
        printed_by="南阳市人民政府督查室", printed_date=date(2026, 9, 30))


# What a table needs to start on a page: its caption, its two header rows and two lines of its
# first row (markup.py: a caption line and a half, 2 mm, then rows of 1.5-line 10.5 pt text with
# 2.4 mm of padding and rules; a row of four lines or more may split after two).
CELL_LINE_MM = 10.5 * 1.5 * 25.4 / 72
TABLE_START_MM = 1.5 * LINE_MM + 2 + 2 * (CELL_LINE_MM + 2.4) + (2 * CELL_LINE_MM + 2.4)


@pytest.mark.parametrize("intro_lines", range(0, 9))
def test_item_23_a_table_splits_with_its_header_instead_of_moving_whole(intro_lines):
    """The 督查通知's table starts below the introduction whenever its caption, header and two
    lines of its first row fit there, so page 1 is never left a fifth empty or more; each page
    of the table carries its header."""
    doc = notice_with_table(6, intro_lines)
    texts = pdf_texts(render_pdf(doc))
    bottom = max(t.bottom for t in texts if t.page == 1 and not is_page_number(t))
    rows_on = sorted({t.page for t in texts if re.search(r"DB2026-\d{4}", t.text)})
    if rows_on[0] != 1:
        assert TEXT_BOTTOM_MM - bottom < TABLE_START_MM + 1, (
            f"the table moved whole to page {rows_on[0]}, leaving {TEXT_BOTTOM_MM - bottom:.0f} mm empty on page 1")
    headers_on = sorted({t.page for t in texts if "督查事项" in t.text})
    assert headers_on == sorted({t.page for t in texts if abs(t.size_pt - 10.5) < 0.6}), "a page of the table without its header"
    closing_checks(doc, texts)


# ---------------------------------------------------------------- titles (§7.3.1)

def period_titles() -> list[str]:
    from ducha.reports.bulletin import bulletin_title

    keys = [f"2026-{m:02d}" for m in range(1, 13)] + [f"2026-Q{q}" for q in range(1, 5)] + ["2026-H1", "2026-H2"]
    return [bulletin_title(Period.parse(k)) for k in keys]


def notice_titles() -> list[str]:
    from ducha.org import demo_data as d

    return [f"关于{name}2026年重点工作进度滞后问题的督查通知" for _, name, _ in d.DEPARTMENTS + d.COUNTIES + d.ZONES]


def test_item_23_titles_break_by_meaning_never_leaving_a_character_alone():
    for title in period_titles() + notice_titles():
        lines = title_lines(title)
        assert "".join(lines) == title
        assert all(3 <= text_width_em(line) <= 20 for line in lines), lines
        assert not any(re.search(r"\d$", a) and re.match(r"[年月]", b) for a, b in itertools.pairwise(lines))
    assert title_lines("关于2026年第三季度全市督查督办工作情况的通报") == ["关于2026年第三季度全市", "督查督办工作情况的通报"]
    assert title_lines("关于加快推进“城市更新片区改造”配合工作的提醒函") == [
        "关于加快推进“城市更新片区改造”", "配合工作的提醒函"]


@pytest.mark.parametrize("title", period_titles()[9:12] + period_titles()[12:13] + notice_titles()[:2])
def test_item_23_the_pdf_breaks_titles_where_the_layout_says(title):
    """The renderer never re-wraps a title line (the fault was "…情况的通 / 报")."""
    doc = dataclasses.replace(sample_letter(), title=title, body=(Paragraph("特此函告。"),))
    texts = pdf_texts(render_pdf(doc))
    printed = [t.text.strip() for t in texts if t.page == 1 and abs(t.size_pt - st.TITLE_PT) < 1]
    assert printed == title_lines(title)


# ---------------------------------------------------------------- the .docx

def test_item_23_docx_keeps_the_closing_with_the_body_and_sizes_table_columns(city):
    doc = long_bulletin(city)
    d = Document(io.BytesIO(render_docx(doc)))
    assert d.styles["Normal"].paragraph_format.widow_control is True
    pars = d.paragraphs
    texts = [p.text for p in pars]
    sig = texts.index(doc.signature)
    assert pars[sig].paragraph_format.keep_with_next is True  # signature with the date
    last_body = max(i for i, t in enumerate(texts[:sig]) if t.strip())
    assert pars[last_body].paragraph_format.keep_with_next is True  # the body's last lines with the signature
    for block in doc.body:
        if isinstance(block, Heading) and not block.tail:
            par = pars[texts.index(block.label + block.text)]
            assert par.paragraph_format.keep_with_next is True, block.text
    # Table columns as layout.py sizes them: the date column holds a whole date on one line.
    table = [b for b in doc.body if isinstance(b, Table)][-1]
    grid = d.tables[1]._tbl.find(qn("w:tblGrid"))
    widths_mm = [int(col.get(qn("w:w"))) / 20 * 25.4 / 72 for col in grid]
    expected = table_column_widths_mm(table, st.TEXT_WIDTH_MM)
    assert widths_mm == pytest.approx(expected, abs=0.2)
    longest = max(text_width_em(row[-1]) for row in table.rows) * table.font_size_pt * 25.4 / 72
    assert widths_mm[-1] >= longest + 2
    # Space after the date keeps the seal's foot clear of the 版记.
    after = pars[sig + 1].paragraph_format.space_after
    seal_below_date = st.mm_to_pt(st.SEAL_TOP_BELOW_BODY_MM + st.SEAL_DIAMETER_MM) - 4 * st.LINE_PITCH_PT
    assert after is not None and after.pt == pytest.approx(seal_below_date, abs=0.5)
