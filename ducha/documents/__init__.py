"""Official documents (公文) as .docx and PDF in the GB/T 9704-2012 layout.

督查通知 and 通报 use the ordinary format (§7); 提醒函 / 督办函 (文种 函) use 信函格式 (§10.1).
Build an OfficialDocument (model.py), then call render_docx or render_pdf. The renderer imports
no Django: it is fed plain values by the apps. Its Django parts are the document-number
register (models.py, register.py), which every kind of document numbers from, and the store
(store.py) that renders a document into a row's .docx and PDF fields and records a failure.
"""

from .docx import render_docx
from .markup import render_html
from .model import (
    DOC_NUMBER_PATTERN,
    Block,
    DocNumber,
    HeaderCell,
    Heading,
    OfficialDocument,
    Paragraph,
    Table,
    chinese_number,
    format_doc_date,
)
from .pdf import MissingFontError, render_pdf

__all__ = [
    "DOC_NUMBER_PATTERN",
    "Block",
    "DocNumber",
    "HeaderCell",
    "Heading",
    "MissingFontError",
    "OfficialDocument",
    "Paragraph",
    "Table",
    "chinese_number",
    "format_doc_date",
    "render_docx",
    "render_html",
    "render_pdf",
]
