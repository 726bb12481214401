"""A sent letter as an official document in 信函格式 (GB/T 9704-2012 §10.1), .docx and PDF.

Built only from what the letter stored when it was sent (number, text, addressees), so a
file rendered again later says exactly what was sent. Rendering runs after the letter is
committed: a missing font must not take the number back; it leaves a visible problem and
a "render again" button instead.
"""

from __future__ import annotations

from ducha.documents import DocNumber, OfficialDocument, Paragraph
from ducha.documents.store import render_into
from ducha.letters.models import Letter, LetterRecipient, RoleChoice
from ducha.letters.texts import paragraphs


def letter_document(letter: Letter, recipients: list[LetterRecipient] | None = None) -> OfficialDocument:
    rows = recipients if recipients is not None else list(letter.recipients.order_by("sort_order", "id"))
    by_role: dict[str, list[str]] = {RoleChoice.TO: [], RoleChoice.REPORT: [], RoleChoice.CC: []}
    for r in rows:
        by_role[r.role].append(r.label)
    issuer = letter.from_unit.name
    return OfficialDocument(
        kind="letter",
        issuer=issuer,
        number=DocNumber(letter.agency, letter.doc_year, letter.sequence),
        title=letter.title,
        recipients=tuple(by_role[RoleChoice.TO]),
        body=tuple(Paragraph(p) for p in paragraphs(letter.body)),
        signature=issuer,
        date=letter.sent_on,
        reported_to=tuple(by_role[RoleChoice.REPORT]),
        cc=tuple(by_role[RoleChoice.CC]),
    )


def file_stem(letter: Letter) -> str:
    return f"{letter.doc_year}-{letter.from_unit.code}-{letter.sequence:04d}"


def render_letter_files(letter: Letter) -> bool:
    """Write the .docx and PDF under MEDIA_ROOT/documents/letters/; True when both exist."""
    return render_into(letter, lambda: letter_document(letter), stem=file_stem(letter), docx_field="docx_file",
                       pdf_field="pdf_file", label=f"letter {letter.number}")
