"""The provisional days off of unannounced years, from lunar-python (docs/decisions/0003).

``ducha.rules.provisional`` applies the law to festival dates it is given; this module
finds those dates. The library is only called here, once per year and process: a year's
lunar dates never change, so they are kept for the life of the process.
"""

from __future__ import annotations

from datetime import date
from functools import cache

from lunar_python import Lunar

from ducha.rules.provisional import FIRST_YEAR, FestivalDates, StatutoryDay, statutory_days

# Shown beside every provisional year, in both languages' data (the name of the law).
BASIS = "《全国年节及纪念日放假办法》（2024年修订）"
# What a document (督查通知, 提醒函, an inbox message) writes after a provisional date.
MARK = "（暂定）"


def provisional_mark(provisional: bool) -> str:
    """A document never prints a provisional date without saying so."""
    return MARK if provisional else ""


def _gregorian(solar: object) -> date:
    return date(solar.getYear(), solar.getMonth(), solar.getDay())  # type: ignore[attr-defined]


@cache
def festival_dates(year: int) -> FestivalDates:
    """正月初一, 清明, 五月初五 and 八月十五 of ``year`` in the Gregorian calendar."""
    new_year = Lunar.fromYmd(year, 1, 1)
    return FestivalDates(
        year=year,
        spring_festival=_gregorian(new_year.getSolar()),
        # The solar-term table of the lunar year that starts in ``year`` holds its 清明.
        qingming=_gregorian(new_year.getJieQiTable()["清明"]),
        dragon_boat=_gregorian(Lunar.fromYmd(year, 5, 5).getSolar()),
        mid_autumn=_gregorian(Lunar.fromYmd(year, 8, 15).getSolar()),
    )


@cache
def provisional_days(year: int) -> tuple[StatutoryDay, ...]:
    """The days off of ``year`` under the 2024 rules with 补假 (no make-up working days)."""
    return tuple(statutory_days(festival_dates(year)))


def can_be_provisional(year: int) -> bool:
    """Only years the 2024 revision governs can be worked out from it."""
    return year >= FIRST_YEAR
