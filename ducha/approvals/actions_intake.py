"""The window's writes (S3.3; 行政许可法 art. 32): 收件, the materials check, the one-time notice,
补正, 受理, 不予受理, acceptance by law, handing over first-contact responsibility, withdrawal.

Each write locks the application's row and moves its state with a guarded UPDATE, records an
``Event`` and, for what goes to the applicant, numbers a document (``documents.issue_document``)
rendered after the commit; people inside hear through the inbox after the commit.

The acceptance date (受理日期). Without a notice it is the day the window accepts, within the
check's five working days (after them the law has accepted as of the day of receipt, and
acceptance becomes ``do_deem_accepted``). After a one-time notice it is the day the last
material the notice named came in: reference §2.1 quotes the local case-file standard ("the
acceptance date is the day the applicant hands in the last 补正 material"), and art. 32's
five days then run from that day on the materials received by 补正, so a window that checks
them late neither delays nor shortens the applicant's decision clock.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ducha.approvals import documents, intake
from ducha.approvals.actions_window import do_hand_over, do_withdraw, withdraw_effect
from ducha.approvals.catalogue import handling_unit_for, version_in_force
from ducha.approvals.intake import IntakeError, NotYours, next_receipt_number
from ducha.approvals.intake import add_event as _event
from ducha.approvals.intake import locked as _locked
from ducha.approvals.intake import move_state as _move
from ducha.approvals.intake import names_of as _names
from ducha.approvals.intake import window_only as _window
from ducha.approvals.models import (
    Application,
    ApplicationMaterial,
    ApplicationState,
    Channel,
    DocumentKind,
    FlowStep,
    Item,
    MaterialState,
    Notice,
    StepRecord,
    StepState,
)
from ducha.approvals.publish import publish_status
from ducha.audit.api import record as audit
from ducha.inbox.notify import notify_people, notify_units
from ducha.org.models import Unit, UnitKind, User
from ducha.publication.status import hash_query_code
from ducha.publication.submissions import QUERY_CODE_LENGTH, new_code
from ducha.rules.identity import id_kind, normalise, phone_valid
from ducha.workcal import service as workcal

__all__ = ["IntakeError", "NotYours", "do_accept", "do_check_materials", "do_deem_accepted", "do_give_notice",
           "do_hand_over", "do_receive_application", "do_refuse_to_accept", "do_submit_materials", "do_withdraw",
           "notice_effect", "refuse_effect", "start_steps", "withdraw_effect"]

MAX_TEXT = 2000


# -- 收件 ----------------------------------------------------------------------------------------


def do_receive_application(*, actor: User, item_code: str, area_id: int | None, applicant_name: str,
                           applicant_id: str, applicant_phone: str, project: str = "",
                           materials_handed_in: Iterable[int] = (), channel: str = Channel.WINDOW,
                           query_code_hash: str = "", today: date | None = None) -> Application:
    """收件: only an item of the published catalogue in force today (S3.1); the area's delegation
    decides who handles it (S3.5); the receiving officer is the first-contact officer (首问负责).

    The applicant follows it on the public site with the receipt number and a query code: a new
    one, on ``app.query_code`` only (shown once, only its hash is kept), unless the hash of the
    code an online submission was given is passed as ``query_code_hash``."""
    _window(actor)
    today = today or workcal.today()
    errors: dict[str, str] = {}
    code = item_code.strip()
    item = Item.objects.filter(code=code).first() if code else None
    version = version_in_force(item, today) if item is not None else None
    if not code:
        errors["item_code"] = _("Give the item's code.")
    elif version is None:
        errors["item_code"] = _("%(code)s is not an item of the published catalogue in force on %(day)s: nothing "
                                "outside the catalogue can be applied for (S3.1).") % {"code": code[:40],
                                                                                     "day": today.isoformat()}
    area = None
    if area_id is not None:
        area = Unit.objects.filter(pk=area_id, kind__in=[UnitKind.COUNTY, UnitKind.ZONE], is_active=True).first()
        if area is None:
            errors["area"] = _("Choose a county, district or zone, or none for the city.")
    handler = handling_unit_for(version, area) if version is not None and "area" not in errors else None
    if version is not None and area is not None and handler is None:
        errors["area"] = _("%(item)s is not handled for applicants of %(area)s (its handling level there is "
                           "none, S3.5).") % {"item": version.name, "area": area.name}
    name, ident, phone = applicant_name.strip(), normalise(applicant_id), normalise(applicant_phone)
    if not name or len(name) > 200:
        errors["applicant_name"] = _("Give the applicant's name (at most 200 characters).")
    if id_kind(ident) is None:
        errors["applicant_id"] = _("Give an 18-character ID card number or unified social credit code with its "
                                   "check character; %(value)s is neither.") % {"value": ident[:40] or "—"}
    if not phone_valid(phone):
        errors["applicant_phone"] = _("Give an 11-digit mobile number.")
    if len(project.strip()) > 200:
        errors["project"] = _("At most %(n)d characters.") % {"n": 200}
    if channel not in Channel.values:
        errors["channel"] = _("Choose the window or online.")
    handed = set(materials_handed_in)
    if version is not None:
        unknown = handed - set(version.materials.values_list("pk", flat=True))
        if unknown:
            errors["materials"] = _("Not materials of %(item)s: %(ids)s.") % {
                "item": version.name, "ids": ", ".join(str(i) for i in sorted(unknown))}
    if errors:
        raise IntakeError(errors)
    assert version is not None and handler is not None
    code = "" if query_code_hash else new_code(QUERY_CODE_LENGTH)
    with transaction.atomic():
        app = Application.objects.create(
            query_code_hash=query_code_hash or hash_query_code(code),
            receipt_number=next_receipt_number(today.year), version=version, area=area, handling_unit=handler,
            channel=channel, applicant_name=name, applicant_id=ident, applicant_phone=phone,
            project=project.strip(), first_officer=actor, received_on=today, received_at=timezone.now(),
            next_check_on=today)
        ApplicationMaterial.objects.bulk_create(
            ApplicationMaterial(application=app, material=m, submitted_on=today if m.pk in handed else None)
            for m in version.materials.order_by("position", "id"))
        _event(app, "received", actor, today, materials=sorted(handed), channel=channel)
        audit(actor=actor, action="approvals.receive", obj_type="approvals.Application", obj_id=app.pk, before=None,
              after={"receipt_number": app.receipt_number, "version": version.pk, "handling_unit": handler.pk})
        publish_status(app, today)
    app.query_code = code  # type: ignore[attr-defined]
    return app


# -- the materials check -------------------------------------------------------------------------


def _deemed_words(app: Application) -> str:
    return _("The materials check ran out: the application is accepted by law as of %(day)s (art. 32).") % {
        "day": app.accepted_on.isoformat() if app.accepted_on else ""}


def _deem_if_due(application_id: int, today: date) -> None:
    """Before a window step: a check that has run out is acceptance by law, recorded first (it
    stands whatever the step does next)."""
    if do_deem_accepted(application_id=application_id, today=today):
        raise IntakeError(_deemed_words(Application.objects.get(pk=application_id)))


def _under_check(app: Application, states: Iterable[str], message: str) -> None:
    if app.state not in states:
        raise IntakeError(_deemed_words(app) if app.deemed_accepted else message)


def do_check_materials(*, actor: User, application_id: int, results: Mapping[int, tuple[str, str]],
                       today: date | None = None) -> Application:
    """Record what the check found, material by material: ok, missing, or wrong with what is wrong."""
    _window(actor)
    today = today or workcal.today()
    _deem_if_due(application_id, today)
    with transaction.atomic():
        app = _locked(application_id)
        _under_check(app, (ApplicationState.RECEIVED, ApplicationState.NOTIFIED),
                     _("Only an application under check has its materials checked."))
        rows = {r.material_id: r for r in ApplicationMaterial.objects.filter(application=app).select_related("material")}
        errors: dict[str, str] = {}
        for mid, (state, problem) in results.items():
            row = rows.get(mid)
            field = f"material_{mid}"
            problem = (problem or "").strip()
            if row is None:
                errors[field] = _("Material %(id)s is not on this application's list.") % {"id": mid}
            elif state not in (MaterialState.OK, MaterialState.MISSING, MaterialState.WRONG):
                errors[field] = _("%(name)s: choose complete, missing or wrong.") % {"name": row.material.name}
            elif state == MaterialState.OK and row.submitted_on is None:
                errors[field] = _("%(name)s was never handed in; it cannot be complete.") % {"name": row.material.name}
            elif state == MaterialState.WRONG and not problem:
                errors[field] = _("%(name)s: say what is wrong with it.") % {"name": row.material.name}
            elif len(problem) > 300:
                errors[field] = _("%(name)s: at most 300 characters.") % {"name": row.material.name}
        if not results:
            errors["results"] = _("Give the result of at least one material.")
        if errors:
            raise IntakeError(errors)
        for mid, (state, problem) in results.items():
            ApplicationMaterial.objects.filter(pk=rows[mid].pk).update(
                state=state, problem="" if state == MaterialState.OK else (problem or "").strip())
        _event(app, "checked", actor, today, results={str(k): v[0] for k, v in results.items()})
    return app


def notice_effect(app: Application) -> str:
    rows = intake.problems(app)
    return _("A numbered one-time notice (一次性告知书) goes to %(applicant)s listing %(n)d materials to complete: "
             "%(names)s. Nothing else can be asked of the materials found complete.") % {
        "applicant": app.applicant_name, "n": len(rows), "names": _names(rows) or "—"}


def do_give_notice(*, actor: User, application_id: int, confirm: bool, today: date | None = None) -> Notice:
    """一次性告知 (art. 32): every required material missing or wrong, at once, within the check's
    five working days. A later notice may only concern materials handed in after the one before."""
    _window(actor)
    today = today or workcal.today()
    _deem_if_due(application_id, today)
    with transaction.atomic():
        app = _locked(application_id)
        _under_check(app, (ApplicationState.RECEIVED,), _("A notice is given on an application under check."))
        clock = intake.check_clock(app)
        pending = intake.unchecked(app)
        if pending:
            raise IntakeError({"materials": _("Check every material first: %(names)s not yet checked.")
                               % {"names": _names(pending)}})
        rows = intake.problems(app)
        if not rows:
            raise IntakeError(_("Nothing is missing or wrong: accept the application instead."))
        previous = intake.last_notice(app)
        if previous is not None:
            allowed = intake.submitted_after(app, previous.sequence)
            late = [r for r in rows if r.material_id not in allowed]
            if late:
                raise IntakeError({"materials": _(
                    "%(names)s: found complete before notice %(n)d and not handed in since; a later notice may "
                    "only concern materials handed in after the one before (art. 32).") % {
                    "names": _names(late), "n": previous.sequence}})
        if not confirm:
            raise IntakeError({"confirm": _("Nothing was sent. Confirm it: %(effect)s") % {"effect": notice_effect(app)}})
        items = [{"material": r.material_id, "code": r.material.code, "name": r.material.name, "state": r.state,
                  "problem": r.problem} for r in rows]
        notice = Notice.objects.create(application=app, sequence=(previous.sequence + 1) if previous else 1,
                                       given_on=today, items=items, given_by=actor)
        _move(app, [ApplicationState.RECEIVED], state=ApplicationState.NOTIFIED, next_check_on=None)
        _event(app, "notice", actor, today, sequence=notice.sequence, materials=[i["material"] for i in items],
               deadline=clock.deadline.isoformat() if clock.deadline else None)
        documents.issue_document(app, DocumentKind.NOTICE, documents.build_notice, notice, today=today)
        publish_status(app, today)
        audit(actor=actor, action="approvals.notice", obj_type="approvals.Application", obj_id=app.pk,
              before={"state": ApplicationState.RECEIVED}, after={"state": app.state, "notice": notice.sequence})
    return notice


def do_submit_materials(*, actor: User, application_id: int, material_ids: Iterable[int],
                        today: date | None = None) -> Application:
    """补正: materials handed in (again) go back to the check. Once every material the last notice
    named is in, the application is under check again, five working days from that day."""
    _window(actor)
    today = today or workcal.today()
    ids = set(material_ids)
    with transaction.atomic():
        app = _locked(application_id)
        _under_check(app, (ApplicationState.RECEIVED, ApplicationState.NOTIFIED),
                     _("Materials are handed in before acceptance only."))
        known = set(ApplicationMaterial.objects.filter(application=app).values_list("material_id", flat=True))
        if not ids or ids - known:
            raise IntakeError({"materials": _("Tick the materials handed in, from this application's list.")})
        ApplicationMaterial.objects.filter(application=app, material_id__in=ids).update(
            submitted_on=today, state=MaterialState.PENDING, problem="")
        previous = intake.last_notice(app)
        _event(app, intake.SUBMITTED, actor, today, materials=sorted(ids), notice=previous.sequence if previous else 0)
        publish_status(app, today)
        if app.state == ApplicationState.NOTIFIED and previous is not None \
                and intake.named_in(previous) <= intake.submitted_after(app, previous.sequence):
            _move(app, [ApplicationState.NOTIFIED], state=ApplicationState.RECEIVED, next_check_on=today)
    return app


# -- 受理, 不予受理, acceptance by law -------------------------------------------------------------


def start_steps(app: Application, on: date) -> list[StepRecord]:
    """The flow's steps of an accepted application: each item's first order running from ``on``,
    the rest waiting (a joint application's items run side by side). Once."""
    existing = list(StepRecord.objects.filter(application_id=app.pk))
    if existing:
        return existing
    versions = [app.version_id, *app.members.values_list("pk", flat=True)] if app.joint else [app.version_id]
    steps = list(FlowStep.objects.filter(version_id__in=versions).order_by("version_id", "order", "id"))
    first: dict[int, int] = {}
    for s in steps:
        first.setdefault(s.version_id, s.order)
    return StepRecord.objects.bulk_create(
        StepRecord(application=app, step=s, state=StepState.RUNNING if s.order == first[s.version_id] else StepState.WAITING,
                   started_on=on if s.order == first[s.version_id] else None) for s in steps)


def _tell_accepted(app: Application, title: str, body: str) -> None:
    unit_id, officer_id = app.handling_unit_id, app.first_officer_id
    transaction.on_commit(lambda: (notify_units([unit_id], title=title, body=body),
                                   notify_people([officer_id], title=title, body=body)))


def do_accept(*, actor: User, application_id: int, today: date | None = None) -> Application:
    """受理: every required material complete. The acceptance date is today, or after a notice the
    day the last material it named came in (module docstring). Issues the 受理通知书 and starts
    the flow's first steps."""
    _window(actor)
    today = today or workcal.today()
    with transaction.atomic():
        app = _locked(application_id)
        if app.state == ApplicationState.NOTIFIED:
            raise IntakeError(_("Waiting for the applicant to complete the materials the notice named."))
        _under_check(app, (ApplicationState.RECEIVED,), _("Only an application under check can be accepted."))
        clock = intake.check_clock(app)
        if clock.deadline is not None and today > clock.deadline:
            do_deem_accepted(application_id=app.pk, today=today)
            app.refresh_from_db()
            return app
        pending = intake.unchecked(app)
        if pending:
            raise IntakeError({"materials": _("Check every material first: %(names)s not yet checked.")
                               % {"names": _names(pending)}})
        wrong = intake.problems(app)
        if wrong:
            raise IntakeError({"materials": _("%(names)s missing or wrong: give a one-time notice instead.")
                               % {"names": _names(wrong)}})
        on = clock.start if clock.after_notice and clock.start else today
        _move(app, [ApplicationState.RECEIVED], state=ApplicationState.ACCEPTED, accepted_on=on, next_check_on=today)
        _event(app, "accepted", actor, today, accepted_on=on.isoformat(), after_notice=clock.after_notice)
        start_steps(app, on)
        documents.issue_document(app, DocumentKind.ACCEPTANCE, documents.build_acceptance, today=today)
        publish_status(app, today)
        audit(actor=actor, action="approvals.accept", obj_type="approvals.Application", obj_id=app.pk,
              before={"state": ApplicationState.RECEIVED}, after={"state": app.state, "accepted_on": on})
        _tell_accepted(app, _("Application %(number)s accepted") % {"number": app.receipt_number},
                       _("%(item)s for %(applicant)s, accepted on %(day)s.") % {
                           "item": app.version.name, "applicant": app.applicant_name, "day": on.isoformat()})
    return app


def do_deem_accepted(*, application_id: int, today: date) -> bool:
    """Art. 32: no notice within the check's five working days, and the application is accepted by
    law as of the day its materials came in (the day of receipt, or of the last 补正). The
    platform's own step: idempotent, a guarded UPDATE on the received state; True when it
    changed the application."""
    with transaction.atomic():
        app = Application.objects.select_for_update().filter(pk=application_id).first()
        if app is None or app.state != ApplicationState.RECEIVED:
            return False
        clock = intake.check_clock(app)
        if clock.deadline is None or clock.start is None or today <= clock.deadline:
            return False
        on = clock.start
        if Application.objects.filter(pk=app.pk, state=ApplicationState.RECEIVED).update(
                state=ApplicationState.ACCEPTED, accepted_on=on, deemed_accepted=True, next_check_on=today) != 1:
            return False
        app.refresh_from_db()
        reason = _("No notice was given by %(deadline)s, the fifth working day after the materials came in on "
                   "%(start)s: accepted by law as of %(start)s (行政许可法 art. 32).") % {
            "deadline": clock.deadline.isoformat(), "start": on.isoformat()}
        _event(app, "deemed_accepted", None, today, accepted_on=on.isoformat(), deadline=clock.deadline.isoformat(),
               after_notice=clock.after_notice, reason=reason)
        start_steps(app, on)
        documents.issue_document(app, DocumentKind.ACCEPTANCE, documents.build_acceptance, today=today)
        publish_status(app, today)
        audit(actor=None, action="approvals.deem_accept", obj_type="approvals.Application", obj_id=app.pk,
              before={"state": ApplicationState.RECEIVED}, after={"state": app.state, "accepted_on": on},
              reason=reason)
        _tell_accepted(app, _("Application %(number)s accepted by law") % {"number": app.receipt_number}, reason)
    return True


def refuse_effect(app: Application) -> str:
    return _("A numbered decision not to accept (不予受理决定书) goes to %(applicant)s with the reasons and the right "
             "of appeal; the application ends and cannot be reopened.") % {"applicant": app.applicant_name}


def do_refuse_to_accept(*, actor: User, application_id: int, reasons: str, confirm: bool,
                        today: date | None = None) -> Application:
    """不予受理 with reasons and the right of appeal (行政复议 60 days, 行政诉讼 6 months)."""
    _window(actor)
    today = today or workcal.today()
    words = reasons.strip()
    if not words or len(words) > MAX_TEXT:
        raise IntakeError({"reasons": _("Give the reasons (at most %(n)d characters).") % {"n": MAX_TEXT}})
    _deem_if_due(application_id, today)
    with transaction.atomic():
        app = _locked(application_id)
        _under_check(app, (ApplicationState.RECEIVED, ApplicationState.NOTIFIED),
                     _("Only an application not yet accepted can be refused acceptance."))
        if not confirm:
            raise IntakeError({"confirm": _("Nothing was sent. Confirm it: %(effect)s") % {"effect": refuse_effect(app)}})
        before = app.state
        _move(app, [before], state=ApplicationState.NOT_ACCEPTED, decided_on=today, decision_reason=words,
              next_check_on=None)
        _event(app, "not_accepted", actor, today, reasons=words)
        documents.issue_document(app, DocumentKind.NOT_ACCEPTED, documents.build_not_accepted, today=today)
        publish_status(app, today)
        audit(actor=actor, action="approvals.not_accept", obj_type="approvals.Application", obj_id=app.pk,
              before={"state": before}, after={"state": app.state, "reasons": words})
    return app
