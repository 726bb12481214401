"""The burden meter's page (减负监测, S2.8): a month's units × kinds of what was asked, with
totals, the units over the monthly cap highlighted, and a bar per unit against the cap."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from ducha.burden.access import access_burden_reader
from ducha.burden.meter import KINDS, MonthBurden, month_burden
from ducha.reports.rates import gather_rates
from ducha.rules.periods import Period
from ducha.workcal import service as workcal

BAR_WIDTH = 100


def _month(request: HttpRequest) -> Period:
    """The month asked for (?month=2026-10); by default last month, the latest whole one."""
    default = Period.containing("month", workcal.today()).previous()
    text = (request.GET.get("month") or "").strip()
    if not text:
        return default
    try:
        period = Period.parse(text)
    except ValueError:
        period = None
    if period is None or period.kind != "month":
        messages.error(request, _("“%(text)s” is not a month; use the form 2026-10.") % {"text": text[:20]})
        return default
    return period


def _bars(burden: MonthBurden) -> tuple[list[list[dict[str, Any]]], float]:
    """Per row, the stacked segments of its bar (the kinds in the total), on a scale that fits
    the largest total and the cap; and where the cap's line falls on it."""
    scale = max([burden.cap, *(r.total for r in burden.rows)]) or 1
    bars = []
    for row in burden.rows:
        x = 0.0
        segments = []
        for kind, n in row.items():
            if not kind.in_total or not n:
                continue
            width = BAR_WIDTH * n / scale
            segments.append({"x": round(x, 2), "width": round(width, 2), "colour": kind.colour,
                             "label": kind.label, "n": n})
            x += width
        bars.append(segments)
    return bars, round(BAR_WIDTH * burden.cap / scale, 2)


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    access_burden_reader(request.user)
    month = _month(request)
    burden = month_burden(month.start.year, month.start.month)
    bars, cap_x = _bars(burden)
    # The unit's results beside what it was asked: the month's three rates, as the rates page counts them.
    rates = gather_rates(month, workcal.today(), [r.unit.pk for r in burden.rows], overall=False)
    totals = burden.totals
    return render(request, "burden/index.html", {
        "month": month, "burden": burden, "kinds": KINDS, "cap_x": cap_x,
        "rows": [(row, [n for _k, n in row.items()], bar, rates.row_for(row.unit.pk))
                 for row, bar in zip(burden.rows, bars, strict=True)],
        "totals": [totals[k.code] for k in KINDS],
        "legend": [k for k in KINDS if k.in_total],
    })
