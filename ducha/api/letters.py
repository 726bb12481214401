"""Reminder letters (提醒函, S1.4, S1.5) over the API: read under the letter pages' rules.

A letter is read by its parties (``ducha.letters.access``): the sending unit, every addressee,
the vice mayors whose portfolio holds either end, the mayor, and the supervision and
performance offices; anything else is a 404, as for a letter that does not exist. Reading a
letter here signs for nothing: an addressee signs (签收) with ``POST …/receipt``, as opening
the page does. Writing and sending are in ``api.letter_proposals``.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef
from django.http import HttpRequest
from django.urls import reverse
from ninja import Field, Path, Query, Router, Schema

from ducha.api.common import BINARY, DOCX, ERRORS, PDF, PERIOD_PATTERN, keyset_page, period_param, stored_file
from ducha.api.letter_schemas import Box, LetterDetailOut, LetterKindCode, LetterPage, ReceiptOut
from ducha.api.schemas import AfterId, Error, RowId
from ducha.letters import actions
from ducha.letters.access import access_letter_by_id, receipt_filter, sending_unit, visible_letters
from ducha.letters.models import Letter, LetterRecipient
from ducha.org.access import business_reader
from ducha.org.models import User
from ducha.rules.periods import Period
from ducha.workcal import service as workcal

router = Router(tags=["letters"])
FILES = {"application/pdf": BINARY, DOCX: BINARY}


class LetterFilters(Schema):
    box: Box = Field(Box.ALL, description="received: addressed to you or your unit; sent: your unit's; all")
    kind: LetterKindCode | None = None
    period: str | None = Field(None, pattern=PERIOD_PATTERN, description="by the letter's date: 2026-10, 2026-Q3, "
                               "2026-H1 or 2026")
    to_unit: RowId | None = Field(None, description="only letters addressed to this unit")
    unread: bool | None = Field(None, description="true: only letters you (or your unit) have not signed for")
    after: AfterId | None = None
    limit: int = Field(50, ge=1, le=200)


class FilePath(Schema):
    letter_id: RowId
    fmt: str = Field(pattern="^(docx|pdf)$")


reader = business_reader  # the caller, who reads business data: administrators do not (as on the pages)


def _mine(user: User) -> Any:
    return LetterRecipient.objects.filter(receipt_filter(user), letter=OuterRef("pk"))


def letter_out(letter: Letter) -> dict[str, Any]:
    return {
        "id": letter.pk, "number": letter.number, "kind": letter.kind, "reason": letter.reason,
        "matter": letter.matter, "from_unit": letter.from_unit, "to_unit": letter.to_unit, "title": letter.title,
        "sent_on": letter.sent_on, "unread": bool(getattr(letter, "unread", False)),
    }


def letter_detail(user: User, letter: Letter) -> dict[str, Any]:
    recipients = list(letter.recipients.select_related("unit", "person", "read_by").order_by("sort_order", "id"))
    unread = LetterRecipient.objects.filter(receipt_filter(user), letter=letter, read_at__isnull=True).exists()
    files = {fmt: reverse("api:letter_file", kwargs={"letter_id": letter.pk, "fmt": fmt})
             for fmt, stored in (("docx", letter.docx_file), ("pdf", letter.pdf_file)) if stored}
    return {
        **letter_out(letter), "unread": unread, "body": letter.body, "due_date": letter.due_date,
        "overdue_workdays": letter.overdue_workdays, "silent_workdays": letter.silent_workdays,
        "sent_by": letter.sent_by, "sent_at": letter.sent_at, "render_error": letter.render_error, "files": files,
        "addressees": [{"role": r.role, "label": r.label, "unit": r.unit, "person": r.person,
                        "mandatory": r.mandatory, "read_at": r.read_at, "read_by": r.read_by} for r in recipients],
    }


@router.get("/letters", response={200: LetterPage, **ERRORS})
def list_letters(request: HttpRequest, filters: Query[LetterFilters]) -> Any:
    """The letters the caller may read, oldest first, by keyset."""
    user = reader(request)
    mine = _mine(user)
    qs = visible_letters(user)
    if filters.box == Box.RECEIVED:
        qs = qs.filter(Exists(mine))
    elif filters.box == Box.SENT:
        unit = sending_unit(user)
        qs = qs.filter(from_unit_id=unit.pk) if unit is not None else qs.none()
    if filters.kind is not None:
        qs = qs.filter(kind=filters.kind)
    if filters.period:
        period = period_param(filters.period, Period.containing("quarter", workcal.today()))
        qs = qs.filter(sent_on__gte=period.start, sent_on__lte=period.end)
    if filters.to_unit is not None:
        qs = qs.filter(to_unit_id=filters.to_unit)
    qs = qs.annotate(unread=Exists(mine.filter(read_at__isnull=True)))
    if filters.unread is not None:
        qs = qs.filter(unread=filters.unread)
    rows, next_after = keyset_page(qs.select_related("from_unit", "to_unit", "matter"), filters.after, filters.limit)
    return {"items": [letter_out(r) for r in rows], "next_after": next_after}


@router.get("/letters/{letter_id}", response={200: LetterDetailOut, **ERRORS})
def get_letter(request: HttpRequest, letter_id: RowId) -> Any:
    """A letter with its addressees and who signed for it; reading it here signs for nothing."""
    user = reader(request)
    return letter_detail(user, access_letter_by_id(user, letter_id))


@router.post("/letters/{letter_id}/receipt", response={200: ReceiptOut, 400: Error, 403: Error, **ERRORS})
def sign_letter(request: HttpRequest, letter_id: RowId) -> Any:
    """Sign for a letter addressed to you or your unit (签收), as opening its page does."""
    user = reader(request)
    letter, signed = actions.do_open_letter(actor=user, letter_id=letter_id)
    return {"signed": signed, "letter": letter_detail(user, letter)}


@router.get("/letters/{letter_id}/files/{fmt}", response={**ERRORS},
            openapi_extra={"responses": {200: {"description": "the letter (GB/T 9704-2012 layout)", "content": FILES}}})
def letter_file(request: HttpRequest, path: Path[FilePath]) -> Any:
    """The letter as .docx or PDF; 404 until it has been rendered (see ``render_error``)."""
    user = reader(request)
    letter = access_letter_by_id(user, path.letter_id)
    return stored_file(letter.docx_file if path.fmt == "docx" else letter.pdf_file, filename=f"{letter.number}.{path.fmt}",
                       content_type=PDF if path.fmt == "pdf" else DOCX, download=path.fmt == "docx")
