"""The register's pages: the list with each unit's count for the year, a record with its
consequences and appeal, and the supervision office's form to register one (S1.16)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from ducha.accountability import actions
from ducha.accountability.access import (
    access_record_by_id,
    appeals_for,
    registers,
    visible_consequences,
    visible_records,
)
from ducha.accountability.models import Appeal, Cause, ConsequenceState, Form, Rung, Sanction
from ducha.accountability.params import date_param, int_param
from ducha.accountability.special import candidates, decisions, judged_on
from ducha.matters.models import Matter
from ducha.org.access import business_reader, visible_units
from ducha.org.models import Unit, UnitPost, User
from ducha.org.roles import CITY_WIDE_ROLES
from ducha.rules.accountability import window_of
from ducha.rules.periods import Period
from ducha.workcal import service as workcal


@login_required
def register(request: HttpRequest) -> HttpResponse:
    user = business_reader(request)
    today = workcal.today()
    year = int_param(request.GET.get("year")) or today.year
    first, last = date(year, 1, 1), date(year, 12, 31)
    records = visible_records(user).filter(decided_on__range=(first, last))
    unit_id = int_param(request.GET.get("unit"))
    if unit_id is not None:
        records = records.filter(unit_id=unit_id)
    page = Paginator(records.select_related("unit").prefetch_related("people").order_by("-decided_on", "-id"),
                     50).get_page(request.GET.get("page"))
    counted = Count("accountability_records", filter=Q(accountability_records__decided_on__range=(first, last),
                                                       accountability_records__revoked=False))
    units = (visible_units(user).annotate(n=counted).filter(n__gt=0).order_by("-n", "sort_order"))
    due = (visible_consequences(user).filter(state=ConsequenceState.DUE)
           .values_list("rung").annotate(n=Count("id")))
    return render(request, "accountability/register.html", {
        "page": page, "year": year, "units": units, "unit_id": unit_id, "registers": registers(user),
        "due": dict(due), "rungs": Rung, "window": actions.window_rule(),
    })


@login_required
@require_http_methods(["GET", "POST"])
def new_record(request: HttpRequest) -> HttpResponse:
    user = business_reader(request)
    if not registers(user):
        raise Http404("No such page")
    today = workcal.today()
    source = request.POST if request.method == "POST" else request.GET
    chosen = int_param(source.get("unit"))
    unit = Unit.objects.filter(pk=chosen, is_active=True).first() if chosen is not None else None
    posts = list(UnitPost.objects.filter(unit=unit).select_related("person").order_by("kind", "id")) if unit else []
    errors: dict[str, str] = {}
    number = source.get("matter_number", "").strip()
    matter_id = Matter.objects.filter(number=number).values_list("pk", flat=True).first() if number else None
    if number and matter_id is None:
        errors["matter"] = _("No matter is numbered %(number)s.") % {"number": number}
    data = actions.RecordInput(
        unit_id=unit.pk if unit else 0,
        people_ids=tuple(sorted({int(p) for p in source.getlist("people") if p.isdigit()})),
        cause=source.get("cause", Cause.MATTER), matter_id=matter_id, case_id=int_param(source.get("case")),
        reason=source.get("reason", ""), form=source.get("form", ""),
        deciding_body=source.get("deciding_body", ""), document_number=source.get("document_number", ""),
        decided_on=date_param(source.get("decided_on")) or (today if request.method == "GET" else None),
    )
    special = _quarter(source.get("special"))
    effect = _effect(unit, data.decided_on) if unit else ""
    if request.method == "POST":
        if errors:
            pass
        elif request.POST.get("confirm") != "yes":
            errors["confirm"] = _("Nothing was registered. Confirm it: %(effect)s") % {"effect": effect}
        else:
            try:
                row = actions.do_register_record(actor=user, data=data, today=today, special=special)
            except actions.AccountabilityError as e:
                errors = e.errors
            else:
                messages.success(request, _("Record %(number)s registered.") % {"number": row.document_number})
                return redirect("accountability:detail", record_id=row.pk)
    return render(request, "accountability/new.html", {
        "unit": unit, "units": Unit.objects.filter(is_active=True).order_by("sort_order", "id"), "posts": posts,
        "data": data, "errors": errors, "causes": Cause.choices, "forms": Form.choices, "effect": effect,
        "matter_number": number, "general_error": errors.get("__all__", "") or errors.get("special", ""),
        "special": special,
    }, status=400 if errors else 200)


def _quarter(text: str | None) -> Period | None:
    try:
        period = Period.parse((text or "").strip())
    except ValueError:
        return None
    return period if period.kind == "quarter" else None


@login_required
@require_http_methods(["GET", "POST"])
def special(request: HttpRequest) -> HttpResponse:
    """每季度专项问责: the quarter's candidates, each decided once by the office."""
    user = business_reader(request)
    if not registers(user) and user.role not in CITY_WIDE_ROLES:
        raise Http404("No such page")
    today = workcal.today()
    quarter = _quarter(request.GET.get("quarter")) or Period.containing("quarter", today)
    error, status = "", 200
    if request.method == "POST":
        try:
            actions.do_decline_special(actor=user, quarter=quarter, matter_id=int_param(request.POST.get("matter")) or 0,
                                       reason=request.POST.get("reason", ""), today=today)
        except actions.NotYours:
            raise Http404("No such step") from None
        except actions.AccountabilityError as e:
            error, status = str(e), 400
        else:
            messages.success(request, _("Decided: not held to account."))
            return redirect(f"{reverse('accountability:special')}?quarter={quarter.key}")
    return render(request, "accountability/special.html", {
        "quarter": quarter, "judged_on": judged_on(quarter, today), "candidates": candidates(quarter, today),
        "decisions": decisions(quarter), "registers": registers(user), "error": error,
        "previous": quarter.previous(), "next": quarter.next() if quarter.next().start <= today else None,
    }, status=status)


def _effect(unit: Unit, decided_on: date | None) -> str:
    """What registering does, named before it is confirmed: who is told, and what the record's
    place in its window raises."""
    day = decided_on or workcal.today()
    first, last = window_of(day, actions.window_rule())
    before = unit.accountability_records.filter(decided_on__range=(first, day), revoked=False).count()
    n = before + 1
    text = _("This will be record %(n)d of %(unit)s between %(first)s and %(last)s. The unit and the people "
             "named are told.") % {"n": n, "unit": unit.name, "first": first.isoformat(), "last": last.isoformat()}
    if n == 2:
        text += " " + _("It raises an admonishment talk for each person named.")
    elif n >= 3:
        text += " " + _("It raises a referral for a sanction for each person named.")
    return text


@login_required
@require_http_methods(["GET", "POST"])
def detail(request: HttpRequest, record_id: int) -> HttpResponse:
    user = business_reader(request)
    record = access_record_by_id(user, record_id)
    error, status = "", 200
    if request.method == "POST":
        step = request.POST.get("step")
        try:
            if step == "appeal":
                actions.do_appeal_record(actor=user, record=record, reason=request.POST.get("reason", ""))
                messages.success(request, _("Appeal lodged."))
            elif step == "decide":
                if request.POST.get("confirm") != "yes":
                    raise actions.AccountabilityError(_("Nothing was decided: tick the box that names the effect."))
                actions.do_decide_appeal(actor=user, record=record, upheld=request.POST.get("upheld") == "yes",
                                         answer=request.POST.get("answer", ""))
                messages.success(request, _("Appeal answered."))
            else:
                raise Http404("No such step")
            return redirect("accountability:detail", record_id=record.pk)
        except actions.NotYours:
            raise Http404("No such step") from None
        except actions.AccountabilityError as e:
            error, status = str(e), 400
    return render(request, "accountability/detail.html", _detail_context(user, record, error), status=status)


def _detail_context(user: User, record: Any, error: str) -> dict[str, Any]:
    deadline = actions.appeal_deadline(record)
    today = workcal.today()
    return {
        "record": record, "people": record.people.all(), "steps": record.steps.select_related("actor"),
        "consequences": record.consequences.select_related("person"), "error": error,
        "registers": registers(user), "deadline": deadline,
        "can_appeal": appeals_for(user, record) and record.appeal == Appeal.NONE and not record.revoked
        and (deadline is None or today <= deadline),
        "appeal_pending": record.appeal == Appeal.PENDING, "sanctions": Sanction.choices,
        "states": [(ConsequenceState.DONE, ConsequenceState.DONE.label),
                   (ConsequenceState.NOT_ADOPTED, ConsequenceState.NOT_ADOPTED.label)],
        "referral": Rung.REFERRAL, "due": ConsequenceState.DUE, "today": today,
    }


@login_required
@require_POST
def settle(request: HttpRequest, consequence_id: int) -> HttpResponse:
    user = business_reader(request)
    c = visible_consequences(user).select_related("raised_by").filter(pk=consequence_id).first()
    if c is None or not registers(user):
        raise Http404("No such consequence")
    data = actions.Settlement(
        state=request.POST.get("state", ""), outcome=request.POST.get("outcome", ""),
        sanction=request.POST.get("sanction", ""), sanction_number=request.POST.get("sanction_number", ""),
        sanction_from=date_param(request.POST.get("sanction_from")))
    try:
        actions.do_settle_consequence(actor=user, consequence=c, data=data)
    except actions.AccountabilityError as e:
        record = access_record_by_id(user, c.raised_by_id)
        return render(request, "accountability/detail.html", _detail_context(user, record, str(e)), status=400)
    messages.success(request, _("Outcome recorded."))
    return redirect("accountability:detail", record_id=c.raised_by_id)
