"""The inbox (站内消息), channel settings, escalation records and the dead-letter page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ducha.inbox import actions as inbox_actions
from ducha.inbox.models import Notification
from ducha.matters.access import visible_matters
from ducha.org.models import User
from ducha.org.roles import CITY_WIDE_ROLES, Role
from ducha.reminders import actions
from ducha.reminders.channels import mask_email, mask_phone
from ducha.reminders.models import (
    AccountabilityProposal,
    ChannelPreference,
    LetterProposal,
    OutboxMessage,
    OutboxStatus,
    UrgeNotice,
)


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def matter_url(matter_id: int | None) -> str:
    """The matter's page, once the supervision pages provide one."""
    if matter_id is None:
        return ""
    for name in ("matters:detail", "matters:matter-detail", "matter-detail"):
        try:
            return reverse(name, args=[matter_id])
        except NoReverseMatch:
            continue
    return ""


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    unread_only = request.GET.get("show") == "unread"
    items = Notification.objects.filter(user_id=user.pk).select_related("reminder").order_by("-created_at", "-id")
    if unread_only:
        items = items.filter(read_at__isnull=True)
    page = Paginator(items, 30).get_page(request.GET.get("page"))
    rows = [(n, matter_url(n.reminder.matter_id if n.reminder else None)) for n in page.object_list]
    return render(request, "reminders/inbox.html", {"page": page, "rows": rows, "unread_only": unread_only})


def _back(request: HttpRequest) -> HttpResponse:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return redirect(target)
    return redirect("reminders:inbox")


@login_required
@require_POST
def mark_read(request: HttpRequest, notification_id: int) -> HttpResponse:
    try:
        inbox_actions.do_mark_notification_read(actor=_user(request), notification_id=notification_id,
                                          read=request.POST.get("read", "1") == "1")
    except inbox_actions.InboxError:
        raise Http404("No such message") from None
    return _back(request)


@login_required
@require_POST
def mark_all_read(request: HttpRequest) -> HttpResponse:
    n = inbox_actions.do_mark_all_notifications_read(actor=_user(request))
    messages.success(request, _("%(n)d messages marked as read.") % {"n": n})
    return _back(request)


@login_required
def preferences(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    pref = ChannelPreference.objects.filter(user=user).first() or ChannelPreference(user=user)
    if request.method == "POST":
        pref = actions.do_save_channel_preference(
            actor=user, email=request.POST.get("email") == "on", sms=request.POST.get("sms") == "on",
            sms_only_urgent=request.POST.get("sms_only_urgent") == "on",
        )
        messages.success(request, _("Your reminder settings are saved."))
        return redirect("reminders:preferences")
    return render(request, "reminders/preferences.html", {
        "pref": pref, "email": mask_email(user.email) if user.email else "",
        "phone": mask_phone(user.phone) if user.phone else "",
    })


@login_required
def escalations(request: HttpRequest) -> HttpResponse:
    """S5.1 "tracked to accountability", S1.4: what escalation has recorded, within the caller's scope."""
    user = _user(request)
    if user.role not in CITY_WIDE_ROLES and user.role not in (Role.LEADER, Role.UNIT_ADMIN, Role.UNIT_STAFF):
        raise Http404("No such page")
    matters = visible_matters(user).values("pk")
    return render(request, "reminders/escalations.html", {
        "urges": UrgeNotice.objects.filter(matter__in=matters).select_related("matter__lead_unit")
        .order_by("-issued_on", "-id")[:200],
        "proposals": AccountabilityProposal.objects.filter(matter__in=matters).select_related("matter__lead_unit")
        .order_by("-proposed_on", "-id")[:200],
        "letters": LetterProposal.objects.filter(matter__in=matters).select_related("matter", "from_unit", "to_unit")
        .order_by("-created_at", "-id")[:200],
    })


def _system_admin(request: HttpRequest) -> User:
    user = _user(request)
    if user.role != Role.SYSTEM_ADMIN:
        raise Http404("No such page")
    return user


@login_required
def dead_letter_list(request: HttpRequest) -> HttpResponse:
    """For the system administrator: what could not be delivered, and why, without the message text."""
    _system_admin(request)
    dead = OutboxMessage.objects.filter(status=OutboxStatus.DEAD).select_related(
        "user", "robot__unit", "reminder__matter").order_by("-next_attempt_at", "-id")[:300]
    rows = [(m, mask_phone(m.address) if m.channel == "sms" else mask_email(m.address) if m.address else "")
            for m in dead]
    pending = OutboxMessage.objects.filter(status=OutboxStatus.PENDING).count()
    return render(request, "reminders/dead_letters.html", {"rows": rows, "pending": pending})


@login_required
@require_POST
def dead_letter_retry(request: HttpRequest, message_id: int) -> HttpResponse:
    user = _system_admin(request)
    try:
        actions.do_retry_dead_letter(actor=user, message_id=message_id)
    except actions.ReminderError as e:
        messages.error(request, str(e))
    else:
        messages.success(request, _("The message is queued again."))
    return redirect("reminders:dead-letters")
