"""The three rates page (S2.7) with the records behind each shortfall, and bulletins (S2.8).

A unit sees its own row and the city's overall figures; a vice mayor the portfolio's rows;
the city offices and the mayor every row. The records behind the overall shortfall are
listed only to those who see every unit, since they name other units' matters.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from ducha.documents import DocNumber
from ducha.documents.register import next_document_number
from ducha.org.access import access_unit_by_id, unit_scope
from ducha.org.models import Unit, User
from ducha.reports.access import can_issue_bulletin
from ducha.reports.actions import ReportError
from ducha.reports.bulletin import do_issue_bulletin, doc_prefix, render_bulletin_files
from ducha.reports.bulletin_data import bulletin_data
from ducha.reports.forms import parse_period
from ducha.reports.models import Bulletin
from ducha.reports.rates import RateKind, gather_rates, shortfall_records, sort_rows
from ducha.rules.periods import Period
from ducha.workcal import service as workcal

RATE_LABELS = {
    RateKind.EXECUTION: gettext_lazy("Execution rate"),  # 督查执行率
    RateKind.REPORTING: gettext_lazy("Reporting rate"),  # 上报率
    RateKind.RECTIFICATION: gettext_lazy("Rectification rate"),  # 整改率
}

SHORTFALL_PAGE = 100  # records a page: a city's quarter can miss hundreds of thousands


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _period(request: HttpRequest) -> Period:
    today = workcal.today()
    period, error = parse_period(request.GET.get("period"), Period.containing("quarter", today))
    if error:
        messages.error(request, error)
    return period


@login_required
@require_GET
def rates(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    scope = unit_scope(user)
    if not scope.all_units and not scope.unit_ids:
        raise PermissionDenied(_("The rates are business data; your role does not read them."))
    today = workcal.today()
    period = _period(request)
    result = gather_rates(period, today, None if scope.all_units else scope.unit_ids)
    sort = request.GET.get("sort", "")
    descending = request.GET.get("dir") == "desc"
    rows = sort_rows(result.rows, sort, descending)
    columns: list[dict[str, Any]] = [
        {"kind": k.value, "label": RATE_LABELS[k],
         "next_dir": "asc" if sort == k.value and descending else "desc" if sort == k.value else "asc",
         "active": sort == k.value}
        for k in RateKind
    ]
    return render(request, "reports/rates.html", {
        "period": period, "today": today, "result": result, "columns": columns, "sort": sort,
        "dir": "desc" if descending else "asc",
        "table": [(row, [(k.value, row.get(k)) for k in RateKind]) for row in rows],
        "overall": [(k.value, result.overall.get(k)) for k in RateKind],
        "overall_links": scope.all_units,
    })


@login_required
@require_GET
def shortfall(request: HttpRequest) -> HttpResponse:
    """The matters behind one shortfall count: a unit's, or the whole city's."""
    user = _user(request)
    scope = unit_scope(user)
    try:
        kind = RateKind(request.GET.get("rate", ""))
    except ValueError:
        raise Http404("No such rate") from None
    period = _period(request)
    today = workcal.today()
    unit_param = request.GET.get("unit", "")
    unit = None
    if unit_param == "all":
        if not scope.all_units:
            raise Http404("Not in scope")
        rate = gather_rates(period, today, []).overall.get(kind)
    else:
        if not unit_param.isdigit():
            raise Http404("No such unit")
        unit = access_unit_by_id(user, int(unit_param))
        row = gather_rates(period, today, [unit.id], overall=False).row_for(unit.id)
        if row is None:
            raise Http404("The unit is not assessed")
        rate = row.get(kind)
    pages = max(1, -(-rate.missed // SHORTFALL_PAGE))
    page = request.GET.get("page", "1")
    number = min(int(page), pages) if page.isdigit() and int(page) >= 1 else 1
    records = shortfall_records(kind, period, today, unit.id if unit else None,
                                offset=(number - 1) * SHORTFALL_PAGE, limit=SHORTFALL_PAGE)
    names = {}
    if unit is None and records:
        names = dict(Unit.objects.filter(pk__in={s.unit_id for s in records}).values_list("id", "name"))
    return render(request, "reports/shortfall.html", {
        "period": period, "today": today, "kind": kind.value, "label": RATE_LABELS[kind], "unit": unit,
        "rate": rate, "records": [(s, names.get(s.unit_id, "")) for s in records],
        "page": number, "pages": pages, "unit_param": unit_param,
    })


# -- S2.8 bulletins ---------------------------------------------------------------------


def _office(request: HttpRequest) -> User:
    user = _user(request)
    if not can_issue_bulletin(user):
        raise PermissionDenied(_("Bulletins are issued by the supervision office."))
    return user


@login_required
@require_GET
def bulletins(request: HttpRequest) -> HttpResponse:
    """The bulletin's figures for a period, the button to issue it, and those issued."""
    _office(request)
    today = workcal.today()
    period, error = parse_period(request.GET.get("period"), Period.containing("month", today).previous())
    if error:
        messages.error(request, error)
    data = bulletin_data(period, today)
    existing = Bulletin.objects.filter(period=period.key).first()
    return render(request, "reports/bulletins.html", {
        "period": period, "today": today, "data": data, "existing": existing,
        "can_issue": existing is None and today > period.end,
        "issue_effect": issue_effect(today),
        "issued": Bulletin.objects.select_related("issued_by")[:24],
        "overall": [(k.value, RATE_LABELS[k], data.overall.get(k)) for k in RateKind],
        "units": [(u, [u.rates.get(k) for k in RateKind]) for u in data.units if u.total or any(
            u.rates.get(k).due for k in RateKind)],
    })


def issue_effect(today: date) -> str:
    """What issuing does, in the words the confirmation shows: the number it will take, the files."""
    number = DocNumber(doc_prefix(), today.year, next_document_number(doc_prefix(), today.year))
    return _("Issuing takes the number %(number)s, renders the Word and PDF files (about ten seconds) and keeps "
             "the figures as announced. An issued bulletin cannot be withdrawn or issued again; a correction is "
             "a new document.") % {"number": number}


@login_required
@require_POST
def issue_bulletin(request: HttpRequest) -> HttpResponse:
    user = _office(request)
    try:
        period = Period.parse(request.POST.get("period", ""))
    except ValueError as e:
        messages.error(request, str(e))
        return redirect("reports:bulletins")
    back = redirect(reverse("reports:bulletins") + f"?period={period.key}")
    existing = Bulletin.objects.filter(period=period.key).first()
    if existing is not None:
        # A second press (or a second tab) finds the bulletin issued: nothing is numbered twice.
        messages.info(request, _("%(number)s was already issued for this period; nothing was issued again.") % {
            "number": existing.number})
        return back
    if request.POST.get("confirm") != period.key:
        messages.error(request, _("Nothing was done. Confirm it on the page: %(effect)s") % {
            "effect": issue_effect(workcal.today())})
        return back
    try:
        bulletin = do_issue_bulletin(actor=user, period=period)
    except ReportError as e:
        for message in e.errors.values():
            messages.error(request, message)
    else:
        if bulletin.render_error:
            messages.warning(request, _("Issued as %(number)s, but the files could not be rendered: %(error)s") % {
                "number": bulletin.number, "error": bulletin.render_error})
        else:
            messages.success(request, _("Issued as %(number)s.") % {"number": bulletin.number})
    return redirect(reverse("reports:bulletins") + f"?period={period.key}")


@login_required
@require_POST
def render_again(request: HttpRequest, bulletin_id: int) -> HttpResponse:
    _office(request)
    bulletin = get_object_or_404(Bulletin, pk=bulletin_id)
    if render_bulletin_files(bulletin):
        messages.success(request, _("The files of %(number)s were rendered.") % {"number": bulletin.number})
    else:
        bulletin.refresh_from_db()
        messages.error(request, bulletin.render_error)
    return redirect(reverse("reports:bulletins") + f"?period={bulletin.period}")


@login_required
@require_GET
def download_bulletin(request: HttpRequest, bulletin_id: int, fmt: str) -> FileResponse:
    _office(request)
    bulletin = get_object_or_404(Bulletin, pk=bulletin_id)
    stored = bulletin.docx if fmt == "docx" else bulletin.pdf if fmt == "pdf" else None
    if not stored:
        raise Http404("No such file")
    return FileResponse(stored.open("rb"), as_attachment=True, filename=f"{bulletin.number}{bulletin.title}.{fmt}")
