"""Calendar pages: every logged-in person reads; the system administrator imports.

Deadlines everywhere in the platform depend on these tables, so anyone may look at
them (a unit checking why its time limit ends on a Saturday sees the blue make-up day),
but only the system administrator may change them, through the same validation as the
command line. A year covered provisionally (暂定) is shown like a loaded one, with its
statutory days off and a badge saying where they come from.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.dates import MONTHS
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET, require_POST

from ducha.org.models import User
from ducha.org.roles import Role
from ducha.rules.workdays import UncoveredYear
from ducha.workcal import service
from ducha.workcal.actions import do_import_calendar_file
from ducha.workcal.forms import CalendarImportForm
from ducha.workcal.grid import Day, ProvisionalDay, year_months
from ducha.workcal.importing import CalendarImportError, parse_calendar_csv, parse_date
from ducha.workcal.models import CalendarDay, CalendarEvent, CalendarYear, DayKind
from ducha.workcal.provisional import BASIS, provisional_days


def _is_system_admin(request: HttpRequest) -> bool:
    return getattr(request.user, "role", "") == Role.SYSTEM_ADMIN


def _calculator(request: HttpRequest) -> dict[str, object]:
    """The "N working days after" helper on the index page (GET ?start=…&n=…)."""
    start_text, n_text = request.GET.get("start", "").strip(), request.GET.get("n", "").strip()
    result: dict[str, object] = {"calc_start": start_text, "calc_n": n_text}
    if not start_text and not n_text:
        return result
    start = parse_date(start_text)
    if start is None or not n_text.isdigit() or not 1 <= int(n_text) <= 366:
        result["calc_error"] = _("Enter a date (YYYY-MM-DD) and a number of working days from 1 to 366.")
        return result
    try:
        cal = service.get_calendar()
        result["calc_due"] = due = cal.add_workdays(start, int(n_text))
        result["calc_provisional"] = cal.touches_provisional(start, due)
    except UncoveredYear as e:
        missing = e.year or ""
        result["calc_error"] = _("Pending: the calendar does not cover %(year)s yet.") % {"year": missing}
    return result


def _index_context(request: HttpRequest, form: CalendarImportForm | None = None) -> dict[str, object]:
    years = CalendarYear.objects.select_related("loaded_by").annotate(
        n_holidays=Count("days", filter=Q(days__kind=DayKind.HOLIDAY)),
        n_makeup=Count("days", filter=Q(days__kind=DayKind.MAKEUP_WORKDAY)),
    )
    loaded = list(years.order_by("-year"))
    provisional = [
        {"year": y, "n_holidays": len(provisional_days(y))}
        for y in reversed(service.provisional_years_for({y.year for y in loaded}, service.today()))
    ] if loaded else []
    context: dict[str, object] = {
        "years": loaded, "provisional_years": provisional, "basis": BASIS, **_calculator(request),
    }
    if _is_system_admin(request):
        context.update(
            is_system_admin=True,
            warning=service.missing_next_year_warning(service.today()),
            form=form or CalendarImportForm(),
            events=CalendarEvent.objects.select_related("actor")[:10],
        )
    return context


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    return render(request, "workcal/index.html", _index_context(request))


@login_required
@require_GET
def year_detail(request: HttpRequest, year: int) -> HttpResponse:
    cy = CalendarYear.objects.select_related("loaded_by").filter(year=year).first()
    loaded = set(CalendarYear.objects.values_list("year", flat=True))
    provisional = set(service.provisional_years_for(loaded, service.today())) if loaded else set()
    days: list[Day]
    if cy is not None:
        days = list(CalendarDay.objects.filter(year=cy).order_by("date"))
    elif year in provisional:
        days = [ProvisionalDay(s.date, DayKind.HOLIDAY, s.name) for s in provisional_days(year)]
    else:
        raise Http404(f"calendar year {year} is not loaded")
    shown = loaded | provisional
    months = year_months(year, days, service.today())
    return render(
        request,
        "workcal/year.html",
        {
            "cy": cy,
            "year": year,
            "basis": BASIS,
            "months": [(m, MONTHS[m.number]) for m in months],
            "n_holidays": sum(1 for d in days if d.kind == DayKind.HOLIDAY),
            "n_makeup": sum(1 for d in days if d.kind == DayKind.MAKEUP_WORKDAY),
            "previous_year": year - 1 if year - 1 in shown else None,
            "next_year": year + 1 if year + 1 in shown else None,
            "weekday_labels": _weekday_labels(),
        },
    )


def _weekday_labels() -> list[str]:
    return [
        pgettext("calendar grid", "Mo"),
        pgettext("calendar grid", "Tu"),
        pgettext("calendar grid", "We"),
        pgettext("calendar grid", "Th"),
        pgettext("calendar grid", "Fr"),
        pgettext("calendar grid", "Sa"),
        pgettext("calendar grid", "Su"),
    ]


@login_required
@require_POST
def import_csv(request: HttpRequest) -> HttpResponse:
    if not _is_system_admin(request):
        raise PermissionDenied
    assert isinstance(request.user, User)
    form = CalendarImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return render(request, "workcal/index.html", _index_context(request, form))
    upload = form.cleaned_data["file"]
    try:
        summaries = do_import_calendar_file(
            actor=request.user,
            rows=parse_calendar_csv(form.read()),
            year=form.cleaned_data["year"],
            notice=form.cleaned_data["notice"].strip(),
            notice_number=form.cleaned_data["notice_number"].strip(),
            source=f"upload: {upload.name}"[:200],
        )
    except CalendarImportError as e:
        context = _index_context(request, form)
        context["import_errors"] = e.errors
        return render(request, "workcal/index.html", context)
    for s in summaries:
        messages.success(
            request,
            _(
                "%(year)d loaded: %(holidays)d holidays, %(makeup)d make-up working days; "
                "%(moved)d deadlines moved, %(resolved)d pending deadlines now have a due date."
            )
            % {
                "year": s.year,
                "holidays": s.holidays,
                "makeup": s.makeup_workdays,
                "moved": s.deadlines_moved,
                "resolved": s.pending_resolved,
            },
        )
    return redirect("workcal:year", year=summaries[0].year)

