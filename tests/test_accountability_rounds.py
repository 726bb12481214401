"""S2.6 supervision rounds: a round with the seed's modes, a scope, a period and inspectors;
findings per unit; issuing them demands rectifications by a date in working days, tracked to
their end and counted by the rectification rate (S2.7) like a returned claim; an unannounced
(暗访) round is invisible to its units until its findings are issued."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from ducha.accountability.actions import AccountabilityError, NotYours
from ducha.accountability.actions_rounds import (
    FindingInput,
    RoundInput,
    do_issue_round,
    do_open_round,
    do_record_finding,
)
from ducha.accountability.rounds import visible_rounds
from ducha.matters.actions_rectify import RectifyError, do_report_rectified
from ducha.matters.models import MatterEvent, Rectification
from ducha.reports.rates import gather_rates
from ducha.rules.periods import Period
from tests.test_ledger_phases import make_matter

OPENED = date(2026, 11, 2)


def open_round(city, **kw):
    data = dict(title="重点项目推进情况暗访", regularity="irregular", focus="central", breadth="special",
                openness="unannounced", theme="重点项目", starts_on=date(2026, 11, 2), ends_on=date(2026, 11, 13),
                unit_ids=(city.units["fgw"].pk, city.units["czj"].pk), inspector_ids=(city.alice.pk, city.gina.pk))
    return do_open_round(actor=city.alice, data=RoundInput(**{**data, **kw}))


def test_s2_6_a_round_has_the_seeds_modes_and_bad_input_is_named(city):
    with pytest.raises(AccountabilityError) as e:
        open_round(city, title="", breadth="special", theme="", focus="sideways", ends_on=date(2026, 10, 1),
                   unit_ids=())
    assert set(e.value.errors) == {"title", "theme", "focus", "ends_on", "units"}
    with pytest.raises(NotYours):
        do_open_round(actor=city.ursula, data=RoundInput("x", "regular", "central", "comprehensive", "open",
                                                         OPENED, OPENED, (city.units["fgw"].pk,), (city.alice.pk,)))
    r = open_round(city)
    assert (r.regularity, r.focus, r.breadth, r.openness) == ("irregular", "central", "special", "unannounced")


def test_s2_6_an_unannounced_round_is_hidden_from_its_units_until_issued(city, clock):
    clock.set(OPENED)
    matter = make_matter(city, "fgw", progress=20, title="项目甲")
    r = open_round(city)
    do_record_finding(actor=city.gina, round_=r, data=FindingInput(city.units["fgw"].pk, "现场无人施工",
                                                                   matter_id=matter.pk, rectify_workdays=10))
    assert r not in visible_rounds(city.ursula) and r not in visible_rounds(city.victor)
    ursula = Client()
    ursula.force_login(city.ursula)
    assert ursula.get(reverse("accountability:round", args=[r.pk])).status_code == 404
    announced = open_round(city, title="明察", openness="open")
    assert announced in visible_rounds(city.ursula)
    assert 'data-finding' not in ursula.get(reverse("accountability:round", args=[announced.pk])).content.decode()
    do_issue_round(actor=city.alice, round_=r, today=OPENED)
    page = ursula.get(reverse("accountability:round", args=[r.pk])).content.decode()
    assert "现场无人施工" in page and r in visible_rounds(city.victor)
    carl = Client()
    carl.force_login(city.carl)
    assert "现场无人施工" not in carl.get(reverse("accountability:round", args=[r.pk])).content.decode()


def test_s2_6_issued_findings_are_rectified_and_counted_like_a_returned_claim(city, clock):
    clock.set(OPENED)
    matter = make_matter(city, "fgw", progress=20, title="项目甲")
    r = open_round(city)
    with pytest.raises(AccountabilityError) as e:  # a rectification is tracked on a matter
        do_record_finding(actor=city.alice, round_=r, data=FindingInput(city.units["fgw"].pk, "台账不全",
                                                                        rectify_workdays=5))
    assert "matter" in e.value.errors
    with pytest.raises(AccountabilityError):  # not in the round's scope
        do_record_finding(actor=city.alice, round_=r, data=FindingInput(city.units["wancheng"].pk, "x"))
    finding = do_record_finding(actor=city.alice, round_=r, data=FindingInput(
        city.units["fgw"].pk, "现场无人施工", matter_id=matter.pk, rectify_workdays=10))
    do_record_finding(actor=city.alice, round_=r, data=FindingInput(city.units["czj"].pk, "资金拨付慢"))
    with pytest.raises(NotYours):
        do_issue_round(actor=city.gina, round_=r, today=OPENED)
    do_issue_round(actor=city.alice, round_=r, today=OPENED)
    finding.refresh_from_db()
    rect = finding.rectification
    assert (rect.source, rect.unit_id, rect.due_date) == ("round", city.units["fgw"].pk, date(2026, 11, 16))
    assert MatterEvent.objects.filter(matter=matter, action="round_finding").exists()
    with pytest.raises(AccountabilityError):  # issued once
        do_issue_round(actor=city.alice, round_=r, today=OPENED)
    november = Period.parse("2026-11")
    row = gather_rates(november, date(2026, 12, 1), [city.units["fgw"].pk], overall=False).row_for(city.units["fgw"].pk)
    assert (row.rectification.due, row.rectification.done) == (1, 0)
    with pytest.raises(RectifyError):
        do_report_rectified(actor=city.ursula, rectification_id=rect.pk, note=" ", today=date(2026, 11, 12))
    do_report_rectified(actor=city.ursula, rectification_id=rect.pk, note="已进场施工", today=date(2026, 11, 12))
    assert Rectification.objects.get(pk=rect.pk).rectified_on == date(2026, 11, 12)
    row = gather_rates(november, date(2026, 12, 1), [city.units["fgw"].pk], overall=False).row_for(city.units["fgw"].pk)
    assert (row.rectification.due, row.rectification.done) == (1, 1)
    with pytest.raises(RectifyError):
        do_report_rectified(actor=city.ursula, rectification_id=rect.pk, note="again", today=date(2026, 11, 13))


def test_s2_6_rounds_over_the_api(city, clock):
    clock.set(OPENED)
    matter = make_matter(city, "fgw", progress=20, title="项目甲")
    alice, ursula = Client(), Client()
    alice.force_login(city.alice)
    ursula.force_login(city.ursula)
    body = {"title": "暗访", "regularity": "irregular", "focus": "central", "breadth": "comprehensive",
            "openness": "unannounced", "starts_on": "2026-11-02", "ends_on": "2026-11-13",
            "unit_ids": [city.units["fgw"].pk], "inspector_ids": [city.alice.pk]}
    assert ursula.post("/api/accountability/rounds", body, content_type="application/json").status_code == 403
    made = alice.post("/api/accountability/rounds", body, content_type="application/json")
    assert made.status_code == 201, made.content
    rid = made.json()["id"]
    assert ursula.get(f"/api/accountability/rounds/{rid}").status_code == 404
    bad = alice.post(f"/api/accountability/rounds/{rid}/findings", {"unit_id": city.units["fgw"].pk, "problem": "x",
                                                                    "rectify_workdays": 5},
                     content_type="application/json")
    assert bad.status_code == 400 and "matter" in bad.json()["errors"]
    alice.post(f"/api/accountability/rounds/{rid}/findings", {"unit_id": city.units["fgw"].pk, "problem": "无人施工",
                                                              "matter_id": matter.pk, "rectify_workdays": 10},
               content_type="application/json")
    unconfirmed = alice.post(f"/api/accountability/rounds/{rid}/issue", {}, content_type="application/json")
    assert unconfirmed.status_code == 400 and "confirm" in unconfirmed.json()["errors"]
    assert ursula.post(f"/api/accountability/rounds/{rid}/issue", {}, content_type="application/json").status_code == 404
    issued = alice.post(f"/api/accountability/rounds/{rid}/issue", {"confirm": True}, content_type="application/json")
    assert issued.json()["state"] == "issued" and issued.json()["number"] == "宛督〔2026〕1号"
    pdf = ursula.get(issued.json()["files"]["pdf"])
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    seen = ursula.get(f"/api/accountability/rounds/{rid}").json()
    rect = seen["findings"][0]["rectification"]
    assert rect["due_date"] == "2026-11-16" and rect["rectified_on"] is None
    done = ursula.post(f"/api/rectifications/{rect['id']}/done", {"note": "已进场"}, content_type="application/json")
    assert done.status_code == 200 and done.json()["rectified_on"] == "2026-11-02"
    assert alice.post(f"/api/rectifications/{rect['id']}/done", {"note": "x"},
                      content_type="application/json").status_code == 404


def test_demo_city_has_rounds_and_a_confirmed_case(db, clock):
    from ducha.accountability.demo import build_demo_rounds
    from ducha.accountability.models import Case
    from ducha.accountability.rounds_models import Round
    from ducha.matters.demo import build_demo_matters
    from ducha.org.demo import build_demo_organisation
    from ducha.workcal.demo import build_demo_calendar

    clock.set(date(2026, 11, 16))
    build_demo_calendar()
    build_demo_organisation()
    build_demo_matters()
    assert build_demo_rounds() == 2 and build_demo_rounds() == 0
    spring = Round.objects.get(openness="open")
    assert spring.state == "issued" and spring.findings.count() == 3
    assert spring.findings.filter(rectification__rectified_on__isnull=False).count() == 1
    assert Round.objects.get(openness="unannounced").state == "open"
    assert Case.objects.get().state == "confirmed"
    assert spring.number and spring.render_error == "" and spring.pdf  # its 督查通报, rendered
    # S1.14/S1.16: the spring's accountability announced and issued; the half-year's exposure
    # of the confirmed case awaiting the mayor's approval.
    from ducha.accountability.announce_models import Announcement
    from ducha.accountability.demo import build_demo_accountability, build_demo_announcements

    build_demo_accountability()
    assert build_demo_announcements() == 2 and build_demo_announcements() == 0
    issued = Announcement.objects.get(kind="accountability")
    assert (issued.state, issued.period, issued.items.count()) == ("issued", "2026-H1", 5)
    assert issued.pdf and Announcement.objects.get(kind="exposure").state == "submitted"
