"""A paginator that stops counting at a cap.

An exact ``COUNT(*)`` over a city's million matters costs more than the page itself (bench/
lists.py: 0.3–1.7 s). Nobody pages past 100 pages; they filter. So the count reads at most
``cap + 1`` rows and the page says "more than 2,500" when it reaches the cap; the last
reachable page is the cap's.
"""

from __future__ import annotations

from functools import cached_property

from django.core.paginator import Paginator

COUNT_CAP = 2500


class CappedPaginator(Paginator):  # type: ignore[type-arg]
    def __init__(self, object_list, per_page, *, cap: int | None = None, count_from=None, **kwargs) -> None:  # type: ignore[no-untyped-def]
        """``count_from``: the same rows as model querysets (disjoint parts whose sizes add
        up), when counting ``object_list`` itself would be slower: a ``values()`` query keeps
        the joins of its related columns, and one OR across indexes is read row by row."""
        super().__init__(object_list, per_page, **kwargs)
        self.cap = COUNT_CAP if cap is None else cap
        parts = count_from if count_from is not None else [object_list]
        self.count_from = parts if isinstance(parts, list) else [parts]

    @cached_property
    def _capped_count(self) -> int:
        total = 0
        for qs in self.count_from:
            if total > self.cap:
                break  # already past the cap: the other parts cannot change what is shown
            if hasattr(qs, "order_by"):
                # SELECT COUNT(*) FROM (SELECT id … LIMIT cap + 1): neither the ordering nor the
                # displayed columns matter to a count.
                total += int(qs.order_by().values("pk")[: self.cap + 1].count())
            else:
                total += len(qs)
        return total

    @cached_property
    def count(self) -> int:
        return min(self._capped_count, self.cap)

    @property
    def capped(self) -> bool:
        """True when there are more rows than the count says."""
        return self._capped_count > self.cap
