"""REST API for monthly reports (S1.2) and the three rates (S2.7), under the pages' rules.

October 2026, judged on 3 November (inside October's window, 2–6 November):
  A  fgw leads, quantitative (12 个)          B  czj leads, fgw co-handles ("fgw配合")
  C  wancheng leads                           D  czj leads alone
sam and ursula write fgw's report, carl czj's; victor's portfolio is {fgw, wancheng};
alice (supervision office) returns reports; sysop reads no business data.
"""

from __future__ import annotations

import json
from datetime import date

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from hypothesis import HealthCheck, settings

from ducha.matters.models import CoUnitPart, Matter
from ducha.org.access import unit_scope
from ducha.reports.models import MonthlyReport, ReportItem, ReportStatus
from ducha.reports.owed import month_overview
from ducha.reports.rates import gather_rates
from ducha.rules.periods import Period
from ducha.rules.reporting import Timeliness
from tests.api_schema import connection_kept, log_in, schema
from tests.test_reports_scenario import JUDGED_ON, build_quarter, fill, make_matter

TODAY = date(2026, 11, 3)
LINE = {"progress": 40, "done": "完成立项审批", "next_steps": "开工建设", "problems": "征迁进度慢"}


@pytest.fixture
def october(city, settings, clock):
    clock.set(TODAY)
    return {
        "A": make_matter(city, "重点项目建设"),
        "B": make_matter(city, "财政资金绩效评价", lead="czj", co=[("fgw", date(2026, 11, 30))]),
        "C": make_matter(city, "老旧小区改造", lead="wancheng"),
        "D": make_matter(city, "预算绩效管理", lead="czj"),
    }


def api(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def put_line(client, unit, matter, body, year=2026, month=10):
    return client.put(f"/api/units/{unit.id}/reports/{year}/{month}/items/{matter.id}", body,
                      content_type="application/json")


def sheet_url(unit, year=2026, month=10):
    return f"/api/units/{unit.id}/reports/{year}/{month}"


def test_unit_fills_and_submits_through_the_api_and_the_pages_show_it(city, october):
    sam, fgw = api(city.sam), city.units["fgw"]
    sheet = sam.get(sheet_url(fgw)).json()
    lines = {line["matter"]["number"]: line for line in sheet["lines"]}
    a, b = october["A"], october["B"]
    assert set(lines) == {a.number, b.number} and sheet["report"] is None and sheet["editable"]
    assert lines[a.number]["quantitative"] and lines[a.number]["co_part"] is None
    assert not lines[b.number]["quantitative"] and lines[b.number]["co_part"] == "fgw配合"
    assert sheet["timeliness"] == "open" and sheet["window"] == {"opens": "2026-11-02", "closes": "2026-11-06",
                                                                              "provisional": False}

    first = put_line(sam, fgw, a, {**LINE, "achieved_quantity": "5"})
    assert first.status_code == 200, first.content
    assert first.json()["status"] == "draft" and [m["number"] for m in first.json()["lacking"]] == [b.number]
    second = put_line(api(city.ursula), fgw, b, {**LINE, "progress": 100, "done": "配合完成"})
    report = second.json()
    assert second.status_code == 200 and report["lacking"] == [] and report["can_submit"] is True
    assert [i["saved_by"]["name"] for i in report["items"]] == ["Sam", "Ursula"]

    submitted = sam.post(f"/api/reports/{report['id']}/submit")
    assert submitted.status_code == 200, submitted.content
    body = submitted.json()
    assert body["status"] == "submitted" and body["timeliness"] == "on_time"
    assert body["first_submitted_on"] == "2026-11-03" and body["submitted_by"]["name"] == "Sam"
    assert [e["action"] for e in body["events"]] == ["create", "submit"]

    # "Report once": the lines moved the matter and the co-unit part, as a page save does.
    a.refresh_from_db()
    assert (a.progress, a.achieved_quantity) == (40, 5)
    assert CoUnitPart.objects.get(matter=b).done_on == date(2026, 10, 31)
    # The report list page and the report page read the same report.
    rows = {r.unit.code: r for r in month_overview(unit_scope(city.victor), 2026, 10, TODAY)}
    assert rows["fgw"].report.status == ReportStatus.SUBMITTED and rows["fgw"].timeliness == Timeliness.ON_TIME
    page = api(city.victor).get(reverse("reports:detail", args=[report["id"]]))
    assert page.status_code == 200 and "完成立项审批" in page.content.decode()


def test_a_unit_cannot_see_or_write_another_units_report(city, october):
    report = fill(city.sam, 2026, 10, TODAY)
    carl, fgw = api(city.carl), city.units["fgw"]
    assert carl.get(f"/api/reports/{report.id}").status_code == 404
    assert carl.get("/api/reports/999999").status_code == 404
    assert carl.get("/api/reports").json()["items"] == []
    assert carl.get(f"/api/reports?unit={fgw.id}").json()["items"] == []
    assert carl.get(sheet_url(fgw)).status_code == 404
    refused = put_line(carl, fgw, october["A"], {**LINE, "progress": 90})
    assert refused.status_code == 404
    assert carl.post(f"/api/reports/{report.id}/submit").status_code == 404
    assert set(ReportItem.objects.values_list("progress", flat=True)) == {50}
    assert MonthlyReport.objects.get().status == ReportStatus.DRAFT
    # The unit's own staff see it.
    assert [r["id"] for r in api(city.sam).get("/api/reports").json()["items"]] == [report.id]


def test_a_leader_reads_the_portfolio_and_writes_nothing(city, october):
    fgw_report = fill(city.sam, 2026, 10, TODAY, submit_on=TODAY)
    czj_report = fill(city.carl, 2026, 10, TODAY, submit_on=TODAY)
    victor = api(city.victor)
    listed = victor.get("/api/reports?year=2026&month=10").json()["items"]
    assert [(r["unit"]["name"], r["item_count"]) for r in listed] == [("市发展和改革委员会", 2)]
    detail = victor.get(f"/api/reports/{fgw_report.id}").json()
    assert {i["matter"]["number"] for i in detail["items"]} == {october["A"].number, october["B"].number}
    assert not (detail["can_edit"] or detail["can_submit"] or detail["can_return"])
    assert victor.get(f"/api/reports/{czj_report.id}").status_code == 404
    overview = victor.get("/api/reports/overview?month=2026-10").json()
    # wancheng owes October's report and has none yet: still open in the window.
    assert {r["unit"]["name"]: r["timeliness"] for r in overview["rows"]} == {
        "市发展和改革委员会": "on_time", "宛城区人民政府": "open"}
    assert overview["counts"]["on_time"] == 1 and overview["counts"]["open"] == 1
    assert victor.get(sheet_url(city.units["fgw"])).status_code == 403
    refused = put_line(victor, city.units["fgw"], october["A"], LINE)
    assert refused.status_code == 403 and "本单位" in refused.json()["detail"]
    # The mayor reads every unit's.
    assert len(api(city.mayor).get("/api/reports").json()["items"]) == 2


def test_bad_input_changes_nothing_and_names_the_field(city, october):
    sam, fgw, a, b = api(city.sam), city.units["fgw"], october["A"], october["B"]
    cases = [
        (put_line(sam, fgw, a, {**LINE, "progress": 150}), 422, "progress"),
        (put_line(sam, fgw, a, {**LINE, "done": "   "}), 400, "done"),
        (put_line(sam, fgw, a, {k: v for k, v in LINE.items() if k != "next_steps"}), 422, "next_steps"),
        (put_line(sam, fgw, b, {**LINE, "achieved_quantity": "3"}), 400, "achieved_quantity"),
        (put_line(sam, fgw, october["D"], LINE), 400, "matter"),
        (put_line(sam, fgw, a, LINE, month=12), 400, "month"),
        (put_line(sam, fgw, a, LINE, month=13), 422, "month"),
    ]
    for response, status, field in cases:
        assert response.status_code == status, (field, response.content)
        errors = response.json()["errors"]
        assert any(key.split(".")[-1] == field for key in errors), (field, errors)
    assert not MonthlyReport.objects.exists() and not ReportItem.objects.exists()
    a.refresh_from_db()
    assert a.progress == 0


def test_writes_need_the_csrf_token_of_the_session(city, october):
    client = Client(enforce_csrf_checks=True)
    client.force_login(city.sam)
    assert put_line(client, city.units["fgw"], october["A"], LINE).status_code == 403
    assert not ReportItem.objects.exists()


def test_submit_refusals_keep_the_report_as_it_was(city, october, settings, clock):
    sam, fgw = api(city.sam), city.units["fgw"]
    clock.set(date(2026, 10, 20))
    report = put_line(sam, fgw, october["A"], LINE).json()
    early = sam.post(f"/api/reports/{report['id']}/submit")
    assert early.status_code == 400 and "month" in early.json()["errors"]
    clock.set(TODAY)
    sam = api(city.sam)  # days later: the idle session has ended
    lacking = sam.post(f"/api/reports/{report['id']}/submit")
    assert lacking.status_code == 400 and october["B"].number in lacking.json()["errors"]["items"]
    assert MonthlyReport.objects.get().status == ReportStatus.DRAFT
    put_line(sam, fgw, october["B"], LINE)
    assert sam.post(f"/api/reports/{report['id']}/submit").status_code == 200
    assert sam.post(f"/api/reports/{report['id']}/submit").status_code == 400  # already submitted
    late_edit = put_line(sam, fgw, october["A"], {**LINE, "progress": 99})
    assert late_edit.status_code == 409
    assert ReportItem.objects.get(matter=october["A"]).progress == 40


def test_the_supervision_office_returns_and_the_unit_resubmits(city, october):
    report = fill(city.sam, 2026, 10, TODAY, submit_on=TODAY)
    sam, alice = api(city.sam), api(city.alice)
    assert sam.post(f"/api/reports/{report.id}/return", {"reason": "数据有误"},
                    content_type="application/json").status_code == 403
    assert alice.post(f"/api/reports/{report.id}/return", {"reason": ""},
                      content_type="application/json").status_code == 422
    returned = alice.post(f"/api/reports/{report.id}/return", {"reason": "数据有误"}, content_type="application/json")
    assert returned.status_code == 200 and returned.json()["status"] == "returned"
    again = alice.post(f"/api/reports/{report.id}/return", {"reason": "数据有误"}, content_type="application/json")
    assert again.status_code == 409
    assert sam.get(sheet_url(city.units["fgw"])).json()["report"]["return_reason"] == "数据有误"
    resubmitted = sam.post(f"/api/reports/{report.id}/submit").json()
    assert resubmitted["status"] == "submitted" and resubmitted["first_submitted_on"] == "2026-11-03"
    assert [e["action"] for e in resubmitted["events"]][-2:] == ["return", "resubmit"]


def test_keyset_pages_and_filters(city, october):
    for month in (7, 8, 9, 10):
        fill(city.sam, 2026, month, date(2026, month + 1, 2), submit_on=date(2026, month + 1, 2))
    sam = api(city.sam)
    first = sam.get("/api/reports?limit=3").json()
    rest = sam.get(f"/api/reports?limit=3&after={first['next_after']}").json()
    assert [r["month"] for r in first["items"] + rest["items"]] == [7, 8, 9, 10] and rest["next_after"] is None
    assert [r["month"] for r in sam.get("/api/reports?month=9").json()["items"]] == [9]
    assert sam.get("/api/reports?status=draft").json()["items"] == []
    bad = sam.get("/api/reports?month=0")
    assert bad.status_code == 422 and "month" in json.dumps(bad.json()["errors"])


def _count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, response.content
    return len(ctx.captured_queries)


@pytest.mark.parametrize("persona", ["alice", "victor", "sam"])
def test_list_endpoints_run_a_fixed_number_of_queries(city, october, persona):
    client = api(city.people[persona])
    urls = ["/api/reports", "/api/reports/overview?month=2026-10", "/api/rates?period=2026-Q4"]
    fill(city.sam, 2026, 10, TODAY)
    for url in urls:
        client.get(url)  # warm the calendar cache
    before = {url: _count(client, url) for url in urls}
    for month in (6, 7, 8, 9):
        fill(city.sam, 2026, month, date(2026, month + 1, 2), submit_on=date(2026, month + 1, 2))
        fill(city.carl, 2026, month, date(2026, month + 1, 2), submit_on=date(2026, month + 1, 2))
    for i in range(6):
        make_matter(city, f"追加事项{i}", lead=("fgw", "czj", "wancheng")[i % 3])
    fill(city.carl, 2026, 10, TODAY)
    after = {url: _count(client, url) for url in urls}
    assert after == before
    assert max(after.values()) <= 16, after


# -- rates (S2.7) ------------------------------------------------------------------------


def test_rates_are_those_of_the_page_within_scope(city, settings, clock):
    clock.set(JUDGED_ON)
    build_quarter(city)
    expected = gather_rates(Period.parse("2026-Q3"), JUDGED_ON)
    sam = api(city.sam).get("/api/rates?period=2026-Q3").json()
    assert [r["unit"]["name"] for r in sam["rows"]] == ["市发展和改革委员会"]
    fgw = expected.row_for(city.units["fgw"].id)
    assert [sam["rows"][0][k]["value"] for k in ("execution", "reporting", "rectification")] == list(fgw.values)
    assert sam["overall"]["unit"] is None and sam["overall"]["execution"]["due"] == expected.overall.execution.due
    assert sam["judged_on"] == "2026-10-20" and sam["label"] == "2026年第三季度"
    victor = api(city.victor).get("/api/rates?period=2026-Q3").json()
    assert {r["unit"]["name"] for r in victor["rows"]} == {"市发展和改革委员会", "宛城区人民政府"}
    assert len(api(city.alice).get("/api/rates?period=2026-Q3").json()["rows"]) == len(expected.rows)
    assert api(city.sysop).get("/api/rates").status_code == 403


def test_shortfall_records_follow_the_page_rules(city, settings, clock):
    clock.set(JUDGED_ON)
    q = build_quarter(city)
    fgw, czj = city.units["fgw"], city.units["czj"]
    sam = api(city.sam)
    own = sam.get(f"/api/rates/shortfall?rate=execution&unit={fgw.id}&period=2026-Q3").json()
    assert {r["matter"]["number"] for r in own["records"]} == {q.m2.number, q.m3.number}
    assert own["due"] == 3 and own["done"] == 1 and {r["unit"]["name"] for r in own["records"]} == {fgw.name}
    reporting = sam.get(f"/api/rates/shortfall?rate=reporting&unit={fgw.id}&period=2026-Q3").json()
    assert {r["month"] for r in reporting["records"]} == {"2026-07", "2026-08"}
    assert sam.get(f"/api/rates/shortfall?rate=execution&unit={czj.id}&period=2026-Q3").status_code == 404
    assert sam.get("/api/rates/shortfall?rate=execution&period=2026-Q3").status_code == 404
    city_wide = api(city.alice).get("/api/rates/shortfall?rate=execution&period=2026-Q3").json()
    assert {r["matter"]["number"] for r in city_wide["records"]} >= {q.m2.number, q.m3.number}


@pytest.mark.parametrize("period", ["2026-13", "2026-Q5", "26-Q1", "0999"])
def test_a_bad_period_is_refused_naming_the_field(city, period):
    response = api(city.alice).get(f"/api/rates?period={period}")
    assert response.status_code == 422 and "period" in json.dumps(response.json()["errors"])


def test_no_matter_is_changed_by_reading(city, october):
    fill(city.sam, 2026, 10, TODAY, submit_on=TODAY)
    before = list(Matter.objects.order_by("id").values_list("progress", "updated_at"))
    client = api(city.alice)
    for url in ("/api/reports", "/api/reports/overview", "/api/rates"):
        assert client.get(url).status_code == 200
    assert list(Matter.objects.order_by("id").values_list("progress", "updated_at")) == before


# -- the OpenAPI document holds with data behind it ------------------------------------------


@pytest.fixture
def reports_session(city, client, settings, clock):
    """A supervision-office session over a quarter of reports, rates and shortfalls."""
    clock.set(JUDGED_ON)
    build_quarter(city)
    with connection_kept():
        yield log_in(client, city.alice, settings)


@schema.include(tag_regex="^(reports|rates)$", method="GET").parametrize()
@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
@pytest.mark.django_db
def test_report_reads_conform_with_data(case, reports_session):
    """0 server errors, 0 responses that break the schema, on a city with reports in it."""
    case.call_and_validate()
