"""S2.8 the monthly cycle's bulletin (通报): its figures from the data (totals, completed, overdue,
the three rates per unit, the units named), the official document built from them, numbered
from the office's yearly sequence (宛督〔YYYY〕N号), stored as .docx and PDF, issued once."""

from __future__ import annotations

from datetime import date

import pytest

from ducha.audit.models import AuditEvent
from ducha.documents import OfficialDocument, Table, render_docx
from ducha.documents.models import DocumentSequence
from ducha.documents.register import take_document_number
from ducha.reports.actions import ReportError
from ducha.reports.bulletin import build_bulletin_document, do_issue_bulletin
from ducha.reports.bulletin_data import bulletin_data
from ducha.reports.models import Bulletin
from ducha.rules.periods import Period
from tests.test_reports_scenario import JUDGED_ON, Q3, build_quarter


@pytest.fixture
def quarter(city):
    return build_quarter(city)


def test_s2_8_bulletin_figures_of_the_quarter(city, quarter):
    data = bulletin_data(Q3, JUDGED_ON)
    # Under supervision in Q3: M1, M2, M3 (fgw). Completed in Q3: M1 (28 Aug). On 30 Sep, M3
    # (due 15 Jul) is overdue; M2 is due that very day, so not yet.
    assert (data.total, data.completed, data.in_progress, data.overdue) == (3, 1, 2, 1)
    assert data.as_of == date(2026, 9, 30)
    assert [m.number for m in data.overdue_matters] == [quarter.m3.number]
    units = {u.name: u for u in data.units}
    fgw, czj = units["市发展和改革委员会"], units["市财政局"]
    assert (fgw.total, fgw.completed, fgw.overdue) == (3, 1, 1)
    assert [fgw.rates.execution.percent, fgw.rates.reporting.percent, fgw.rates.rectification.percent] == [
        "33.3%", "33.3%", "50.0%"]
    assert (fgw.reports.on_time, fgw.reports.late, fgw.reports.missing) == (1, 1, 1)
    assert [u.name for u in data.laggards] == ["市发展和改革委员会"]
    assert [u.name for u in data.commended] == ["市财政局"]
    assert czj.rates.rectification.percent == "—"
    assert (data.reports.on_time, data.reports.late, data.reports.missing) == (4, 1, 1)
    assert data.overall.execution.percent == "50.0%"


def test_s2_8_laggards_are_limited_by_the_setting(city, quarter, settings):
    settings.DUCHA_BULLETIN_LAGGARDS = 0
    assert bulletin_data(Q3, JUDGED_ON).laggards == []


def test_s2_8_an_empty_period(city):
    data = bulletin_data(Period.parse("2025-10"), date(2025, 11, 20))
    assert (data.total, data.completed, data.overdue, data.laggards, data.commended) == (0, 0, 0, [], [])
    assert data.overall.execution.percent == "—"


def test_s2_8_the_bulletin_document(city, quarter):
    doc = build_bulletin_document(bulletin_data(Q3, JUDGED_ON), "宛督〔2026〕9号", date(2026, 10, 20))
    assert isinstance(doc, OfficialDocument) and str(doc.number) == "宛督〔2026〕9号"
    assert doc.title == "关于2026年第三季度全市督查督办工作情况的通报"
    text = "".join(getattr(b, "text", "") + getattr(b, "tail", "") for b in doc.body)
    assert "纳入督查督办的事项共3项，期内完成1项" in text and "督查执行率50.0%" in text
    assert "通报批评" in text and "市发展和改革委员会：督查执行率33.3%" in text
    assert "通报表扬" in text and "市财政局" in text
    tables = [b for b in doc.body if isinstance(b, Table)]
    assert tables[0].rows[0][:5] == ("1", "市发展和改革委员会", "3", "1", "1")
    assert tables[1].rows == (("1", quarter.m3.number, "城市更新片区改造", "市发展和改革委员会", "2026年7月15日"),)
    assert render_docx(doc)[:2] == b"PK"


def test_s2_8_numbering_shares_the_office_sequence(city):
    DocumentSequence.objects.create(prefix="宛督", year=2026, last=7)  # seven 督查通知 already issued
    assert take_document_number("宛督", 2026) == 8
    assert take_document_number("宛督", 2027) == 1
    assert DocumentSequence.objects.get(prefix="宛督", year=2026).last == 8


def test_s2_8_issue_numbers_stores_files_and_only_once(city, quarter, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    DocumentSequence.objects.create(prefix="宛督", year=2026, last=11)
    with pytest.raises(ReportError):
        do_issue_bulletin(actor=city.sam, period=Q3, today=JUDGED_ON)
    with pytest.raises(ReportError) as e:
        do_issue_bulletin(actor=city.alice, period=Period.parse("2026-10"), today=JUDGED_ON)
    assert "period" in e.value.errors
    bulletin = do_issue_bulletin(actor=city.alice, period=Q3, today=JUDGED_ON)
    assert bulletin.number == "宛督〔2026〕12号" and bulletin.issued_by == city.alice
    assert bulletin.summary["rates"] == {"execution": "50.0%", "reporting": "50.0%", "rectification": "50.0%"}
    assert bulletin.docx.name.startswith("documents/bulletins/")
    assert (tmp_path / bulletin.docx.name).read_bytes()[:2] == b"PK"
    if bulletin.render_error:  # only a server without Chinese fonts may lack the PDF, and it says so
        assert "font" in bulletin.render_error and not bulletin.pdf
    else:
        assert (tmp_path / bulletin.pdf.name).read_bytes()[:5] == b"%PDF-"
    with pytest.raises(ReportError):
        do_issue_bulletin(actor=city.alice, period=Q3, today=JUDGED_ON)
    assert Bulletin.objects.count() == 1 and DocumentSequence.objects.get(prefix="宛督", year=2026).last == 12
    audited = AuditEvent.objects.get(action="bulletin.issue")
    assert audited.username == "alice" and audited.after["number"] == "宛督〔2026〕12号"


def test_s2_8_bulletin_page_is_the_supervision_office_s(city, quarter, client, settings, tmp_path, clock):
    settings.MEDIA_ROOT = tmp_path
    clock.set(JUDGED_ON)
    client.force_login(city.sam)
    assert client.get("/reports/bulletins/").status_code == 403
    client.force_login(city.alice)
    preview = client.get("/reports/bulletins/?period=2026-Q3").content.decode()
    assert 'data-testid="laggards"' in preview and "市发展和改革委员会" in preview and 'data-testid="issue"' in preview
    response = client.post("/reports/bulletins/issue/", {"period": "2026-Q3", "confirm": "2026-Q3"})
    assert response.status_code == 302
    bulletin = Bulletin.objects.get()
    download = client.get(f"/reports/bulletins/{bulletin.pk}/docx/")
    assert download.status_code == 200 and "attachment" in download["Content-Disposition"]
    assert b"".join(download.streaming_content)[:2] == b"PK"
    issued = client.get("/reports/bulletins/?period=2026-Q3").content.decode()
    assert 'data-testid="bulletin-number">宛督〔2026〕1号<' in issued and 'data-testid="issue"' not in issued
    client.force_login(city.sam)
    assert client.get(f"/reports/bulletins/{bulletin.pk}/docx/").status_code == 403


def test_item_19_bulletin_addressees_are_built_from_the_units(db):
    """Issue #11 item 19 (S2.8): the 通报 goes to every county, every zone by name and the
    departments; the demo city's four zones include 鸭河工区 and 官庄工区, which a typed list left out."""
    from ducha.org.demo import build_demo_organisation
    from ducha.org.models import Unit, UnitKind
    from ducha.reports.bulletin import bulletin_recipients

    build_demo_organisation()
    expected = ("各县（市、区）人民政府", "城乡一体化示范区、高新区、鸭河工区、官庄工区管委会", "市直各单位")
    assert bulletin_recipients() == expected
    data = bulletin_data(Period.parse("2026-08"), date(2026, 9, 5))
    doc = build_bulletin_document(data, "宛督〔2026〕9号", date(2026, 9, 5))
    assert doc.recipients_line == "各县（市、区）人民政府，城乡一体化示范区、高新区、鸭河工区、官庄工区管委会，市直各单位："
    # A zone set up later is named; one closed is dropped; a unit outside the pattern keeps its name.
    Unit.objects.filter(code="gzgq").update(is_active=False)
    Unit.objects.create(code="kgq", name="空港区管理委员会", kind=UnitKind.ZONE, sort_order=999)
    Unit.objects.create(code="wlgy", name="南阳物流园区", kind=UnitKind.ZONE, sort_order=1000)
    assert bulletin_recipients() == (
        "各县（市、区）人民政府", "城乡一体化示范区、高新区、鸭河工区、空港区管委会", "南阳物流园区", "市直各单位")
