"""Every answer under /api/ is JSON with a message, whatever produced it.

django-ninja answers its own errors in JSON, but some answers are made before or after it:
Django's URL resolver (404), ninja's method check (405, plain text), Django's handling of an
exception (500, and 400 for a body over DATA_UPLOAD_MAX_MEMORY_SIZE). This middleware turns
each of those into the API's ``Error`` shape (``detail`` and ``errors``) with a message in
the caller's language; the middlewares that refuse a request themselves (forced password
change, session timeout) ask ``json_refusal`` directly. Pages keep their HTML.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from ducha.security.answers import is_api_request, json_refusal


def _megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:.1f}".removesuffix(".0")


def _message(request: HttpRequest, response: HttpResponse) -> str:
    status = response.status_code
    if status == 404:
        return _("There is no API operation at %(path)s; the operations are listed in /api/openapi.json.") % {
            "path": request.path}
    if status == 405:
        return _("%(path)s does not accept %(method)s; it accepts %(allowed)s.") % {
            "path": request.path, "method": request.method, "allowed": response.get("Allow", "")}
    if status == 403:
        return _("You may not do this.")
    if status >= 500:
        return _("The server could not answer this request; the fault is logged under request id %(id)s.") % {
            "id": getattr(request, "request_id", "")}
    return _("The request could not be understood (HTTP %(status)d).") % {"status": status}


class ApiErrorsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (response.status_code < 400 or not is_api_request(request)
                or response.get("Content-Type", "").startswith("application/json")):
            return response
        answer = json_refusal(response.status_code, _message(request, response))
        for header in ("Allow", "Retry-After", "WWW-Authenticate"):
            if header in response:
                answer[header] = response[header]
        return answer

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, RequestDataTooBig) and is_api_request(request):
            return json_refusal(413, _("The request body is larger than the limit of %(size)s MB.") % {
                "size": _megabytes(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)})
        return None
