"""The supervision rounds' pages (S2.6): the list, the office's form to open one, a round with
its findings, the form to record one, issuing them, and a unit reporting its rectification."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from ducha.accountability import actions_rounds
from ducha.accountability.access import registers
from ducha.accountability.actions import AccountabilityError, NotYours
from ducha.accountability.params import date_param, int_param
from ducha.accountability.rounds import (
    access_round_by_id,
    inspects,
    sees_all_rounds,
    visible_findings,
    visible_rounds,
)
from ducha.accountability.rounds_models import Breadth, Focus, Openness, Regularity, RoundState
from ducha.accountability.special_rounds import (
    do_open_special_round,
    last_finished_quarter,
    open_effect,
    proposal,
    round_of,
)
from ducha.matters.actions_rectify import RectifyError, do_report_rectified
from ducha.matters.models import Matter
from ducha.org.access import business_reader
from ducha.org.models import Unit, User
from ducha.org.roles import CITY_WIDE_ROLES
from ducha.rules.periods import Period
from ducha.workcal import service as workcal

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@login_required
def rounds(request: HttpRequest) -> HttpResponse:
    user = business_reader(request)
    page = Paginator(visible_rounds(user).prefetch_related("units"), 30).get_page(request.GET.get("page"))
    return render(request, "accountability/rounds.html", {"page": page, "office": registers(user),
                                                          "sees_all": sees_all_rounds(user)})


@login_required
@require_http_methods(["GET", "POST"])
def new_round(request: HttpRequest) -> HttpResponse:
    user = business_reader(request)
    if not registers(user):
        raise Http404("No such page")
    source = request.POST if request.method == "POST" else request.GET
    data = actions_rounds.RoundInput(
        title=source.get("title", ""), regularity=source.get("regularity", Regularity.REGULAR),
        focus=source.get("focus", Focus.CENTRAL), breadth=source.get("breadth", Breadth.COMPREHENSIVE),
        openness=source.get("openness", Openness.OPEN), theme=source.get("theme", ""),
        starts_on=date_param(source.get("starts_on")), ends_on=date_param(source.get("ends_on")),
        unit_ids=tuple(int(u) for u in source.getlist("units") if u.isdigit()),
        inspector_ids=tuple(int(u) for u in source.getlist("inspectors") if u.isdigit()) or (user.pk,))
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            row = actions_rounds.do_open_round(actor=user, data=data)
        except AccountabilityError as e:
            errors = e.errors
        else:
            messages.success(request, _("Round opened."))
            return redirect("accountability:round", round_id=row.pk)
    return render(request, "accountability/round_new.html", {
        "data": data, "errors": errors, "units": Unit.objects.filter(is_active=True).order_by("sort_order", "id"),
        "inspectors": User.objects.filter(is_active=True, role__in=sorted(CITY_WIDE_ROLES)).order_by("id"),
        "modes": [("regularity", _("Regularity"), Regularity.choices, data.regularity),
                  ("focus", _("Focus"), Focus.choices, data.focus),
                  ("breadth", _("Breadth"), Breadth.choices, data.breadth),
                  ("openness", _("Openness"), Openness.choices, data.openness)],
    }, status=400 if errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def round_detail(request: HttpRequest, round_id: int) -> HttpResponse:
    user = business_reader(request)
    row = access_round_by_id(user, round_id)
    error, status = "", 200
    if request.method == "POST":
        step = request.POST.get("step")
        try:
            if step == "finding":
                number = request.POST.get("matter_number", "").strip()
                matter_id = Matter.objects.filter(number=number).values_list("pk", flat=True).first() if number else None
                if number and matter_id is None:
                    raise AccountabilityError({"matter": _("No matter is numbered %(number)s.") % {"number": number}})
                actions_rounds.do_record_finding(actor=user, round_=row, data=actions_rounds.FindingInput(
                    unit_id=int_param(request.POST.get("unit")) or 0, problem=request.POST.get("problem", ""),
                    matter_id=matter_id, rectify_workdays=int_param(request.POST.get("rectify_workdays"))))
                messages.success(request, _("Finding recorded."))
            elif step == "issue":
                if request.POST.get("confirm") != "yes":
                    raise AccountabilityError(_("Nothing was issued. Confirm it: %(effect)s")
                                              % {"effect": actions_rounds.issue_effect(row)})
                actions_rounds.do_issue_round(actor=user, round_=row)
                messages.success(request, _("Findings issued."))
            elif step == "render":
                if actions_rounds.do_render_round(actor=user, round_=row):
                    messages.success(request, _("The documents were generated."))
                else:
                    messages.error(request, _("The documents could not be generated; see the problem below."))
            elif step == "rectified":
                do_report_rectified(actor=user, rectification_id=int_param(request.POST.get("rectification")) or 0,
                                    note=request.POST.get("note", ""))
                messages.success(request, _("Rectification reported done."))
            else:
                raise Http404("No such step")
            return redirect("accountability:round", round_id=row.pk)
        except NotYours:
            raise Http404("No such step") from None
        except (AccountabilityError, RectifyError) as e:
            error, status = str(e), 400
    office = registers(user)
    findings = visible_findings(user, row)
    return render(request, "accountability/round.html", {
        "round": row, "findings": findings, "units": row.units.order_by("sort_order", "id"),
        "inspectors": row.inspectors.all(), "office": office, "error": error, "today": workcal.today(),
        "records": office or inspects(user, row), "open": row.state == RoundState.OPEN,
        "effect": actions_rounds.issue_effect(row) if office and row.state == RoundState.OPEN else "",
        "my_unit": user.unit_id, "matters": row.matters.select_related("lead_unit").order_by("number"),
    }, status=status)


@login_required
@require_GET
def round_file(request: HttpRequest, round_id: int, fmt: str) -> FileResponse:
    row = access_round_by_id(business_reader(request), round_id)
    field = {"docx": row.docx, "pdf": row.pdf}.get(fmt)
    if row.state != RoundState.ISSUED or not field:
        raise Http404("No such file")
    return FileResponse(field.open("rb"), as_attachment=fmt == "docx", filename=f"{row.number}.{fmt}",
                        content_type="application/pdf" if fmt == "pdf" else DOCX)


@login_required
@require_http_methods(["GET", "POST"])
def special_supervision(request: HttpRequest) -> HttpResponse:
    """每季度专项督查: the finished quarter's proposal and, for the office, opening its round."""
    user = business_reader(request)
    if not sees_all_rounds(user):
        raise Http404("No such page")
    today = workcal.today()
    try:
        quarter = Period.parse(request.GET.get("quarter", ""))
    except ValueError:
        quarter = None
    if quarter is None or quarter.kind != "quarter" or quarter.end >= today:
        quarter = last_finished_quarter(today)
    error = ""
    if request.method == "POST":
        if request.POST.get("confirm") != "yes":
            error = _("Nothing was opened: tick the confirmation.")
        else:
            try:
                row = do_open_special_round(actor=user, quarter=quarter, today=today)
            except NotYours:
                raise Http404("No such step") from None
            except AccountabilityError as e:
                error = str(e)
            else:
                messages.success(request, _("Round opened."))
                return redirect("accountability:round", round_id=row.pk)
    proposed = proposal(quarter, today)
    following = quarter.next()
    return render(request, "accountability/special_supervision.html", {
        "quarter": quarter, "previous": quarter.previous(), "next": following if following.end < today else None,
        "proposed": proposed, "round": round_of(quarter), "office": registers(user), "error": error,
        "effect": open_effect(quarter, proposed, today) if proposed else "",
    }, status=400 if error else 200)
