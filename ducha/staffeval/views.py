"""The internal evaluation's pages (S2.5, S6.2): the overview (a unit's, or the organisation
and personnel office's list of units), a unit's internal ledger per section and person, its
monthly reviews (一月一讲评) with the administrator's form for this month, and a year's staff
evaluation with the grade selects, the quota and its explanation, the submission, and the
office's confirmation or return."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from ducha.org.access import business_reader
from ducha.org.models import Section, Unit, User
from ducha.staffeval import actions
from ducha.staffeval.access import (
    access_evaluation_by_id,
    access_unit_by_id,
    is_unit_admin_of,
    reader_kind,
    visible_evaluations,
    visible_lines,
)
from ducha.staffeval.ledger import by_person, by_section, ledger_items, tally
from ducha.staffeval.models import EDITABLE_STATES, EvaluationState, StaffEvaluation, StaffGradeChoice
from ducha.staffeval.quota import source_note
from ducha.staffeval.summary import grade_counts, reviews_of
from ducha.workcal import service as workcal


def _reader(request: HttpRequest) -> tuple[User, str]:
    user = business_reader(request)
    kind = reader_kind(user)
    if not kind:
        raise Http404("No internal evaluation for this role")
    return user, kind


def _year(value: str | None, default: int) -> int:
    text = (value or "").strip()
    return int(text) if text.isdigit() and len(text) == 4 and 2000 <= int(text) <= 2999 else default


def _int(value: str | None) -> int | None:
    text = (value or "").strip()
    return int(text) if text.isdigit() and len(text) < 10 else None


@login_required
@require_http_methods(["GET", "POST"])
def index(request: HttpRequest) -> HttpResponse:
    user, kind = _reader(request)
    today = workcal.today()
    if kind == "hr":
        if request.method == "POST":
            raise Http404("No such step")
        year = _year(request.GET.get("year"), today.year)
        evaluations = {e.unit_id: e for e in StaffEvaluation.objects.filter(year=year)}
        units = Paginator(Unit.objects.filter(is_active=True).order_by("sort_order", "id"), 50).get_page(
            request.GET.get("page"))
        rows = [(u, evaluations.get(u.pk)) for u in units.object_list]
        waiting = sum(e.state == EvaluationState.SUBMITTED for e in evaluations.values())
        return render(request, "staffeval/hr_index.html", {
            "year": year, "years": [today.year, today.year - 1, today.year - 2], "page": units, "rows": rows,
            "waiting": waiting, "draft": EvaluationState.DRAFT})
    unit = access_unit_by_id(user, user.unit_id or 0)
    admin = kind == "admin"
    errors: dict[str, str] = {}
    if request.method == "POST":
        if not admin or request.POST.get("step") != "start":
            raise Http404("No such step")
        try:
            made = actions.do_start_staff_evaluation(actor=user, year=_int(request.POST.get("year")))
        except actions.StaffEvalError as e:
            errors = e.errors
        else:
            messages.success(request, _("The evaluation was started and drafted from the internal ledger."))
            return redirect("staffeval:evaluation", evaluation_id=made.pk)
    started = set(StaffEvaluation.objects.filter(unit=unit).values_list("year", flat=True))
    items = ledger_items(unit.pk, today.year, today)
    return render(request, "staffeval/unit_index.html", {
        "unit": unit, "admin": admin, "errors": errors, "general_error": errors.get("__all__", ""),
        "evaluations": visible_evaluations(user).filter(unit=unit).order_by("-year"),
        "start_years": [y for y in actions.years_open(today) if y not in started] if admin else [],
        "year": today.year, "totals": tally(items), "sections": Section.objects.filter(unit=unit).count(),
        "month_reviews": reviews_of(unit.pk, today.year)}, status=400 if errors else 200)


@login_required
def ledger(request: HttpRequest, unit_id: int) -> HttpResponse:
    user, kind = _reader(request)
    unit = access_unit_by_id(user, unit_id)
    today = workcal.today()
    year = _year(request.GET.get("year"), today.year)
    items = ledger_items(unit.pk, year, today)
    people = User.objects.filter(pk__in={i.person_id for i in items if i.person_id}).order_by("section_id", "id")
    return render(request, "staffeval/ledger.html", {
        "unit": unit, "year": year, "years": [today.year, today.year - 1], "items": items, "totals": tally(items),
        "sections": by_section(items, Section.objects.filter(unit=unit).order_by("id")),
        "people": by_person(items, people), "link_matters": kind != "hr"})


@login_required
@require_http_methods(["GET", "POST"])
def reviews(request: HttpRequest, unit_id: int) -> HttpResponse:
    user, _kind = _reader(request)
    unit = access_unit_by_id(user, unit_id)
    today = workcal.today()
    month = f"{today.year:04d}-{today.month:02d}"
    year = _year(request.GET.get("year"), today.year)
    admin = is_unit_admin_of(user, unit.pk)
    errors: dict[str, str] = {}
    failed = None
    if request.method == "POST":
        if not admin:
            raise Http404("No such step")
        failed = _int(request.POST.get("section"))
        try:
            actions.do_record_monthly_review(actor=user, data=actions.ReviewInput(
                section_id=failed, month=request.POST.get("month", ""), reviewed=request.POST.get("reviewed", ""),
                points=_int(request.POST.get("points")), problems=request.POST.get("problems", ""),
                next_steps=request.POST.get("next_steps", "")))
        except actions.StaffEvalError as e:
            errors = e.errors
            if request.POST.get("points", "").strip() and _int(request.POST.get("points")) is None:
                errors["points"] = _("Points are a whole number from 0 to 100, or empty.")
        else:
            messages.success(request, _("Monthly review recorded."))
            return redirect("staffeval:reviews", unit_id=unit.pk)
    rows = reviews_of(unit.pk, year)
    this_month = {r.section_id: r for r in rows if r.month == month}
    sections = list(Section.objects.filter(unit=unit).order_by("id"))
    forms = [(s, this_month.get(s.pk)) for s in sections] if admin else []
    return render(request, "staffeval/reviews.html", {
        "unit": unit, "year": year, "years": [today.year, today.year - 1], "month": month, "rows": rows,
        "admin": admin, "forms": forms, "errors": errors, "failed": failed, "posted": request.POST if errors else {},
        "general_error": errors.get("__all__", ""), "sections": sections}, status=400 if errors else 200)


def _grades_from(request: HttpRequest, evaluation: StaffEvaluation) -> list[actions.GradeInput]:
    out = []
    for person_id in evaluation.lines.values_list("person_id", flat=True):
        if f"grade-{person_id}" in request.POST:
            out.append(actions.GradeInput(person_id, request.POST.get(f"grade-{person_id}", ""),
                                          request.POST.get(f"reason-{person_id}", "")))
    return out


def _step(request: HttpRequest, user: User, kind: str, evaluation: StaffEvaluation) -> str:
    """Run the posted step; the success message."""
    step = request.POST.get("step", "")
    admin = kind == "admin" and is_unit_admin_of(user, evaluation.unit_id)
    if admin and step == "grades":
        actions.do_grade_staff(actor=user, evaluation=evaluation, grades=_grades_from(request, evaluation))
        return _("Grades saved.")
    if admin and step == "redraft":
        actions.do_redraft_staff_evaluation(actor=user, evaluation=evaluation)
        return _("The figures were read again from the internal ledger.")
    if admin and step == "submit":
        grades = _grades_from(request, evaluation)
        if grades:
            actions.do_grade_staff(actor=user, evaluation=evaluation, grades=grades)
        if request.POST.get("confirm") != "yes":
            raise actions.StaffEvalError({"confirm": _("Nothing was submitted. Confirm it: %(effect)s")
                                          % {"effect": actions.submit_effect(evaluation)}})
        actions.do_submit_staff_evaluation(actor=user, evaluation=evaluation)
        return _("Submitted to the organisation and personnel office.")
    if kind == "hr" and step == "confirm":
        actions.do_confirm_staff_evaluation(actor=user, evaluation=evaluation)
        return _("Evaluation confirmed.")
    if kind == "hr" and step == "return":
        actions.do_return_staff_evaluation(actor=user, evaluation=evaluation, reason=request.POST.get("reason", ""))
        return _("Evaluation returned to the unit.")
    raise Http404("No such step")


@login_required
@require_http_methods(["GET", "POST"])
def evaluation(request: HttpRequest, evaluation_id: int) -> HttpResponse:
    user, kind = _reader(request)
    ev = access_evaluation_by_id(user, evaluation_id)
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            done = _step(request, user, kind, ev)
        except actions.StaffEvalError as e:
            errors = e.errors
        else:
            messages.success(request, done)
            return redirect("staffeval:evaluation", evaluation_id=ev.pk)
        ev.refresh_from_db()
    editable = kind == "admin" and ev.state in EDITABLE_STATES
    lines = sorted(visible_lines(user, ev), key=lambda ln: (ln.section_id or 10**12, ln.person_id))
    posted: dict[str, Any] = request.POST if errors else {}
    rows = [{"line": ln, "grade": posted.get(f"grade-{ln.person_id}", ln.grade) if posted else ln.grade,
             "reason": posted.get(f"reason-{ln.person_id}", ln.reason) if posted else ln.reason,
             "grade_error": errors.get(f"grade-{ln.person_id}", ""),
             "reason_error": errors.get(f"reason-{ln.person_id}", "")} for ln in lines]
    quota = actions.quota_of(ev)
    return render(request, "staffeval/evaluation.html", {
        "ev": ev, "kind": kind, "editable": editable, "rows": rows, "quota": quota, "source": source_note(),
        "counts": grade_counts(ev), "grades": StaffGradeChoice.choices, "errors": errors,
        "general_error": errors.get("__all__", ""), "others": {k: v for k, v in errors.items()
                                                             if k in ("grades", "quota", "reasons", "reason", "confirm")},
        "effect": actions.submit_effect(ev) if editable else "", "hr_decides": kind == "hr" and ev.state ==
        EvaluationState.SUBMITTED, "excellent": sum(r["grade"] == StaffGradeChoice.EXCELLENT for r in rows),
        "reason_grades": ["basic", "incompetent"]}, status=400 if errors else 200)
