"""Loading a year's notice: all-or-nothing validation, and the open deadlines it moves.

Seed rules: "Calendar and time rules" (a deadline in an unloaded year is 时限待确认, never
guessed), S1.13 (request deadlines are stored as WorkdayDeadline rows and move with the
calendar).

These tests are about the notices alone, so no year is covered provisionally here
(DUCHA_PROVISIONAL_YEARS=0); the provisional calendar and how an import settles its dates
are tested in test_workcal_provisional.py.
"""

from __future__ import annotations

from datetime import date

import pytest
from django.utils import translation

from ducha.workcal import service
from ducha.workcal.actions import do_import_calendar_file, do_import_calendar_year
from ducha.workcal.demo import build_demo_calendar
from ducha.workcal.importing import CalendarImportError, CalendarRow, parse_calendar_csv
from ducha.workcal.models import (
    CalendarDay,
    CalendarEvent,
    CalendarYear,
    DeadlineMove,
    DeadlineStatus,
    WorkdayDeadline,
)

# TEST DATA, NOT the official 2027 notice (which did not exist when this was written):
# a plausible 2027 with 元旦, 春节 and 国庆 spans and three make-up weekend days.
CSV_2027 = """date,kind,name,source
2027-01-01,holiday,元旦,test data
2027-01-02,holiday,元旦,test data
2027-01-03,holiday,元旦,test data
2027-02-06,holiday,春节,test data
2027-02-07,holiday,春节,test data
2027-02-08,holiday,春节,test data
2027-02-09,holiday,春节,test data
2027-02-10,holiday,春节,test data
2027-02-11,holiday,春节,test data
2027-02-12,holiday,春节,test data
2027-02-20,makeup_workday,春节,test data
2027-10-01,holiday,国庆节,test data
2027-10-02,holiday,国庆节,test data
2027-10-03,holiday,国庆节,test data
2027-10-04,holiday,国庆节,test data
2027-10-05,holiday,国庆节,test data
2027-10-06,holiday,国庆节,test data
2027-10-07,holiday,国庆节,test data
2027-09-26,makeup_workday,国庆节,test data
2027-10-09,makeup_workday,国庆节,test data
"""


def rows_of(text: str) -> list[CalendarRow]:
    return parse_calendar_csv(text.encode())


def snapshot() -> tuple[int, ...]:
    return (
        CalendarYear.objects.count(),
        CalendarDay.objects.count(),
        CalendarEvent.objects.count(),
        WorkdayDeadline.objects.filter(status=DeadlineStatus.OK).count(),
        DeadlineMove.objects.count(),
        sum(CalendarYear.objects.values_list("version", flat=True)),
    )


@pytest.fixture(autouse=True)
def _seeded_calendar(db, settings):
    settings.DUCHA_PROVISIONAL_YEARS = 0
    build_demo_calendar()


def test_importing_2027_covers_it_and_resolves_a_pending_deadline(city):
    pending = service.create_deadline(date(2026, 12, 29), 5, "received 2026-12-29")
    assert pending.status == DeadlineStatus.PENDING_CALENDAR
    [summary] = do_import_calendar_file(actor=city.sysop, rows=rows_of(CSV_2027), notice_number="国办发明电〔2026〕X号")
    assert (summary.year, summary.created, summary.holidays, summary.makeup_workdays) == (2027, True, 17, 3)
    assert summary.pending_resolved == 1 and summary.deadlines_moved == 0
    cal = service.get_calendar()
    assert cal.covers(2027)
    assert cal.is_workday(date(2027, 2, 20))  # a make-up Saturday
    pending.refresh_from_db()
    # 12-30, 12-31, (1 Jan holiday, weekend), 1-4, 1-5, 1-6.
    assert (pending.status, pending.due_date) == (DeadlineStatus.OK, date(2027, 1, 6))
    move = pending.moves.get()
    assert (move.old_due, move.new_due) == (None, date(2027, 1, 6))
    assert "2027年" in move.reason and "国务院办公厅关于2027年部分节假日安排的通知" in move.reason
    year = CalendarYear.objects.get(year=2027)
    assert (year.loaded_by, year.notice_number, year.version) == (city.sysop, "国办发明电〔2026〕X号", 1)
    event = CalendarEvent.objects.filter(year=2027).get()
    assert (event.actor, event.action, event.holidays, event.pending_resolved) == (city.sysop, "import", 17, 1)


def test_a_day_becoming_a_holiday_moves_the_deadline_and_says_why(city):
    do_import_calendar_file(actor=city.sysop, rows=rows_of(CSV_2027))
    # Thursday 2027-04-01 + 3 working days: Fri 2, Mon 5, Tue 6.
    deadline = service.create_deadline(date(2027, 4, 1), 3, "S1.13 request")
    closed = service.create_deadline(date(2027, 4, 1), 3, "already handled")
    WorkdayDeadline.objects.filter(pk=closed.pk).update(is_open=False)
    untouched = service.create_deadline(date(2026, 3, 2), 3, "span entirely in 2026")
    assert deadline.due_date == date(2027, 4, 6)
    # The corrected notice adds 清明 on Monday 2027-04-05 (test data).
    corrected = CSV_2027 + "2027-04-05,holiday,清明节,test data\n"
    [summary] = do_import_calendar_file(
        actor=city.sysop, rows=rows_of(corrected), notice="国务院办公厅关于2027年部分节假日安排的通知（更正）"
    )
    assert (summary.created, summary.deadlines_moved, summary.pending_resolved) == (False, 1, 0)
    deadline.refresh_from_db()
    assert deadline.due_date == date(2027, 4, 7)
    move = DeadlineMove.objects.get(deadline=deadline)
    assert (move.old_due, move.new_due, move.calendar_year.year) == (date(2027, 4, 6), date(2027, 4, 7), 2027)
    assert move.reason.startswith("2027年日历更正") and "（更正）" in move.reason
    closed.refresh_from_db()
    assert closed.due_date == date(2027, 4, 6)  # closed deadlines are history, not moved
    assert not DeadlineMove.objects.filter(deadline__in=[closed, untouched]).exists()
    year = CalendarYear.objects.get(year=2027)
    assert year.version == 2 and year.days.count() == 21
    assert CalendarEvent.objects.filter(year=2027).first().action == "replace"


def test_correcting_a_seeded_year_moves_deadlines_whose_span_touches_it(city):
    # Received 2025-12-30 + 3: Wed 12-31; 元旦 1-3 January off; Sunday 1-4 a make-up day; Mon 1-5.
    crossing = service.create_deadline(date(2025, 12, 30), 3, "crosses New Year")
    assert crossing.due_date == date(2026, 1, 5)
    rows = [
        CalendarRow(i, d.date, d.kind, d.name)
        for i, d in enumerate(CalendarDay.objects.filter(year__year=2026).order_by("date"), start=2)
    ]
    rows.append(CalendarRow(len(rows) + 2, date(2026, 1, 5), "holiday", "test: extra day off"))
    do_import_calendar_year(actor=None, year=2026, rows=rows, notice="test correction")
    crossing.refresh_from_db()
    assert crossing.due_date == date(2026, 1, 6)
    assert crossing.moves.get().reason == "2026年日历更正（test correction）"


BAD_ROW_3 = {
    "impossible date": ("2027-02-30,holiday,春节,test", "2027-02-30"),
    "make-up day on a Wednesday": ("2027-02-10,makeup_workday,春节,test", "星期三"),
    "date of another year": ("2026-05-01,holiday,劳动节,test", "2026-05-01"),
}


@pytest.mark.parametrize("case", BAD_ROW_3.keys())
def test_a_bad_row_refuses_the_whole_file_naming_row_3(city, case):
    line, detail = BAD_ROW_3[case]
    lines = CSV_2027.splitlines()
    text = "\n".join([lines[0], lines[1], line, *lines[2:]]) + "\n"
    pending = service.create_deadline(date(2026, 12, 29), 5)
    before = snapshot()
    with pytest.raises(CalendarImportError) as e:
        do_import_calendar_file(actor=city.sysop, rows=rows_of(text))
    [error] = e.value.errors
    assert error.row == 3 and detail in error.message
    assert str(error).startswith("第3行：")  # the installation's language, zh-hans
    assert snapshot() == before
    assert not service.get_calendar().covers(2027)
    pending.refresh_from_db()
    assert pending.status == DeadlineStatus.PENDING_CALENDAR


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("date,kind\n2027-01-01,holiday\n2027-01-01,holiday\n", "is repeated (see row 2)"),
        ("date,kind\n2027-01-01,holiday\n2027-02-20,makeup_workday\n2027-02-20,holiday\n", "both a holiday"),
        ("date,kind\n2027-02-20,makeup_workday\n", "has no holiday"),
        ("date,kind\n2027-01-01,休\n", "must be holiday or makeup_workday"),
        ("date,kind\n2027-01-01,\n", "must be holiday or makeup_workday"),
        ("date,kind\n,holiday\n", "The date is empty"),
        ("date,kind\n2207-01-01,holiday\n", "is outside"),
    ],
)
def test_validation_names_each_problem(text, expected):
    with translation.override("en"), pytest.raises(CalendarImportError) as e:
        do_import_calendar_file(actor=None, rows=rows_of(text))
    assert any(expected in str(err) for err in e.value.errors), e.value.errors


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"", "is empty"),
        (b"day,kind\n2027-01-01,holiday\n", "Missing columns"),
        (b"date,kind,note\n2027-01-01,holiday,x\n", "Unknown columns"),
        (b"date,kind\n", "holds no days"),
        ("date,kind,name\n2027-01-01,holiday,元旦\n".encode("gbk"), "not UTF-8"),
        (b"date,kind\n2027-01-01,holiday,extra\n", "but the header has only 2 columns"),
    ],
)
def test_unreadable_files_are_refused(data, expected):
    with translation.override("en"), pytest.raises(CalendarImportError) as e:
        parse_calendar_csv(data)
    assert expected in str(e.value)


def test_bom_blank_lines_and_spreadsheet_dates_are_accepted():
    rows = parse_calendar_csv("\ufeffdate,kind,name,source\r\n2027/1/1,holiday,元旦,x\r\n\r\n".encode())
    assert [(r.row, r.date, r.kind) for r in rows] == [(2, "2027/1/1", "holiday")]
    [summary] = do_import_calendar_file(actor=None, rows=rows)
    assert summary.year == 2027


def test_several_years_only_on_request_and_without_a_single_notice(city):
    text = "date,kind\n2027-01-01,holiday\n2028-01-01,holiday\n"
    with translation.override("en"), pytest.raises(CalendarImportError) as e:
        do_import_calendar_file(actor=None, rows=rows_of(text))
    assert "cannot be told which year" in str(e.value)
    with translation.override("en"), pytest.raises(CalendarImportError) as e:
        do_import_calendar_file(actor=None, rows=rows_of(text), several_years=True, notice="某通知")
    assert "one year's notice" in str(e.value)
    summaries = do_import_calendar_file(actor=None, rows=rows_of(text), several_years=True)
    assert [s.year for s in summaries] == [2027, 2028]
    assert CalendarYear.objects.get(year=2028).notice == "国务院办公厅关于2028年部分节假日安排的通知"


def test_an_explicit_year_refuses_rows_of_other_years():
    with translation.override("en"), pytest.raises(CalendarImportError) as e:
        do_import_calendar_file(actor=None, rows=rows_of(CSV_2027), year=2028)
    assert len(e.value.errors) == 20 and "is not in 2028" in e.value.errors[0].message
