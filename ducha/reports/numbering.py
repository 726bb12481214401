"""发文字号: the sequence numbers of the office's official documents (通报, 督查通知, 提醒函).

One row per prefix and year (``DocumentSequence``); every document kind that shares a
prefix shares its sequence, as a real office's register does.
"""

from __future__ import annotations

from django.db.models import F

from ducha.reports.models import DocumentSequence


def take_document_number(prefix: str, year: int) -> int:
    """The next sequence number under ``prefix`` in ``year``; call inside a transaction.

    One UPDATE ... SET last = last + 1 on the shared row: concurrent callers queue on its
    row lock (PostgreSQL) or the write lock (SQLite) and each reads back its own number, so
    no number is given twice and none is skipped while the transaction commits.
    """
    DocumentSequence.objects.get_or_create(prefix=prefix, year=year)
    seq = DocumentSequence.objects.filter(prefix=prefix, year=year)
    seq.update(last=F("last") + 1)
    return int(seq.values_list("last", flat=True).get())


def next_document_number(prefix: str, year: int) -> int:
    """The number the next document under ``prefix`` would take now (for a confirmation to name;
    ``take_document_number`` decides, so a document issued in between moves it on)."""
    last = DocumentSequence.objects.filter(prefix=prefix, year=year).values_list("last", flat=True).first()
    return int(last or 0) + 1
