"""The provisional calendar (暂定日历) in the platform: storage, command line, import, pages,
API, documents and the Excel ledger.

Seed rules: "Calendar and time rules" (a year the State Council has not announced is
covered provisionally from 《全国年节及纪念日放假办法》 2024; every date computed from it is
marked 暂定 and recomputed, with the move recorded, when the notice is imported); S1.13
(a request received 2026-12-29 for several departments); S1.2 (the December report
window); S2.3 (time nodes); S2.4 (the Excel ledger).

Today is pinned to December 2026, with the 2027 notice not out yet.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from io import StringIO
from pathlib import Path

import chinese_calendar
import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.utils import translation
from lunardate import LunarDate

from ducha.inbox.models import Notification
from ducha.ledger.excel import COLUMNS, HEADER_ROWS, all_matters, export_ledger
from ducha.letters import texts
from ducha.letters.facts import RequestFacts
from ducha.matters.actions import CoUnitInput, MatterInput, do_create_matter, do_transition_matter
from ducha.matters.models import Matter, MatterEvent, Rectification, Source
from ducha.reports.owed import window_of, window_provisional
from ducha.workcal import service
from ducha.workcal.actions import do_import_calendar_file
from ducha.workcal.importing import parse_calendar_csv
from ducha.workcal.models import CalendarEvent, DeadlineMove, WorkdayDeadline
from ducha.workcal.provisional import festival_dates, provisional_days

# TEST DATA, NOT the official 2027 notice: 元旦 1 to 4 January (so Monday 4 January is a
# day off, unlike the statutory rule's guess), 春节 5 to 11 February with a make-up Sunday.
NOTICE_2027 = (
    "date,kind,name,source\n"
    "2027-01-01,holiday,元旦,test data\n2027-01-02,holiday,元旦,test data\n"
    "2027-01-03,holiday,元旦,test data\n2027-01-04,holiday,元旦,test data\n"
    + "".join(f"2027-02-{d:02d},holiday,春节,test data\n" for d in range(5, 12))
    + "2027-02-14,makeup_workday,春节,test data\n"
)
NOTICE_TITLE = "国务院办公厅关于2027年部分节假日安排的通知（测试数据）"


@pytest.fixture(autouse=True)
def _plain_static_files(settings):
    # The manifest storage needs `collectstatic` first; pages are tested without it.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def december(clock):
    clock.set(date(2026, 12, 7))
    return clock


def request(city, received: date, co_units: int = 2, **overrides) -> Matter:
    """A unit's request to the city government (S1.13): 1 + co_units handling departments."""
    units = ["czj", "wancheng", "gxq"][:co_units]
    values = dict(
        title="关于申请设立产业引导基金的请示", source=Source.UNIT_REQUEST, lead_unit_id=city.units["fgw"].id,
        responsible_leader_id=city.victor.id, start_date=received, goal="研究办理",
        target_quantity=None, qualitative_standard="按时办结",
        co_units=[CoUnitInput(unit_id=city.units[u].id, part="会签", due_date=date(2026, 12, 30)) for u in units],
    )
    values.update(overrides)
    return do_create_matter(actor=city.gina, data=MatterInput(**values))


def import_notice(actor=None) -> list:
    return do_import_calendar_file(actor=actor, rows=parse_calendar_csv(NOTICE_2027.encode()), notice=NOTICE_TITLE)


# -- the library, checked against independent sources ---------------------------------------------


@pytest.mark.parametrize("year", range(2025, 2041))
def test_lunar_python_agrees_with_lunardate_and_the_solar_terms(year):
    """The app's library (lunar-python) against lunardate's tables and chinesecalendar's 清明."""
    f = festival_dates(year)
    assert f.spring_festival == LunarDate(year, 1, 1).to_solar_date()
    assert f.dragon_boat == LunarDate(year, 5, 5).to_solar_date()
    assert f.mid_autumn == LunarDate(year, 8, 15).to_solar_date()
    terms = dict((name, d) for d, name in chinese_calendar.get_solar_terms(date(year, 4, 1), date(year, 4, 10)))
    assert f.qingming == terms["清明"]


def test_known_new_years_and_the_eve_on_the_29th():
    """正月初一 2027 is 6 February and 2028 is 26 January; 除夕 2027 is 腊月廿九 (5 February)."""
    assert festival_dates(2027).spring_festival == date(2027, 2, 6)
    assert festival_dates(2028).spring_festival == date(2028, 1, 26)
    eve = LunarDate.from_solar_date(2027, 2, 5)
    assert (eve.month, eve.day) == (12, 29)
    assert {s.date for s in provisional_days(2027) if s.name == "春节"} == {date(2027, 2, d) for d in (5, 6, 7, 8)}


@pytest.mark.parametrize("year", [2025, 2026])
def test_statutory_days_are_a_subset_of_the_announced_holidays(year):
    announced = {d for d in chinese_calendar.constants.holidays if d.year == year}
    assert {s.date for s in provisional_days(year)} <= announced


# -- which years are provisional -------------------------------------------------------------------


def test_unannounced_years_up_to_the_horizon_are_provisional(db, settings, clock):
    cal = service.get_calendar()
    assert cal.provisional_years == {2027, 2028, 2029, 2030, 2031}
    assert not service.get_calendar(provisional=False).covers(2027)
    assert cal.add_workdays(date(2026, 12, 29), 5) == date(2027, 1, 6)
    clock.set(date(2027, 3, 1))
    assert 2032 in service.get_calendar().provisional_years  # the horizon moves with the date
    settings.DUCHA_PROVISIONAL_YEARS = 0
    assert not service.get_calendar().covers(2027)


def test_the_calendar_stays_one_small_query_per_call(db, django_assert_num_queries):
    service.get_calendar()
    with django_assert_num_queries(1):
        assert service.get_calendar().is_provisional(2027)
    with django_assert_num_queries(1):
        assert not service.get_calendar(provisional=False).covers(2027)


def test_a_deadline_beyond_the_horizon_stays_pending(db):
    d = service.create_deadline(date(2031, 12, 30), 5)
    assert (d.status, d.due_date, d.provisional) == ("pending_calendar", None, False)


# -- the command line stays strict -------------------------------------------------------------------


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.mark.parametrize(
    ("args", "answer"),
    [
        (("workdays", "deadline", "--received", "2026-12-29", "--departments", "3"), "2027-01-06"),
        (("workdays", "add", "2026-12-29", "3"), "2027-01-04"),
        (("workdays", "between", "2026-12-29", "2027-01-06"), "5"),
        (("workdays", "is", "2027-02-09"), "holiday"),  # 补假 for 初一 on a Saturday
        (("workdays", "is", "2027-02-11"), "workday"),
    ],
)
def test_cli_refuses_unannounced_years_unless_provisional(db, args, answer):
    with pytest.raises(CommandError) as e:
        run(*args)
    assert e.value.returncode == 2 and "2027" in str(e.value)
    assert run(*args, "--provisional") == (answer + "\n", "provisional\n")


def test_cli_provisional_flag_is_silent_on_announced_years(db):
    assert run("workdays", "add", "2014-09-26", "3", "--provisional") == ("2014-09-30\n", "")


def test_calendar_years_lists_provisional_years(db):
    lines = run("calendar", "years")[0].splitlines()
    assert len(lines) == 23 + 5
    assert lines[23] == "2027\tholidays=19\tmakeup_workdays=0\tprovisional 暂定: 《全国年节及纪念日放假办法》（2024年修订）"
    assert lines[-1].startswith("2031\t") and "provisional" in lines[-1]
    assert "provisional" not in lines[22]


# -- a matter received 2026-12-29: registered provisionally, moved on import -----------------------


def test_s1_13_request_received_2026_12_29_gets_a_provisional_due_date(city, clock,
                                                                      django_capture_on_commit_callbacks):
    clock.set(date(2026, 12, 29))
    m = request(city, date(2026, 12, 29))
    assert (m.due_date, m.due_provisional) == (date(2027, 1, 6), True)
    assert m.workday_deadline.provisional and m.workday_deadline.status == "ok"
    with django_capture_on_commit_callbacks(execute=True):
        do_transition_matter(actor=city.alice, matter_id=m.id, action="assign")
    told = Notification.objects.get(user=city.ursula, title=f"新督办事项 {m.number}")
    assert "完成时限：2027年01月06日（暂定）" in told.body


def test_import_moves_the_provisional_deadline_records_why_and_tells_the_unit(city, clock,
                                                                            django_capture_on_commit_callbacks):
    clock.set(date(2026, 12, 29))
    moved = request(city, date(2026, 12, 29))
    do_transition_matter(actor=city.alice, matter_id=moved.id, action="assign")
    steady = request(city, date(2027, 3, 1), co_units=0, title="关于调整公交线路的请示")  # 2027-03-04 either way
    assert (steady.due_date, steady.due_provisional) == (date(2027, 3, 4), True)
    Notification.objects.all().delete()

    with django_capture_on_commit_callbacks(execute=True):
        [summary] = import_notice(actor=city.sysop)
    assert (summary.deadlines_moved, summary.provisional_settled) == (1, 2)
    assert "暂定时限已确定 2 项" in str(summary)

    moved.refresh_from_db()
    assert (moved.due_date, moved.due_provisional) == (date(2027, 1, 7), False)
    move = DeadlineMove.objects.get(deadline=moved.workday_deadline)
    assert (move.old_due, move.new_due, move.was_provisional) == (date(2027, 1, 6), date(2027, 1, 7), True)
    assert NOTICE_TITLE in move.reason
    event = MatterEvent.objects.get(matter=moved, action="deadline_moved")
    assert (event.data["old_due"], event.data["new_due"], event.data["was_provisional"]) == (
        "2027-01-06", "2027-01-07", True)
    assert NOTICE_TITLE in event.reason and event.actor == city.sysop

    steady.refresh_from_db()
    assert (steady.due_date, steady.due_provisional) == (date(2027, 3, 4), False)
    assert not DeadlineMove.objects.filter(deadline=steady.workday_deadline).exists()

    [told] = Notification.objects.filter(user=city.ursula)
    assert told.title == f"督办事项 {moved.number} 时限调整"
    assert "2027年01月06日（暂定）" in told.body and "2027年01月07日" in told.body and NOTICE_TITLE in told.body
    assert CalendarEvent.objects.get(year=2027).provisional_settled == 2


def test_import_through_the_command_line_settles_the_deadline(city, tmp_path):
    m = request(city, date(2026, 12, 29))
    path = tmp_path / "2027.csv"
    path.write_text(NOTICE_2027, encoding="utf-8")
    out, _err = run("calendar", "import", str(path), "--notice", NOTICE_TITLE)
    assert out.startswith("2027年 假日 11 天、调休上班 1 天，时限变动 1 项")
    m.refresh_from_db()
    assert (m.due_date, m.due_provisional) == (date(2027, 1, 7), False)
    assert run("workdays", "add", "2026-12-29", "5") == ("2027-01-07\n", "")  # strict now answers


def test_import_page_moves_the_deadline(city, client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    m = request(city, date(2026, 12, 29))
    client.force_login(city.sysop)
    upload = SimpleUploadedFile("2027.csv", NOTICE_2027.encode(), content_type="text/csv")
    response = client.post("/calendar/import/", {"file": upload, "notice": NOTICE_TITLE})
    assert response.status_code == 302
    m.refresh_from_db()
    assert (m.due_date, m.due_provisional) == (date(2027, 1, 7), False)


def test_s2_3_provisional_time_nodes_are_rescheduled_on_import(city):
    m = do_create_matter(actor=city.alice, data=MatterInput(
        title="三年行动计划", source=Source.KEY_WORK, lead_unit_id=city.units["fgw"].id,
        responsible_leader_id=city.victor.id, start_date=date(2026, 12, 1), due_date=date(2027, 1, 8),
        goal="完成", target_quantity=Decimal("1"), target_unit="项", milestones=4))
    nodes = list(m.milestones.order_by("due_date"))
    assert all(n.provisional for n in nodes) and not m.due_provisional  # the due date itself was given
    # 27 working days in (1 Dec, 8 Jan] provisionally; nodes 20, 13, 6 and 0 of them before 8 Jan.
    assert [n.due_date for n in nodes] == [date(2026, 12, 10), date(2026, 12, 21), date(2026, 12, 30),
                                           date(2027, 1, 8)]
    import_notice()
    after = list(m.milestones.order_by("due_date"))
    assert not any(n.provisional for n in after)
    # The notice makes 4 January a day off: 26 working days, nodes 19, 13, 6 and 0 before 8 Jan.
    assert [n.due_date for n in after] == [date(2026, 12, 10), date(2026, 12, 18), date(2026, 12, 29),
                                           date(2027, 1, 8)]
    event = MatterEvent.objects.get(matter=m, action="milestones_rescheduled")
    assert NOTICE_TITLE in event.reason


def test_a_closed_request_keeps_its_deadline_through_an_import(city):
    m = request(city, date(2026, 12, 29), co_units=0)
    Matter.objects.filter(pk=m.pk).update(status="claimed")
    do_transition_matter(actor=city.alice, matter_id=m.id, action="close")
    assert not WorkdayDeadline.objects.get(pk=m.workday_deadline_id).is_open
    import_notice()
    m.refresh_from_db()
    assert (m.due_date, m.due_provisional) == (date(2027, 1, 4), True)  # as it stood when the work was done


def test_a_rework_time_limit_across_new_year_is_provisional_then_recomputed(city, clock):
    m = do_create_matter(actor=city.alice, data=MatterInput(
        title="道路改造", source=Source.KEY_WORK, lead_unit_id=city.units["fgw"].id,
        responsible_leader_id=city.victor.id, start_date=date(2026, 3, 2), due_date=date(2027, 6, 30),
        goal="完成", target_quantity=Decimal("3"), target_unit="公里", projects="道路改造项目", milestones=1))
    for action, who in [("assign", city.alice), ("start", city.sam), ("claim", city.sam)]:
        do_transition_matter(actor=who, matter_id=m.id, action=action, reason="已完成", explanation="收尾不影响完成")
    clock.set(date(2026, 12, 28))
    do_transition_matter(actor=city.alice, matter_id=m.id, action="return", reason="资料不全")
    r = Rectification.objects.get(matter=m)
    # 10 working days from Mon 28 Dec: 29, 30, 31 Dec, (元旦 Fri) 4-8, 11, 12 Jan (provisionally).
    assert (r.due_date, r.due_provisional) == (date(2027, 1, 12), True)
    import_notice()
    r.refresh_from_db()
    assert (r.due_date, r.due_provisional) == (date(2027, 1, 13), False)  # 4 January is a day off
    assert MatterEvent.objects.filter(matter=m, action="rectification_moved").exists()


# -- marked wherever shown -------------------------------------------------------------------------------


def test_pages_show_the_badge_in_both_languages(city, client, settings):
    m = request(city, date(2026, 12, 29))
    client.force_login(city.alice)
    page = client.get(f"/matters/{m.id}/").content.decode()
    assert 'data-testid="provisional"' in page and "暂定" in page
    assert 'data-testid="provisional-note"' in page and "国务院尚未公布" in page
    listing = client.get("/matters/").content.decode()
    assert 'data-testid="provisional"' in listing
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(f"/matters/{m.id}/").content.decode()
    assert ">provisional</span>" in page and "State Council has not announced" in page and "暂定" not in page


def test_calendar_pages_show_provisional_years(city, client, settings):
    client.force_login(city.sam)
    index = client.get("/calendar/").content.decode()
    assert index.count('data-testid="provisional-year"') == 5
    year = client.get("/calendar/2027/").content.decode()
    assert 'data-testid="provisional-basis"' in year
    assert 'data-kind="holiday" data-date="2027-02-09"' in year  # 补假
    assert "春节（补假）" in year
    assert client.get("/calendar/2032/").status_code == 404
    calc = client.get("/calendar/", {"start": "2026-12-29", "n": "5"}).content.decode()
    assert "2027-01-06" in calc and 'data-testid="provisional"' in calc


def test_api_marks_deadlines_and_calendar_days(city, client):
    m = request(city, date(2026, 12, 29))
    client.force_login(city.alice)
    detail = client.get(f"/api/matters/{m.id}").json()
    assert detail["due_date"] == "2027-01-06" and detail["due_provisional"] is True
    assert detail["deadline"]["provisional"] is True and "暂定" in detail["deadline"]["explanation"]
    assert client.get("/api/matters").json()["items"][0]["due_provisional"] is True
    years = {y["year"]: y for y in client.get("/api/calendar/years").json()}
    assert years[2026]["provisional"] is False and years[2027]["provisional"] is True
    days = client.get("/api/calendar/years/2027").json()
    assert days["provisional"] and all(d["provisional"] for d in days["days"])
    assert {"date": "2027-10-05", "kind": "holiday", "name": "国庆节（补假）", "provisional": True} in days["days"]
    due = client.get("/api/calendar/deadline", {"received": "2026-12-29", "departments": 3}).json()
    assert (due["due_date"], due["provisional"], due["workdays"]) == ("2027-01-06", True, 5)
    assert client.get("/api/calendar/years/2040").status_code == 404
    schema = client.get("/api/openapi.json").json()
    assert "/api/calendar/deadline" in schema["paths"]


def test_s1_2_december_report_window_is_provisional_not_unknown(city, client):
    assert window_of(2026, 12) == (date(2027, 1, 4), date(2027, 1, 8))
    assert window_provisional(2026, 12) and not window_provisional(2026, 11)
    client.force_login(city.alice)
    overview = client.get("/api/reports/overview", {"month": "2026-12"}).json()
    assert overview["window"] == {"opens": "2027-01-04", "closes": "2027-01-08", "provisional": True}
    page = client.get("/reports/", {"month": "2026-12"}).content.decode()
    assert 'data-testid="provisional"' in page and "报送期暂无法确定" not in page


def test_documents_never_print_a_provisional_date_bare(city):
    m = request(city, date(2026, 12, 29))
    facts = RequestFacts(matter=m, requester_id=city.units["fgw"].id, inferred=False, overdue=0, stalled=False)
    body = texts.request_body(facts, date(2027, 1, 8), city.units["fgw"], 5)
    assert "应于2027年1月6日（暂定）前办结" in body


def test_s2_4_excel_ledger_has_a_provisional_column(city, tmp_path: Path):
    m = request(city, date(2026, 12, 29))
    path = tmp_path / "ledger.xlsx"
    export_ledger(str(path), year=m.year, matters=all_matters(), today=date(2026, 12, 29))
    ws = openpyxl.load_workbook(path).active
    col = next(i for i, c in enumerate(COLUMNS, start=1) if c.key == "due_provisional")
    assert ws.cell(HEADER_ROWS - 1, col).value == "时限暂定"
    assert ws.cell(HEADER_ROWS + 1, col).value == "暂定"


def test_december_warning_names_the_provisional_deadlines(city):
    request(city, date(2026, 12, 29))
    request(city, date(2026, 12, 30), title="关于另一事项的请示")
    with translation.override("en"):
        warning = service.missing_next_year_warning(date(2026, 12, 7))
    assert warning is not None and "2027" in warning
    assert "2 open deadlines are provisional" in warning
    with translation.override("zh-hans"):
        assert "2 项" in (service.missing_next_year_warning(date(2026, 12, 7)) or "")
    assert WorkdayDeadline.objects.filter(provisional=True).count() == 2


def test_supervision_notice_table_marks_a_provisional_due_date(city):
    """The 督查通知 (S2.4 September reconciliation) lists each matter's due date: a provisional
    one says so."""
    from django.utils import timezone

    from ducha.documents import Table
    from ducha.ledger.models import LedgerCheckFlag, LedgerYear, SupervisionNotice
    from ducha.ledger.notices import notice_document

    m = request(city, date(2026, 12, 29))
    ledger = LedgerYear.objects.create(year=2027)
    now = timezone.now()
    notice = SupervisionNotice.objects.create(
        ledger_year=ledger, unit=city.units["fgw"], number="宛督〔2027〕1号", prefix="宛督", doc_year=2027,
        sequence=1, title="督查通知", rectify_by=date(2027, 10, 15), issued_by=city.alice, issued_at=now,
        delivered_at=now)
    LedgerCheckFlag.objects.create(
        ledger_year=ledger, phase="september_reconciliation", matter=m, unit=city.units["fgw"], progress=10,
        elapsed_share=Decimal("0.5"), checked_on=date(2027, 9, 30), notice=notice)
    [table] = [part for part in notice_document(notice).body if isinstance(part, Table)]
    assert table.rows[0][3] == "2027年1月6日（暂定）"


def test_s1_13_form_preview_marks_a_provisional_due_date(city, client):
    client.force_login(city.gina)
    html = client.get("/matters/new/deadline/", {"source": "unit_request", "start_date": "2026-12-29"}).content.decode()
    assert 'data-testid="computed-due">2027-01-04<' in html and 'data-testid="provisional-note"' in html
    html = client.get("/matters/new/deadline/", {"source": "unit_request", "start_date": "2026-12-01"}).content.decode()
    assert 'data-testid="computed-due">2026-12-04<' in html and 'data-testid="provisional"' not in html


def test_an_approved_extension_is_a_given_date_the_import_leaves_alone(city):
    from ducha.matters.actions import do_decide_extension, do_request_extension

    m = request(city, date(2026, 12, 29))
    do_transition_matter(actor=city.alice, matter_id=m.id, action="assign")
    ext = do_request_extension(actor=city.sam, matter_id=m.id, requested_due=date(2027, 2, 26), reason="会签未齐")
    do_decide_extension(actor=city.alice, request_id=ext.id, approve=True)
    m.refresh_from_db()
    assert (m.due_date, m.due_provisional) == (date(2027, 2, 26), False)
    import_notice()
    m.refresh_from_db()
    assert (m.due_date, m.due_provisional) == (date(2027, 2, 26), False)
    assert not MatterEvent.objects.filter(matter=m, action="deadline_moved").exists()
