"""S2.8 一月一结账: closing a month freezes each unit's three rates, report status and matter
counts as the inputs the quarter uses; the bulletin cites the closed month; a correction is a
new version with a reason, the old lines kept. The quarter of tests/test_reports_scenario.py:
August's report window is 09-01..09-07, so August closes from 09-08 on."""

from __future__ import annotations

import json
from datetime import date

import pytest

from ducha.audit.models import AuditEvent
from ducha.matters.models import Matter
from ducha.reports.actions import ConcurrentChange, ReportError
from ducha.reports.actions_close import closed_month, closed_months, do_close_month, latest_lines
from ducha.reports.bulletin import build_bulletin_document
from ducha.reports.bulletin_data import bulletin_data
from ducha.reports.models import CloseReportStatus, MonthClose, MonthCloseLine, MonthlyReport
from ducha.reports.rates import gather_rates
from ducha.rules.periods import Period
from tests.test_reports_scenario import build_quarter

AUGUST = Period.parse("2026-08")
CLOSING_DAY = date(2026, 9, 10)


@pytest.fixture
def quarter(city):
    return build_quarter(city)


def _line(lines, city, code):
    return next(x for x in lines if x.unit_id == city.units[code].id)


def test_s2_8_close_is_the_supervision_office_s_and_waits_for_the_report_window(city, quarter):
    with pytest.raises(ReportError):
        do_close_month(actor=city.percy, year=2026, month=8, today=CLOSING_DAY)
    with pytest.raises(ReportError) as e:
        do_close_month(actor=city.alice, year=2026, month=8, today=date(2026, 9, 7))  # the window's last day
    assert "month" in e.value.errors and "2026-09-07" in e.value.errors["month"]
    assert not MonthClose.objects.exists()


def test_s2_8_close_freezes_each_unit_s_figures(city, quarter):
    close = do_close_month(actor=city.alice, year=2026, month=8, today=CLOSING_DAY)
    assert (close.version, close.as_of, close.closed_by) == (1, CLOSING_DAY, city.alice)
    lines = closed_month(2026, 8)
    fgw, czj = _line(lines, city, "fgw"), _line(lines, city, "czj")
    # fgw: three matters, M1 completed in August, M3 overdue since July; August's report never sent.
    assert (fgw.matters_total, fgw.matters_completed, fgw.matters_overdue) == (3, 1, 1)
    assert (fgw.report_status, fgw.report_lines_owed) == (CloseReportStatus.MISSING, 3)
    assert czj.report_status == CloseReportStatus.ON_TIME
    live = gather_rates(AUGUST, CLOSING_DAY).row_for(city.units["fgw"].id)
    for kind in ("execution", "reporting", "rectification"):
        rate = live.get(kind)
        assert (getattr(fgw, f"{kind}_done"), getattr(fgw, f"{kind}_due")) == (
            (rate.done, rate.due) if rate.due else (None, None))
    assert fgw.rate("execution").percent == live.execution.percent
    # The data moves on; the close does not.
    Matter.objects.filter(pk=quarter.m3.pk).update(due_date=date(2026, 12, 31))
    assert bulletin_data(AUGUST, date(2026, 9, 20), use_close=False).overdue == 0
    assert _line(closed_month(2026, 8), city, "fgw").matters_overdue == 1
    audited = AuditEvent.objects.get(action="month.close")
    assert audited.username == "alice" and audited.after["month"] == "2026-08"


def test_s2_8_the_bulletin_cites_the_closed_month(city, quarter):
    open_data = bulletin_data(AUGUST, CLOSING_DAY)
    assert open_data.closed is None
    do_close_month(actor=city.alice, year=2026, month=8, today=CLOSING_DAY)
    Matter.objects.filter(pk=quarter.m3.pk).update(due_date=date(2026, 12, 31))  # no longer overdue, live
    data = bulletin_data(AUGUST, date(2026, 9, 20))
    assert data.closed is not None and data.closed.version == 1
    fgw = next(u for u in data.units if u.name == "市发展和改革委员会")
    assert fgw.overdue == 1 and data.overdue == 1  # the closed figure, not the live 0
    assert data.overall.execution.percent == open_data.overall.execution.percent
    doc = build_bulletin_document(data, "宛督〔2026〕9号", date(2026, 9, 20))
    text = "".join(getattr(b, "text", "") for b in doc.body)
    assert "各单位数据截至2026年8月结账（2026年9月10日结账）" in text


def test_s2_8_a_correction_is_a_new_version_with_a_reason(city, quarter):
    first = do_close_month(actor=city.alice, year=2026, month=8, today=CLOSING_DAY)
    with pytest.raises(ConcurrentChange) as e:
        do_close_month(actor=city.alice, year=2026, month=8, today=date(2026, 9, 12))
    assert "reason" in e.value.errors
    Matter.objects.filter(pk=quarter.m3.pk).update(due_date=date(2026, 12, 31))
    second = do_close_month(actor=city.alice, year=2026, month=8, today=date(2026, 9, 12), reason="M3 时限录入错误")
    assert second.version == 2 and second.reason == "M3 时限录入错误"
    assert MonthCloseLine.objects.filter(close=first).count() == MonthCloseLine.objects.filter(close=second).count()
    assert _line(MonthCloseLine.objects.filter(close=first), city, "fgw").matters_overdue == 1  # kept
    assert _line(closed_month(2026, 8), city, "fgw").matters_overdue == 0  # the latest is read
    assert {x.close_id for x in latest_lines()} == {second.pk}
    quarter_closes = closed_months(Period.parse("2026-Q3"))
    assert quarter_closes.months == [(2026, 7), (2026, 8), (2026, 9)]
    assert list(quarter_closes.lines) == [(2026, 8)] and quarter_closes.open == [(2026, 7), (2026, 9)]


def test_s2_8_close_pages(city, quarter, client, clock):
    clock.set(CLOSING_DAY)
    client.force_login(city.sam)
    assert client.get("/reports/closes/").status_code == 403
    client.force_login(city.percy)  # reads, does not close
    page = client.get("/reports/closes/").content.decode()
    assert 'data-month="2026-08"' in page and 'data-testid="close-panel"' not in page
    client.post("/reports/closes/close/", {"month": "2026-08", "confirm": "2026-08"})
    assert not MonthClose.objects.exists()
    client.force_login(city.alice)
    page = client.get("/reports/closes/").content.decode()
    assert 'data-testid="close-panel"' in page
    client.post("/reports/closes/close/", {"month": "2026-08"})  # no confirmation: nothing done
    assert not MonthClose.objects.exists()
    response = client.post("/reports/closes/close/", {"month": "2026-08", "confirm": "2026-08"})
    assert response.status_code == 302 and response["Location"] == "/reports/closes/2026/8/"
    detail = client.get("/reports/closes/2026/8/").content.decode()
    assert 'data-testid="close-lines"' in detail and "市发展和改革委员会" in detail
    bulletin = client.get("/reports/bulletins/?period=2026-08").content.decode()
    assert 'data-testid="bulletin-close"' in bulletin and "/reports/closes/2026/8/" in bulletin
    assert client.get("/reports/closes/2026/7/").status_code == 404


def test_s2_8_close_over_the_api(city, quarter, client, clock):
    clock.set(CLOSING_DAY)
    client.force_login(city.sam)
    assert client.get("/api/reports/closes").status_code == 403
    assert client.post("/api/reports/closes", json.dumps({"year": 2026, "month": 8, "confirm": True}),
                       content_type="application/json").status_code == 403
    client.force_login(city.alice)
    body = {"year": 2026, "month": 8}
    response = client.post("/api/reports/closes", json.dumps(body), content_type="application/json")
    assert response.status_code == 400 and "confirm" in response.json()["errors"]
    response = client.post("/api/reports/closes", json.dumps({**body, "confirm": True}),
                           content_type="application/json")
    assert response.status_code == 201, response.content
    out = response.json()
    assert out["month"] == "2026-08" and out["version"] == 1 and out["latest"]
    fgw = next(x for x in out["lines"] if x["unit"]["id"] == city.units["fgw"].id)
    assert fgw["report_status"] == "missing" and fgw["matters_overdue"] == 1
    again = client.post("/api/reports/closes", json.dumps({**body, "confirm": True}), content_type="application/json")
    assert again.status_code == 409 and "reason" in again.json()["errors"]
    early = client.post("/api/reports/closes", json.dumps({"year": 2026, "month": 9, "confirm": True}),
                        content_type="application/json")
    assert early.status_code == 400
    client.force_login(city.percy)
    assert client.get("/api/reports/closes/2026/8").json()["version"] == 1
    assert [c["month"] for c in client.get("/api/reports/closes").json()["items"]] == ["2026-08"]
    assert client.get("/api/reports/closes/2026/7").status_code == 404
    report = MonthlyReport.objects.first()
    assert client.get(f"/api/reports/{report.pk}").json()["id"] == report.pk  # /reports/{id} still answers
