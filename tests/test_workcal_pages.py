"""Calendar pages under /calendar/: everyone logged in reads, the system administrator imports.

Seed rules: "Calendar and time rules" (the calendar must say when it does not know a
year; the December warning for next year), S1.13 (the calculator's due dates).
"""

from __future__ import annotations

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from ducha.workcal.demo import build_demo_calendar
from ducha.workcal.importing import MAX_FILE_BYTES
from ducha.workcal.models import CalendarDay, CalendarEvent, CalendarYear

INDEX = "/calendar/"
IMPORT = "/calendar/import/"

# TEST DATA, NOT the official 2027 notice.
CSV_2027 = (
    "date,kind,name,source\n"
    "2027-01-01,holiday,元旦,test data\n"
    "2027-02-06,holiday,春节,test data\n"
    "2027-02-07,holiday,春节,test data\n"
    "2027-02-20,makeup_workday,春节,test data\n"
)


@pytest.fixture(autouse=True)
def _seeded_calendar(db):
    build_demo_calendar()


@pytest.fixture(autouse=True)
def _plain_static_files(settings):
    # The manifest storage needs `collectstatic` first; pages are tested without it.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


def upload(text: str | bytes, name: str = "2027.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode() if isinstance(text, str) else text, content_type="text/csv")


def test_urls_keep_the_names_the_nav_bar_uses():
    assert reverse("workcal:index") == INDEX
    assert reverse("workcal:year", args=[2026]) == "/calendar/2026/"


@pytest.mark.parametrize("url", [INDEX, "/calendar/2026/"])
def test_anonymous_is_sent_to_login(client, url):
    response = client.get(url)
    assert response.status_code == 302 and response.url.startswith("/login/")


def test_unit_staff_reads_the_years_but_gets_no_import_form(client, city):
    client.force_login(city.sam)
    response = client.get(INDEX)
    body = response.content.decode()
    assert response.status_code == 200
    assert 'href="/calendar/2026/"' in body and "国务院办公厅关于2026年部分节假日安排的通知" in body
    assert 'data-testid="import-form"' not in body
    assert 'data-testid="event-table"' not in body


@pytest.mark.parametrize("who", ["sam", "alice", "sec", "mayor"])
def test_only_the_system_administrator_may_import(client, city, who):
    client.force_login(getattr(city, who))
    response = client.post(IMPORT, {"file": upload(CSV_2027)})
    assert response.status_code == 403
    assert not CalendarYear.objects.filter(year=2027).exists()


def test_anonymous_post_to_import_goes_to_login(client):
    response = client.post(IMPORT, {"file": upload(CSV_2027)})
    assert response.status_code == 302
    assert not CalendarYear.objects.filter(year=2027).exists()


def test_system_administrator_imports_a_year(client, city):
    client.force_login(city.sysop)
    assert 'data-testid="import-form"' in client.get(INDEX).content.decode()
    response = client.post(IMPORT, {"file": upload(CSV_2027), "notice_number": "国办发明电〔2026〕X号"})
    assert response.status_code == 302 and response.url == "/calendar/2027/"
    year = CalendarYear.objects.get(year=2027)
    assert (year.loaded_by, year.notice_number, year.source) == (city.sysop, "国办发明电〔2026〕X号", "upload: 2027.csv")
    assert CalendarEvent.objects.filter(year=2027, actor=city.sysop).exists()
    page = client.get(response.url).content.decode()
    assert 'data-kind="makeup_workday" data-date="2027-02-20"' in page
    assert "已导入 2027 年" in page  # the success message, in Chinese by default


def test_a_refused_upload_lists_the_bad_rows_and_changes_nothing(client, city):
    client.force_login(city.sysop)
    text = CSV_2027.replace("2027-02-06,holiday", "2027-02-30,holiday").replace(
        "2027-02-20,makeup_workday", "2027-02-17,makeup_workday"
    )
    days_before = CalendarDay.objects.count()
    response = client.post(IMPORT, {"file": upload(text)})
    body = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="import-errors"' in body
    assert "第3行：" in body and "2027-02-30" in body
    assert "第5行：" in body and "星期三" in body
    assert CalendarDay.objects.count() == days_before
    assert not CalendarYear.objects.filter(year=2027).exists()


def test_an_upload_over_1_mb_is_refused(client, city):
    client.force_login(city.sysop)
    big = CSV_2027 + "#" * (MAX_FILE_BYTES + 1)
    response = client.post(IMPORT, {"file": upload(big)})
    assert response.status_code == 200
    assert "1 MB" in response.content.decode()
    assert not CalendarYear.objects.filter(year=2027).exists()


def test_december_warning_for_the_missing_next_year(client, city, settings, clock):
    clock.set("2026-12-01")
    client.force_login(city.sysop)
    body = client.get(INDEX).content.decode()
    assert 'data-testid="calendar-warning"' in body and "2027" in body
    client.force_login(city.sam)  # only the system administrator is told
    assert 'data-testid="calendar-warning"' not in client.get(INDEX).content.decode()
    clock.set("2026-11-30")
    client.force_login(city.sysop)
    assert 'data-testid="calendar-warning"' not in client.get(INDEX).content.decode()
    clock.set("2026-12-01")
    client.force_login(city.sysop)
    client.post(IMPORT, {"file": upload(CSV_2027)})
    assert 'data-testid="calendar-warning"' not in client.get(INDEX).content.decode()


def test_year_page_marks_holidays_and_make_up_days(client, city, clock):
    clock.set(date(2026, 12, 7))
    client.force_login(city.sam)
    body = client.get("/calendar/2026/").content.decode()
    assert 'data-kind="makeup_workday" data-date="2026-02-14"' in body
    assert 'data-kind="makeup_workday" data-date="2026-10-10"' in body
    assert 'data-kind="holiday" data-date="2026-10-01"' in body
    assert 'title="国庆节 · 放假"' in body
    assert "10/1–10/7 国庆节" in body  # the month's list of named spans
    assert 'data-testid="month-12"' in body
    assert client.get("/calendar/2027/").status_code == 200  # provisional (test_workcal_provisional)
    assert client.get("/calendar/2032/").status_code == 404  # past the provisional years


def test_calculator_gives_due_dates_or_says_pending_S1_13(client, city, settings, clock):
    clock.set(date(2026, 12, 7))
    client.force_login(city.sam)
    body = client.get(INDEX, {"start": "2014-09-26", "n": "3"}).content.decode()
    assert "<strong>2014-09-30</strong>" in body
    provisional = client.get(INDEX, {"start": "2026-12-30", "n": "3"}).content.decode()
    assert "<strong>2027-01-05</strong>" in provisional and 'data-testid="provisional"' in provisional
    settings.DUCHA_PROVISIONAL_YEARS = 0
    pending = client.get(INDEX, {"start": "2026-12-30", "n": "3"}).content.decode()
    assert 'data-testid="calc-error"' in pending and "2027" in pending
    bad = client.get(INDEX, {"start": "2026-02-30", "n": "3"}).content.decode()
    assert 'data-testid="calc-error"' in bad


def test_english_interface(client, city, settings):
    client.force_login(city.sam)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    body = client.get("/calendar/2026/").content.decode()
    assert "Working-day calendar 2026" in body and 'title="国庆节 · Holiday"' in body


def test_reference_data_admin_shows_the_calendar_read_only(client, city):
    client.force_login(city.sysop)
    assert client.get("/admin/workcal/calendaryear/").status_code == 200
    pk = CalendarYear.objects.get(year=2026).pk
    page = client.get(f"/admin/workcal/calendaryear/{pk}/change/")
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    assert client.get("/admin/workcal/calendarday/add/").status_code == 403
    client.force_login(city.sam)
    assert client.get("/admin/workcal/calendaryear/").status_code in (302, 403)
