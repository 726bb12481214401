"""Reading a rendered PDF back as positioned text (poppler's pdftohtml -xml) and as page images
(pdftoppm), for the layout tests of official documents.

Positions are in millimetres from the page's top-left corner. Missing poppler-utils fails the
test with the package to install: a layout check must not pass by not running.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import pytest

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts" / "documents"
# §5.2: the 版心 runs from 37 mm to 262 mm from the top of an A4 page.
TEXT_TOP_MM = 37.0
TEXT_BOTTOM_MM = 262.0


@dataclass(frozen=True)
class Text:
    page: int  # 1-based
    top: float  # mm
    bottom: float
    left: float
    right: float
    text: str
    font: str  # the embedded font's name, subset prefix removed (FandolFang)
    size_pt: float


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"{name} is missing: install the Debian package poppler-utils")
    return path


def pdf_texts(pdf: bytes) -> list[Text]:
    """Every text run of the PDF with its page, box (mm), font and size."""
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "doc.pdf"
        src.write_bytes(pdf)
        out = subprocess.run([_tool("pdftohtml"), "-xml", "-i", "-stdout", "-q", str(src)],
                             capture_output=True, check=True, timeout=120).stdout
    root = ET.fromstring(out)
    texts: list[Text] = []
    fonts: dict[str | None, tuple[str, float]] = {}  # a fontspec is given once, on the first page using it
    for page in root.iter("page"):
        scale = 210 / float(page.get("width") or 1)  # page units to mm
        fonts.update({f.get("id"): (f.get("family", "").split("+")[-1], float(f.get("size", "0")))
                      for f in page.iter("fontspec")})
        for t in page.iter("text"):
            family, size = fonts.get(t.get("font"), ("", 0.0))
            top, left = float(t.get("top", 0)) * scale, float(t.get("left", 0)) * scale
            texts.append(Text(
                page=int(page.get("number", 0)), top=top, bottom=top + float(t.get("height", 0)) * scale,
                left=left, right=left + float(t.get("width", 0)) * scale, text="".join(t.itertext()),
                font=family, size_pt=size * scale / 25.4 * 72,
            ))
    return texts


def pdf_fonts(pdf: bytes) -> list[tuple[str, bool]]:
    """(font name without subset prefix, embedded) for each font, as ``pdffonts`` lists them."""
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "doc.pdf"
        src.write_bytes(pdf)
        out = subprocess.run([_tool("pdffonts"), str(src)], capture_output=True, text=True, check=True,
                             timeout=60).stdout
    rows = []
    for line in out.splitlines()[2:]:
        parts = line.split()
        if len(parts) >= 5:
            emb = parts[-5] if parts[-5] in ("yes", "no") else parts[-4]
            rows.append((parts[0].split("+")[-1], emb == "yes"))
    return rows


def page_images(pdf: bytes, stem: str, dpi: int = 60) -> list[Path]:
    """Every page as PNG in test-artifacts/documents/pages/, named ``stem-N.png``.

    Rendered in a private folder and moved in, so two test runs side by side (make test runs
    SQLite and PostgreSQL at once) never read each other's half-written files.
    """
    dest = ARTIFACTS / "pages"
    dest.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / f"{stem}.pdf"
        src.write_bytes(pdf)
        subprocess.run([_tool("pdftoppm"), "-r", str(dpi), "-png", str(src), str(Path(tmp) / stem)],
                       check=True, timeout=300)
        made = sorted(Path(tmp).glob(f"{stem}-*.png"), key=lambda p: int(p.stem.rsplit("-", 1)[1]))
        for old in dest.glob(f"{stem}-*.png"):
            old.unlink(missing_ok=True)
        pages = []
        for i, png in enumerate(made, start=1):
            target = dest / f"{stem}-{i}.png"
            shutil.move(str(png), str(target) + f".{os.getpid()}")
            os.replace(str(target) + f".{os.getpid()}", target)
            pages.append(target)
        (dest / f"{stem}.pdf").write_bytes(pdf)
    return pages
