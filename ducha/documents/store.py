"""Rendering a document into the two files a row keeps (.docx and PDF) and recording how it went.

Letters, 督查通知 and bulletins are numbered and recorded first, then rendered: a font or a
library missing on the server must not lose the document, so a failure is kept on the row
(``render_error``, shown on its page with a way to render again) instead of raised. Rendering
again replaces the files rather than piling up copies. The caller owns the row; this writes
only its file fields and ``render_error``, with a guarded UPDATE on its primary key.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.core.files.base import ContentFile
from django.db import models

from .docx import render_docx
from .model import OfficialDocument
from .pdf import render_pdf

log = logging.getLogger(__name__)


def render_into(row: models.Model, build: Callable[[], OfficialDocument], *, stem: str,
                docx_field: str, pdf_field: str, label: str) -> bool:
    """Build the document and save it as ``stem``.docx and ``stem``.pdf into the row's two file
    fields; True when both exist afterwards."""
    docx, pdf = getattr(row, docx_field), getattr(row, pdf_field)
    manager: Any = type(row)._default_manager
    try:
        doc = build()
        for old in (docx, pdf):
            if old:
                old.delete(save=False)
        docx.save(f"{stem}.docx", ContentFile(render_docx(doc)), save=False)
        pdf.save(f"{stem}.pdf", ContentFile(render_pdf(doc)), save=False)
    except Exception as e:  # a font or a library missing on the server: keep the row, say why
        log.exception("rendering %s failed", label)
        error = str(e)[:300]
        manager.filter(pk=row.pk).update(**{docx_field: docx.name or "", pdf_field: pdf.name or "",
                                            "render_error": error})
        row.render_error = error  # type: ignore[attr-defined]
        return False
    manager.filter(pk=row.pk).update(**{docx_field: docx.name, pdf_field: pdf.name, "render_error": ""})
    row.render_error = ""  # type: ignore[attr-defined]
    return True
