"""好差评 on the public site (S5.3): rating an application's 收件 and 办结, and the monthly
results the approval service office published.

The way in is the status look-up: once receipt number and query code match, the answer page
links here with a signed token naming the receipt (valid an hour), so the code is not asked for
again and never travels in a link. The nodes offered come from the status publication: 收件 from
``received``, 办结 from ``decided`` (or, for a decided application without it, the last step's
date); each within ``DUCHA_RATING_WINDOW_DAYS`` natural days. The rating goes in as a
submission of kind ``rating`` (no real-name fields: the application knows its applicant)::

    {"receipt": "SP2026120001", "node": "received" | "done", "level": 1..5, "reason": text}

The portal cannot read submissions back, so it cannot tell whether a node was rated already;
the intranet takes the first rating of a node and refuses any later one.

Published results (kind ``ratings``, keyed by the month ``YYYY-MM``)::

    {"month": "2026-10", "start": "2026-10-01", "end": "2026-10-31",
     "departments": [row], "items": [row]}
    row = {"key", "name", "applications", "levels": {"非常满意": n, …, "非常不满意": n},
           "discounted", "bad", "bad_per_thousand", "rectified_on_time", "return_visits",
           "appeals_upheld"}          # shares in %, null when nothing to divide by
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django import forms
from django.conf import settings
from django.core import signing
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ducha.portal import limits
from ducha.publication.models import Kind, SubmissionKind
from ducha.publication.publish import current, shown
from ducha.publication.submissions import client_address, submit

TOKEN_SECONDS = 3600
_SALT = "ducha.portal.rating"
DECIDED_STATES = ("decided", "granted", "refused", "not_accepted")
LEVELS = [(5, _("Very satisfied")), (4, _("Satisfied")), (3, _("Fairly satisfied")), (2, _("Dissatisfied")),
          (1, _("Very dissatisfied"))]
NODE_WORDS = {"received": _("Receipt of your application"), "done": _("Completion of your application")}


def rating_token(receipt: str) -> str:
    return signing.dumps({"r": receipt}, salt=_SALT)


def _receipt(token: str) -> str:
    try:
        return str(signing.loads(token, salt=_SALT, max_age=TOKEN_SECONDS).get("r", ""))
    except signing.BadSignature:
        return ""


def _day(text: Any) -> date | None:
    try:
        return date.fromisoformat(str(text))
    except ValueError:
        return None


def open_nodes(payload: dict[str, Any], today: date) -> list[tuple[str, date]]:
    """The nodes the applicant may rate today, with the last day of each one's window."""
    days = {"received": _day(payload.get("received"))}
    decided = _day(payload.get("decided"))
    if decided is None and payload.get("state") in DECIDED_STATES and payload.get("steps"):
        decided = _day(payload["steps"][-1].get("date"))
    days["done"] = decided
    window = timedelta(days=settings.DUCHA_RATING_WINDOW_DAYS)
    return [(node, day + window) for node, day in days.items() if day is not None and day <= today <= day + window]


class RatingForm(forms.Form):
    node = forms.ChoiceField(label=_("What you rate"), choices=list(NODE_WORDS.items()))
    level = forms.TypedChoiceField(label=_("Your rating"), choices=LEVELS, coerce=int, widget=forms.RadioSelect)
    reason = forms.CharField(label=_("Why"), max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, nodes: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["node"].choices = [(n, NODE_WORDS[n]) for n in nodes]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("level") in (1, 2) and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Say why: a dissatisfied rating needs its reason."))
        return data


@limits.limited("rating")
def rate(request: HttpRequest) -> HttpResponse:
    token = request.POST.get("t") or request.GET.get("t") or ""
    receipt = _receipt(token)
    publication = shown(Kind.APPLICATION_STATUS, receipt) if receipt else None
    if publication is None:
        return redirect("portal:status")
    nodes = open_nodes(publication.payload, timezone.localdate())
    form = RatingForm(request.POST if request.method == "POST" else None, nodes=[n for n, _d in nodes])
    if form.is_bound and form.is_valid():
        submit(SubmissionKind.RATING, payload={
            "receipt": receipt, "node": form.cleaned_data["node"], "level": form.cleaned_data["level"],
            "reason": form.cleaned_data["reason"].strip()}, address=client_address(request), real_name=False)
        return render(request, "portal/rate_done.html", {"receipt": receipt})
    return render(request, "portal/rate.html", {
        "form": form, "token": token, "receipt": receipt, "p": publication.payload, "nodes": nodes,
        "window": settings.DUCHA_RATING_WINDOW_DAYS}, status=400 if form.is_bound else 200)


def results(request: HttpRequest) -> HttpResponse:
    rows = current(Kind.RATINGS).order_by("-key", "-pk")
    page = Paginator(rows, 24).get_page(request.GET.get("page"))
    return render(request, "portal/ratings.html", {"page": page})


def results_month(request: HttpRequest, month: str) -> HttpResponse:
    publication = shown(Kind.RATINGS, month)
    if publication is None:
        raise Http404
    return render(request, "portal/ratings_month.html", {
        "publication": publication, "p": publication.payload,
        "level_names": ["非常满意", "满意", "基本满意", "不满意", "非常不满意"]})
