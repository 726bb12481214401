"""Working-day arithmetic behind every time limit of the platform (S1.2, S1.13, S2.3, S2.4).

Legal basis of counting:

* 民法典 第二百零一条: a period counted in days starts on the day *after* the day of
  receipt -- the start day itself is never counted.  "3 working days" for a request
  received on Friday morning therefore means the 3rd working day after that Friday.
* 行政许可法 第八十二条: a time limit expressed in working days excludes the statutory
  holidays (法定节假日).
* A working day is Monday-Friday, minus the statutory holidays, plus the make-up
  working days (调休上班) the State Council announces each year in its
  《国务院办公厅关于 XXXX 年部分节假日安排的通知》.

Those notices are published late in the preceding year, so the calendar knows exactly
the years it was given and refuses to answer for any other: a question touching an
uncovered year raises ``UncoveredYear`` naming that year.  A Mon-Fri guess would put
deadlines on 国庆 holidays silently, which is worse than a visible error telling an
administrator to load the next notice.  A year may instead be given *provisionally*
(暂定, ``provisional_years``): its days off are the statutory ones the caller worked out
(``ducha.rules.provisional``), and every answer that depends on it can say so
(``touches_provisional``), so the caller marks it and recomputes it once the notice is in.

Nothing here reads the clock: ``today`` is always an argument, so a deadline can be
replayed for any date in tests and audits.  Deadlines are recomputed in bulk (every
open request after a calendar edit), hence the precomputed O(1) index in
``WorkCalendar`` instead of walking day by day.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from ducha.rules.words import say

__all__ = [
    "DayKind",
    "UncoveredYear",
    "WorkCalendar",
    "elapsed_share",
    "handling_deadline",
    "milestone_before",
    "report_window",
    "schedule_backwards",
]

DayKind = Literal["workday", "weekend", "holiday"]


class UncoveredYear(LookupError):
    """The calendar was not given the State Council notice for ``year``."""

    def __init__(self, year: int) -> None:
        self.year = year
        super().__init__(say("calendar.uncovered", year=year))

    def __reduce__(self) -> tuple[type[UncoveredYear], tuple[int]]:
        # Keep ``year`` intact when the error crosses a process boundary (task queues).
        return (UncoveredYear, (self.year,))


def _first_offending(dates: Iterable[date]) -> str:
    return ", ".join(d.isoformat() for d in sorted(dates)[:5])


@dataclass(frozen=True)
class WorkCalendar:
    """Working days of the covered years; use ``WorkCalendar.build``.

    Index layout (all tuples, built once): day ``i`` is ordinal ``_lo + i`` within
    [1 Jan of the first year, 31 Dec of the last year].  ``_before[i]`` counts the
    working days strictly before day ``i``, so every count is a subtraction and the
    k-th working day is ``_days[k]``.  Years missing from a non-contiguous coverage
    belong to no "run" (``_run[i] == -1``); an answer is only given when it stays
    inside the run of covered years it started in.
    """

    years: tuple[int, ...]
    holidays: frozenset[date]
    makeup_workdays: frozenset[date]
    # Covered from the statutory rules, not from a notice (暂定); a subset of ``years``.
    provisional_years: frozenset[int] = frozenset()
    _lo: int = field(init=False, repr=False, compare=False)
    _ndays: int = field(init=False, repr=False, compare=False)
    _before: tuple[int, ...] = field(init=False, repr=False, compare=False)
    _days: tuple[date, ...] = field(init=False, repr=False, compare=False)
    _run: tuple[int, ...] = field(init=False, repr=False, compare=False)
    _run_kmin: tuple[int, ...] = field(init=False, repr=False, compare=False)
    _run_kmax: tuple[int, ...] = field(init=False, repr=False, compare=False)
    _run_first_year: tuple[int, ...] = field(init=False, repr=False, compare=False)
    _run_last_year: tuple[int, ...] = field(init=False, repr=False, compare=False)

    @classmethod
    def build(
        cls,
        years: Iterable[int],
        holidays: Iterable[date],
        makeup_workdays: Iterable[date],
        provisional_years: Iterable[int] = (),
    ) -> WorkCalendar:
        """``holidays``: every statutory day off, weekend days inside a span included;
        ``makeup_workdays``: the weekend days declared working days (调休上班);
        ``provisional_years``: those of ``years`` covered from the statutory rules only."""
        return cls(tuple(years), frozenset(holidays), frozenset(makeup_workdays), frozenset(provisional_years))

    def __post_init__(self) -> None:
        years = tuple(sorted(set(self.years)))
        if not years:
            raise ValueError("a working-day calendar needs at least one year")
        for y in years:
            if not 1 <= y <= 9999:
                raise ValueError(f"year {y} is outside 1..9999")
        holidays, makeup = frozenset(self.holidays), frozenset(self.makeup_workdays)
        for d in holidays | makeup:
            # datetime hashes differently from date, so a datetime here would never match.
            if type(d) is not date:
                raise TypeError(f"calendar days must be datetime.date, got {d!r}")
        covered = set(years)
        outside = {d for d in holidays | makeup if d.year not in covered}
        if outside:
            raise ValueError(f"dates outside the calendar years {years}: {_first_offending(outside)}")
        both = holidays & makeup
        if both:
            raise ValueError(f"dates both holiday and make-up workday: {_first_offending(both)}")
        weekdays = {d for d in makeup if d.weekday() < 5}
        if weekdays:
            # A make-up day is a weekend day turned into a working day; a weekday already is one.
            raise ValueError(f"make-up workdays must be Saturday or Sunday: {_first_offending(weekdays)}")
        provisional = frozenset(self.provisional_years)
        if not provisional <= covered:
            raise ValueError(f"provisional years {sorted(provisional - covered)} are not calendar years")
        guessed = {d for d in makeup if d.year in provisional}
        if guessed:
            # Make-up working days are the State Council's choice of each year: never guessed.
            raise ValueError(f"a provisional year has no make-up workdays: {_first_offending(guessed)}")

        run_of_year: dict[int, int] = {}
        first_years: list[int] = []
        last_years: list[int] = []
        for y in years:
            if first_years and y == last_years[-1] + 1:
                last_years[-1] = y
            else:
                first_years.append(y)
                last_years.append(y)
            run_of_year[y] = len(first_years) - 1

        lo = date(years[0], 1, 1).toordinal()
        hi = date(years[-1], 12, 31).toordinal()
        before = [0]
        days: list[date] = []
        run: list[int] = []
        kmin = [0] * len(first_years)
        kmax = [-1] * len(first_years)
        started: set[int] = set()
        for o in range(lo, hi + 1):
            d = date.fromordinal(o)
            r = run_of_year.get(d.year, -1)
            run.append(r)
            if r >= 0 and (d in makeup or (d.weekday() < 5 and d not in holidays)):
                if r not in started:
                    started.add(r)
                    kmin[r] = len(days)
                kmax[r] = len(days)
                days.append(d)
            before.append(len(days))
        for r in range(len(first_years)):
            if r not in started:
                kmin[r] = len(days)  # empty run: kmin > kmax, every lookup raises

        put = object.__setattr__
        put(self, "years", years)
        put(self, "holidays", holidays)
        put(self, "makeup_workdays", makeup)
        put(self, "provisional_years", provisional)
        put(self, "_lo", lo)
        put(self, "_ndays", hi - lo + 1)
        put(self, "_before", tuple(before))
        put(self, "_days", tuple(days))
        put(self, "_run", tuple(run))
        put(self, "_run_kmin", tuple(kmin))
        put(self, "_run_kmax", tuple(kmax))
        put(self, "_run_first_year", tuple(first_years))
        put(self, "_run_last_year", tuple(last_years))

    # -- coverage -------------------------------------------------------------------

    def covers(self, year: int) -> bool:
        return year in self.years

    def is_provisional(self, year: int) -> bool:
        return year in self.provisional_years

    def touches_provisional(self, a: date, b: date) -> bool:
        """Whether an answer computed over the days between ``a`` and ``b`` (either order,
        both ends included) depends on a provisional year: such an answer is 暂定."""
        if not self.provisional_years:
            return False
        lo, hi = (a.year, b.year) if a <= b else (b.year, a.year)
        return any(lo <= y <= hi for y in self.provisional_years)

    def announced(self) -> WorkCalendar:
        """The same calendar without its provisional years: answers only from the notices."""
        if not self.provisional_years:
            return self
        keep = [y for y in self.years if y not in self.provisional_years]
        if not keep:
            raise UncoveredYear(min(self.provisional_years))
        return WorkCalendar.build(
            keep, (d for d in self.holidays if d.year not in self.provisional_years), self.makeup_workdays
        )

    def day_counts(self) -> Iterator[tuple[date, int, int, int]]:
        """Each covered day with the working days before it and through it (counted from the
        calendar's first day) and the run of consecutive covered years it belongs to.

        What a database needs to count working days between two stored dates by subtraction:
        ``workdays_between(a, b)`` is ``through(b) - through(a)`` and ``workdays_in(a, b)``
        is ``through(b) - before(a)`` when both days are in the same run.
        """
        before, run, lo = self._before, self._run, self._lo
        for i, r in enumerate(run):
            if r >= 0:
                yield date.fromordinal(lo + i), before[i], before[i + 1], r

    def through(self, d: date) -> int:
        """Working days from the calendar's first day through ``d``: ``day_counts``'s third figure."""
        i, _ = self._locate(d)
        return self._before[i + 1]

    def run_of(self, d: date) -> int | None:
        """The run of covered years ``d`` is in; None when its year is not covered."""
        i = d.toordinal() - self._lo
        if not 0 <= i < self._ndays or self._run[i] < 0:
            return None
        return self._run[i]

    def _locate(self, d: date) -> tuple[int, int]:
        i = d.toordinal() - self._lo
        if not 0 <= i < self._ndays or (r := self._run[i]) < 0:
            raise UncoveredYear(d.year)
        return i, r

    # -- single days ----------------------------------------------------------------

    def day_kind(self, d: date) -> DayKind:
        i, _ = self._locate(d)
        if d in self.holidays:
            return "holiday"  # a holiday on a Saturday is still a holiday, not a weekend
        return "workday" if self._before[i + 1] != self._before[i] else "weekend"

    def is_workday(self, d: date) -> bool:
        i, _ = self._locate(d)
        return self._before[i + 1] != self._before[i]

    def next_workday_on_or_after(self, d: date) -> date:
        return self.add_workdays(d, 0)

    def workday_on_or_before(self, d: date) -> date:
        i, r = self._locate(d)
        k = self._before[i + 1] - 1
        if k < self._run_kmin[r]:
            raise UncoveredYear(self._run_first_year[r] - 1)
        return self._days[k]

    # -- arithmetic (hot path: inlined index checks, no helper calls) ---------------

    def add_workdays(self, start: date, n: int) -> date:
        """n >= 1: the n-th working day after ``start`` (民法典 art. 201: ``start`` never
        counts, working day or not).  n <= -1: the |n|-th working day before ``start``.
        n == 0: the first working day on or after ``start`` -- a "same day" answer for
        something received on a holiday can only be given on the next working day.

        Inverses, for n >= 1: ``add(add(d, -n), n) == next_workday_on_or_after(d)`` and
        ``add(add(d, n), -n) == workday_on_or_before(d)``; both are ``d`` on a working day.
        """
        i = start.toordinal() - self._lo
        if not 0 <= i < self._ndays or (r := self._run[i]) < 0:
            raise UncoveredYear(start.year)
        if n > 0:
            k = self._before[i + 1] + n - 1
            if k > self._run_kmax[r]:
                raise UncoveredYear(self._run_last_year[r] + 1)
        else:
            k = self._before[i] + n
            if k > self._run_kmax[r]:  # n == 0 after the last working day of the run
                raise UncoveredYear(self._run_last_year[r] + 1)
            if k < self._run_kmin[r]:
                raise UncoveredYear(self._run_first_year[r] - 1)
        return self._days[k]

    def workdays_between(self, a: date, b: date) -> int:
        """Working days in (a, b] when b >= a; minus those in [b, a) when b < a.

        The start is excluded and the destination included in both directions, so
        ``workdays_between(a, add_workdays(a, n)) == n`` for every n != 0.
        """
        ia = a.toordinal() - self._lo
        if not 0 <= ia < self._ndays or (r := self._run[ia]) < 0:
            raise UncoveredYear(a.year)
        ib = b.toordinal() - self._lo
        if ib >= ia:
            if ib >= self._ndays or self._run[ib] != r:
                raise UncoveredYear(self._run_last_year[r] + 1)
            return self._before[ib + 1] - self._before[ia + 1]
        if ib < 0 or self._run[ib] != r:
            raise UncoveredYear(self._run_first_year[r] - 1)
        return self._before[ib] - self._before[ia]

    def workdays_in(self, start: date, end: date) -> int:
        """Working days in [start, end], both ends included; 0 for an empty interval."""
        i, r = self._locate(start)
        j, _ = self._locate(end)
        if j < i:
            return 0
        if self._run[j] != r:
            raise UncoveredYear(self._run_last_year[r] + 1)
        return self._before[j + 1] - self._before[i]


# -- S1.13 ----------------------------------------------------------------------------


def handling_deadline(
    cal: WorkCalendar,
    received: date,
    departments: int,
    *,
    one_department_days: int = 3,
    several_departments_days: int = 5,
) -> date:
    """S1.13: a request handled by one department is due 3 working days after receipt;
    one needing several departments gets "one week", a setting that defaults to
    5 working days.  Counting starts the day after receipt (民法典 art. 201)."""
    if departments < 1:
        raise ValueError(f"departments must be at least 1, got {departments}")
    days = one_department_days if departments == 1 else several_departments_days
    if days < 1:
        raise ValueError(f"a handling time limit must be at least 1 working day, got {days}")
    return cal.add_workdays(received, days)


# -- S1.2 -----------------------------------------------------------------------------


def report_window(cal: WorkCalendar, year: int, month: int, working_days: int = 5) -> tuple[date, date]:
    """S1.2: the report for month ``month`` is due within the first ``working_days``
    working days of the following month (December reports in January of ``year + 1``).
    Returns the first and the last day of that window.

    Only days of the following month are consulted, so the December report of an
    uncovered year can still be placed in a covered January.  A window that would spill
    past its month is a misconfigured setting, not a longer deadline: ValueError.
    """
    if not 1 <= month <= 12:
        raise ValueError(f"month must be 1..12, got {month}")
    if working_days < 1:
        raise ValueError(f"the report window needs at least 1 working day, got {working_days}")
    ny, nm = (year + 1, 1) if month == 12 else (year, month + 1)
    opens = cal.next_workday_on_or_after(date(ny, nm, 1))
    closes = cal.add_workdays(opens, working_days - 1) if working_days > 1 else opens
    if opens.month != nm or closes.month != nm:
        raise ValueError(f"{ny}年{nm}月 has fewer than {working_days} working days; the S1.2 window cannot fit")
    return opens, closes


# -- S2.4 "time half, task half" --------------------------------------------------------


def elapsed_share(cal: WorkCalendar, start: date, end: date, today: date) -> float:
    """Share of the working days of [start, end] passed by ``today`` (today included).

    This is the "time" of S2.4's June check (时间过半、任务过半): progress is judged
    against working time actually available, not calendar days, so a long holiday does
    not make everyone look behind.  ``today`` is clamped into the interval first, so a
    ``today`` in an uncovered year does not matter once the interval is over.
    """
    if end < start:
        raise ValueError(f"interval ends ({end}) before it starts ({start})")
    total = cal.workdays_in(start, end)
    if today < start:
        return 0.0
    if total == 0:
        return 1.0 if today >= end else 0.0
    passed = cal.workdays_in(start, min(today, end))
    return min(1.0, max(0.0, passed / total))


# -- S2.3 backward scheduling ---------------------------------------------------------


def schedule_backwards(cal: WorkCalendar, start: date, deadline: date, count: int) -> list[date]:
    """S2.3: place ``count`` milestones on working days in (start, deadline], planned
    backwards from the deadline so the last one is the last working day on or before it.

    The working days W available after ``start`` are split evenly: milestone j (1-based)
    lies floor((count - j) * W / count) working days before the last one.  Milestones are
    distinct whenever W >= count; with fewer days some must share a day (returned
    ascending, duplicates kept, so the caller still gets ``count`` dates).
    """
    if count < 1:
        raise ValueError(f"count must be at least 1, got {count}")
    last = cal.workday_on_or_before(deadline)
    available = cal.workdays_between(start, last) if last > start else 0
    if available < 1:
        raise ValueError(f"no working day after {start} on or before the deadline {deadline}")
    return [cal.add_workdays(last, -((count - j) * available // count)) for j in range(1, count + 1)]


def milestone_before(cal: WorkCalendar, deadline: date, workdays_before: int) -> date:
    """S2.3: the ``workdays_before``-th working day before ``deadline``; with 0, the last
    working day on or before it (an internal milestone is never pushed past a deadline)."""
    if workdays_before < 0:
        raise ValueError(f"workdays_before must be >= 0, got {workdays_before}")
    if workdays_before == 0:
        return cal.workday_on_or_before(deadline)
    return cal.add_workdays(deadline, -workdays_before)
