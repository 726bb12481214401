"""The supervision office's page to publish the key-task list on the public site (亮进度)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from ducha.matters.errors import MatterError
from ducha.matters.publish import (
    can_publish_key_tasks,
    disclosed_fields,
    do_publish_key_tasks,
    key_tasks,
    key_tasks_effect,
    last_published,
)
from ducha.org.access import business_reader
from ducha.workcal import service as workcal


def _year(value: str | None, default: int) -> int:
    text = (value or "").strip()
    return int(text) if text.isdigit() and len(text) == 4 else default


@login_required
@require_http_methods(["GET", "POST"])
def publish_key_tasks(request: HttpRequest) -> HttpResponse:
    user = business_reader(request)
    if not can_publish_key_tasks(user):
        raise Http404("No such page")
    today = workcal.today()
    source = request.POST if request.method == "POST" else request.GET
    year = _year(source.get("year"), today.year)
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            publication = do_publish_key_tasks(actor=user, year=year, confirm=request.POST.get("confirm") == "yes",
                                               today=today)
        except MatterError as e:
            errors = e.errors
        else:
            messages.success(request, _("The key-task list of %(year)d is published (version %(v)d).") % {
                "year": year, "v": publication.version})
            return redirect(f"{request.path}?year={year}")
    return render(request, "matters/key_tasks_publish.html", {
        "year": year, "tasks": len(key_tasks(year, today)), "fields": disclosed_fields(),
        "effect": key_tasks_effect(year, today), "last": last_published(year), "errors": errors,
        "years": list(range(today.year + 1, today.year - 3, -1)),
    }, status=400 if errors else 200)
