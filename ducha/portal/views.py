"""The public pages: what was published, as published (ducha.publication), and nothing else.

Each page reads the current version of publications of one kind; a text of a payload is a
plain string or ``{"zh": "…", "en": "…"}`` (Chinese shown when the English is missing), dates
are ISO strings (``"2026-12-07"``). Any payload may carry ``"title": text``, shown instead of
the publication's title (which is one string) where it has the page's language. The shapes the
pages render, by kind and key:

``catalogue_item``, key the item code (事项编码), title the item's name::

    {"code": "410100-XK-001", "version": 3, "name": text, "kind": text, "department": text,
     "legal_basis": text, "conditions": text, "service_type": "1" (即办件) | "2" (承诺件),
     "statutory_days": 20, "promised_days": 5, "online": true,
     "fees": [{"name": text, "amount": "0", "basis": text}],
     "materials": [{"code": "M01", "name": text, "required": true, "form": text, "copies": 1, "note": text}],
     "places": [{"area": text, "level": text, "address": text}],
     "steps": [{"department": text, "action": text, "limit_days": 2}],
     "contact": text}

``catalogue``, key ``"current"``: ``{"intro": text}`` above the list of items.

``key_tasks``, key the year (``"2026"``)::

    {"year": 2026, "as_of": "2026-11-30", "intro": text,
     "tasks": [{"number": "DB2026-0001", "title": text, "unit": text, "deadline": "2026-12-31",
                "progress": 60, "light": "green" | "yellow" | "red", "status": text, "note": text}]}

``ranking``, key the period (``"2026-Q3"``)::

    {"period": text, "document_number": "宛绩〔2026〕3号", "date": "2026-10-20", "summary": text,
     "groups": [{"title": text, "rows": [{"rank": 1, "unit": text, "score": "95.20", "grade": text}]}]}

``bulletin`` and ``exposure``, key the document number::

    {"number": "宛督〔2026〕12号", "date": "2026-11-05", "summary": text, "body": text,
     "items": [{"title": text, "unit": text, "body": text}]}   # exposure: one item per case

Their files (PublishedFile) are listed and downloadable. ``application_status`` is read only by
the status look-up (ducha.portal.views_status), which documents its shape.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseServerError
from django.shortcuts import render
from django.template import loader

from ducha.publication.models import Kind, PublishedFile
from ducha.publication.publish import current, shown

PAGE_SIZE = 20
# The kinds with a list and a page each, and the names of their URLs.
LISTED = {Kind.RANKING: "rankings", Kind.BULLETIN: "bulletins", Kind.EXPOSURE: "exposures"}


def home(request: HttpRequest) -> HttpResponse:
    latest = {name: list(current(kind).order_by("-published_at")[:3]) for kind, name in LISTED.items()}
    return render(request, "portal/home.html", {
        "latest": latest, "items": current(Kind.CATALOGUE_ITEM).count(),
        "key_tasks": current(Kind.KEY_TASKS).order_by("-key").first()})


def catalogue(request: HttpRequest) -> HttpResponse:
    query = " ".join(request.GET.get("q", "").split())[:100]
    items = current(Kind.CATALOGUE_ITEM).order_by("key")
    if query:
        items = items.filter(Q(title__icontains=query) | Q(key__icontains=query))
    page = Paginator(items, PAGE_SIZE * 2).get_page(request.GET.get("page"))
    return render(request, "portal/catalogue.html", {
        "page": page, "query": query, "intro": shown(Kind.CATALOGUE, "current")})


def catalogue_item(request: HttpRequest, code: str) -> HttpResponse:
    item = shown(Kind.CATALOGUE_ITEM, code)
    if item is None:
        raise Http404
    return render(request, "portal/catalogue_item.html", {"item": item, "p": item.payload})


def key_tasks(request: HttpRequest) -> HttpResponse:
    years = list(current(Kind.KEY_TASKS).order_by("-key"))
    chosen = next((y for y in years if y.key == request.GET.get("year")), years[0] if years else None)
    return render(request, "portal/key_tasks.html", {"years": years, "chosen": chosen,
                                                      "p": chosen.payload if chosen else {}})


def listing(request: HttpRequest, kind: str) -> HttpResponse:
    rows = current(kind).order_by("-published_at", "-pk")
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "portal/listing.html", {"kind": kind, "name": LISTED[Kind(kind)], "page": page})


def detail(request: HttpRequest, kind: str, key: str) -> HttpResponse:
    publication = shown(kind, key)
    if publication is None:
        raise Http404
    return render(request, f"portal/{kind}.html", {
        "publication": publication, "p": publication.payload, "files": publication.files.all(),
        "name": LISTED[Kind(kind)]})


def download(request: HttpRequest, pk: int) -> FileResponse:
    """A file of a publication shown now; never one of an application's status."""
    file = (PublishedFile.objects.select_related("publication")
            .filter(pk=pk, publication__current=True, publication__withdrawn=False)
            .exclude(publication__kind=Kind.APPLICATION_STATUS).first())
    if file is None:
        raise Http404
    return published_file(file)


def published_file(file: PublishedFile) -> FileResponse:
    folder = Path(settings.DUCHA_PUBLISHED_DIR).resolve()
    path = (folder / file.path).resolve()
    if not path.is_relative_to(folder) or not path.is_file():
        raise Http404
    return FileResponse(path.open("rb"), as_attachment=True, filename=file.name)


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "portal/404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    # Stands alone: no layout, no static file, no database, whatever broke.
    return HttpResponseServerError(loader.get_template("portal/500.html").render())
