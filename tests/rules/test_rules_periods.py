"""Reporting periods (S1.2 monthly reports, S2.4 half-year and year ledgers)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ducha.rules.periods import Period, PeriodKind

KINDS: tuple[PeriodKind, ...] = ("month", "quarter", "half", "year")


@pytest.mark.parametrize(
    ("text", "period", "label", "start", "end"),
    [
        ("2026-10", Period("month", 2026, 10), "2026年10月", date(2026, 10, 1), date(2026, 10, 31)),
        ("2024-02", Period("month", 2024, 2), "2024年2月", date(2024, 2, 1), date(2024, 2, 29)),
        ("2026-Q3", Period("quarter", 2026, 3), "2026年第三季度", date(2026, 7, 1), date(2026, 9, 30)),
        ("2026-Q4", Period("quarter", 2026, 4), "2026年第四季度", date(2026, 10, 1), date(2026, 12, 31)),
        ("2026-H1", Period("half", 2026, 1), "2026年上半年", date(2026, 1, 1), date(2026, 6, 30)),
        ("2026-H2", Period("half", 2026, 2), "2026年下半年", date(2026, 7, 1), date(2026, 12, 31)),
        ("2026", Period("year", 2026), "2026年", date(2026, 1, 1), date(2026, 12, 31)),
    ],
)
def test_parse_label_bounds(text: str, period: Period, label: str, start: date, end: date) -> None:
    assert Period.parse(text) == period
    assert str(period) == period.key == text
    assert period.label_zh == label
    assert (period.start, period.end) == (start, end)


def test_parse_accepts_lowercase_q_and_h() -> None:
    assert Period.parse("2026-q3") == Period("quarter", 2026, 3)
    assert Period.parse("2026-h2") == Period("half", 2026, 2)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "2026-13",
        "2026-00",
        "2026-Q5",
        "2026-Q0",
        "2026-H3",
        "26-10",
        "2026-1",
        "2026/10",
        " 2026",
        "２０２６",
    ],
)
def test_parse_rejects_and_names_bad_text(text: str) -> None:
    with pytest.raises(ValueError, match="not a period") as info:
        Period.parse(text)
    assert repr(text) in str(info.value)


def test_invalid_construction() -> None:
    with pytest.raises(ValueError, match=r"1\.\.4"):
        Period("quarter", 2026, 5)
    with pytest.raises(ValueError, match="week"):
        Period("week", 2026, 1)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"1\.\.9999"):
        Period("year", 0)


def test_next_previous_cross_year() -> None:
    assert Period("month", 2026, 12).next() == Period("month", 2027, 1)
    assert Period("month", 2026, 1).previous() == Period("month", 2025, 12)
    assert Period("quarter", 2026, 4).next() == Period("quarter", 2027, 1)
    assert Period("half", 2026, 1).previous() == Period("half", 2025, 2)
    assert Period("year", 2026).next() == Period("year", 2027)


def test_containing_and_contains() -> None:
    d = date(2026, 8, 15)
    assert Period.containing("month", d) == Period("month", 2026, 8)
    assert Period.containing("quarter", d) == Period("quarter", 2026, 3)
    assert Period.containing("half", d) == Period("half", 2026, 2)
    assert Period.containing("year", d) == Period("year", 2026)
    assert Period("quarter", 2026, 3).contains(d)
    assert not Period("quarter", 2026, 3).contains(date(2026, 10, 1))


def test_order_is_chronological_shorter_first() -> None:
    mixed = [
        Period("year", 2026),
        Period("month", 2026, 2),
        Period("half", 2026, 1),
        Period("quarter", 2026, 1),
        Period("month", 2026, 1),
        Period("month", 2025, 12),
    ]
    assert [p.key for p in sorted(mixed)] == ["2025-12", "2026-01", "2026-Q1", "2026-H1", "2026", "2026-02"]


@settings(max_examples=1000, deadline=None)
@given(st.sampled_from(KINDS), st.dates(date(1900, 1, 1), date(2100, 12, 31)))
def test_periods_tile_the_calendar(kind: PeriodKind, d: date) -> None:
    p = Period.containing(kind, d)
    assert p.contains(d)
    assert p.next().start == p.end + timedelta(days=1)
    assert p.previous().end == p.start - timedelta(days=1)
    assert p.next().previous() == p
    assert Period.parse(p.key) == p
    assert p < p.next()
