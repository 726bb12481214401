"""内网办理 of what came in online: the periodic pass that takes up the portal's submissions.

An ``application`` submission becomes an ``Application`` on the channel ``portal`` through the
window's own 收件 (``do_receive_application``), received by the office's designated window
account (DUCHA_APPROVAL_ONLINE_OFFICER, else the service office's first unit administrator),
with the uploaded files as its materials and the applicant's query code carried over as a hash,
so the code shown once on the portal works in the status look-up (the window's actions
publish the status after each commit: ducha.approvals.publish). A ``materials`` submission
is 补正 (``do_submit_materials``) on the application its receipt number names.

A submission the window cannot receive (item no longer in force, area not handled, a receipt
number that is not waiting for materials) is taken up as refused with the reason; a refused
application is published as a status keyed by the submission's reference, which the applicant
holds with the query code, so the look-up tells them why.

Claims: one submission per short transaction; on PostgreSQL the row is locked ``SKIP LOCKED``,
and everywhere the take-up row (one per submission) is inserted first, so a second worker that
read the same row fails on it before doing anything and two workers never take one up twice.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ducha.approvals.access import service_unit
from ducha.approvals.actions_intake import do_receive_application, do_submit_materials
from ducha.approvals.catalogue import version_in_force
from ducha.approvals.intake import IntakeError, add_event, last_notice, named_in, works_the_window
from ducha.approvals.models import Application, ApplicationMaterial, Channel, Item, Material
from ducha.approvals.publish import both
from ducha.org.models import Unit, UnitKind, User
from ducha.org.roles import Role
from ducha.publication.models import Kind, Submission, SubmissionKind, SubmissionTakeUp, TakeUpState
from ducha.publication.publish import publish
from ducha.publication.submissions import file_content, identity_of, take_up, waiting
from ducha.workcal import service as workcal

log = logging.getLogger("ducha.approvals")

BATCH = 50
ONLINE_EVENT = "online"


def online_officer() -> User | None:
    """The window account online applications are received by."""
    name = settings.DUCHA_APPROVAL_ONLINE_OFFICER
    unit = service_unit()
    if name:
        user = User.objects.select_related("unit").filter(username=name, is_active=True).first()
    elif unit is not None:
        user = User.objects.select_related("unit").filter(unit=unit, role=Role.UNIT_ADMIN, is_active=True) \
            .order_by("id").first()
    else:
        user = None
    if user is None or not works_the_window(user):
        # Submissions wait rather than be refused for the platform's own misconfiguration.
        log.warning("no window account takes up online applications (DUCHA_APPROVAL_ONLINE_OFFICER=%r)", name)
        return None
    return user


def _claim(kind: str, skip: set[int]) -> Submission | None:
    rows = waiting(kind).exclude(pk__in=skip)
    if connection.features.has_select_for_update_skip_locked:
        rows = rows.select_for_update(skip_locked=True, of=("self",))
    sub = rows.first()
    if sub is None:
        return None
    try:
        with transaction.atomic():
            SubmissionTakeUp.objects.create(submission=sub, taken_up_at=timezone.now(), state=TakeUpState.TAKEN)
    except IntegrityError:  # another worker has it
        skip.add(sub.pk)
        return _claim(kind, skip)
    return sub


def run_pass(should_stop: Callable[[], bool], *, today: date | None = None) -> dict[str, int]:
    """One bounded batch: applications first (they may be what materials refer to)."""
    officer = online_officer()
    figures = {"application": 0, "materials": 0, "refused": 0}
    if officer is None:
        return {"no_officer": int(waiting().exists())}
    today = today or workcal.today()
    for kind, handle in ((SubmissionKind.APPLICATION, take_up_application),
                         (SubmissionKind.MATERIALS, take_up_materials)):
        skip: set[int] = set()
        for _n in range(BATCH):
            if should_stop():
                return figures
            try:
                with transaction.atomic():
                    sub = _claim(kind, skip)
                    if sub is None:
                        break
                    skip.add(sub.pk)
                    with translation.override(settings.LANGUAGE_CODE):  # the SMS's language
                        ok = handle(sub, officer, today)
            except Exception:  # left waiting for the next pass; the others go on
                log.exception("taking up submission %s failed", locals().get("sub"))
                continue
            figures[str(kind) if ok else "refused"] += 1
    return figures


def _area_id(value: str) -> int | None:
    """The published place: a county or zone by code or name; anything else is the city."""
    value = (value or "").strip()
    if not value:
        return None
    areas = Unit.objects.filter(kind__in=[UnitKind.COUNTY, UnitKind.ZONE], is_active=True)
    unit = areas.filter(code=value).first() or areas.filter(name=value).first()
    return unit.pk if unit else None


def _reason(e: IntakeError) -> str:
    return " ".join(str(m) for m in e.errors.values())


def take_up_application(sub: Submission, officer: User, today: date) -> bool:
    """收件 of an online application (inside the caller's transaction); False when refused."""
    payload: dict[str, Any] = sub.payload or {}
    who = identity_of(sub)
    code = str(payload.get("item", ""))[:40]
    item = Item.objects.filter(code=code).first()
    version = version_in_force(item, today) if item is not None else None
    by_code = {m.code: m for m in Material.objects.filter(version=version)} if version is not None else {}
    files = [(f, by_code.get(f.material)) for f in sub.files.all()]
    try:
        with transaction.atomic():
            app = do_receive_application(
                actor=officer, item_code=code, area_id=_area_id(str(payload.get("area", ""))),
                applicant_name=who.name, applicant_id=who.id_number, applicant_phone=who.phone,
                project=str(payload.get("project", ""))[:200], channel=Channel.PORTAL, today=today,
                query_code_hash=sub.query_code_hash, materials_handed_in=sorted({m.pk for _f, m in files if m is not None}))
    except IntakeError as e:
        reason = _reason(e)
        take_up(sub, by=officer.pk, state=TakeUpState.REFUSED, outcome=reason)
        _publish_refusal(sub, code, reason, today)
        _sms(who.phone, sub.reference, _("Your online application %(reference)s could not be received: %(reason)s")
             % {"reference": sub.reference, "reason": reason})
        return False
    Application.objects.filter(pk=app.pk).update(submission_reference=sub.reference)
    app.submission_reference = sub.reference
    _attach(app, files, today)
    # A file naming a material the version in force no longer lists is kept out, and said.
    add_event(app, ONLINE_EVENT, officer, today, submission=sub.reference, files=len(files),
              not_listed=[f.name for f, m in files if m is None])
    take_up(sub, by=officer.pk, state=TakeUpState.DONE, outcome=app.receipt_number)
    _publish_reference(sub, app, today)
    _sms(who.phone, sub.reference, _("Your online application %(reference)s was received: receipt number "
                                     "%(receipt)s. Follow it on the portal with this number and your query code.")
         % {"reference": sub.reference, "receipt": app.receipt_number})
    return True


def take_up_materials(sub: Submission, officer: User, today: date) -> bool:
    """补正 sent online: the files go to the materials they name (a file naming none, to the
    materials the last notice named), then the window's own 补正."""
    receipt = str((sub.payload or {}).get("receipt", ""))[:40]
    app = Application.objects.filter(receipt_number=receipt).first()
    notice = last_notice(app) if app is not None else None
    if app is None or notice is None:
        take_up(sub, by=officer.pk, state=TakeUpState.REFUSED,
                outcome=_("No application %(receipt)s waiting for materials.") % {"receipt": receipt or "—"})
        return False
    by_code = {m.code: m for m in Material.objects.filter(version_id=app.version_id)}
    named = sorted(named_in(notice))
    files: list[tuple[Any, Material | None]] = [(f, by_code.get(f.material)) for f in sub.files.all()]
    ids = {m.pk for _f, m in files if m is not None} or set(named)
    try:
        with transaction.atomic():
            do_submit_materials(actor=officer, application_id=app.pk, material_ids=ids, today=today)
            _attach(app, files, today)
    except IntakeError as e:
        take_up(sub, by=officer.pk, state=TakeUpState.REFUSED, outcome=_reason(e))
        return False
    add_event(app, ONLINE_EVENT, officer, today, submission=sub.reference, files=len(files), materials=sorted(ids))
    take_up(sub, by=officer.pk, state=TakeUpState.DONE, outcome=app.receipt_number)
    return True


def _attach(app: Application, files: list[tuple[Any, Material | None]], today: date) -> None:
    """Each file onto its material's row (the last one wins where several name one material)."""
    rows = {r.material_id: r for r in ApplicationMaterial.objects.filter(application=app)}
    for f, material in files:
        row = rows.get(material.pk) if material is not None else None
        if row is None or material is None:
            continue
        row.file.save(f"{app.receipt_number}-{material.code}-{f.name}"[-150:], ContentFile(file_content(f)),
                      save=False)
        ApplicationMaterial.objects.filter(pk=row.pk).update(file=row.file.name, submitted_on=today)


def _publish_refusal(sub: Submission, item: str, reason: str, today: date) -> None:
    publish(Kind.APPLICATION_STATUS, sub.reference, sub.reference, {
        "query_code_hash": sub.query_code_hash, "item": item, "state": "not_taken_up",
        "state_words": both(lambda: _("Not received")), "received": today.isoformat(),
        "steps": [{"date": today.isoformat(), "words": reason}], "decision": reason})


def _publish_reference(sub: Submission, app: Application, today: date) -> None:
    """The submission's reference answers too (with the same code), naming the receipt number:
    an applicant without the SMS still finds the application."""
    receipt = app.receipt_number
    publish(Kind.APPLICATION_STATUS, sub.reference, sub.reference, {
        "query_code_hash": sub.query_code_hash, "item": app.version.name, "state": "taken_up",
        "state_words": both(lambda: _("Received: follow it with the receipt number %(receipt)s") % {
            "receipt": receipt}),
        "received": today.isoformat(),
        "steps": [{"date": today.isoformat(), "words": both(lambda: _("Received by the window as %(receipt)s") % {
            "receipt": receipt})}]})


def _sms(phone: str, reference: str, text: str) -> None:
    """To the applicant's phone after the commit, through the site's SMS gateway (the demo's
    writes DATA_DIR/sms.log); the reference is the client id a gateway can drop repeats by."""
    if not phone:
        return

    def send() -> None:
        from ducha.reminders.channels.sms import gateway

        try:
            gateway().send(phone, text[:300], f"approvals:{reference}")
        except Exception:
            log.exception("SMS for submission %s failed", reference)

    transaction.on_commit(send)
