"""Monthly reports for the demo city: the last two months whose window has closed.

Most units report on time, some late, a few not at all, so the list, the counts, the rates
and the bulletin have something to show. Reports go through the same actions as real ones.
Idempotent: nothing is done once any report exists.

The demo's matters are all entered on the day the demo is built, so none would be owed for
past months (a matter is owed from the month it was entered). The demo therefore dates each
matter's entry back to its start date, standing in for a system that has run all year.
"""

from __future__ import annotations

from datetime import date

from django.db import transaction

from ducha.matters.models import CoUnitPart, Matter
from ducha.org.models import User
from ducha.org.roles import UNIT_ROLES
from ducha.reports.actions import ItemInput, ReportError, do_save_report_item, do_submit_monthly_report
from ducha.reports.models import MonthlyReport
from ducha.reports.owed import owed_by_unit, reportable_entries, window_of
from ducha.rules.periods import Period
from ducha.rules.reporting import month_bounds
from ducha.workcal import service as workcal


def _closed_months(today: date, count: int) -> list[tuple[int, int, date, date]]:
    months: list[tuple[int, int, date, date]] = []
    month = Period.containing("month", today).previous()
    while len(months) < count and month.year >= today.year - 1:
        window = window_of(month.year, month.index)
        if window is not None and window[1] < today:
            months.append((month.year, month.index, *window))
        month = month.previous()
    return list(reversed(months))


def build_demo_reports(today: date | None = None) -> int:
    """Reports of every unit for the last two closed months; returns how many were made."""
    today = today or workcal.today()
    if MonthlyReport.objects.exists():
        return 0
    months = _closed_months(today, 2)
    if not months:
        return 0
    with transaction.atomic():
        clerks = {u.unit_id: u for u in User.objects.filter(role__in=UNIT_ROLES, is_active=True).order_by("-role", "id")}
        first = month_bounds(months[0][0], months[0][1])[0]
        last = month_bounds(months[-1][0], months[-1][1])[1]
        entries = reportable_entries(first, last)
        progress = dict(Matter.objects.values_list("id", "progress"))
        part_progress = dict(CoUnitPart.objects.values_list("id", "progress"))
        made = 0
        for step, (year, month, opens, closes) in enumerate(months):
            owed = owed_by_unit(entries, year, month)
            for i, (unit_id, lines) in enumerate(sorted(owed.items())):
                clerk = clerks.get(unit_id)
                if clerk is None or (i + step) % 9 == 4:  # a few units never report
                    continue
                late = (i + step) % 7 == 2
                submit_on = workcal.get_calendar().add_workdays(closes, 2) if late else opens
                saved_on = min(submit_on, today)
                for e in lines:
                    share = 0.8 if step < len(months) - 1 else 1.0
                    figure = part_progress[e.co_part_id] if e.co_part_id else progress.get(e.matter_id, 0)
                    try:
                        do_save_report_item(
                            actor=clerk, unit_id=unit_id, year=year, month=month, matter_id=e.matter_id,
                            today=saved_on,
                            data=ItemInput(progress=int(figure * share), done="按计划推进各项工作",
                                           problems="" if i % 3 else "要素保障仍需加强",
                                           next_steps="继续按时间节点推进", lower_reason="按实际完成情况更正"),
                        )
                    except ReportError:
                        continue
                report = MonthlyReport.objects.filter(unit_id=unit_id, year=year, month=month).first()
                if report is not None and submit_on < today:
                    try:
                        do_submit_monthly_report(actor=clerk, report_id=report.pk, today=submit_on)
                    except ReportError:
                        continue
                    made += 1
        return made
