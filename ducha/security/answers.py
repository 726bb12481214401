"""The shape of an answer that is not a page: a refusal, JSON under /api/ in the API's ``Error``
schema (a message, and the same under ``__all__``), shared by the security middleware, which
refuses before any view runs, and by the API's error middleware above it; and a stored file
(a document, an evidence file), sent the same way by the pages and the API."""

from __future__ import annotations

from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpRequest, JsonResponse

API_PREFIX = "/api/"
PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def is_api_request(request: HttpRequest) -> bool:
    return request.path_info.startswith(API_PREFIX)


def json_refusal(status: int, message: str) -> JsonResponse:
    return JsonResponse({"detail": message, "errors": {"__all__": message}}, status=status,
                        json_dumps_params={"ensure_ascii": False})


def stored_file(stored: FieldFile | None, *, filename: str, content_type: str, download: bool) -> FileResponse:
    """A stored file as the answer; 404 when there is none yet (a document not rendered) or it
    has gone from the disk. ``download``: saved by the browser rather than shown."""
    if not stored:
        raise Http404("No such file")
    try:
        handle = stored.open("rb")
    except FileNotFoundError:
        raise Http404("No such file") from None
    return FileResponse(handle, as_attachment=download, filename=filename, content_type=content_type)
