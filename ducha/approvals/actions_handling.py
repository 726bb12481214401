"""What follows 受理 (S3.3, S3.4; 行政许可法 arts. 38, 42, 45): departments' steps, pauses, the
extension and the decision.

- A department's own people finish its step with their opinion; once every step of an order of
  an item's flow is done, that item's next order starts the same day (a joint application's
  items run side by side, each through its own flow).
- The clock pauses only for the periods art. 45 excludes, and only with the written notice to
  the applicant recorded; one pause at a time.
- The extension (art. 42) is granted once, at most 10 working days (joint 15), approved by the
  named authority, while the statutory period still runs.
- The decision (准予 / 不予行政许可, art. 38) comes when every step is done and no pause runs; a
  refusal gives its reasons and the applicant's right to 行政复议 and 行政诉讼. Its document is
  numbered from the one register.

Each write locks the application's row, records an ``Event``, asks the supervision pass to look
again (``next_check_on``), and tells those concerned once it has committed.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from ducha.approvals.access import access_application_by_id, handles_steps_of, in_service_office, service_unit
from ducha.approvals.clock import clock_of
from ducha.approvals.documents_decisions import issue_decision
from ducha.approvals.models import (
    Application,
    ApplicationState,
    Document,
    Event,
    Pause,
    PauseReason,
    StepRecord,
    StepState,
)
from ducha.approvals.publish import publish_status
from ducha.inbox.notify import notify_people, notify_units, notify_units_apart
from ducha.org.models import User
from ducha.org.roles import UNIT_ROLES
from ducha.rules.approvals import EXTENSION_WORKDAYS, JOINT_EXTENSION_WORKDAYS
from ducha.workcal import service as workcal

__all__ = ["HandlingError", "NotYours", "decide_effect", "decides", "do_decide", "do_end_pause", "do_extend",
           "do_finish_step", "do_start_pause", "extend_effect", "extension_cap", "pause_effect", "pauses_clock"]

MAX_TEXT = 2000
MAX_PAUSE_DAYS = 250
ACCEPTED_STATES = (ApplicationState.ACCEPTED, ApplicationState.PAUSED)


class HandlingError(ValueError):
    """Bad input or a step not allowed now; ``errors`` maps field names to messages."""

    def __init__(self, errors: dict[str, str] | str) -> None:
        self.errors = errors if isinstance(errors, dict) else {"__all__": errors}
        super().__init__("; ".join(self.errors.values()))


class NotYours(HandlingError):
    """The step belongs to other people (the API answers 403)."""


# -- who -------------------------------------------------------------------------------------


def decides(user: User, app: Application) -> bool:
    """The handling department's people and the approval service office extend and decide."""
    return in_service_office(user) or (user.is_authenticated and user.role in UNIT_ROLES
                                       and user.unit_id == app.handling_unit_id)


def pauses_clock(user: User, app: Application) -> bool:
    """Those who decide, and a department with a step in the application (it knows when it needs
    an expert review or a test), pause and resume the clock."""
    return decides(user, app) or (user.is_authenticated and user.role in UNIT_ROLES and user.unit_id is not None
                                  and StepRecord.objects.filter(application_id=app.pk,
                                                                step__department_id=user.unit_id).exists())


def _load(actor: User, application_id: int, allowed: Callable[[User, Application], bool], refusal: str) -> Application:
    app = access_application_by_id(actor, application_id)
    if not allowed(actor, app):
        raise NotYours(refusal)
    return app


def _lock(app: Application) -> Application:
    locked = Application.objects.select_for_update().select_related("version__item", "handling_unit").get(pk=app.pk)
    return locked


def _event(app: Application, kind: str, actor: User, today: date, **detail: object) -> None:
    Event.objects.create(application=app, kind=kind, actor=actor, at=timezone.now(), on=today, detail=detail)


def _text(errors: dict[str, str], name: str, value: str, missing: str) -> str:
    value = value.strip()
    if not value:
        errors[name] = missing
    elif len(value) > MAX_TEXT:
        errors[name] = _("At most %(n)d characters.") % {"n": MAX_TEXT}
    return value


def _step_units(app: Application, **states: object) -> list[int]:
    qs = StepRecord.objects.filter(application_id=app.pk, **states)
    return sorted(set(qs.values_list("step__department_id", flat=True)))


def _after_commit(fn: Callable[[], object]) -> None:
    transaction.on_commit(fn)


# -- steps -----------------------------------------------------------------------------------


def do_finish_step(*, actor: User, step_id: int, opinion: str, today: date | None = None) -> StepRecord:
    """A department's people finish its running step with their opinion (审查意见). When it was the
    last of its order in its item's flow, the next order's steps start today. A step may be
    finished while a pause runs: only the excluded period waits, not the rest of the review."""
    today = today or workcal.today()
    record = StepRecord.objects.select_related("step").filter(pk=step_id).first()
    if record is None:
        raise HandlingError({"step": _("No such step.")})
    app = access_application_by_id(actor, record.application_id)
    if not handles_steps_of(actor, record.step.department_id):
        raise NotYours(_("Only the department's own people finish its step."))
    errors: dict[str, str] = {}
    opinion = _text(errors, "opinion", opinion, _("Give the department's opinion."))
    if errors:
        raise HandlingError(errors)
    with transaction.atomic():
        # the application's row serialises parallel steps: the last one finished starts the next order
        app = _lock(app)
        if app.state not in ACCEPTED_STATES:
            raise HandlingError(_("The application is not being handled: it is %(state)s.")
                                % {"state": app.get_state_display()})
        if StepRecord.objects.filter(pk=record.pk, state=StepState.RUNNING).update(
                state=StepState.DONE, finished_on=today, opinion=opinion, handled_by=actor) != 1:
            raise HandlingError(_("This step is not running: it has not started or is done already."))
        started = _start_next(app, record, today)
        _event(app, "step_done", actor, today, step=record.pk, department=record.step.department_id,
               action=record.step.action, opinion=opinion, started=[s.pk for s in started])
        publish_status(app, today)
        Application.objects.filter(pk=app.pk, state__in=ACCEPTED_STATES).update(next_check_on=today)
        all_done = not StepRecord.objects.filter(application_id=app.pk).exclude(state=StepState.DONE).exists()
    number = app.receipt_number
    messages = [(unit_id, _("Application %(n)s: your step has started") % {"n": number},
                 _("%(actions)s. The step's clock runs from %(day)s.") % {
                     "actions": "; ".join(s.step.action for s in started if s.step.department_id == unit_id),
                     "day": today.isoformat()})
                for unit_id in sorted({s.step.department_id for s in started})]
    if all_done:
        messages += [(unit_id, _("Application %(n)s: ready for a decision") % {"n": number},
                      _("Every department's step is done; the decision can be made."))
                     for unit_id in _deciding_units(app)]
    if messages:
        _after_commit(lambda: notify_units_apart(messages))
    record.refresh_from_db()
    return record


def _start_next(app: Application, done: StepRecord, today: date) -> list[StepRecord]:
    version_id = done.step.version_id
    same = StepRecord.objects.filter(application_id=app.pk, step__version_id=version_id)
    if same.filter(step__order=done.step.order).exclude(state=StepState.DONE).exists():
        return []
    nxt = same.filter(state=StepState.WAITING, step__order__gt=done.step.order).order_by("step__order").first()
    if nxt is None:
        return []
    order = nxt.step.order
    waiting = list(same.filter(state=StepState.WAITING, step__order=order).select_related("step"))
    StepRecord.objects.filter(pk__in=[s.pk for s in waiting], state=StepState.WAITING).update(
        state=StepState.RUNNING, started_on=today)
    return waiting


def _deciding_units(app: Application) -> list[int]:
    unit = service_unit()
    return sorted({app.handling_unit_id, *([unit.pk] if unit else [])})


# -- pauses (art. 45) ------------------------------------------------------------------------


def pause_effect(app: Application, reason: str = "", expected_days: int | None = None) -> str:
    """What pausing does; without a reason and days (on the form, before they are chosen) in
    general words."""
    if not reason or expected_days is None:
        return _("Stops the decision clock of %(n)s for the period chosen (art. 45); the written notice to the "
                 "applicant is recorded, and the due date is known again only when the clock resumes.") % {
            "n": app.receipt_number}
    label = dict(PauseReason.choices).get(reason, reason)
    return _("Stops the decision clock of %(n)s for %(reason)s (art. 45), expected to take %(days)d working days; "
             "the written notice to the applicant is recorded, and the due date is known again only when the clock "
             "resumes.") % {"n": app.receipt_number, "reason": label, "days": expected_days}


def do_start_pause(*, actor: User, application_id: int, reason: str, expected_days: int | None, notice_text: str,
                   confirm: bool, today: date | None = None) -> Pause:
    """Stop the clock for a period art. 45 excludes (听证, 招标, 拍卖, 检验, 检测, 检疫, 鉴定, 专家评审),
    recording the written notice telling the applicant how long it needs."""
    today = today or workcal.today()
    app = _load(actor, application_id, pauses_clock,
                _("Only the handling department, a department with a step in it or the approval service office "
                  "pauses the clock."))
    errors: dict[str, str] = {}
    if reason not in PauseReason.values:
        errors["reason"] = _("Only a period the law excludes stops the clock (art. 45): %(choices)s.") % {
            "choices": ", ".join(str(label) for _v, label in PauseReason.choices)}
    if expected_days is None or not 1 <= expected_days <= MAX_PAUSE_DAYS:
        errors["expected_days"] = _("Give the working days it is expected to take, 1 to %(n)d; the applicant is "
                                    "told.") % {"n": MAX_PAUSE_DAYS}
    notice_text = _text(errors, "notice_text", notice_text,
                        _("Record the written notice to the applicant: the law stops the clock only once the "
                          "applicant is told in writing how long it needs."))
    if errors:
        raise HandlingError(errors)
    assert expected_days is not None
    if not confirm:
        raise HandlingError({"confirm": pause_effect(app, reason, expected_days)})
    with transaction.atomic():
        app = _lock(app)
        if app.state == ApplicationState.PAUSED:
            raise HandlingError(_("The clock is paused already; resume it before starting another pause."))
        if app.state != ApplicationState.ACCEPTED:
            raise HandlingError(_("Only an accepted application's clock can be paused; this one is %(state)s.")
                                % {"state": app.get_state_display()})
        assert app.accepted_on is not None
        if today < app.accepted_on:
            raise HandlingError(_("The clock starts after acceptance on %(day)s.") % {"day": app.accepted_on})
        pause = Pause.objects.create(application=app, reason=reason, started_on=today, expected_days=expected_days,
                                     notice_text=notice_text, started_by=actor)
        Application.objects.filter(pk=app.pk).update(state=ApplicationState.PAUSED, next_check_on=today)
        _event(app, "pause", actor, today, pause=pause.pk, reason=reason, expected_days=expected_days,
               notice_text=notice_text)
        publish_status(app, today)
    _tell_clock(app, actor, _("Application %(n)s: the clock is paused") % {"n": app.receipt_number},
                _("%(reason)s, expected %(days)d working days, from %(day)s. The applicant's written notice: %(text)s")
                % {"reason": pause.get_reason_display(), "days": expected_days, "day": today.isoformat(),
                   "text": notice_text})
    return pause


def do_end_pause(*, actor: User, application_id: int, note: str = "", today: date | None = None) -> Pause:
    """The excluded period is over: the clock runs again from the next working day."""
    today = today or workcal.today()
    app = _load(actor, application_id, pauses_clock,
                _("Only the handling department, a department with a step in it or the approval service office "
                  "resumes the clock."))
    note = note.strip()[:MAX_TEXT]
    with transaction.atomic():
        app = _lock(app)
        pause = Pause.objects.select_for_update().filter(application=app, ended_on__isnull=True).first()
        if app.state != ApplicationState.PAUSED or pause is None:
            raise HandlingError(_("The clock is not paused."))
        if today < pause.started_on:
            raise HandlingError(_("The pause began on %(day)s.") % {"day": pause.started_on})
        Pause.objects.filter(pk=pause.pk, ended_on__isnull=True).update(ended_on=today)
        Application.objects.filter(pk=app.pk, state=ApplicationState.PAUSED).update(
            state=ApplicationState.ACCEPTED, next_check_on=today)
        pause.refresh_from_db()
        app.refresh_from_db()
        clock = clock_of(app, today)
        assert clock is not None
        _event(app, "resume", actor, today, pause=pause.pk, note=note, paused_workdays=clock.statutory.paused,
               due=clock.due.isoformat() if clock.due else None)
        publish_status(app, today)
    _tell_clock(app, actor, _("Application %(n)s: the clock runs again") % {"n": app.receipt_number},
                _("The pause for %(reason)s ended on %(day)s; due %(due)s.") % {
                    "reason": pause.get_reason_display(), "day": today.isoformat(),
                    "due": clock.due.isoformat() if clock.due else "—"})
    return pause


def _tell_clock(app: Application, actor: User, title: str, body: str) -> None:
    units = sorted({*_deciding_units(app), *_step_units(app, state=StepState.RUNNING)} - {actor.unit_id or 0})
    officer = app.first_officer_id
    _after_commit(lambda: notify_units(units, title=title, body=body))
    if officer != actor.pk:
        _after_commit(lambda: notify_people([officer], title=title, body=body))


# -- the extension (art. 42) -----------------------------------------------------------------


def extension_cap(app: Application) -> int:
    return JOINT_EXTENSION_WORKDAYS if app.joint else EXTENSION_WORKDAYS


def extension_authority(app: Application) -> str:
    if app.joint:
        return _("the head of the same-level government (art. 42 ¶2)")
    return _("the head of the organ (art. 42 ¶1)")


def extend_effect(app: Application, days: int | None = None) -> str:
    if days is None:
        return _("Extends the statutory limit of %(n)s by the working days given, at most %(cap)d, once and for "
                 "good; the reasons are told to the applicant.") % {"n": app.receipt_number, "cap": extension_cap(app)}
    return _("Extends the statutory limit of %(n)s by %(days)d working days, once and for good; the reasons are "
             "told to the applicant.") % {"n": app.receipt_number, "days": days}


def do_extend(*, actor: User, application_id: int, days: int | None, reason: str, approved_by: str,
              approved_on: date | None, confirm: bool, today: date | None = None) -> Application:
    """Extend the decision period once, by at most 10 working days (joint 15), with the approval
    of the named authority given while the statutory period still ran."""
    today = today or workcal.today()
    app = _load(actor, application_id, decides,
                _("Only the handling department or the approval service office records an extension."))
    cap = extension_cap(app)
    errors: dict[str, str] = {}
    if days is None or not 1 <= days <= cap:
        errors["days"] = _("At most %(n)d working days (art. 42), at least 1.") % {"n": cap}
    reason = _text(errors, "reason", reason, _("Give the reasons; the applicant is told them."))
    approved_by = approved_by.strip()
    if not approved_by:
        errors["approved_by"] = _("Name who approved it: %(who)s.") % {"who": extension_authority(app)}
    elif len(approved_by) > 100:
        errors["approved_by"] = _("At most %(n)d characters.") % {"n": 100}
    if approved_on is None:
        errors["approved_on"] = _("Give the day it was approved.")
    elif approved_on > today:
        errors["approved_on"] = _("The approval cannot be dated after today.")
    elif app.accepted_on is None or approved_on < app.accepted_on:
        errors["approved_on"] = _("The approval cannot be dated before acceptance.")
    if errors:
        raise HandlingError(errors)
    assert days is not None and approved_on is not None
    if not confirm:
        raise HandlingError({"confirm": extend_effect(app, days)})
    with transaction.atomic():
        app = _lock(app)
        if app.state not in ACCEPTED_STATES:
            raise HandlingError(_("Only an application being handled can be extended; this one is %(state)s.")
                                % {"state": app.get_state_display()})
        if app.extension_days or Event.objects.filter(application=app, kind="extend").exists():
            raise HandlingError(_("The period was extended already; the law allows it once."))
        for day, field in ((approved_on, "approved_on"), (today, "__all__")):
            clock = clock_of(app, day)
            assert clock is not None
            if clock.statutory.overdue:
                raise HandlingError({field: _("The statutory period ended on %(due)s: an extension must be approved "
                                              "and recorded before it ends.") % {"due": clock.due or "—"}})
        Application.objects.filter(pk=app.pk).update(
            extension_days=days, extension_reason=reason, extension_approved_by=approved_by,
            extension_approved_on=approved_on, next_check_on=today)
        app.refresh_from_db()
        clock = clock_of(app, today)
        assert clock is not None
        _event(app, "extend", actor, today, days=days, reason=reason, approved_by=approved_by,
               approved_on=approved_on.isoformat(), notice=reason,
               due=clock.due.isoformat() if clock.due else None)
        publish_status(app, today)
    _tell_clock(app, actor, _("Application %(n)s: the period is extended") % {"n": app.receipt_number},
                _("+%(days)d working days, approved by %(who)s on %(day)s; due %(due)s. Tell the applicant the "
                  "reasons: %(reason)s") % {"days": days, "who": approved_by, "day": approved_on.isoformat(),
                                            "due": clock.due.isoformat() if clock.due else "—", "reason": reason})
    return app


# -- the decision (art. 38) ------------------------------------------------------------------


def decide_effect(app: Application, grant: bool) -> str:
    if grant:
        return _("Grants the licence for %(n)s: the licensing decision is numbered, issued to the applicant and "
                 "cannot be taken back here.") % {"n": app.receipt_number}
    return _("Refuses the licence for %(n)s: the decision with its reasons and the applicant's right to "
             "administrative reconsideration (60 days) and litigation (6 months) is numbered, issued to the "
             "applicant and cannot be taken back here.") % {"n": app.receipt_number}


def steps_not_done(app: Application) -> list[StepRecord]:
    return list(StepRecord.objects.filter(application_id=app.pk).exclude(state=StepState.DONE)
                .select_related("step__department").order_by("step__version_id", "step__order", "id"))


def do_decide(*, actor: User, application_id: int, grant: bool, reasons: str, confirm: bool,
              today: date | None = None) -> Document:
    """准予 or 不予行政许可, once every step is done and no pause runs; the decision's document is
    numbered from the register. A refusal needs its reasons (art. 38 ¶2)."""
    today = today or workcal.today()
    app = _load(actor, application_id, decides,
                _("Only the handling department or the approval service office decides."))
    errors: dict[str, str] = {}
    reasons = reasons.strip()
    if not grant and not reasons:
        errors["reasons"] = _("A refusal states its reasons (art. 38).")
    elif len(reasons) > MAX_TEXT:
        errors["reasons"] = _("At most %(n)d characters.") % {"n": MAX_TEXT}
    if errors:
        raise HandlingError(errors)
    if not confirm:
        raise HandlingError({"confirm": decide_effect(app, grant)})
    state = ApplicationState.GRANTED if grant else ApplicationState.REFUSED
    with transaction.atomic():
        app = _lock(app)
        if app.state == ApplicationState.PAUSED:
            raise HandlingError(_("The clock is paused: resume it when the excluded period is over, then decide."))
        if app.state != ApplicationState.ACCEPTED:
            raise HandlingError(_("Only an accepted application is decided; this one is %(state)s.")
                                % {"state": app.get_state_display()})
        waiting = steps_not_done(app)
        if waiting:
            raise HandlingError(_("Not every step is done: %(steps)s.") % {"steps": "; ".join(
                f"{s.step.department.name} · {s.step.action} ({s.get_state_display()})" for s in waiting)})
        if Application.objects.filter(Q(pk=app.pk) & Q(state=ApplicationState.ACCEPTED)).update(
                state=state, decided_on=today, decision_reason=reasons, next_check_on=None) != 1:
            raise HandlingError(_("The application was decided already."))
        app.refresh_from_db()
        clock = clock_of(app, today)
        document = issue_decision(app, today=today)
        _event(app, "decide", actor, today, grant=grant, reasons=reasons, document=document.pk,
               number=document.number, used=clock.statutory.used if clock else None,
               overdue=clock.statutory.overdue if clock else None)
        publish_status(app, today)
    title = (_("Application %(n)s granted") if grant else _("Application %(n)s refused")) % {"n": app.receipt_number}
    body = _("Decision %(number)s of %(day)s. Deliver it to the applicant.") % {
        "number": document.number, "day": today.isoformat()}
    units = sorted({*_deciding_units(app), *_step_units(app)} - {actor.unit_id or 0})
    officer = app.first_officer_id
    _after_commit(lambda: notify_units(units, title=title, body=body))
    if officer != actor.pk:
        _after_commit(lambda: notify_people([officer], title=title, body=body))
    return document
