"""The third quarter of 2026 used by the report, rate and bulletin tests, and by docs/rates.md.

fgw (sam, ursula) leads three matters, czj (carl) co-handles the first; all started in
January, were registered in January and are due in the quarter:

  M1 fgw  due 2026-08-31, claimed 2026-08-28   met       czj part due 08-15, reported done 08-10: met
  M2 fgw  due 2026-09-30, claimed 2026-10-09   missed (late)
  M3 fgw  due 2026-07-15, not done            missed

Monthly reports (windows from the calendar: June 07-01..07-07, July 08-03..08-07, Aug 09-01..09-07):
  fgw  June submitted 07-06 (on time), July submitted 08-10 (late), August never (missing)
  czj  June, July and August submitted on time

Rectification demands on fgw's M2: one due 09-10 rectified 09-09 (met), one due 09-20 rectified
09-25 (missed). The quarter is judged on 2026-10-20.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal

from django.utils import timezone

from ducha.matters.actions import CoUnitInput, MatterInput, do_create_matter, do_transition_matter
from ducha.matters.models import Matter, Rectification, RectificationSource, Source
from ducha.org.models import User
from ducha.reports.actions import ItemInput, do_save_report_item, do_submit_monthly_report
from ducha.reports.models import MonthlyReport
from ducha.reports.owed import owed_by_unit, reportable_entries
from ducha.rules.periods import Period
from ducha.rules.reporting import month_bounds

JUDGED_ON = date(2026, 10, 20)
Q3 = Period.parse("2026-Q3")


def aware(d: date) -> datetime:
    return timezone.make_aware(datetime.combine(d, time(9, 0)))


def make_matter(city, title: str, *, lead: str = "fgw", due: date = date(2026, 12, 31),
                start: date = date(2026, 1, 5), registered: date = date(2026, 1, 5),
                co: list[tuple[str, date]] | None = None, quantity: Decimal | None = Decimal("12")) -> Matter:
    data = MatterInput(
        title=title, source=Source.KEY_WORK, lead_unit_id=city.units[lead].id, responsible_leader_id=city.victor.id,
        start_date=start, due_date=due, goal="完成年度目标", target_quantity=quantity,
        target_unit="个" if quantity else "", qualitative_standard="" if quantity else "群众满意",
        projects="重点项目库", standard="按期验收", milestones=1,  # S2.1: what a key-work item is assigned with
        co_units=[CoUnitInput(unit_id=city.units[u].id, part=f"{u}配合", due_date=d) for u, d in (co or [])],
    )
    m = do_create_matter(actor=city.alice, data=data)
    do_transition_matter(actor=city.alice, matter_id=m.id, action="assign")
    Matter.objects.filter(pk=m.pk).update(created_at=aware(registered))
    m.refresh_from_db()
    return m


def fill(user: User, year: int, month: int, today: date, progress: int = 50, *, submit_on: date | None = None
         ) -> MonthlyReport | None:
    """Save a line for every matter the user's unit owes for the month; submit on ``submit_on``."""
    first, last = month_bounds(year, month)
    owed = owed_by_unit(reportable_entries(first, last, [user.unit_id]), year, month).get(user.unit_id, [])
    for e in owed:
        do_save_report_item(
            actor=user, unit_id=user.unit_id, year=year, month=month, matter_id=e.matter_id, today=today,
            data=ItemInput(progress=progress, done=f"{month}月推进", next_steps="继续推进"),
        )
    report = MonthlyReport.objects.filter(unit_id=user.unit_id, year=year, month=month).first()
    if report is not None and submit_on is not None:
        report = do_submit_monthly_report(actor=user, report_id=report.pk, today=submit_on)
    return report


@dataclass
class Quarter:
    m1: Matter
    m2: Matter
    m3: Matter


def build_quarter(city) -> Quarter:
    m1 = make_matter(city, "重点项目建设", due=date(2026, 8, 31), co=[("czj", date(2026, 8, 15))])
    m2 = make_matter(city, "营商环境评价整改", due=date(2026, 9, 30))
    m3 = make_matter(city, "城市更新片区改造", due=date(2026, 7, 15))
    # Reports: fgw on time in June, late in July, missing in August; czj always on time.
    fill(city.sam, 2026, 6, date(2026, 7, 2), 30, submit_on=date(2026, 7, 6))
    fill(city.sam, 2026, 7, date(2026, 8, 10), 50, submit_on=date(2026, 8, 10))
    fill(city.carl, 2026, 6, date(2026, 7, 1), 40, submit_on=date(2026, 7, 1))
    fill(city.carl, 2026, 7, date(2026, 8, 3), 80, submit_on=date(2026, 8, 3))
    fill(city.carl, 2026, 8, date(2026, 8, 10), 100)  # czj's part reported done on 10 August
    fill(city.carl, 2026, 8, date(2026, 9, 2), 100, submit_on=date(2026, 9, 2))
    # Completion: M1 on time, M2 after its deadline, M3 never.
    do_transition_matter(actor=city.sam, matter_id=m1.id, action="claim", reason="已完成", explanation="收尾不影响完成", today=date(2026, 8, 28))
    do_transition_matter(actor=city.sam, matter_id=m2.id, action="claim", reason="已完成", explanation="收尾不影响完成", today=date(2026, 10, 9))
    fgw = city.units["fgw"]
    Rectification.objects.create(matter=m2, unit=fgw, source=RectificationSource.NOTICE, demand="补齐台账",
                                 due_date=date(2026, 9, 10), rectified_on=date(2026, 9, 9))
    Rectification.objects.create(matter=m2, unit=fgw, source=RectificationSource.NOTICE, demand="完善佐证材料",
                                 due_date=date(2026, 9, 20), rectified_on=date(2026, 9, 25))
    return Quarter(m1, m2, m3)


def test_scenario_is_as_documented(city):
    q = build_quarter(city)
    q.m1.refresh_from_db()
    part = q.m1.co_parts.get()
    assert part.done_on == date(2026, 8, 10) and part.progress == 100
    assert q.m1.completed_on == date(2026, 8, 28)
    states = dict(MonthlyReport.objects.filter(unit=city.units["fgw"]).values_list("month", "first_submitted_on"))
    assert states == {6: date(2026, 7, 6), 7: date(2026, 8, 10)}
