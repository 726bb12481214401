"""The month close pages (一月一结账, S2.8): the months with their close state, the form that
closes one (or records a correction with a reason), and a close's frozen figures per unit.

The city offices read the closes (the performance office evaluates on them); only the
supervision office closes a month.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from ducha.org.models import User
from ducha.reports.access import can_close_month, can_read_closes
from ducha.reports.actions import ReportError
from ducha.reports.actions_close import close_effect, close_refusal, do_close_month, unconfirmed
from ducha.reports.models import MonthClose, MonthCloseLine
from ducha.reports.owed import window_of
from ducha.rules.periods import Period
from ducha.workcal import service as workcal

MONTHS_LISTED = 12


def _reader(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    if not can_read_closes(user):
        raise PermissionDenied(_("The month closes are read by the city offices."))
    return user


@login_required
@require_GET
def closes(request: HttpRequest) -> HttpResponse:
    """The last twelve months, each with its window, its latest close, and the close form."""
    user = _reader(request)
    today = workcal.today()
    month = Period.containing("month", today).previous()
    months = []
    for _i in range(MONTHS_LISTED):
        months.append(month)
        month = month.previous()
    latest: dict[tuple[int, int], MonthClose] = {}
    for close in MonthClose.objects.filter(year__gte=months[-1].start.year).select_related("closed_by").order_by(
            "year", "month", "version"):
        latest[(close.year, close.month)] = close  # the highest version wins
    rows = [{"key": p.key, "period": p, "window": window_of(p.start.year, p.start.month),
             "close": latest.get((p.start.year, p.start.month)),
             "refusal": close_refusal(p.start.year, p.start.month, today),
             "effect": close_effect(p.start.year, p.start.month)} for p in months]
    return render(request, "reports/closes.html", {
        "rows": rows, "today": today, "can_close": can_close_month(user),
    })


@login_required
@require_GET
def close_detail(request: HttpRequest, year: int, month: int) -> HttpResponse:
    """One month's close: its versions, and the frozen lines of the one asked for (the latest)."""
    _reader(request)
    versions = list(MonthClose.objects.filter(year=year, month=month).select_related("closed_by")
                    .order_by("-version"))
    if not versions:
        raise Http404("The month is not closed")
    wanted = request.GET.get("version", "")
    close = next((c for c in versions if str(c.version) == wanted), versions[0])
    lines = MonthCloseLine.objects.filter(close=close).select_related("unit").order_by("unit__sort_order", "unit_id")
    return render(request, "reports/close_detail.html", {
        "close": close, "versions": versions, "latest": versions[0], "lines": lines,
        "period": Period.parse(close.month_key),
    })


@login_required
@require_POST
def close_month(request: HttpRequest) -> HttpResponse:
    user = _reader(request)
    back = redirect("reports:closes")
    try:
        year, month = (int(x) for x in request.POST.get("month", "").split("-"))
    except ValueError:
        messages.error(request, _("No month was given."))
        return back
    if request.POST.get("confirm") != f"{year:04d}-{month:02d}":
        messages.error(request, unconfirmed(year, month))
        return back
    try:
        close = do_close_month(actor=user, year=year, month=month, reason=request.POST.get("reason", ""))
    except ReportError as e:
        for message in e.errors.values():
            messages.error(request, message)
        return back
    messages.success(request, _("%(month)s is closed (version %(version)d).") % {
        "month": close.month_key, "version": close.version})
    return redirect(reverse("reports:close", kwargs={"year": close.year, "month": close.month}))
