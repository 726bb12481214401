"""The supervision board's pages (电子监察, S3.3): per department its open applications and its
yellow and red cards (this month, this year, still running) with a chart, the cards themselves
filtered by department, colour and period, and, for the supervision office, a card's
efficiency case opened in one confirmed step."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from ducha.approvals import actions_supervision as actions
from ducha.approvals.board import PERIODS, BoardRow, board_rows, filter_cards, visible_cards
from ducha.approvals.models import CardColour
from ducha.org.access import business_reader
from ducha.org.models import User
from ducha.workcal import service as workcal

PAGE = 50


def _int(value: str | None) -> int | None:
    return int(value) if value and value.strip().isdigit() and len(value.strip()) < 12 else None


def _bars(rows: list[BoardRow]) -> list[tuple[BoardRow, list[dict[str, object]]]]:
    """Each department's running cards as two segments of one bar, scaled to the largest."""
    top = max((r.red_running + r.yellow_running for r in rows), default=0) or 1
    out = []
    for r in rows:
        red = round(100 * r.red_running / top, 2)
        yellow = round(100 * r.yellow_running / top, 2)
        out.append((r, [{"key": "red", "x": 0, "width": red}, {"key": "yellow", "x": red, "width": yellow}]))
    return out


@login_required
@require_http_methods(["GET"])
def board(request: HttpRequest) -> HttpResponse:
    return _board(request, business_reader(request))


def _board(request: HttpRequest, user: User, *, error: str = "", failed_card: int | None = None) -> HttpResponse:
    today = workcal.today()
    params = request.GET
    unit_id = _int(params.get("unit"))
    colour = params.get("colour", "")
    colour = colour if colour in CardColour.values else ""
    period = params.get("period", "")
    period = period if period in PERIODS else "running"
    rows = board_rows(user, today)
    cards = (filter_cards(visible_cards(user), today=today, unit_id=unit_id, colour=colour, period=period)
             .select_related("application__version", "step__step", "unit").order_by("-issued_on", "-id"))
    page = Paginator(cards, PAGE).get_page(params.get("page"))
    keep = {k: v for k, v in (("unit", unit_id or ""), ("colour", colour), ("period", period)) if v}
    return render(request, "approvals/board.html", {
        "rows": rows, "bars": _bars(rows), "page": page, "unit_id": unit_id, "colour": colour, "period": period,
        "colours": CardColour.choices, "periods": [(p, _period_label(p)) for p in PERIODS],
        "office": actions.opens_cases(user), "today": today, "query": urlencode(keep), "error": error,
        "failed_card": failed_card,
        "totals": {k: sum(getattr(r, k) for r in rows) for k in (
            "running", "yellow_month", "red_month", "yellow_year", "red_year", "yellow_running", "red_running")},
    }, status=400 if error else 200)


def _period_label(p: str) -> str:
    return {"month": _("This month"), "year": _("This year"), "running": _("Applications still open"),
            "all": _("All")}[p]


@login_required
@require_POST
def card_case(request: HttpRequest, card_id: int) -> HttpResponse:
    """Open the card's efficiency case (the supervision office), after the confirmation that
    names its effect; the board is shown again with the filters it was opened from."""
    user = business_reader(request)
    card = visible_cards(user).filter(pk=card_id).first()
    if card is None:
        raise Http404("no such card")
    try:
        case = actions.do_open_case_from_card(actor=user, card_id=card.pk,
                                              confirm=request.POST.get("confirm") == "yes")
    except actions.SupervisionError as e:
        status = 403 if isinstance(e, actions.NotYours) else 400
        response = _board(request, user, error=str(e), failed_card=card.pk)
        response.status_code = status
        return response
    messages.success(request, _("Efficiency case %(id)s opened.") % {"id": case.pk})
    query = request.POST.get("query", "")
    return redirect(reverse("approvals:board") + (f"?{query}" if query else ""))
