"""The REST API of evidence files (佐证材料, issue #11 item 15): listed and read by whoever sees
the matter, added by the unit to a saved report line or to its pending completion claim,
checked like every upload, never required (S1.2, S2.6, 减负)."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from ducha.matters.actions import do_transition_matter
from ducha.matters.models import Evidence, Matter, MatterEvent
from tests.test_matters_progress_evidence import OCT, PDF, line, save
from tests.test_reports_scenario import make_matter

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 50


@pytest.fixture
def road(city, clock, settings, tmp_path):
    clock.set(OCT)
    settings.MEDIA_ROOT = tmp_path / "media"
    return make_matter(city, "城区道路改造", co=[("czj", date(2026, 11, 30))])


def upload(client, url, name, content):
    return client.post(url, {"file": SimpleUploadedFile(name, content)})


def line_url(user, matter, month=10):
    return f"/api/units/{user.unit_id}/reports/2026/{month}/items/{matter.id}/evidence"


def test_item_15_a_file_for_a_saved_report_line_is_checked_listed_and_read_in_scope(city, road, client):
    client.force_login(city.sam)
    first = upload(client, line_url(city.sam, road), "施工照片.png", PNG)
    assert first.status_code == 400 and "matter" in first.json()["errors"]  # no line saved yet
    save(city.sam, road, line(40))
    bad = upload(client, line_url(city.sam, road), "照片.pdf", b"MZ\x90\x00 a program")
    assert bad.status_code == 400 and "evidence" in bad.json()["errors"] and not Evidence.objects.exists()
    ok = upload(client, line_url(city.sam, road), "施工照片.png", PNG)
    assert ok.status_code == 201, ok.content
    body = ok.json()
    assert (body["kind"], body["month"], body["name"], body["content_kind"], body["unit"]["name"]) == (
        "report_line", "2026-10", "施工照片.png", "png", city.units["fgw"].name)
    assert len(body["sm3"]) == 64 and body["size"] == len(PNG)
    assert MatterEvent.objects.filter(matter=road, action="evidence_add").count() == 1

    for reader in (city.victor, city.carl, city.alice):  # the leader in charge, the co-unit, the office
        client.force_login(reader)
        listed = client.get(f"/api/matters/{road.id}/evidence")
        assert listed.status_code == 200 and [e["name"] for e in listed.json()] == ["施工照片.png"]
        got = client.get(body["url"])
        assert got.status_code == 200 and b"".join(got.streaming_content) == PNG
        assert "attachment" in got["Content-Disposition"]

    other = make_matter(city, "他单位事项", lead="czj")
    save(city.carl, other, line(10), evidence=SimpleUploadedFile("czj.pdf", PDF))
    client.force_login(city.sam)  # fgw does not see czj's own matter: a 404, as for a missing file
    assert client.get(f"/api/evidence/{Evidence.objects.get(matter=other).id}/file").status_code == 404
    assert client.get(f"/api/matters/{other.id}/evidence").status_code == 404
    assert client.get("/api/evidence/999999/file").status_code == 404
    client.force_login(city.sysop)  # administrators see no business data
    assert client.get(f"/api/matters/{road.id}/evidence").status_code == 404


def test_item_15_only_the_unit_adds_to_its_line_and_not_once_the_report_is_submitted(city, road, client):
    save(city.sam, road, line(40))
    client.force_login(city.alice)
    refused = upload(client, line_url(city.sam, road), "a.pdf", PDF)
    assert refused.status_code == 403
    client.force_login(city.sam)
    from ducha.reports.models import MonthlyReport

    MonthlyReport.objects.filter(unit=city.units["fgw"], year=2026, month=10).update(status="submitted")
    late = upload(client, line_url(city.sam, road), "a.pdf", PDF)
    assert late.status_code == 409 and not Evidence.objects.exists()


def test_item_15_s2_6_a_file_for_a_pending_claim_from_the_lead_unit_only(city, road, client):
    url = f"/api/matters/{road.id}/claim/evidence"
    client.force_login(city.sam)
    early = upload(client, url, "验收.pdf", PDF)
    assert early.status_code == 400 and not Evidence.objects.exists()  # no claim yet
    Matter.objects.filter(pk=road.pk).update(progress=100)
    do_transition_matter(actor=city.sam, matter_id=road.id, action="claim", reason="已完工")
    ok = upload(client, url, "竣工验收报告.pdf", PDF)
    assert ok.status_code == 201 and ok.json()["kind"] == "claim"
    client.force_login(city.carl)  # a co-unit sees the matter but did not make the claim
    assert upload(client, url, "x.pdf", PDF).status_code == 403
    client.force_login(city.alice)
    do_transition_matter(actor=city.alice, matter_id=road.id, action="close", reason="验收合格")
    client.force_login(city.sam)
    assert upload(client, url, "迟到.pdf", PDF).status_code == 400
    assert Evidence.objects.filter(matter=road).count() == 1


def test_the_evidence_operations_are_in_the_openapi_document(client, city):
    client.force_login(city.alice)
    doc = client.get("/api/openapi.json").json()
    assert "/api/matters/{matter_id}/evidence" in doc["paths"]
    assert "/api/evidence/{evidence_id}/file" in doc["paths"]
    post = doc["paths"]["/api/matters/{matter_id}/claim/evidence"]["post"]
    assert "multipart/form-data" in post["requestBody"]["content"]
    assert "/api/units/{unit_id}/reports/{year}/{month}/items/{matter_id}/evidence" in doc["paths"]
