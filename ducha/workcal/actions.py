"""Writes to the calendar: loading a year moves the open deadlines that depend on it.

A calendar change is only half done until every open deadline it affects is
recomputed, and a deadline that moves without a trace looks like someone changed a time
limit by hand. So loading a year, recording who did it, and moving deadlines (each with
a DeadlineMove naming the notice) happen in one transaction, or not at all. The same
holds for the provisional (暂定) due dates counted over the year before its notice: each
one is recomputed, settled and, when it moved, recorded; the matters that carry them
follow in the same transaction and their units hear of each move once it commits.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from ducha.audit.api import record
from ducha.org.models import User
from ducha.workcal import followers, service
from ducha.workcal.importing import (
    CalendarImportError,
    CalendarRow,
    RowError,
    ValidDay,
    parse_date,
    validate_rows,
)
from ducha.workcal.models import (
    CalendarAction,
    CalendarDay,
    CalendarEvent,
    CalendarYear,
    DayKind,
    DeadlineMove,
    DeadlineStatus,
    WorkdayDeadline,
)


def default_notice(year: int) -> str:
    return f"国务院办公厅关于{year}年部分节假日安排的通知"


@dataclass(frozen=True)
class ImportSummary:
    year: int
    created: bool  # False: the year existed and its days were replaced
    holidays: int
    makeup_workdays: int
    deadlines_moved: int  # due dates that changed (including those now pending)
    pending_resolved: int  # pending deadlines that got a due date
    notice: str
    provisional_settled: int = 0  # provisional due dates now counted from notices only

    @property
    def days_loaded(self) -> int:
        return self.holidays + self.makeup_workdays

    def __str__(self) -> str:
        settled = (
            _("; provisional settled: %(count)s") % {"count": self.provisional_settled}
            if self.provisional_settled
            else ""
        )
        said = _(
            "%(year)s: %(holidays)s holidays, %(makeup)s make-up working days; deadlines moved: %(moved)s, "
            "pending resolved: %(resolved)s"
        ) % {"year": self.year, "holidays": self.holidays, "makeup": self.makeup_workdays,
             "moved": self.deadlines_moved, "resolved": self.pending_resolved}
        return f"{said}{settled} {self.notice}"


def do_import_calendar_year(
    *,
    actor: User | None,
    year: int,
    rows: Iterable[CalendarRow],
    notice: str = "",
    notice_number: str = "",
    source: str = "",
) -> ImportSummary:
    """Load (or replace) one year's holidays and make-up days; refuse the year on any bad row.

    Raises CalendarImportError naming every bad row before anything is written.
    """
    days = validate_rows(rows, year=year).get(year, [])
    return _write_year(actor, year, days, notice or default_notice(year), notice_number, source)


def do_import_calendar_file(
    *,
    actor: User | None,
    rows: Sequence[CalendarRow],
    year: int | None = None,
    several_years: bool = False,
    notice: str = "",
    notice_number: str = "",
    source: str = "",
) -> list[ImportSummary]:
    """Load a file, all or nothing: one bad row anywhere refuses the whole file.

    Importing a year replaces all its days, so a stray row of another year would wipe
    that year down to one day (or make a year "loaded" from a single row). A file is
    therefore one year -- ``year``, or else the year most of its rows belong to -- and a
    row of any other year is a bad row. ``several_years`` opts into files holding whole
    years side by side (a bulk reload); then a notice title or number, which belongs to
    one year's notice, is refused rather than copied onto each year.
    """
    if several_years:
        by_year = validate_rows(rows)
        if (notice or notice_number) and len(by_year) > 1:
            years = _(", ").join(str(y) for y in by_year)
            raise CalendarImportError(
                [
                    RowError(
                        None,
                        _("The file holds several years (%(years)s), but a notice and its number name one "
                          "year's notice: split the file or leave them out.") % {"years": years},
                    )
                ]
            )
    else:
        year = year if year is not None else _main_year(rows)
        by_year = validate_rows(rows, year=year)
    with transaction.atomic():
        return [
            _write_year(actor, y, days, notice or default_notice(y), notice_number, source)
            for y, days in by_year.items()
        ]


def _main_year(rows: Sequence[CalendarRow]) -> int | None:
    """The year most rows' dates fall in; None when no date is readable (validation says why)."""
    counts = Counter(
        d.year
        for d in (r.date if isinstance(r.date, date) else parse_date(r.date) for r in rows)
        if d is not None
    )
    ranked = counts.most_common(2)
    if not ranked:
        return None
    if len(ranked) > 1 and ranked[0][1] == ranked[1][1]:
        raise CalendarImportError(
            [
                RowError(
                    None,
                    _("%(first)s and %(second)s have as many rows each: it cannot be told which year the file "
                      "is for; give the year.") % {"first": ranked[0][0], "second": ranked[1][0]},
                )
            ]
        )
    return ranked[0][0]


def _write_year(
    actor: User | None, year: int, days: list[ValidDay], notice: str, notice_number: str, source: str
) -> ImportSummary:
    with transaction.atomic():
        cy = CalendarYear.objects.select_for_update().filter(year=year).first()
        created = cy is None
        now = timezone.now()
        if cy is None:
            cy = CalendarYear.objects.create(
                year=year,
                notice=notice,
                notice_number=notice_number,
                source=source or "import",
                loaded_at=now,
                loaded_by=actor,
                version=1,
            )
        else:
            cy.days.all().delete()
            CalendarYear.objects.filter(pk=cy.pk).update(
                notice=notice,
                notice_number=notice_number,
                source=source or "import",
                loaded_at=now,
                loaded_by=actor,
                version=F("version") + 1,
            )
            cy.refresh_from_db()
        CalendarDay.objects.bulk_create(
            CalendarDay(year=cy, date=d.date, kind=d.kind, name=d.name, source=d.source) for d in days
        )
        what = "导入" if created else "更正"
        reason = f"{year}年日历{what}（{notice}{'，' + notice_number if notice_number else ''}）"
        moved, resolved, settled, changed = _recompute_deadlines(cy, reason)
        # The matters' dates, then the reminders' next checks (ducha.workcal.followers).
        followers.follow(followers.CalendarChange(actor=actor, year=year, reason=reason, old_dues=changed))
        holidays = sum(1 for d in days if d.kind == DayKind.HOLIDAY)
        CalendarEvent.objects.create(
            actor=actor,
            year=year,
            action=CalendarAction.IMPORT if created else CalendarAction.REPLACE,
            notice=notice,
            source=cy.source,
            holidays=holidays,
            makeup_workdays=len(days) - holidays,
            deadlines_moved=moved,
            pending_resolved=resolved,
            provisional_settled=settled,
        )
        record(
            actor=actor, action="calendar.import" if created else "calendar.replace",
            obj_type="workcal.CalendarYear", obj_id=year, before=None,
            after={"notice": notice, "notice_number": notice_number, "holidays": holidays,
                   "makeup_workdays": len(days) - holidays, "deadlines_moved": moved, "pending_resolved": resolved,
                   "provisional_settled": settled},
        )
    return ImportSummary(year, created, holidays, len(days) - holidays, moved, resolved, notice, settled)


def _recompute_deadlines(cy: CalendarYear, reason: str) -> tuple[int, int, int, dict[int, date | None]]:
    """Recompute the open deadlines a change of ``cy`` can affect.

    Returns (moved, resolved, settled, the old due date of each deadline whose date or mark changed).
    Only the working days inside (basis_date, due_date] decide a due date, so a change
    to year Y can move exactly the deadlines whose span touches Y -- plus every pending
    one, which may now be computable. A provisional one whose date stays is still
    changed: it is now counted from the notice (settled), or still rests on a later year.
    """
    y = cy.year
    touched = Q(status=DeadlineStatus.PENDING_CALENDAR) | Q(
        status=DeadlineStatus.OK, basis_date__lt=date(y, 12, 31), due_date__gte=date(y, 1, 1)
    )
    candidates = list(
        WorkdayDeadline.objects.select_for_update().filter(touched, is_open=True).order_by("id")
    )
    if not candidates:
        return 0, 0, 0, {}
    try:
        cal = service.get_calendar()
    except service.CalendarEmpty:  # pragma: no cover - a year was just written
        return 0, 0, 0, {}
    changed: list[WorkdayDeadline] = []
    old_dues: dict[int, date | None] = {}
    moves: list[DeadlineMove] = []
    resolved = settled = 0
    for deadline in candidates:
        new_due = service.compute_due(cal, deadline.basis_date, deadline.workdays)
        provisional = service.is_provisional(cal, deadline.basis_date, new_due)
        if new_due == deadline.due_date and provisional == deadline.provisional:
            continue
        if deadline.provisional and not provisional:
            settled += 1
        if new_due != deadline.due_date:
            if deadline.due_date is None:
                resolved += 1
            moves.append(
                DeadlineMove(
                    deadline=deadline, old_due=deadline.due_date, new_due=new_due, reason=reason, calendar_year=cy,
                    was_provisional=deadline.provisional,
                )
            )
        old_dues[deadline.pk] = deadline.due_date
        deadline.due_date = new_due
        deadline.status = DeadlineStatus.OK if new_due is not None else DeadlineStatus.PENDING_CALENDAR
        deadline.provisional = provisional
        changed.append(deadline)
    WorkdayDeadline.objects.bulk_update(changed, ["due_date", "status", "provisional"], batch_size=500)
    DeadlineMove.objects.bulk_create(moves, batch_size=500)
    return len(moves) - resolved, resolved, settled, old_dues
