"""A matter's number (编号), DB2026-0001: the year and the next number of the year's register row.

Numbers come from the one register (``ducha.documents.register``), so two people creating
matters at once get two numbers, never the same one and a unique-constraint error. The
register row of a year that already has matters (numbered before the register served them)
starts after the highest of them.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db.models import BigIntegerField, Max
from django.db.models.functions import Cast, Substr

from ducha.documents.register import note_numbers_given, take_document_number, take_numbers
from ducha.matters.models import Matter

MATTER_PREFIX = "DB"


def matter_number(year: int, seq: int) -> str:
    return f"{MATTER_PREFIX}{year}-{seq:04d}"


def highest_number(year: int) -> int:
    """The highest sequence among the year's matters numbered DB<year>-N (0 for none)."""
    head = f"{MATTER_PREFIX}{year}-"
    # Compared as integers: "DB2026-10000" sorts below "DB2026-9999" as text.
    top = (Matter.objects.filter(year=year, number__regex=rf"^{head}[0-9]+$")
           .aggregate(top=Max(Cast(Substr("number", len(head) + 1), BigIntegerField())))["top"])
    return int(top or 0)


def next_matter_number(year: int) -> str:
    """Take the year's next matter number; call inside the transaction that creates the matter."""
    return matter_number(year, take_document_number(MATTER_PREFIX, year, floor=lambda: highest_number(year)))


def take_matter_numbers(year: int, count: int, *, given: Sequence[int] = ()) -> list[str]:
    """``count`` new numbers for the year, after the numbers ``given`` by hand (a ledger file's own
    编号), which the register then never gives again."""

    def floor() -> int:
        return highest_number(year)

    if given:
        note_numbers_given(MATTER_PREFIX, year, max(given), floor=floor)
    if count <= 0:
        return []
    return [matter_number(year, n) for n in take_numbers(MATTER_PREFIX, year, count, floor=floor)]
