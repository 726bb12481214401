"""The shape of a refusal: JSON under /api/, in the API's ``Error`` schema (a message, and the
same under ``__all__``); pages keep their HTML. Shared by the security middleware, which
refuses before any view runs, and by the API's error middleware above it."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse

API_PREFIX = "/api/"


def is_api_request(request: HttpRequest) -> bool:
    return request.path_info.startswith(API_PREFIX)


def json_refusal(status: int, message: str) -> JsonResponse:
    return JsonResponse({"detail": message, "errors": {"__all__": message}}, status=status,
                        json_dumps_params={"ensure_ascii": False})
