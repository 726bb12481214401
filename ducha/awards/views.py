"""The innovation award's pages (S1.12): the years, a year, the nomination form and page, an
evidence file, the panel's scoring, the ranking with the proposal, approval and publication,
and the published winners. Every write goes through ``actions``/``actions_results``; a refusal
is shown on the page with a 400 and nothing changed."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from ducha.awards import actions, actions_results
from ducha.awards.access import (
    access_nomination_by_id,
    access_year_by_id,
    approves,
    nominates_for,
    on_panel,
    runs_awards,
    visible_nominations,
    visible_years,
)
from ducha.awards.actions import AwardError, NominationInput, NotYours
from ducha.awards.models import Category, Nomination, NominationFile, NominationState, Nominee, Score, YearState
from ducha.awards.ranking import year_ranking
from ducha.matters.views_evidence import CONTENT_TYPES
from ducha.org.access import business_reader
from ducha.org.models import User
from ducha.org.roles import ADMIN_ROLES
from ducha.security.answers import stored_file
from ducha.workcal import service as workcal


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() and len(value) < 12 else None


def _date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value or "")
    except ValueError:
        return None


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    user = business_reader(request)
    return render(request, "awards/index.html", {"years": visible_years(user), "office": runs_awards(user)})


@login_required
@require_http_methods(["GET", "POST"])
def new_year(request: HttpRequest) -> HttpResponse:
    user = business_reader(request)
    if not runs_awards(user):
        raise Http404("No such page")
    today = workcal.today()
    source = request.POST if request.method == "POST" else request.GET
    data = actions.YearInput(year=_int(source.get("year")) or today.year,
                             nomination_deadline=_date(source.get("nomination_deadline")),
                             panel_ids=tuple(int(p) for p in source.getlist("panel") if p.isdigit()))
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            row = actions.do_open_year(actor=user, data=data)
        except AwardError as e:
            errors = e.errors
        else:
            messages.success(request, _("Award year opened."))
            return redirect("awards:year", year_id=row.pk)
    people = (User.objects.filter(is_active=True).exclude(role__in=sorted(ADMIN_ROLES)).exclude(role="")
              .select_related("unit").order_by("unit__sort_order", "id"))
    return render(request, "awards/year_new.html", {"data": data, "errors": errors, "people": people,
                                                     "least": settings.DUCHA_AWARD_PANEL_MIN},
                  status=400 if errors else 200)


@login_required
@require_GET
def year(request: HttpRequest, year_id: int) -> HttpResponse:
    user = business_reader(request)
    row = access_year_by_id(user, year_id)
    today = workcal.today()
    return render(request, "awards/year.html", {
        "year": row, "nominations": visible_nominations(user, row, today).order_by("unit__sort_order", "id"),
        "panel": row.panel.select_related("unit").order_by("id"), "office": runs_awards(user),
        "approver": approves(user), "my_unit": nominates_for(user),
        "nominating": actions.takes_nominations(row, today), "scoring": actions.scoring_open(row, today),
        "on_panel": on_panel(user, row), "published": row.state == YearState.PUBLISHED,
    })


def _nomination_input(request: HttpRequest) -> NominationInput:
    p = request.POST
    return NominationInput(title=p.get("title", ""), category=p.get("category", ""), nominee=p.get("nominee", ""),
                           people=p.get("people", ""), text=p.get("text", ""))


@login_required
@require_http_methods(["GET", "POST"])
def nominate(request: HttpRequest, year_id: int) -> HttpResponse:
    user = business_reader(request)
    row = access_year_by_id(user, year_id)
    if nominates_for(user) is None:
        raise Http404("No such page")
    data = NominationInput("", "", Nominee.UNIT, "")
    errors: dict[str, str] = {}
    if request.method == "POST":
        data = _nomination_input(request)
        try:
            made = actions.do_nominate(actor=user, year=row, data=data, files=request.FILES.getlist("evidence"))
        except AwardError as e:
            errors = e.errors
        else:
            messages.success(request, _("Nomination submitted."))
            return redirect("awards:nomination", nomination_id=made.pk)
    return _form(request, row, data, errors, None)


def _form(request: HttpRequest, row: object, data: NominationInput, errors: dict[str, str],
          nomination: Nomination | None) -> HttpResponse:
    return render(request, "awards/nomination_form.html", {
        "year": row, "data": data, "errors": errors, "nomination": nomination, "categories": Category.choices,
        "nominees": Nominee.choices, "max_files": actions.MAX_FILES,
        "files": list(nomination.files.all()) if nomination else [],
    }, status=400 if errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def edit_nomination(request: HttpRequest, nomination_id: int) -> HttpResponse:
    user = business_reader(request)
    row = access_nomination_by_id(user, nomination_id)
    if nominates_for(user) != row.unit_id:
        raise Http404("No such page")
    data = NominationInput(row.title, row.category, row.nominee, row.text, row.people)
    errors: dict[str, str] = {}
    if request.method == "POST":
        data = _nomination_input(request)
        try:
            actions.do_edit_nomination(actor=user, nomination=row, data=data,
                                       files=request.FILES.getlist("evidence"))
        except AwardError as e:
            errors = e.errors
        else:
            messages.success(request, _("Nomination saved."))
            return redirect("awards:nomination", nomination_id=row.pk)
    return _form(request, row.year, data, errors, row)


@login_required
@require_http_methods(["GET", "POST"])
def nomination(request: HttpRequest, nomination_id: int) -> HttpResponse:
    user = business_reader(request)
    row = access_nomination_by_id(user, nomination_id)
    today = workcal.today()
    error = ""
    if request.method == "POST":
        try:
            if request.POST.get("step") != "withdraw":
                raise Http404("No such step")
            if request.POST.get("confirm") != "yes":
                raise AwardError(_("Nothing was withdrawn: tick the box to confirm."))
            actions.do_withdraw_nomination(actor=user, nomination=row)
            messages.success(request, _("Nomination withdrawn."))
            return redirect("awards:year", year_id=row.year_id)
        except NotYours:
            raise Http404("No such step") from None
        except AwardError as e:
            error = str(e)
    mine = nominates_for(user) == row.unit_id
    scores = Score.objects.filter(nomination=row).select_related("member").order_by("member_id")
    if not runs_awards(user):
        scores = scores.filter(member=user)
    return render(request, "awards/nomination.html", {
        "nomination": row, "year": row.year, "files": list(row.files.all()), "error": error,
        "can_change": mine and row.state == NominationState.SUBMITTED and actions.takes_nominations(row.year, today),
        "scores": scores, "show_result": row.year.state == YearState.PUBLISHED or runs_awards(user),
    }, status=400 if error else 200)


@login_required
@require_GET
def evidence_file(request: HttpRequest, file_id: int) -> FileResponse:
    return evidence_download(business_reader(request), file_id)


def evidence_download(user: User, file_id: int) -> FileResponse:
    """The file for whoever may read its nomination; always a download (never shown as a page)."""
    row = NominationFile.objects.filter(pk=file_id).first()
    if row is None:
        raise Http404("No such file")
    access_nomination_by_id(user, row.nomination_id)
    return stored_file(row.file, filename=row.name, download=True,
                       content_type=CONTENT_TYPES.get(row.content_kind, "application/octet-stream"))


@login_required
@require_http_methods(["GET", "POST"])
def scoring(request: HttpRequest, year_id: int) -> HttpResponse:
    user = business_reader(request)
    row = access_year_by_id(user, year_id)
    if not on_panel(user, row):
        raise Http404("No such page")
    error, status = "", 200
    if request.method == "POST":
        nid = _int(request.POST.get("nomination")) or 0
        target = visible_nominations(user, row).filter(pk=nid).select_related("year").first()
        try:
            if target is None:
                raise AwardError({"nomination": _("No such nomination in this year.")})
            actions.do_score_nomination(actor=user, nomination=target, points=_int(request.POST.get("points")))
        except AwardError as e:
            error, status = str(e), 400
        else:
            messages.success(request, _("Score saved."))
            return redirect("awards:scoring", year_id=row.pk)
    today = workcal.today()
    rows = list(visible_nominations(user, row, today).filter(state=NominationState.SUBMITTED)
                .order_by("unit__sort_order", "id"))
    mine = dict(Score.objects.filter(member=user, nomination__year=row).values_list("nomination_id", "points"))
    return render(request, "awards/scoring.html", {
        "year": row, "error": error, "open": actions.scoring_open(row, today), "scale": settings.DUCHA_AWARD_SCALE,
        "rows": [(n, mine.get(n.pk), user.unit_id is not None and n.unit_id == user.unit_id) for n in rows],
    }, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def ranking(request: HttpRequest, year_id: int) -> HttpResponse:
    user = business_reader(request)
    row = access_year_by_id(user, year_id)
    office, approver = runs_awards(user), approves(user)
    if not (office or approver):
        raise Http404("No such page")
    error, status = "", 200
    if request.method == "POST":
        try:
            _ranking_step(request, user, row)
        except NotYours:
            raise Http404("No such step") from None
        except AwardError as e:
            error, status = str(e), 400
        else:
            return redirect("awards:ranking", year_id=row.pk)
        row.refresh_from_db()
    return render(request, "awards/ranking.html", {
        "year": row, "ranked": year_ranking(row), "office": office, "approver": approver, "error": error,
        "explain": office, "scoring": actions.scoring_open(row, workcal.today()),
        "close_effect": actions_results.close_effect(row) if office and row.state == YearState.OPEN else "",
        "publish_effect": actions_results.publish_effect(row) if office and row.state == YearState.APPROVED else "",
        "limit": settings.DUCHA_AWARD_WINNERS,
    }, status=status)


def _ranking_step(request: HttpRequest, user: User, row: object) -> None:
    from ducha.awards.models import AwardYear

    assert isinstance(row, AwardYear)
    step = request.POST.get("step")
    confirmed = request.POST.get("confirm") == "yes"
    if step == "close":
        if not confirmed:
            raise AwardError(_("Nothing was closed. Confirm it: %(effect)s") % {
                "effect": actions_results.close_effect(row)})
        actions_results.do_close_scoring(actor=user, year=row)
        messages.success(request, _("Scoring closed."))
    elif step == "propose":
        picked = [int(p) for p in request.POST.getlist("winner") if p.isdigit() and len(p) < 12]
        reasons = {int(k[7:]): str(request.POST.get(k, "")) for k in request.POST
                   if k.startswith("reason-") and k[7:].isdigit() and len(k) < 19}
        actions_results.do_propose_winners(actor=user, year=row, picked=picked, reasons=reasons)
        messages.success(request, _("Winners proposed for approval."))
    elif step in ("approve", "return"):
        actions_results.do_decide_winners(actor=user, year=row, approve=step == "approve",
                                          reason=request.POST.get("reason", ""))
        messages.success(request, _("Winners approved.") if step == "approve" else _("Proposal returned."))
    elif step == "publish":
        if not confirmed:
            raise AwardError(_("Nothing was published. Confirm it: %(effect)s") % {
                "effect": actions_results.publish_effect(row)})
        actions_results.do_publish_winners(actor=user, year=row)
        messages.success(request, _("Winners published."))
    else:
        raise Http404("No such step")


@login_required
@require_GET
def winners(request: HttpRequest, year_id: int) -> HttpResponse:
    user = business_reader(request)
    row = access_year_by_id(user, year_id)
    if row.state != YearState.PUBLISHED:
        raise Http404("Not published")
    rows = Nomination.objects.filter(year=row, winner=True).select_related("unit").order_by("rank", "id")
    return render(request, "awards/winners.html", {"year": row, "winners": rows})
