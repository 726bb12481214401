"""Read-only queries behind the matter pages: rows with their traffic light, list filters,
dashboard aggregates (S5.1 "displayed in real time, reminded when overdue").

Pages read matters as plain rows (``values()``) rather than model instances: a dashboard
looks at every open matter of the city at once, and the traffic light of each is a pure
function of six figures (``ducha.rules.traffic.light``). The calendar is fetched once per
request by the caller and passed in, because every ``get_calendar()`` costs a query.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import Any

from django.conf import settings
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from ducha.matters.models import CoUnitPart, Matter, Milestone, Rectification, Source, Status
from ducha.rules.lifecycle import RUNNING
from ducha.rules.traffic import light
from ducha.rules.workdays import UncoveredYear, WorkCalendar, elapsed_share
from ducha.workcal.service import CalendarEmpty, get_calendar

OPEN = (Status.ASSIGNED, Status.IN_PROGRESS, Status.CLAIMED)
DONE = (Status.CLAIMED, Status.CLOSED)
ROW_FIELDS = (
    "id", "number", "title", "year", "source", "status", "start_date", "due_date", "progress",
    "lead_unit_id", "lead_unit__name", "lead_unit__short_name", "responsible_leader_id",
    "responsible_leader__name", "completed_on", "due_provisional",
)
SIGNAL_LABELS: dict[str, Promise] = {
    "green": _("On track"),  # 正常
    "yellow": _("At risk"),  # 预警
    "red": _("Overdue"),  # 逾期
    "done": _("Completed"),  # 已完成
    "none": _("Not running"),  # 未在办
    "pending": _("Deadline pending"),  # 时限待确认
}


def warn_workdays() -> int:
    """Working days before the deadline from which a matter shows yellow (setting, default 3)."""
    return settings.DUCHA_WARN_WORKDAYS


def calendar_or_none() -> WorkCalendar | None:
    try:
        return get_calendar()
    except CalendarEmpty:
        return None


@dataclass(frozen=True)
class Signal:
    """A matter's traffic light as shown: colour key, text label (never colour alone), days left.

    ``approximate`` is set when the calendar does not reach the deadline yet: the days left
    are then a lower bound and the elapsed share is counted in calendar days, said so on hover.
    """

    key: str
    workdays_left: int | None = None
    approximate: bool = False

    @property
    def label(self) -> Promise:
        return SIGNAL_LABELS[self.key]

    @property
    def is_light(self) -> bool:
        return self.key in ("green", "yellow", "red", "done")


def signal_for(
    *, status: str, start: date, due: date | None, progress: int, today: date, cal: WorkCalendar | None,
    done: bool | None = None,
) -> Signal:
    """The light of one matter (or a co-unit's part: pass ``done``) on ``today``."""
    completed = status in DONE if done is None else done
    if status in (Status.DRAFT, Status.SUSPENDED):
        return Signal("none")
    if completed:
        return Signal("done")
    if due is None:
        return Signal("pending")
    if cal is None:
        return Signal("red", None, True) if today > due else Signal("pending")
    approximate = False
    try:
        left = cal.workdays_between(today, due)
    except UncoveredYear:
        if today > due:
            left = -1
        else:
            # Beyond the loaded calendar: at least the working days left in the covered years.
            approximate = True
            try:
                left = cal.workdays_between(today, date(max(cal.years), 12, 31)) + 1
            except UncoveredYear:
                return Signal("pending")
    if today > due:
        left = min(left, -1)  # the deadline is the end of its day: late from the next day on
    try:
        share = elapsed_share(cal, start, due, today) if due >= start else 1.0
    except UncoveredYear:
        approximate = True
        total = (due - start).days + 1
        share = min(1.0, max(0.0, ((today - start).days + 1) / total)) if total > 0 else 1.0
    colour = light(
        completed=False, workdays_left=left, elapsed_share=share, progress_share=progress / 100,
        warn_workdays=warn_workdays(),
    )
    return Signal(colour.value, left, approximate)


@dataclass
class Row:
    """One matter as the list, dashboards and battle map show it."""

    id: int
    number: str
    title: str
    year: int
    source: str
    status: str
    start_date: date
    due_date: date | None
    progress: int
    lead_unit_id: int
    lead_unit: str
    leader_id: int
    leader: str
    completed_on: date | None
    due_provisional: bool = False  # 暂定: the page marks the due date
    signal: Signal = field(default_factory=lambda: Signal("none"))
    milestones: list[Milestone] = field(default_factory=list)

    @cached_property
    def url(self) -> str:
        return reverse("matters:detail", args=[self.id])

    @property
    def status_label(self) -> str:
        return str(Status(self.status).label)

    @property
    def source_label(self) -> str:
        return str(Source(self.source).label)


def rows(values: Iterable[Mapping[str, Any]], today: date, cal: WorkCalendar | None) -> list[Row]:
    out = []
    for v in values:
        r = Row(
            id=v["id"], number=v["number"], title=v["title"], year=v["year"], source=v["source"],
            status=v["status"], start_date=v["start_date"], due_date=v["due_date"], progress=v["progress"],
            lead_unit_id=v["lead_unit_id"], lead_unit=v["lead_unit__short_name"] or v["lead_unit__name"],
            leader_id=v["responsible_leader_id"], leader=v["responsible_leader__name"],
            completed_on=v["completed_on"], due_provisional=v.get("due_provisional", False),
        )
        r.signal = signal_for(status=r.status, start=r.start_date, due=r.due_date, progress=r.progress,
                              today=today, cal=cal)
        out.append(r)
    return out


# -- list filters ------------------------------------------------------------------------


class FilterError(ValueError):
    """A filter that cannot be applied; ``field`` names the form field."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        super().__init__(message)


SORTS = {
    "number": ("-year", "number"),
    "due": ("due_date", "number"),
    "-due": ("-due_date", "number"),
    "progress": ("progress", "number"),
    "unit": ("lead_unit__sort_order", "lead_unit_id", "number"),
}


def filter_matters(
    qs: QuerySet[Matter], f: Mapping[str, Any], *, today: date, cal: WorkCalendar | None
) -> QuerySet[Matter]:
    """Apply the list filters (cleaned form data; missing keys mean "any") to ``qs``."""
    unit = f.get("unit")
    if unit:
        involved = Exists(CoUnitPart.objects.filter(matter=OuterRef("pk"), unit_id=unit))
        role = f.get("unit_role") or "any"
        if role == "lead":
            qs = qs.filter(lead_unit_id=unit)
        elif role == "co":
            qs = qs.filter(involved)
        else:
            qs = qs.filter(Q(lead_unit_id=unit) | involved)
    if f.get("leader"):
        qs = qs.filter(responsible_leader_id=f["leader"])
    if f.get("source"):
        qs = qs.filter(source=f["source"])
    if f.get("status"):
        qs = qs.filter(status=f["status"])
    if f.get("year"):
        qs = qs.filter(year=f["year"])
    if f.get("overdue"):
        qs = qs.filter(status__in=RUNNING, due_date__lt=today)
    n = f.get("due_within")
    if n:
        if cal is None:
            raise FilterError("due_within", str(_("No working-day calendar is loaded.")))
        try:
            until = cal.add_workdays(today, n)
        except UncoveredYear as e:
            raise FilterError(
                "due_within", str(_("The working-day calendar does not cover %(year)s yet.") % {"year": e.year})
            ) from e
        qs = qs.filter(status__in=RUNNING, due_date__gte=today, due_date__lte=until)
    text = (f.get("q") or "").strip()
    if text:
        qs = qs.filter(Q(number__icontains=text) | Q(title__icontains=text))
    return qs.order_by(*SORTS.get(f.get("sort") or "number", SORTS["number"]))


# -- dashboards ----------------------------------------------------------------------------


@dataclass
class Upcoming:
    """Something a unit has to deliver on a date: its matter, a co-unit part, a time node, a rectification."""

    kind: str
    kind_label: Promise
    due: date
    matter_id: int
    number: str
    title: str
    detail: str
    signal: Signal


def overdue_co_parts(unit_id: int, *, today: date, cal: WorkCalendar | None,
                     limit: int = 5) -> tuple[list[tuple[CoUnitPart, Signal]], int]:
    """The unit's open co-unit parts past their own due dates, oldest first, and how many in all.

    A unit answers for these as much as for the matters it leads (S1.4): its home page lists them.
    """
    late = []
    parts = (CoUnitPart.objects.filter(unit_id=unit_id, done_on=None, due_date__lt=today, matter__status__in=RUNNING)
             .select_related("matter", "matter__lead_unit").order_by("due_date", "id"))
    for p in parts:
        sig = signal_for(status=p.matter.status, start=p.matter.start_date, due=p.due_date, progress=p.progress,
                         today=today, cal=cal, done=False)
        if sig.key == "red":
            late.append((p, sig))
    return late[:limit], len(late)


def unit_work(unit_id: int, *, today: date, cal: WorkCalendar | None, limit: int = 20) -> dict[str, Any]:
    """A unit's open co-unit parts and what it must deliver next: the first ``limit`` of each,
    by due date, and how many in all, whatever the number of the unit's matters (eight queries)."""
    open_parts = CoUnitPart.objects.filter(unit_id=unit_id, matter__status__in=OPEN)
    part_rows = []
    for p in open_parts.select_related("matter", "matter__lead_unit").order_by("due_date", "id")[:limit]:
        sig = signal_for(status=p.matter.status, start=p.matter.start_date, due=p.due_date, progress=p.progress,
                         today=today, cal=cal, done=p.done_on is not None or p.matter.status in DONE)
        part_rows.append((p, sig))
    lead = Matter.objects.filter(lead_unit_id=unit_id, status__in=RUNNING)
    pending_parts = open_parts.filter(done_on=None)
    milestones = Milestone.objects.filter(matter__in=lead, done_on=None)
    rectifications = Rectification.objects.filter(unit_id=unit_id, rectified_on=None)
    upcoming: list[Upcoming] = []
    # Each source in the order of the merged list (due date, then number), so its first
    # ``limit`` hold all it can contribute to the merged first ``limit``.
    for p in pending_parts.select_related("matter").order_by("due_date", "matter__number", "id")[:limit]:
        sig = signal_for(status=p.matter.status, start=p.matter.start_date, due=p.due_date, progress=p.progress,
                         today=today, cal=cal, done=False)
        upcoming.append(Upcoming("part", _("Co-unit part"), p.due_date, p.matter_id, p.matter.number,
                                 p.matter.title, p.part, sig))
    for m in lead.exclude(due_date=None).order_by("due_date", "number").only(
            "id", "number", "title", "status", "start_date", "due_date", "progress")[:limit]:
        assert m.due_date is not None
        sig = signal_for(status=m.status, start=m.start_date, due=m.due_date, progress=m.progress, today=today,
                         cal=cal)
        upcoming.append(Upcoming("matter", _("Deadline"), m.due_date, m.id, m.number, m.title, "", sig))
    for ms in milestones.select_related("matter").order_by("due_date", "matter__number", "id")[:limit]:
        sig = signal_for(status=ms.matter.status, start=ms.matter.start_date, due=ms.due_date,
                         progress=ms.matter.progress, today=today, cal=cal, done=False)
        upcoming.append(Upcoming("milestone", _("Time node"), ms.due_date, ms.matter_id, ms.matter.number,
                                 ms.matter.title, ms.title, sig))
    for rc in rectifications.select_related("matter").order_by("due_date", "matter__number", "id")[:limit]:
        sig = Signal("red", None) if rc.due_date < today else Signal("yellow")
        upcoming.append(Upcoming("rectification", _("Rectification"), rc.due_date, rc.matter_id, rc.matter.number,
                                 rc.matter.title, rc.demand, sig))
    upcoming.sort(key=lambda u: (u.due, u.number))
    total = (pending_parts.count() + lead.exclude(due_date=None).count() + milestones.count()
             + rectifications.count())
    return {"parts": part_rows, "parts_total": open_parts.count(), "upcoming": upcoming[:limit],
            "upcoming_total": total}
