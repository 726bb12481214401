"""Progress that goes down says why, the matter's record says each change in words, a claim
below 100 % explains itself, and evidence files (佐证材料) go with report lines and claims:
optional, checked like every upload, shown on the matter, kept in the backup
(S1.2 report once, S2.6 claim and close; issue #11 items 14 and 15)."""

from __future__ import annotations

import re
import tarfile
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from ducha.audit.backup import write_backup
from ducha.matters.actions import MatterError, do_transition_matter
from ducha.matters.models import CoUnitPart, Evidence, Matter, MatterEvent
from ducha.reports.actions import ItemInput, ReportError, do_save_report_item
from tests.test_reports_scenario import make_matter

OCT = date(2026, 10, 20)
PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\n%%EOF"


@pytest.fixture
def road(city, clock, settings, tmp_path):
    clock.set(OCT)
    settings.MEDIA_ROOT = tmp_path / "media"
    return make_matter(city, "城区道路改造", co=[("czj", date(2026, 11, 30))])


def line(progress, **kw):
    return ItemInput(progress=progress, done="完成路面施工", next_steps="绿化", **kw)


def save(user, matter, data, month=10, evidence=None):
    return do_save_report_item(actor=user, unit_id=user.unit_id, year=2026, month=month, matter_id=matter.id,
                               data=data, today=OCT, evidence=evidence)


def timeline(client, user, matter, language="en"):
    """The timeline's visible text (no markup) as the person reads it."""
    client.force_login(user)
    client.cookies["django_language"] = language
    html = client.get(f"/matters/{matter.id}/").content.decode()
    return re.sub(r"<[^>]+>", " ", html.split('data-testid="timeline"')[1])


# -- item 14 -------------------------------------------------------------------------------------------


def test_item_14_lower_progress_needs_a_reason_and_the_record_shows_old_new_and_who(city, road, client):
    save(city.sam, road, line(95), month=9)
    with pytest.raises(ReportError) as refused:
        save(city.sam, road, line(50))
    assert "lower_reason" in refused.value.errors and "95%" in refused.value.errors["lower_reason"]
    road.refresh_from_db()
    assert road.progress == 95  # nothing changed
    save(city.ursula, road, line(50, lower_reason="设计变更，部分路段返工"))
    road.refresh_from_db()
    assert road.progress == 50
    event = MatterEvent.objects.filter(matter=road, action="progress_report").latest("id")
    assert (event.data["old_progress"], event.data["progress"], event.actor, event.reason) == (
        95, 50, city.ursula, "设计变更，部分路段返工")
    shown = timeline(client, city.alice, road)
    assert "progress_report" not in shown
    assert "Progress reported" in shown and "95% → 50%" in shown and "Ursula" in shown
    assert "设计变更，部分路段返工" in shown
    assert "报送进展" in timeline(client, city.alice, road, "zh-hans")


def test_item_14_a_co_unit_lowering_its_part_says_why_too(city, road):
    part = CoUnitPart.objects.get(matter=road)
    save(city.carl, road, line(80))
    with pytest.raises(ReportError) as refused:
        save(city.carl, road, line(60))
    assert "lower_reason" in refused.value.errors
    save(city.carl, road, line(60, lower_reason="资金拨付延迟"))
    part.refresh_from_db()
    assert part.progress == 60


def test_item_14_a_higher_figure_or_an_earlier_month_needs_no_reason(city, road):
    save(city.sam, road, line(40))
    save(city.sam, road, line(70))
    save(city.sam, road, line(20), month=9)  # an earlier month moves nothing, so it explains nothing
    road.refresh_from_db()
    assert road.progress == 70


def test_item_14_the_report_page_asks_for_the_reason(city, road, client):
    save(city.sam, road, line(95))
    client.force_login(city.sam)
    url = f"/reports/fgw/2026-10/edit/{road.id}/"
    posted = {f"m{road.id}-progress": "50", f"m{road.id}-done": "返工", f"m{road.id}-next_steps": "继续"}
    refused = client.post(url, posted)
    assert refused.status_code == 400 and "95%" in refused.content.decode()
    posted[f"m{road.id}-lower_reason"] = "返工"
    assert client.post(url, posted).status_code == 302
    road.refresh_from_db()
    assert road.progress == 50


# -- item 15 -------------------------------------------------------------------------------------------


def test_item_15_s2_6_a_claim_below_100_needs_an_explanation(city, road, client):
    Matter.objects.filter(pk=road.pk).update(progress=96)
    with pytest.raises(MatterError) as refused:
        do_transition_matter(actor=city.sam, matter_id=road.id, action="claim", reason="已完工")
    assert "explanation" in refused.value.errors and "96%" in refused.value.errors["explanation"]
    road.refresh_from_db()
    assert road.status == "assigned"
    do_transition_matter(actor=city.sam, matter_id=road.id, action="claim", reason="已完工",
                         explanation="剩余4%为绿化养护，不影响通行")
    event = MatterEvent.objects.get(matter=road, action="claim")
    assert event.data["progress"] == 96 and event.data["explanation"] == "剩余4%为绿化养护，不影响通行"
    shown = timeline(client, city.alice, road)
    assert "剩余4%为绿化养护" in shown and "96%" in shown


def test_item_15_a_claim_at_100_needs_no_explanation(city, road):
    Matter.objects.filter(pk=road.pk).update(progress=100)
    assert do_transition_matter(actor=city.sam, matter_id=road.id, action="claim", reason="已完工").status == "claimed"


def test_item_15_the_claim_form_asks_why_below_100_and_takes_an_optional_file(city, road, client):
    Matter.objects.filter(pk=road.pk).update(progress=96)
    client.force_login(city.sam)
    html = client.get(f"/matters/{road.id}/").content.decode()
    assert 'name="explanation"' in html and 'name="evidence"' in html and 'enctype="multipart/form-data"' in html
    url = f"/matters/{road.id}/act/"
    refused = client.post(url, {"action": "claim", "reason": "已完工", "expected_status": "assigned"})
    assert refused.status_code == 400 and "96%" in refused.content.decode()
    bad = client.post(url, {"action": "claim", "reason": "已完工", "explanation": "养护", "expected_status": "assigned",
                            "evidence": SimpleUploadedFile("验收.pdf", b"MZ\x90\x00 a program")})
    assert bad.status_code == 400 and not Evidence.objects.exists()
    road.refresh_from_db()
    assert road.status == "assigned"
    ok = client.post(url, {"action": "claim", "reason": "已完工", "explanation": "养护", "expected_status": "assigned",
                           "evidence": SimpleUploadedFile("竣工验收报告.pdf", PDF)})
    assert ok.status_code == 302
    evidence = Evidence.objects.get()
    assert (evidence.kind, evidence.name, evidence.unit, evidence.content_kind) == (
        "claim", "竣工验收报告.pdf", city.units["fgw"], "pdf")


def test_item_15_evidence_on_a_report_line_is_optional_checked_shown_and_read_in_scope(city, road, client):
    save(city.sam, road, line(40))  # no file: a complete line (减负)
    with pytest.raises(ReportError) as refused:
        save(city.sam, road, line(60), evidence=SimpleUploadedFile("照片.pdf", b"\x89PNG\r\n\x1a\n" + b"\0" * 50))
    assert "evidence" in refused.value.errors
    road.refresh_from_db()
    assert road.progress == 40 and not Evidence.objects.exists()
    save(city.sam, road, line(60), evidence=SimpleUploadedFile("施工照片.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 50))
    evidence = Evidence.objects.get()
    assert (evidence.kind, evidence.month, evidence.content_kind) == ("report_line", "2026-10", "png")
    assert "施工照片" not in evidence.file.name  # stored under a random name
    client.force_login(city.victor)
    html = client.get(f"/matters/{road.id}/").content.decode()
    assert 'data-testid="evidence"' in html and "施工照片.png" in html
    download = client.get(f"/matters/evidence/{evidence.id}/")
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"\x89PNG")
    assert "attachment" in download["Content-Disposition"]
    client.force_login(city.carl)  # czj sees the matter as co-unit
    assert client.get(f"/matters/evidence/{evidence.id}/").status_code == 200
    other = make_matter(city, "他单位事项", lead="czj")
    save(city.carl, other, line(10), evidence=SimpleUploadedFile("czj.pdf", PDF))
    client.force_login(city.sam)
    assert client.get(f"/matters/evidence/{Evidence.objects.get(matter=other).id}/").status_code == 404


def test_item_15_evidence_files_are_kept_in_the_backup(city, road, tmp_path):
    save(city.sam, road, line(40), evidence=SimpleUploadedFile("验收.pdf", PDF))
    stored = Evidence.objects.get().file.name
    target = tmp_path / "backup.tar"
    manifest = write_backup(target)
    assert any(m["path"] == stored for m in manifest["media"])
    with tarfile.open(target) as tar:
        member = tar.extractfile(f"media/{stored}")
        assert member is not None and member.read() == PDF
    assert any(t["model"] == "matters.evidence" and t["rows"] == 1 for t in manifest["tables"])
