"""Reading letters: the received/sent/all lists, a letter (opening it signs for it), its files,
the per-unit counts (S6.1 input) and the general office's record of who sent each request.

Reads go through ``visible_letters`` / ``access_letter_by_id``; writes through
``ducha.letters.actions``. Writing and sending are in ``views_compose``.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ducha.letters import actions
from ducha.letters.access import (
    access_letter_by_id,
    can_read_counts,
    can_record_requesters,
    receipt_filter,
    sees_all_letters,
    sending_unit,
    visible_letters,
)
from ducha.letters.counts import letters_table
from ducha.letters.forms import RequesterForm
from ducha.letters.models import LetterRecipient, RoleChoice
from ducha.matters.access import visible_matters
from ducha.org.access import business_reader
from ducha.org.models import Unit, User
from ducha.org.roles import Role
from ducha.reports.forms import parse_period
from ducha.rules.periods import Period
from ducha.rules.workdays import UncoveredYear
from ducha.security.answers import DOCX, PDF, stored_file
from ducha.workcal import service as workcal

PAGE_SIZE = 25


_user = business_reader  # administrators read no business data (ARCHITECTURE "Access scope")


def _boxes(user: User) -> list[tuple[str, str]]:
    boxes = [("received", _("Received"))]
    if sending_unit(user) is not None:
        boxes.append(("sent", _("Sent")))
    if sees_all_letters(user):
        boxes.append(("all", _("All letters")))
    return boxes


@login_required
@require_GET
def letter_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    boxes = _boxes(user)
    box = request.GET.get("box") or "received"
    if box not in dict(boxes):
        box = "received"
    mine = LetterRecipient.objects.filter(receipt_filter(user), letter=OuterRef("pk"))
    letters = visible_letters(user)
    if box == "received":
        letters = letters.filter(Exists(mine))
    elif box == "sent":
        letters = letters.filter(from_unit_id=user.unit_id)
    period = None
    if request.GET.get("period"):
        period, error = parse_period(request.GET["period"], Period.containing("quarter", workcal.today()))
        if error:
            messages.error(request, error)
        letters = letters.filter(sent_on__gte=period.start, sent_on__lte=period.end)
    to_unit = None
    if request.GET.get("to_unit", "").isdigit():
        to_unit = Unit.objects.filter(pk=int(request.GET["to_unit"])).first()
        letters = letters.filter(to_unit=to_unit) if to_unit else letters.none()
    letters = letters.annotate(unread=Exists(mine.filter(read_at__isnull=True))).select_related(
        "from_unit", "to_unit", "matter").order_by("-sent_on", "-id")
    page = Paginator(letters, PAGE_SIZE).get_page(request.GET.get("page"))
    keep = "&".join(f"{k}={v}" for k, v in (("box", box), ("period", period.key if period else ""),
                                             ("to_unit", to_unit.pk if to_unit else "")) if v)
    return render(request, "letters/list.html", {
        "boxes": boxes, "box": box, "page": page, "period": period, "to_unit": to_unit, "keep": keep,
        "can_propose": sending_unit(user) is not None or user.role == Role.SUPERVISION_OFFICE,
        "can_count": can_read_counts(user), "can_record": can_record_requesters(user),
    })


@login_required
@require_GET
def letter_detail(request: HttpRequest, letter_id: int) -> HttpResponse:
    user = _user(request)
    letter, signed = actions.do_open_letter(actor=user, letter_id=letter_id)
    recipients = list(letter.recipients.select_related("unit", "person", "read_by").order_by("sort_order", "id"))
    groups = [(label, [r for r in recipients if r.role == role]) for role, label in RoleChoice.choices]
    sender = sending_unit(user)
    may_render = (sender is not None and sender.pk == letter.from_unit_id) or user.role == Role.SUPERVISION_OFFICE
    return render(request, "letters/detail.html", {
        "letter": letter, "groups": [(label, rows) for label, rows in groups if rows], "signed": signed,
        "paragraphs": [p for p in letter.body.splitlines() if p.strip()],
        "matter_visible": visible_matters(user).filter(pk=letter.matter_id).exists(),
        "may_render": may_render and (bool(letter.render_error) or not letter.pdf_file or not letter.docx_file),
    })


@login_required
@require_GET
def letter_file(request: HttpRequest, letter_id: int, fmt: str) -> FileResponse:
    user = _user(request)
    if fmt not in ("docx", "pdf"):
        raise Http404("No such file")
    letter = access_letter_by_id(user, letter_id)
    return stored_file(letter.docx_file if fmt == "docx" else letter.pdf_file, filename=f"{letter.number}.{fmt}",
                       content_type=PDF if fmt == "pdf" else DOCX, download=True)


@login_required
@require_POST
def letter_render(request: HttpRequest, letter_id: int) -> HttpResponse:
    user = _user(request)
    try:
        ok = actions.do_render_letter_files(actor=user, letter_id=letter_id)
    except actions.LetterError as e:
        messages.error(request, str(e.errors.get("__all__", e)))
        return redirect("letters:detail", letter_id=letter_id)
    if ok:
        messages.success(request, _("The Word and PDF files were generated."))
    else:
        messages.error(request, _("The files could not be generated; the problem is shown on the page."))
    return redirect("letters:detail", letter_id=letter_id)


@login_required
@require_GET
def counts(request: HttpRequest) -> HttpResponse:
    """S6.1 input: letters received per unit in a period, for the supervision and performance offices."""
    user = _user(request)
    if not can_read_counts(user):
        raise Http404("No such page")
    period, error = parse_period(request.GET.get("period"), Period.containing("quarter", workcal.today()))
    if error:
        messages.error(request, error)
    rows = letters_table(period.start, period.end, include_quiet=request.GET.get("all") == "1")
    return render(request, "letters/counts.html", {
        "period": period, "rows": rows, "show_all": request.GET.get("all") == "1",
        "total_received": sum(r.received for r in rows), "total_sent": sum(r.sent for r in rows),
    })


@login_required
@require_http_methods(["GET", "POST"])
def requests_page(request: HttpRequest) -> HttpResponse:
    """The general office states which unit submitted each open request (S1.5)."""
    user = _user(request)
    if not can_record_requesters(user):
        raise Http404("No such page")
    if request.method == "POST":
        form = RequesterForm(request.POST)
        matter_id = request.POST.get("matter", "")
        if form.is_valid() and matter_id.isdigit():
            try:
                actions.do_record_request_origin(actor=user, matter_id=int(matter_id),
                                                 unit_id=form.cleaned_data["unit"].pk)
                messages.success(request, _("The requesting unit is recorded."))
            except actions.LetterError as e:
                messages.error(request, "; ".join(e.errors.values()))
        else:
            messages.error(request, _("Choose the requesting unit."))
        return redirect("letters:requests")
    try:
        rows = actions.requests_for_office(workcal.today())
    except UncoveredYear as e:
        messages.error(request, str(e))
        rows = []
    units = list(Unit.objects.filter(is_active=True).order_by("sort_order", "id"))
    names = {u.pk: u for u in units}
    return render(request, "letters/requests.html", {
        "rows": [(r, names.get(r.requester_id) if r.requester_id else None) for r in rows], "units": units,
    })
