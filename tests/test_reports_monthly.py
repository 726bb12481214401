"""S1.2 monthly progress reports: one report per unit per month over every matter it leads or
co-handles, "report once" (the line moves the matter's progress), the window from the
working-day calendar, late and missing reports, return for correction, who may write."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.http import Http404

from ducha.audit.models import AuditEvent
from ducha.inbox.models import Notification
from ducha.matters.models import CoUnitPart, Matter, MatterEvent, Status
from ducha.org.access import EVERYTHING, unit_scope
from ducha.reports.actions import (
    ConcurrentChange,
    ItemInput,
    ReportError,
    do_return_monthly_report,
    do_save_report_item,
    do_submit_monthly_report,
)
from ducha.reports.models import MonthlyReport, ReportEvent, ReportItem, ReportStatus
from ducha.reports.owed import month_overview, period_counts, window_of, window_provisional
from ducha.rules.periods import Period
from ducha.rules.reporting import Timeliness
from tests.test_reports_scenario import fill, make_matter

LINE = ItemInput(progress=40, done="完成立项审批", next_steps="开工建设", problems="征迁进度慢")


def save(user, matter, *, year=2026, month=10, today=date(2026, 10, 20), data=LINE, unit=None):
    return do_save_report_item(actor=user, unit_id=(unit or user.unit).id, year=year, month=month,
                               matter_id=matter.id, data=data, today=today)


@pytest.fixture
def two(city):
    """fgw leads A (quantitative) and co-handles B, which czj leads."""
    a = make_matter(city, "重点项目建设")
    b = make_matter(city, "财政资金绩效评价", lead="czj", co=[("fgw", date(2026, 11, 30))])
    return a, b


def test_s1_2_window_is_the_first_five_working_days_of_the_next_month(city, settings, clock):
    clock.set(date(2026, 12, 7))
    assert window_of(2026, 10) == (date(2026, 11, 2), date(2026, 11, 6))
    # September's window waits for the National Day holiday (1–7 October); 10 October is a make-up day.
    assert window_of(2026, 9) == (date(2026, 10, 8), date(2026, 10, 13))
    # The State Council notice for 2027 is not loaded: December's window is provisional (暂定),
    # from the statutory holidays (元旦 on Friday 1 January).
    assert window_of(2026, 12) == (date(2027, 1, 4), date(2027, 1, 8))
    assert window_provisional(2026, 12) and not window_provisional(2026, 11)
    settings.DUCHA_PROVISIONAL_YEARS = 0  # without provisional years it is not known yet
    assert window_of(2026, 12) is None


def test_s1_2_window_length_is_a_setting(city, settings):
    settings.DUCHA_REPORT_WINDOW_DAYS = 3
    assert window_of(2026, 10) == (date(2026, 11, 2), date(2026, 11, 4))


def test_s1_2_report_once_the_line_moves_the_matter(city, two):
    a, _ = two
    item = save(city.sam, a, data=ItemInput(progress=40, done="完成立项", next_steps="开工", achieved_quantity=Decimal("5")))
    a.refresh_from_db()
    assert (a.progress, a.last_progress_on, a.achieved_quantity) == (40, date(2026, 10, 20), Decimal("5"))
    assert item.report.unit == city.units["fgw"] and item.report.status == ReportStatus.DRAFT
    event = MatterEvent.objects.get(matter=a, action="progress_report")
    assert event.actor == city.sam and event.data["progress"] == 40 and event.data["month"] == "2026-10"
    # Saving the same line again replaces it: one line per matter, one report per unit and month.
    save(city.ursula, a, data=ItemInput(progress=45, done="完成立项", next_steps="开工"))
    a.refresh_from_db()
    assert a.progress == 45 and ReportItem.objects.count() == 1 and MonthlyReport.objects.count() == 1


def test_s1_2_co_unit_line_moves_its_part_and_marks_it_done(city, two):
    _, b = two
    part = CoUnitPart.objects.get(matter=b)
    save(city.sam, b, data=ItemInput(progress=100, done="配合完成", next_steps="无"), today=date(2026, 11, 3))
    part.refresh_from_db()
    b.refresh_from_db()
    # Reported for October on 3 November: the part was done by the end of October.
    assert (part.progress, part.done_on, part.last_progress_on) == (100, date(2026, 10, 31), date(2026, 11, 3))
    assert b.progress == 0  # the lead unit's figure is the lead unit's to give
    save(city.sam, b, data=ItemInput(progress=90, done="发现问题", next_steps="返工", lower_reason="验收发现问题，返工"),
         today=date(2026, 11, 4))
    part.refresh_from_db()
    assert part.done_on is None and part.progress == 90


def test_s1_2_an_earlier_month_saved_later_does_not_roll_progress_back(city, two):
    a, _ = two
    save(city.sam, a, month=10, data=ItemInput(progress=60, done="十月", next_steps="继续"), today=date(2026, 11, 2))
    save(city.sam, a, month=9, data=ItemInput(progress=30, done="九月补报", next_steps="继续"), today=date(2026, 11, 3))
    a.refresh_from_db()
    assert a.progress == 60 and a.last_progress_on == date(2026, 11, 2)


def test_s1_2_submit_needs_every_line_and_a_finished_month(city, two):
    a, b = two
    save(city.sam, a)
    report = MonthlyReport.objects.get()
    with pytest.raises(ReportError) as e:
        do_submit_monthly_report(actor=city.sam, report_id=report.id, today=date(2026, 10, 31))
    assert "尚未结束" in str(e.value)
    with pytest.raises(ReportError) as e:
        do_submit_monthly_report(actor=city.sam, report_id=report.id, today=date(2026, 11, 2))
    assert b.number in e.value.errors["items"] and a.number not in e.value.errors["items"]
    save(city.sam, b, today=date(2026, 11, 2))
    submitted = do_submit_monthly_report(actor=city.ursula, report_id=report.id, today=date(2026, 11, 5))
    assert submitted.status == ReportStatus.SUBMITTED and submitted.first_submitted_on == date(2026, 11, 5)
    assert submitted.submitted_by == city.ursula
    with pytest.raises(ReportError):  # submitted is final until returned
        save(city.sam, a, today=date(2026, 11, 6))
    assert ReportItem.objects.get(matter=a).progress == 40


def test_s1_2_submit_is_guarded_against_a_second_submit(city, two):
    fill(city.sam, 2026, 10, date(2026, 11, 2))
    report = MonthlyReport.objects.get()
    do_submit_monthly_report(actor=city.sam, report_id=report.id, today=date(2026, 11, 3))
    with pytest.raises(ReportError):
        do_submit_monthly_report(actor=city.ursula, report_id=report.id, today=date(2026, 11, 3))
    assert ReportEvent.objects.filter(report=report, action="submit").count() == 1


def test_s1_2_return_for_correction_keeps_the_first_submission_date(city, two, django_capture_on_commit_callbacks):
    fill(city.sam, 2026, 10, date(2026, 11, 2), submit_on=date(2026, 11, 4))
    report = MonthlyReport.objects.get()
    with pytest.raises(ReportError):
        do_return_monthly_report(actor=city.sam, report_id=report.id, reason="自己退回")
    with pytest.raises(ReportError) as e:
        do_return_monthly_report(actor=city.alice, report_id=report.id, reason="  ")
    assert "reason" in e.value.errors
    with django_capture_on_commit_callbacks(execute=True):
        returned = do_return_monthly_report(actor=city.alice, report_id=report.id, reason="进度与佐证材料不符")
    # The unit hears why: its administrator and the person who submitted it.
    told = {(n.user.username, n.title, n.body) for n in Notification.objects.select_related("user")}
    assert told == {(who, "2026年10月月度报告被退回", "退回理由：进度与佐证材料不符") for who in ("ursula", "sam")}
    assert returned.status == ReportStatus.RETURNED and returned.return_reason == "进度与佐证材料不符"
    with pytest.raises(ConcurrentChange):
        do_return_monthly_report(actor=city.alice, report_id=report.id, reason="再退")
    a, _ = two
    save(city.sam, a, data=ItemInput(progress=35, done="更正", next_steps="继续", lower_reason="更正误报"), today=date(2026, 11, 12))
    again = do_submit_monthly_report(actor=city.sam, report_id=report.id, today=date(2026, 11, 12))
    assert again.status == ReportStatus.SUBMITTED and again.first_submitted_on == date(2026, 11, 4)
    assert [e.action for e in report.events.all()] == ["create", "submit", "return", "resubmit"]
    # The same steps are in the tamper-evident audit trail, with who and why.
    audited = AuditEvent.objects.filter(obj_type="reports.MonthlyReport", obj_id=str(report.pk)).order_by("id")
    assert [(a.action, a.username) for a in audited] == [
        ("report.create", "sam"), ("report.submit", "sam"), ("report.return", "alice"), ("report.resubmit", "sam")]
    assert audited[2].reason == "进度与佐证材料不符"
    overview = month_overview(EVERYTHING, 2026, 10, date(2026, 11, 20))
    assert [(r.unit.code, r.timeliness) for r in overview if r.unit.code == "fgw"] == [("fgw", Timeliness.ON_TIME)]


def test_s1_2_late_and_missing_counted_per_month_and_per_period(city, two):
    fill(city.sam, 2026, 10, date(2026, 11, 9), submit_on=date(2026, 11, 9))  # after 6 November: late
    # czj (carl) owes October for B and never reports: missing once the window is over.
    during = {r.unit.code: r.timeliness for r in month_overview(EVERYTHING, 2026, 10, date(2026, 11, 5))}
    assert during == {"fgw": Timeliness.LATE, "czj": Timeliness.OPEN}
    after = {r.unit.code: r.timeliness for r in month_overview(EVERYTHING, 2026, 10, date(2026, 11, 9))}
    assert after == {"fgw": Timeliness.LATE, "czj": Timeliness.MISSING}
    # Units with nothing running owe nothing and are not "missing".
    assert "wancheng" not in after and "gxq" not in after
    q4 = period_counts(EVERYTHING, Period.parse("2026-Q4"), date(2026, 12, 20))
    by_unit = {row.unit.code: row.counts for row in q4.rows}
    # Windows closing in Q4: September (fgw and czj missing), October, November (both missing).
    assert (by_unit["fgw"].late, by_unit["fgw"].missing, by_unit["fgw"].on_time) == (1, 2, 0)
    assert (by_unit["czj"].late, by_unit["czj"].missing) == (0, 3)
    assert (q4.total.late, q4.total.missing) == (1, 5)
    assert q4.unknown == []  # December's report is due in January, in the next quarter
    # A unit reads its own counts only.
    mine = period_counts(unit_scope(city.sam), Period.parse("2026-Q4"), date(2026, 12, 20))
    assert [row.unit.code for row in mine.rows] == ["fgw"]


def test_s1_2_what_a_month_owes(city):
    running = make_matter(city, "在办事项")
    suspended = make_matter(city, "暂停事项")
    Matter.objects.filter(pk=suspended.pk).update(status=Status.SUSPENDED)
    late_entry = make_matter(city, "补录事项", registered=date(2026, 11, 3))
    done_before = make_matter(city, "九月已完成事项")
    Matter.objects.filter(pk=done_before.pk).update(status=Status.CLAIMED, completed_on=date(2026, 9, 28))
    done_in = make_matter(city, "十月完成事项")
    Matter.objects.filter(pk=done_in.pk).update(status=Status.CLOSED, completed_on=date(2026, 10, 9),
                                                 closed_on=date(2026, 10, 12), progress=100)
    for matter in (suspended, late_entry, done_before):
        with pytest.raises(ReportError) as e:
            save(city.sam, matter)
        assert "matter" in e.value.errors
    save(city.sam, running)
    save(city.sam, done_in, data=ItemInput(progress=90, done="已销号", next_steps="无"))
    done_in.refresh_from_db()
    assert done_in.progress == 100  # closed: the office's verified figure stands


def test_s1_2_bad_input_is_named_and_changes_nothing(city, two):
    a, b = two
    for data, field in [
        (ItemInput(progress=101, done="x", next_steps="y"), "progress"),
        (ItemInput(progress=-1, done="x", next_steps="y"), "progress"),
        (ItemInput(progress=50, done="  ", next_steps="y"), "done"),
        (ItemInput(progress=50, done="x", next_steps=""), "next_steps"),
        (ItemInput(progress=50, done="x", next_steps="y", achieved_quantity=Decimal("-1")), "achieved_quantity"),
    ]:
        with pytest.raises(ReportError) as e:
            save(city.sam, a, data=data)
        assert field in e.value.errors
    with pytest.raises(ReportError) as e:  # B has no quantitative target for its co-unit
        save(city.sam, b, data=ItemInput(progress=50, done="x", next_steps="y", achieved_quantity=Decimal("1")))
    assert "achieved_quantity" in e.value.errors
    with pytest.raises(ReportError) as e:  # a month that has not begun
        save(city.sam, a, month=12, today=date(2026, 11, 20))
    assert "month" in e.value.errors
    a.refresh_from_db()
    assert a.progress == 0 and not MonthlyReport.objects.exists() and not ReportItem.objects.exists()


def test_s1_2_only_the_unit_writes_its_report(city, two):
    a, _ = two
    with pytest.raises(ReportError):
        save(city.alice, a, unit=city.units["fgw"])  # the office reads, the unit reports
    with pytest.raises(ReportError):
        save(city.victor, a, unit=city.units["fgw"])
    with pytest.raises(Http404):
        save(city.carl, a, unit=city.units["fgw"])  # another unit: as if it did not exist
    assert not MonthlyReport.objects.exists()
    fill(city.sam, 2026, 10, date(2026, 11, 2))
    report = MonthlyReport.objects.get()
    with pytest.raises(Http404):
        do_submit_monthly_report(actor=city.carl, report_id=report.id, today=date(2026, 11, 3))
    with pytest.raises(ReportError):
        do_submit_monthly_report(actor=city.alice, report_id=report.id, today=date(2026, 11, 3))
    report.refresh_from_db()
    assert report.status == ReportStatus.DRAFT
