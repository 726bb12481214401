"""Electronic supervision's periodic pass (电子监察, S3.3), run by ``ducha worker``.

A claim loop over ``Application.next_check_on`` (partial index ``approval_app_next_check``), the
shape of the reminder scan: each batch is one transaction that claims its rows (``FOR UPDATE
SKIP LOCKED`` on PostgreSQL, so any number of workers split them; on SQLite the IMMEDIATE
transaction serialises the workers), and for each application:

- received and past its materials check (art. 32, five working days) with neither notice nor
  acceptance: accepted by law as of the day the materials came in (``actions_intake.do_deem_accepted``,
  idempotent, which judges the check's last day itself);
- accepted or paused: the promised clock of the application and the clock of each running step
  (``clock.py``) against ``card_for``: a yellow card at ``DUCHA_APPROVAL_YELLOW_SHARE`` of the
  limit, a red one past it, each issued once per application (or step) and colour — the unique constraints on
  ``Card`` are the last word when two workers meet — to the department concerned, which hears
  of it with the approval service office, after the commit;
- the next day something can change: the day after the check's last day for a received
  application, the next working day for one accepted or paused; none while the applicant
  completes the materials (the window schedules it again) or once it has ended.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils.translation import gettext as _

from ducha.approvals.access import service_unit
from ducha.approvals.actions_intake import do_deem_accepted
from ducha.approvals.clock import clock_of, step_clock
from ducha.approvals.intake import check_deadline_of
from ducha.approvals.models import Application, ApplicationState, Card, CardColour, StepRecord, StepState
from ducha.inbox.notify import notify_units_apart
from ducha.rules.approvals import Clock, Pause, card_for
from ducha.rules.workdays import UncoveredYear, WorkCalendar
from ducha.workcal import service as workcal

log = logging.getLogger("ducha.approvals")

BATCH = 500
RUNNING = (ApplicationState.ACCEPTED, ApplicationState.PAUSED)


@dataclass
class Figures:
    checked: int = 0
    yellow: int = 0
    red: int = 0
    deemed: int = 0

    def as_dict(self) -> dict[str, int]:
        return {"checked": self.checked, "yellow": self.yellow, "red": self.red, "deemed": self.deemed}


# -- the clocks --------------------------------------------------------------------------------


def _pauses(app: Application) -> list[Pause]:
    return [Pause(p.started_on, p.ended_on) for p in app.pauses.all()]


# -- the pass ------------------------------------------------------------------------------------


def _claim(today: date, batch_size: int) -> list[int]:
    qs = Application.objects.filter(next_check_on__lte=today).order_by("next_check_on", "id")
    if connection.features.has_select_for_update_skip_locked:
        qs = qs.select_for_update(skip_locked=True, of=("self",))
    return list(qs.values_list("id", flat=True)[:batch_size])


def _next_check(cal: WorkCalendar, app: Application, today: date) -> date | None:
    if app.state in (ApplicationState.RECEIVED, ApplicationState.NOTIFIED):
        # accepted by law from the day after the check's last day (art. 32), holiday or not;
        # nothing runs while the applicant completes the materials (the window looks again then)
        deadline = check_deadline_of(app)
        return None if deadline is None else max(deadline, today) + timedelta(days=1)
    if app.state in RUNNING:
        return cal.add_workdays(today, 1)
    return None


@dataclass(frozen=True)
class _Due:
    app: Application
    step: StepRecord | None
    colour: str
    clock: Clock

    @property
    def unit_id(self) -> int:
        return self.step.step.department_id if self.step else self.app.handling_unit_id


def _dues(app: Application, steps: list[StepRecord], today: date, share: float) -> list[_Due]:
    if app.state not in RUNNING:
        return []
    out: list[_Due] = []
    pauses = _pauses(app)
    clocks = clock_of(app, today, pauses=pauses)
    if clocks is not None:
        # the promised limit (承诺时限), the extension approved by law included (clock.py)
        clock = clocks.promised
        colour = card_for(clock.limit, clock.used, share)
        if colour != "green":
            out.append(_Due(app, None, colour, clock))
    for step in steps:
        sc = step_clock(step, today, pauses=pauses)
        if sc is not None and (colour := card_for(sc.limit, sc.used, share)) != "green":
            out.append(_Due(app, step, colour, sc))
    return out


def _issue(due: _Due, today: date) -> Card | None:
    """The card, or None when it was issued before (by this pass or another worker)."""
    try:
        with transaction.atomic():
            card, created = Card.objects.get_or_create(
                application=due.app, step=due.step, colour=due.colour,
                defaults={"unit_id": due.unit_id, "issued_on": today, "limit_days": due.clock.limit,
                          "used_days": max(0, due.clock.used)})
    except IntegrityError:  # another worker's insert won between our read and our write
        return None
    return card if created else None


def _message(card: Card, app: Application, step: StepRecord | None) -> tuple[str, str]:
    what = _("Red card") if card.colour == CardColour.RED else _("Yellow card")
    title = _("%(card)s: application %(number)s") % {"card": what, "number": app.receipt_number}
    body = _("%(item)s, %(applicant)s: %(used)d of %(limit)d working days used.") % {
        "item": app.version.name, "applicant": app.applicant_name, "used": card.used_days,
        "limit": card.limit_days}
    if step is not None:
        body = _("Step %(order)d, %(action)s: %(rest)s") % {"order": step.step.order, "action": step.step.action,
                                                             "rest": body}
    return title, body


def _batch(today: date, cal: WorkCalendar, batch_size: int, figures: Figures) -> int:
    share = float(settings.DUCHA_APPROVAL_YELLOW_SHARE)
    office = service_unit()
    with transaction.atomic():
        ids = _claim(today, batch_size)
        if not ids:
            return 0
        apps = {a.pk: a for a in Application.objects.filter(pk__in=ids).select_related("version")
                .prefetch_related("pauses")}
        for app_id in ids:
            app = apps[app_id]
            if app.state == ApplicationState.RECEIVED and do_deem_accepted(application_id=app_id, today=today):
                figures.deemed += 1
                apps[app_id] = (Application.objects.select_related("version").prefetch_related("pauses")
                                .get(pk=app_id))
        steps = (StepRecord.objects.filter(application_id__in=ids, state=StepState.RUNNING)
                 .select_related("step"))
        by_app: dict[int, list[StepRecord]] = {}
        for s in steps:
            by_app.setdefault(s.application_id, []).append(s)
        messages: list[tuple[int, str, str, str]] = []
        for app in apps.values():
            for due in _dues(app, by_app.get(app.pk, []), today, share):
                card = _issue(due, today)
                if card is None:
                    continue
                if card.colour == CardColour.RED:
                    figures.red += 1
                else:
                    figures.yellow += 1
                title, body = _message(card, app, due.step)
                for unit_id in {card.unit_id, office.pk if office else card.unit_id}:
                    messages.append((unit_id, title, body, card.colour))
            app.next_check_on = _next_check(cal, app, today)
        Application.objects.bulk_update(list(apps.values()), ["next_check_on"])
        figures.checked += len(ids)
        if messages:
            transaction.on_commit(lambda: _tell(messages))
    return len(ids)


def _tell(messages: list[tuple[int, str, str, str]]) -> None:
    for light in (CardColour.YELLOW, CardColour.RED):
        chosen = [(u, t, b) for u, t, b, c in messages if c == light]
        if chosen:
            notify_units_apart(chosen, light=light)


def supervise(*, today: date | None = None, batch_size: int = BATCH, max_batches: int | None = None,
              should_stop: Callable[[], bool] = lambda: False) -> dict[str, int]:
    """Every application whose check day has come, in batches, until none is left (or
    ``max_batches``, or a stop request between batches). Returns the figures by name."""
    figures = Figures()
    today = today or workcal.today()
    # A quiet pass (the usual one) costs one indexed statement.
    if not Application.objects.filter(next_check_on__lte=today).exists():
        return figures.as_dict()
    try:
        cal = workcal.get_calendar()
    except workcal.CalendarEmpty:
        log.warning("approval supervision: no working-day calendar is loaded")
        return figures.as_dict()
    done = 0
    while max_batches is None or done < max_batches:
        try:
            n = _batch(today, cal, batch_size, figures)
        except UncoveredYear as e:
            log.warning("approval supervision: the calendar does not cover %s", e)
            break
        done += 1
        if n < batch_size or should_stop():
            break
    return figures.as_dict()


def run_pass(should_stop: Callable[[], bool]) -> dict[str, int]:
    """The worker's entry (``reminders.passes``)."""
    return supervise(should_stop=should_stop)
