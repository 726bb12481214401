"""S1.16 每季度开展一次专项问责: at a quarter's end, the key-work matters still open past their
deadline for which the reminder ladder reached its last rung (提请问责) are the candidates; the
office decides each once: a record registered for it, or no accountability with the reason.
The last rung is reached by the reminder engine itself, not written by the test."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from ducha.accountability.actions import (
    AccountabilityError,
    RecordInput,
    do_decline_special,
    do_register_record,
)
from ducha.accountability.models import Record, SpecialReview
from ducha.accountability.special import candidates
from ducha.matters.models import Matter
from ducha.org.models import UnitPost, UnitPostKind, User
from ducha.org.roles import Role
from ducha.reminders import engine
from ducha.reminders.models import Reminder
from ducha.rules.periods import Period
from tests.reminders_helpers import at, reference_data, running_matter  # noqa: F401

pytestmark = pytest.mark.usefixtures("reference_data")
Q3 = Period.parse("2026-Q3")
DUE = date(2026, 8, 14)
LAST_RUNG = date(2026, 8, 28)  # ten working days after the deadline


@pytest.fixture
def late(city, clock):
    clock.set(date(2026, 8, 3))
    matter = running_matter(city, due=DUE, title="重点项目甲")
    other = running_matter(city, due=DUE, title="配套项目乙")
    Matter.objects.filter(pk=other.pk).update(source="assigned")  # not key work
    early = running_matter(city, due=date(2026, 9, 25), title="重点项目丙")  # overdue, last rung not reached
    for day in (date(2026, 8, 17), date(2026, 8, 21), LAST_RUNG, date(2026, 9, 30)):
        clock.set(day)
        engine.scan(now=at(day), today=day)
    head = User.objects.create_user(username="fgw_head", password="x", name="主任甲", role=Role.UNIT_STAFF,
                                    unit=city.units["fgw"])
    UnitPost.objects.create(unit=city.units["fgw"], person=head, kind=UnitPostKind.PRINCIPAL)
    return matter, other, early, head


def test_s1_16_candidates_are_overdue_key_work_at_the_last_rung(city, late, clock):
    matter, other, early, _head = late
    assert Reminder.objects.filter(matter=matter, action="accountability").exists()
    assert Reminder.objects.filter(matter=other, action="accountability").exists()  # left out: not key work
    assert not Reminder.objects.filter(matter=early, action="accountability").exists()
    assert list(candidates(Q3, date(2026, 10, 8))) == [matter]
    # Judged on its last day: a quarter looked at later does not take in what came after it.
    assert list(candidates(Period.parse("2026-Q2"), date(2026, 10, 8))) == []
    # While the quarter runs it is judged on today: before the last rung, nothing yet.
    assert list(candidates(Q3, date(2026, 8, 27))) == []


def test_s1_16_each_candidate_is_decided_once(city, late, clock):
    matter, other, _early, head = late
    clock.set(date(2026, 10, 8))
    with pytest.raises(AccountabilityError):
        do_decline_special(actor=city.alice, quarter=Q3, matter_id=other.pk, reason="非清单事项",
                           today=date(2026, 10, 8))
    with pytest.raises(AccountabilityError) as e:
        do_decline_special(actor=city.alice, quarter=Q3, matter_id=matter.pk, reason=" ", today=date(2026, 10, 8))
    assert "reason" in e.value.errors
    record = do_register_record(actor=city.alice, today=date(2026, 10, 8), special=Q3, data=RecordInput(
        unit_id=city.units["fgw"].pk, people_ids=(head.pk,), cause="matter", matter_id=matter.pk,
        reason="重点项目逾期且督办无果", form="notice", deciding_body="市政府督查室", document_number="宛督责〔2026〕30号",
        decided_on=date(2026, 10, 8)))
    review = SpecialReview.objects.get()
    assert (review.quarter, review.matter, review.outcome, review.record) == ("2026-Q3", matter, "held", record)
    assert list(candidates(Q3, date(2026, 10, 8))) == []
    with pytest.raises(AccountabilityError):  # decided already: no second decision, no second record
        do_decline_special(actor=city.alice, quarter=Q3, matter_id=matter.pk, reason="x", today=date(2026, 10, 8))
    assert Record.objects.count() == 1


def test_s1_16_special_page_and_api(city, late, clock):
    matter, _other, _early, _head = late
    clock.set(date(2026, 10, 8))
    alice = Client()
    alice.force_login(city.alice)
    page = alice.get(reverse("accountability:special"), {"quarter": "2026-Q3"}).content.decode()
    assert f'data-candidate="{matter.pk}"' in page and "special=2026-Q3" in page
    form = alice.get(reverse("accountability:new"), {"unit": city.units["fgw"].pk, "cause": "matter",
                                                    "matter_number": matter.number, "special": "2026-Q3"})
    assert 'data-testid="special"' in form.content.decode() and matter.number in form.content.decode()
    api = alice.get("/api/accountability/special/2026-Q3").json()
    assert [c["matter"]["id"] for c in api["candidates"]] == [matter.pk]
    declined = alice.post("/api/accountability/special/2026-Q3/not-held",
                          {"matter_id": matter.pk, "reason": "因不可抗力延误，已报经市政府同意"},
                          content_type="application/json")
    assert declined.status_code == 200 and declined.json()["candidates"] == []
    assert declined.json()["decisions"][0]["outcome"] == "not_held"
    ursula = Client()
    ursula.force_login(city.ursula)
    assert ursula.get("/api/accountability/special/2026-Q3").status_code == 404
    assert ursula.get(reverse("accountability:special")).status_code == 404
