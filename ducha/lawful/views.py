"""The lawful-administration check's pages (S1.6): the list of checks, the office's form to
open one, a check with its departments × items grid, and a department's result with its
findings, where the office records deductions and hands a finding to an efficiency case."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from ducha.accountability.models import Conduct
from ducha.lawful import actions
from ducha.lawful.access import access_check_by_id, access_result_unit, runs_checks, visible_checks, visible_units_of
from ducha.lawful.models import Check, CheckState, Deduction
from ducha.lawful.results import checklist_of, half_label, item_label, period_label, results
from ducha.org.access import business_reader
from ducha.rules.periods import Period
from ducha.workcal import service as workcal


def _int(value: str | None) -> int | None:
    return int(value) if value and value.strip().isdigit() and len(value.strip()) < 6 else None


@login_required
def index(request: HttpRequest) -> HttpResponse:
    user = business_reader(request)
    checks = visible_checks(user).annotate(n_units=Count("units", distinct=True)).order_by("-period")
    page = Paginator(checks, 20).get_page(request.GET.get("page"))
    for check in page.object_list:
        check.label = period_label(check)  # type: ignore[attr-defined]
    return render(request, "lawful/index.html", {"page": page, "office": runs_checks(user)})


def _open_choices() -> list[tuple[str, str]]:
    """The half-years the office may open: the current one and the three before, unchecked."""
    half = Period.containing("half", workcal.today())
    taken = set(Check.objects.values_list("period", flat=True))
    out = []
    for _i in range(4):
        if half.key not in taken:
            out.append((half.key, half_label(half)))
        half = half.previous()
    return out


@login_required
@require_http_methods(["GET", "POST"])
def new_check(request: HttpRequest) -> HttpResponse:
    user = business_reader(request)
    if not runs_checks(user):
        raise Http404("No such page")
    choices = _open_choices()
    period = request.POST.get("period") or request.GET.get("period") or (choices[0][0] if choices else "")
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            half = actions.parse_half(period)
            if request.POST.get("confirm") != "yes" and half is not None:
                raise actions.LawfulError({"confirm": _("Nothing was opened. Confirm it: %(effect)s")
                                           % {"effect": actions.open_effect(half)}})
            check = actions.do_open_check(actor=user, period=period)
        except actions.LawfulError as e:
            errors = e.errors
        else:
            messages.success(request, _("Check opened."))
            return redirect("lawful:check", check_id=check.pk)
    items = [(item_label(i), i.points) for i in actions.current_checklist()]
    return render(request, "lawful/new.html", {
        "choices": choices, "period": period, "errors": errors, "general_error": errors.get("__all__", ""), "items": items,
        "total": sum(p for _l, p in items), "departments": actions.departments(),
        "effect": actions.open_effect(None),
    }, status=400 if errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def check_detail(request: HttpRequest, check_id: int) -> HttpResponse:
    user = business_reader(request)
    check = access_check_by_id(user, check_id)
    office = runs_checks(user)
    error, status = "", 200
    if request.method == "POST":
        if not office or request.POST.get("step") != "publish":
            raise Http404("No such step")
        try:
            if request.POST.get("confirm") != "yes":
                raise actions.LawfulError(_("Nothing was published. Confirm it: %(effect)s")
                                          % {"effect": actions.publish_effect(check)})
            actions.do_publish_check(actor=user, check=check)
        except actions.LawfulError as e:
            error, status = str(e), 400
        else:
            messages.success(request, _("Check published."))
            return redirect("lawful:check", check_id=check.pk)
    items = [(i.code, item_label(i), i.points) for i in checklist_of(check)]
    open_ = check.state == CheckState.OPEN
    return render(request, "lawful/check.html", {
        "check": check, "label": period_label(check), "items": items, "total": sum(p for _c, _l, p in items),
        "rows": results(check, visible_units_of(user, check)), "office": office, "open": open_, "error": error,
        "effect": actions.publish_effect(check) if office and open_ else "",
        "cases": Deduction.objects.filter(lawful_check=check, case__isnull=False).count() if office else 0,
    }, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def unit_result(request: HttpRequest, check_id: int, unit_id: int) -> HttpResponse:
    user = business_reader(request)
    check = access_check_by_id(user, check_id)
    unit = access_result_unit(user, check, unit_id)
    office = runs_checks(user)
    errors: dict[str, str] = {}
    failed_item = ""
    if request.method == "POST":
        step = request.POST.get("step")
        if not office or step not in ("deduct", "case"):
            raise Http404("No such step")
        try:
            if step == "deduct":
                failed_item = request.POST.get("item", "")
                actions.do_record_deduction(actor=user, check=check, data=actions.DeductionInput(
                    unit_id=unit.pk, item=failed_item, points=_int(request.POST.get("points")),
                    finding=request.POST.get("finding", "")))
                messages.success(request, _("Deduction recorded."))
            else:
                row = Deduction.objects.filter(lawful_check=check, unit=unit, pk=_int(request.POST.get("deduction")) or 0
                                               ).select_related("lawful_check").first()
                if row is None:
                    raise Http404("No such finding")
                failed_item = row.item
                case = actions.do_hand_to_case(actor=user, deduction=row, conduct=request.POST.get("conduct", ""),
                                               evidence=request.POST.get("evidence", ""))
                messages.success(request, _("Handed to efficiency case %(id)s.") % {"id": case.pk})
        except actions.LawfulError as e:
            errors = e.errors
        else:
            return redirect("lawful:unit", check_id=check.pk, unit_id=unit.pk)
    (result,) = results(check, [unit])
    return render(request, "lawful/unit.html", {
        "check": check, "label": period_label(check), "unit": unit, "result": result, "office": office,
        "open": check.state == CheckState.OPEN, "errors": errors, "general_error": errors.get("__all__", ""),
        "failed_item": failed_item,
        "conducts": Conduct.choices, "posted": request.POST if errors else {},
    }, status=400 if errors else 200)
