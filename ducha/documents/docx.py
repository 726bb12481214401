"""Render an OfficialDocument as a Word file in the GB/T 9704-2012 layout (python-docx).

Why raw OOXML in places: python-docx 1.2 writes only the ascii/hAnsi slots of ``w:rFonts`` (Word
would then show Chinese in its default East-Asian font), and has no API for the document grid,
paragraph borders, floating tables or PAGE fields. Those are set on the XML directly.

Approximations (Word flows text, it does not place it absolutely):
- ordinary format (§7.2): the masthead's top edge is placed 35 mm below the 版心 top with
  paragraph spacing; the red separator is the bottom border of the 发文字号 paragraph.
- 信函格式 (§10.1): masthead, upper double rule (thick over thin) and the 份号/发文字号 line live
  in the first-page header; the lower double rule (thin over thick) is the first-page footer's
  border 20 mm above the page edge. Both rules are paragraph borders widened to 170 mm by
  negative indents.
- 版记 (§7.4): a floating table anchored to the bottom of the last page's text block; it is not
  forced onto an even page.
- 22 × 28 grid (§5.2.3): a line grid (docGrid linePitch 579) with exact 28.95 pt line spacing;
  instead of a character grid (LibreOffice mis-renders Word's linesAndChars grid) 3号 runs are
  condensed by 0.25 pt, which puts 28 characters on a 156 mm line.
"""

from __future__ import annotations

from io import BytesIO
from typing import Any

from docx import Document as new_document
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_ROW_HEIGHT_RULE, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from . import ooxml as ox
from . import style as st
from .layout import SPLITTABLE_ROW_LINES, row_lines, table_column_widths_mm
from .model import (
    Heading,
    OfficialDocument,
    Paragraph,
    Table,
    masthead_size_pt,
    signature_right_indent_em,
    title_lines,
)

Par = Any  # a docx.text.paragraph.Paragraph; its private _p element is edited, which the stubs hide
LINE = st.LINE_PITCH_PT


def render_docx(doc: OfficialDocument) -> bytes:
    """The .docx bytes of ``doc``: A4, 37/35/28/26 mm margins, 22 lines, 3号仿宋 body (§5, §6)."""
    d = new_document()
    _defaults(d)
    section = d.sections[0]
    _page_setup(section)
    d.settings.odd_and_even_pages_header_footer = True
    _page_number(section.footer.paragraphs[0], odd=True)  # §7.5: odd pages right …
    _page_number(section.even_page_footer.paragraphs[0], odd=False)  # … even pages left
    if doc.is_letter:
        _letter_first_page(section, doc)
    else:
        _ordinary_head(d, doc)
    _title_and_body(d, doc)
    _closing(d, doc)
    _imprint(d, doc)
    out = BytesIO()
    d.save(out)
    return out.getvalue()


# ---------------------------------------------------------------- low-level helpers

def _run(par: Par, text: str, role: str = "fang", size: float = st.BODY_PT,
         bold: bool = False, red: bool = False) -> Any:
    run = par.add_run(text)
    ox.set_fonts(run._r.get_or_add_rPr(), st.DOCX_FONTS[role])
    run.font.size = Pt(size)
    run.font.bold = bold or None
    if red:
        run.font.color.rgb = RGBColor.from_string(st.RED_HEX)
    if size == st.BODY_PT:  # §5.2.3: condense 3号 a little so 28 characters fill the 156 mm line
        ox.char_spacing(run, st.BODY_TRACKING_PT)
    return run


def _fmt(par: Par, *, align: Any = None, line: float | None = LINE, before: float = 0.0,
         first_chars: float = 0.0, left_chars: float = 0.0, right_chars: float = 0.0,
         char_pt: float = st.BODY_PT, grid: bool = True) -> Par:
    """Paragraph format; indents in characters so Word keeps them on the 28-character grid."""
    pf = par.paragraph_format
    if align is not None:
        pf.alignment = align
    pf.space_before = Pt(before)
    pf.space_after = Pt(0)
    if line is None:
        pf.line_spacing_rule = WD_LINE_SPACING.SINGLE
    else:
        pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        pf.line_spacing = Pt(line)
    if first_chars or left_chars or right_chars:
        ind = par._p.get_or_add_pPr().get_or_add_ind()
        for name, chars in (("firstLine", first_chars), ("left", left_chars), ("right", right_chars)):
            if chars > 0:
                ind.set(qn(f"w:{name}"), str(round(chars * char_pt * 20)))
                ind.set(qn(f"w:{name}Chars"), str(round(chars * 100)))
            elif chars < 0 and name == "firstLine":
                ind.set(qn("w:hanging"), str(round(-chars * char_pt * 20)))
                ind.set(qn("w:hangingChars"), str(round(-chars * 100)))
    if not grid:
        ox.append_ppr(par, "w:snapToGrid", val="0")
    return par


def _defaults(d: Any) -> None:
    """Document defaults: 3号 仿宋_GB2312 in every font slot (a theme font would win otherwise)."""
    rpr = d.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    ox.set_fonts(rpr, st.DOCX_FONTS["fang"])
    for tag in ("w:sz", "w:szCs"):  # 3号 by default, so empty lines have the body's height
        rpr.find(qn(tag)).set(qn("w:val"), str(round(st.BODY_PT * 2)))
    ppr = d.styles.element.find(qn("w:docDefaults")).find(qn("w:pPrDefault")).find(qn("w:pPr"))
    ppr[0].set(qn("w:after"), "0")
    # No automatic space between Chinese and digits: "2026年3月30日" keeps the width the layout
    # measured (layout.py), so dates and title lines do not wrap where the PDF does not.
    normal_ppr = d.styles["Normal"].element.get_or_add_pPr()
    for target in (ppr, normal_ppr):  # the defaults for Word, the Normal style for LibreOffice
        for tag in ("w:autoSpaceDE", "w:autoSpaceDN"):
            target.insert_element_before(ox.element(tag, val="0"), "w:spacing", "w:ind", "w:jc", "w:rPr")
    normal = d.styles["Normal"]
    normal.font.size = Pt(st.BODY_PT)
    ox.set_fonts(normal.element.get_or_add_rPr(), st.DOCX_FONTS["fang"])
    normal.paragraph_format.space_after = Pt(0)
    normal.paragraph_format.widow_control = True  # never one line of a paragraph alone on a page


def _page_setup(section: Any) -> None:
    """§5.2: A4, 天头 37 mm, 订口 28 mm; §5.2.3: 22 lines per page as a document line grid."""
    section.page_width, section.page_height = Mm(st.PAGE_WIDTH_MM), Mm(st.PAGE_HEIGHT_MM)
    section.top_margin, section.bottom_margin = Mm(st.MARGIN_TOP_MM), Mm(st.MARGIN_BOTTOM_MM)
    section.left_margin, section.right_margin = Mm(st.MARGIN_LEFT_MM), Mm(st.MARGIN_RIGHT_MM)
    section.header_distance = Mm(15)
    # §7.5: the dash of the page number 7 mm below the 版心 → a 4号 line centred ~28 mm above the edge.
    section.footer_distance = Mm(st.MARGIN_BOTTOM_MM - st.PAGE_NUMBER_GAP_MM - 3)
    grid = section._sectPr.find(qn("w:docGrid"))
    if grid is None:
        grid = OxmlElement("w:docGrid")
        section._sectPr.append(grid)
    grid.set(qn("w:type"), "lines")
    grid.set(qn("w:linePitch"), str(st.LINE_PITCH_TWIPS))


def _page_number(par: Par, *, odd: bool) -> None:
    """§7.5: "— n —", 4号 半角宋体, one character in from the right (odd) or the left (even)."""
    align = WD_ALIGN_PARAGRAPH.RIGHT if odd else WD_ALIGN_PARAGRAPH.LEFT
    side = {"right_chars": 1.0} if odd else {"left_chars": 1.0}
    _fmt(par, align=align, line=st.PAGE_NUMBER_PT * 1.2, char_pt=st.PAGE_NUMBER_PT, grid=False, **side)
    _run(par, "— ", "song", st.PAGE_NUMBER_PT)
    ox.page_field(lambda text: _run(par, text, "song", st.PAGE_NUMBER_PT))
    _run(par, " —", "song", st.PAGE_NUMBER_PT)


# ---------------------------------------------------------------- 版头

def _ordinary_head(d: Any, doc: OfficialDocument) -> None:
    """§7.2: 份号, 紧急程度, red masthead 35 mm below the 版心 top, 发文字号, red separator."""
    above = [t for t in (doc.copy_number, doc.urgency) if t]
    for text in above:
        par = _fmt(d.add_paragraph(), align=WD_ALIGN_PARAGRAPH.LEFT)
        _run(par, text, "hei" if text == doc.urgency else "fang")
    size = masthead_size_pt(doc.masthead, letter=False)
    line = size * 1.15
    before = max(0.0, st.mm_to_pt(st.MASTHEAD_OFFSET_MM) - len(above) * LINE - (line - size) / 2)
    par = _fmt(d.add_paragraph(), align=WD_ALIGN_PARAGRAPH.CENTER, line=line, before=before, grid=False)
    _run(par, doc.masthead, "xbs", size, red=True)
    # 发文字号 two blank lines below the masthead; separator 4 mm below it, as wide as the 版心.
    par = _fmt(d.add_paragraph(), align=WD_ALIGN_PARAGRAPH.CENTER, before=2 * LINE)
    _run(par, str(doc.number))
    ox.paragraph_border(par, "bottom", "single", 12, 4, st.RED_HEX)


def _letter_first_page(section: Any, doc: OfficialDocument) -> None:
    """§10.1 信函格式: masthead 30 mm from the page top, double rules, 字号 flush right, no page number."""
    section.different_first_page_header_footer = True
    size = masthead_size_pt(doc.masthead, letter=True)
    line = size * 1.15
    section.header_distance = Mm(st.LETTER_MASTHEAD_TOP_MM) - Pt((line - size) / 2)
    header = section.first_page_header
    widen = -(st.LETTER_RULE_LENGTH_MM - st.TEXT_WIDTH_MM) / 2
    par = _fmt(header.paragraphs[0], align=WD_ALIGN_PARAGRAPH.CENTER, line=line, grid=False)
    par.paragraph_format.left_indent = par.paragraph_format.right_indent = Mm(widen)
    _run(par, doc.masthead, "xbs", size, red=True)
    ox.paragraph_border(par, "bottom", "thickThinSmallGap", 24, 11, st.RED_HEX)  # §10.1: 4 mm below, thick over thin
    # 份号 (left) and 发文字号 (flush right) under the rule, 7/8 of a 3号 character below it.
    left = [t for t in (doc.copy_number, doc.urgency) if t]
    par = _fmt(header.add_paragraph(), before=st.BODY_PT * 7 / 8)
    par.paragraph_format.tab_stops.add_tab_stop(Mm(st.TEXT_WIDTH_MM), WD_TAB_ALIGNMENT.RIGHT)
    _run(par, (left[0] if left else "") + "\t" + str(doc.number))
    for text in left[1:]:
        _run(_fmt(header.add_paragraph()), text, "hei")
    footer = section.first_page_footer
    section.footer_distance = Mm(st.LETTER_BOTTOM_RULE_MM)
    par = _fmt(footer.paragraphs[0], line=1, grid=False)
    par.paragraph_format.left_indent = par.paragraph_format.right_indent = Mm(widen)
    ox.paragraph_border(par, "bottom", "thinThickSmallGap", 24, 0, st.RED_HEX)  # §10.1: thin over thick, 20 mm above the edge
    _run(par, "", "fang", 1)


# ---------------------------------------------------------------- 主体

def _title_and_body(d: Any, doc: OfficialDocument) -> None:
    """§7.3.1 title (2号小标宋, two lines below the separator); §7.3.2 主送; §7.3.3 正文."""
    par = _fmt(d.add_paragraph(), align=WD_ALIGN_PARAGRAPH.CENTER, line=st.TITLE_PT * 1.5,
               before=(1 if doc.is_letter else 2) * LINE, grid=False)
    for i, line in enumerate(title_lines(doc.title)):
        if i:
            _run(par, "", "xbs", st.TITLE_PT).add_break()
        _run(par, line, "xbs", st.TITLE_PT)
    if doc.recipients_line:
        _run(_fmt(d.add_paragraph(), align=WD_ALIGN_PARAGRAPH.LEFT, before=LINE), doc.recipients_line)
    elif doc.body:
        d.add_paragraph()  # keep the blank line below the title
    par = None
    for block in doc.body:
        if isinstance(block, Paragraph):
            par = _fmt(d.add_paragraph(), align=WD_ALIGN_PARAGRAPH.JUSTIFY, first_chars=2)
            _run(par, block.text)
        elif isinstance(block, Heading):
            par = _fmt(d.add_paragraph(), align=WD_ALIGN_PARAGRAPH.JUSTIFY, first_chars=2)
            _run(par, block.label + block.text, block.font_role)
            if block.tail:
                _run(par, block.tail)
            else:  # a heading standing alone goes with what follows
                par.paragraph_format.keep_with_next = True
        elif isinstance(block, Table):
            par = _table(d, block)
    if par is not None:  # the body's last lines stay with the 落款 (see _closing)
        par.paragraph_format.keep_with_next = True


def _table(d: Any, table: Table) -> Par:
    """A figures table: bordered, header bold 黑体 and repeated on each page, cells centred, rows
    never split, columns sized by layout.py (dates and figures on one line). Returns the
    paragraph Word needs after a table."""
    size = table.font_size_pt
    if table.caption:
        par = _fmt(d.add_paragraph(), align=WD_ALIGN_PARAGRAPH.CENTER, before=LINE / 2, grid=False)
        par.paragraph_format.keep_with_next = True
        _run(par, table.caption, "hei", st.BODY_PT)
    n_head = len(table.header)
    t = d.add_table(rows=n_head + len(table.rows), cols=table.column_count)
    t.style = d.styles["Table Grid"]
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    t.autofit = False
    widths_mm = table_column_widths_mm(table, st.TEXT_WIDTH_MM)
    widths = [Mm(w) for w in widths_mm]
    may_split = [False] * n_head + [n >= SPLITTABLE_ROW_LINES for n in row_lines(table, widths_mm)]
    ox.cell_margins(t, left_right_twips=round(st.mm_to_pt(1.0) * 20))  # 1 mm, as in the PDF
    for column, width in zip(t.columns, widths, strict=True):
        column.width = width  # w:gridCol, which LibreOffice reads
    for row, split in zip(t.rows, may_split, strict=True):
        row.height, row.height_rule = Mm(8), WD_ROW_HEIGHT_RULE.AT_LEAST
        if not split:  # a short row never breaks across pages; a tall one may, as in the PDF
            row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = width
    for i in range(n_head):
        trpr = t.rows[i]._tr.get_or_add_trPr()
        header_flag = OxmlElement("w:tblHeader")
        trpr.append(header_flag)

    def fill(cell: Any, text: str, header: bool) -> None:
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
        par = _fmt(cell.paragraphs[0], align=WD_ALIGN_PARAGRAPH.CENTER, line=size * 1.5, grid=False)
        _run(par, text, "hei" if header else "fang", size, bold=header)

    for p in table.header_placements():
        cell = t.cell(p.row, p.col)
        if p.rowspan > 1 or p.colspan > 1:
            cell = cell.merge(t.cell(p.row + p.rowspan - 1, p.col + p.colspan - 1))
        fill(cell, p.text, True)
    for r, values in enumerate(table.rows, start=n_head):
        for c, text in enumerate(values):
            fill(t.cell(r, c), text, False)
    return d.add_paragraph()  # Word needs a paragraph between a table and what follows


def _closing(d: Any, doc: OfficialDocument) -> None:
    """§7.3.3 附件说明; §7.3.5.1 署名 centred over the date, date 4 characters from the right; §7.3.7 附注.

    The body's last lines, the 附件说明, the signature and the date keep together (keep with
    next), so neither the signature nor the date ends up alone on a page; the space after the
    date keeps the seal's lower part clear of the 版记 (style.SEAL_*).
    """
    for i, line in enumerate(doc.attachment_lines()):
        first = i == 0  # "附件：" indented two characters; later names aligned under the first
        par = _fmt(d.add_paragraph(), before=LINE if first else 0, first_chars=2 if first else 0,
                   left_chars=0 if first else 5)
        par.paragraph_format.keep_with_next = True
        _run(par, line)
    sig_indent, date_indent = signature_right_indent_em(doc)
    par = _fmt(d.add_paragraph(), align=WD_ALIGN_PARAGRAPH.RIGHT,
               before=st.SIGNATURE_BELOW_BODY_LINES * LINE, right_chars=sig_indent)
    par.paragraph_format.keep_with_next = True
    _run(par, doc.signature)
    par = _fmt(d.add_paragraph(), align=WD_ALIGN_PARAGRAPH.RIGHT, right_chars=date_indent)
    _run(par, doc.date_text)
    below_date = st.mm_to_pt(st.SEAL_TOP_BELOW_BODY_MM + st.SEAL_DIAMETER_MM) - (
        st.SIGNATURE_BELOW_BODY_LINES + 2) * LINE
    if doc.note:
        par.paragraph_format.keep_with_next = True
        par = _fmt(d.add_paragraph(), first_chars=2)
        _run(par, f"（{doc.note}）")
        below_date -= LINE
    par.paragraph_format.space_after = Pt(max(0.0, below_date))


# ---------------------------------------------------------------- 版记

IMPRINT_WIDTH_MM = st.TEXT_WIDTH_MM


def _imprint(d: Any, doc: OfficialDocument) -> None:
    """§7.4 版记 at the foot of the last page: 报, 抄送, 印发, 4号仿宋, thick/thin rules.

    Letters (§10.1) have no 印发 line and no rules. Built as a one-column floating table whose
    vertical position is "bottom of the margin box" so Word sets it at the foot of the page.
    """
    lines = doc.imprint_lines()
    if not lines:
        return
    size = st.IMPRINT_PT
    t = d.add_table(rows=len(lines), cols=1)
    t.autofit = False
    t.columns[0].width = Mm(IMPRINT_WIDTH_MM)
    ox.float_at_bottom(t, round(st.mm_to_pt(IMPRINT_WIDTH_MM) * 20), round(st.mm_to_pt(st.MARGIN_LEFT_MM) * 20))
    thick, thin = 8, 6  # eighths of a point: 1 pt ≈ 0.35 mm and 0.75 pt ≈ 0.26 mm (§7.4.1)
    for i, (kind, text) in enumerate(lines):
        cell = t.cell(i, 0)
        cell.width = Mm(IMPRINT_WIDTH_MM)
        if not doc.is_letter:
            ox.cell_border(cell, "top", thick if i == 0 else thin)
            if i == len(lines) - 1:
                ox.cell_border(cell, "bottom", thick)
        par = cell.paragraphs[0]
        if kind == "printed":
            _fmt(par, line=LINE, left_chars=1, char_pt=size, grid=False)
            par.paragraph_format.tab_stops.add_tab_stop(
                Mm(IMPRINT_WIDTH_MM) - Pt(size), WD_TAB_ALIGNMENT.RIGHT)
        else:
            label = len(text.split("：", 1)[0]) + 1
            _fmt(par, line=LINE, left_chars=1 + label, first_chars=-label, char_pt=size, grid=False)
        _run(par, text, "fang", size)
    # A floating table needs a paragraph after it to anchor to (LibreOffice drops it otherwise).
    _run(_fmt(d.add_paragraph(), line=1, grid=False), "", "fang", 1)
