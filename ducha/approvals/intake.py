"""What the window reads about an application before 受理 (S3.3; 行政许可法 art. 32).

The materials check has a clock of its own, separate from the decision clock that starts at
受理: five working days from the day the materials came in (``rules.approvals.check_deadline``).

- First check: from the day of receipt. With neither a notice nor acceptance by its last day
  the application is accepted by law *as of the day of receipt*.
- After a one-time notice the applicant's turn comes: no clock runs on the organ until every
  material the notice named has been handed in again. The check of the 补正 then runs five
  working days from the day the last of them came in — the day the local case-file standard
  (reference §2.1) makes the acceptance date — and a missed check is acceptance by law as of
  that day, art. 32 read on the materials received by 补正.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.db.models import BigIntegerField, Max, QuerySet
from django.db.models.functions import Cast, Substr
from django.utils import timezone
from django.utils.translation import gettext as _

from ducha.approvals.access import in_service_office, service_unit
from ducha.approvals.models import (
    Application,
    ApplicationMaterial,
    ApplicationState,
    Event,
    MaterialState,
    Notice,
)
from ducha.documents.register import take_document_number
from ducha.org.models import User
from ducha.org.roles import UNIT_ROLES
from ducha.rules.approvals import check_deadline
from ducha.workcal.service import get_calendar

__all__ = ["CheckClock", "IntakeError", "NotYours", "add_event", "check_clock", "check_deadline_of", "last_notice",
           "locked", "move_state", "named_in", "next_receipt_number", "submitted_after", "window_officers",
           "works_the_window"]

SUBMITTED = "materials_submitted"


def works_the_window(user: User) -> bool:
    """The approval service office's people run the windows (收件, check, notice, 受理)."""
    return in_service_office(user)


def window_officers() -> QuerySet[User]:
    unit = service_unit()
    if unit is None:
        return User.objects.none()
    return User.objects.filter(unit=unit, role__in=sorted(UNIT_ROLES), is_active=True).order_by("name", "id")


def last_notice(app: Application) -> Notice | None:
    return Notice.objects.filter(application_id=app.pk).order_by("-sequence").first()


def named_in(notice: Notice) -> set[int]:
    """The catalogue material ids a notice named."""
    return {int(i["material"]) for i in notice.items}


def submitted_after(app: Application, sequence: int) -> set[int]:
    """Material ids handed in after notice ``sequence`` (0: before any notice)."""
    out: set[int] = set()
    for detail in Event.objects.filter(application_id=app.pk, kind=SUBMITTED).values_list("detail", flat=True):
        if int(detail.get("notice", 0)) == sequence:
            out.update(int(m) for m in detail.get("materials", []))
    return out


@dataclass(frozen=True)
class CheckClock:
    """Where the materials check stands."""

    start: date | None  # the day the materials under check came in; None: the applicant's turn
    deadline: date | None  # the last day for a notice or 受理
    after_notice: int  # the sequence of the notice being answered, 0 for the first check

    def words(self) -> str:
        if self.start is None or self.deadline is None:
            return _("Waiting for the applicant to hand in what the notice named; no clock runs on the window.")
        if self.after_notice:
            return _("Materials completed on %(start)s: a notice on them is due by %(deadline)s, else the "
                     "application is accepted by law as of %(start)s (art. 32).") % {
                "start": self.start.isoformat(), "deadline": self.deadline.isoformat()}
        return _("Notice due by %(deadline)s, else accepted by law as of %(start)s (art. 32).") % {
            "start": self.start.isoformat(), "deadline": self.deadline.isoformat()}


def check_clock(app: Application) -> CheckClock:
    """The check's start and last day for an application under check or waiting for 补正; for
    one that has moved on, where the check stood when it ended."""
    notice = last_notice(app)
    if notice is None:
        return CheckClock(app.received_on, check_deadline(get_calendar(), app.received_on), 0)
    named = named_in(notice)
    if not named <= submitted_after(app, notice.sequence):
        return CheckClock(None, None, notice.sequence)
    days = [d for d in ApplicationMaterial.objects.filter(application_id=app.pk, material_id__in=named)
            .values_list("submitted_on", flat=True) if d is not None]
    start = max(days) if days else notice.given_on
    return CheckClock(start, check_deadline(get_calendar(), start), notice.sequence)


def check_deadline_of(app: Application) -> date | None:
    """The last day of the running materials check; None when none runs."""
    if app.state not in (ApplicationState.RECEIVED, ApplicationState.NOTIFIED):
        return None
    return check_clock(app).deadline


def problems(app: Application) -> list[ApplicationMaterial]:
    """The required materials the check found missing or wrong, in the list's order."""
    return list(ApplicationMaterial.objects.filter(
        application_id=app.pk, material__required=True, state__in=[MaterialState.MISSING, MaterialState.WRONG])
        .select_related("material").order_by("material__position", "id"))


def unchecked(app: Application) -> list[ApplicationMaterial]:
    """Materials still to check: every required one, and an optional one that was handed in."""
    rows = ApplicationMaterial.objects.filter(application_id=app.pk, state=MaterialState.PENDING) \
        .select_related("material").order_by("material__position", "id")
    return [r for r in rows if r.material.required or r.submitted_on is not None]


# -- what the window's writes share --------------------------------------------------------------


class IntakeError(ValueError):
    """Bad input or a step not allowed now; ``errors`` maps field names to messages."""

    def __init__(self, errors: dict[str, str] | str) -> None:
        self.errors = errors if isinstance(errors, dict) else {"__all__": errors}
        super().__init__("; ".join(self.errors.values()))


class NotYours(IntakeError):
    """The step belongs to the window (the API answers 403)."""


def window_only(actor: User) -> None:
    if not works_the_window(actor):
        raise NotYours(_("Only the approval service office's window staff do this."))


def locked(application_id: int) -> Application:
    """The application's row, locked for the step (inside its transaction)."""
    app = (Application.objects.select_for_update().select_related("version__item", "handling_unit", "first_officer")
           .filter(pk=application_id).first())
    if app is None:
        raise IntakeError(_("No application with id %(id)s.") % {"id": application_id})
    return app


def move_state(app: Application, frm: Iterable[str], **values: object) -> None:
    """The guarded UPDATE of a state step; refused when someone else moved it first."""
    if Application.objects.filter(pk=app.pk, state__in=list(frm)).update(**values) != 1:
        raise IntakeError(_("The application has changed meanwhile; look at it again."))
    for k, v in values.items():
        setattr(app, k, v)


def add_event(app: Application, kind: str, actor: User | None, on: date, **detail: object) -> Event:
    return Event.objects.create(application=app, kind=kind, actor=actor, at=timezone.now(), on=on, detail=detail)


def names_of(rows: Iterable[ApplicationMaterial]) -> str:
    return "、".join(r.material.name for r in rows)


def _highest_receipt(prefix: str, year: int) -> int:
    head = f"{prefix}{year}-"
    top = (Application.objects.filter(receipt_number__regex=rf"^{re.escape(head)}[0-9]+$")
           .aggregate(top=Max(Cast(Substr("receipt_number", len(head) + 1), BigIntegerField())))["top"])
    return int(top or 0)


def next_receipt_number(year: int) -> str:
    """收件编号 SP2026-000123: the prefix, the year and the year's next number from the one
    register (concurrent windows queue on its row). Call inside the transaction that creates
    the application; a year's register row starts after any number already given."""
    prefix = settings.DUCHA_APPROVAL_RECEIPT_PREFIX
    seq = take_document_number(prefix, year, floor=lambda: _highest_receipt(prefix, year))
    return f"{prefix}{year}-{seq:06d}"
