"""The inbox (站内消息) and the reminders behind it, over the API.

A person's inbox is their own: another person's message is a 404, exactly as a missing one.
Reminders and the escalation records (催办单, 提请问责) are read on the matters the caller may
see (``visible_matters``), as the escalation page shows them; administrators read none.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema

from ducha.api.common import ERRORS, caller, keyset_page
from ducha.api.letters import reader
from ducha.api.schemas import AfterId, Error, MatterRef, RowId, UnitRef
from ducha.inbox import actions as inbox_actions
from ducha.inbox.models import Light, Notification
from ducha.matters.access import visible_matters
from ducha.reminders.models import (
    AccountabilityProposal,
    Reminder,
    ReminderKind,
    RungAction,
    UrgeNotice,
)

router = Router(tags=["inbox"])
LightCode = Light
ReminderKindCode = ReminderKind
RungActionCode = RungAction


class NotificationOut(Schema):
    id: int
    title: str
    body: str
    light: LightCode = Field(description="yellow or red; empty for none")
    created_at: datetime
    read_at: datetime | None
    reminder_id: int | None = Field(description="the reminder this message is about; null for other messages")
    matter: MatterRef | None = Field(description="the matter of the reminder, if any")


class NotificationPage(Schema):
    items: list[NotificationOut]
    unread: int = Field(description="the caller's unread messages in all")
    next_after: int | None = Field(description="pass as `after` to get the next page; null on the last page")


class InboxFilters(Schema):
    unread: bool | None = Field(None, description="true: only messages not yet read")
    after: AfterId | None = None
    limit: int = Field(50, ge=1, le=200)


class ReadIn(Schema):
    read: bool = Field(True, description="false marks the message unread again")


class MarkedOut(Schema):
    marked: int


class ReminderOut(Schema):
    id: int
    matter: MatterRef
    kind: ReminderKindCode
    stage: str = Field(description="the escalation rung or rule that produced it")
    deadline: date = Field(description="the deadline it is about")
    light: LightCode
    action: RungActionCode = Field(description="what the rung does besides reminding; empty: remind only")
    urgent: bool
    co_unit: UnitRef | None = Field(description="for a slow co-unit: the co-unit")
    title: str
    body: str
    created_at: datetime


class ReminderPage(Schema):
    items: list[ReminderOut]
    next_after: int | None = Field(description="pass as `after` to get the next page; null on the last page")


class ReminderFilters(Schema):
    matter: RowId | None = None
    kind: ReminderKindCode | None = None
    urgent: bool | None = None
    after: AfterId | None = None
    limit: int = Field(50, ge=1, le=200)


class UrgeOut(Schema):
    matter: MatterRef
    lead_unit: UnitRef
    deadline: date
    issued_on: date


class AccountabilityOut(Schema):
    matter: MatterRef
    lead_unit: UnitRef
    deadline: date
    proposed_on: date
    reason: str


class EscalationsOut(Schema):
    """S5.1, S1.4: what escalation recorded on the caller's matters, newest first (200 of each at most)."""

    urges: list[UrgeOut]
    accountability: list[AccountabilityOut]


def _notification(n: Notification) -> dict[str, Any]:
    return {"id": n.pk, "title": n.title, "body": n.body, "light": n.light, "created_at": n.created_at,
            "read_at": n.read_at, "reminder_id": n.reminder_id,
            "matter": n.reminder.matter if n.reminder is not None else None}


@router.get("/inbox", response={200: NotificationPage, **ERRORS})
def list_notifications(request: HttpRequest, filters: Query[InboxFilters]) -> Any:
    """The caller's own messages, oldest first by keyset (poll with ``after`` for new ones)."""
    user = caller(request)
    mine = Notification.objects.filter(user_id=user.pk)
    qs = mine.select_related("reminder__matter")
    if filters.unread is not None:
        qs = qs.filter(read_at__isnull=filters.unread)
    rows, next_after = keyset_page(qs, filters.after, filters.limit)
    return {"items": [_notification(n) for n in rows], "unread": mine.filter(read_at__isnull=True).count(),
            "next_after": next_after}


@router.post("/inbox/{notification_id}/read", response={200: NotificationOut, 400: Error, 403: Error, **ERRORS})
def mark_read(request: HttpRequest, notification_id: RowId, payload: ReadIn) -> Any:
    """Mark one of the caller's messages read (or unread again)."""
    user = caller(request)
    try:
        inbox_actions.do_mark_notification_read(actor=user, notification_id=notification_id, read=payload.read)
    except inbox_actions.InboxError:
        raise Http404("No such message") from None
    return _notification(Notification.objects.select_related("reminder__matter").get(pk=notification_id))


@router.post("/inbox/read-all", response={200: MarkedOut, 400: Error, 403: Error, **ERRORS})
def mark_all_read(request: HttpRequest) -> Any:
    """Mark every unread message of the caller read."""
    return {"marked": inbox_actions.do_mark_all_notifications_read(actor=caller(request))}


@router.get("/reminders", response={200: ReminderPage, **ERRORS}, tags=["reminders"])
def list_reminders(request: HttpRequest, filters: Query[ReminderFilters]) -> Any:
    """The reminders the engine raised on the matters the caller may see, oldest first by keyset."""
    user = reader(request)
    qs = Reminder.objects.filter(matter__in=visible_matters(user).values("pk")).select_related(
        "matter", "co_part__unit")
    if filters.matter is not None:
        qs = qs.filter(matter_id=filters.matter)
    if filters.kind is not None:
        qs = qs.filter(kind=filters.kind)
    if filters.urgent is not None:
        qs = qs.filter(urgent=filters.urgent)
    rows, next_after = keyset_page(qs, filters.after, filters.limit)
    return {"items": [{
        "id": r.pk, "matter": r.matter, "kind": r.kind, "stage": r.stage, "deadline": r.deadline, "light": r.light,
        "action": r.action, "urgent": r.urgent, "co_unit": r.co_part.unit if r.co_part else None, "title": r.title,
        "body": r.body, "created_at": r.created_at} for r in rows], "next_after": next_after}


@router.get("/reminders/escalations", response={200: EscalationsOut, **ERRORS}, tags=["reminders"])
def escalations(request: HttpRequest) -> Any:
    """The urging notices and accountability proposals on the caller's matters."""
    user = reader(request)
    matters = visible_matters(user).values("pk")
    urges = UrgeNotice.objects.filter(matter__in=matters).select_related("matter__lead_unit").order_by(
        "-issued_on", "-id")[:200]
    proposals = AccountabilityProposal.objects.filter(matter__in=matters).select_related(
        "matter__lead_unit").order_by("-proposed_on", "-id")[:200]
    return {
        "urges": [{"matter": u.matter, "lead_unit": u.matter.lead_unit, "deadline": u.deadline,
                   "issued_on": u.issued_on} for u in urges],
        "accountability": [{"matter": p.matter, "lead_unit": p.matter.lead_unit, "deadline": p.deadline,
                            "proposed_on": p.proposed_on, "reason": p.reason} for p in proposals],
    }
