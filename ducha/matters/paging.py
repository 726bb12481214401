"""Pages of the matter list in its default order (newest year first, then number).

A numbered page (``?page=40``) is an OFFSET: the database reads and drops every row before
it, so page 100 costs far more than page 1. "Next" and "Previous" carry the key of the last
(or first) row shown instead (``?page=41&after=2026~DB2026-0975``), and the next page starts
right after that key in the ``matter_year_number`` index: every page costs what page 1 costs
however far one goes, even past the count's cap. Other sort orders page by number only.
"""

from __future__ import annotations

from typing import Any

from django.core.paginator import Page
from django.db import connection
from django.db.models import Q, QuerySet

from ducha.paging import CappedPaginator

SEPARATOR = "~"


def encode(row: dict[str, Any]) -> str:
    return f"{row['year']}{SEPARATOR}{row['number']}"


def decode(raw: str | None) -> tuple[int, str] | None:
    """(year, number), or None for anything that is not a key this module wrote."""
    if not raw or SEPARATOR not in raw:
        return None
    year, _, number = raw.partition(SEPARATOR)
    if not (year.isdigit() and len(year) == 4) or not number or len(number) > 30:
        return None
    return int(year), number


class KeysetPage(Page):  # type: ignore[type-arg]
    """A page reached from a neighbour's key; its own number is what the link said."""

    def __init__(self, rows: list[dict[str, Any]], number: int, paginator: CappedPaginator, *,
                 more_after: bool, more_before: bool) -> None:
        super().__init__(rows, number, paginator)
        self._more_after, self._more_before = more_after, more_before

    def has_next(self) -> bool:
        return self._more_after

    def has_previous(self) -> bool:
        return self._more_before and self.number > 1

    def next_page_number(self) -> int:
        return self.number + 1

    def previous_page_number(self) -> int:
        return max(1, self.number - 1)

    def start_index(self) -> int:
        return (self.number - 1) * self.paginator.per_page + 1

    def end_index(self) -> int:
        return self.start_index() + len(self.object_list) - 1


def _beyond(rows: QuerySet[Any], key: tuple[int, str], limit: int, *, forward: bool) -> list[dict[str, Any]]:
    """The ``limit`` rows after (or, backwards, before) ``key`` in list order.

    The order mixes directions (year descending, number ascending), so no single index range
    starts at the key: ``year < Y OR (year = Y AND number > N)`` would walk every row before
    it. Two ranges, each an index range scan from the key, joined by UNION ALL, read only
    what is shown. SQLite cannot limit the parts of a UNION; there the OR serves (an
    embedded city is small).
    """
    y, n = key
    order = ("-year", "number") if forward else ("year", "-number")
    same = rows.filter(year=y, number__gt=n) if forward else rows.filter(year=y, number__lt=n)
    other = rows.filter(year__lt=y) if forward else rows.filter(year__gt=y)
    if connection.features.supports_slicing_ordering_in_compound:
        both = same.order_by(*order)[:limit].union(other.order_by(*order)[:limit], all=True)
        return list(both.order_by(*order)[:limit])
    either = (Q(year__lt=y) | Q(year=y, number__gt=n)) if forward else (Q(year__gt=y) | Q(year=y, number__lt=n))
    return list(rows.filter(either).order_by(*order)[:limit])


def matter_page(rows: QuerySet[Any], paginator: CappedPaginator, params: Any, *, keyset: bool) -> Page:  # type: ignore[type-arg]
    """The page the request asks for, with ``next_after``/``previous_before`` keys for its
    links when ``keyset`` (the list is in its default order)."""
    after = decode(params.get("after")) if keyset else None
    before = decode(params.get("before")) if keyset else None
    size = paginator.per_page
    if after is None and before is None:
        page = paginator.get_page(params.get("page"))
    else:
        try:
            number = max(1, int(params.get("page") or 1))
        except ValueError:
            number = 1
        if after is not None:
            found = _beyond(rows, after, size + 1, forward=True)
            page = KeysetPage(found[:size], number, paginator, more_after=len(found) > size, more_before=True)
        else:
            assert before is not None
            found = _beyond(rows, before, size + 1, forward=False)
            page = KeysetPage(found[:size][::-1], number, paginator, more_after=True,
                              more_before=len(found) > size)
    shown = list(page.object_list)
    page.next_after = encode(shown[-1]) if keyset and shown and page.has_next() else None  # type: ignore[attr-defined]
    page.previous_before = encode(shown[0]) if keyset and shown and page.has_previous() else None  # type: ignore[attr-defined]
    return page
