"""Reporting periods: month, quarter, half-year, year.

Tasks report monthly (S1.2), ledgers are checked per half-year and year (S2.4), and
bulletins and rankings summarise a quarter or a year.  One value type with a compact
text form ("2026-10", "2026-Q3", "2026-H1", "2026") keeps URLs, filters and stored
keys consistent, and ``label_zh`` gives the wording used on official documents.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Literal

__all__ = ["Period", "PeriodKind"]

PeriodKind = Literal["month", "quarter", "half", "year"]

# How many periods of each kind a year holds; months per period is 12 // this.
_PER_YEAR: dict[str, int] = {"month": 12, "quarter": 4, "half": 2, "year": 1}
_QUARTER_ZH = ("一", "二", "三", "四")
_PATTERN = re.compile(r"(\d{4})(?:-(?:(\d{2})|[Qq]([1-4])|[Hh]([12])))?", re.ASCII)


@dataclass(frozen=True, order=True)
class Period:
    """A calendar period; ``index`` is 1-based within the year (1 for a year).

    Ordering is chronological by start date, the shorter period first when two start
    together (2026-01 < 2026-Q1 < 2026-H1 < 2026), so mixed lists sort the way a
    reader expects rather than alphabetically by kind.
    """

    _sort_key: tuple[int, int, int] = field(init=False, repr=False)
    kind: PeriodKind
    year: int
    index: int = 1

    def __post_init__(self) -> None:
        per_year = _PER_YEAR.get(self.kind)
        if per_year is None:
            raise ValueError(f"unknown period kind {self.kind!r}")
        if not 1 <= self.year <= 9999:
            raise ValueError(f"year {self.year} is outside 1..9999")
        if not 1 <= self.index <= per_year:
            raise ValueError(f"a {self.kind} index must be 1..{per_year}, got {self.index}")
        object.__setattr__(self, "_sort_key", (self.year, self._first_month, 12 // per_year))

    @property
    def _months(self) -> int:
        return 12 // _PER_YEAR[self.kind]

    @property
    def _first_month(self) -> int:
        return (self.index - 1) * self._months + 1

    @property
    def start(self) -> date:
        return date(self.year, self._first_month, 1)

    @property
    def end(self) -> date:
        last_month = self._first_month + self._months - 1
        if last_month == 12:
            return date(self.year, 12, 31)
        return date(self.year, last_month + 1, 1) - timedelta(days=1)

    @property
    def label_zh(self) -> str:
        if self.kind == "month":
            return f"{self.year}年{self.index}月"
        if self.kind == "quarter":
            return f"{self.year}年第{_QUARTER_ZH[self.index - 1]}季度"
        if self.kind == "half":
            return f"{self.year}年{'上' if self.index == 1 else '下'}半年"
        return f"{self.year}年"

    @property
    def key(self) -> str:
        """The text form read by ``parse``."""
        if self.kind == "month":
            return f"{self.year:04d}-{self.index:02d}"
        if self.kind == "quarter":
            return f"{self.year:04d}-Q{self.index}"
        if self.kind == "half":
            return f"{self.year:04d}-H{self.index}"
        return f"{self.year:04d}"

    def __str__(self) -> str:
        return self.key

    def contains(self, d: date) -> bool:
        return self.start <= d <= self.end

    def _shift(self, step: int) -> Period:
        per_year = _PER_YEAR[self.kind]
        year, zero_based = divmod(self.year * per_year + self.index - 1 + step, per_year)
        return Period(self.kind, year, zero_based + 1)

    def next(self) -> Period:
        return self._shift(1)

    def previous(self) -> Period:
        return self._shift(-1)

    @classmethod
    def containing(cls, kind: PeriodKind, d: date) -> Period:
        per_year = _PER_YEAR.get(kind)
        if per_year is None:
            raise ValueError(f"unknown period kind {kind!r}")
        return cls(kind, d.year, (d.month - 1) // (12 // per_year) + 1)

    @classmethod
    def parse(cls, text: str) -> Period:
        """Read "2026-10", "2026-Q3", "2026-H1" or "2026" (Q/H in either case)."""
        m = _PATTERN.fullmatch(text)
        if m is None:
            raise ValueError(f"not a period: {text!r} (expected 2026-10, 2026-Q3, 2026-H1 or 2026)")
        year = int(m.group(1))
        month, quarter, half = m.group(2), m.group(3), m.group(4)
        try:
            if month is not None:
                return cls("month", year, int(month))
            if quarter is not None:
                return cls("quarter", year, int(quarter))
            if half is not None:
                return cls("half", year, int(half))
            return cls("year", year)
        except ValueError as exc:
            raise ValueError(f"not a period: {text!r} ({exc})") from None
