"""S1.14 efficiency cases: opened by a person (from a complaint, or from the platform's
proposal: a matter whose reminders reached the ladder's last rung or reported no progress,
found by the reminder engine itself), moved 线索 → 核查 → 认定 / 不予认定 → 处理 with who and when;
a confirmed case is the cause of an accountability record. Units see their cases once decided."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from ducha.accountability.actions import AccountabilityError, NotYours, RecordInput, do_register_record
from ducha.accountability.actions_cases import CaseInput, do_dismiss_proposal, do_move_case, do_open_case
from ducha.accountability.cases import proposals
from ducha.accountability.models import Case, CaseStep, ProposalDismissal
from ducha.accountability.summary import unit_accountability
from ducha.audit.models import AuditEvent
from ducha.org.models import UnitPost, UnitPostKind, User
from ducha.org.roles import Role
from ducha.reminders import engine
from tests.reminders_helpers import at, reference_data, running_matter  # noqa: F401

pytestmark = pytest.mark.usefixtures("reference_data")
DUE = date(2026, 8, 14)


@pytest.fixture
def proposed(city, clock):
    """A matter past its deadline that the engine took up the ladder to its last rung."""
    clock.set(date(2026, 8, 3))
    matter = running_matter(city, due=DUE, title="重点项目甲")
    for day in (date(2026, 8, 17), date(2026, 8, 21), date(2026, 8, 28)):
        clock.set(day)
        engine.scan(now=at(day), today=day)
    return matter


def test_s1_14_the_platform_proposes_and_a_person_opens_the_case(city, proposed, clock):
    assert list(proposals()) == [proposed]
    with pytest.raises(NotYours):
        do_open_case(actor=city.gina, data=CaseInput(city.units["fgw"].pk, "slow", "platform", "逾期", matter_id=proposed.pk))
    case = do_open_case(actor=city.alice, data=CaseInput(city.units["fgw"].pk, "slow", "platform",
                                                         "重点项目逾期十个工作日仍未推进", matter_id=proposed.pk))
    assert case.state == "lead" and list(proposals()) == []  # an open case: not proposed again
    with pytest.raises(AccountabilityError):  # and not opened twice
        do_open_case(actor=city.alice, data=CaseInput(city.units["fgw"].pk, "slow", "complaint", "再次",
                                                      matter_id=proposed.pk))
    assert Case.objects.count() == 1


def test_s1_14_a_dismissed_proposal_is_not_proposed_again(city, proposed):
    with pytest.raises(AccountabilityError) as e:
        do_dismiss_proposal(actor=city.alice, matter_id=proposed.pk, reason=" ")
    assert "reason" in e.value.errors
    do_dismiss_proposal(actor=city.alice, matter_id=proposed.pk, reason="已报市政府同意延期")
    assert list(proposals()) == [] and ProposalDismissal.objects.count() == 1


def test_s1_14_states_with_who_and_when_and_a_record_from_a_confirmed_case(city, clock):
    clock.set(date(2026, 10, 12))
    case = do_open_case(actor=city.alice, data=CaseInput(city.units["fgw"].pk, "inaction", "complaint",
                                                         "群众反映窗口推诿", evidence="投诉记录3份"))
    with pytest.raises(AccountabilityError):  # a lead is verified before it is confirmed
        do_move_case(actor=city.alice, case=case, to_state="confirmed", note="x")
    case = do_move_case(actor=city.alice, case=case, to_state="verifying", note="")
    with pytest.raises(AccountabilityError) as e:
        do_move_case(actor=city.alice, case=case, to_state="confirmed", note=" ")
    assert "note" in e.value.errors
    case = do_move_case(actor=city.alice, case=case, to_state="confirmed", note="经核查属实，认定为不作为")
    assert case.finding == "经核查属实，认定为不作为"
    assert list(CaseStep.objects.filter(case=case).values_list("to_state", "actor__username")) == [
        ("lead", "alice"), ("verifying", "alice"), ("confirmed", "alice")]
    assert AuditEvent.objects.filter(action="accountability.case_move").count() == 2
    head = User.objects.create_user(username="fgw_head", password="x", name="主任甲", role=Role.UNIT_STAFF,
                                    unit=city.units["fgw"])
    UnitPost.objects.create(unit=city.units["fgw"], person=head, kind=UnitPostKind.PRINCIPAL)
    record = do_register_record(actor=city.alice, today=date(2026, 10, 12), data=RecordInput(
        unit_id=city.units["fgw"].pk, people_ids=(head.pk,), cause="case", case_id=case.pk, reason="不作为",
        form="notice", deciding_body="市政府督查室", document_number="宛督责〔2026〕40号", decided_on=date(2026, 10, 12)))
    assert record.case == case
    with pytest.raises(AccountabilityError) as e:  # a case of another unit is refused
        do_register_record(actor=city.alice, today=date(2026, 10, 12), data=RecordInput(
            unit_id=city.units["czj"].pk, people_ids=(head.pk,), cause="case", case_id=case.pk, reason="x",
            form="notice", deciding_body="b", document_number="n", decided_on=date(2026, 10, 12)))
    assert "case" in e.value.errors
    handled = do_move_case(actor=city.alice, case=case, to_state="handled", note="已通报批评并登记问责")
    assert handled.state == "handled" and handled.handling
    # The evaluation reads the confirmed case with the unit's year.
    facts = unit_accountability([city.units["fgw"].pk], date(2026, 1, 1), date(2026, 12, 31))[city.units["fgw"].pk]
    assert [(c.id, c.conduct, c.confirmed_on) for c in facts.cases] == [(case.pk, "inaction", date(2026, 10, 12))]
    assert facts.count == 1


def test_s1_14_units_see_their_cases_once_decided(city, clock):
    clock.set(date(2026, 10, 12))
    case = do_open_case(actor=city.alice, data=CaseInput(city.units["fgw"].pk, "misconduct", "round", "违规收费"))
    ursula, carl, alice = Client(), Client(), Client()
    ursula.force_login(city.ursula)
    carl.force_login(city.carl)
    alice.force_login(city.alice)
    assert ursula.get(reverse("accountability:case", args=[case.pk])).status_code == 404  # a lead: not yet
    do_move_case(actor=city.alice, case=case, to_state="not_confirmed", note="经核查不属实")
    assert ursula.get(reverse("accountability:case", args=[case.pk])).status_code == 200
    assert ursula.get(f"/api/accountability/cases/{case.pk}").json()["state"] == "not_confirmed"
    assert carl.get(f"/api/accountability/cases/{case.pk}").status_code == 404
    assert carl.get("/api/accountability/cases").json()["items"] == []
    assert ursula.get("/api/accountability/case-proposals").status_code == 404
    page = alice.get(reverse("accountability:cases")).content.decode()
    assert f'data-case="{case.pk}"' in page and 'data-testid="proposals"' in page


def test_s1_14_api_open_move_and_dismiss(city, proposed, clock):
    clock.set(date(2026, 9, 1))
    alice, ursula = Client(), Client()
    alice.force_login(city.alice)
    ursula.force_login(city.ursula)
    assert [p["matter"]["id"] for p in alice.get("/api/accountability/case-proposals").json()] == [proposed.pk]
    body = {"unit_id": city.units["fgw"].pk, "conduct": "slow", "source": "platform", "summary": "逾期",
            "matter_id": proposed.pk}
    assert ursula.post("/api/accountability/cases", body, content_type="application/json").status_code == 403
    bad = alice.post("/api/accountability/cases", {**body, "conduct": "lazy"}, content_type="application/json")
    assert bad.status_code == 400 and "conduct" in bad.json()["errors"]
    made = alice.post("/api/accountability/cases", body, content_type="application/json")
    assert made.status_code == 201 and made.json()["state"] == "lead"
    moved = alice.post(f"/api/accountability/cases/{made.json()['id']}/moves", {"to_state": "handled"},
                       content_type="application/json")
    assert moved.status_code == 400 and "state" in moved.json()["errors"]
    moved = alice.post(f"/api/accountability/cases/{made.json()['id']}/moves", {"to_state": "verifying"},
                       content_type="application/json")
    assert moved.json()["state"] == "verifying" and len(moved.json()["steps"]) == 2
