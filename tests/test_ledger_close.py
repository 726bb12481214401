"""S2.4 年底交账 that cannot be run by mistake: it opens only on the first of the year's last
working days (a setting, default 5: 25 December 2026) and is refused before with the day
named, on the page and over the API; its preview lists every matter still open and what the
close does with it (carried over to next year's ledger, or closed as not done), says that it
cannot be undone, and the operator types the year to confirm.
"""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.test import Client
from django.urls import reverse
from python_calamine import CalamineWorkbook

from ducha.ledger.actions import LedgerError, do_build_ledger, do_check_ledger, do_close_ledger, do_reconcile_ledger
from ducha.ledger.cutoff import ledger_matters
from ducha.ledger.excel import export_ledger
from ducha.ledger.models import CarryOver, LedgerEvent, LedgerYear, Phase
from ducha.ledger.planning import plan_build, plan_close
from ducha.ledger.snapshots import snapshot_lines
from ducha.matters.actions import do_transition_matter
from ducha.matters.models import Matter
from tests.test_ledger_phases import make_matter

OPENS = date(2026, 12, 25)
EARLY = date(2026, 12, 2)  # the day the year was closed by mistake


@pytest.fixture
def year(city, clock, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    clock.set(date(2026, 1, 12))
    m = {
        "done": make_matter(city, "fgw", progress=100, title="已完成事项"),
        "open_a": make_matter(city, "fgw", progress=60, title="仍在办理甲"),
        "open_b": make_matter(city, "czj", progress=30, title="仍在办理乙"),
    }
    do_build_ledger(actor=city.alice, year=2026, today=date(2026, 1, 12))
    clock.set(date(2026, 6, 15))
    do_check_ledger(actor=city.gina, year=2026, today=date(2026, 6, 15))
    clock.set(date(2026, 9, 15))
    do_reconcile_ledger(actor=city.gina, year=2026, today=date(2026, 9, 15), render=False)
    clock.set(date(2026, 11, 20))
    do_transition_matter(actor=city.sam, matter_id=m["done"].id, action="claim", reason="完成", explanation="收尾不影响完成", today=date(2026, 11, 20))
    do_transition_matter(actor=city.alice, matter_id=m["done"].id, action="close", today=date(2026, 11, 23))
    return m


def test_s2_4_the_close_before_its_opening_day_is_refused_naming_the_day(city, year, clock):
    clock.set(EARLY)
    plan = plan_close(2026, EARLY)
    assert plan.window.opens == OPENS and "2026-12-25" in plan.blocker
    with pytest.raises(LedgerError, match="2026-12-25"):
        do_close_ledger(actor=city.alice, year=2026, today=EARLY, confirm_year=2026, expected_digest=plan.digest)
    with pytest.raises(LedgerError, match="2026-12-25"):
        do_close_ledger(actor=city.alice, year=2026, today=date(2026, 12, 24), confirm_year=2026)
    assert LedgerYear.objects.get(year=2026).closed_at is None and not CarryOver.objects.exists()


def test_s2_4_the_opening_day_is_a_setting(city, year, settings):
    settings.DUCHA_LEDGER_CLOSE_LAST_WORKDAYS = 10  # 18, 21–25, 28–31 December 2026
    assert plan_close(2026, date(2026, 12, 18)).blocker == ""
    assert "2026-12-18" in plan_close(2026, date(2026, 12, 17)).blocker


def test_s2_4_the_preview_lists_each_open_matter_and_its_outcome(city, year):
    plan = plan_close(2026, OPENS)
    assert plan.blocker == ""
    assert [(m.matter_id, m.outcome) for m in plan.open_matters] == [
        (year["open_a"].id, "carry_over"), (year["open_b"].id, "carry_over")]
    assert plan.counts["open"] == 2 and plan.counts["matters"] == 3


def test_s2_4_the_year_must_be_typed_to_confirm(city, year):
    digest = plan_close(2026, OPENS).digest
    for typed in (None, 2025, 26):
        with pytest.raises(LedgerError, match="2026"):
            do_close_ledger(actor=city.alice, year=2026, today=OPENS, confirm_year=typed, expected_digest=digest)
    assert LedgerYear.objects.get(year=2026).closed_at is None


def test_s2_4_open_matters_are_carried_over_or_closed_as_not_done(city, year):
    digest = plan_close(2026, OPENS).digest
    with pytest.raises(LedgerError, match=str(year["done"].id)):  # not open: no outcome to choose
        do_close_ledger(actor=city.alice, year=2026, today=OPENS, confirm_year=2026, expected_digest=digest,
                        not_done=frozenset({year["done"].id}))
    row = do_close_ledger(actor=city.alice, year=2026, today=OPENS, confirm_year=2026, expected_digest=digest,
                          not_done=frozenset({year["open_b"].id}))
    final = {m["id"]: m for m in snapshot_lines(2026, "final")}
    assert final[year["open_a"].id]["close_outcome"] == "carry_over"
    assert final[year["open_b"].id]["close_outcome"] == "not_done"
    assert final[year["done"].id]["close_outcome"] is None
    assert row.final["outcomes"] == {"carry_over": 1, "not_done": 1}
    assert list(CarryOver.objects.values_list("matter_id", "to_year")) == [(year["open_a"].id, 2027)]
    event = LedgerEvent.objects.get(phase=Phase.CLOSE)
    assert event.counts["carried_over"] == 1 and event.counts["not_done"] == 1
    # Next year's ledger takes the carried-over matter with its own; the one closed as not done stays behind.
    nxt = set(Matter.objects.filter(ledger_matters(2027)).values_list("id", flat=True))
    assert nxt == {year["open_a"].id}
    assert plan_build(2027, date(2027, 1, 4)).counts["matters"] == 1
    # ... and so does its Excel ledger.
    out = io.BytesIO()
    assert export_ledger(out, year=2027, matters=Matter.objects.all(), today=date(2027, 1, 4)) == 1
    assert year["open_a"].number in str(list(CalamineWorkbook.from_filelike(io.BytesIO(out.getvalue()))
                                             .get_sheet_by_index(0).to_python()))


def test_s2_4_the_close_page_says_it_cannot_be_undone_and_asks_for_the_year(client, city, year, clock):
    url = reverse("ledger:phase", args=[2026, "close"])
    clock.set(EARLY)
    client.force_login(city.alice)
    early = client.get(url).content.decode()
    assert "2026-12-25" in early and 'data-testid="confirm-form"' not in early
    refused = client.post(url, {"digest": plan_close(2026, EARLY).digest, "confirm_year": "2026"})
    assert refused.status_code == 409 and "2026-12-25" in refused.content.decode()

    clock.set(OPENS)
    client.force_login(city.alice)
    page = client.get(url).content.decode()
    assert 'data-testid="irreversible"' in page and 'data-testid="confirm-year"' in page
    assert page.index('data-testid="irreversible"') < page.index('data-testid="confirm-form"')
    assert f'data-matter="{year["open_a"].id}"' in page and f'data-matter="{year["done"].id}"' not in page
    digest = plan_close(2026, OPENS).digest
    wrong = client.post(url, {"digest": digest, "confirm_year": "2025"})
    assert wrong.status_code == 409 and LedgerYear.objects.get(year=2026).closed_at is None
    done = client.post(url, {"digest": digest, "confirm_year": "2026", f"outcome_{year['open_b'].id}": "not_done",
                             f"outcome_{year['open_a'].id}": "carry_over"})
    assert done.status_code == 302
    row = LedgerYear.objects.get(year=2026)
    assert row.closed_by == city.alice
    assert {m["id"]: m["close_outcome"] for m in snapshot_lines(2026, "final")}[year["open_b"].id] == "not_done"


def test_s2_4_the_close_over_the_api(city, year, clock):
    alice = Client()
    url = "/api/ledger/years/2026/phases/year_end_close"
    clock.set(EARLY)
    alice.force_login(city.alice)
    early = alice.get(url).json()
    assert early["opens"] == "2026-12-25" and "2026-12-25" in early["blocker"]
    refused = alice.post(url, {"digest": early["digest"], "confirm_year": 2026}, content_type="application/json")
    assert refused.status_code == 409 and "2026-12-25" in refused.json()["detail"]

    clock.set(OPENS)
    alice.force_login(city.alice)
    plan = alice.get(url).json()
    assert [(m["matter"]["id"], m["outcome"]) for m in plan["open_matters"]] == [
        (year["open_a"].id, "carry_over"), (year["open_b"].id, "carry_over")]
    untyped = alice.post(url, {"digest": plan["digest"]}, content_type="application/json")
    assert untyped.status_code == 409 and "2026" in untyped.json()["detail"]
    gina = Client()
    gina.force_login(city.gina)
    assert gina.post(url, {"digest": plan["digest"], "confirm_year": 2026},
                     content_type="application/json").status_code == 403
    ran = alice.post(url, {"digest": plan["digest"], "confirm_year": 2026, "not_done": [year["open_b"].id]},
                     content_type="application/json")
    assert ran.status_code == 200, ran.content
    assert {p["key"]: p for p in ran.json()["ledger"]["phases"]}["year_end_close"]["done_by"]["name"] == "Alice"
    assert list(CarryOver.objects.values_list("matter_id", flat=True)) == [year["open_a"].id]
