"""Geometry of the server-drawn charts: stacked light bars, a status donut, the battle map.

Charts are inline SVG computed here and drawn by templates, so pages need no chart
library, no script and no other origin (the intranet has none), and every figure also
appears as text next to it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from ducha.matters.overview import Row
from ducha.matters.summary import LightCounts

LIGHT_ORDER = ("red", "yellow", "green")


@dataclass(frozen=True)
class Segment:
    key: str
    x: float
    width: float
    n: int


def stacked(counts: LightCounts, scale: int) -> list[Segment]:
    """Red, yellow, green side by side on a 0–100 axis where 100 is ``scale`` matters."""
    out, x = [], 0.0
    values = {"red": counts.red, "yellow": counts.yellow, "green": counts.on_track}
    for key in LIGHT_ORDER:
        n = values[key]
        if n and scale:
            w = 100.0 * n / scale
            out.append(Segment(key, round(x, 3), round(w, 3), n))
            x += w
    return out


@dataclass(frozen=True)
class Arc:
    key: str
    label: str
    n: int
    dasharray: str
    dashoffset: float
    percent: str


DONUT_R = 15.915  # circumference 100: dash lengths are percentages


def donut(parts: Sequence[tuple[str, str, int]]) -> list[Arc]:
    """Arcs of a donut (circle r so that the circumference is 100), starting at 12 o'clock."""
    total = sum(n for _, _, n in parts)
    circumference = 2 * math.pi * DONUT_R
    out, done = [], 0.0
    for key, label, n in parts:
        if not n:
            continue
        length = circumference * n / total
        out.append(Arc(key, label, n, f"{length:.3f} {circumference - length:.3f}",
                       round(circumference / 4 - done, 3), f"{100 * n / total:.0f}%"))
        done += length
    return out


@dataclass(frozen=True)
class Tick:
    x: float
    label: str
    major: bool


ROW_HEIGHT = 40
BAR_Y, BAR_H = 12, 16


@dataclass
class Marker:
    x: float
    title: str
    due: date
    done: bool
    late: bool

    @property
    def points(self) -> str:
        """A diamond on the bar's centre line."""
        cy, r = BAR_Y + BAR_H / 2, 6.5
        return f"{self.x:.1f},{cy - r} {self.x + r:.1f},{cy} {self.x:.1f},{cy + r} {self.x - r:.1f},{cy}"


@dataclass
class GanttRow:
    row: Row
    x: float
    width: float
    clipped_left: bool
    clipped_right: bool
    no_deadline: bool
    markers: list[Marker] = field(default_factory=list)

    @property
    def progress_width(self) -> float:
        return round(self.width * self.row.progress / 100, 2)


@dataclass
class Timeline:
    start: date
    end: date
    width: int
    ticks: list[Tick]
    today_x: float | None
    rows: list[GanttRow]
    row_height: int = ROW_HEIGHT
    bar_y: int = BAR_Y
    bar_h: int = BAR_H
    prog_y: int = BAR_Y + BAR_H - 4
    head_height: int = 28

    def grid(self, height: int, major: bool) -> str:
        """The month lines as one SVG path: a row draws one element, not one per month."""
        return "".join(f"M{t.x} 0V{height}" for t in self.ticks if t.major == major)

    @property
    def row_grid(self) -> str:
        return self.grid(self.row_height, False)

    @property
    def row_grid_major(self) -> str:
        return self.grid(self.row_height, True)

    @property
    def head_grid(self) -> str:
        return self.grid(self.head_height, False)

    @property
    def head_grid_major(self) -> str:
        return self.grid(self.head_height, True)

    @property
    def today_label_end(self) -> bool:
        """Near the right edge the "today" label goes to the left of its line, not off the chart."""
        return self.today_x is not None and self.today_x > self.width - 40

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


def _month_start(d: date) -> date:
    return d.replace(day=1)


def _next_month(d: date) -> date:
    return date(d.year + d.month // 12, d.month % 12 + 1, 1)


def gantt(
    rows: Sequence[Row], *, today: date, year: int | None = None, width: int = 880, with_today: bool = False
) -> Timeline:
    """One bar per matter from its start to its due date; time nodes as markers; a today line.

    The axis is the ledger year when one is chosen, otherwise the months the matters span.
    A matter without a deadline yet (时限待确认) gets a bar up to today, drawn open-ended.
    ``with_today`` widens the axis to today's month (a single matter's page shows where it stands).
    """
    if year:
        lo, hi = date(year, 1, 1), date(year, 12, 31)
    elif rows:
        lo = _month_start(min(r.start_date for r in rows))
        hi = _next_month(max(r.due_date or today for r in rows)) - timedelta(days=1)
    else:
        lo, hi = date(today.year, 1, 1), date(today.year, 12, 31)
    if with_today and not year:
        lo, hi = min(lo, _month_start(today)), max(hi, _next_month(today) - timedelta(days=1))
    span = (hi - lo).days + 1

    def x(d: date) -> float:
        return round(width * (d - lo).days / span, 2)

    ticks: list[Tick] = []
    months = (hi.year - lo.year) * 12 + hi.month - lo.month + 1
    step = 1 if months <= 18 else 3 if months <= 48 else 12
    m = _month_start(lo)
    while m <= hi:
        index = (m.year - lo.year) * 12 + m.month - lo.month
        if index % step == 0:
            label = f"{m.year}.{m.month}" if m.month == 1 or not ticks else str(m.month)
            ticks.append(Tick(x(max(m, lo)), label, m.month == 1))
        m = _next_month(m)
    out = []
    for r in rows:
        end = r.due_date or today
        no_deadline = r.due_date is None
        a, b = max(r.start_date, lo), min(max(end, r.start_date), hi)
        if b < lo or a > hi:
            bar_x, bar_w = (0.0, 0.0) if b < lo else (float(width), 0.0)
        else:
            bar_x = x(a)
            bar_w = max(2.0, round(x(b + timedelta(days=1)) - bar_x, 2))
        g = GanttRow(r, bar_x, bar_w, r.start_date < lo, end > hi, no_deadline)
        finished = r.signal.key == "done"  # a completed matter has no late time node left
        for ms in r.milestones:
            if lo <= ms.due_date <= hi:
                late = ms.done_on is None and not finished and ms.due_date < today
                g.markers.append(Marker(x(ms.due_date) + width / span / 2, ms.title, ms.due_date,
                                        ms.done_on is not None, late))
        out.append(g)
    today_x = x(today) + width / span / 2 if lo <= today <= hi else None
    return Timeline(lo, hi, width, ticks, today_x, out)
