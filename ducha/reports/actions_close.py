"""一月一结账 (S2.8): closing a month freezes, per unit, its three rates, how its monthly report
stood and its matter counts, as the inputs the quarter's evaluation uses and the bulletin cites.

- Only the supervision office closes a month, and only once the month's report window
  (``owed.window_of``) has closed: before then a report could still come in on time.
- A month is closed once. A correction is a new version with a reason; the earlier versions
  and their lines are kept, and every reader takes the latest (``closed_month``).
- The figures are what ``bulletin_data`` and ``month_overview`` compute on the closing day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from ducha.audit.api import record
from ducha.org.access import EVERYTHING
from ducha.org.models import User
from ducha.reports.access import can_close_month
from ducha.reports.actions import ConcurrentChange, ReportError
from ducha.reports.bulletin_data import bulletin_data
from ducha.reports.models import CloseReportStatus, MonthClose, MonthCloseLine
from ducha.reports.owed import month_overview, window_of
from ducha.rules.periods import Period
from ducha.rules.rates import Rate
from ducha.rules.reporting import Timeliness
from ducha.workcal import service as workcal

MAX_REASON = 2000

_STATUS = {
    Timeliness.ON_TIME: CloseReportStatus.ON_TIME,
    Timeliness.LATE: CloseReportStatus.LATE,
    Timeliness.MISSING: CloseReportStatus.MISSING,
}


def month_label(year: int, month: int) -> str:
    return _("%(year)d-%(month)02d") % {"year": year, "month": month}


def latest_close(year: int, month: int) -> MonthClose | None:
    return MonthClose.objects.filter(year=year, month=month).select_related("closed_by").order_by("-version").first()


def close_refusal(year: int, month: int, today: date) -> str:
    """Why the month cannot be closed on ``today`` (empty: it can)."""
    window = window_of(year, month)
    if window is None:
        return _("The calendar does not reach the report window of %(month)s yet; it cannot be closed.") % {
            "month": month_label(year, month)}
    if today <= window[1]:
        return _("The report window of %(month)s closes on %(day)s; the month is closed after that.") % {
            "month": month_label(year, month), "day": window[1].isoformat()}
    return ""


def close_effect(year: int, month: int) -> str:
    """What closing does, in the words the confirmation shows."""
    return _("Closing %(month)s freezes every unit's three rates, report status and matter counts as they stand "
             "today. The quarter's evaluation and the bulletin use these figures; a later correction is a new "
             "version with a reason, and the earlier one is kept.") % {"month": month_label(year, month)}


def unconfirmed(year: int, month: int) -> str:
    """The answer to a close that was not confirmed: nothing done, and what it would do."""
    return _("Nothing was done; confirm it first. %(effect)s") % {"effect": close_effect(year, month)}


def _pair(rate: Rate[Any]) -> tuple[int | None, int | None]:
    return (rate.done, rate.due) if rate.due else (None, None)


def do_close_month(*, actor: User, year: int, month: int, today: date | None = None, reason: str = "") -> MonthClose:
    """Close the month (version 1) or record a correction (next version, ``reason`` required)."""
    today = today or workcal.today()
    if not can_close_month(actor):
        raise ReportError(_("Only the supervision office closes a month."))
    if not 1 <= month <= 12:
        raise ReportError({"month": _("A month is 1 to 12.")})
    refusal = close_refusal(year, month, today)
    if refusal:
        raise ReportError({"month": refusal})
    reason = reason.strip()
    if len(reason) > MAX_REASON:
        raise ReportError({"reason": _("At most %(n)d characters.") % {"n": MAX_REASON}})
    previous = latest_close(year, month)
    if previous is not None and not reason:
        raise ConcurrentChange({"reason": _("%(month)s is already closed (version %(version)d); a correction needs a "
                                       "reason.") % {"month": month_label(year, month), "version": previous.version}})
    version = 1 if previous is None else previous.version + 1

    period = Period.parse(f"{year:04d}-{month:02d}")
    data = bulletin_data(period, today, use_close=False)  # the live figures, not an earlier close
    reports = {u.unit.id: u for u in month_overview(EVERYTHING, year, month, today)}
    units = {u.unit_id: u for u in data.units}
    try:
        with transaction.atomic():
            close = MonthClose.objects.create(year=year, month=month, version=version, reason=reason, as_of=today,
                                              closed_by=actor, closed_at=timezone.now())
            lines = []
            for unit_id in sorted(set(units) | set(reports)):
                figures, report = units.get(unit_id), reports.get(unit_id)
                rates = [_pair(figures.rates.get(k)) if figures else (None, None)
                         for k in ("execution", "reporting", "rectification")]
                lines.append(MonthCloseLine(
                    close=close, unit_id=unit_id,
                    execution_done=rates[0][0], execution_due=rates[0][1],
                    reporting_done=rates[1][0], reporting_due=rates[1][1],
                    rectification_done=rates[2][0], rectification_due=rates[2][1],
                    report_lines_owed=report.owed if report else 0,
                    report_status=CloseReportStatus.NOT_OWED if report is None
                    else _STATUS.get(report.timeliness, CloseReportStatus.NOT_OWED),
                    matters_total=figures.total if figures else 0,
                    matters_completed=figures.completed if figures else 0,
                    matters_overdue=figures.overdue if figures else 0,
                ))
            MonthCloseLine.objects.bulk_create(lines)
            record(actor=actor, action="month.close", obj_type="reports.MonthClose", obj_id=close.pk,
                   before=None if previous is None else {"version": previous.version},
                   after={"month": close.month_key, "version": version, "units": len(lines)}, reason=reason)
    except IntegrityError:
        # Someone closed (or corrected) the same month a moment earlier: the unique version says so.
        raise ConcurrentChange({"month": _("%(month)s was closed by someone else a moment ago; reload the page.") % {
            "month": month_label(year, month)}}) from None
    return close


# -- reads for the evaluation and the bulletin ----------------------------------------------


def latest_lines() -> QuerySet[MonthCloseLine]:
    """The lines of every month's latest close version, as one query (for SQL readers)."""
    newest = (MonthClose.objects.filter(year=OuterRef("close__year"), month=OuterRef("close__month"))
              .order_by("-version").values("version")[:1])
    return MonthCloseLine.objects.filter(close__version=Subquery(newest)).select_related("close", "unit")


def closed_month(year: int, month: int) -> list[MonthCloseLine]:
    """The frozen lines of the month's latest close, by unit order; empty while it is not closed."""
    return list(latest_lines().filter(close__year=year, close__month=month)
                .order_by("unit__sort_order", "unit_id"))


@dataclass(frozen=True)
class ClosedMonths:
    """The months of a period and which of them are closed, with their latest lines."""

    months: list[tuple[int, int]]
    lines: dict[tuple[int, int], list[MonthCloseLine]]

    @property
    def open(self) -> list[tuple[int, int]]:
        return [m for m in self.months if m not in self.lines]


def closed_months(period: Period) -> ClosedMonths:
    """For a quarter (or any period): each month's latest close lines, one query."""
    months = []
    y, m = period.start.year, period.start.month
    while (y, m) <= (period.end.year, period.end.month):
        months.append((y, m))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    which = Q(pk__in=[])
    for y, m in months:
        which |= Q(close__year=y, close__month=m)
    lines: dict[tuple[int, int], list[MonthCloseLine]] = {}
    for line in latest_lines().filter(which).order_by("close__year", "close__month", "unit__sort_order", "unit_id"):
        lines.setdefault((line.close.year, line.close.month), []).append(line)
    return ClosedMonths(months, lines)
