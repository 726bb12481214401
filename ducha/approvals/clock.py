"""An accepted application's clocks, computed from its facts (S3.3, S3.4; 行政许可法 arts. 42, 45).

Two clocks run from the working day after 受理, each ``rules.approvals.decision_clock`` over the
application's pauses and stopped on the day of the decision:

- **the statutory clock** (法定时限, art. 42): the item's statutory limit, or 45 working days for
  joint handling (art. 42 ¶2), plus the approved extension (+10, joint +15);
- **the promised clock** (承诺时限): the shorter limit the catalogue publishes; for joint handling
  the longest promise among the items reviewed together, since they are reviewed in parallel,
  never above 45.

The approved extension counts on both clocks. It is lawful (art. 42: approved by the organ head,
or the same-level government for joint handling, with the reasons told to the applicant), and
electronic supervision's cards count against the department in the evaluation: a case handled
within an extension the law allows must not go red for it. It stays visible: every answer gives
the extension apart from the limit. Excluded periods (art. 45) count on both as well: the
applicant was told in writing that the time they take does not run.

A step's clock runs from the day its order started, for its limit, with the part of any pause
that falls inside it excluded, stopped on the day it was finished.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.utils.translation import gettext as _

from ducha.approvals.models import Application, ItemVersion, StepRecord
from ducha.approvals.models import Pause as PauseRow
from ducha.rules.approvals import JOINT_LIMIT_WORKDAYS, Clock, Pause, decision_clock
from ducha.workcal.service import get_calendar

__all__ = ["ApplicationClock", "StepClock", "clock_fields", "clock_of", "joint_versions", "limits_of",
           "step_clock", "step_clocks"]


@dataclass(frozen=True)
class ApplicationClock:
    """Both clocks of an accepted application on ``today``, and what they were computed from."""

    statutory: Clock
    promised: Clock
    statutory_days: int  # the limit before any extension
    promised_days: int
    joint: bool
    decided_on: date | None

    @property
    def due(self) -> date | None:
        return self.statutory.due

    def explanation(self) -> str:
        """How the due day was computed, in words with the numbers."""
        c, p = self.statutory, self.promised
        numbers = {"accepted": c.accepted.isoformat(), "limit": self.statutory_days, "paused": c.paused,
                   "ext": c.extension, "promised": self.promised_days,
                   "basis": _("joint handling, art. 42 ¶2") if self.joint else _("statutory limit, art. 42")}
        if c.due is None or p.due is None:
            return _("Accepted on %(accepted)s; %(limit)d working days (%(basis)s) + %(ext)d extension (art. 42); "
                     "%(paused)d working days excluded so far (art. 45): the due day is known when the pause "
                     "ends.") % numbers
        return _("%(accepted)s (accepted) + %(limit)d working days (%(basis)s) + %(paused)d excluded (art. 45) "
                 "+ %(ext)d extension (art. 42) = %(due)s; promised: %(accepted)s + %(promised)d + %(paused)d "
                 "+ %(ext)d = %(pdue)s.") % {**numbers, "due": c.due.isoformat(), "pdue": p.due.isoformat()}


@dataclass(frozen=True)
class StepClock:
    record: StepRecord
    clock: Clock | None  # None while the step waits for its order

    @property
    def overdue(self) -> bool:
        return self.clock is not None and self.clock.overdue


def joint_versions(app: Application) -> list[ItemVersion]:
    """The lead item's version first, then the other items reviewed together (for a joint
    application), each once."""
    out = [app.version]
    if app.joint:
        out += [v for v in app.members.select_related("item").order_by("item__code", "id") if v.pk != app.version_id]
    return out


def limits_of(app: Application) -> tuple[int, int]:
    """(statutory, promised) working days before any extension."""
    if not app.joint:
        return app.version.statutory_days, app.version.promised_days
    promised = max(v.promised_days for v in joint_versions(app))
    return JOINT_LIMIT_WORKDAYS, min(promised, JOINT_LIMIT_WORKDAYS)


def _pauses(app: Application) -> list[Pause]:
    return [Pause(p.started_on, p.ended_on) for p in
            PauseRow.objects.filter(application_id=app.pk).order_by("started_on", "id")]


def clock_of(app: Application, today: date, *, pauses: list[Pause] | None = None) -> ApplicationClock | None:
    """Both clocks of the application on ``today``; None when it has not been accepted (the
    decision clock has not started: 补正 comes before 受理)."""
    if app.accepted_on is None:
        return None
    cal = get_calendar()
    pauses = _pauses(app) if pauses is None else pauses
    statutory, promised = limits_of(app)
    common: dict[str, Any] = {"accepted": app.accepted_on, "today": today, "pauses": pauses,
                              "stopped": app.decided_on}
    return ApplicationClock(
        statutory=decision_clock(cal, limit=statutory, extension=app.extension_days, **common),
        promised=decision_clock(cal, limit=promised, extension=app.extension_days, **common),
        statutory_days=statutory, promised_days=promised, joint=app.joint, decided_on=app.decided_on)


def _inside(pauses: list[Pause], start: date) -> list[Pause]:
    # Only what falls after the step's start counts against its clock.
    return [Pause(max(p.start, start), p.end) for p in pauses if p.end is None or p.end > start]


def step_clock(record: StepRecord, today: date, *, pauses: list[Pause] | None = None) -> Clock | None:
    """A step's clock: its limit from the day it started, the pauses inside it excluded,
    stopped on the day it was finished; None while it waits."""
    if record.started_on is None:
        return None
    pauses = _pauses(record.application) if pauses is None else pauses
    return decision_clock(get_calendar(), accepted=record.started_on, limit=record.step.limit_days, today=today,
                          pauses=_inside(pauses, record.started_on), stopped=record.finished_on)


def step_clocks(app: Application, today: date, *, pauses: list[Pause] | None = None) -> list[StepClock]:
    pauses = _pauses(app) if pauses is None else pauses
    records = StepRecord.objects.filter(application_id=app.pk).select_related(
        "step__department", "step__version__item", "handled_by").order_by("step__version_id", "step__order", "id")
    return [StepClock(r, step_clock(r, today, pauses=pauses)) for r in records]


def _day(d: date | None) -> str | None:
    return d.isoformat() if d else None


def clock_fields(app: Application, today: date) -> dict[str, Any]:
    """What the API returns and the pages show: the dates, the counts and each step."""
    pauses = _pauses(app)
    clock = clock_of(app, today, pauses=pauses)
    steps = [{
        "id": s.record.pk, "department": {"id": s.record.step.department_id, "name": s.record.step.department.name},
        "item": s.record.step.version.item.code, "order": s.record.step.order, "action": s.record.step.action,
        "state": s.record.state, "started_on": _day(s.record.started_on), "finished_on": _day(s.record.finished_on),
        "limit": s.record.step.limit_days, "due": _day(s.clock.due) if s.clock else None,
        "used": s.clock.used if s.clock else 0, "left": s.clock.left if s.clock else s.record.step.limit_days,
        "overdue": s.overdue, "opinion": s.record.opinion,
        "handled_by": s.record.handled_by.name if s.record.handled_by else None,
    } for s in step_clocks(app, today, pauses=pauses)]
    base: dict[str, Any] = {
        "application_id": app.pk, "receipt_number": app.receipt_number, "state": app.state, "joint": app.joint,
        "today": today.isoformat(), "accepted_on": _day(app.accepted_on), "deemed_accepted": app.deemed_accepted,
        "decided_on": _day(app.decided_on), "steps": steps,
        "extension_approved_by": app.extension_approved_by, "extension_approved_on": _day(app.extension_approved_on),
        "extension_reason": app.extension_reason,
        "pauses": [{"start": p.start.isoformat(), "end": _day(p.end)} for p in pauses],
    }
    if clock is None:
        return {**base, "statutory_days": None, "promised_days": None, "limit": None, "due_date": None,
                "promised_due_date": None, "paused_workdays": 0, "extension_workdays": 0, "running_pause": False,
                "used": 0, "left": None, "promised_used": 0, "promised_left": None, "overdue": False,
                "promised_overdue": False,
                "explanation": _("Not accepted: the decision clock starts the working day after acceptance.")}
    s, p = clock.statutory, clock.promised
    return {**base, "statutory_days": clock.statutory_days, "promised_days": clock.promised_days, "limit": s.limit,
            "due_date": _day(s.due), "promised_due_date": _day(p.due), "paused_workdays": s.paused,
            "extension_workdays": s.extension, "running_pause": s.running_pause, "used": s.used, "left": s.left,
            "promised_used": p.used, "promised_left": p.left, "overdue": s.overdue, "promised_overdue": p.overdue,
            "explanation": clock.explanation()}
