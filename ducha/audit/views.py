"""The auditor's pages (审计管理员): search the trail, read an event, export CSV, verify the chain.

Reading the trail is itself audited: each search, event view and export is an event.
Only the auditor role gets here; everyone else, the other administrators included, 403.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from datetime import datetime, time
from functools import wraps
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from ducha.audit import chain
from ducha.audit.api import record
from ducha.audit.models import AuditEvent, Result
from ducha.audit.words import action_words, verdict_words
from ducha.org.roles import Role

CSV_COLUMNS = ["seq", "ts", "username", "user_name", "role", "src_ip", "action", "obj_type", "obj_id", "result",
               "reason", "request_id", "user_agent", "before", "after", "hash"]


def auditor_only(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    @wraps(view)
    @login_required
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if getattr(request.user, "role", "") != Role.AUDITOR:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


class FilterForm(forms.Form):
    user = forms.CharField(label=gettext_lazy("user name"), required=False, max_length=150)
    action = forms.CharField(label=gettext_lazy("event type"), required=False, max_length=60)
    date_from = forms.DateField(label=gettext_lazy("from"), required=False,
                                widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=gettext_lazy("to"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    obj_type = forms.CharField(label=gettext_lazy("object type"), required=False, max_length=60)
    obj_id = forms.CharField(label=gettext_lazy("object id"), required=False, max_length=64)
    result = forms.ChoiceField(label=gettext_lazy("result"), required=False, choices=[("", "—"), *Result.choices])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", _("The end date is before the start date."))
        return data

    def filters(self) -> dict[str, Any]:
        return {k: str(v) for k, v in self.cleaned_data.items() if v not in (None, "")} if self.is_valid() else {}


def filtered(form: FilterForm) -> QuerySet[AuditEvent]:
    events = AuditEvent.objects.order_by("-seq")
    if not form.is_valid():
        return events.none()
    data = form.cleaned_data
    tz = ZoneInfo(settings.TIME_ZONE)
    if data["user"]:
        events = events.filter(username__iexact=data["user"].strip())
    if data["action"]:
        events = events.filter(action__startswith=data["action"].strip())
    if data["date_from"]:
        events = events.filter(ts__gte=datetime.combine(data["date_from"], time.min, tzinfo=tz))
    if data["date_to"]:
        events = events.filter(ts__lte=datetime.combine(data["date_to"], time.max, tzinfo=tz))
    if data["obj_type"]:
        events = events.filter(obj_type=data["obj_type"].strip())
    if data["obj_id"]:
        events = events.filter(obj_id=data["obj_id"].strip())
    if data["result"]:
        events = events.filter(result=data["result"])
    return events


@auditor_only
def event_list(request: HttpRequest) -> HttpResponse:
    form = FilterForm(request.GET or None)
    if request.GET and not form.is_valid():
        return render(request, "audit/list.html", {"form": form, "page": None}, status=400)
    page = Paginator(filtered(form) if request.GET else AuditEvent.objects.order_by("-seq"), 50) \
        .get_page(request.GET.get("page"))
    record(actor=request.user, action="audit.view", obj_type="audit.AuditEvent", obj_id="", before=None,
           after={"filters": form.filters() if request.GET else {}, "page": page.number}, request=request)
    query = request.GET.copy()
    query.pop("page", None)
    codes = AuditEvent.objects.order_by("action").values_list("action", flat=True).distinct()
    actions = [(code, action_words(code)) for code in codes]
    return render(request, "audit/list.html", {"form": form, "page": page, "query": query.urlencode(),
                                               "actions": actions})


@auditor_only
def event_detail(request: HttpRequest, event_id: int) -> HttpResponse:
    event = get_object_or_404(AuditEvent, pk=event_id)
    record(actor=request.user, action="audit.view", obj_type="audit.AuditEvent", obj_id=event.pk, before=None,
           after={"seq": event.seq}, request=request)
    keys = sorted(set(event.before or {}) | set(event.after or {}))
    diff = [(k, (event.before or {}).get(k), (event.after or {}).get(k)) for k in keys]
    return render(request, "audit/detail.html", {"event": event, "diff": diff})


def _cell(value: Any) -> str:
    """Neutralises spreadsheet formulas (CSV injection): a leading = + - @ becomes text."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


class _Echo:
    def write(self, value: str) -> str:
        return value


def _rows(events: QuerySet[AuditEvent]) -> Iterator[str]:
    import json

    writer = csv.writer(_Echo())
    yield "\ufeff"  # Excel reads UTF-8 only with a byte-order mark
    yield writer.writerow(CSV_COLUMNS)
    for e in events.iterator(chunk_size=2000):
        values = {c: getattr(e, c) for c in CSV_COLUMNS}
        values["ts"] = timezone.localtime(e.ts).isoformat()
        values["before"] = json.dumps(e.before, ensure_ascii=False, sort_keys=True) if e.before is not None else ""
        values["after"] = json.dumps(e.after, ensure_ascii=False, sort_keys=True) if e.after is not None else ""
        yield writer.writerow([_cell(values[c]) for c in CSV_COLUMNS])


@auditor_only
def export_csv(request: HttpRequest) -> HttpResponseBase:
    form = FilterForm(request.GET or None)
    if request.GET and not form.is_valid():
        return HttpResponse(_("Bad filter."), status=400, content_type="text/plain; charset=utf-8")
    events = filtered(form) if request.GET else AuditEvent.objects.order_by("-seq")
    # Recorded before streaming, with the row count as of now, so the export is in the trail it exports from.
    count = events.count()
    record(actor=request.user, action="audit.export", obj_type="audit.AuditEvent", obj_id="", before=None,
           after={"filters": form.filters() if request.GET else {}, "rows": count}, request=request)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    response = StreamingHttpResponse(_rows(events), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="audit-{stamp}.csv"'
    return response


@require_POST
@auditor_only
def verify(request: HttpRequest) -> HttpResponse:
    verdict = chain.verify()
    record(actor=request.user, action="audit.verify", obj_type="audit.AuditEvent", obj_id="", before=None,
           after={"checked": verdict.checked, "first_bad_seq": verdict.first_bad_seq}, request=request,
           result=Result.OK if verdict.ok else Result.FAIL, reason=verdict.message)
    (messages.success if verdict.ok else messages.error)(
        request, verdict_words(verdict.code, verdict.checked, verdict.first_bad_seq, verdict.anchor_seq))
    return redirect("audit-events")
