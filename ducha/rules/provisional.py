"""The days off of a year the State Council has not announced yet: the provisional calendar (暂定日历).

The State Council's notice for year Y usually comes out in November of Y-1, but work
planned across New Year, and three-year action plans, need working days of Y before it.
Until the notice is imported such a year is covered provisionally from the law itself,
《全国年节及纪念日放假办法》 as revised by 国务院令第795号 (2024-11-10, in force 2025-01-01;
text and source in docs/decisions/0003-provisional-calendar.md):

* 第二条 (holidays of all citizens): 元旦 1 day (1 January); 春节 4 days (农历除夕, 正月初一
  to 初三); 清明节 1 day (the day of the 清明 solar term); 劳动节 2 days (1–2 May); 端午节
  1 day (农历五月初五); 中秋节 1 day (农历八月十五); 国庆节 3 days (1–3 October).
* 第六条: a holiday of all citizens that falls on a Saturday or Sunday is made up on a
  working day (补假). Where the law does not say which day, the rule here is the one the
  notices have followed: the first working day after the holiday block that is not itself
  a day off. A festival day that coincides with another festival's day (中秋 on 1–3
  October) owes its day off the same way, as the law gives each festival its own day
  (in 2020, 中秋 on 1 October, the notice gave 8 days).
* No make-up working days (调休上班) are guessed: those are the State Council's choice of
  each year, so a provisional year has only days off, never a working Saturday.

The lunar dates and the solar term are inputs (``FestivalDates``): the app computes
them with a maintained library, so nothing here reads a table of holidays or a clock.
除夕 is the day before 正月初一, whether that is 腊月三十 or, in a year whose twelfth lunar
month has 29 days (2025–2029), 腊月廿九.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

__all__ = [
    "FIRST_YEAR",
    "FestivalDates",
    "StatutoryDay",
    "statutory_days",
]

# The first year the 2024 revision governs; earlier years had 3 days of 春节 and 1 of 劳动节.
FIRST_YEAR = 2025
ONE_DAY = timedelta(days=1)
IN_LIEU = "（补假）"

# Where each lunar or solar-term festival can fall in the Gregorian calendar (1900–2100,
# with a margin): a date outside is a wrong input (a lunar date passed as a solar one),
# refused rather than turned into a wrong holiday.
_BOUNDS = {
    "spring_festival": ((1, 19), (2, 22)),
    "qingming": ((4, 3), (4, 6)),
    "dragon_boat": ((5, 26), (6, 27)),
    "mid_autumn": ((9, 6), (10, 10)),
}


@dataclass(frozen=True)
class FestivalDates:
    """The Gregorian dates of the festivals that move, for ``year``."""

    year: int
    spring_festival: date  # 正月初一
    qingming: date  # the day of the 清明 solar term
    dragon_boat: date  # 端午, 五月初五
    mid_autumn: date  # 中秋, 八月十五

    def __post_init__(self) -> None:
        if self.year < FIRST_YEAR:
            raise ValueError(
                f"the 2024 holiday rules apply from {FIRST_YEAR}; {self.year} had its own (not provisional)"
            )
        for name, ((m1, d1), (m2, d2)) in _BOUNDS.items():
            value: date = getattr(self, name)
            if type(value) is not date:
                raise TypeError(f"{name} must be a datetime.date, got {value!r}")
            if not date(self.year, m1, d1) <= value <= date(self.year, m2, d2):
                raise ValueError(f"{name} {value.isoformat()} cannot be in {self.year}")


@dataclass(frozen=True)
class StatutoryDay:
    date: date
    name: str  # e.g. 春节, 国庆节、中秋节, 劳动节（补假）
    in_lieu: bool = False  # 补假: owed for a festival day on a weekend or on another festival


def _festivals(f: FestivalDates) -> list[tuple[str, list[date]]]:
    """第二条, in the law's order."""
    y = f.year
    return [
        ("元旦", [date(y, 1, 1)]),
        ("春节", [f.spring_festival - ONE_DAY + k * ONE_DAY for k in range(4)]),
        ("清明节", [f.qingming]),
        ("劳动节", [date(y, 5, 1), date(y, 5, 2)]),
        ("端午节", [f.dragon_boat]),
        ("中秋节", [f.mid_autumn]),
        ("国庆节", [date(y, 10, d) for d in (1, 2, 3)]),
    ]


def statutory_days(f: FestivalDates) -> list[StatutoryDay]:
    """Every day off of the year under the 2024 rules, ascending: the festival days, then
    each 补假 on the first working day after its holiday block that is not a day off."""
    names: dict[date, list[str]] = {}
    owed: list[tuple[date, str]] = []
    for name, days in _festivals(f):
        for d in days:
            if d.weekday() >= 5 or d in names:
                owed.append((d, name))
            names.setdefault(d, []).append(name)
    off: dict[date, StatutoryDay] = {
        d: StatutoryDay(d, "、".join(festival)) for d, festival in names.items()
    }
    for d, name in sorted(owed):
        end = d
        while end + ONE_DAY in names:
            end += ONE_DAY
        lieu = end + ONE_DAY
        while lieu.weekday() >= 5 or lieu in off:
            lieu += ONE_DAY
        off[lieu] = StatutoryDay(lieu, name + IN_LIEU, in_lieu=True)
    return sorted(off.values(), key=lambda s: s.date)
