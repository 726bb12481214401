"""Direct OOXML edits for what python-docx 1.2 has no API for.

East-Asian font slots, character spacing, paragraph and cell borders, snap-to-grid, PAGE fields
and floating-table positions. Children are inserted in the order the WordprocessingML schema
(ECMA-376 Part 1) requires, which Word checks strictly and reports as "unreadable content".
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from docx.oxml import OxmlElement
from docx.oxml.ns import qn

_RPR_AFTER_SPACING = ("w:w", "w:kern", "w:position", "w:sz", "w:szCs", "w:highlight", "w:u", "w:effect",
                      "w:bdr", "w:shd", "w:fitText", "w:vertAlign", "w:rtl", "w:cs", "w:em", "w:lang",
                      "w:eastAsianLayout", "w:specVanish", "w:oMath")
_PPR_AFTER = {
    "w:pBdr": ("w:shd", "w:tabs", "w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap",
               "w:overflowPunct", "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi",
               "w:adjustRightInd", "w:snapToGrid", "w:spacing", "w:ind", "w:contextualSpacing",
               "w:mirrorIndents", "w:suppressOverlap", "w:jc", "w:textDirection", "w:textAlignment",
               "w:textboxTightWrap", "w:outlineLvl", "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr",
               "w:pPrChange"),
    "w:snapToGrid": ("w:spacing", "w:ind", "w:contextualSpacing", "w:mirrorIndents", "w:suppressOverlap",
                     "w:jc", "w:textDirection", "w:textAlignment", "w:textboxTightWrap", "w:outlineLvl",
                     "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange"),
}
_TBLPR_AFTER_POS = ("w:tblOverlap", "w:bidiVisual", "w:tblStyleRowBandSize", "w:tblStyleColBandSize", "w:tblW",
                    "w:jc", "w:tblCellSpacing", "w:tblInd", "w:tblBorders", "w:shd", "w:tblLayout",
                    "w:tblCellMar", "w:tblLook", "w:tblCaption", "w:tblDescription", "w:tblPrChange")
_TCPR_AFTER_BORDERS = ("w:shd", "w:noWrap", "w:tcMar", "w:textDirection", "w:tcFitText", "w:vAlign",
                       "w:hideMark", "w:headers", "w:cellIns", "w:cellDel", "w:cellMerge", "w:tcPrChange")


def element(tag: str, **attrs: str) -> Any:
    el = OxmlElement(tag)
    for key, value in attrs.items():
        el.set(qn(f"w:{key}"), value)
    return el


def set_fonts(rpr: Any, family: str) -> None:
    """All four rFonts slots, eastAsia included, and no theme fonts that would override them."""
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in list(fonts.attrib):
        if attr.lower().endswith("theme"):
            del fonts.attrib[attr]
    for slot in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(slot), family)
    fonts.set(qn("w:hint"), "eastAsia")


def char_spacing(run: Any, points: float) -> None:
    """Condensed/expanded character spacing (w:spacing in twentieths of a point)."""
    run._r.get_or_add_rPr().insert_element_before(element("w:spacing", val=str(round(points * 20))),
                                                   *_RPR_AFTER_SPACING)


def append_ppr(par: Any, tag: str, **attrs: str) -> Any:
    el = element(tag, **attrs)
    par._p.get_or_add_pPr().insert_element_before(el, *_PPR_AFTER.get(tag, ()))
    return el


def paragraph_border(par: Any, side: str, val: str, eighths: int, space_pt: int, color: str) -> None:
    """A paragraph border edge; it spans the paragraph's indents, so negative indents widen it."""
    bdr = par._p.get_or_add_pPr().find(qn("w:pBdr"))
    if bdr is None:
        bdr = append_ppr(par, "w:pBdr")
    bdr.append(element(f"w:{side}", val=val, sz=str(eighths), space=str(space_pt), color=color))


def cell_border(cell: Any, side: str, eighths: int, color: str = "000000") -> None:
    tcpr = cell._tc.get_or_add_tcPr()
    borders = tcpr.find(qn("w:tcBorders"))
    if borders is None:
        borders = OxmlElement("w:tcBorders")
        tcpr.insert_element_before(borders, *_TCPR_AFTER_BORDERS)
    borders.append(element(f"w:{side}", val="single", sz=str(eighths), space="0", color=color))


def page_field(new_run: Callable[[str], Any], instr: str = "PAGE") -> None:
    """A Word field: begin, instruction, separate, placeholder "1", end — every run made by
    ``new_run`` so each carries the fonts (eastAsia included) like any other run."""
    new_run("")._r.append(element("w:fldChar", fldCharType="begin"))
    text = OxmlElement("w:instrText")
    text.set(qn("xml:space"), "preserve")
    text.text = f" {instr} "
    new_run("")._r.append(text)
    new_run("")._r.append(element("w:fldChar", fldCharType="separate"))
    new_run("1")
    new_run("")._r.append(element("w:fldChar", fldCharType="end"))


def float_at_bottom(table: Any, width_twips: int, left_twips: int) -> None:
    """Make a table float at the bottom of the text area, ``left_twips`` from the page edge.

    Anchored horizontally to the page (not the margin): LibreOffice before 7.6 turns a floating
    table as wide as the text area into an inline one and loses the position.
    """
    tblpr = table._tbl.tblPr
    width = tblpr.find(qn("w:tblW"))
    width.set(qn("w:type"), "dxa")
    width.set(qn("w:w"), str(width_twips))
    pos = element("w:tblpPr", vertAnchor="margin", horzAnchor="page", tblpYSpec="bottom", tblpX=str(left_twips))
    tblpr.insert_element_before(pos, *_TBLPR_AFTER_POS)
    margins = OxmlElement("w:tblCellMar")
    for side in ("left", "right"):
        margins.append(element(f"w:{side}", w="0", type="dxa"))
    tblpr.insert_element_before(margins, "w:tblLook", "w:tblCaption", "w:tblDescription", "w:tblPrChange")


def cell_margins(table: Any, *, left_right_twips: int) -> None:
    """Left and right cell margins of every cell (Word's default is 1.9 mm)."""
    tblpr = table._tbl.tblPr
    margins = tblpr.find(qn("w:tblCellMar"))
    if margins is None:
        margins = OxmlElement("w:tblCellMar")
        tblpr.insert_element_before(margins, "w:tblLook", "w:tblCaption", "w:tblDescription", "w:tblPrChange")
    for side in ("left", "right"):
        margins.append(element(f"w:{side}", w=str(left_right_twips), type="dxa"))
