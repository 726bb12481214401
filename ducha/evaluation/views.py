"""The evaluation's pages (S6.1–S6.3): the periods per category, a period's ranking with its
steps, a unit's explanation (total → indicators → formula → records), leaders' and the
performance office's ratings, and an indicator set."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from ducha.accountability.params import date_param
from ducha.evaluation import actions as act
from ducha.evaluation.access import (
    access_period_by_id,
    approver,
    approves,
    explained_units,
    rates_units,
    runs_evaluation,
    sees_explanation,
    visible_periods,
)
from ducha.evaluation.actions import EvaluationError
from ducha.evaluation.actions_ratings import ENTERED, LEADER, RatingEntry, do_enter_ratings, read_rating_file
from ducha.evaluation.actions_sets import PARAMS, do_make_set, specs_of
from ducha.evaluation.documents import next_number
from ducha.evaluation.models import Category, IndicatorSet, Objection, PeriodState
from ducha.evaluation.sources import LABELS
from ducha.evaluation.summary import current_lines, current_snapshot, latest_lines
from ducha.org.access import business_reader
from ducha.org.models import Unit
from ducha.rules.evaluation import reward_and_penalty
from ducha.rules.periods import Period
from ducha.workcal import service as workcal

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@login_required
@require_http_methods(["GET", "POST"])
def index(request: HttpRequest) -> HttpResponse:
    user = business_reader(request)
    office = runs_evaluation(user)
    errors: list[str] = []
    today = workcal.today()
    if request.method == "POST":
        if not office:
            raise Http404("No such step")
        try:
            ev = act.do_open_evaluation(actor=user, category_id=int(request.POST.get("category") or 0),
                                        period_key=request.POST.get("period", ""))
        except ValueError as e:  # EvaluationError, or a category that is not a number
            errors = list(e.errors.values()) if isinstance(e, act.EvaluationError) else [str(e)]
        else:
            messages.success(request, _("Period opened and scored as a draft."))
            return redirect("evaluation:period", evaluation_id=ev.pk)
    periods = visible_periods(user).select_related("category").order_by("-period", "category__sort_order")[:200]
    last_quarter = Period.containing("quarter", today).previous()
    return render(request, "evaluation/index.html", {
        "periods": periods, "office": office, "errors": errors, "categories": Category.objects.all(),
        "default_period": last_quarter.key, "sets": IndicatorSet.objects.select_related("category")[:30],
        "rates": user.role == "leader",
    }, status=400 if errors else 200)


def _bars(lines: list[Any]) -> list[dict[str, Any]]:
    top = max((line.total for line in lines), default=Decimal(0)) or Decimal(1)
    return [{"line": line, "width": float(line.total / top * 100)} for line in lines]


@login_required
@require_http_methods(["GET", "POST"])
def period(request: HttpRequest, evaluation_id: int) -> HttpResponse:
    user = business_reader(request)
    ev = access_period_by_id(user, evaluation_id)
    errors: list[str] = []
    if request.method == "POST":
        step = request.POST.get("step")
        try:
            if step == "rescore":
                act.do_rescore_evaluation(actor=user, evaluation=ev, reason=request.POST.get("reason", ""))
            elif step == "check":
                act.do_check_evaluation(actor=user, evaluation=ev)
            elif step in ("approve", "return"):
                act.do_decide_evaluation(actor=user, evaluation=ev, approve=step == "approve",
                                         reason=request.POST.get("reason", ""))
            elif step == "publish":
                if request.POST.get("confirm") != "yes":
                    raise act.EvaluationError(_("Nothing was published. Confirm it: %(effect)s") % {
                        "effect": act.publish_effect(ev)})
                act.do_publish_evaluation(actor=user, evaluation=ev)
            elif step == "objection":
                act.do_raise_objection(actor=user, evaluation=ev, text=request.POST.get("text", ""),
                                       indicator=request.POST.get("indicator", ""))
            elif step == "answer":
                objection = Objection.objects.filter(pk=int(request.POST.get("objection") or 0),
                                                     evaluation=ev).first()
                if objection is None:
                    raise Http404("No such objection")
                act.do_answer_objection(actor=user, objection=objection, upheld=request.POST.get("upheld") == "yes",
                                        answer=request.POST.get("answer", ""))
            else:
                raise Http404("No such step")
            messages.success(request, _("Done."))
            return redirect("evaluation:period", evaluation_id=ev.pk)
        except act.NotYours:
            raise Http404("No such step") from None
        except act.EvaluationError as e:
            errors = list(e.errors.values())
    lines = list(current_lines(ev).select_related("unit"))
    office = runs_evaluation(user)
    reward: list[Any] = []
    penalty: list[Any] = []
    if Period.parse(ev.period).kind == "year":
        from django.conf import settings

        top, bottom = reward_and_penalty({line.unit_id: line.rank for line in lines},
                                         top=settings.DUCHA_EVALUATION_REWARD_TOP,
                                         bottom=settings.DUCHA_EVALUATION_PENALTY_BOTTOM)
        names = {line.unit_id: line.unit for line in lines}
        reward, penalty = [names[u] for u in top], [names[u] for u in bottom]
    own_objections = Objection.objects.filter(evaluation=ev)
    if not office:
        own_objections = own_objections.filter(unit_id=user.unit_id or 0)
    return render(request, "evaluation/period.html", {
        "ev": ev, "bars": _bars(lines), "snapshot": current_snapshot(ev),
        "snapshots": ev.snapshots.order_by("-version"), "office": office, "approves": approves(user),
        "approver": approver(), "errors": errors, "states": PeriodState,
        "effect": act.publish_effect(ev) if office and ev.state == PeriodState.APPROVED else "",
        "next_number": next_number(workcal.today()) if office and ev.state == PeriodState.APPROVED else "",
        "explains": explained_units(user, ev, [line.unit_id for line in lines]),
        "reward": reward, "penalty": penalty, "objections": own_objections.select_related("unit", "raised_by"),
        "may_object": user.role == "unit_admin" and ev.state == PeriodState.PUBLISHED
        and any(line.unit_id == user.unit_id for line in lines),
        "deadline": act.objection_deadline(ev),
    }, status=400 if errors else 200)


@login_required
def unit(request: HttpRequest, evaluation_id: int, unit_id: int) -> HttpResponse:
    user = business_reader(request)
    ev = access_period_by_id(user, evaluation_id)
    if not sees_explanation(user, ev, unit_id):
        raise Http404("No such unit result")
    lines = list(current_lines(ev).select_related("unit"))
    line = next((x for x in lines if x.unit_id == unit_id), None)
    if line is None:
        raise Http404("No such unit result")
    # The category's mean per indicator, for the unit's profile against its category.
    means: dict[str, Decimal] = {}
    for other in lines:
        for row in other.breakdown["indicators"]:
            if row.get("weight") and row["method"]:
                means[row["code"]] = means.get(row["code"], Decimal(0)) + Decimal(row["score"]) / len(lines)
    profile = [{"row": row, "own": float(Decimal(row["score"]) / Decimal(row["weight"]) * 100),
                "mean": float(means.get(row["code"], Decimal(0)) / Decimal(row["weight"]) * 100)}
               for row in line.breakdown["indicators"]
               if row["method"] and row["method"] != "adjustment" and Decimal(row.get("weight") or 0) > 0]
    # The unit's rank in each quarter it may see: two queries however many quarters there are.
    history = visible_periods(user).filter(category=ev.category, period__contains="-Q")
    got = dict(latest_lines(history).filter(unit_id=unit_id).values_list("snapshot__evaluation__period", "rank"))
    ranks = [(p, got.get(p)) for p in history.order_by("period").values_list("period", flat=True)]
    return render(request, "evaluation/unit.html", {
        "ev": ev, "line": line, "rows": line.breakdown["indicators"], "total": line.breakdown["total"],
        "profile": profile, "ranks": ranks, "count": len(lines), "labels": LABELS,
    })


@login_required
@require_http_methods(["GET", "POST"])
def ratings(request: HttpRequest) -> HttpResponse:
    """A leader rates the units in scope; the performance office enters or imports the others."""
    user = business_reader(request)
    office = runs_evaluation(user)
    if not office and user.role != "leader":
        raise Http404("No such page")
    source = LEADER if not office else request.POST.get("source", request.GET.get("source", ENTERED[1]))
    units = rates_units(user) if not office else Unit.objects.filter(is_active=True).exclude(kind="office")
    period_key = request.POST.get("period", request.GET.get("period", ""))
    if not period_key:
        period_key = Period.containing("quarter", workcal.today()).previous().key
    errors: list[str] = []
    if request.method == "POST":
        entries = [RatingEntry(u.pk, request.POST.get(f"unit-{u.pk}", "")) for u in units]
        upload = request.FILES.get("file")
        if office and upload is not None:
            entries, problems = read_rating_file(upload)
            errors = problems
        if not errors:
            try:
                n = do_enter_ratings(actor=user, period_key=period_key, source=source, entries=entries,
                                     origin=request.POST.get("origin", ""))
            except act.NotYours:
                raise Http404("No such step") from None
            except act.EvaluationError as e:
                errors = list(e.errors.values())
            else:
                messages.success(request, _("%(n)d scores recorded.") % {"n": n})
                return redirect(f"{request.path}?period={period_key}&source={source}")
    return render(request, "evaluation/ratings.html", {
        "units": units.order_by("sort_order", "id"), "period": period_key, "source": source, "office": office,
        "sources": ENTERED, "errors": errors, "labels": LABELS,
    }, status=400 if errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def indicator_set(request: HttpRequest, set_id: int) -> HttpResponse:
    """An indicator set; the performance office saves it, changed, as the next version."""
    user = business_reader(request)
    found = IndicatorSet.objects.select_related("category").filter(pk=set_id).first()
    if found is None:
        raise Http404("No such indicator set")
    office = runs_evaluation(user)
    errors: list[str] = []
    if request.method == "POST":
        if not office:
            raise Http404("No such step")
        post = request.POST
        specs = [replace(s, weight=post.get(f"weight-{s.code}", s.weight).strip(),
                         params={**s.params, **{k: post[f"{k}-{s.code}"].strip() for k in PARAMS
                                                if post.get(f"{k}-{s.code}", "").strip()}},
                         enters_total=post.get(f"enters-{s.code}") == "on" if s.is_adjustment else s.enters_total)
                 for s in specs_of(found)]
        try:
            made = do_make_set(actor=user, category=found.category, year=found.year,
                               valid_from=date_param(post.get("valid_from")) or date(1, 1, 1), note=post.get("note", ""),
                               bonus_cap=post.get("bonus_cap", ""), deduction_cap=post.get("deduction_cap", ""),
                               specs=specs)
        except EvaluationError as e:
            errors = list(e.errors.values())
        else:
            messages.success(request, _("Saved as version %(v)d.") % {"v": made.version})
            return redirect("evaluation:set", set_id=made.pk)
    return render(request, "evaluation/set.html", {
        "set": found, "indicators": found.indicators.order_by("position", "id"), "labels": LABELS,
        "office": office, "errors": errors, "today": workcal.today(),
        "versions": found.category.indicator_sets.filter(year=found.year).order_by("-version"),
    }, status=400 if errors else 200)


@login_required
@require_GET
def period_file(request: HttpRequest, evaluation_id: int, fmt: str) -> FileResponse:
    ev = access_period_by_id(business_reader(request), evaluation_id)
    field = {"docx": ev.docx, "pdf": ev.pdf}.get(fmt)
    if ev.state != PeriodState.PUBLISHED or not field:
        raise Http404("No such file")
    return FileResponse(field.open("rb"), as_attachment=fmt == "docx", filename=f"{ev.number}.{fmt}",
                        content_type="application/pdf" if fmt == "pdf" else DOCX)
