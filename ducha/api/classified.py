"""S5.2 classified matters over the API: registered by reference number alone.

A classified matter is not created through ``POST /api/matters`` (which needs a title, goal and
the rest, and refuses ``classified: true``); its reference number is the only field sent here,
and the only one kept. The offices that create matters register and list them; nobody else
sees even the numbers.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from ducha.api.common import ERRORS, caller, keyset_page, refuse
from ducha.api.schemas import AfterId, Error
from ducha.matters.access import can_create_matters
from ducha.matters.actions import MatterError
from ducha.matters.classified import REFERENCE_MAX, do_register_classified, visible_classified

router = Router(tags=["matters"])


class ClassifiedIn(Schema):
    reference: str = Field(min_length=1, max_length=REFERENCE_MAX,
                           description="the classified matter's reference number (编号); nothing else is sent")


class ClassifiedOut(Schema):
    id: int
    reference: str
    label: str = Field(description="how lists show it: 涉密事项 <reference>")
    registered_at: datetime

    @staticmethod
    def resolve_label(obj: Any) -> str:
        return str(obj)


class ClassifiedQuery(Schema):
    after: AfterId | None = None
    limit: int = Field(50, ge=1, le=200)


class ClassifiedPage(Schema):
    items: list[ClassifiedOut]
    next_after: int | None = Field(description="pass as `after` to get the next page; null on the last page")


@router.post("/classified-matters", response={201: ClassifiedOut, 400: Error, 403: Error, **ERRORS},
             summary="Register a classified matter by its reference number alone (S5.2)")
def register_classified(request: HttpRequest, payload: ClassifiedIn) -> Any:
    try:
        with transaction.atomic():
            registration = do_register_classified(actor=caller(request), reference=payload.reference)
    except MatterError as e:
        return refuse(403 if "__all__" in e.errors else 400, e.errors)
    return Status(201, registration)


@router.get("/classified-matters", response={200: ClassifiedPage, 403: Error, **ERRORS},
            summary="Classified matters registered, by reference number only (S5.2)")
def list_classified(request: HttpRequest, query: Query[ClassifiedQuery]) -> Any:
    user = caller(request)
    if not can_create_matters(user):
        return refuse(403, {"__all__": "only the supervision office and the general office see them"})
    items, next_after = keyset_page(visible_classified(user), query.after, query.limit)
    return {"items": items, "next_after": next_after}
