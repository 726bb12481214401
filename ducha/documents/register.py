"""The number register: 发文字号 of the office's documents (通报, 督查通知, 提醒函) and the
numbers of matters (DB2026-0001), one row per prefix and year (``DocumentSequence``).

Every kind that shares a prefix shares its row, as a real office's register does. A number
is taken by one ``UPDATE … SET last = last + n`` on that row: concurrent callers queue on its
row lock (PostgreSQL) or the write lock (SQLite, immediate transactions) and each reads back
its own numbers, so no number is given twice and none is skipped while the transaction
commits. Call these inside the transaction that uses the number.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import F

from ducha.documents.models import DocumentSequence

Floor = Callable[[], int]


def _row(prefix: str, year: int, floor: Floor | None) -> None:
    # A year's row is made on first use; ``floor`` is the highest number already given outside
    # the register (matters numbered before it existed), asked only then. Two first users at
    # once: the second INSERT waits on the unique index and then finds the first one's row.
    if not DocumentSequence.objects.filter(prefix=prefix, year=year).exists():
        DocumentSequence.objects.get_or_create(prefix=prefix, year=year,
                                               defaults={"last": floor() if floor else 0})


def take_numbers(prefix: str, year: int, count: int, *, floor: Floor | None = None) -> range:
    """The next ``count`` numbers under ``prefix`` in ``year``, taken together."""
    _row(prefix, year, floor)
    seq = DocumentSequence.objects.filter(prefix=prefix, year=year)
    seq.update(last=F("last") + count)
    last = int(seq.values_list("last", flat=True).get())
    return range(last - count + 1, last + 1)


def take_document_number(prefix: str, year: int, *, floor: Floor | None = None) -> int:
    """The next number under ``prefix`` in ``year``."""
    return take_numbers(prefix, year, 1, floor=floor)[0]


def note_numbers_given(prefix: str, year: int, highest: int, *, floor: Floor | None = None) -> None:
    """Numbers up to ``highest`` were given by hand (a ledger file's own 编号): the register goes on
    after them, never back."""
    _row(prefix, year, floor)
    DocumentSequence.objects.filter(prefix=prefix, year=year, last__lt=highest).update(last=highest)


def next_document_number(prefix: str, year: int) -> int:
    """The number the next document under ``prefix`` would take now (for a confirmation to name;
    ``take_document_number`` decides, so a document issued in between moves it on)."""
    last = DocumentSequence.objects.filter(prefix=prefix, year=year).values_list("last", flat=True).first()
    return int(last or 0) + 1
