"""The pages of an accepted application's handling (S3.3, S3.4): its clocks and steps, with the
forms to finish a step, pause and resume the clock, extend and decide; and a department's own
running steps with their due days.

``handling_context`` is what the application's page includes (``approvals/_handling.html``, the
dict under the name ``handling``); each form posts here and comes back to the page it came from.
A refused form shows this module's own page with the message, having changed nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from ducha.approvals import actions_handling as actions
from ducha.approvals.access import access_application_by_id, handles_steps_of
from ducha.approvals.clock import clock_fields, clock_of, step_clock
from ducha.approvals.models import Application, ApplicationState, DocumentKind, PauseReason, StepRecord, StepState
from ducha.approvals.models import Pause as PauseRow
from ducha.org.access import business_reader
from ducha.org.models import User
from ducha.org.roles import UNIT_ROLES
from ducha.rules.approvals import Pause
from ducha.workcal import service as workcal

__all__ = ["handling_context"]


def _int(value: str | None) -> int | None:
    value = (value or "").strip()
    return int(value) if value.isdigit() and len(value) < 6 else None


def _date(value: str | None) -> date | None:
    try:
        return date.fromisoformat((value or "").strip())
    except ValueError:
        return None


def handling_context(request: HttpRequest, app: Application, *, errors: dict[str, str] | None = None,
                     failed: str = "") -> dict[str, Any] | None:
    """The clocks, the steps and the forms the person may use; None before acceptance."""
    if app.accepted_on is None:
        return None
    user = request.user
    assert isinstance(user, User)
    today = workcal.today()
    fields = clock_fields(app, today)
    handling = app.state in (ApplicationState.ACCEPTED, ApplicationState.PAUSED)
    decides = handling and actions.decides(user, app)
    steps = [{**s, "mine": s["state"] == StepState.RUNNING and handles_steps_of(user, s["department"]["id"]),
              "state_label": StepState(s["state"]).label, "form_key": f"finish-{s['id']}"} for s in fields["steps"]]
    running = PauseRow.objects.filter(application_id=app.pk, ended_on__isnull=True).first()
    waiting = [s for s in steps if s["state"] != StepState.DONE]
    return {
        "app": app, "clock": fields, "steps": steps, "today": today, "errors": errors or {}, "failed": failed,
        "general_error": (errors or {}).get("__all__", ""), "posted": request.POST if errors else {},
        "next": request.get_full_path(), "running_pause": running,
        "pauses": list(PauseRow.objects.filter(application_id=app.pk).order_by("started_on", "id")),
        "can_pause": handling and app.state == ApplicationState.ACCEPTED and actions.pauses_clock(user, app),
        "can_resume": app.state == ApplicationState.PAUSED and actions.pauses_clock(user, app),
        "can_extend": decides and not app.extension_days, "extension_cap": actions.extension_cap(app),
        "extension_authority": actions.extension_authority(app),
        "can_decide": decides and app.state == ApplicationState.ACCEPTED and not waiting,
        "decide_waits": decides and bool(waiting),
        "reasons": PauseReason.choices,
        "pause_effect": actions.pause_effect(app) if handling else "",
        "extend_effect": actions.extend_effect(app) if decides else "",
        "grant_effect": actions.decide_effect(app, True) if decides else "",
        "refuse_effect": actions.decide_effect(app, False) if decides else "",
        "decision": app.documents.filter(kind__in=[DocumentKind.GRANT, DocumentKind.REFUSAL]).first(),
    }


def _back(request: HttpRequest, app: Application) -> HttpResponse:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return redirect(target)
    return redirect("approvals:handling-app", application_id=app.pk)


def _application_page(app: Application) -> str:
    try:
        return reverse("approvals:app-detail", kwargs={"application_id": app.pk})
    except NoReverseMatch:
        return ""


def _page(request: HttpRequest, app: Application, *, errors: dict[str, str] | None = None,
          failed: str = "") -> HttpResponse:
    ctx = handling_context(request, app, errors=errors, failed=failed)
    if ctx is None:
        raise Http404("Not accepted")
    if errors:
        ctx["next"] = request.POST.get("next", "")
    return render(request, "approvals/handling.html", {"handling": ctx, "app": app,
                                                       "application_page": _application_page(app)},
                  status=400 if errors else 200)


@login_required
@require_GET
def application_handling(request: HttpRequest, application_id: int) -> HttpResponse:
    user = business_reader(request)
    return _page(request, access_application_by_id(user, application_id))


def _post(request: HttpRequest, application_id: int, form: str, act: Callable[[User], str]) -> HttpResponse:
    user = business_reader(request)
    app = access_application_by_id(user, application_id)
    try:
        done = act(user)
    except actions.HandlingError as e:
        app.refresh_from_db()
        return _page(request, app, errors=e.errors, failed=form)
    messages.success(request, done)
    return _back(request, app)


@login_required
@require_POST
def finish_step(request: HttpRequest, application_id: int, step_id: int) -> HttpResponse:
    if not StepRecord.objects.filter(pk=step_id, application_id=application_id).exists():
        raise Http404("No such step")

    def act(user: User) -> str:
        actions.do_finish_step(actor=user, step_id=step_id, opinion=request.POST.get("opinion", ""))
        return _("Step finished.")

    return _post(request, application_id, f"finish-{step_id}", act)


@login_required
@require_POST
def pause(request: HttpRequest, application_id: int) -> HttpResponse:
    def act(user: User) -> str:
        actions.do_start_pause(actor=user, application_id=application_id, reason=request.POST.get("reason", ""),
                               expected_days=_int(request.POST.get("expected_days")),
                               notice_text=request.POST.get("notice_text", ""),
                               confirm=request.POST.get("confirm") == "yes")
        return _("The clock is paused.")

    return _post(request, application_id, "pause", act)


@login_required
@require_POST
def resume(request: HttpRequest, application_id: int) -> HttpResponse:
    def act(user: User) -> str:
        actions.do_end_pause(actor=user, application_id=application_id, note=request.POST.get("note", ""))
        return _("The clock runs again.")

    return _post(request, application_id, "resume", act)


@login_required
@require_POST
def extend(request: HttpRequest, application_id: int) -> HttpResponse:
    def act(user: User) -> str:
        actions.do_extend(actor=user, application_id=application_id, days=_int(request.POST.get("days")),
                          reason=request.POST.get("reason", ""), approved_by=request.POST.get("approved_by", ""),
                          approved_on=_date(request.POST.get("approved_on")),
                          confirm=request.POST.get("confirm") == "yes")
        return _("The period is extended.")

    return _post(request, application_id, "extend", act)


@login_required
@require_POST
def decide(request: HttpRequest, application_id: int) -> HttpResponse:
    grant = request.POST.get("grant")
    if grant not in ("yes", "no"):
        raise Http404("No such decision")

    def act(user: User) -> str:
        doc = actions.do_decide(actor=user, application_id=application_id, grant=grant == "yes",
                                reasons=request.POST.get("reasons", ""), confirm=request.POST.get("confirm") == "yes")
        return _("Decision %(number)s issued.") % {"number": doc.number}

    return _post(request, application_id, "grant" if grant == "yes" else "refuse", act)


def running_steps(unit_id: int, today: date) -> list[dict[str, Any]]:
    """A department's running steps with their clocks, the soonest due first (a running pause
    has no due day yet: last)."""
    records = list(StepRecord.objects.filter(state=StepState.RUNNING, step__department_id=unit_id)
                   .select_related("step", "application__version__item").order_by("started_on", "id"))
    pauses: dict[int, list[Pause]] = {}
    for p in PauseRow.objects.filter(application_id__in={r.application_id for r in records}).order_by("started_on"):
        pauses.setdefault(p.application_id, []).append(Pause(p.started_on, p.ended_on))
    rows = []
    for r in records:
        clock = step_clock(r, today, pauses=pauses.get(r.application_id, []))
        app_clock = clock_of(r.application, today, pauses=pauses.get(r.application_id, []))
        rows.append({"record": r, "app": r.application, "clock": clock, "app_due": app_clock.due if app_clock else None})
    return sorted(rows, key=lambda row: (row["clock"] is None or row["clock"].due is None,
                                         row["clock"].due if row["clock"] and row["clock"].due else date.max,
                                         row["record"].pk))


@login_required
@require_GET
def my_steps(request: HttpRequest) -> HttpResponse:
    user = business_reader(request)
    if user.role not in UNIT_ROLES or user.unit_id is None:
        raise Http404("No department")
    today = workcal.today()
    rows = running_steps(user.unit_id, today)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(request, "approvals/my_steps.html", {"page": page, "today": today, "unit": user.unit,
                                                       "overdue": sum(1 for r in rows if r["clock"] and r["clock"].overdue)})
