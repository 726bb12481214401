"""The working-day calendar over the API, as the calendar pages show it: every logged-in
person reads it. Years with a State Council notice and years covered provisionally (暂定,
from the statutory holidays) are listed alike, each marked; every day and every deadline
worked out over a provisional year says ``"provisional": true``.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Count, Q
from django.http import Http404, HttpRequest
from ninja import Field, Path, Query, Router, Schema

from ducha.api.common import ERRORS
from ducha.api.schemas import MAX_YEAR, MIN_YEAR, PROVISIONAL_TEXT, deadline_explanation
from ducha.rules.workdays import UncoveredYear
from ducha.workcal import service as workcal
from ducha.workcal.models import CalendarDay, CalendarYear, DayKind
from ducha.workcal.provisional import BASIS, provisional_days

router = Router(tags=["calendar"])


class YearOut(Schema):
    year: int
    provisional: bool = Field(description=PROVISIONAL_TEXT)
    notice: str = Field(description="the State Council notice, or the law a provisional year follows")
    notice_number: str
    holidays: int
    makeup_workdays: int


class DayOut(Schema):
    date: date
    kind: str = Field(description="holiday (a day off) or makeup_workday (a weekend day worked, 调休上班)")
    name: str
    provisional: bool = Field(description=PROVISIONAL_TEXT)


class YearDaysOut(YearOut):
    days: list[DayOut]


class DeadlineQuery(Schema):
    received: date = Field(description="the day of receipt (not counted)")
    departments: int = Field(ge=1, le=100, description="handling departments: 1 gives 3 working days, more a week")


class HandlingDeadlineOut(Schema):
    """S1.13: the due date of a request, and how it was counted."""

    basis_date: date
    workdays: int
    due_date: date | None
    provisional: bool = Field(description=PROVISIONAL_TEXT)
    explanation: str


class YearPath(Schema):
    year: int = Field(ge=MIN_YEAR, le=MAX_YEAR)


def _years() -> tuple[list[dict[str, Any]], list[int]]:
    stored = CalendarYear.objects.annotate(
        n_holidays=Count("days", filter=Q(days__kind=DayKind.HOLIDAY)),
        n_makeup=Count("days", filter=Q(days__kind=DayKind.MAKEUP_WORKDAY)),
    ).order_by("year")
    rows = [
        {"year": y.year, "provisional": False, "notice": y.notice, "notice_number": y.notice_number,
         "holidays": y.n_holidays, "makeup_workdays": y.n_makeup}
        for y in stored
    ]
    loaded = {y.year for y in stored}
    provisional = workcal.provisional_years_for(loaded, workcal.today()) if loaded else []
    rows += [
        {"year": y, "provisional": True, "notice": BASIS, "notice_number": "",
         "holidays": len(provisional_days(y)), "makeup_workdays": 0}
        for y in provisional
    ]
    return sorted(rows, key=lambda r: r["year"]), provisional


@router.get("/calendar/years", response={200: list[YearOut], **ERRORS})
def list_years(request: HttpRequest) -> Any:
    """The years the calendar answers for: loaded from a notice, or provisional."""
    return _years()[0]


@router.get("/calendar/years/{year}", response={200: YearDaysOut, **ERRORS})
def year_days(request: HttpRequest, path: Path[YearPath]) -> Any:
    """A year's days off and make-up working days (the days that differ from Monday to Friday)."""
    rows, _provisional = _years()
    row = next((r for r in rows if r["year"] == path.year), None)
    if row is None:
        raise Http404(f"calendar year {path.year} is not covered")
    if row["provisional"]:
        days = [{"date": s.date, "kind": DayKind.HOLIDAY.value, "name": s.name, "provisional": True}
                for s in provisional_days(path.year)]
    else:
        days = [{"date": d, "kind": k, "name": n, "provisional": False}
                for d, k, n in CalendarDay.objects.filter(year__year=path.year).order_by("date")
                .values_list("date", "kind", "name")]
    return {**row, "days": days}


@router.get("/calendar/deadline", response={200: HandlingDeadlineOut, **ERRORS})
def handling_deadline(request: HttpRequest, query: Query[DeadlineQuery]) -> Any:
    """S1.13: a request received on ``received`` for ``departments`` handling departments."""
    workdays = workcal.handling_workdays(query.departments)
    try:
        due, provisional = workcal.handling_due_date(query.received, query.departments)
    except UncoveredYear:
        due, provisional = None, False

    return {"basis_date": query.received, "workdays": workdays, "due_date": due, "provisional": provisional,
            "explanation": deadline_explanation(query.received, workdays, due, provisional)}


class AddWorkdaysQuery(Schema):
    start: date = Field(description="the day counting starts after (not counted)")
    n: int = Field(ge=1, le=366, description="working days to add")


class AddWorkdaysOut(Schema):
    """The calendar page's "N working days after" helper."""

    start: date
    workdays: int
    due_date: date | None = Field(description="null while the calendar does not reach it (待确认)")
    provisional: bool = Field(description=PROVISIONAL_TEXT)
    explanation: str


@router.get("/calendar/add-workdays", response={200: AddWorkdaysOut, **ERRORS})
def add_workdays(request: HttpRequest, query: Query[AddWorkdaysQuery]) -> Any:
    """The day ``n`` working days after ``start``, counted over holidays and make-up working days."""
    try:
        cal = workcal.get_calendar()
        found = cal.add_workdays(query.start, query.n)
        due, provisional = found, cal.touches_provisional(query.start, found)
    except UncoveredYear:
        due, provisional = None, False
    return {"start": query.start, "workdays": query.n, "due_date": due, "provisional": provisional,
            "explanation": deadline_explanation(query.start, query.n, due, provisional)}
