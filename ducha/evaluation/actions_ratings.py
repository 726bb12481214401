"""Entering rated inputs (S6.1, S1.3): a city leader rates the units in their scope for a period;
the performance office enters a third party's or the public's evaluation with its source named,
typed in or read from an Excel file (all rows or none, with a report of each bad row)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import IO

from django.db import transaction
from django.utils.translation import gettext as _

from ducha.audit.api import record as audit
from ducha.evaluation.access import rates_units, runs_evaluation
from ducha.evaluation.actions import EvaluationError, NotYours
from ducha.evaluation.models import Rating
from ducha.org.models import Unit, User
from ducha.org.roles import Role
from ducha.rules.periods import Period

LEADER = "leader_rating"
ENTERED = ("external_rating", "public_rating", "provincial_honours")
MAX_VALUE = Decimal(100)


@dataclass(frozen=True)
class RatingEntry:
    unit_id: int
    value: str  # as typed: checked here


def _period(key: str) -> Period:
    try:
        period = Period.parse(key.strip())
    except ValueError:
        period = None
    if period is None or period.kind not in ("quarter", "year"):
        raise EvaluationError({"period": _("Name a quarter or a year, e.g. 2026-Q3 or 2026.")})
    return period


def _value(text: str) -> Decimal | None:
    try:
        value = Decimal(text.strip())
    except (InvalidOperation, AttributeError):
        return None
    return value if value.is_finite() and 0 <= value <= MAX_VALUE else None


def do_enter_ratings(*, actor: User, period_key: str, source: str, entries: list[RatingEntry],
                     origin: str = "") -> int:
    """Record ratings of 0–100 (blank entries are skipped); a leader rates the units in scope, the
    performance office enters the others with where they come from. All or nothing."""
    period = _period(period_key)
    if source == LEADER:
        if actor.role != Role.LEADER:
            raise NotYours(_("Leaders rate the units in their scope."))
        allowed = set(rates_units(actor).values_list("pk", flat=True))
    elif source in ENTERED:
        if not runs_evaluation(actor):
            raise NotYours(_("The performance office enters third-party and public evaluations."))
        # A provincial honour is named by its origin: one entry per honour, summed per unit.
        if not origin.strip() or len(origin) > 120:
            raise EvaluationError({"origin": _("Name where the evaluation comes from (at most 120 characters).")})
        allowed = set(Unit.objects.filter(is_active=True).values_list("pk", flat=True))
    else:
        raise EvaluationError({"source": _("Choose one of: %(choices)s.") % {"choices": ", ".join((LEADER, *ENTERED))}})
    errors: dict[str, str] = {}
    rows: list[tuple[int, Decimal]] = []
    for e in entries:
        if not e.value.strip():
            continue
        value = _value(e.value)
        if e.unit_id not in allowed:
            errors[f"unit-{e.unit_id}"] = _("Unit %(id)s is not one you may rate.") % {"id": e.unit_id}
        elif value is None:
            errors[f"unit-{e.unit_id}"] = _("%(value)s is not a score from 0 to 100.") % {"value": e.value}
        else:
            rows.append((e.unit_id, value))
    if not rows and not errors:
        errors["entries"] = _("Enter at least one score.")
    if errors:
        raise EvaluationError(errors)
    rater = actor if source == LEADER else None
    with transaction.atomic():
        Rating.objects.bulk_create([Rating(period=period.key, source=source, unit_id=u, rater=rater,
                                           origin=origin.strip(), value=v, entered_by=actor) for u, v in rows])
        audit(actor=actor, action="evaluation.ratings", obj_type="evaluation.Rating", obj_id=None, before=None,
              after={"period": period.key, "source": source, "units": [u for u, _v in rows], "origin": origin})
    return len(rows)


def read_rating_file(handle: IO[bytes]) -> tuple[list[RatingEntry], list[str]]:
    """Rows of an .xlsx file: unit code or name in the first column, score in the second; the
    first row is a header. Returns the entries and a message per bad row (nothing is written)."""
    from openpyxl import load_workbook

    try:
        sheet = load_workbook(handle, read_only=True, data_only=True).worksheets[0]
    except Exception:  # openpyxl raises several kinds for a file that is not a workbook
        return [], [_("The file is not an Excel workbook (.xlsx).")]
    units = {u.code: u.pk for u in Unit.objects.filter(is_active=True)}
    units.update({u.name: u.pk for u in Unit.objects.filter(is_active=True)})
    entries: list[RatingEntry] = []
    problems: list[str] = []
    for n, row in enumerate(sheet.iter_rows(min_row=2, values_only=True), start=2):
        if not row or all(c in (None, "") for c in row):
            continue
        name, value = (str(row[0]).strip() if row[0] is not None else ""), row[1] if len(row) > 1 else None
        if name not in units:
            problems.append(_("Row %(n)d: no unit %(name)s.") % {"n": n, "name": name or "—"})
            continue
        text = "" if value is None else str(value)
        if _value(text) is None:
            problems.append(_("Row %(n)d: %(value)s is not a score from 0 to 100.") % {"n": n, "value": text or "—"})
            continue
        entries.append(RatingEntry(units[name], text))
    return entries, problems
