"""HTML + CSS rendition of an OfficialDocument in the GB/T 9704-2012 layout, for WeasyPrint.

CSS paged media does what Word can only approximate: ``@page`` gives the §5.2 margins, margin
boxes print "— n —" on the outer side (§7.5), the 信函格式 masthead and double rules are placed
from the page edges (§10.1), and the 版记 is a footnote-float, so it sits at the foot of the last
page above the page number (§7.4) without overlapping the text.

Every font-family list names the government families first (方正小标宋简体, 仿宋_GB2312, 楷体_GB2312,
黑体), so a machine that has them uses them; otherwise free Debian fonts stand in (see style.py).
"""

from __future__ import annotations

from html import escape
from pathlib import Path

from . import style as st
from .layout import SPLITTABLE_ROW_LINES, row_lines, table_column_widths_mm, unbreakable_runs
from .model import (
    Heading,
    OfficialDocument,
    Paragraph,
    Table,
    masthead_size_pt,
    signature_right_indent_em,
    text_width_em,
    title_lines,
)

LINE = f"{st.LINE_PITCH_PT}pt"


def render_html(doc: OfficialDocument) -> str:
    """A complete HTML page (UTF-8, lang zh-CN so CJK shaping uses simplified forms)."""
    parts = [_letter_head(doc) if doc.is_letter else _ordinary_head(doc)]
    # Each line is kept whole (§7.3.1: the break is chosen by meaning, never left to the browser).
    title = "<br>".join(f'<span class="line">{escape(line)}</span>' for line in title_lines(doc.title))
    parts.append(f'<h1 class="title">{title}</h1>')
    if doc.recipients_line:
        parts.append(f'<p class="recipients">{escape(doc.recipients_line)}</p>')
    parts.append('<div class="body">' + "".join(_block(b) for b in doc.body) + "</div>")
    parts.append(_closing(doc))
    parts.append(_imprint(doc))
    return (
        '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">'
        f"<title>{escape(doc.title.replace(chr(10), ''))}</title>"
        f'<meta name="author" content="{escape(doc.signature)}">'
        f"<style>{stylesheet(doc)}</style></head>"
        f'<body class="{doc.kind}">{"".join(parts)}</body></html>'
    )


def _ordinary_head(doc: OfficialDocument) -> str:
    """§7.2: 份号 and 紧急程度 flush left; masthead top 35 mm below the 版心 top; 字号; red separator."""
    above = []
    if doc.copy_number:
        above.append(f'<p class="copy-number">{escape(doc.copy_number)}</p>')
    if doc.urgency:
        above.append(f'<p class="urgency">{escape(doc.urgency)}</p>')
    offset = st.mm_to_pt(st.MASTHEAD_OFFSET_MM) - len(above) * st.LINE_PITCH_PT
    return (
        '<header class="head">' + "".join(above)
        + f'<p class="masthead" style="margin-top:{offset:.2f}pt">{escape(doc.masthead)}</p>'
        + f'<p class="doc-number">{escape(str(doc.number))}</p></header>'
    )


def _letter_head(doc: OfficialDocument) -> str:
    """§10.1: masthead 30 mm from the page top, thick-over-thin rule 4 mm below it, 份号 left and
    发文字号 flush right under the rule, thin-over-thick rule 20 mm above the bottom edge."""
    left = [escape(t) for t in (doc.copy_number, doc.urgency) if t]
    first = left[0] if left else ""
    rest = "".join(f'<p class="urgency">{t}</p>' for t in left[1:])
    return (
        f'<header class="head"><p class="masthead">{escape(doc.masthead)}</p>'
        '<div class="double-rule upper"></div>'
        f'<p class="letter-numbers"><span class="left">{first}</span>'
        f'<span class="doc-number">{escape(str(doc.number))}</span></p>{rest}'
        '<div class="double-rule lower"></div></header>'
    )


def _block(block: Paragraph | Heading | Table) -> str:
    if isinstance(block, Paragraph):
        return f"<p>{escape(block.text)}</p>"
    if isinstance(block, Heading):
        # A heading standing alone is kept with what follows; a run-in one is a paragraph.
        keep = "" if block.tail else " keep-with-next"
        tail = f'<span class="tail">{escape(block.tail)}</span>' if block.tail else ""
        return (f'<p class="heading level-{block.level}{keep}"><span class="{block.font_role}">'
                f"{escape(block.label + block.text)}</span>{tail}</p>")
    return _table(block)


def _cell(text: str) -> str:
    """Cell text with its dates, numbers and figures kept on one line, and a break allowed after
    a closing quotation mark (Chinese rules allow it; Unicode's, which Pango follows, do not)."""
    out, at = [], 0
    for start, end in unbreakable_runs(text):
        out.append(escape(text[at:start]) + f'<span class="nowrap">{escape(text[start:end])}</span>')
        at = end
    return ("".join(out) + escape(text[at:])).replace("”", "”\u200b").replace("’", "’\u200b")


def _table(table: Table) -> str:
    """A figures table: columns sized by layout.py; rows of fewer than four lines never split;
    the <thead> repeats on every page the table runs onto, so a long table flows on instead of
    moving whole."""
    widths = table_column_widths_mm(table, st.TEXT_WIDTH_MM)
    cols = "".join(f'<col style="width:{w / st.TEXT_WIDTH_MM * 100:.3f}%">' for w in widths)
    head_rows: list[list[str]] = [[] for _ in table.header]
    for p in table.header_placements():
        span = (f' rowspan="{p.rowspan}"' if p.rowspan > 1 else "") + (
            f' colspan="{p.colspan}"' if p.colspan > 1 else "")
        head_rows[p.row].append(f"<th{span}>{_cell(p.text)}</th>")
    thead = "".join(f"<tr>{''.join(r)}</tr>" for r in head_rows)
    tall = [n >= SPLITTABLE_ROW_LINES for n in row_lines(table, widths)]
    tbody = "".join(("<tr class=\"may-split\">" if split else "<tr>") + "".join(f"<td>{_cell(c)}</td>" for c in row)
                    + "</tr>" for row, split in zip(table.rows, tall, strict=True))
    caption = f'<p class="table-caption">{escape(table.caption)}</p>' if table.caption else ""
    return (f'{caption}<table style="font-size:{table.font_size_pt}pt"><colgroup>{cols}</colgroup>'
            f"<thead>{thead}</thead><tbody>{tbody}</tbody></table>")


def _closing(doc: OfficialDocument) -> str:
    """§7.3.3 附件说明, §7.3.5.1 署名 centred over the date (4 characters from the right), §7.3.7 附注.

    The 落款 (signature, date and the seal's place, see style.SEAL_*) is one unbreakable block
    that may not be parted from the last lines of the body: never a signature or a date alone
    on a page, and room for the whole seal below the body on the same page.
    """
    attachments = "".join(
        f'<p class="attachment{" first" if i == 0 else ""}">{escape(line)}</p>'
        for i, line in enumerate(doc.attachment_lines()))
    sig_indent, date_indent = signature_right_indent_em(doc)
    out = [
        f'<p class="signature" style="padding-right:{sig_indent:.2f}em">{escape(doc.signature)}</p>',
        f'<p class="date" style="padding-right:{date_indent:.2f}em">{escape(doc.date_text)}</p>',
    ]
    if doc.note:
        out.append(f'<p class="note">（{escape(doc.note)}）</p>')
    # Room below the date for the seal's foot, which may reach into the gap above the 版记 but
    # not the 版记 itself. (Padding, not min-height: WeasyPrint 70 then lays out the 版记, a
    # footnote, as if the page were full.)
    lines = st.SIGNATURE_BELOW_BODY_LINES + 2 + (1 if doc.note else 0)
    room = (st.SEAL_TOP_BELOW_BODY_MM + st.SEAL_DIAMETER_MM - st.SEPARATOR_GAP_MM
            - lines * st.LINE_PITCH_PT * 25.4 / 72)
    return (f'<div class="attachments">{attachments}</div>' if attachments else "") + (
        f'<div class="closing" style="padding-bottom:{max(0.0, room):.2f}mm">' + "".join(out) + "</div>")


def _imprint(doc: OfficialDocument) -> str:
    """§7.4 版记 (报, 抄送, 印发) in 4号; §10.1 letters: no 印发 line and no rules."""
    rows = []
    for kind, text in doc.imprint_lines():
        if kind == "printed":
            by, when = text.split("\t")
            rows.append(f'<p class="printed"><span>{escape(by)}</span><span>{escape(when)}</span></p>')
        else:
            label = text_width_em(text.split("：", 1)[0]) + 1
            rows.append(f'<p class="{kind}" style="padding-left:{1 + label}em;text-indent:-{label}em">'
                        f"{escape(text)}</p>")
    return f'<div class="imprint">{"".join(rows)}</div>' if rows else ""


def stylesheet(doc: OfficialDocument) -> str:
    """The CSS for ``doc``: page geometry (§5), fonts and sizes (§6, §7), letter layout (§10.1)."""
    fang, kai, hei, xbs, song = (st.css_family(r) for r in ("fang", "kai", "hei", "xbs", "song"))
    masthead_pt = masthead_size_pt(doc.masthead, letter=doc.is_letter)
    widen = (st.LETTER_RULE_LENGTH_MM - st.TEXT_WIDTH_MM) / 2
    number_box = (f"font-family:{song};font-size:{st.PAGE_NUMBER_PT}pt;line-height:1;"
                  f"vertical-align:top;padding-top:{st.PAGE_NUMBER_GAP_MM - 2.5}mm;")
    css = "".join(
        f'@font-face {{ font-family: "{family}"; font-weight: {weight}; src: url("{Path(path).as_uri()}"); }}\n'
        for family, weight, path in st.fandol_faces()
    )
    css += f"""
@page {{
  size: A4;
  margin: {st.MARGIN_TOP_MM}mm {st.MARGIN_RIGHT_MM}mm {st.MARGIN_BOTTOM_MM}mm {st.MARGIN_LEFT_MM}mm;
  @footnote {{ margin-top: {st.SEPARATOR_GAP_MM}mm; }}
}}
@page :right {{ @bottom-right {{ content: "— " counter(page) " —"; {number_box} padding-right: 1em; }} }}
@page :left {{ @bottom-left {{ content: "— " counter(page) " —"; {number_box} padding-left: 1em; }} }}
html {{ font-family: {fang}; font-size: {st.BODY_PT}pt; color: #000; }}
body {{ margin: 0; line-height: {LINE}; letter-spacing: {st.BODY_TRACKING_PT}pt; }}
p {{ margin: 0; }}
.copy-number {{ font-family: {fang}; }}
.urgency {{ font-family: {hei}; }}
.masthead {{
  font-family: {xbs}; font-weight: bold; color: #{st.RED_HEX}; text-align: center;
  font-size: {masthead_pt}pt; line-height: 1; letter-spacing: 0;
}}
body:not(.letter) .doc-number {{
  margin-top: calc(2 * {LINE}); text-align: center; line-height: {st.BODY_PT}pt;
  padding-bottom: {st.SEPARATOR_GAP_MM}mm; border-bottom: 1.5pt solid #{st.RED_HEX};
}}
.title {{
  font-family: {xbs}; font-weight: bold; font-size: {st.TITLE_PT}pt; line-height: {st.TITLE_PT * 1.5}pt;
  text-align: center; margin: calc(2 * {LINE}) 0 0; letter-spacing: 0;
}}
.doc-number {{ white-space: nowrap; }}
.recipients {{ margin-top: {LINE}; }}
.body p {{ text-indent: 2em; text-align: justify; }}
.hei {{ font-family: {hei}; }}
.kai {{ font-family: {kai}; }}
.tail, .fang {{ font-family: {fang}; }}
.body .table-caption {{
  font-family: {hei}; text-align: center; margin-top: calc({LINE} / 2); text-indent: 0; break-after: avoid;
}}
.keep-with-next {{ break-after: avoid; }}
tr {{ break-inside: avoid; }}
tr.may-split {{ break-inside: auto; }}
td {{ orphans: 2; widows: 2; }}
.nowrap, .title .line {{ white-space: nowrap; }}
table {{
  width: 100%; border-collapse: collapse; table-layout: fixed; line-height: 1.5; letter-spacing: 0;
  margin: 2mm 0 calc({LINE} / 2);
}}
th, td {{ border: 0.75pt solid #000; padding: 1.2mm 1mm; text-align: center; vertical-align: middle; }}
th {{ font-family: {hei}; font-weight: bold; }}
.attachment {{ padding-left: 5em; }}
.attachment.first {{ margin-top: {LINE}; padding-left: 2em; }}
.closing {{ break-before: avoid; break-inside: avoid; }}
.signature {{ margin-top: calc({st.SIGNATURE_BELOW_BODY_LINES} * {LINE}); text-align: right; }}
.date {{ text-align: right; }}
.note {{ text-indent: 2em; }}
.imprint {{
  float: footnote; footnote-display: block; font-size: {st.IMPRINT_PT}pt; line-height: {LINE};
  letter-spacing: 0; border-top: {st.IMPRINT_THICK_MM}mm solid #000;
  border-bottom: {st.IMPRINT_THICK_MM}mm solid #000;
}}
.imprint::footnote-call, .imprint::footnote-marker {{ content: none; }}
.imprint p + p {{ border-top: {st.IMPRINT_THIN_MM}mm solid #000; }}
.imprint .printed {{ padding: 0 1em; display: flex; justify-content: space-between; }}
"""
    if doc.is_letter:
        top = st.LETTER_MASTHEAD_TOP_MM
        css += f"""
@page :first {{ margin-top: {top}mm; @bottom-right {{ content: none; }} }}
.letter .imprint, .letter .imprint p + p {{ border: none; }}
.double-rule {{ margin: 0 -{widen}mm; width: {st.LETTER_RULE_LENGTH_MM}mm; height: 0.5mm; }}
.double-rule.upper {{
  margin-top: {st.SEPARATOR_GAP_MM}mm;
  border-top: 0.7mm solid #{st.RED_HEX}; border-bottom: 0.25mm solid #{st.RED_HEX};
}}
.double-rule.lower {{
  position: absolute; left: -{widen}mm; margin: 0;
  bottom: -{st.MARGIN_BOTTOM_MM - st.LETTER_BOTTOM_RULE_MM}mm;
  border-top: 0.25mm solid #{st.RED_HEX}; border-bottom: 0.7mm solid #{st.RED_HEX};
}}
.letter-numbers {{
  margin-top: {st.BODY_PT * 7 / 8}pt; line-height: {st.BODY_PT}pt; display: flex; justify-content: space-between;
}}
.letter .title {{ margin-top: calc(2 * {LINE} - {st.BODY_PT}pt); }}
"""
    return css
