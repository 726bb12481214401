"""The window's pages (S3.3): the applications list, the 收件 form and an application's page
with the check, the one-time notice, 补正, 受理 or 不予受理, handing over and withdrawal.

What follows 受理 (the clocks, the departments' steps, pauses, the extension, the decision) is
drawn by ``views_handling.handling_context`` into the same page when that part is installed.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from ducha.approvals import actions_intake as act
from ducha.approvals import intake
from ducha.approvals.access import access_application_by_id, visible_applications
from ducha.approvals.catalogue import areas, published_catalogue, version_in_force
from ducha.approvals.models import (
    Application,
    ApplicationState,
    Channel,
    Document,
    Event,
    Item,
    Level,
    MaterialState,
    Node,
)
from ducha.org.access import business_reader
from ducha.org.roles import Role
from ducha.security.answers import DOCX, PDF, stored_file
from ducha.workcal import service as workcal

PAGE = 30
STEPS = ("check", "notice", "submit", "accept", "refuse", "handover", "withdraw")


def _int(value: str | None) -> int | None:
    text = (value or "").strip()
    return int(text) if text.isdigit() and len(text) < 19 else None


def _ints(values: list[str]) -> list[int]:
    return [n for n in (_int(v) for v in values) if n is not None]


@login_required
@require_GET
def application_list(request: HttpRequest) -> HttpResponse:
    user = business_reader(request)
    qs = visible_applications(user).select_related("version__item", "handling_unit", "first_officer")
    state = request.GET.get("state", "")
    if state in ApplicationState.values:
        qs = qs.filter(state=state)
    mine = request.GET.get("mine") == "1"
    if mine:
        qs = qs.filter(first_officer=user)
    q = request.GET.get("q", "").strip()[:60]
    if q:
        qs = qs.filter(Q(receipt_number__icontains=q) | Q(applicant_name__icontains=q) | Q(applicant_id=q.upper()))
    page = Paginator(qs.order_by("-received_at", "-id"), PAGE).get_page(request.GET.get("page"))
    return render(request, "approvals/window_list.html", {
        "page": page, "states": ApplicationState.choices, "state": state, "q": q, "mine": mine,
        "window": intake.works_the_window(user)})


@login_required
@require_http_methods(["GET", "POST"])
def receive(request: HttpRequest) -> HttpResponse:
    """收件: find the item (code or words), then the area, the applicant and the materials handed in."""
    user = business_reader(request)
    if not intake.works_the_window(user):
        raise Http404("No such page")
    today = workcal.today()
    source = request.POST if request.method == "POST" else request.GET
    code = source.get("item_code", "").strip()[:40]
    search = request.GET.get("q", "").strip()[:60]
    item = Item.objects.filter(code=code).first() if code else None
    version = version_in_force(item, today) if item is not None else None
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            app = act.do_receive_application(
                actor=user, item_code=code, area_id=_int(source.get("area")),
                applicant_name=source.get("applicant_name", ""), applicant_id=source.get("applicant_id", ""),
                applicant_phone=source.get("applicant_phone", ""), project=source.get("project", ""),
                materials_handed_in=_ints(source.getlist("materials")),
                channel=source.get("channel", Channel.WINDOW), today=today)
        except act.IntakeError as e:
            errors = e.errors
        else:
            # The query code exists in plain text only now: shown once, on the next page, to hand over.
            messages.success(request, format_html(
                '{} <span class="d-block mt-1">{} <strong class="fs-4 font-monospace" data-testid="query-code">{}'
                '</strong></span>', _("Received as %(number)s.") % {"number": app.receipt_number},
                _("Query code for the public site (shown only this once; give it to the applicant):"),
                getattr(app, "query_code", "")))
            return redirect("approvals:app-detail", application_id=app.pk)
    found = list(published_catalogue(today, search)[:30]) if search or version is None else []
    ticked = set(_ints(source.getlist("materials")))
    return render(request, "approvals/window_receive.html", {
        "code": code, "search": search, "version": version, "found": found, "areas": areas(),
        "materials": list(version.materials.order_by("position", "id")) if version else [],
        "ticked": ticked, "posted": source, "errors": errors, "general_error": errors.get("__all__", ""),
        "channels": Channel.choices, "unknown_code": bool(code) and version is None,
    }, status=400 if errors else 200)


def _handling(request: HttpRequest, app: Application) -> dict[str, Any] | None:
    try:
        from ducha.approvals.views_handling import handling_context
    except ImportError:
        return None
    return handling_context(request, app)


def _results(request: HttpRequest, app: Application) -> dict[int, tuple[str, str]]:
    """The materials whose result the form changes."""
    out: dict[int, tuple[str, str]] = {}
    for row in app.materials.all():
        state = request.POST.get(f"state_{row.material_id}", "")
        problem = request.POST.get(f"problem_{row.material_id}", "").strip()
        if state and (state != row.state or problem != row.problem):
            out[row.material_id] = (state, problem)
    return out


def _do(request: HttpRequest, app: Application, step: str) -> str:
    user = business_reader(request)
    confirm = request.POST.get("confirm") == "yes"
    today = workcal.today()
    if step == "check":
        act.do_check_materials(actor=user, application_id=app.pk, results=_results(request, app), today=today)
        return _("Check recorded.")
    if step == "notice":
        act.do_give_notice(actor=user, application_id=app.pk, confirm=confirm, today=today)
        return _("One-time notice given.")
    if step == "submit":
        act.do_submit_materials(actor=user, application_id=app.pk, material_ids=_ints(request.POST.getlist("materials")),
                                today=today)
        return _("Materials received.")
    if step == "accept":
        if not confirm:
            raise act.IntakeError({"confirm": _("Nothing was done. Confirm the acceptance first.")})
        done = act.do_accept(actor=user, application_id=app.pk, today=today)
        return _("Accepted by law as of %(day)s (art. 32).") % {"day": done.accepted_on} if done.deemed_accepted \
            else _("Accepted.")
    if step == "refuse":
        act.do_refuse_to_accept(actor=user, application_id=app.pk, reasons=request.POST.get("reasons", ""),
                                confirm=confirm, today=today)
        return _("Decision not to accept issued.")
    if step == "handover":
        act.do_hand_over(actor=user, application_id=app.pk, to_user_id=_int(request.POST.get("to_user")) or 0,
                         reason=request.POST.get("reason", ""), today=today)
        return _("Handed over.")
    act.do_withdraw(actor=user, application_id=app.pk, reason=request.POST.get("reason", ""), confirm=confirm,
                    today=today)
    return _("Withdrawn.")


def _event_label(kind: str) -> str:
    return {
        "received": _("Received"), "checked": _("Materials checked"), "notice": _("One-time notice given"),
        "materials_submitted": _("Materials handed in"), "accepted": _("Accepted"),
        "deemed_accepted": _("Accepted by law (art. 32)"), "not_accepted": _("Not accepted"),
        "handed_over": _("First-contact responsibility handed over"), "withdrawn": _("Withdrawn"),
        "step_done": _("Step done"), "pause": _("Clock paused (art. 45)"), "resume": _("Clock resumed"),
        "extend": _("Limit extended (art. 42)"), "decide": _("Decided"),
    }.get(kind, kind.replace("_", " "))


def _event_words(kind: str, detail: dict[str, Any]) -> str:
    if kind == "deemed_accepted":
        return str(detail.get("reason", ""))
    if kind == "accepted":
        return _("as of %(day)s") % {"day": detail.get("accepted_on", "")}
    if kind == "notice":
        return _("notice %(n)s") % {"n": detail.get("sequence", "")}
    if kind in ("not_accepted",):
        return str(detail.get("reasons", ""))
    if kind in ("handed_over", "withdrawn"):
        return str(detail.get("reason", ""))
    return ""


def _timeline(app: Application) -> list[dict[str, Any]]:
    return [{"event": e, "label": _event_label(e.kind), "words": _event_words(e.kind, e.detail)} for e in
            Event.objects.filter(application=app).select_related("actor").order_by("at", "id")]


@login_required
@require_http_methods(["GET", "POST"])
def application_detail(request: HttpRequest, application_id: int) -> HttpResponse:
    user = business_reader(request)
    app = access_application_by_id(user, application_id)
    window = intake.works_the_window(user)
    errors: dict[str, str] = {}
    failed = ""
    if request.method == "POST":
        step = request.POST.get("step", "")
        if step not in STEPS or not (window or step == "handover"):
            raise Http404("No such step")
        try:
            done = _do(request, app, step)
        except act.IntakeError as e:
            errors, failed = e.errors, step
        else:
            messages.success(request, done)
            return redirect("approvals:app-detail", application_id=app.pk)
        app = access_application_by_id(user, application_id)
    clock = intake.check_clock(app)
    under_check = app.state in (ApplicationState.RECEIVED, ApplicationState.NOTIFIED)
    open_ = app.state in (ApplicationState.RECEIVED, ApplicationState.NOTIFIED, ApplicationState.ACCEPTED,
                          ApplicationState.PAUSED)
    effects = {}
    if window and under_check:
        effects = {"notice": act.notice_effect(app), "refuse": act.refuse_effect(app)}
    if window and open_:
        effects["withdraw"] = act.withdraw_effect(app)
    handling = _handling(request, app)
    return render(request, "approvals/window_application.html", {
        "app": app, "window": window, "clock": clock, "under_check": under_check, "open": open_,
        "check_words": clock.words() if under_check else "",
        "rating_nodes": Node.choices, "rating_levels": Level.choices,
        "materials": list(app.materials.select_related("material").order_by("material__position", "id")),
        "material_states": [(v, t) for v, t in MaterialState.choices if v != MaterialState.PENDING],
        "notices": list(app.notices.select_related("given_by").order_by("sequence")),
        "documents": list(app.documents.order_by("issued_on", "id")),
        "events": _timeline(app), "effects": effects, "errors": errors, "failed": failed,
        "general_error": errors.get("__all__", ""), "posted": request.POST if errors else {},
        "officers": list(intake.window_officers().exclude(pk=app.first_officer_id)),
        "hands_over": open_ and (user.pk == app.first_officer_id or (window and user.role == Role.UNIT_ADMIN)),
        "handling": handling,
    }, status=400 if errors else 200)


@login_required
@require_GET
def document_file(request: HttpRequest, application_id: int, document_id: int, fmt: str) -> FileResponse:
    app = access_application_by_id(business_reader(request), application_id)
    doc = Document.objects.filter(application=app, pk=document_id).first()
    if doc is None or fmt not in ("docx", "pdf"):
        raise Http404("No such file")
    return stored_file(doc.pdf if fmt == "pdf" else doc.docx, filename=f"{doc.number}.{fmt}",
                       content_type=PDF if fmt == "pdf" else DOCX, download=fmt == "docx")
