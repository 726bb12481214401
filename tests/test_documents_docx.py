"""Golden checks on the .docx output: read the bytes back (python-docx and raw OOXML)."""

import io
import re
import zipfile
from pathlib import Path

import pytest
from docx import Document
from docx.shared import Mm
from lxml import etree

from ducha.documents import DOC_NUMBER_PATTERN, render_docx
from ducha.documents.model import title_lines
from ducha.documents.samples import SAMPLES, sample_bulletin, sample_letter, sample_notice

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {"w": W}
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts" / "documents"


def q(tag: str) -> str:
    return f"{{{W}}}{tag}"


@pytest.fixture(scope="module", params=sorted(SAMPLES))
def rendered(request):
    doc = SAMPLES[request.param]()
    data = render_docx(doc)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / f"{request.param}.docx").write_bytes(data)
    return doc, data


def parts(data: bytes) -> dict[str, etree._Element]:
    """document.xml and every header/footer part, parsed."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {
            name: etree.fromstring(z.read(name))
            for name in z.namelist()
            if re.fullmatch(r"word/(document|header\d*|footer\d*)\.xml", name)
        }


def paragraph_texts(root: etree._Element) -> list[str]:
    return ["".join(p.itertext()) for p in root.iter(q("p"))]


def all_texts(data: bytes) -> list[str]:
    return [t for root in parts(data).values() for t in paragraph_texts(root)]


def test_page_is_a4_with_the_standard_margins(rendered):
    _, data = rendered
    section = Document(io.BytesIO(data)).sections[0]
    assert abs(section.page_width - Mm(210)) <= Mm(0.5)
    assert abs(section.page_height - Mm(297)) <= Mm(0.5)
    for actual, expected in ((section.top_margin, 37), (section.bottom_margin, 35),
                             (section.left_margin, 28), (section.right_margin, 26)):
        assert abs(actual - Mm(expected)) <= Mm(1), (actual.mm, expected)


def test_every_run_names_an_east_asian_font(rendered):
    _, data = rendered
    count = 0
    for name, root in parts(data).items():
        for run in root.iter(q("r")):
            fonts = run.find("w:rPr/w:rFonts", NS)
            assert fonts is not None and fonts.get(q("eastAsia")), (name, etree.tostring(run)[:200])
            count += 1
    assert count > 10


def test_line_grid_of_22_lines(rendered):
    _, data = rendered
    body = parts(data)["word/document.xml"]
    grid = body.find(".//w:sectPr/w:docGrid", NS)
    assert grid.get(q("linePitch")) == "579"
    spacing = [s.get(q("line")) for s in body.iter(q("spacing")) if s.get(q("lineRule")) == "exact"]
    assert "579" in spacing


def test_body_text_is_3hao_fangsong_with_two_character_indent():
    data = render_docx(sample_notice())
    d = Document(io.BytesIO(data))
    para = next(p for p in d.paragraphs if p.text.startswith("根据市政府"))
    run = para.runs[0]
    assert run.font.size.pt == 16
    assert run._r.rPr.rFonts.get(q("eastAsia")) == "仿宋_GB2312"
    ind = para._p.pPr.find(q("ind"))
    assert ind.get(q("firstLineChars")) == "200"


def test_masthead_is_red_and_title_is_2hao(rendered):
    doc, data = rendered
    runs = [r for root in parts(data).values() for r in root.iter(q("r"))]

    def text(r):
        return "".join(r.itertext())

    def red(r):
        color = r.find("w:rPr/w:color", NS)
        return color is not None and color.get(q("val")).upper() in ("FF0000", "E60012", "C00000")

    red_runs = [r for r in runs if red(r)]
    assert [text(r) for r in red_runs] == [doc.masthead]  # §7.2.3: only the 标志 is red
    assert red_runs[0].find("w:rPr/w:rFonts", NS).get(q("eastAsia")) == "方正小标宋简体"
    body = parts(data)["word/document.xml"]
    title = [p for p in body.iter(q("p")) if "".join(p.itertext()) == doc.title.replace("\n", "")]
    assert len(title) == 1
    title_runs = [r for r in title[0].iter(q("r")) if text(r)]
    assert len(title_runs) == len(title_lines(doc.title))
    for r in title_runs:
        assert r.find("w:rPr/w:sz", NS).get(q("val")) == "44"  # half-points: 22 pt


def test_doc_number_and_date_texts(rendered):
    doc, data = rendered
    texts = [t.strip() for t in all_texts(data)]
    assert str(doc.number) in texts
    assert all(DOC_NUMBER_PATTERN.match(t) for t in texts if "〔" in t and t.endswith("号"))
    dates = [t for t in texts if re.fullmatch(r"\d{4}年\d{1,2}月\d{1,2}日", t)]
    assert dates == [doc.date_text]
    assert not any(re.search(r"年0\d|月0\d", t) for t in texts)


def test_ordinary_format_has_separator_and_page_numbers():
    data = render_docx(sample_notice())
    body = parts(data)["word/document.xml"]
    number = next(p for p in body.iter(q("p")) if "".join(p.itertext()) == "宛督〔2026〕12号")
    bottom = number.find("w:pPr/w:pBdr/w:bottom", NS)
    assert bottom.get(q("color")) == "FF0000" and bottom.get(q("val")) == "single"
    footers = [root for name, root in parts(data).items() if "footer" in name]
    instr = ["".join(root.itertext()) for root in footers]
    assert sum(" PAGE " in t for t in instr) == 2  # odd and even footers
    assert any(t.startswith("— ") and t.endswith(" —") for t in instr)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert b"evenAndOddHeaders" in z.read("word/settings.xml")


def test_ordinary_imprint_has_cc_and_printing_line_with_rules():
    data = render_docx(sample_notice())
    texts = all_texts(data)
    assert "抄送：市委督查室。" in texts
    assert "报：张副市长、李市长。" in texts
    assert "南阳市人民政府督查室2026年9月28日印发" in texts  # organ, tab, date flush right
    body = parts(data)["word/document.xml"]
    imprint = [t for t in body.iter(q("tbl")) if t.find("w:tblPr/w:tblpPr", NS) is not None]
    assert len(imprint) == 1
    assert imprint[0].find("w:tblPr/w:tblpPr", NS).get(q("tblpYSpec")) == "bottom"
    sizes = [b.get(q("sz")) for b in imprint[0].iter(q("top"), q("bottom")) if b.get(q("sz"))]
    assert sizes[0] == "8" and sizes[-1] == "8" and "6" in sizes


def test_letter_format():
    data = render_docx(sample_letter())
    texts = all_texts(data)
    cc = [t for t in texts if t.startswith("抄送：")]
    assert cc == ["抄送：南阳市人民政府督查室。"]
    assert "报：王副市长、李市长。" in texts
    assert not any("印发" in t for t in texts)
    d = Document(io.BytesIO(data))
    section = d.sections[0]
    assert section.different_first_page_header_footer
    header = section.first_page_header
    assert header.paragraphs[0].text == "南阳市发展和改革委员会"
    assert header.paragraphs[1].text.split("\t")[-1] == "宛发改函〔2026〕37号"
    upper = header.paragraphs[0]._p.find("w:pPr/w:pBdr/w:bottom", NS)
    lower = section.first_page_footer.paragraphs[0]._p.find("w:pPr/w:pBdr/w:bottom", NS)
    assert upper.get(q("val")) == "thickThinSmallGap"
    assert lower.get(q("val")) == "thinThickSmallGap"
    first_footer_text = "".join(p.text for p in section.first_page_footer.paragraphs)
    assert "—" not in first_footer_text  # §10.1: no page number on page 1
    assert section.first_page_footer.paragraphs[0]._p.find(".//w:instrText", NS) is None


def test_bulletin_contains_its_table():
    data = render_docx(sample_bulletin())
    d = Document(io.BytesIO(data))
    table = d.tables[0]
    assert table.cell(0, 0).text == "序号"
    assert table.cell(0, 3).text == "办理情况"
    assert table.cell(1, 3).text == "已完成"
    assert [c.text for c in table.rows[2].cells] == ["1", "市发展和改革委员会", "12", "8", "3", "1"]
    assert [c.text for c in table.rows[4].cells][1] == "宛城区人民政府"
    grid_span = table.rows[0]._tr.findall(".//w:gridSpan", NS)
    assert [g.get(q("val")) for g in grid_span] == ["3"]
    assert table.cell(0, 0).paragraphs[0].runs[0].font.bold
    assert table.rows[0]._tr.find("w:trPr/w:tblHeader", NS) is not None
    assert "2026年8月重点工作推进情况统计表" in [p.text for p in d.paragraphs]


def test_docx_opens_as_a_zip_with_content_types():
    data = render_docx(sample_letter())
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert z.testzip() is None
        assert "[Content_Types].xml" in z.namelist()
