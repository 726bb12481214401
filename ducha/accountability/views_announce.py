"""Announcements' pages (S1.14 exposure, S1.16 accountability): the list, drafting one from a
half-year's candidates, the draft with its items and publication choices, submission, approval
or return, issue with confirmation, and the issued document's files."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from ducha.accountability import actions_announce as act
from ducha.accountability.access import registers
from ducha.accountability.actions import AccountabilityError, NotYours
from ducha.accountability.announce import (
    access_announcement_by_id,
    approver,
    approves,
    candidate_cases,
    candidate_records,
    visible_announcements,
)
from ducha.accountability.announce_models import Announcement, AnnouncementKind, AnnouncementState
from ducha.org.access import business_reader
from ducha.rules.periods import Period
from ducha.workcal import service as workcal

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _half(request: HttpRequest) -> Period:
    try:
        period = Period.parse(request.GET.get("period", ""))
    except ValueError:
        period = None
    if period is None or period.kind != "half":
        return Period.containing("half", workcal.today()).previous()
    return period


@login_required
def announcements(request: HttpRequest) -> HttpResponse:
    user = business_reader(request)
    rows = visible_announcements(user).select_related("approver").order_by("-period", "-id")[:200]
    return render(request, "accountability/announcements.html", {
        "rows": rows, "office": registers(user), "half": Period.containing("half", workcal.today()).previous()})


@login_required
@require_http_methods(["GET", "POST"])
def new_announcement(request: HttpRequest) -> HttpResponse:
    user = business_reader(request)
    if not registers(user):
        raise Http404("No such page")
    kind = request.GET.get("kind", AnnouncementKind.EXPOSURE)
    if kind not in AnnouncementKind.values:
        kind = AnnouncementKind.EXPOSURE
    period = _half(request)
    errors: list[str] = []
    if request.method == "POST":
        ids = tuple(int(i) for i in request.POST.getlist("item") if i.isdigit() and len(i) < 12)
        try:
            ann = act.do_draft_announcement(actor=user, kind=kind, period_key=period.key, ids=ids)
        except AccountabilityError as e:
            errors = list(e.errors.values())
        else:
            messages.success(request, _("Draft made: check each item's text and what it names."))
            return redirect("accountability:announcement", announcement_id=ann.pk)
    pool = candidate_cases(period) if kind == AnnouncementKind.EXPOSURE else candidate_records(period)
    return render(request, "accountability/announcement_new.html", {
        "kind": kind, "kinds": AnnouncementKind.choices, "period": period, "previous": period.previous(),
        "next": period.next() if period.next().start <= workcal.today() else None,
        "candidates": pool, "errors": errors,
    }, status=400 if errors else 200)


def _edits(request: HttpRequest, ann: Announcement) -> list[act.ItemEdit]:
    return [act.ItemEdit(item_id=item.pk, text=request.POST.get(f"text-{item.pk}", item.text),
                         name_unit=request.POST.get(f"unit-{item.pk}") == "on",
                         name_people=request.POST.get(f"people-{item.pk}") == "on",
                         remove=request.POST.get(f"remove-{item.pk}") == "on")
            for item in ann.items.all()]


@login_required
@require_http_methods(["GET", "POST"])
def announcement(request: HttpRequest, announcement_id: int) -> HttpResponse:
    user = business_reader(request)
    ann = access_announcement_by_id(user, announcement_id)
    errors: list[str] = []
    today = workcal.today()
    if request.method == "POST":
        step = request.POST.get("step")
        try:
            if step == "save":
                act.do_edit_announcement(actor=user, ann=ann, opening=request.POST.get("opening", ""),
                                         edits=_edits(request, ann))
                messages.success(request, _("Draft saved."))
            elif step == "submit":
                # Submitted from the draft's form: what is on the screen is saved first.
                if "opening" in request.POST:
                    act.do_edit_announcement(actor=user, ann=ann, opening=request.POST["opening"],
                                             edits=_edits(request, ann))
                act.do_submit_announcement(actor=user, ann=ann)
                messages.success(request, _("Submitted for approval."))
            elif step in ("approve", "return"):
                act.do_decide_announcement(actor=user, ann=ann, approve=step == "approve",
                                           reason=request.POST.get("reason", ""))
                messages.success(request, _("Approved.") if step == "approve" else _("Returned to the office."))
            elif step == "issue":
                if request.POST.get("confirm") != "yes":
                    raise AccountabilityError(_("Nothing was issued. Confirm it: %(effect)s") % {
                        "effect": act.issue_effect(ann, today)})
                act.do_issue_announcement(actor=user, ann=ann)
                messages.success(request, _("Issued."))
            elif step == "render":
                if act.do_render_announcement(actor=user, ann=ann):
                    messages.success(request, _("The documents were generated."))
                else:
                    messages.error(request, _("The documents could not be generated; see the problem below."))
            else:
                raise Http404("No such step")
            return redirect("accountability:announcement", announcement_id=ann.pk)
        except NotYours:
            raise Http404("No such step") from None
        except AccountabilityError as e:
            errors = list(e.errors.values())
    office = registers(user)
    person = approver()
    return render(request, "accountability/announcement.html", {
        "ann": ann, "items": ann.items.select_related("case", "record").order_by("position", "id"),
        "office": office, "approves": approves(user), "approver": person, "errors": errors,
        "draft": ann.state == AnnouncementState.DRAFT, "submitted": ann.state == AnnouncementState.SUBMITTED,
        "approved": ann.state == AnnouncementState.APPROVED, "issued": ann.state == AnnouncementState.ISSUED,
        "effect": act.issue_effect(ann, today) if office and ann.state == AnnouncementState.APPROVED else "",
    }, status=400 if errors else 200)


@login_required
@require_GET
def announcement_file(request: HttpRequest, announcement_id: int, fmt: str) -> FileResponse:
    ann = access_announcement_by_id(business_reader(request), announcement_id)
    field = {"docx": ann.docx, "pdf": ann.pdf}.get(fmt)
    if not field:
        raise Http404("No such file")
    return FileResponse(field.open("rb"), as_attachment=fmt == "docx", filename=f"{ann.number}.{fmt}",
                        content_type="application/pdf" if fmt == "pdf" else DOCX)
