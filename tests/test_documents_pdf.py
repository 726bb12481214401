"""PDF output: A4, text, embedded fonts, no .notdef, and page-1 renders checked by pixels.

Page 1 of each kind is rendered to PNG with poppler's pdftoppm into test-artifacts/documents/
for people to look at; the same images are checked for the red masthead, the red rules and a
centred title. Missing CJK fonts or poppler make these tests FAIL (not skip) with the Debian
package to install, because a PDF full of empty boxes must never pass.
"""

import dataclasses
import io
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader

from ducha.documents import DOC_NUMBER_PATTERN, MissingFontError, Paragraph, render_pdf
from ducha.documents.model import title_lines
from ducha.documents.samples import SAMPLES, sample_letter

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts" / "documents"
DPI = 60
MM = DPI / 25.4  # pixels per millimetre


@pytest.fixture(scope="module")
def pdfs() -> dict[str, bytes]:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    out = {}
    for kind, make in SAMPLES.items():
        try:
            data = render_pdf(make())
        except MissingFontError as exc:
            pytest.fail(f"CJK fonts are missing: {exc}")
        (ARTIFACTS / f"{kind}.pdf").write_bytes(data)
        out[kind] = data
    return out


@pytest.fixture(scope="module")
def page_one(pdfs) -> dict[str, Image.Image]:
    """Page 1 of each kind as an RGB image (pdftoppm -r 60), also kept as an artifact."""
    tool = shutil.which("pdftoppm")
    if tool is None:
        pytest.fail("pdftoppm is missing: install the Debian package poppler-utils")
    images = {}
    for kind in pdfs:
        prefix = ARTIFACTS / f"{kind}-page1"
        subprocess.run([tool, "-r", str(DPI), "-png", "-f", "1", "-l", "1", "-singlefile",
                        str(ARTIFACTS / f"{kind}.pdf"), str(prefix)], check=True)
        images[kind] = Image.open(f"{prefix}.png").convert("RGB")
    return images


@pytest.mark.parametrize("kind", sorted(SAMPLES))
def test_pdf_is_a4_with_title_number_and_embedded_fonts(pdfs, kind):
    doc = SAMPLES[kind]()
    data = pdfs[kind]
    assert data.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(data))
    for page in reader.pages:
        box = page.mediabox
        assert abs(float(box.width) - 595.3) <= 1 and abs(float(box.height) - 841.9) <= 1
    text = "".join(page.extract_text() for page in reader.pages)
    flat = text.replace("\n", "").replace(" ", "")
    assert all(line in text for line in title_lines(doc.title))
    assert str(doc.number) in flat and DOC_NUMBER_PATTERN.match(str(doc.number))
    assert doc.date_text in flat
    fonts = embedded_fonts(reader)
    assert fonts, "no fonts in the PDF"
    assert all(fonts.values()), f"fonts not embedded: {[f for f, ok in fonts.items() if not ok]}"
    assert any("Fandol" in name or "GB" in name for name in fonts), (
        f"no 仿宋/宋 face embedded ({sorted(fonts)}): install the Debian package texlive-lang-chinese")


def embedded_fonts(reader: PdfReader) -> dict[str, bool]:
    """BaseFont name → whether a /FontFile* stream is embedded."""
    found: dict[str, bool] = {}
    for page in reader.pages:
        for ref in page["/Resources"].get("/Font", {}).values():
            font = ref.get_object()
            desc_font = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
            descriptor = desc_font["/FontDescriptor"].get_object()
            found[str(font["/BaseFont"])] = any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
    return found


def test_letter_imprint_has_cc_and_no_printing_line(pdfs):
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdfs["letter"])).pages)
    assert "抄送：南阳市人民政府督查室。" in text
    assert "报：王副市长、李市长。" in text
    assert "印发" not in text


def test_bulletin_table_cells_are_in_the_pdf(pdfs):
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdfs["bulletin"])).pages)
    for cell in ("序号", "责任单位", "办理情况", "已完成", "已逾期", "市发展和改革委员会", "宛城区人民政府"):
        assert cell in text


def test_pages_after_the_first_carry_page_numbers(pdfs):
    pages = PdfReader(io.BytesIO(pdfs["notice"])).pages
    assert len(pages) >= 2
    assert "— 1 —" in pages[0].extract_text()
    assert "— 2 —" in pages[1].extract_text()
    letter = PdfReader(io.BytesIO(pdfs["letter"])).pages[0].extract_text()
    assert "— 1 —" not in letter  # §10.1: no page number on page 1


# ---------------------------------------------------------------- page images

def is_red(px: tuple[int, int, int]) -> bool:
    r, g, b = px
    return r > 180 and g < 110 and b < 110


def is_dark(px: tuple[int, int, int]) -> bool:
    return sum(px) < 300


def rows_where(img: Image.Image, test, y_from_mm: float, y_to_mm: float) -> list[float]:
    """Positions (mm from the top) of the pixel rows between the bounds with a matching pixel."""
    found = []
    for y in range(int(y_from_mm * MM), min(img.height, int(y_to_mm * MM))):
        if any(test(img.getpixel((x, y))) for x in range(img.width)):
            found.append(y / MM)
    return found


def span_mm(img: Image.Image, test, y_mm: float) -> tuple[float, float]:
    """Leftmost and rightmost matching pixel (mm from the left) on the row at ``y_mm``."""
    y = round(y_mm * MM)
    xs = [x for x in range(img.width) if test(img.getpixel((x, y)))]
    return xs[0] / MM, xs[-1] / MM


@pytest.mark.parametrize("kind", ["notice", "bulletin"])
def test_ordinary_page_one_looks_right(page_one, kind):
    img = page_one[kind]
    assert abs(img.width / MM - 210) < 2 and abs(img.height / MM - 297) < 2
    red = rows_where(img, is_red, 37, 150)
    assert red, "no red masthead"
    assert 68 <= red[0] <= 80, f"masthead top at {red[0]} mm, expected about 72 mm (§7.2.3)"
    # The separator: the lowest red row, as wide as the 版心 (28 … 184 mm).
    left, right = span_mm(img, is_red, red[-1])
    assert abs(left - 28) < 2 and abs(right - 184) < 2, (left, right)
    # The title below it is centred on the 版心 (centre 106 mm).
    title_rows = rows_where(img, is_dark, red[-1] + 8, red[-1] + 30)
    left, right = span_mm(img, is_dark, title_rows[len(title_rows) // 2])
    assert abs((left + right) / 2 - 106) < 4, (left, right)


def test_letter_page_one_looks_right(page_one):
    img = page_one["letter"]
    red = rows_where(img, is_red, 0, 297)
    assert 28 <= red[0] <= 33, f"letter masthead top at {red[0]} mm, expected 30 mm (§10.1)"
    bottom = [y for y in red if y > 250]
    assert bottom and 274 <= bottom[-1] <= 279, f"lower double rule at {bottom} mm, expected 277 mm"
    left, right = span_mm(img, is_red, bottom[-1])
    assert abs((right - left) - 170) < 3, (left, right)


def test_missing_glyphs_fail_loudly_naming_the_font_package():
    doc = sample_letter()
    doc = dataclasses.replace(doc, body=(*doc.body, Paragraph("无字形\U0010fffd")))
    with pytest.raises(MissingFontError, match="texlive-lang-chinese fonts-noto-cjk"):
        render_pdf(doc)


def test_a_machine_without_cjk_fonts_gets_the_package_name(tmp_path):
    """Simulates a fresh CI machine: fontconfig sees an empty font directory, no Fandol files."""
    (tmp_path / "fonts").mkdir()
    conf = tmp_path / "fonts.conf"
    conf.write_text(
        '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">'
        f"<fontconfig><dir>{tmp_path / 'fonts'}</dir><cachedir>{tmp_path / 'cache'}</cachedir></fontconfig>"
    )
    code = (
        "import ducha.documents.style as st\nst.FANDOL_DIRS[:] = []\n"
        "from ducha.documents import render_pdf, MissingFontError\n"
        "from ducha.documents.samples import sample_letter\n"
        "try:\n    render_pdf(sample_letter())\n"
        "except MissingFontError as e:\n    print(e)\n"
    )
    env = {**os.environ, "FONTCONFIG_FILE": str(conf)}
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert "texlive-lang-chinese fonts-noto-cjk" in result.stdout, result.stderr[-2000:]


@pytest.mark.parametrize("kind", sorted(SAMPLES))
def test_item_24_body_is_fangsong_and_title_xiaobiaosong_or_its_stand_in(pdfs, kind):
    """Issue #11 item 24, checked with poppler: pdffonts lists the embedded faces, pdftohtml says
    which face each line is set in. The body (3号) is 仿宋 (仿宋_GB2312 or FandolFang); the title
    (2号) is 小标宋 or its stand-in, FandolSong Bold (docs/decisions/0004-document-fonts.md)."""
    from tests.documents_helpers import pdf_fonts, pdf_texts

    fonts = dict(pdf_fonts(pdfs[kind]))
    fang = [name for name in fonts if re.search(r"FangSong|仿宋|FandolFang", name)]
    title_faces = [name for name in fonts if re.search(r"XiaoBiaoSong|小标宋|FandolSong-Bold", name)]
    assert fang and all(fonts[n] for n in fang), f"no embedded 仿宋 face: {sorted(fonts)}"
    assert title_faces and all(fonts[n] for n in title_faces), f"no embedded 小标宋 stand-in: {sorted(fonts)}"
    doc = SAMPLES[kind]()
    texts = pdf_texts(pdfs[kind])
    body = [t for t in texts if abs(t.size_pt - 16) < 0.6 and any(t.text.strip() in b.text for b in doc.body
                                                                  if isinstance(b, Paragraph) and t.text.strip())]
    assert body, "no body line found"
    assert all(re.search(r"FangSong|仿宋|FandolFang", t.font) for t in body), {t.font for t in body}
    title = [t for t in texts if abs(t.size_pt - 22) < 0.6]
    assert "".join(t.text.strip() for t in title) == doc.title.replace("\n", "")
    assert all(re.search(r"XiaoBiaoSong|小标宋|FandolSong", t.font) for t in title), {t.font for t in title}
