"""The window's writes after 收件 that are not about the materials (S3.3): handing first-contact
responsibility (首问负责) to another window officer, and withdrawal at the applicant's request.
Re-exported by ``actions_intake`` with the window's other writes."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils.translation import gettext as _

from ducha.approvals import intake
from ducha.approvals.intake import IntakeError, NotYours
from ducha.approvals.intake import add_event as _event
from ducha.approvals.intake import locked as _locked
from ducha.approvals.intake import move_state as _move
from ducha.approvals.intake import window_only as _window
from ducha.approvals.models import Application, ApplicationState, Pause
from ducha.approvals.models_applications import OPEN_STATES
from ducha.approvals.publish import publish_status
from ducha.audit.api import record as audit
from ducha.inbox.notify import notify_people, notify_units
from ducha.org.models import User
from ducha.org.roles import Role
from ducha.workcal import service as workcal

__all__ = ["do_hand_over", "do_withdraw", "withdraw_effect"]

MAX_TEXT = 2000


def do_hand_over(*, actor: User, application_id: int, to_user_id: int, reason: str,
                 today: date | None = None) -> Application:
    """首问负责 handed to another window officer, by the current one or the office's administrator."""
    today = today or workcal.today()
    words = reason.strip()
    with transaction.atomic():
        app = _locked(application_id)
        if not (actor.pk == app.first_officer_id or (intake.works_the_window(actor) and actor.role == Role.UNIT_ADMIN)):
            raise NotYours(_("Only the first-contact officer or the service office's administrator hands it over."))
        if app.state not in OPEN_STATES:
            raise IntakeError(_("The application has ended; nobody needs to answer for it any more."))
        to = intake.window_officers().filter(pk=to_user_id).first()
        errors: dict[str, str] = {}
        if to is None:
            errors["to_user"] = _("Choose a window officer of the approval service office.")
        elif to.pk == app.first_officer_id:
            errors["to_user"] = _("%(name)s is the first-contact officer already.") % {"name": to.name}
        if not words or len(words) > MAX_TEXT:
            errors["reason"] = _("Say why (at most %(n)d characters).") % {"n": MAX_TEXT}
        if errors:
            raise IntakeError(errors)
        assert to is not None
        before = app.first_officer_id
        Application.objects.filter(pk=app.pk).update(first_officer=to)
        app.first_officer = to
        _event(app, "handed_over", actor, today, **{"from": before, "to": to.pk, "reason": words})
        audit(actor=actor, action="approvals.hand_over", obj_type="approvals.Application", obj_id=app.pk,
              before={"first_officer": before}, after={"first_officer": to.pk, "reason": words})
        title = _("Application %(number)s handed over to you") % {"number": app.receipt_number}
        body = _("You now answer %(applicant)s about it as first-contact officer: %(reason)s") % {
            "applicant": app.applicant_name, "reason": words}
        transaction.on_commit(lambda: notify_people([to.pk], title=title, body=body))
    return app


def withdraw_effect(app: Application) -> str:
    return _("Application %(number)s ends at %(applicant)s's request; any running pause ends and its steps stop. "
             "It cannot be reopened.") % {"number": app.receipt_number, "applicant": app.applicant_name}


def do_withdraw(*, actor: User, application_id: int, reason: str, confirm: bool,
                today: date | None = None) -> Application:
    """撤回 at the applicant's request, made at the window: the reason is recorded."""
    _window(actor)
    today = today or workcal.today()
    words = reason.strip()
    if not words or len(words) > MAX_TEXT:
        raise IntakeError({"reason": _("Record the applicant's request (at most %(n)d characters).") % {"n": MAX_TEXT}})
    with transaction.atomic():
        app = _locked(application_id)
        if app.state not in OPEN_STATES:
            raise IntakeError(_("The application has ended already."))
        if not confirm:
            raise IntakeError({"confirm": _("Nothing was changed. Confirm it: %(effect)s") % {"effect": withdraw_effect(app)}})
        before = app.state
        _move(app, [before], state=ApplicationState.WITHDRAWN, decided_on=today, decision_reason=words,
              next_check_on=None)
        Pause.objects.filter(application=app, ended_on__isnull=True).update(ended_on=max(today, app.received_on))
        _event(app, "withdrawn", actor, today, reason=words)
        publish_status(app, today)
        audit(actor=actor, action="approvals.withdraw", obj_type="approvals.Application", obj_id=app.pk,
              before={"state": before}, after={"state": app.state, "reason": words})
        if before in (ApplicationState.ACCEPTED, ApplicationState.PAUSED):
            unit_id = app.handling_unit_id
            title = _("Application %(number)s withdrawn") % {"number": app.receipt_number}
            transaction.on_commit(lambda: notify_units([unit_id], title=title, body=words))
    return app
