"""What every API module shares: the caller, the documented error codes, refusals, periods.

An action's refusal is answered with the ``Error`` schema, its field names in ``errors``
exactly as the action gave them, so an API client and a page show the same message.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Status
from ninja.errors import ValidationError

from ducha.api.schemas import Error
from ducha.org.models import User
from ducha.rules.periods import Period
from ducha.security.answers import DOCX as DOCX  # the API's file answers
from ducha.security.answers import PDF as PDF
from ducha.security.answers import stored_file as stored_file

# Every operation may answer these; POSTs add 400, 403 (also a missing CSRF token) and 409.
ERRORS: dict[int, Any] = {401: Error, 404: Error, 422: Error}

# A file answer's body in the OpenAPI document, and the types of the documents and evidence files.
BINARY = {"schema": {"type": "string", "format": "binary"}}


# The text forms of ducha.rules.periods.Period, for years 1000–2999 (the calendar holds 2004 on).
YEAR_TEXT = r"[12][0-9]{3}"
MONTH_PATTERN = rf"^{YEAR_TEXT}-(0[1-9]|1[0-2])$"
PERIOD_PATTERN = rf"^{YEAR_TEXT}(-(0[1-9]|1[0-2]|[Qq][1-4]|[Hh][12]))?$"


def keyset_page(qs: QuerySet[Any], after: int | None, limit: int) -> tuple[list[Any], int | None]:
    """One page of ``qs`` by id: the rows after ``after`` and the id to pass as ``after`` for
    the next page (None on the last). Page 100 costs what page 1 costs."""
    if after is not None:
        qs = qs.filter(id__gt=after)
    rows = list(qs.order_by("id")[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, rows[-1].pk if more else None


def caller(request: HttpRequest) -> User:
    """The logged-in person (``django_auth`` has let only those through)."""
    user = request.user
    assert isinstance(user, User)
    return user


def refuse(status: int, errors: dict[str, str] | str) -> Status[dict[str, Any]]:
    """An ``Error`` response: ``errors`` maps field names (``__all__`` for the whole request) to messages."""
    errors = errors if isinstance(errors, dict) else {"__all__": errors}
    return Status(status, {"detail": "; ".join(errors.values()), "errors": errors})


def invalid(field: str, message: str) -> ValidationError:
    """A 422 naming one query or path field, shaped like the schema's own validation errors."""
    return ValidationError([{"loc": ("query", field), "msg": message}])


def period_param(text: str | None, default: Period, field: str = "period") -> Period:
    if not text:
        return default
    try:
        return Period.parse(text.strip())
    except ValueError as e:
        raise invalid(field, str(e)) from None

