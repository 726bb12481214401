"""REST API for the ledger year (S2.4) under the ledger pages' rules: the phases (done when, by
whom, what they produced), the June and September flags per unit, the 督查通知 with their
numbers and files, and the supervision office's preview-then-run of a phase.

Matters (2026), as in tests/test_ledger_pages.py: fgw, czj and wancheng each lead one matter
far behind schedule, fgw one on track. victor's portfolio is {fgw, wancheng}; sam is fgw staff,
carl czj staff; sysop an administrator who reads no ledger.
"""

from __future__ import annotations

import json
import typing

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, settings

from ducha.api.ledger_schemas import PhaseCode
from ducha.ledger.actions import do_check_ledger
from ducha.ledger.models import LedgerCheckFlag, LedgerEvent, LedgerYear, Phase, SupervisionNotice
from ducha.ledger.notices import render_notice_files
from ducha.ledger.planning import plan_june_check, plan_reconciliation
from ducha.matters.models import Matter
from ducha.rules.ledger import LedgerPhaseKey
from tests.api_schema import connection_kept, log_in, schema
from tests.ledger_helpers import JUNE, SEPT, build_year, reconcile
from tests.test_ledger_phases import make_matter

NAMES = {"fgw": "市发展和改革委员会", "czj": "市财政局", "wancheng": "宛城区人民政府"}


@pytest.fixture
def built(city, settings, tmp_path, clock):
    return build_year(city, settings, tmp_path, clock)


@pytest.fixture
def reconciled(built, settings, clock):
    return reconcile(built, settings, clock)


def api(user, csrf: bool = False) -> Client:
    client = Client(enforce_csrf_checks=csrf)
    client.force_login(user)
    return client


def test_year_state_says_which_phases_ran_when_and_by_whom(reconciled):
    year = api(reconciled.alice).get("/api/ledger/years/2026").json()
    phases = {p["key"]: p for p in year["phases"]}
    row = LedgerYear.objects.get(year=2026)
    assert [p["key"] for p in year["phases"]] == ["build", "june_check", "september_reconciliation", "year_end_close"]
    assert phases["june_check"]["done_by"]["name"] == "Gina"
    assert phases["june_check"]["runners"] == ["general_office"] and not phases["june_check"]["runs"]
    assert phases["build"]["runners"] == ["supervision_office"] and phases["build"]["runs"]
    assert phases["june_check"]["done_at"].startswith(row.june_checked_at.date().isoformat())
    assert phases["june_check"]["counts"] == {"judged": 4, "flagged": 3, "units": 3, "skipped": 0}
    assert phases["september_reconciliation"]["counts"]["notices"] == 3
    close = phases["year_end_close"]
    assert close["is_next"] and not close["open"] and close["done_at"] is None and close["opens"] == "2026-12-25"
    units = {u["unit"]["name"]: u for u in year["units"]}
    assert units[NAMES["fgw"]]["matters"] == 2 and units[NAMES["fgw"]]["june_check"] == 1
    notice = SupervisionNotice.objects.get(unit__code="fgw")
    assert units[NAMES["fgw"]]["notice"] == {"id": notice.id, "number": notice.number}
    assert year["matter_count"] == 4


@pytest.mark.parametrize("persona,units", [
    ("alice", {"fgw", "czj", "wancheng"}), ("mayor", {"fgw", "czj", "wancheng"}), ("victor", {"fgw", "wancheng"}),
    ("sam", {"fgw"}), ("carl", {"czj"}),
])
def test_each_reader_sees_the_units_in_scope(reconciled, persona, units):
    client = api(reconciled.people[persona])
    year = client.get("/api/ledger/years/2026").json()
    assert {u["unit"]["name"] for u in year["units"]} == {NAMES[u] for u in units}
    # What a phase produced city-wide is the office's working figure, as on the year page.
    assert all(p["counts"] is None for p in year["phases"]) == (persona != "alice")
    numbers = {n["number"] for n in client.get("/api/ledger/notices").json()["items"]}
    assert numbers == set(SupervisionNotice.objects.filter(unit__code__in=units).values_list("number", flat=True))
    flags = client.get("/api/ledger/years/2026/flags").json()["items"]
    assert {f["unit"]["name"] for f in flags} == {NAMES[u] for u in units}
    assert {f["phase"] for f in flags} == {"june_check", "september_reconciliation"}


def test_administrators_read_no_ledger(reconciled):
    notice = SupervisionNotice.objects.first()
    client = api(reconciled.sysop)
    for url in ("/api/ledger/years/2026", "/api/ledger/years/2026/flags", "/api/ledger/notices",
                f"/api/ledger/notices/{notice.id}", f"/api/ledger/notices/{notice.id}/pdf"):
        assert client.get(url).status_code == 404, url


def test_a_unit_without_ledger_data_gets_404_for_an_empty_year(reconciled):
    assert api(reconciled.sam).get("/api/ledger/years/2025").status_code == 404
    assert api(reconciled.alice).get("/api/ledger/years/2025").status_code == 200  # the office imports into it


def test_flags_page_and_filter(reconciled):
    for i in range(5):
        make_matter(reconciled, "fgw", progress=1, title=f"追加{i}")
    LedgerCheckFlag.objects.bulk_create(
        LedgerCheckFlag(ledger_year=LedgerYear.objects.get(), phase="june_check", matter=m, unit=m.lead_unit,
                        progress=1, elapsed_share="0.5", checked_on=JUNE)
        for m in Matter.objects.filter(title__startswith="追加")
    )
    sam = api(reconciled.sam)
    first = sam.get("/api/ledger/years/2026/flags?phase=june_check&limit=4").json()
    rest = sam.get(f"/api/ledger/years/2026/flags?phase=june_check&limit=4&after={first['next_after']}").json()
    titles = [f["matter"]["title"] for f in first["items"] + rest["items"]]
    assert titles == ["fgw滞后"] + [f"追加{i}" for i in range(5)] and rest["next_after"] is None
    flag = first["items"][0]
    assert flag["rectification"]["rectified_on"] is None and flag["elapsed_share"] > flag["progress"] / 100
    czj = reconciled.units["czj"].id
    assert sam.get(f"/api/ledger/years/2026/flags?unit={czj}").json()["items"] == []
    september = sam.get("/api/ledger/years/2026/flags?phase=september_reconciliation").json()["items"]
    assert [f["notice"]["number"] for f in september] == [SupervisionNotice.objects.get(unit__code="fgw").number]


def test_the_receiving_unit_reads_its_notice(reconciled):
    fgw = SupervisionNotice.objects.get(unit__code="fgw")
    assert api(reconciled.carl).get(f"/api/ledger/notices/{fgw.id}").status_code == 404
    api(reconciled.alice).get(f"/api/ledger/notices/{fgw.id}")
    assert SupervisionNotice.objects.get(pk=fgw.pk).read_at is None  # the office reading it is no 签收
    sam = api(reconciled.sam)
    assert [n["number"] for n in sam.get("/api/ledger/notices?unread=true").json()["items"]] == [fgw.number]
    detail = sam.get(f"/api/ledger/notices/{fgw.id}").json()
    assert detail["number"] == fgw.number and [f["matter"]["title"] for f in detail["flags"]] == ["fgw滞后"]
    assert [m["title"] for m in detail["matters"]] == ["fgw滞后"] and detail["rectify_by"] == str(fgw.rectify_by)
    assert detail["read_by"]["name"] == "Sam" and detail["docx"] is False
    assert sam.get("/api/ledger/notices?unread=true").json()["items"] == []


def test_notice_files_download_within_scope(reconciled):
    notice = SupervisionNotice.objects.get(unit__code="wancheng")
    victor, sam = api(reconciled.victor), api(reconciled.sam)
    assert victor.get(f"/api/ledger/notices/{notice.id}/pdf").status_code == 404  # not rendered yet
    assert render_notice_files(notice)
    pdf = victor.get(f"/api/ledger/notices/{notice.id}/pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")
    docx = victor.get(f"/api/ledger/notices/{notice.id}/docx")
    assert docx.status_code == 200 and b"".join(docx.streaming_content).startswith(b"PK")
    assert docx["Content-Disposition"].startswith("attachment")
    assert sam.get(f"/api/ledger/notices/{notice.id}/docx").status_code == 404
    assert victor.get(f"/api/ledger/notices/{notice.id}/xlsx").status_code == 422


def test_the_office_previews_then_runs_a_phase_once(built):
    gina = api(built.gina)
    url = "/api/ledger/years/2026/phases/june_check"
    plan = gina.get(url).json()
    assert plan["blocker"] == "" and plan["digest"] == plan_june_check(2026, JUNE).digest and plan["runs"]
    assert (plan["cutoff"], plan["as_of"]) == ("2026-06-30", JUNE.isoformat())  # run before the cut-off
    assert {f["matter"]["title"] for f in plan["flags"]} == {"fgw滞后", "czj滞后", "wancheng滞后"}
    assert {tuple(f["reasons"]) for f in plan["flags"]} == {("behind_share",)}
    assert plan["self_check"]["confirmed"] == [] and len(plan["self_check"]["unconfirmed"]) == 3
    ran = gina.post(url, {"digest": plan["digest"]}, content_type="application/json")
    assert ran.status_code == 200, ran.content
    phases = {p["key"]: p for p in ran.json()["ledger"]["phases"]}
    assert phases["june_check"]["done_by"]["name"] == "Gina" and phases["september_reconciliation"]["is_next"]
    assert LedgerCheckFlag.objects.count() == 3
    again = gina.post(url, {"digest": plan["digest"]}, content_type="application/json")
    assert again.status_code == 409 and "已完成" in again.json()["detail"]
    assert LedgerCheckFlag.objects.count() == 3 and LedgerEvent.objects.filter(phase=Phase.JUNE_CHECK).count() == 1


def test_a_stale_preview_and_a_phase_out_of_order_are_refused(built, settings, clock):
    gina = api(built.gina)
    url = "/api/ledger/years/2026/phases/june_check"
    digest = gina.get(url).json()["digest"]
    Matter.objects.filter(title="czj滞后").update(progress=80)
    stale = gina.post(url, {"digest": digest}, content_type="application/json")
    assert stale.status_code == 409 and "重新查看预览" in stale.json()["detail"]
    clock.set(SEPT)
    gina = api(built.gina)  # a new session: the one of June has long expired
    early = "/api/ledger/years/2026/phases/september_reconciliation"
    blocked = gina.get(early)
    assert blocked.status_code == 200, blocked.content
    blocked = blocked.json()
    assert "6月查账" in blocked["blocker"]
    refused = gina.post(early, {"digest": blocked["digest"]}, content_type="application/json")
    assert refused.status_code == 409
    assert LedgerYear.objects.get(year=2026).done_phases() == {"build"} and not SupervisionNotice.objects.exists()


def test_the_september_run_issues_numbered_notices(built, settings, clock):
    do_check_ledger(actor=built.gina, year=2026, today=JUNE)
    clock.set(SEPT)
    url = "/api/ledger/years/2026/phases/september_reconciliation"
    gina = api(built.gina)
    plan = gina.get(url).json()
    assert plan["numbers"] == plan_reconciliation(2026, SEPT).numbers and len(plan["numbers"]) == 3
    ran = gina.post(url, {"digest": plan["digest"]}, content_type="application/json").json()
    assert [n["number"] for n in ran["notices"]] == plan["numbers"]
    assert {u["notice"]["number"] for u in ran["ledger"]["units"]} == set(plan["numbers"])


@pytest.mark.parametrize("persona", ["sam", "victor", "mayor", "sysop"])
def test_only_the_city_offices_preview_the_june_check(built, persona):
    client = api(built.people[persona])
    url = "/api/ledger/years/2026/phases/june_check"
    assert client.get(url).status_code == 404
    response = client.post(url, {"digest": plan_june_check(2026, JUNE).digest}, content_type="application/json")
    assert response.status_code == 404
    assert not LedgerCheckFlag.objects.exists() and LedgerYear.objects.get().june_checked_at is None


@pytest.mark.parametrize("persona", ["alice", "percy"])
def test_s2_4_the_supervision_office_reads_but_does_not_run_the_june_check(built, persona):
    client = api(built.people[persona])
    url = "/api/ledger/years/2026/phases/june_check"
    plan = client.get(url).json()
    assert not plan["runs"] and len(plan["flags"]) == 3
    response = client.post(url, {"digest": plan["digest"]}, content_type="application/json")
    assert response.status_code == 403 and "市政府办公室" in response.json()["detail"]
    assert not LedgerCheckFlag.objects.exists() and LedgerYear.objects.get().june_checked_at is None


def test_bad_input_changes_nothing_and_names_the_field(built):
    alice, url = api(built.alice), "/api/ledger/years/2026/phases/june_check"
    for response, field in [
        (alice.post(url, {"digest": ""}, content_type="application/json"), "digest"),
        (alice.post(url, {}, content_type="application/json"), "digest"),
        (alice.post("/api/ledger/years/2026/phases/midsummer", {"digest": "x"}, content_type="application/json"),
         "phase"),
        (alice.get("/api/ledger/years/2026/flags?phase=build"), "phase"),
        (alice.get("/api/ledger/years/99/flags"), "year"),
        (alice.get("/api/ledger/notices?limit=0"), "limit"),
    ]:
        assert response.status_code == 422, (field, response.content)
        assert field in json.dumps(response.json()["errors"]), (field, response.json())
    assert not LedgerCheckFlag.objects.exists() and LedgerYear.objects.get().june_checked_at is None


def test_runs_need_the_csrf_token_of_the_session(built):
    client = api(built.gina, csrf=True)
    response = client.post("/api/ledger/years/2026/phases/june_check", {"digest": plan_june_check(2026, JUNE).digest},
                           content_type="application/json")
    assert response.status_code == 403 and LedgerYear.objects.get().june_checked_at is None


def _count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, response.content
    return len(ctx.captured_queries)


@pytest.mark.parametrize("persona", ["alice", "sam", "victor"])
def test_list_endpoints_run_a_fixed_number_of_queries(reconciled, persona):
    client = api(reconciled.people[persona])
    urls = ["/api/ledger/years/2026", "/api/ledger/years/2026/flags", "/api/ledger/notices"]
    for url in urls:
        client.get(url)  # warm the calendar cache
    before = {url: _count(client, url) for url in urls}
    for i in range(12):
        make_matter(reconciled, ("fgw", "czj", "wancheng", "gxq")[i % 4], progress=1, title=f"追加{i}")
    row = LedgerYear.objects.get()
    LedgerCheckFlag.objects.bulk_create(
        LedgerCheckFlag(ledger_year=row, phase="june_check", matter=m, unit=m.lead_unit, progress=1,
                        elapsed_share="0.5", checked_on=JUNE)
        for m in Matter.objects.filter(title__startswith="追加")
    )
    notice = SupervisionNotice.objects.get(unit__code="fgw")
    notice.matters.add(*Matter.objects.filter(title__startswith="追加", lead_unit__code="fgw"))
    after = {url: _count(client, url) for url in urls}
    assert after == before
    assert max(after.values()) <= 16, after


def test_api_phases_are_the_rules_phases():
    assert [p.value for p in PhaseCode] == list(typing.get_args(LedgerPhaseKey))


# -- the OpenAPI document holds with data behind it ------------------------------------------


@pytest.fixture
def ledger_session(reconciled, client, settings):
    for notice in SupervisionNotice.objects.filter(unit__code="fgw"):
        render_notice_files(notice)
    with connection_kept():
        yield log_in(client, reconciled.alice, settings)


@schema.include(tag="ledger", method="GET").parametrize()
@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
@pytest.mark.django_db
def test_ledger_reads_conform_with_data(case, ledger_session):
    """0 server errors, 0 responses that break the schema, on a reconciled ledger year."""
    case.call_and_validate()
