"""S1.16: the accountability register with its ladder, appeals and consequences, through the
actions, the pages and the API (issue 14).

fgw's principal (fgw_head) and leader in charge (fgw_deputy) are held to account; alice
(supervision office) registers, ursula (fgw's administrator) appeals, victor's portfolio holds
fgw, carl (czj staff) sees none of it.
"""

from __future__ import annotations

import json
from datetime import date

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, settings

from ducha.accountability.actions import (
    AccountabilityError,
    NotYours,
    RecordInput,
    Settlement,
    do_appeal_record,
    do_decide_appeal,
    do_register_record,
    do_settle_consequence,
)
from ducha.accountability.models import Consequence, Record
from ducha.accountability.summary import unit_accountability
from ducha.audit.models import AuditEvent
from ducha.inbox.models import Notification
from ducha.org.models import UnitPost, UnitPostKind, User
from ducha.org.roles import Role
from tests.api_schema import connection_kept, log_in, schema

TODAY = date(2026, 11, 16)


@pytest.fixture
def leaders(city):
    fgw = city.units["fgw"]
    head = User.objects.create_user(username="fgw_head", password="x", name="主任甲", role=Role.UNIT_STAFF, unit=fgw)
    deputy = User.objects.create_user(username="fgw_deputy", password="x", name="副主任乙", role=Role.UNIT_STAFF,
                                      unit=fgw)
    UnitPost.objects.create(unit=fgw, person=head, kind=UnitPostKind.PRINCIPAL)
    UnitPost.objects.create(unit=fgw, person=deputy, kind=UnitPostKind.IN_CHARGE)
    return head, deputy


def register(city, leaders, n: str, day: date, **kw) -> Record:
    data = RecordInput(unit_id=city.units["fgw"].pk, people_ids=tuple(p.pk for p in leaders), cause="other",
                       reason="推进迟缓", form="notice", deciding_body="市纪委监委", document_number=n, decided_on=day)
    return do_register_record(actor=city.alice, data=RecordInput(**{**data.__dict__, **kw}), today=TODAY)


def live(city):
    return list(Consequence.objects.exclude(state="withdrawn").order_by("id")
                .values_list("raised_by__document_number", "rung", "person__username"))


def test_s1_16_ladder_at_one_two_and_three_records(city, leaders, clock, django_capture_on_commit_callbacks):
    clock.set(TODAY)
    register(city, leaders, "宛纪〔2026〕1号", date(2026, 3, 2))
    assert live(city) == []
    register(city, leaders, "宛纪〔2026〕2号", date(2026, 7, 15))
    assert live(city) == [("宛纪〔2026〕2号", "admonishment_talk", "fgw_head"),
                          ("宛纪〔2026〕2号", "admonishment_talk", "fgw_deputy")]
    with django_capture_on_commit_callbacks(execute=True):
        third = register(city, leaders, "宛纪〔2026〕3号", date(2026, 11, 2))
    assert live(city)[2:] == [("宛纪〔2026〕3号", "sanction_referral", "fgw_head"),
                              ("宛纪〔2026〕3号", "sanction_referral", "fgw_deputy")]
    referral = Consequence.objects.filter(raised_by=third).first()
    assert referral.count == 3 and len(referral.records) == 3 and referral.due_on == date(2026, 12, 15)
    # The unit, the people named and the office are told; the audit trail has each record.
    assert Notification.objects.filter(user=city.ursula, title__contains="宛纪〔2026〕3号").exists()
    assert Notification.objects.filter(user=leaders[0], title__contains="宛纪〔2026〕3号").exists()
    assert Notification.objects.filter(user=city.alice, light="red").count() == 2  # the two referrals
    assert AuditEvent.objects.filter(action="accountability.register").count() == 3
    # What the evaluation reads: three records, four standing consequences, each with its records.
    facts = unit_accountability(None, date(2026, 1, 1), date(2026, 12, 31))[city.units["fgw"].pk]
    assert facts.count == 3 and len(facts.consequences) == 4


def test_s1_16_a_record_in_another_year_is_not_counted(city, leaders, clock):
    clock.set(TODAY)
    register(city, leaders, "宛纪〔2025〕9号", date(2025, 12, 30))
    register(city, leaders, "宛纪〔2026〕1号", date(2026, 1, 5))
    assert live(city) == []


def test_s1_16_a_rolling_window_counts_across_new_year(city, leaders, clock, settings):
    settings.DUCHA_ACCOUNTABILITY_WINDOW = "rolling_12_months"
    clock.set(TODAY)
    register(city, leaders, "宛纪〔2025〕9号", date(2025, 12, 30))
    register(city, leaders, "宛纪〔2026〕1号", date(2026, 1, 5))
    assert [r[1] for r in live(city)] == ["admonishment_talk", "admonishment_talk"]


def test_s1_16_an_upheld_appeal_revokes_the_record_and_recomputes_the_ladder(city, leaders, clock):
    clock.set(TODAY)
    register(city, leaders, "宛纪〔2026〕1号", date(2026, 3, 2))
    second = register(city, leaders, "宛纪〔2026〕2号", date(2026, 10, 20))
    register(city, leaders, "宛纪〔2026〕3号", date(2026, 11, 2))
    with pytest.raises(NotYours):
        do_appeal_record(actor=city.sam, record=second, reason="事实不清", today=TODAY)
    do_appeal_record(actor=city.ursula, record=second, reason="事实不清", today=TODAY)
    with pytest.raises(AccountabilityError, match="已提出过申诉"):
        do_appeal_record(actor=city.ursula, record=second, reason="再次申诉", today=TODAY)
    do_decide_appeal(actor=city.alice, record=second, upheld=True, answer="经复查，事实不清，撤销", today=TODAY)
    second.refresh_from_db()
    assert second.revoked and second.appeal == "upheld"
    # The talk the 2nd raised and the referral the 3rd raised are withdrawn, with the reason;
    # the 3rd is now the 2nd of the year and raises a talk.
    withdrawn = Consequence.objects.filter(state="withdrawn")
    assert withdrawn.count() == 4 and all("宛纪〔2026〕2号" in c.outcome for c in withdrawn)
    assert live(city) == [("宛纪〔2026〕3号", "admonishment_talk", "fgw_head"),
                          ("宛纪〔2026〕3号", "admonishment_talk", "fgw_deputy")]
    assert Record.objects.count() == 3  # nothing deleted
    assert unit_accountability([city.units["fgw"].pk], date(2026, 1, 1), date(2026, 12, 31))[
        city.units["fgw"].pk].count == 2


def test_s1_16_an_appeal_after_its_period_is_refused(city, leaders, clock):
    clock.set(TODAY)
    old = register(city, leaders, "宛纪〔2026〕1号", date(2026, 3, 2))
    with pytest.raises(AccountabilityError, match="2026-0"):
        do_appeal_record(actor=city.ursula, record=old, reason="事实不清", today=TODAY)
    assert Record.objects.get(pk=old.pk).appeal == ""


def test_s1_16_sanction_period_computed_with_a_running_one_and_the_cap(city, leaders, clock):
    clock.set(TODAY)
    for i, day in enumerate([date(2026, 1, 5), date(2026, 2, 5), date(2026, 3, 5), date(2026, 4, 6)], start=1):
        register(city, leaders, f"宛纪〔2026〕{i}号", day)
    head = leaders[0]
    first, second = Consequence.objects.filter(person=head, rung="sanction_referral").order_by("id")
    with pytest.raises(AccountabilityError) as e:
        do_settle_consequence(actor=city.alice, consequence=first, data=Settlement("done", "已作出处分"))
    assert set(e.value.errors) == {"sanction", "sanction_number", "sanction_from"}
    done = do_settle_consequence(actor=city.alice, consequence=first, data=Settlement(
        "done", "已作出处分", "dismissal", "宛监〔2026〕1号", date(2026, 5, 1)))
    assert done.sanction_until == date(2028, 4, 30)
    more = do_settle_consequence(actor=city.alice, consequence=second, data=Settlement(
        "done", "已作出处分", "demotion", "宛监〔2026〕2号", date(2026, 6, 1)))
    # 24 months plus the 700 days left of the first (the 48-month cap: tests/rules).
    assert more.sanction_until == date(2030, 5, 1) and "700 days" in more.period_explained
    with pytest.raises(AccountabilityError, match="不在待落实状态"):
        do_settle_consequence(actor=city.alice, consequence=first, data=Settlement("not_adopted", "x"))


def test_bad_input_names_each_field_and_changes_nothing(city, leaders, clock):
    clock.set(TODAY)
    with pytest.raises(AccountabilityError) as e:
        register(city, leaders, "", date(2026, 12, 1), form="caning", reason=" ", people_ids=(city.sam.pk,),
                 cause="matter")
    assert set(e.value.errors) >= {"document_number", "decided_on", "form", "reason", "people", "matter"}
    with pytest.raises(NotYours):
        do_register_record(actor=city.gina, data=RecordInput(
            unit_id=city.units["fgw"].pk, people_ids=(leaders[0].pk,), cause="other", reason="r", form="notice",
            deciding_body="b", document_number="n", decided_on=TODAY))
    assert not Record.objects.exists()


def test_pages_scope_and_confirmation(city, leaders, clock):
    clock.set(TODAY)
    register(city, leaders, "宛纪〔2026〕1号", date(2026, 3, 2))
    alice = Client()
    alice.force_login(city.alice)
    url = reverse("accountability:new")
    form = alice.get(url, {"unit": city.units["fgw"].pk}).content.decode()
    assert "主任甲" in form and 'data-testid="effect"' in form
    fields = {"unit": city.units["fgw"].pk, "people": [leaders[0].pk], "cause": "other", "reason": "推进迟缓",
              "form": "admonishment", "deciding_body": "市纪委监委", "document_number": "宛纪〔2026〕5号",
              "decided_on": "2026-11-10"}
    unconfirmed = alice.post(url, fields)
    assert unconfirmed.status_code == 400 and Record.objects.count() == 1
    done = alice.post(url, {**fields, "confirm": "yes"})
    assert done.status_code == 302 and Record.objects.count() == 2
    # Scope: the unit and its vice mayor read it; another unit and an administrator do not.
    record = Record.objects.get(document_number="宛纪〔2026〕5号")
    for user, status in [(city.ursula, 200), (city.victor, 200), (city.percy, 200), (city.carl, 404),
                         (city.sysop, 404)]:
        c = Client()
        c.force_login(user)
        assert c.get(reverse("accountability:detail", args=[record.pk])).status_code == status, user
        assert c.get(f"/api/accountability/records/{record.pk}").status_code == status, user
    carl = Client()
    carl.force_login(city.carl)
    assert carl.get("/api/accountability/records").json()["items"] == []


def test_api_register_appeal_and_the_unit_year(city, leaders, clock):
    clock.set(TODAY)
    alice, ursula = Client(), Client()
    alice.force_login(city.alice)
    ursula.force_login(city.ursula)
    body = {"unit_id": city.units["fgw"].pk, "people_ids": [leaders[0].pk, leaders[1].pk], "cause": "other",
            "reason": "推进迟缓", "form": "notice", "deciding_body": "市纪委监委", "decided_on": "2026-10-20"}
    for n in ("1", "2"):
        r = alice.post("/api/accountability/records", {**body, "document_number": f"宛纪〔2026〕{n}号"},
                       content_type="application/json")
        assert r.status_code == 201, r.content
    second = r.json()
    assert [c["rung"] for c in second["consequences"]] == ["admonishment_talk"] * 2
    assert second["consequences"][0]["records"] and second["appeal_deadline"]
    bad = alice.post("/api/accountability/records", {**body, "document_number": "x", "form": "caning"},
                     content_type="application/json")
    assert bad.status_code == 400 and "form" in bad.json()["errors"]
    assert ursula.post("/api/accountability/records", {**body, "document_number": "y"},
                       content_type="application/json").status_code == 403
    appeal = ursula.post(f"/api/accountability/records/{second['id']}/appeal", {"reason": "事实不清"},
                         content_type="application/json")
    assert appeal.status_code == 200 and appeal.json()["appeal"] == "pending"
    decided = alice.post(f"/api/accountability/records/{second['id']}/appeal-decision",
                         {"upheld": True, "answer": "撤销"}, content_type="application/json")
    assert decided.json()["revoked"] and all(c["state"] == "withdrawn" for c in decided.json()["consequences"])
    year = alice.get(f"/api/units/{city.units['fgw'].pk}/accountability/2026").json()
    assert year["count"] == 1 and year["consequences"] == []
    assert Client().get(f"/api/units/{city.units['fgw'].pk}/accountability/2026").status_code == 401
    carl = Client()
    carl.force_login(city.carl)
    assert carl.get(f"/api/units/{city.units['fgw'].pk}/accountability/2026").status_code == 404
    assert json.loads(alice.get("/api/accountability/records?year=2026").content)["items"][0]["unit"]["id"] == \
        city.units["fgw"].pk


@pytest.fixture
def register_session(city, leaders, clock, client, settings):
    clock.set(TODAY)
    for i, day in enumerate([date(2026, 3, 2), date(2026, 7, 15), date(2026, 11, 2)], start=1):
        register(city, leaders, f"宛纪〔2026〕{i}号", day)
    with connection_kept():
        yield log_in(client, city.alice, settings)


@schema.include(tag="accountability").parametrize()
@settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck))
@pytest.mark.django_db
def test_accountability_api_conforms_with_data(case, register_session):
    """0 server errors, 0 responses that break the schema, on a unit at its third record."""
    case.call_and_validate()


def test_s1_16_demo_city_has_a_unit_at_its_second_and_one_at_its_third_record(db, clock):
    from ducha.accountability.demo import build_demo_accountability
    from ducha.org.demo import build_demo_organisation
    from ducha.workcal.demo import build_demo_calendar

    clock.set(TODAY)
    build_demo_calendar()
    build_demo_organisation()
    assert build_demo_accountability() == 6
    assert build_demo_accountability() == 0  # idempotent
    due = set(Consequence.objects.filter(state="due").values_list("raised_by__unit__code", "rung"))
    assert due == {("fgw", "admonishment_talk"), ("xixia", "admonishment_talk"), ("xixia", "sanction_referral")}
    assert not Consequence.objects.filter(raised_by__unit__code="czj").exists()
