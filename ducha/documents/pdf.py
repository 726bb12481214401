"""Render an OfficialDocument as PDF with WeasyPrint, and refuse to ship a PDF with missing glyphs.

A server without CJK fonts would still "succeed" and print empty boxes (.notdef) in place of
every Chinese character (and with no font at all Pango crashes the process). So before
rendering, fontconfig is asked for fonts covering Chinese (or the Fandol files that the
stylesheet loads itself must be there); after rendering, the fonts WeasyPrint
embedded are checked for glyphs it could not find. Either failure raises MissingFontError naming
the Debian package to install.
"""

from __future__ import annotations

import shutil
import subprocess
from typing import Any

from . import style as st
from .markup import render_html
from .model import OfficialDocument

_INSTALL_HINT = (
    f"install the Debian packages {st.FONT_PACKAGES} (apt-get install --no-install-recommends {st.FONT_PACKAGES})"
)


class MissingFontError(RuntimeError):
    """Characters of the document have no glyph in any installed font."""


def render_pdf(doc: OfficialDocument) -> bytes:
    """The PDF bytes of ``doc``: A4, fonts embedded (subset), GB/T 9704-2012 layout."""
    from weasyprint import HTML  # imported late: it loads Pango/HarfBuzz through cffi

    if not cjk_font_families() and not st.fandol_faces():
        raise MissingFontError(f"no font covering Chinese is installed: {_INSTALL_HINT}")
    document = HTML(string=render_html(doc)).render()
    pdf: bytes = document.write_pdf()
    missing = missing_glyphs(document)
    if missing:
        shown = "".join(missing[:20]) + (" …" if len(missing) > 20 else "")
        raise MissingFontError(f"no installed font has glyphs for {shown!r}: {_INSTALL_HINT}")
    return pdf


_families_seen: list[str] = []


def cjk_font_families() -> list[str]:
    """Families fontconfig offers for Chinese (``fc-list :lang=zh family``).

    A non-empty answer is remembered; an empty one is asked again next time, so installing the
    package fixes a running server. Without fc-list (the ``fontconfig`` package, which Pango
    depends on) the check is skipped and only the after-rendering check applies.
    """
    if _families_seen:
        return _families_seen
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return ["(fc-list not available)"]
    result = subprocess.run(  # noqa: S603 - fixed arguments, absolute path
        [fc_list, ":lang=zh", "family"], capture_output=True, text=True, check=False, timeout=30
    )
    families = sorted({name for line in result.stdout.splitlines() for name in line.split(",") if name})
    _families_seen.extend(families)
    return families


def missing_glyphs(document: Any) -> list[str]:
    """Characters WeasyPrint drew as .notdef, from the fonts of a rendered, written document."""
    codepoints: set[int] = set()
    for font in document.fonts.values():
        codepoints.update(font.missing)
    return [chr(c) for c in sorted(codepoints)]
