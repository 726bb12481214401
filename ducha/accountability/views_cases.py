"""The efficiency cases' pages (S1.14): the office's list with the platform's proposals, the
form to open a case, a case with its steps."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from ducha.accountability import actions_cases
from ducha.accountability.access import registers
from ducha.accountability.actions import AccountabilityError, NotYours
from ducha.accountability.cases import NEXT, access_case_by_id, proposals, visible_cases
from ducha.accountability.models import CaseSource, CaseState, Conduct
from ducha.accountability.params import int_param
from ducha.matters.models import Matter
from ducha.org.access import business_reader
from ducha.org.models import Unit


@login_required
@require_http_methods(["GET", "POST"])
def cases(request: HttpRequest) -> HttpResponse:
    user = business_reader(request)
    office = registers(user)
    error, status = "", 200
    if request.method == "POST":
        if not office:
            raise Http404("No such step")
        try:
            actions_cases.do_dismiss_proposal(actor=user, matter_id=int_param(request.POST.get("matter")) or 0,
                                              reason=request.POST.get("reason", ""))
        except AccountabilityError as e:
            error, status = str(e), 400
        else:
            messages.success(request, _("Proposal dismissed."))
            return redirect("accountability:cases")
    state = request.GET.get("state", "")
    shown = visible_cases(user).select_related("unit", "matter")
    if state in CaseState.values:
        shown = shown.filter(state=state)
    page = Paginator(shown, 50).get_page(request.GET.get("page"))
    return render(request, "accountability/cases.html", {
        "page": page, "states": CaseState.choices, "state": state, "office": office, "error": error,
        "proposals": proposals()[:100] if office else [],
    }, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def new_case(request: HttpRequest) -> HttpResponse:
    user = business_reader(request)
    if not registers(user):
        raise Http404("No such page")
    source = request.POST if request.method == "POST" else request.GET
    matter = Matter.objects.filter(pk=int_param(source.get("matter")) or 0).select_related("lead_unit").first()
    data = actions_cases.CaseInput(
        unit_id=int_param(source.get("unit")) or (matter.lead_unit_id if matter else 0),
        conduct=source.get("conduct", Conduct.SLOW), source=source.get("source", CaseSource.PLATFORM if matter
                                                                         else CaseSource.COMPLAINT),
        summary=source.get("summary", ""), evidence=source.get("evidence", ""),
        matter_id=matter.pk if matter else None)
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            case = actions_cases.do_open_case(actor=user, data=data)
        except NotYours:
            raise Http404("No such page") from None
        except AccountabilityError as e:
            errors = e.errors
        else:
            messages.success(request, _("Case opened."))
            return redirect("accountability:case", case_id=case.pk)
    return render(request, "accountability/case_new.html", {
        "data": data, "matter": matter, "errors": errors, "units": Unit.objects.filter(is_active=True)
        .order_by("sort_order", "id"), "conducts": Conduct.choices, "sources": CaseSource.choices,
        "general_error": errors.get("__all__", ""),
    }, status=400 if errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def case(request: HttpRequest, case_id: int) -> HttpResponse:
    user = business_reader(request)
    row = access_case_by_id(user, case_id)
    error, status = "", 200
    if request.method == "POST":
        try:
            actions_cases.do_move_case(actor=user, case=row, to_state=request.POST.get("to_state", ""),
                                       note=request.POST.get("note", ""))
        except NotYours:
            raise Http404("No such step") from None
        except AccountabilityError as e:
            error, status = str(e), 400
        else:
            messages.success(request, _("Case moved on."))
            return redirect("accountability:case", case_id=row.pk)
    office = registers(user)
    return render(request, "accountability/case.html", {
        "case": row, "steps": row.steps.select_related("actor"), "office": office, "error": error,
        "next": [(s, CaseState(s).label) for s in NEXT.get(row.state, ())] if office else [],
        "records": row.records.all(), "can_record": office and row.state in (CaseState.CONFIRMED, CaseState.HANDLED),
    }, status=status)
