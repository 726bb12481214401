"""S1.16: the accountability ladder and the statutory periods of a sanction.

The seed: "对一年内两次被问责的单位，对其主要负责人和分管负责人进行诫勉谈话；三次被问责的，
给予行政处分". Per unit, a record held to account is counted in its window (the calendar year
of its decision by default; the seed map names a rolling twelve months as the other reading);
the record that makes the count two raises an admonishment talk (诫勉谈话), each record that
makes it three or more raises a referral for a sanction (处分). A revoked record (an appeal
upheld) does not count, and the ladder is recomputed without it.

The platform cannot impose a sanction: only the appointing body or the supervisory commission
can (政务处分法). It records the referral and, once decided, the kind, and computes the period
the kind carries (政务处分法 art. 8; 行政机关公务员处分条例 art. 7): 警告 6 months, 记过 12,
记大过 18, 降级 and 撤职 24; 开除 ends the employment and has no period. A new sanction decided
while an earlier one runs adds its period to what is left of the earlier one, and the whole
runs at most 48 months from the new decision (处分条例 art. 10). Sources:
``shared/reference/approvals-evaluation-accountability.md`` §3.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal

__all__ = [
    "CAP_MONTHS",
    "SANCTION_MONTHS",
    "CountedRecord",
    "Rung",
    "RungKind",
    "SanctionKind",
    "SanctionPeriod",
    "WindowRule",
    "add_months",
    "ladder",
    "records_counted",
    "sanction_period",
    "window_of",
]

WindowRule = Literal["calendar_year", "rolling_12_months"]
RungKind = Literal["admonishment_talk", "sanction_referral"]
SanctionKind = Literal["warning", "demerit", "major_demerit", "demotion", "dismissal", "expulsion"]

# 政务处分法 art. 8, 行政机关公务员处分条例 art. 7; None: 开除 has no period.
SANCTION_MONTHS: dict[SanctionKind, int | None] = {
    "warning": 6,  # 警告
    "demerit": 12,  # 记过
    "major_demerit": 18,  # 记大过
    "demotion": 24,  # 降级
    "dismissal": 24,  # 撤职
    "expulsion": None,  # 开除
}
CAP_MONTHS = 48  # 处分条例 art. 10: a period running into a new one, at most 48 months in all


@dataclass(frozen=True)
class CountedRecord:
    """A unit's accountability record as the ladder sees it: when it was decided, and whether an
    upheld appeal revoked it. ``id`` orders records decided on the same day."""

    id: int
    decided_on: date
    revoked: bool = False


@dataclass(frozen=True)
class Rung:
    """A consequence the ladder raises: which record raised it, its place in the window's count,
    and the records counted with it (the ones behind the consequence)."""

    kind: RungKind
    raised_by: int
    count: int
    records: tuple[int, ...]
    window: tuple[date, date]


def add_months(day: date, months: int) -> date:
    """``day`` plus ``months`` calendar months; a day the month lacks becomes its last day
    (31 August + 6 months = 28 or 29 February)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def window_of(day: date, rule: WindowRule) -> tuple[date, date]:
    """The window a record decided on ``day`` is counted in, first and last day included."""
    if rule == "calendar_year":
        return date(day.year, 1, 1), date(day.year, 12, 31)
    # twelve months ending on the day: from the day after the same day a year before
    return date.fromordinal(add_months(day, -12).toordinal() + 1), day


def records_counted(records: Iterable[CountedRecord], first: date, last: date) -> list[CountedRecord]:
    """The unrevoked records decided in [first, last], in order."""
    return sorted((r for r in records if not r.revoked and first <= r.decided_on <= last),
                  key=lambda r: (r.decided_on, r.id))


def ladder(records: Sequence[CountedRecord], *, rule: WindowRule = "calendar_year") -> list[Rung]:
    """Every consequence one unit's records raise, in the order of the records that raise them.

    At each unrevoked record, the records of its window up to it are counted: two raise an
    admonishment talk, three or more a referral for a sanction. In a calendar year that is the
    2nd and the 3rd (and later) record of the year; over a rolling twelve months, a record with
    one other in the twelve months before it raises a talk, one with two or more a referral.
    """
    rungs: list[Rung] = []
    live = sorted((r for r in records if not r.revoked), key=lambda r: (r.decided_on, r.id))
    for i, record in enumerate(live):
        window = window_of(record.decided_on, rule)
        before = [r for r in live[:i] if r.decided_on >= window[0]]
        count = len(before) + 1
        if count < 2:
            continue
        kind: RungKind = "admonishment_talk" if count == 2 else "sanction_referral"
        rungs.append(Rung(kind, record.id, count, tuple(r.id for r in (*before, record)), window))
    return rungs


@dataclass(frozen=True)
class SanctionPeriod:
    """A decided sanction's period: from ``starts`` to ``ends`` (the last day), the months the
    kind carries, what it carried over from a running one, and whether the cap cut it."""

    kind: SanctionKind
    starts: date
    ends: date | None  # None: 开除, no period
    months: int | None
    carried_days: int = 0
    capped: bool = False

    def explain(self) -> str:
        if self.ends is None:
            return f"{self.kind}: no period (the employment ends)"
        text = f"{self.kind}: {self.months} months from {self.starts.isoformat()}"
        if self.carried_days:
            text += f", plus {self.carried_days} days left of the sanction still running"
        if self.capped:
            text += f", cut to {CAP_MONTHS} months in all"
        return f"{text}: until {self.ends.isoformat()}"


def sanction_period(kind: SanctionKind, starts: date, running_until: date | None = None) -> SanctionPeriod:
    """The period of a sanction of ``kind`` taking effect on ``starts``. ``running_until``: the
    last day of a sanction of the same person still running then, whose rest is added."""
    if kind not in SANCTION_MONTHS:
        raise ValueError(f"{kind!r} is not a sanction kind ({', '.join(SANCTION_MONTHS)})")
    months = SANCTION_MONTHS[kind]
    if months is None:
        return SanctionPeriod(kind, starts, None, None)
    # A period of n months ends the day before the same day n months on.
    ends = date.fromordinal(add_months(starts, months).toordinal() - 1)
    carried = 0
    if running_until is not None and running_until >= starts:
        carried = (running_until - starts).days + 1
        ends = date.fromordinal(ends.toordinal() + carried)
    cap = date.fromordinal(add_months(starts, CAP_MONTHS).toordinal() - 1)
    capped = ends > cap
    return SanctionPeriod(kind, starts, min(ends, cap), months, carried, capped)
