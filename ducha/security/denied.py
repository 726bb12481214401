"""Every 403 is an audit event (等保 §8.1.4.3 security audit); anonymous ones are rate-limited
per address, so that nobody can flood the audit log from outside."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import connection
from django.http import HttpRequest, HttpResponse

from ducha.audit.api import record
from ducha.audit.context import origin
from ducha.audit.models import Result
from ducha.security.ratelimit import hit

logger = logging.getLogger("ducha.audit")


def record_denied(request: HttpRequest) -> None:
    if connection.closed_in_transaction:
        # Only a test harness calling the WSGI handler inside a test transaction gets here:
        # Django's request_started closed the connection, so nothing can be written.
        logger.warning("403 on %s not audited: the database connection was closed in a transaction", request.path)
        return
    user = getattr(request, "user", None)
    anonymous = not getattr(user, "is_authenticated", False)
    if anonymous and not hit("audit-403", origin(request).src_ip or "-", limit=30, period=60):
        return
    record(actor=user, action="access.denied", obj_type="url", obj_id=request.path[:64], before=None,
           after={"method": request.method, "path": request.path[:200]}, request=request, result=Result.DENIED)


class DeniedAccessAuditMiddleware:
    """Placed just inside the request context, so that it sees every 403, whoever made it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code == 403:
            record_denied(request)
        return response
