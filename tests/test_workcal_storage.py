"""The calendar tables, the cached WorkCalendar built from them, and stored deadlines.

Seed rules: "Calendar and time rules" (receipt day not counted; 调休 weekends count),
S1.13 (3 working days for one department, one week = 5 for several), S1.2 (report window).
"""

from __future__ import annotations

from datetime import date

import pytest
from django.db.models import F

from ducha.rules.workdays import UncoveredYear
from ducha.workcal import service
from ducha.workcal.demo import build_demo_calendar
from ducha.workcal.models import CalendarDay, CalendarEvent, CalendarYear, DeadlineStatus, WorkdayDeadline


@pytest.fixture(autouse=True)
def _seeded_calendar(db):
    # The migration seeds 2004–2026; a flushing test elsewhere could have removed them.
    build_demo_calendar()


def test_migration_seeds_2004_to_2026_with_notice_titles():
    years = list(CalendarYear.objects.values_list("year", flat=True))
    assert years == list(range(2004, 2027))
    y2026 = CalendarYear.objects.get(year=2026)
    assert y2026.notice == "国务院办公厅关于2026年部分节假日安排的通知"
    assert y2026.source.startswith("chinesecalendar")
    # 2026 make-up working days, as listed in the notice (reference/integrations.md §7).
    assert sorted(y2026.days.filter(kind="makeup_workday").values_list("date", flat=True)) == [
        date(2026, 1, 4), date(2026, 2, 14), date(2026, 2, 28), date(2026, 5, 9), date(2026, 9, 20),
        date(2026, 10, 10),
    ]
    assert CalendarDay.objects.get(date=date(2026, 10, 1)).name == "国庆节"
    assert CalendarDay.objects.get(date=date(2026, 2, 17)).name == "春节"
    assert CalendarEvent.objects.filter(action="seed").count() >= 23


def test_seed_examples_through_get_calendar_S1_13(clock):
    """The two examples of the seed's calendar rules, plus 2026's make-up Saturdays."""
    clock.set(date(2026, 12, 7))
    assert service.get_calendar().provisional_years == {2027, 2028, 2029, 2030, 2031}
    cal = service.get_calendar(provisional=False)  # the notices alone
    # Received Friday 2014-09-26: Sunday 28 September was a make-up working day.
    assert cal.add_workdays(date(2014, 9, 26), 3) == date(2014, 9, 30)
    # Received 2014-09-30: 1–7 October were holidays.
    assert cal.add_workdays(date(2014, 9, 30), 3) == date(2014, 10, 10)
    assert cal.is_workday(date(2026, 2, 14))
    assert cal.is_workday(date(2026, 10, 10))
    assert cal.day_kind(date(2026, 10, 1)) == "holiday"
    assert cal.day_kind(date(2026, 10, 11)) == "weekend"
    assert cal.covers(2026)
    assert not cal.covers(2027)
    with pytest.raises(UncoveredYear) as e:
        cal.add_workdays(date(2026, 12, 30), 3)
    assert e.value.year == 2027


def test_handling_deadline_S1_13_uses_the_several_departments_setting(settings):
    assert service.handling_due(date(2014, 9, 26), 1) == date(2014, 9, 30)
    # Several departments: "one week" = 5 working days by default.
    assert service.handling_due(date(2014, 9, 26), 3) == date(2014, 10, 9)
    settings.DUCHA_SEVERAL_DEPARTMENTS_DAYS = 7
    # 6th: Fri 10-10; 7th: Saturday 10-11, the notice's second make-up working day.
    assert service.handling_due(date(2014, 9, 26), 2) == date(2014, 10, 11)
    d = service.create_handling_deadline(date(2014, 9, 26), 1, "S1.13 request")
    assert (d.workdays, d.due_date, d.status) == (3, date(2014, 9, 30), DeadlineStatus.OK)


def test_report_window_S1_2(settings):
    # September 2026's report: October opens after the 国庆 week, 10 October is a make-up Saturday.
    assert service.report_window_for(2026, 9) == (date(2026, 10, 8), date(2026, 10, 13))
    settings.DUCHA_REPORT_WINDOW_DAYS = 3
    assert service.report_window_for(2026, 9) == (date(2026, 10, 8), date(2026, 10, 10))


def test_calendar_is_cached_and_one_query_checks_it(django_assert_num_queries):
    first = service.get_calendar()
    with django_assert_num_queries(1):
        assert service.get_calendar() is first


def test_a_version_bump_elsewhere_invalidates_this_process_copy():
    """Another worker's import shows here only as a changed version: that must be enough."""
    first = service.get_calendar()
    CalendarDay.objects.create(
        year=CalendarYear.objects.get(year=2026), date=date(2026, 12, 28), kind="holiday", name="test"
    )
    assert service.get_calendar() is first  # the day alone is not seen: the version says nothing changed
    CalendarYear.objects.filter(year=2026).update(version=F("version") + 1)
    rebuilt = service.get_calendar()
    assert rebuilt is not first
    assert rebuilt.day_kind(date(2026, 12, 28)) == "holiday"


def test_create_deadline_is_due_or_pending_never_guessed(settings, clock):
    clock.set(date(2026, 12, 7))
    ok = service.create_deadline(date(2014, 9, 30), 3, "covered")
    assert (ok.status, ok.due_date, ok.is_open, ok.provisional) == (DeadlineStatus.OK, date(2014, 10, 10), True, False)
    provisional = service.create_deadline(date(2026, 12, 29), 5, "crosses into 2027")
    assert (provisional.due_date, provisional.provisional) == (date(2027, 1, 6), True)
    assert str(provisional).endswith("2027-01-06（暂定）")
    settings.DUCHA_PROVISIONAL_YEARS = 0  # without the provisional years: pending, never guessed
    pending = service.create_deadline(date(2026, 12, 29), 5, "crosses into 2027")
    assert (pending.status, pending.due_date) == (DeadlineStatus.PENDING_CALENDAR, None)
    assert str(pending).endswith("时限待确认")
    with pytest.raises(ValueError):
        service.create_deadline(date(2014, 9, 30), 0)


def test_deadline_is_overdue_from_the_day_after_its_due_date():
    d = service.create_deadline(date(2014, 9, 26), 3)
    assert not d.is_overdue(date(2014, 9, 30))  # a deadline is the end of its day
    assert d.is_overdue(date(2014, 10, 1))


def test_empty_calendar_makes_everything_pending_and_demo_restores_it():
    CalendarYear.objects.all().delete()
    with pytest.raises(service.CalendarEmpty):
        service.get_calendar()
    d = service.create_deadline(date(2014, 9, 26), 3)
    assert d.status == DeadlineStatus.PENDING_CALENDAR
    assert build_demo_calendar() == list(range(2004, 2027))
    assert service.get_calendar().add_workdays(date(2014, 9, 26), 3) == date(2014, 9, 30)
    assert build_demo_calendar() == []  # idempotent


def test_missing_next_year_warning_from_1_december():
    assert service.missing_next_year_warning(date(2026, 11, 30)) is None
    warning = service.missing_next_year_warning(date(2026, 12, 1))
    assert warning is not None and "2027" in warning
    # A missing current year is warned about on any date.
    january = service.missing_next_year_warning(date(2027, 1, 15))
    assert january is not None and "2027" in january
    assert service.missing_next_year_warning(date(2025, 12, 31)) is None


def test_a_deadline_stores_a_consistent_status():
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        WorkdayDeadline.objects.create(basis_date=date(2026, 1, 5), workdays=3, due_date=None, status="ok")
