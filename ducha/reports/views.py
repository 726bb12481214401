"""Monthly report pages (S1.2): the month's list, one report, the unit's entry form, and
the leaders' portfolio view. Rates and bulletins are in ``views_rates``.

Every page runs a fixed number of queries whatever the number of units or items.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from ducha.matters.models import CoUnitPart, Matter
from ducha.org.access import unit_scope, visible_units
from ducha.org.models import Unit, User
from ducha.reports.access import (
    access_report_by_id,
    can_read_portfolio,
    can_return_report,
    can_write_report,
)
from ducha.reports.actions import (
    ReportError,
    do_return_monthly_report,
    do_save_report_item,
    do_submit_monthly_report,
)
from ducha.reports.forms import ItemForm, ReturnForm, parse_period
from ducha.reports.models import MonthlyReport, ReportItem
from ducha.reports.owed import (
    Entry,
    month_overview,
    owed_by_unit,
    period_counts,
    reportable_entries,
    window_of,
    window_provisional,
)
from ducha.rules.periods import Period
from ducha.rules.reporting import count_timeliness, month_bounds, timeliness
from ducha.workcal import service as workcal


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _default_month(today: date) -> Period:
    """The month whose report is being written now: last month's, in its window."""
    return Period.containing("month", today).previous()


def _month_context(month: Period) -> dict[str, Any]:
    return {"month": month, "prev_month": month.previous(), "next_month": month.next(), "window": window_of(
        month.year, month.index), "window_provisional": window_provisional(month.year, month.index)}


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """The month's reports of every unit in scope, each on time / late / missing / open."""
    user = _user(request)
    today = workcal.today()
    month, error = parse_period(request.GET.get("month"), _default_month(today), ("month",))
    if error:
        messages.error(request, error)
    rows = month_overview(unit_scope(user), month.year, month.index, today)
    context = {
        **_month_context(month), "rows": rows, "today": today,
        "counts": count_timeliness(r.timeliness for r in rows),
        "my_unit_id": user.unit_id if can_write_report(user, user.unit_id or 0) else None,
        "month_started": (month.year, month.index) <= (today.year, today.month),
    }
    return render(request, "reports/index.html", context)


@login_required
@require_GET
def counts(request: HttpRequest) -> HttpResponse:
    """Late and missing reports per unit over a period (the windows closing in it)."""
    user = _user(request)
    today = workcal.today()
    period, error = parse_period(request.GET.get("period"), Period.containing("quarter", today))
    if error:
        messages.error(request, error)
    return render(request, "reports/counts.html", {"data": period_counts(unit_scope(user), period, today),
                                                    "period": period, "today": today})


def _entries_with_objects(unit: Unit, month: Period) -> list[tuple[Entry, Matter, CoUnitPart | None]]:
    first, last = month_bounds(month.year, month.index)
    owed = owed_by_unit(reportable_entries(first, last, [unit.id]), month.year, month.index).get(unit.id, [])
    matters = Matter.objects.in_bulk([e.matter_id for e in owed])
    parts = CoUnitPart.objects.in_bulk([e.co_part_id for e in owed if e.co_part_id])
    return [(e, matters[e.matter_id], parts.get(e.co_part_id) if e.co_part_id else None) for e in owed]


def _row(entry: Entry, matter: Matter, part: CoUnitPart | None, item: ReportItem | None,
         form: ItemForm | None = None, saved: bool = False) -> dict[str, Any]:
    quantitative = part is None and matter.target_quantity is not None
    if form is None:
        initial: dict[str, Any] = {"progress": (part or matter).progress}
        if item is not None:
            initial = {"progress": item.progress, "done": item.done, "problems": item.problems,
                       "next_steps": item.next_steps, "achieved_quantity": item.achieved_quantity}
        elif quantitative:
            initial["achieved_quantity"] = matter.achieved_quantity
        form = ItemForm(initial=initial, prefix=f"m{matter.pk}", quantitative=quantitative)
    return {"entry": entry, "matter": matter, "part": part, "item": item, "form": form, "saved": saved}


def _unit_and_month(request: HttpRequest, unit_code: str, month_text: str) -> tuple[Unit, Period]:
    unit = get_object_or_404(visible_units(request.user), code=unit_code)
    try:
        month = Period.parse(month_text)
    except ValueError:
        raise Http404("No such month") from None
    if month.kind != "month":
        raise Http404("No such month")
    return unit, month


def _edit_context(user: User, unit: Unit, month: Period, today: date,
                  bound: dict[int, ItemForm] | None = None) -> dict[str, Any]:
    report = MonthlyReport.objects.filter(unit=unit, year=month.year, month=month.index).first()
    items = {i.matter_id: i for i in report.items.all()} if report else {}
    bound = bound or {}
    rows = [_row(e, m, p, items.get(m.pk), bound.get(m.pk)) for e, m, p in _entries_with_objects(unit, month)]
    window = window_of(month.year, month.index)
    return {
        **_month_context(month), "unit": unit, "report": report, "rows": rows, "today": today,
        "filled": sum(1 for r in rows if r["item"] is not None),
        "editable": report is None or report.is_editable,
        "month_over": today > month.end,
        "timeliness": timeliness(window, report.first_submitted_on if report else None, today),
    }


@login_required
def edit(request: HttpRequest, unit_code: str, month_text: str) -> HttpResponse:
    """The unit's entry form: one line per matter it leads or co-handles."""
    user = _user(request)
    unit, month = _unit_and_month(request, unit_code, month_text)
    today = workcal.today()
    if not can_write_report(user, unit.id):
        report = MonthlyReport.objects.filter(unit=unit, year=month.year, month=month.index).first()
        if report is not None:
            return redirect("reports:detail", report_id=report.pk)
        raise PermissionDenied(_("Only the unit's own staff fill in its monthly report."))
    if (month.year, month.index) > (today.year, today.month):
        raise Http404("The month has not begun")
    return render(request, "reports/edit.html", _edit_context(user, unit, month, today))


@login_required
@require_POST
def save_item(request: HttpRequest, unit_code: str, month_text: str, matter_id: int) -> HttpResponse:
    """Save one line; htmx gets the line back, a plain POST the whole page."""
    user = _user(request)
    unit, month = _unit_and_month(request, unit_code, month_text)
    if not can_write_report(user, unit.id):
        raise PermissionDenied(_("Only the unit's own staff fill in its monthly report."))
    today = workcal.today()
    found = next(((e, m, p) for e, m, p in _entries_with_objects(unit, month) if m.pk == matter_id), None)
    if found is None:
        raise Http404("No such line")
    entry, matter, part = found
    form = ItemForm(request.POST, request.FILES, prefix=f"m{matter_id}",
                    quantitative=part is None and matter.target_quantity is not None)
    item = None
    if form.is_valid():
        try:
            item = do_save_report_item(actor=user, unit_id=unit.id, year=month.year, month=month.index,
                                       matter_id=matter_id, data=form.to_input(), today=today,
                                       evidence=form.cleaned_data.get("evidence"))
        except ReportError as e:
            form.add_errors(e.errors)
    if request.htmx:  # type: ignore[attr-defined]
        if item is not None:
            matter.refresh_from_db()
            if part is not None:
                part.refresh_from_db()
            row = _row(entry, matter, part, item, saved=True)
        else:
            row = _row(entry, matter, part, None, form=form)
        report = MonthlyReport.objects.filter(unit=unit, year=month.year, month=month.index).first()
        filled = report.items.count() if report else 0
        return render(request, "reports/_item_row.html", {
            "row": row, "unit": unit, "month": month, "editable": True, "oob_filled": filled,
        })
    if item is not None:
        messages.success(request, _("Saved: %(number)s") % {"number": matter.number})
        return redirect(reverse("reports:edit", args=[unit.code, month.key]) + f"#m{matter_id}")
    return render(request, "reports/edit.html", _edit_context(user, unit, month, today, {matter_id: form}),
                  status=400)


@login_required
@require_POST
def submit_month(request: HttpRequest, unit_code: str, month_text: str) -> HttpResponse:
    user = _user(request)
    unit, month = _unit_and_month(request, unit_code, month_text)
    report = MonthlyReport.objects.filter(unit=unit, year=month.year, month=month.index).first()
    if report is None:
        messages.error(request, _("Fill in the lines of the report before submitting it."))
        return redirect("reports:edit", unit_code=unit.code, month_text=month.key)
    return _submit(request, user, report.pk)


@login_required
@require_POST
def submit(request: HttpRequest, report_id: int) -> HttpResponse:
    return _submit(request, _user(request), report_id)


def _submit(request: HttpRequest, user: User, report_id: int) -> HttpResponse:
    try:
        report = do_submit_monthly_report(actor=user, report_id=report_id)
    except ReportError as e:
        for message in e.errors.values():
            messages.error(request, message)
        report = access_report_by_id(user, report_id)
        return redirect("reports:edit", unit_code=report.unit.code, month_text=report.month_key)
    messages.success(request, _("The report has been submitted."))
    return redirect("reports:detail", report_id=report.pk)


@login_required
@require_POST
def return_report(request: HttpRequest, report_id: int) -> HttpResponse:
    user = _user(request)
    access_report_by_id(user, report_id)
    form = ReturnForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("A reason is required to return a report."))
        return redirect("reports:detail", report_id=report_id)
    try:
        do_return_monthly_report(actor=user, report_id=report_id, reason=form.cleaned_data["reason"])
    except ReportError as e:
        for message in e.errors.values():
            messages.error(request, message)
    else:
        messages.success(request, _("The report has been returned to the unit for correction."))
    return redirect("reports:detail", report_id=report_id)


@login_required
@require_GET
def detail(request: HttpRequest, report_id: int) -> HttpResponse:
    user = _user(request)
    report = access_report_by_id(user, report_id)
    today = workcal.today()
    first, last = month_bounds(report.year, report.month)
    items = list(report.items.select_related("matter", "co_part", "saved_by").order_by("co_part_id", "matter_id"))
    owed = owed_by_unit(reportable_entries(first, last, [report.unit_id]), report.year, report.month)
    have = {i.matter_id for i in items}
    window = window_of(report.year, report.month)
    writer = can_write_report(user, report.unit_id)
    return render(request, "reports/detail.html", {
        "report": report, "items": items, "today": today, "window": window,
        "window_provisional": window_provisional(report.year, report.month),
        "lacking": [e for e in owed.get(report.unit_id, []) if e.matter_id not in have],
        "timeliness": timeliness(window, report.first_submitted_on, today),
        "events": report.events.select_related("actor"),
        "can_edit": writer and report.is_editable,
        "can_submit": writer and report.is_editable and today > last,
        "can_return": can_return_report(user) and report.status == "submitted",
        "return_form": ReturnForm(),
    })


@login_required
@require_GET
def portfolio(request: HttpRequest) -> HttpResponse:
    """A leader's units' reports for a month in one place, the missing ones flagged."""
    user = _user(request)
    if not can_read_portfolio(user):
        raise PermissionDenied(_("This page is for city leaders and the city offices."))
    today = workcal.today()
    month, error = parse_period(request.GET.get("month"), _default_month(today), ("month",))
    if error:
        messages.error(request, error)
    scope = unit_scope(user)
    rows = month_overview(scope, month.year, month.index, today)
    # Drafts are the unit's work in progress; leaders read what was submitted.
    report_ids = [r.report.pk for r in rows if r.report is not None and r.report.first_submitted_on is not None]
    items: dict[int, list[ReportItem]] = {}
    for item in ReportItem.objects.filter(report_id__in=report_ids).select_related("matter", "co_part").order_by(
        "report_id", "co_part_id", "matter_id"
    ):
        items.setdefault(item.report_id, []).append(item)
    listed = {r.unit.id for r in rows}
    quiet = [] if scope.all_units else list(Unit.objects.filter(pk__in=scope.unit_ids).exclude(pk__in=listed))
    return render(request, "reports/portfolio.html", {
        **_month_context(month), "quiet": quiet, "today": today,
        "sections": [(r, items.get(r.report.pk, []) if r.report else []) for r in rows],
        "counts": count_timeliness(r.timeliness for r in rows),
    })
