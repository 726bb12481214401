"""The auditor's pages: filters, CSV export (itself audited), reading audited, nobody else gets in."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from zoneinfo import ZoneInfo

import time_machine
from django.test import Client

from ducha.audit.api import record
from ducha.audit.models import AuditEvent


def auditor(city) -> Client:
    client = Client()
    client.force_login(city.audrey)
    return client


def seed(city) -> None:
    with time_machine.travel(datetime(2026, 3, 2, 10, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False):
        record(actor=city.alice, action="matter.assign", obj_type="matters.Matter", obj_id=7, before={"unit": 1},
               after={"unit": 2})
    with time_machine.travel(datetime(2026, 4, 2, 10, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False):
        record(actor=city.sam, action="report.submit", obj_type="reports.Report", obj_id=9, before=None,
               after={"text": "=cmd|' /C calc'!A0"})


def rows(page: str) -> str:
    return page.split('data-testid="events"')[1]


def test_filters_by_user_action_dates_and_object(city):
    seed(city)
    client = auditor(city)
    assert "matter.assign" in rows(client.get("/audit/?user=alice").content.decode())
    assert "report.submit" not in rows(client.get("/audit/?user=alice").content.decode())
    assert "report.submit" in rows(client.get("/audit/?action=report.").content.decode())
    march = rows(client.get("/audit/?date_from=2026-03-01&date_to=2026-03-31").content.decode())
    assert "matter.assign" in march and "report.submit" not in march
    obj = rows(client.get("/audit/?obj_type=reports.Report&obj_id=9").content.decode())
    assert "report.submit" in obj and "matter.assign" not in obj


def test_bad_filters_get_field_errors(city):
    page = auditor(city).get("/audit/?date_from=2026-05-01&date_to=2026-04-01")
    assert page.status_code == 400 and 'id="id_date_to_error"' in page.content.decode()
    assert auditor(city).get("/audit/?date_from=notadate").status_code == 400


def test_reading_the_trail_is_audited(city):
    seed(city)
    client = auditor(city)
    client.get("/audit/?user=alice")
    view = AuditEvent.objects.filter(action="audit.view").latest("seq")
    assert view.username == "audrey" and view.after["filters"] == {"user": "alice"}
    event = AuditEvent.objects.get(action="matter.assign")
    detail = client.get(f"/audit/events/{event.pk}/").content.decode()
    assert 'data-testid="diff"' in detail
    assert AuditEvent.objects.filter(action="audit.view", obj_id=str(event.pk)).exists()


def test_csv_export_is_audited_and_safe_for_spreadsheets(city):
    seed(city)
    response = auditor(city).get("/audit/export.csv?action=report.")
    assert response["Content-Type"].startswith("text/csv")
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    table = list(csv.DictReader(io.StringIO(body.lstrip("\ufeff"))))
    assert [r["action"] for r in table] == ["report.submit"]
    assert table[0]["ts"].endswith("+08:00") and table[0]["username"] == "sam"
    assert "'=cmd" not in table[0]["after"] or table[0]["after"].startswith("{")  # JSON cell, not a formula
    export = AuditEvent.objects.get(action="audit.export")
    assert export.username == "audrey" and export.after == {"filters": {"action": "report."}, "rows": 1}


def test_formula_cells_are_neutralised(city):
    record(actor=city.sam, action="report.submit", obj_type="=HYPERLINK(1)", obj_id="-1", before=None, after=None)
    body = b"".join(auditor(city).get("/audit/export.csv").streaming_content).decode()
    assert ",'=HYPERLINK(1),'-1," in body


def test_verify_button(city):
    seed(city)
    response = auditor(city).post("/audit/verify/", follow=True)
    assert response.status_code == 200
    assert AuditEvent.objects.get(action="audit.verify").result == "ok"
