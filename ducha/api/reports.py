"""Monthly progress reports (S1.2) over the API, under the rules of the report pages.

Reading goes through ``reports.access`` (a report outside the caller's units is a 404),
writing through ``reports.actions`` only: the API adds no rule of its own. When an action
refuses, the access functions say whether it was for who the caller is (403) or for what
was sent (400); the action's own message and field names are passed on unchanged.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Count, F
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema

from ducha.api.common import ERRORS, MONTH_PATTERN, caller, keyset_page, period_param, refuse
from ducha.api.report_schemas import (
    ItemIn,
    OverviewOut,
    ReportDetailOut,
    ReportPage,
    ReportStatusCode,
    ReturnIn,
    SheetOut,
)
from ducha.api.schemas import MAX_YEAR, MIN_YEAR, AfterId, Error, RowId
from ducha.matters.models import CoUnitPart, Matter
from ducha.org.access import access_unit_by_id, unit_scope
from ducha.org.models import Unit, User
from ducha.reports.access import access_report_by_id, can_return_report, can_write_report, visible_reports
from ducha.reports.actions import (
    ConcurrentChange,
    ItemInput,
    ReportError,
    do_return_monthly_report,
    do_save_report_item,
    do_submit_monthly_report,
)
from ducha.reports.models import MonthlyReport, ReportItem
from ducha.reports.owed import month_overview, owed_by_unit, reportable_entries, window_of
from ducha.rules.periods import Period
from ducha.rules.reporting import count_timeliness, month_bounds, timeliness
from ducha.rules.workdays import UncoveredYear, report_window
from ducha.workcal import service as workcal

router = Router(tags=["reports"])
WRITES = {400: Error, 403: Error, 409: Error, **ERRORS}
Window = tuple[date, date] | None


class ReportFilters(Schema):
    unit: RowId | None = None
    year: int | None = Field(None, ge=MIN_YEAR, le=MAX_YEAR)
    month: int | None = Field(None, ge=1, le=12)
    status: ReportStatusCode | None = None
    after: AfterId | None = None
    limit: int = Field(50, ge=1, le=200)


class MonthQuery(Schema):
    month: str | None = Field(None, pattern=MONTH_PATTERN, description="2026-10; default: last month")


class SheetPath(Schema):
    unit_id: RowId
    year: int = Field(ge=MIN_YEAR, le=MAX_YEAR)
    month: int = Field(ge=1, le=12)


class LinePath(SheetPath):
    matter_id: RowId


def _windows(months: set[tuple[int, int]]) -> dict[tuple[int, int], Window]:
    """``window_of`` for many months from one calendar read, so a page's queries do not grow with it."""
    try:
        cal = workcal.get_calendar()
    except UncoveredYear:
        return dict.fromkeys(months)
    out: dict[tuple[int, int], Window] = {}
    for year, month in months:
        try:
            out[(year, month)] = report_window(cal, year, month, workcal.report_window_days())
        except UncoveredYear:
            out[(year, month)] = None
    return out


def _provisional_years() -> frozenset[int]:
    try:
        return workcal.get_calendar().provisional_years
    except UncoveredYear:
        return frozenset()


def _window(window: Window, provisional: frozenset[int] | None = None) -> dict[str, Any] | None:
    if window is None:
        return None
    years = _provisional_years() if provisional is None else provisional
    return {"opens": window[0], "closes": window[1], "provisional": window[0].year in years}


def _matter_ref(matter_id: int, number: str, title: str) -> dict[str, Any]:
    return {"id": matter_id, "number": number, "title": title}


def report_out(report: MonthlyReport, window: Window, today: date, item_count: int | None = None,
               provisional: frozenset[int] | None = None) -> dict[str, Any]:
    return {
        "id": report.pk, "unit": report.unit, "year": report.year, "month": report.month, "status": report.status,
        "first_submitted_on": report.first_submitted_on, "submitted_at": report.submitted_at,
        "submitted_by": report.submitted_by, "return_reason": report.return_reason,
        "item_count": item_count if item_count is not None else report.item_count,  # type: ignore[attr-defined]
        "window": _window(window, provisional), "timeliness": timeliness(window, report.first_submitted_on, today),
    }


def item_out(item: ReportItem) -> dict[str, Any]:
    return {
        "matter": item.matter, "co_part": item.co_part.part if item.co_part else None, "progress": item.progress,
        "done": item.done, "problems": item.problems, "next_steps": item.next_steps,
        "achieved_quantity": item.achieved_quantity, "saved_by": item.saved_by, "saved_at": item.saved_at,
    }


def _detail(user: User, report: MonthlyReport, today: date) -> dict[str, Any]:
    """What the report page shows: the lines, the matters still lacking one, the history."""
    first, last = month_bounds(report.year, report.month)
    # The lead unit's lines first, then its co-unit parts, on either database (NULLs sort differently).
    items = list(report.items.select_related("matter", "co_part", "saved_by").order_by(
        F("co_part_id").asc(nulls_first=True), "matter_id"))
    owed = owed_by_unit(reportable_entries(first, last, [report.unit_id]), report.year, report.month)
    have = {i.matter_id for i in items}
    writer = can_write_report(user, report.unit_id)
    return {
        **report_out(report, window_of(report.year, report.month), today, len(items)),
        "items": [item_out(i) for i in items],
        "lacking": [_matter_ref(e.matter_id, e.number, e.title) for e in owed.get(report.unit_id, [])
                    if e.matter_id not in have],
        "events": [{"action": e.action, "actor": e.actor, "reason": e.reason, "at": e.created_at}
                   for e in report.events.select_related("actor")],
        "can_edit": writer and report.is_editable,
        "can_submit": writer and report.is_editable and today > last,
        "can_return": can_return_report(user) and report.status == "submitted",
    }


def _sheet(unit: Unit, year: int, month: int, today: date) -> dict[str, Any]:
    first, last = month_bounds(year, month)
    owed = owed_by_unit(reportable_entries(first, last, [unit.id]), year, month).get(unit.id, [])
    matters = Matter.objects.in_bulk([e.matter_id for e in owed])
    parts = CoUnitPart.objects.in_bulk([e.co_part_id for e in owed if e.co_part_id])
    report = (MonthlyReport.objects.filter(unit=unit, year=year, month=month)
              .select_related("unit", "submitted_by").annotate(item_count=Count("items")).first())
    items = {i.matter_id: i for i in report.items.select_related("matter", "co_part", "saved_by")} if report else {}
    window = window_of(year, month)
    lines = []
    for e in owed:
        matter, part = matters[e.matter_id], parts.get(e.co_part_id) if e.co_part_id else None
        lines.append({
            "matter": matter, "co_part": part.part if part else None,
            "quantitative": part is None and matter.target_quantity is not None,
            "progress": (part or matter).progress, "due_date": part.due_date if part else matter.due_date,
            "item": item_out(items[matter.pk]) if matter.pk in items else None,
        })
    return {
        "unit": unit, "year": year, "month": month, "window": _window(window),
        "timeliness": timeliness(window, report.first_submitted_on if report else None, today),
        "report": report_out(report, window, today) if report else None,
        "editable": report is None or report.is_editable, "month_over": today > last, "lines": lines,
    }


@router.get("/reports", response={200: ReportPage, **ERRORS})
def list_reports(request: HttpRequest, filters: Query[ReportFilters]) -> Any:
    """The reports of the caller's units (a vice mayor: the portfolio's), oldest first, by keyset."""
    qs = (visible_reports(caller(request)).select_related("unit", "submitted_by")
          .annotate(item_count=Count("items")).order_by("id"))
    if filters.unit is not None:
        qs = qs.filter(unit_id=filters.unit)
    if filters.year is not None:
        qs = qs.filter(year=filters.year)
    if filters.month is not None:
        qs = qs.filter(month=filters.month)
    if filters.status is not None:
        qs = qs.filter(status=filters.status)
    rows, next_after = keyset_page(qs, filters.after, filters.limit)
    windows = _windows({(r.year, r.month) for r in rows})
    today, provisional = workcal.today(), _provisional_years()
    return {"items": [report_out(r, windows[(r.year, r.month)], today, provisional=provisional) for r in rows],
            "next_after": next_after}


@router.get("/reports/overview", response={200: OverviewOut, **ERRORS})
def overview(request: HttpRequest, query: Query[MonthQuery]) -> Any:
    """Each unit in scope that owes a report for the month: on time, late, missing or open."""
    today = workcal.today()
    month = period_param(query.month, Period.containing("month", today).previous(), "month")
    rows = month_overview(unit_scope(caller(request)), month.year, month.index, today)
    return {
        "month": month.key, "window": _window(window_of(month.year, month.index)),
        "counts": count_timeliness(r.timeliness for r in rows),
        "rows": [{"unit": r.unit, "owed": r.owed, "report": r.report, "timeliness": r.timeliness} for r in rows],
    }


@router.get("/reports/{report_id}", response={200: ReportDetailOut, **ERRORS})
def get_report(request: HttpRequest, report_id: RowId) -> Any:
    user = caller(request)
    return _detail(user, access_report_by_id(user, report_id), workcal.today())


@router.get("/units/{unit_id}/reports/{year}/{month}", response={200: SheetOut, 403: Error, **ERRORS})
def get_sheet(request: HttpRequest, path: Path[SheetPath]) -> Any:
    """The unit's own report for a month: each matter it owes a line on, with the line so far."""
    user = caller(request)
    unit = access_unit_by_id(user, path.unit_id)
    if not can_write_report(user, unit.id):
        return refuse(403, _("Only the unit's own staff fill in its monthly report."))
    today = workcal.today()
    if (path.year, path.month) > (today.year, today.month):
        raise Http404("The month has not begun")
    return _sheet(unit, path.year, path.month, today)


@router.put("/units/{unit_id}/reports/{year}/{month}/items/{matter_id}", response={200: ReportDetailOut, **WRITES})
def save_item(request: HttpRequest, path: Path[LinePath], payload: ItemIn) -> Any:
    """Save one line (the first creates the draft report); its progress becomes the matter's."""
    user = caller(request)
    unit = access_unit_by_id(user, path.unit_id)
    try:
        item = do_save_report_item(actor=user, unit_id=unit.id, year=path.year, month=path.month,
                                   matter_id=path.matter_id, data=ItemInput(**payload.dict()))
    except ConcurrentChange as e:
        return refuse(409, e.errors)
    except ReportError as e:
        return refuse(400 if can_write_report(user, unit.id) else 403, e.errors)
    return _detail(user, access_report_by_id(user, item.report_id), workcal.today())


@router.post("/reports/{report_id}/submit", response={200: ReportDetailOut, **WRITES})
def submit_report(request: HttpRequest, report_id: RowId) -> Any:
    """Submit, or resubmit after a return: after the month, with a line for every matter owed."""
    user = caller(request)
    report = access_report_by_id(user, report_id)
    try:
        do_submit_monthly_report(actor=user, report_id=report.pk)
    except ConcurrentChange as e:
        return refuse(409, e.errors)
    except ReportError as e:
        return refuse(400 if can_write_report(user, report.unit_id) else 403, e.errors)
    return _detail(user, access_report_by_id(user, report_id), workcal.today())


@router.post("/reports/{report_id}/return", response={200: ReportDetailOut, **WRITES})
def return_report(request: HttpRequest, report_id: RowId, payload: ReturnIn) -> Any:
    """The supervision office returns a submitted report for correction, with a reason."""
    user = caller(request)
    access_report_by_id(user, report_id)
    try:
        do_return_monthly_report(actor=user, report_id=report_id, reason=payload.reason)
    except ConcurrentChange as e:
        return refuse(409, e.errors)
    except ReportError as e:
        return refuse(400 if can_return_report(user) else 403, e.errors)
    return _detail(user, access_report_by_id(user, report_id), workcal.today())
