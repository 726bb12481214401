"""S2.4 自查: "每年6月在各地各部门自查的基础上，由市政府办公室组织开展全面检查". Before the June
check each unit confirms or corrects its matters' progress in one step (one form per unit);
a lower figure needs a reason, nothing else is asked for; the June check judges the confirmed
figures and shows which units have not confirmed.

fgw (sam, ursula) leads two matters, czj (carl) one; gina (general office) runs the check.
"""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from ducha.audit.models import AuditEvent
from ducha.ledger.actions import (
    LedgerError,
    NotYours,
    SelfCheckInput,
    SelfCheckRefused,
    do_build_ledger,
    do_check_ledger,
    do_confirm_self_check,
)
from ducha.ledger.models import LedgerCheckFlag, SelfCheck
from ducha.ledger.planning import plan_june_check
from ducha.ledger.selfcheck import self_check_form
from ducha.reports.actions import ItemInput, do_save_report_item
from tests.test_ledger_phases import make_matter

JAN = date(2026, 1, 12)
JUNE = date(2026, 6, 22)


@pytest.fixture
def ledger(city, clock):
    clock.set(JAN)
    m = {
        "heating": make_matter(city, "fgw", progress=40, title="供热管网改造"),
        "business": make_matter(city, "fgw", progress=60, title="营商环境整改"),
        "debt": make_matter(city, "czj", progress=20, title="债务风险化解"),
        "draft": make_matter(city, "fgw", assign=False, title="尚未交办"),
    }
    do_build_ledger(actor=city.alice, year=2026, today=JAN)
    clock.set(JUNE)
    do_save_report_item(actor=city.sam, unit_id=city.units["fgw"].id, year=2026, month=5, matter_id=m["heating"].id,
                        data=ItemInput(progress=45, done="管网招标", next_steps="开工"), today=JUNE)
    return m


def lines(form, **overrides) -> dict[int, SelfCheckInput]:
    return {r.matter_id: overrides.get(r.number, SelfCheckInput(r.recorded)) for r in form.rows}


def test_s2_4_the_form_lists_the_units_matters_with_their_recorded_progress(city, ledger):
    form = self_check_form(2026, city.units["fgw"].id, JUNE)
    assert form.open and form.as_of == JUNE and form.cutoff == date(2026, 6, 30)
    rows = {r.number: r for r in form.rows}
    assert set(rows) == {ledger["heating"].number, ledger["business"].number}  # not czj's, not the draft
    assert (rows[ledger["heating"].number].recorded, rows[ledger["heating"].number].source,
            rows[ledger["heating"].number].month) == (45, "report", "2026-05")
    assert rows[ledger["business"].number].recorded == 60 and rows[ledger["business"].number].confirmed is None


def test_s2_4_a_unit_confirms_all_its_matters_in_one_step(city, ledger):
    form = self_check_form(2026, city.units["fgw"].id, JUNE)
    check = do_confirm_self_check(actor=city.sam, year=2026, lines=lines(form), today=JUNE)
    assert check.confirmed_by == city.sam and check.confirmed_at is not None and check.unit.code == "fgw"
    assert sorted(check.lines.values_list("recorded", "confirmed")) == [(45, 45), (60, 60)]
    audited = AuditEvent.objects.get(action="ledger.self_check")
    assert audited.username == "sam" and audited.after["matters"] == 2 and audited.after["corrected"] == {}
    again = self_check_form(2026, city.units["fgw"].id, JUNE)
    assert again.confirmed_by == city.sam and {r.confirmed for r in again.rows} == {45, 60}


def test_s2_4_a_lower_figure_needs_a_reason_a_higher_one_does_not(city, ledger):
    form = self_check_form(2026, city.units["fgw"].id, JUNE)
    heating, business = ledger["heating"].number, ledger["business"].number
    with pytest.raises(SelfCheckRefused) as refused:
        do_confirm_self_check(actor=city.ursula, year=2026, today=JUNE,
                              lines=lines(form, **{heating: SelfCheckInput(30)}))
    assert list(refused.value.errors) == [str(ledger["heating"].id)] and heating in str(refused.value)
    assert not SelfCheck.objects.exists()
    for bad in (-1, 101):
        with pytest.raises(SelfCheckRefused, match="0"):
            do_confirm_self_check(actor=city.ursula, year=2026, today=JUNE,
                                  lines=lines(form, **{business: SelfCheckInput(bad)}))
    check = do_confirm_self_check(actor=city.ursula, year=2026, today=JUNE, lines=lines(
        form, **{heating: SelfCheckInput(30, "5月报告误填，实为30%"), business: SelfCheckInput(70)}))
    got = {ln.matter_id: (ln.recorded, ln.confirmed, ln.reason) for ln in check.lines.all()}
    assert got == {ledger["heating"].id: (45, 30, "5月报告误填，实为30%"), ledger["business"].id: (60, 70, "")}


def test_s2_4_the_form_must_cover_exactly_its_matters(city, ledger):
    form = self_check_form(2026, city.units["fgw"].id, JUNE)
    partial = dict(list(lines(form).items())[:1])
    with pytest.raises(SelfCheckRefused, match="变化"):
        do_confirm_self_check(actor=city.sam, year=2026, lines=partial, today=JUNE)
    foreign = {**lines(form), ledger["debt"].id: SelfCheckInput(20)}
    with pytest.raises(SelfCheckRefused):
        do_confirm_self_check(actor=city.sam, year=2026, lines=foreign, today=JUNE)
    assert not SelfCheck.objects.exists()


def test_s2_4_only_the_units_own_staff_confirm(city, ledger):
    form = self_check_form(2026, city.units["fgw"].id, JUNE)
    for persona in ("alice", "gina", "victor", "sysop"):
        with pytest.raises(NotYours):
            do_confirm_self_check(actor=city.people[persona], year=2026, lines=lines(form), today=JUNE)
    with pytest.raises(SelfCheckRefused):  # carl's form is czj's: fgw's lines are not on it
        do_confirm_self_check(actor=city.carl, year=2026, lines=lines(form), today=JUNE)
    assert not SelfCheck.objects.exists()


def test_s2_4_the_june_check_judges_confirmed_figures_and_names_units_that_did_not_confirm(city, ledger, clock):
    form = self_check_form(2026, city.units["fgw"].id, JUNE)
    heating = ledger["heating"].number
    do_confirm_self_check(actor=city.sam, year=2026, today=JUNE,
                          lines=lines(form, **{heating: SelfCheckInput(25, "5月报告误填")}))
    plan = plan_june_check(2026, JUNE)
    assert [u.unit_name for u in plan.confirmed_units] == ["市发展和改革委员会"]
    assert [u.unit_name for u in plan.unconfirmed_units] == ["市财政局"]
    flags = {f.matter_id: f for f in plan.flags}
    assert flags[ledger["heating"].id].progress == 25 and flags[ledger["heating"].id].source == "self_check"
    assert flags[ledger["debt"].id].source == "record"
    # A report line saved after the self-check does not move the confirmed figure.
    do_save_report_item(actor=city.sam, unit_id=city.units["fgw"].id, year=2026, month=6,
                        matter_id=ledger["heating"].id, data=ItemInput(progress=90, done="开工", next_steps="竣工"),
                        today=JUNE)
    assert {f.matter_id: f.progress for f in plan_june_check(2026, JUNE).flags}[ledger["heating"].id] == 25

    do_check_ledger(actor=city.gina, year=2026, today=JUNE)
    flag = LedgerCheckFlag.objects.get(matter=ledger["heating"])
    assert (flag.progress, flag.progress_source) == (25, "self_check")
    closed = self_check_form(2026, city.units["fgw"].id, JUNE)
    assert not closed.open and "6月查账" in closed.blocker
    with pytest.raises(LedgerError):
        do_confirm_self_check(actor=city.sam, year=2026, lines=lines(closed), today=JUNE)


def test_s2_4_the_self_check_opens_with_the_june_check(city, ledger):
    form = self_check_form(2026, city.units["fgw"].id, date(2026, 5, 29))
    assert not form.open and "2026-06-01" in form.blocker
    with pytest.raises(LedgerError, match="2026-06-01"):
        do_confirm_self_check(actor=city.sam, year=2026, lines=lines(form), today=date(2026, 5, 29))
    assert not self_check_form(2027, city.units["fgw"].id, JUNE).open  # no 2027 ledger


def test_s2_4_the_self_check_page(client, city, ledger):
    client.force_login(city.sam)
    url = reverse("ledger:self-check", args=[2026])
    page = client.get(url)
    html = page.content.decode()
    assert page.status_code == 200 and ledger["heating"].number in html and ledger["debt"].number not in html
    h, b = ledger["heating"].id, ledger["business"].id
    refused = client.post(url, {"m": [h, b], f"p_{h}": "30", f"r_{h}": "", f"p_{b}": "60", f"r_{b}": ""})
    assert refused.status_code == 400 and "is-invalid" in refused.content.decode()
    assert not SelfCheck.objects.exists()
    done = client.post(url, {"m": [h, b], f"p_{h}": "30", f"r_{h}": "误填", f"p_{b}": "六十", f"r_{b}": ""})
    assert done.status_code == 400  # not a whole number: refused by name, nothing saved
    done = client.post(url, {"m": [h, b], f"p_{h}": "30", f"r_{h}": "误填", f"p_{b}": "60", f"r_{b}": ""})
    assert done.status_code == 302 and SelfCheck.objects.get().confirmed_by == city.sam
    assert 'data-testid="confirmed"' in client.get(url).content.decode()
    year_page = client.get(reverse("ledger:year", args=[2026])).content.decode()
    assert 'data-testid="self-check-link"' in year_page
    for persona in ("alice", "gina", "sysop"):
        client.force_login(city.people[persona])
        assert client.get(url).status_code == 404


def test_s2_4_the_june_check_page_shows_who_has_not_confirmed(client, city, ledger):
    client.force_login(city.alice)  # the supervision office reads the general office's check
    html = client.get(reverse("ledger:phase", args=[2026, "june-check"])).content.decode()
    assert 'data-testid="unconfirmed"' in html and "市发展和改革委员会" in html and "市财政局" in html


def test_s2_4_the_self_check_over_the_api(city, ledger):
    sam = Client()
    sam.force_login(city.sam)
    url = "/api/ledger/years/2026/self-check"
    got = sam.get(url).json()
    assert got["open"] and got["as_of"] == JUNE.isoformat() and got["unit"]["name"] == "市发展和改革委员会"
    by_id = {ln["matter"]["id"]: ln for ln in got["lines"]}
    assert by_id[ledger["heating"].id]["recorded"] == 45 and by_id[ledger["heating"].id]["recorded_source"] == "report"
    h, b = ledger["heating"].id, ledger["business"].id
    low = sam.post(url, {"lines": [{"matter": h, "confirmed": 30}, {"matter": b, "confirmed": 60}]},
                   content_type="application/json")
    assert low.status_code == 400 and str(h) in low.json()["errors"]
    twice = sam.post(url, {"lines": [{"matter": h, "confirmed": 45}, {"matter": h, "confirmed": 45}]},
                     content_type="application/json")
    assert twice.status_code == 400 and "lines" in twice.json()["errors"]
    ok = sam.post(url, {"lines": [{"matter": h, "confirmed": 30, "reason": "误填"}, {"matter": b, "confirmed": 60}]},
                  content_type="application/json")
    assert ok.status_code == 200, ok.content
    assert ok.json()["confirmed_by"]["name"] == "Sam" and {ln["confirmed"] for ln in ok.json()["lines"]} == {30, 60}
    office = Client()
    office.force_login(city.gina)
    assert office.get(url).status_code == 404
    plan = office.get("/api/ledger/years/2026/phases/june_check").json()
    assert [u["name"] for u in plan["self_check"]["unconfirmed"]] == ["市财政局"]
