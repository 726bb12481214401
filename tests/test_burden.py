"""S2.8 减负 (the burden meter): for every unit and month, what the platform asked of it, counted
by the database for all units at once, flagged over DUCHA_BURDEN_MONTHLY_CAP, read by the
supervision and performance offices only, and never a score."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ducha.accountability.models import Case, CaseSource, Conduct
from ducha.accountability.rounds_models import Breadth, Finding, Focus, Openness, Regularity, Round
from ducha.burden.meter import KIND_CODES, month_burden
from ducha.ledger.models import LedgerYear, SupervisionNotice
from ducha.letters.models import Letter, LetterKind, LetterReason
from ducha.org.models import Unit, UnitKind
from tests.test_reports_scenario import make_matter


def aware(d: date) -> datetime:
    return timezone.make_aware(datetime.combine(d, time(9, 0)))


def _letter(city, matter, n: int, to: str, day: date) -> Letter:
    return Letter.objects.create(
        kind=LetterKind.CO_UNIT, matter=matter, co_part=matter.co_parts.first(), from_unit=city.units["fgw"],
        to_unit=city.units[to], reason=next(iter(LetterReason)), agency="发改", doc_year=day.year, sequence=n,
        number=f"发改函〔{day.year}〕{n}号", title="提醒函", body="请按时完成", sent_by=city.sam,
        sent_at=aware(day), sent_on=day, idempotency_key=f"k{n}")


@pytest.fixture
def asked(city):
    """In September 2026 czj is asked: a report (one co-unit line), two letters, a notice, a round
    with two findings, a case. fgw: a report of two lines and the same round."""
    m1 = make_matter(city, "重点项目建设", co=[("czj", date(2026, 11, 30))])
    make_matter(city, "营商环境评价整改")
    _letter(city, m1, 1, "czj", date(2026, 9, 3))
    _letter(city, m1, 2, "czj", date(2026, 9, 30))
    _letter(city, m1, 3, "czj", date(2026, 10, 1))  # October: not counted in September
    ly = LedgerYear.objects.create(year=2026)
    SupervisionNotice.objects.create(
        ledger_year=ly, unit=city.units["czj"], number="宛督〔2026〕5号", prefix="宛督", doc_year=2026, sequence=5,
        title="督查通知", rectify_by=date(2026, 10, 30), issued_by=city.alice, issued_at=aware(date(2026, 9, 15)),
        delivered_at=aware(date(2026, 9, 15)))
    r = Round.objects.create(title="九月督查", regularity=Regularity.REGULAR, focus=Focus.CENTRAL,
                             breadth=Breadth.COMPREHENSIVE, openness=Openness.OPEN, starts_on=date(2026, 8, 25),
                             ends_on=date(2026, 9, 5), created_by=city.alice)
    r.units.set([city.units["czj"], city.units["fgw"]])
    for problem in ("台账不全", "进度滞后"):
        f = Finding.objects.create(round=r, unit=city.units["czj"], problem=problem, created_by=city.alice)
        Finding.objects.filter(pk=f.pk).update(created_at=aware(date(2026, 9, 4)))
    case = Case.objects.create(unit=city.units["czj"], conduct=next(iter(Conduct)), source=next(iter(CaseSource)),
                               summary="推诿", opened_by=city.alice)
    Case.objects.filter(pk=case.pk).update(opened_at=aware(date(2026, 9, 8)))
    return m1


def test_s2_8_burden_counts_what_was_asked_in_the_month(city, asked):
    burden = month_burden(2026, 9)
    czj = burden.row_for(city.units["czj"].id)
    fgw = burden.row_for(city.units["fgw"].id)
    assert czj.counts == {"reports": 1, "report_lines": 1, "letters": 2, "notices": 1, "self_checks": 0,
                          "rounds": 1, "findings": 2, "cases": 1, "lawful": 0, "evidence": 0}
    assert czj.total == 9
    assert (fgw.counts["reports"], fgw.counts["report_lines"], fgw.counts["rounds"], fgw.total) == (1, 2, 1, 4)
    # Offices asked nothing are not listed; active departments, counties and zones always are.
    codes = [r.unit.code for r in burden.rows]
    assert "dcs" not in codes and {"fgw", "czj", "wancheng", "gxq"} <= set(codes)
    assert burden.row_for(city.units["gxq"].id).total == 0
    assert burden.totals["letters"] == 2 and set(burden.totals) == set(KIND_CODES)
    october = month_burden(2026, 10).row_for(city.units["czj"].id)
    assert october.counts["letters"] == 1 and october.counts["findings"] == 0


def test_s2_8_burden_over_the_cap_is_flagged(city, asked, settings):
    settings.DUCHA_BURDEN_MONTHLY_CAP = 8
    burden = month_burden(2026, 9)
    assert [r.unit.code for r in burden.over_cap] == ["czj"]
    settings.DUCHA_BURDEN_MONTHLY_CAP = 9  # at the cap is not over it
    assert month_burden(2026, 9).over_cap == []


def test_s2_8_burden_evidence_is_shown_but_never_in_the_total(city, asked):
    from ducha.matters.models import Evidence, EvidenceKind

    e = Evidence.objects.create(matter=asked, unit=city.units["czj"], kind=EvidenceKind.REPORT_LINE, month="2026-09",
                                file="evidence/x.pdf", name="x.pdf", content_kind="pdf", size=1, sm3="0" * 64,
                                uploaded_by=city.carl)
    Evidence.objects.filter(pk=e.pk).update(uploaded_at=aware(date(2026, 9, 10)))
    czj = month_burden(2026, 9).row_for(city.units["czj"].id)
    assert czj.counts["evidence"] == 1 and czj.total == 9


def test_s2_8_burden_page_is_for_the_two_offices_and_never_a_score(city, asked, client, settings):
    settings.DUCHA_BURDEN_MONTHLY_CAP = 8
    for user in (city.sam, city.gina, city.mayor):
        client.force_login(user)
        assert client.get("/burden/?month=2026-09").status_code == 403
    client.force_login(city.sysop)
    assert client.get("/burden/").status_code == 403
    for user in (city.alice, city.percy):
        client.force_login(user)
        page = client.get("/burden/?month=2026-09").content.decode()
        assert 'data-testid="never-a-score"' in page and 'data-testid="burden-table"' in page
        assert 'data-unit="czj" class="table-warning" data-over-cap="1"' in page
        assert 'data-unit="fgw" class' not in page
    bad = client.get("/burden/?month=nonsense")
    assert bad.status_code == 200  # last month, with a message


def test_s2_8_burden_page_queries_do_not_grow_with_the_units(city, asked, client):
    client.force_login(city.alice)
    client.get("/burden/?month=2026-09")
    with CaptureQueriesContext(connection) as few:
        assert client.get("/burden/?month=2026-09").status_code == 200
    for i in range(15):
        city.units[f"u{i}"] = Unit.objects.create(code=f"u{i}", name=f"单位{i}", short_name=f"单位{i}",
                                                  kind=UnitKind.DEPARTMENT)
        make_matter(city, f"事项{i}", lead=f"u{i}")
    with CaptureQueriesContext(connection) as many:
        page = client.get("/burden/?month=2026-09")
    assert page.status_code == 200 and 'data-unit="u14"' in page.content.decode()
    assert len(many.captured_queries) == len(few.captured_queries)


def test_s2_8_burden_api(city, asked, client, settings):
    settings.DUCHA_BURDEN_MONTHLY_CAP = 8
    client.force_login(city.carl)
    assert client.get("/api/burden/2026/9").status_code == 403
    client.force_login(city.percy)
    out = client.get("/api/burden/2026/9").json()
    assert out["month"] == "2026-09" and out["cap"] == 8 and "不是评分" in out["note"]
    assert [k["code"] for k in out["kinds"]] == list(KIND_CODES)
    czj = next(u for u in out["units"] if u["unit"]["id"] == city.units["czj"].id)
    assert czj["counts"]["letters"] == 2 and czj["total"] == 9 and czj["over_cap"]
    assert out["over_cap"] == [{"id": city.units["czj"].id, "name": "市财政局"}]
    one = client.get(f"/api/burden/2026/9/units/{city.units['czj'].id}").json()
    items = {i["code"]: i for i in one["items"]}
    assert items["findings"]["count"] == 2 and items["findings"]["meaning"]
    assert not items["evidence"]["in_total"] and one["total"] == 9 and one["over_cap"]
    office = client.get(f"/api/burden/2026/9/units/{city.units['dcs'].id}").json()
    assert office["total"] == 0
    assert client.get("/api/burden/2026/9/units/999999").status_code == 404
    assert client.get("/api/burden/2026/13").status_code == 422
