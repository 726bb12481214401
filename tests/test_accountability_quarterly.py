"""S1.14 每季度专项督查: at a quarter's end the platform proposes the key-work matters behind
their elapsed share of working time or past a time node (the ledger's own judgement, as of the
quarter's last day), and the office opens a special round of them in one step."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from ducha.accountability.actions import AccountabilityError, NotYours
from ducha.accountability.rounds import visible_rounds
from ducha.accountability.special_rounds import do_open_special_round, proposal
from ducha.matters.models import Matter, Source
from ducha.rules.periods import Period
from tests.test_ledger_phases import make_matter

Q3 = Period.parse("2026-Q3")
AFTER = date(2026, 10, 12)


@pytest.fixture
def year(city, clock):
    clock.set(date(2026, 1, 5))
    matters = {
        "behind": make_matter(city, "fgw", progress=30, title="发改滞后"),
        "on_track": make_matter(city, "fgw", progress=90, title="发改正常"),
        "czj_behind": make_matter(city, "czj", progress=10, title="财政滞后"),
        "not_key": make_matter(city, "czj", progress=5, title="交办事项"),
    }
    Matter.objects.filter(pk=matters["not_key"].pk).update(source=Source.ASSIGNED)
    clock.set(AFTER)
    return matters


def test_s1_14_the_quarter_proposes_key_work_behind_at_its_end(city, year):
    got = {p.matter_id: p for p in proposal(Q3, AFTER)}
    assert set(got) == {year["behind"].pk, year["czj_behind"].pk}
    behind = got[year["behind"].pk]
    assert behind.behind_share and behind.progress == 30 and 70 <= behind.elapsed_percent <= 80
    # A running quarter has no proposal yet.
    assert proposal(Period.parse("2026-Q4"), AFTER) == []


def test_s1_14_a_special_round_is_opened_from_the_proposal_in_one_step(city, year):
    with pytest.raises(NotYours):
        do_open_special_round(actor=city.ursula, quarter=Q3, today=AFTER)
    with pytest.raises(AccountabilityError):
        do_open_special_round(actor=city.alice, quarter=Period.parse("2026-Q4"), today=AFTER)
    r = do_open_special_round(actor=city.alice, quarter=Q3, today=AFTER)
    assert (r.regularity, r.focus, r.breadth, r.openness) == ("regular", "follow_up", "special", "open")
    assert r.title == "2026年第三季度重点工作专项督查" and r.starts_on == AFTER
    assert set(r.units.values_list("code", flat=True)) == {"fgw", "czj"}
    assert set(r.matters.values_list("pk", flat=True)) == {year["behind"].pk, year["czj_behind"].pk}
    assert (r.ends_on - r.starts_on).days >= 9  # ten working days
    assert r in visible_rounds(city.ursula)
    with pytest.raises(AccountabilityError) as e:  # once per quarter
        do_open_special_round(actor=city.alice, quarter=Q3, today=AFTER)
    assert "quarter" in e.value.errors


def test_s1_14_the_proposal_page_opens_the_round_after_confirmation(city, year, clock):
    alice, ursula = Client(), Client()
    alice.force_login(city.alice)
    ursula.force_login(city.ursula)
    url = reverse("accountability:special-supervision") + "?quarter=2026-Q3"
    assert ursula.get(url).status_code == 404
    page = alice.get(url).content.decode()
    assert f'data-proposed="{year["behind"].pk}"' in page and f'data-proposed="{year["on_track"].pk}"' not in page
    assert alice.post(url, {}).status_code == 400
    got = alice.post(url, {"confirm": "yes"})
    assert got.status_code == 302
    page = alice.get(got["Location"]).content.decode()
    assert "发改滞后" in page  # the matters in scope are on the round's page
    assert 'data-testid="opened"' in alice.get(url).content.decode()


def test_s1_14_the_quarters_proposal_over_the_api(city, year):
    alice, ursula = Client(), Client()
    alice.force_login(city.alice)
    ursula.force_login(city.ursula)
    url = "/api/accountability/quarters/2026-Q3/special-supervision"
    assert ursula.get(url).status_code == 403
    got = alice.get(url).json()
    assert got["judged_on"] == "2026-09-30" and got["round_id"] is None
    behind = next(p for p in got["proposed"] if p["matter_id"] == year["behind"].pk)
    assert behind["behind_share"] and behind["progress"] == 30 and behind["elapsed_percent"] > 30
    unconfirmed = alice.post(url, {}, content_type="application/json")
    assert unconfirmed.status_code == 400 and "2026年第三季度重点工作专项督查" in unconfirmed.json()["errors"]["confirm"]
    made = alice.post(url, {"confirm": True}, content_type="application/json")
    assert made.status_code == 201 and len(made.json()["matters"]) == 2
    assert alice.get(url).json()["round_id"] == made.json()["id"]
