"""Downloading an evidence file (佐证材料): whoever may see the matter may read its files."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest
from django.views.decorators.http import require_GET

from ducha.matters.access import access_matter_by_id
from ducha.matters.models import Evidence
from ducha.matters.views import _user
from ducha.org.models import User
from ducha.security.answers import DOCX, PDF, stored_file

CONTENT_TYPES = {
    "pdf": PDF, "ofd": "application/ofd", "png": "image/png", "jpg": "image/jpeg",
    "docx": DOCX,
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@login_required
@require_GET
def evidence_file(request: HttpRequest, evidence_id: int) -> FileResponse:
    return evidence_download(_user(request), evidence_id)


def evidence_download(user: User, evidence_id: int) -> FileResponse:
    """The file for whoever may see its matter (the page and the API); a 404 otherwise, as for a
    missing file. Always a download with the type decided on upload: a file is never rendered as
    a page of the site."""
    evidence = Evidence.objects.filter(pk=evidence_id).first()
    if evidence is None:
        raise Http404("No such file")
    access_matter_by_id(user, evidence.matter_id)
    return stored_file(evidence.file, filename=evidence.name, download=True,
                       content_type=CONTENT_TYPES.get(evidence.content_kind, "application/octet-stream"))
