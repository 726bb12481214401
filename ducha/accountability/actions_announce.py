"""Every write of the announcements (S1.14 half-yearly exposure, S1.16 accountability announcement).

draft (the office selects cases or records; the platform drafts each paragraph) → edited by the
office (the text, and per item whether it names the unit and the people) → submitted to the
named approver → approved, or returned with a reason to the draft → issued by the office: a
number from the register, the document rendered, every unit told. Each step is a guarded
UPDATE on the state and an event in the audit trail.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ducha.accountability.access import registers
from ducha.accountability.actions import MAX_TEXT, AccountabilityError, NotYours
from ducha.accountability.announce import approver, approves, candidate_cases, candidate_records
from ducha.accountability.announce_models import (
    Announcement,
    AnnouncementItem,
    AnnouncementKind,
    AnnouncementState,
)
from ducha.accountability.documents import (
    announcement_title,
    default_opening,
    draft_case_text,
    draft_record_text,
    render_announcement_files,
)
from ducha.accountability.models import Record
from ducha.audit.api import record as audit
from ducha.documents import DocNumber
from ducha.documents.register import next_document_number, take_document_number
from ducha.inbox.notify import notify_people, notify_units
from ducha.org.models import Unit, User
from ducha.publication.models import Kind
from ducha.publication.publish import publish
from ducha.reports.bulletin import doc_prefix
from ducha.rules.periods import Period
from ducha.workcal import service as workcal

MAX_ITEMS = 50


def _office(actor: User) -> None:
    if not registers(actor):
        raise NotYours(_("Only the supervision office drafts and issues announcements."))


def _half(key: str) -> Period:
    try:
        period = Period.parse(key)
    except ValueError:
        period = None
    if period is None or period.kind != "half":
        raise AccountabilityError({"period": _("Name a half-year, e.g. 2026-H1.")})
    return period


def do_draft_announcement(*, actor: User, kind: str, period_key: str, ids: tuple[int, ...]) -> Announcement:
    """Draft an announcement of the chosen cases (exposure) or records (accountability) of a
    half-year; each item's paragraph is drafted with the settings' publication defaults."""
    _office(actor)
    if kind not in AnnouncementKind.values:
        raise AccountabilityError({"kind": _("Choose one of: %(choices)s.") % {
            "choices": ", ".join(AnnouncementKind.values)}})
    period = _half(period_key)
    chosen = list(dict.fromkeys(ids))
    if not chosen or len(chosen) > MAX_ITEMS:
        raise AccountabilityError({"items": _("Choose between 1 and %(n)d items.") % {"n": MAX_ITEMS}})
    pool = candidate_cases(period) if kind == AnnouncementKind.EXPOSURE else candidate_records(period)
    found = {row.pk: row for row in pool.filter(pk__in=chosen)}
    missing = [str(i) for i in chosen if i not in found]
    if missing:
        raise AccountabilityError({"items": _("Not a candidate of this half-year: %(ids)s.") % {
            "ids": ", ".join(missing)}})
    name_unit, name_people = settings.DUCHA_EXPOSURE_NAME_UNITS, settings.DUCHA_EXPOSURE_NAME_PEOPLE
    with transaction.atomic():
        ann = Announcement.objects.create(kind=kind, period=period.key, title=announcement_title(kind, period),
                                          opening=default_opening(kind, period, len(chosen)), created_by=actor)
        items = []
        for position, pk in enumerate(chosen, start=1):
            row = found[pk]
            if isinstance(row, Record):
                text = draft_record_text(row, name_unit=name_unit, name_people=name_people)
                items.append(AnnouncementItem(announcement=ann, record=row, text=text, name_unit=name_unit,
                                              name_people=name_people, position=position))
            else:
                text = draft_case_text(row, name_unit=name_unit, name_people=name_people)
                items.append(AnnouncementItem(announcement=ann, case=row, text=text, name_unit=name_unit,
                                              name_people=name_people, position=position))
        AnnouncementItem.objects.bulk_create(items)
        audit(actor=actor, action="accountability.announcement_draft", obj_type="accountability.Announcement",
              obj_id=ann.pk, before=None, after={"kind": kind, "period": period.key, "items": chosen})
    return ann


@dataclass(frozen=True)
class ItemEdit:
    item_id: int
    text: str
    name_unit: bool
    name_people: bool
    remove: bool = False


def _redraft(item: AnnouncementItem, name_unit: bool, name_people: bool) -> str:
    if item.record_id is not None:
        assert item.record is not None
        return draft_record_text(item.record, name_unit=name_unit, name_people=name_people)
    assert item.case is not None
    return draft_case_text(item.case, name_unit=name_unit, name_people=name_people)


def do_edit_announcement(*, actor: User, ann: Announcement, opening: str, edits: list[ItemEdit]) -> Announcement:
    """Change a draft: its opening, each item's text and what it names, or drop an item. An item
    whose choices change while its text is left as drafted is drafted again with them."""
    _office(actor)
    items = {i.pk: i for i in ann.items.select_related("case__unit", "record__unit")}
    errors: dict[str, str] = {}
    if not opening.strip() or len(opening) > MAX_TEXT:
        errors["opening"] = _("Write the opening paragraph (at most %(n)d characters).") % {"n": MAX_TEXT}
    unknown = [str(e.item_id) for e in edits if e.item_id not in items]
    if unknown:
        errors["items"] = _("Not an item of this announcement: %(ids)s.") % {"ids": ", ".join(unknown)}
    kept = [e for e in edits if not e.remove]
    if not errors and len({e.item_id for e in edits if e.remove}) >= len(items):
        errors["items"] = _("An announcement keeps at least one item.")
    for e in kept:
        if not e.text.strip() or len(e.text) > MAX_TEXT:
            errors[f"item-{e.item_id}"] = _("Write the item's text (at most %(n)d characters).") % {"n": MAX_TEXT}
    if errors:
        raise AccountabilityError(errors)
    with transaction.atomic():
        if Announcement.objects.filter(pk=ann.pk, state=AnnouncementState.DRAFT).update(
                opening=opening.strip()) != 1:
            raise AccountabilityError(_("Only a draft can be changed."))
        AnnouncementItem.objects.filter(pk__in=[e.item_id for e in edits if e.remove]).delete()
        for e in kept:
            item = items[e.item_id]
            text = e.text.strip()
            if (e.name_unit, e.name_people) != (item.name_unit, item.name_people) and text == item.text:
                text = _redraft(item, e.name_unit, e.name_people)
            AnnouncementItem.objects.filter(pk=item.pk).update(text=text, name_unit=e.name_unit,
                                                               name_people=e.name_people)
        audit(actor=actor, action="accountability.announcement_edit", obj_type="accountability.Announcement",
              obj_id=ann.pk, before=None, after={"items": [e.item_id for e in kept],
                                                 "removed": [e.item_id for e in edits if e.remove]})
    ann.refresh_from_db()
    return ann


def leaks(ann: Announcement) -> dict[str, str]:
    """Items that name a person held to account (or the unit) although they are not to: the
    publication choice is checked against the text, not only recorded."""
    errors: dict[str, str] = {}
    items = ann.items.select_related("case__unit", "record__unit").prefetch_related("record__people",
                                                                                    "case__records__people")
    for item in items:
        records = [item.record] if item.record is not None else list(item.case.records.all()) if item.case else []
        unit = item.record.unit if item.record is not None else item.case.unit if item.case else None
        if not item.name_people:
            names = sorted({p.name for r in records if r is not None for p in r.people.all() if p.name in item.text})
            if names:
                errors[f"item-{item.pk}"] = _("Item %(n)d names %(names)s although it does not name people.") % {
                    "n": item.position, "names": "、".join(names)}
        if not item.name_unit and unit is not None and isinstance(unit, Unit) and (
                unit.name in item.text or (unit.short_name and unit.short_name in item.text)):
            errors[f"item-{item.pk}"] = _("Item %(n)d names its unit although it does not name the unit.") % {
                "n": item.position}
    return errors


def do_submit_announcement(*, actor: User, ann: Announcement) -> Announcement:
    _office(actor)
    person = approver()
    if person is None:
        raise AccountabilityError(_("No approver is set: name one in DUCHA_EXPOSURE_APPROVER or give the city a "
                                    "mayor's account."))
    errors = leaks(ann)
    if errors:
        raise AccountabilityError(errors)
    with transaction.atomic():
        if Announcement.objects.filter(pk=ann.pk, state=AnnouncementState.DRAFT).update(
                state=AnnouncementState.SUBMITTED, returned_reason="") != 1:
            raise AccountabilityError(_("Only a draft can be submitted."))
        audit(actor=actor, action="accountability.announcement_submit", obj_type="accountability.Announcement",
              obj_id=ann.pk, before={"state": "draft"}, after={"state": "submitted", "approver": person.pk})
        title = _("Announcement to approve: %(title)s") % {"title": ann.title}
        transaction.on_commit(lambda: notify_people([person.pk], title=title, body=title))
    ann.refresh_from_db()
    return ann


def do_decide_announcement(*, actor: User, ann: Announcement, approve: bool, reason: str = "") -> Announcement:
    """The approver approves the submitted draft, or returns it to the office with the reason."""
    if not approves(actor):
        raise NotYours(_("Only the named approver approves announcements."))
    if not approve and (not reason.strip() or len(reason) > MAX_TEXT):
        raise AccountabilityError({"reason": _("Say why it is returned (at most %(n)d characters).") % {
            "n": MAX_TEXT}})
    change = ({"state": AnnouncementState.APPROVED, "approver": actor, "approved_at": timezone.now()} if approve
              else {"state": AnnouncementState.DRAFT, "returned_reason": reason.strip()})
    with transaction.atomic():
        if Announcement.objects.filter(pk=ann.pk, state=AnnouncementState.SUBMITTED).update(**change) != 1:
            raise AccountabilityError(_("It is not awaiting approval."))
        audit(actor=actor, action="accountability.announcement_" + ("approve" if approve else "return"),
              obj_type="accountability.Announcement", obj_id=ann.pk, before={"state": "submitted"},
              after={"state": str(change["state"]), "reason": reason.strip()})
        office = list(User.objects.filter(pk=ann.created_by_id).values_list("pk", flat=True))
        title = (_("Approved: %(title)s") if approve else _("Returned: %(title)s")) % {"title": ann.title}
        transaction.on_commit(lambda: notify_people(office, title=title, body=reason.strip() or title))
    ann.refresh_from_db()
    return ann


def issue_effect(ann: Announcement, today: date) -> str:
    number = DocNumber(doc_prefix(), today.year, next_document_number(doc_prefix(), today.year))
    return _("Issue it as document %(number)s to every unit (%(units)d), each told in its inbox. An issued "
             "announcement cannot be changed or withdrawn.") % {
        "number": number, "units": Unit.objects.filter(is_active=True).count()}


def do_issue_announcement(*, actor: User, ann: Announcement, today: date | None = None) -> Announcement:
    _office(actor)
    today = today or workcal.today()
    with transaction.atomic():
        number = str(DocNumber(doc_prefix(), today.year, take_document_number(doc_prefix(), today.year)))
        if Announcement.objects.filter(pk=ann.pk, state=AnnouncementState.APPROVED).update(
                state=AnnouncementState.ISSUED, number=number, issued_on=today, issued_by=actor) != 1:
            raise AccountabilityError(_("Only an approved announcement is issued."))
        audit(actor=actor, action="accountability.announcement_issue", obj_type="accountability.Announcement",
              obj_id=ann.pk, before={"state": "approved"}, after={"state": "issued", "number": number})
        units = list(Unit.objects.filter(is_active=True).values_list("pk", flat=True))
        title = ann.title
        body = _("Document %(number)s; see the announcements' page.") % {"number": number}
        transaction.on_commit(lambda: notify_units(units, title=title, body=body))
    ann.refresh_from_db()
    render_announcement_files(ann)
    if ann.kind == AnnouncementKind.EXPOSURE:
        with transaction.atomic():
            publish_exposure(ann)
    return ann


def publish_exposure(ann: Announcement) -> None:
    """An issued exposure of typical cases on the public site (key: its number): each item's text
    as issued, which names the unit and the people only where the office chose to; the unit is
    given apart only where named."""
    items = []
    for n, item in enumerate(ann.items.select_related("case__unit").order_by("position", "id"), start=1):
        unit = item.case.unit.name if item.name_unit and item.case is not None else ""
        items.append({"title": {"zh": f"典型案例{n}", "en": f"Case {n}"}, "unit": unit, "body": item.text})
    assert ann.issued_on is not None
    payload = {"number": ann.number, "date": ann.issued_on.isoformat(), "period": ann.period,
               "summary": ann.opening, "body": "", "items": items}
    files = [(f"{ann.number}.pdf", Path(ann.pdf.path))] if ann.pdf else []
    publish(Kind.EXPOSURE, ann.number, ann.title, payload, files=[f for f in files if f[1].is_file()])


def do_render_announcement(*, actor: User, ann: Announcement) -> bool:
    _office(actor)
    if ann.state != AnnouncementState.ISSUED:
        raise AccountabilityError(_("It has not been issued."))
    ok = render_announcement_files(ann)
    audit(actor=actor, action="accountability.announcement_render", obj_type="accountability.Announcement",
          obj_id=ann.pk, before=None, after={"ok": ok})
    return ok
