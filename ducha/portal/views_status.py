"""The status look-up (外网反馈) by receipt number and query code, without an account.

It answers from the publication of kind ``application_status`` keyed by the receipt number,
which the intranet writes and rewrites as the application moves::

    {"query_code_hash": hash_query_code(code),       # ducha.publication.status; never shown
     "item": text, "state": "received" | "accepted" | "deficient" | "decided" | …,
     "state_words": text, "received": "2026-12-01", "due": "2026-12-14", "due_provisional": false,
     "steps": [{"date": "2026-12-01", "words": text}], "notice": text, "decision": text}

Its files (the decision document, a deficiency notice) are downloadable only from the answer
page, through a signed link valid ten minutes. An unknown number and a wrong code get the same
page, after the same work; failures count per address, and past DUCHA_PORTAL_CAPTCHA_AFTER the
form also asks for the site's captcha.
"""

from __future__ import annotations

from django import forms
from django.core import signing
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from ducha.portal import captcha, limits
from ducha.portal.views import published_file
from ducha.publication.models import Kind, Publication, PublishedFile
from ducha.publication.status import look_up

FILE_LINK_SECONDS = 600
_SALT = "ducha.portal.status-file"


class StatusForm(forms.Form):
    receipt = forms.CharField(label=_("Receipt number"), max_length=40)
    code = forms.CharField(label=_("Query code"), max_length=20)
    captcha = forms.CharField(label=_("Characters in the picture"), max_length=10, required=False)


@limits.limited("status")
def status(request: HttpRequest) -> HttpResponse:
    form = StatusForm(request.POST if request.method == "POST" else None)
    found: Publication | None = None
    failed = False
    if form.is_bound:
        asked_captcha = limits.needs_captcha(request)
        if not form.is_valid():
            failed = True
        elif asked_captcha and not captcha.solved(request, form.cleaned_data["captcha"]):
            form.add_error("captcha", _("The characters do not match the picture. Try the new one."))
            limits.note_failure(request)
        else:
            found = look_up(form.cleaned_data["receipt"], form.cleaned_data["code"])
            if found is None:
                failed = True
                limits.note_failure(request)
    picture = captcha.challenge(request) if found is None and limits.needs_captcha(request) else ""
    links = [(f, signing.dumps({"file": f.pk, "publication": found.pk}, salt=_SALT))
             for f in found.files.all()] if found else []
    return render(request, "portal/status.html", {
        "form": form, "found": found, "p": found.payload if found else {}, "failed": failed,
        "picture": picture, "links": links})


def status_file(request: HttpRequest, token: str) -> FileResponse:
    try:
        signed = signing.loads(token, salt=_SALT, max_age=FILE_LINK_SECONDS)
    except signing.BadSignature:
        raise Http404 from None
    file = PublishedFile.objects.select_related("publication").filter(
        pk=signed.get("file"), publication_id=signed.get("publication"), publication__current=True,
        publication__withdrawn=False, publication__kind=Kind.APPLICATION_STATUS).first()
    if file is None:
        raise Http404
    return published_file(file)
