"""S1.6: the half-yearly lawful-administration check (依法行政检查评估): the office opens a
half-year's check of the municipal departments, records deductions with their findings,
publishes the scores and hands a bad case to an efficiency case in one step; each department
reads its own result, a city leader the portfolio's, the performance office every one."""

from __future__ import annotations

import subprocess
import sys
from datetime import date

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, settings

from ducha.accountability.models import Case, CaseSource
from ducha.audit.models import AuditEvent
from ducha.inbox.models import Notification
from ducha.lawful.actions import (
    DeductionInput,
    LawfulError,
    NotYours,
    do_hand_to_case,
    do_open_check,
    do_publish_check,
    do_record_deduction,
)
from ducha.lawful.models import Check, CheckState, Deduction
from ducha.lawful.summary import unit_lawful, units_lawful
from ducha.org.models import Unit, UnitKind, User
from ducha.org.roles import Role
from ducha.rules.lawful import parse_checklist
from tests.api_schema import connection_kept, log_in, schema

TODAY = date(2026, 7, 6)


def opened(city, period: str = "2026-H1") -> Check:
    return do_open_check(actor=city.alice, period=period, today=TODAY)


def deduct(city, check: Check, unit: str, item: str, points: int, finding: str = "发现问题") -> Deduction | None:
    return do_record_deduction(actor=city.alice, check=check,
                               data=DeductionInput(city.units[unit].pk, item, points, finding))


def test_s1_6_opening_freezes_the_checklist_and_the_departments(city, clock, settings,
                                                               django_capture_on_commit_callbacks):
    clock.set(TODAY)
    with django_capture_on_commit_callbacks(execute=True):
        check = opened(city)
    assert check.state == CheckState.OPEN and check.period == "2026-H1"
    assert set(check.units.values_list("code", flat=True)) == {"fgw", "czj"}  # the departments, not the offices
    assert sum(i["points"] for i in check.checklist) == 100
    assert Notification.objects.filter(user=city.ursula).exists() and Notification.objects.filter(user=city.carl).exists()
    assert AuditEvent.objects.filter(action="lawful.open").count() == 1
    # The setting changes later, and a new department appears: the old check keeps what it had.
    settings.DUCHA_LAWFUL_CHECKLIST = parse_checklist("only:50:唯一一项")
    Unit.objects.create(code="sfj", name="市司法局", kind=UnitKind.DEPARTMENT)
    check.refresh_from_db()
    assert len(check.checklist) == 6 and check.units.count() == 2
    later = opened(city, "2025-H2")
    assert later.checklist == [{"code": "only", "points": 50, "name": "唯一一项", "name_en": ""}]
    assert later.units.count() == 3


@pytest.mark.parametrize(("period", "field"), [("2026", "period"), ("2026-Q1", "period"), ("2027-H1", "period"),
                                                ("junk", "period")])
def test_s1_6_a_bad_half_year_is_refused_and_opens_nothing(city, clock, period, field):
    clock.set(TODAY)
    with pytest.raises(LawfulError) as e:
        opened(city, period)
    assert field in e.value.errors and not Check.objects.exists()


def test_s1_6_one_check_per_half_year_and_only_the_office_opens_it(city, clock):
    clock.set(TODAY)
    opened(city)
    with pytest.raises(LawfulError, match="2026"):
        opened(city)
    for who in (city.gina, city.percy, city.ursula, city.victor):
        with pytest.raises(NotYours):
            do_open_check(actor=who, period="2025-H2", today=TODAY)
    assert Check.objects.count() == 1


def test_s1_6_score_is_the_points_less_the_deductions(city, clock):
    clock.set(TODAY)
    check = opened(city)
    deduct(city, check, "fgw", "document_review", 5, "规范性文件未经合法性审核")
    deduct(city, check, "fgw", "openness", 2, "年报逾期")
    deduct(city, check, "fgw", "openness", 3, "年报逾期且内容不全")  # corrects, does not add
    deduct(city, check, "czj", "law_training", 0, "已组织学法，记录不全")  # a note without points
    year = units_lawful([city.units["fgw"].pk, city.units["czj"].pk], 2026)
    assert year == {city.units["fgw"].pk: [], city.units["czj"].pk: []}  # not published: the evaluation sees none
    do_publish_check(actor=city.alice, check=check)
    (fgw,) = unit_lawful(city.units["fgw"], 2026)
    assert (fgw.period, fgw.total, fgw.deducted, fgw.score) == ("2026-H1", 100, 8, 92)
    assert [(f.item, f.points, f.finding) for f in fgw.findings] == [
        ("document_review", 5, "规范性文件未经合法性审核"), ("openness", 3, "年报逾期且内容不全")]
    assert fgw.findings[0].item_name == "规范性文件合法性审核"
    (czj,) = unit_lawful(city.units["czj"].pk, 2026)
    assert czj.score == 100 and czj.findings[0].points == 0
    assert unit_lawful(city.units["fgw"], 2025) == []


def test_s1_6_bad_deductions_name_the_field_and_change_nothing(city, clock):
    clock.set(TODAY)
    check = opened(city)
    deduct(city, check, "fgw", "openness", 2, "年报逾期")
    cases = [
        (("fgw", "openness", 16, "x"), "points"),  # the item has 15 points
        (("fgw", "openness", 3, "  "), "finding"),
        (("fgw", "no_such_item", 3, "x"), "item"),
        (("wancheng", "openness", 3, "x"), "unit"),  # a county is not in the check
        (("fgw", "openness", -1, "x"), "points"),
        (("fgw", "openness", 3, "长" * 2001), "finding"),
    ]
    for args, field in cases:
        with pytest.raises(LawfulError) as e:
            deduct(city, check, *args)
        assert field in e.value.errors, (args, e.value.errors)
    with pytest.raises(NotYours):
        do_record_deduction(actor=city.percy, check=check, data=DeductionInput(city.units["fgw"].pk, "openness", 1, "x"))
    assert list(Deduction.objects.values_list("unit__code", "item", "points", "finding")) == [
        ("fgw", "openness", 2, "年报逾期")]
    deduct(city, check, "fgw", "openness", 0, "")  # no points, no words: cleared
    assert not Deduction.objects.exists()


def test_s1_6_publishing_tells_each_department_its_score_and_freezes_the_check(city, clock,
                                                                             django_capture_on_commit_callbacks):
    clock.set(TODAY)
    check = opened(city)
    deduct(city, check, "czj", "enforcement_rules", 6, "重大执法决定未经法制审核")
    Notification.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        do_publish_check(actor=city.alice, check=check)
    assert check.state == CheckState.PUBLISHED and check.published_at
    assert "94" in Notification.objects.get(user=city.carl).body
    assert "100" in Notification.objects.get(user=city.ursula).body
    with pytest.raises(LawfulError, match="已公布"):
        deduct(city, check, "czj", "openness", 1, "x")
    with pytest.raises(LawfulError):
        do_publish_check(actor=city.alice, check=check)
    assert Deduction.objects.count() == 1
    event = AuditEvent.objects.get(action="lawful.publish")
    assert event.after["scores"] == {str(city.units["fgw"].pk): 100, str(city.units["czj"].pk): 94} or \
        event.after["scores"] == {city.units["fgw"].pk: 100, city.units["czj"].pk: 94}


def test_s1_6_a_finding_is_handed_to_an_efficiency_case_in_one_step(city, clock):
    clock.set(TODAY)
    check = opened(city)
    row = deduct(city, check, "czj", "enforcement_rules", 6, "重大执法决定未经法制审核")
    case = do_hand_to_case(actor=city.alice, deduction=row, conduct="misconduct", evidence="案卷3件")
    assert (case.unit_id, case.source, case.conduct, case.state) == (
        city.units["czj"].pk, CaseSource.LAWFUL_CHECK, "misconduct", "lead")
    assert "2026年上半年" in case.summary and "行政执法" in case.summary and "法制审核" in case.summary
    row.refresh_from_db()
    assert row.case_id == case.pk
    with pytest.raises(LawfulError):
        do_hand_to_case(actor=city.alice, deduction=row, conduct="misconduct")
    with pytest.raises(LawfulError) as e:
        deduct(city, check, "czj", "enforcement_rules", 0, "")
    assert "finding" in e.value.errors
    other = deduct(city, check, "fgw", "openness", 2, "年报逾期")
    with pytest.raises(LawfulError) as e:
        do_hand_to_case(actor=city.alice, deduction=other, conduct="caning")
    assert "conduct" in e.value.errors and Case.objects.count() == 1
    assert AuditEvent.objects.filter(action="lawful.hand_to_case").count() == 1
    # The office's page links to the case.
    alice = Client()
    alice.force_login(city.alice)
    page = alice.get(reverse("lawful:unit", args=[check.pk, city.units["czj"].pk])).content.decode()
    assert reverse("accountability:case", args=[case.pk]) in page


def test_s1_6_who_reads_which_result_on_the_pages_and_the_api(city, clock):
    clock.set(TODAY)
    check = opened(city)
    deduct(city, check, "czj", "openness", 4, "财政信息公开不及时")
    fgw, czj = city.units["fgw"].pk, city.units["czj"].pk
    page, fgw_page, czj_page = (reverse("lawful:check", args=[check.pk]), reverse("lawful:unit", args=[check.pk, fgw]),
                                reverse("lawful:unit", args=[check.pk, czj]))
    api = f"/api/lawful/checks/{check.pk}"
    # Under way: the city-wide offices only.
    for user, status in [(city.alice, 200), (city.percy, 200), (city.gina, 200), (city.ursula, 404),
                         (city.victor, 404), (city.mayor, 404), (city.carl, 404), (city.sysop, 404)]:
        c = Client()
        c.force_login(user)
        assert c.get(page).status_code == status, user
        assert c.get(api).status_code == status, user
    do_publish_check(actor=city.alice, check=check)
    for user, fgw_status, czj_status in [(city.ursula, 200, 404), (city.sam, 200, 404), (city.carl, 404, 200),
                                         (city.victor, 200, 404), (city.mayor, 200, 200), (city.percy, 200, 200),
                                         (city.sysop, 404, 404), (city.audrey, 404, 404)]:
        c = Client()
        c.force_login(user)
        assert c.get(fgw_page).status_code == fgw_status, user
        assert c.get(czj_page).status_code == czj_status, user
        assert c.get(f"{api}/units/{czj}").status_code == czj_status, user
    carl = Client()
    carl.force_login(city.carl)
    body = carl.get(api).json()
    assert [r["unit"]["id"] for r in body["results"]] == [czj]
    assert body["results"][0]["score"] == 96 and body["results"][0]["explanation"] == "100 - 4 = 96 (openness -4)"
    assert "财政信息公开不及时" in carl.get(czj_page).content.decode()
    ursula = Client()
    ursula.force_login(city.ursula)
    assert [r["unit"]["id"] for r in ursula.get(api).json()["results"]] == [fgw]
    assert ursula.post(czj_page, {"step": "deduct", "item": "openness", "points": "1", "finding": "x"}).status_code == 404
    assert Client().get(api).status_code == 401


def test_s1_6_the_pages_walk_with_confirmations(city, clock):
    clock.set(TODAY)
    alice = Client()
    alice.force_login(city.alice)
    form = alice.get(reverse("lawful:new")).content.decode()
    assert 'data-testid="open-effect"' in form and "2026年上半年" in form and "规范性文件合法性审核" in form
    unconfirmed = alice.post(reverse("lawful:new"), {"period": "2026-H1"})
    assert unconfirmed.status_code == 400 and "请确认" in unconfirmed.content.decode()
    assert not Check.objects.exists()
    assert alice.post(reverse("lawful:new"), {"period": "2026-H1", "confirm": "yes"}).status_code == 302
    check = Check.objects.get()
    unit_url = reverse("lawful:unit", args=[check.pk, city.units["fgw"].pk])
    bad = alice.post(unit_url, {"step": "deduct", "item": "openness", "points": "20", "finding": "x"})
    assert bad.status_code == 400 and "15" in bad.content.decode() and not Deduction.objects.exists()
    assert alice.post(unit_url, {"step": "deduct", "item": "openness", "points": "3",
                                 "finding": "年报逾期"}).status_code == 302
    row = Deduction.objects.get()
    assert alice.post(unit_url, {"step": "case", "deduction": row.pk, "conduct": "slow"}).status_code == 302
    assert Deduction.objects.get().case.source == "lawful_check"
    grid = alice.get(reverse("lawful:check", args=[check.pk])).content.decode()
    assert 'data-testid="publish-effect"' in grid and "−3" in grid
    assert alice.post(reverse("lawful:check", args=[check.pk]), {"step": "publish"}).status_code == 400
    assert Check.objects.get().state == CheckState.OPEN
    assert alice.post(reverse("lawful:check", args=[check.pk]), {"step": "publish", "confirm": "yes"}).status_code == 302
    assert Check.objects.get().state == CheckState.PUBLISHED
    ursula = Client()
    ursula.force_login(city.ursula)
    mine = ursula.get(unit_url).content.decode()
    assert "97" in mine and "年报逾期" in mine and 'name="step"' not in mine
    assert reverse("lawful:check", args=[check.pk]) in ursula.get(reverse("lawful:index")).content.decode()


def test_s1_6_the_api_opens_records_hands_over_and_publishes(city, clock):
    clock.set(TODAY)
    alice = Client()
    alice.force_login(city.alice)
    unconfirmed = alice.post("/api/lawful/checks", {"period": "2026-H1"}, content_type="application/json")
    assert unconfirmed.status_code == 400 and "confirm" in unconfirmed.json()["errors"]
    assert alice.post("/api/lawful/checks", {"period": "2027-H1", "confirm": True},
                      content_type="application/json").status_code == 400
    r = alice.post("/api/lawful/checks", {"period": "2026-H1", "confirm": True}, content_type="application/json")
    assert r.status_code == 201, r.content
    check = r.json()
    assert [i["points"] for i in check["checklist"]] == [20, 15, 20, 15, 15, 15]
    fgw = city.units["fgw"].pk
    url = f"/api/lawful/checks/{check['id']}/deductions"
    bad = alice.post(url, {"unit_id": fgw, "item": "openness", "points": 4}, content_type="application/json")
    assert bad.status_code == 400 and "finding" in bad.json()["errors"]
    done = alice.post(url, {"unit_id": fgw, "item": "openness", "points": 4, "finding": "年报逾期"},
                      content_type="application/json")
    assert done.status_code == 200 and done.json()["score"] == 96
    line = next(ln for ln in done.json()["lines"] if ln["item"] == "openness")
    assert (line["points"], line["deducted"], line["kept"]) == (15, 4, 11)
    ursula = Client()
    ursula.force_login(city.ursula)
    assert ursula.post(url, {"unit_id": fgw, "item": "openness", "points": 1, "finding": "x"},
                       content_type="application/json").status_code == 404  # an open check is not theirs to see
    handed = alice.post(f"/api/lawful/findings/{line['finding_id']}/case", {"conduct": "slow"},
                        content_type="application/json")
    assert handed.status_code == 201 and Case.objects.get(pk=handed.json()["case_id"]).source == "lawful_check"
    again = alice.post(f"/api/lawful/findings/{line['finding_id']}/case", {"conduct": "slow"},
                       content_type="application/json")
    assert again.status_code == 400
    publish = f"/api/lawful/checks/{check['id']}/publish"
    assert alice.post(publish, {}, content_type="application/json").status_code == 400
    assert ursula.post(publish, {"confirm": True}, content_type="application/json").status_code == 404
    out = alice.post(publish, {"confirm": True}, content_type="application/json")
    assert out.status_code == 200 and out.json()["state"] == "published"
    assert ursula.post(publish, {"confirm": True}, content_type="application/json").status_code == 403
    assert ursula.get(f"/api/lawful/checks/{check['id']}/units/{fgw}").json()["score"] == 96
    assert [c["id"] for c in ursula.get("/api/lawful/checks").json()["items"]] == [check["id"]]


def test_s1_6_the_check_page_reads_in_few_queries_whatever_the_departments(city, clock,
                                                                           django_assert_max_num_queries):
    clock.set(TODAY)
    for i in range(40):
        Unit.objects.create(code=f"d{i}", name=f"部门{i}", kind=UnitKind.DEPARTMENT, sort_order=i)
    check = opened(city)
    for i in range(0, 40, 3):
        do_record_deduction(actor=city.alice, check=check, data=DeductionInput(
            Unit.objects.get(code=f"d{i}").pk, "openness", 1, "迟报"))
    alice = Client()
    alice.force_login(city.alice)
    with django_assert_max_num_queries(16):
        assert alice.get(reverse("lawful:check", args=[check.pk])).status_code == 200
    with django_assert_max_num_queries(16):
        assert alice.get(f"/api/lawful/checks/{check.pk}").status_code == 200
    do_publish_check(actor=city.alice, check=check)
    ids = list(Unit.objects.values_list("pk", flat=True))
    with django_assert_max_num_queries(3):
        scores = units_lawful(ids, 2026)
    assert len(scores) == len(ids) and sum(len(v) for v in scores.values()) == 42


def test_s1_6_a_bad_checklist_setting_stops_the_start(tmp_path):
    code = ("import os, django; os.environ['DJANGO_SETTINGS_MODULE']='ducha.settings';"
            "from django.conf import settings; print(settings.DUCHA_LAWFUL_CHECKLIST)")
    import os
    env = {k: v for k, v in os.environ.items() if not k.startswith("DUCHA_")}
    env.update(DUCHA_DATA_DIR=str(tmp_path), DUCHA_LAWFUL_CHECKLIST="a:10:甲;a:5:乙")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=False)
    assert out.returncode != 0 and "DUCHA_LAWFUL_CHECKLIST" in out.stderr and "twice" in out.stderr


def test_s1_6_demo_city_has_the_first_half_checked_and_one_case(db, clock):
    from ducha.lawful.demo import build_demo_lawful
    from ducha.org.demo import build_demo_organisation
    from ducha.workcal.demo import build_demo_calendar

    clock.set(TODAY)
    build_demo_calendar()
    build_demo_organisation()
    assert build_demo_lawful() == 4
    assert build_demo_lawful() == 0  # idempotent
    check = Check.objects.get(period="2026-H1")
    assert check.state == CheckState.PUBLISHED and check.units.count() > 10
    assert Deduction.objects.filter(case__source="lawful_check").count() == 1
    czj = Unit.objects.get(code="czj")
    assert unit_lawful(czj, 2026)[0].score == 94


@pytest.fixture
def lawful_session(city, clock, client, settings):
    clock.set(TODAY)
    check = opened(city)
    row = deduct(city, check, "czj", "openness", 4, "财政信息公开不及时")
    do_hand_to_case(actor=city.alice, deduction=row, conduct="slow")
    deduct(city, check, "fgw", "law_training", 3, "未组织集体学法")
    published = opened(city, "2025-H2")
    deduct(city, published, "fgw", "document_review", 5, "未经合法性审核")
    do_publish_check(actor=city.alice, check=published)
    User.objects.filter(pk=city.alice.pk).update(role=Role.SUPERVISION_OFFICE)
    with connection_kept():
        yield log_in(client, city.alice, settings)


@schema.include(tag="lawful").parametrize()
@settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck))
@pytest.mark.django_db
def test_lawful_api_conforms_with_data(case, lawful_session):
    """S1.6: 0 server errors, 0 responses that break the schema, on an open and a published check."""
    case.call_and_validate()
