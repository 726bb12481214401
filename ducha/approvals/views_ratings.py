"""好差评's intranet pages (S5.3): the bad-rating cases in the person's scope with their
deadlines; a case with its return visit, rectification, the department's appeal and the
supervision office's efficiency case; the service office's decision on an appeal; the
window's on-the-spot rating; the month's results per department and per item, published in
one confirmed step; the export for the provincial platform."""

from __future__ import annotations

import io
from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseForbidden
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from ducha.accountability.access import registers
from ducha.approvals import actions_ratings as actions
from ducha.approvals import ratings_export
from ducha.approvals.access import handles_steps_of, in_service_office, reads_everything
from ducha.approvals.models import AppealState, Level, RatingAppeal, RatingCase, RatingCaseState
from ducha.approvals.ratings_results import do_publish_month, month_bounds, month_results, publish_effect
from ducha.org.access import business_reader
from ducha.org.models import User
from ducha.workcal import service as workcal


def _date(text: str | None) -> date | None:
    try:
        return date.fromisoformat((text or "").strip())
    except ValueError:
        return None


@login_required
@require_http_methods(["GET"])
def cases(request: HttpRequest) -> HttpResponse:
    user = business_reader(request)
    state = request.GET.get("state", "")
    qs = (RatingCase.objects.filter(rating__in=actions.visible_ratings(user))
          .select_related("rating__application__version", "unit").order_by("due_on", "id"))
    if state in RatingCaseState.values:
        qs = qs.filter(state=state)
    appeals = (RatingAppeal.objects.filter(state=AppealState.PENDING, rating__in=actions.visible_ratings(user))
               .select_related("rating__application", "unit"))
    return render(request, "approvals/ratings_cases.html", {
        "cases": qs[:300], "appeals": appeals, "states": RatingCaseState.choices, "state": state,
        "today": workcal.today(), "office": in_service_office(user), "reads_all": reads_everything(user)})


def _case_page(request: HttpRequest, user: User, case: RatingCase, *, errors: dict[str, str] | None = None,
               status: int = 200) -> HttpResponse:
    rating = case.rating
    return render(request, "approvals/ratings_case.html", {
        "case": case, "rating": rating, "appeals": rating.appeals.select_related("decided_by", "filed_by"),
        "own": handles_steps_of(user, case.unit_id), "office": in_service_office(user),
        "supervision": registers(user), "errors": errors or {}, "form": request.POST if errors else {},
        "today": workcal.today(), "escalated": case.state == RatingCaseState.ESCALATED,
    }, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def case(request: HttpRequest, case_id: int) -> HttpResponse:
    user = business_reader(request)
    rc = actions.access_rating_case_by_id(user, case_id)
    if request.method == "GET":
        return _case_page(request, user, rc)
    step = request.POST.get("step", "")
    try:
        if step == "visit":
            actions.do_record_visit(actor=user, case_id=rc.pk, visited_on=_date(request.POST.get("visited_on")),
                                    visited_by=request.POST.get("visited_by", ""),
                                    outcome=request.POST.get("visit_outcome", ""))
            messages.success(request, _("Return visit recorded."))
        elif step == "rectify":
            actions.do_rectify(actor=user, case_id=rc.pk, rectification=request.POST.get("rectification", ""))
            messages.success(request, _("Rectification recorded."))
        elif step == "case":
            opened = actions.do_open_case_from_rating(actor=user, case_id=rc.pk,
                                                      confirm=request.POST.get("confirm") == "yes")
            messages.success(request, _("Efficiency case %(id)s opened.") % {"id": opened.pk})
        else:
            raise Http404("no such step")
    except actions.RatingError as e:
        return _case_page(request, user, rc, errors=e.errors, status=403 if isinstance(e, actions.NotYours) else 400)
    return redirect("approvals:rating-case", case_id=rc.pk)


@login_required
@require_POST
def appeal(request: HttpRequest, rating_id: int) -> HttpResponse:
    user = business_reader(request)
    rating = actions.access_rating_by_id(user, rating_id)
    try:
        actions.do_file_appeal(actor=user, rating_id=rating.pk, reasons=request.POST.get("reasons", ""))
    except actions.RatingError as e:
        rc = RatingCase.objects.filter(rating=rating).first()
        if rc is None:
            return HttpResponse(str(e), status=400, content_type="text/plain; charset=utf-8")
        return _case_page(request, user, rc, errors=e.errors, status=403 if isinstance(e, actions.NotYours) else 400)
    messages.success(request, _("Appeal filed; the approval service office decides it."))
    rc = RatingCase.objects.filter(rating=rating).first()
    return redirect("approvals:rating-case", case_id=rc.pk) if rc else redirect("approvals:rating-cases")


@login_required
@require_POST
def decide(request: HttpRequest, appeal_id: int) -> HttpResponse:
    user = business_reader(request)
    item = RatingAppeal.objects.filter(pk=appeal_id, rating__in=actions.visible_ratings(user)).first()
    if item is None:
        raise Http404("no such appeal")
    rc = RatingCase.objects.filter(rating_id=item.rating_id).first()
    try:
        actions.do_decide_appeal(actor=user, appeal_id=item.pk, uphold=request.POST.get("uphold") == "yes",
                                 reasons=request.POST.get("decision_reasons", ""),
                                 confirm=request.POST.get("confirm") == "yes")
    except actions.RatingError as e:
        status = 403 if isinstance(e, actions.NotYours) else 400
        if rc is None:
            return HttpResponse(str(e), status=status, content_type="text/plain; charset=utf-8")
        return _case_page(request, user, rc, errors=e.errors, status=status)
    messages.success(request, _("Appeal decided."))
    return redirect("approvals:rating-case", case_id=rc.pk) if rc else redirect("approvals:rating-cases")


@login_required
@require_POST
def window(request: HttpRequest, application_id: int) -> HttpResponse:
    """The rating device at the window (评价器): recorded by the window, for the applicant."""
    user = business_reader(request)
    level = request.POST.get("level", "")
    try:
        actions.do_rate_at_window(actor=user, application_id=application_id, node=request.POST.get("node", ""),
                                  level=int(level) if level.isdigit() else 0, reason=request.POST.get("reason", ""))
    except actions.NotYours as e:
        return HttpResponseForbidden(str(e))
    except actions.RatingError as e:
        return HttpResponse(str(e), status=400, content_type="text/plain; charset=utf-8")
    messages.success(request, _("Rating recorded."))
    return redirect(request.POST.get("next") or reverse("approvals:rating-cases"))


def _month(request: HttpRequest) -> str:
    month = (request.GET.get("month") or request.POST.get("month") or "").strip()
    if not month:
        today = workcal.today()
        first = today.replace(day=1)
        prev = date.fromordinal(first.toordinal() - 1)
        month = f"{prev:%Y-%m}"
    return month


@login_required
@require_http_methods(["GET", "POST"])
def results(request: HttpRequest) -> HttpResponse:
    user = business_reader(request)
    if not reads_everything(user):
        raise Http404("not in scope")
    month = _month(request)
    try:
        start, end = month_bounds(month)
    except ValueError:
        return render(request, "approvals/ratings_results.html", {"month": month, "bad_month": True}, status=400)
    error = ""
    if request.method == "POST":
        try:
            do_publish_month(actor=user, month=month, confirm=request.POST.get("confirm") == "yes")
            messages.success(request, _("Results of %(month)s published.") % {"month": month})
            return redirect(reverse("approvals:rating-results") + f"?month={month}")
        except actions.NotYours as e:
            return HttpResponseForbidden(str(e))
        except actions.RatingError as e:
            error = str(e)
    units, items = month_results(start, end)
    return render(request, "approvals/ratings_results.html", {
        "month": month, "units": units, "items": items, "office": in_service_office(user), "error": error,
        "effect": publish_effect(month), "levels": [Level(v) for v in (5, 4, 3, 2, 1)]},
        status=400 if error else 200)


@login_required
@require_http_methods(["GET"])
def export(request: HttpRequest) -> HttpResponse:
    user = business_reader(request)
    if not reads_everything(user):
        raise Http404("not in scope")
    month = _month(request)
    try:
        start, end = month_bounds(month)
    except ValueError:
        return HttpResponse(_("Give the month as YYYY-MM."), status=400, content_type="text/plain; charset=utf-8")
    data = ratings_export.rows(ratings_export.month_ratings(start, end))
    out = io.StringIO()
    if request.GET.get("format") == "json":
        ratings_export.write_json(data, month, out)
        kind, suffix = "application/json", "json"
    else:
        ratings_export.write_csv(data, out)
        kind, suffix = "text/csv", "csv"
    response = HttpResponse(out.getvalue(), content_type=f"{kind}; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="ratings-{month}.{suffix}"'
    return response


