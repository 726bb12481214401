"""S5.3 好差评: ratings at 收件 and 办结 from the portal and the window, one per node, the default
level after the window (广东: 7 natural days, 基本满意), the rectification of a bad rating in
working days (德州: 5) with its return visit, escalation and the efficiency case, the appeal
that discounts a rating without hiding it, the month's figures and the provincial export
(国办发〔2019〕51号; reference §1.3, §1.4).

Worked example on the 2026 calendar: a bad rating on Monday 28 September is due five working
days later: 29, 30 September, 8, 9 October and the make-up Saturday 10 October (1–7 October is
National Day). Still open on Monday 12 October, it escalates.
"""

from __future__ import annotations

import csv
import json
import re
from datetime import date, datetime, time

import pytest
from django.core.management import call_command
from django.http import Http404
from django.test import Client

from ducha.accountability.models import Case, CaseSource
from ducha.approvals import actions_ratings as actions
from ducha.approvals.models import (
    AppealState,
    Application,
    ApplicationState,
    Event,
    Node,
    RatingCase,
    RatingCaseState,
    ServiceRating,
)
from ducha.approvals.ratings import RatingRefused, rate, run_ratings
from ducha.approvals.ratings_export import FIELDS
from ducha.approvals.ratings_results import do_publish_month, month_bounds, month_results
from ducha.approvals.summary import units_ratings
from ducha.inbox.models import Notification
from ducha.org.models import UnitPost, UnitPostKind, User
from ducha.org.roles import Role
from ducha.publication.models import Kind, Publication, Submission, TakeUpState
from ducha.publication.publish import publish
from ducha.publication.status import hash_query_code
from ducha.workcal.service import get_calendar
from tests.approvals_handling_helpers import SHANGHAI, accepted_application, make_version, service_office
from tests.portal_helpers import portal_settings

__all__ = ["portal_settings"]
pytestmark = pytest.mark.django_db

MON = date(2026, 9, 28)
DUE = date(2026, 10, 10)  # the make-up Saturday after National Day
CODE = "K7XPM2AB"


@pytest.fixture
def hall(city):
    people = service_office(city)
    fgw_head = User.objects.create_user(username="frank", password="x", name="Frank", role=Role.UNIT_STAFF,
                                        unit=city.units["fgw"])
    UnitPost.objects.create(unit=city.units["fgw"], person=fgw_head, kind=UnitPostKind.IN_CHARGE)
    city.people["frank"] = fgw_head
    return people


def app_on(city, received: date, number: str, *, version=None) -> Application:
    version = version or make_version(city, f"I-{number}")
    return accepted_application(city, version, received, number=number)


def decide(city, app: Application, on: date) -> None:
    Application.objects.filter(pk=app.pk).update(state=ApplicationState.GRANTED, decided_on=on)
    Event.objects.create(application=app, kind="decide", actor=city.sam, on=on,
                         at=datetime.combine(on, time(15, 0), tzinfo=SHANGHAI))
    app.refresh_from_db()


def at(day: date) -> datetime:
    return datetime.combine(day, time(11, 0), tzinfo=SHANGHAI)


def bad(app: Application, day: date, node: str = Node.RECEIVED, level: int = 2) -> ServiceRating:
    return rate(app, node=node, level=level, reason="窗口人员态度差", channel="portal", at=at(day), on=day)


def test_s53_a_bad_rating_from_the_portal_is_taken_up_once_and_due_across_national_day(
        city, hall, clock, portal_settings, django_capture_on_commit_callbacks):
    clock.set(MON)
    app = app_on(city, MON, "SP2026-0928")
    publish(Kind.APPLICATION_STATUS, app.receipt_number, app.receipt_number, {
        "query_code_hash": hash_query_code(CODE), "item": "企业投资项目核准", "state": "accepted",
        "received": str(MON), "steps": [{"date": str(MON), "words": "收件"}]})
    site = Client()
    answer = site.post("/status/", {"receipt": app.receipt_number, "code": CODE}).content.decode()
    link = re.search(r'data-testid="rate-link" href="([^"]+)"', answer).group(1).replace("&amp;", "&")
    token = link.split("t=", 1)[1]
    page = site.get(link)
    assert page.status_code == 200 and 'data-testid="rate-form"' in page.content.decode()
    assert 'value="done"' not in page.content.decode()  # 办结 not reached
    # a bad rating needs its reason; nothing is sent without it
    assert site.post("/rate/", {"t": token, "node": "received", "level": "2"}).status_code == 400
    assert not Submission.objects.filter(kind="rating").exists()
    done = site.post("/rate/", {"t": token, "node": "received", "level": "2", "reason": "窗口人员态度差"})
    assert done.status_code == 200 and 'data-testid="rate-done"' in done.content.decode()
    site.post("/rate/", {"t": token, "node": "received", "level": "5", "reason": ""})  # a second one, same node
    assert site.get("/rate/?t=forged").status_code == 302

    with django_capture_on_commit_callbacks(execute=True):
        assert run_ratings(today=MON)["taken_up"] == 2
    rating = ServiceRating.objects.get()
    assert (rating.level, rating.node, rating.channel, rating.staff, rating.unit) == (
        2, "received", "portal", city.wendy, city.units["fgw"])
    first, second = Submission.objects.filter(kind="rating").order_by("created_at", "pk")
    assert first.take_up.state == TakeUpState.DONE and rating.submission_reference == first.reference
    assert second.take_up.state == TakeUpState.REFUSED  # one rating per node
    case = rating.case
    assert case.due_on == DUE == get_calendar().add_workdays(MON, 5)
    assert Notification.objects.filter(user=city.people["ursula"]).exists()  # the department hears of it
    assert run_ratings(today=MON) == {"taken_up": 0, "defaulted": 0, "escalated": 0}


def test_s53_the_return_visit_the_escalation_and_the_efficiency_case_in_one_step(
        city, hall, clock, django_capture_on_commit_callbacks):
    clock.set(MON)
    case = bad(app_on(city, MON, "SP-A"), MON).case
    with pytest.raises(actions.RatingError) as refused:
        actions.do_rectify(actor=city.sam, case_id=case.pk, rectification="已整改")
    assert "visited_on" in refused.value.errors
    with pytest.raises(Http404):  # another department does not see it
        actions.do_record_visit(actor=city.carl, case_id=case.pk, visited_on=MON, visited_by="x", outcome="y")
    with pytest.raises(actions.RatingError) as refused:
        actions.do_record_visit(actor=city.sam, case_id=case.pk, visited_on=date(2026, 9, 29), visited_by="Sam",
                                outcome="")
    assert set(refused.value.errors) == {"visited_on", "visit_outcome"}
    actions.do_record_visit(actor=city.sam, case_id=case.pk, visited_on=MON, visited_by="Sam", outcome="已电话回访，申请人表示理解")
    assert run_ratings(today=DUE)["escalated"] == 0  # due day itself: not late yet
    clock.set(date(2026, 10, 12))
    with django_capture_on_commit_callbacks(execute=True):
        assert run_ratings(today=date(2026, 10, 12))["escalated"] == 1
    case.refresh_from_db()
    assert case.state == RatingCaseState.ESCALATED and case.escalated_on == date(2026, 10, 12)
    assert Notification.objects.filter(user=city.people["frank"], light="red").exists()  # the leader in charge
    assert Notification.objects.filter(user=city.people["olga"], light="red").exists()  # the service office
    assert run_ratings(today=date(2026, 10, 13))["escalated"] == 0  # once

    with pytest.raises(actions.NotYours):
        actions.do_open_case_from_rating(actor=city.wendy, case_id=case.pk, confirm=True)
    with pytest.raises(actions.RatingError) as unconfirmed:
        actions.do_open_case_from_rating(actor=city.alice, case_id=case.pk, confirm=False)
    assert "confirm" in unconfirmed.value.errors and not Case.objects.exists()
    opened = actions.do_open_case_from_rating(actor=city.alice, case_id=case.pk, confirm=True)
    assert opened.source == CaseSource.APPROVAL_RATING and opened.unit == city.units["fgw"]
    with pytest.raises(actions.RatingError):
        actions.do_open_case_from_rating(actor=city.alice, case_id=case.pk, confirm=True)
    case = actions.do_rectify(actor=city.sam, case_id=case.pk, rectification="已对窗口人员批评教育")
    assert case.state == RatingCaseState.DONE and not case.on_time and case.efficiency_case_id == opened.pk


def test_s53_an_upheld_appeal_discounts_the_rating_which_stays_visible(city, hall, clock):
    clock.set(MON)
    rating = bad(app_on(city, MON, "SP-B"), MON, level=1)
    with pytest.raises(actions.NotYours):
        actions.do_file_appeal(actor=city.wendy, rating_id=rating.pk, reasons="恶意差评")
    appeal = actions.do_file_appeal(actor=city.sam, rating_id=rating.pk, reasons="申请人对法定条件不满，与办理无关")
    with pytest.raises(actions.RatingError):
        actions.do_file_appeal(actor=city.sam, rating_id=rating.pk, reasons="again")
    with pytest.raises(actions.NotYours):
        actions.do_decide_appeal(actor=city.sam, appeal_id=appeal.pk, uphold=True, reasons="x", confirm=True)
    with pytest.raises(actions.RatingError) as unconfirmed:
        actions.do_decide_appeal(actor=city.wendy, appeal_id=appeal.pk, uphold=True, reasons="经核实属实", confirm=False)
    assert "confirm" in unconfirmed.value.errors
    appeal = actions.do_decide_appeal(actor=city.wendy, appeal_id=appeal.pk, uphold=True, reasons="经核实属实",
                                      confirm=True)
    assert appeal.state == AppealState.UPHELD
    rating.refresh_from_db()
    assert rating.discounted and rating.discounted_by_id == appeal.pk
    assert RatingCase.objects.get(rating=rating).state == RatingCaseState.DISCOUNTED
    assert actions.visible_ratings(city.sam).filter(pk=rating.pk).exists()
    c = Client()
    c.force_login(city.sam)
    page = c.get(f"/approvals/ratings/cases/{rating.case.pk}/").content.decode()
    assert 'data-testid="discounted"' in page
    units, _items = month_results(*month_bounds("2026-09"))
    assert (units[0].levels[1], units[0].discounted, units[0].bad, units[0].upheld_share) == (1, 1, 0, 100.0)


def test_s53_the_default_level_after_the_window_of_seven_natural_days(city, hall, settings):
    received = app_on(city, MON, "SP-C")
    done = app_on(city, MON, "SP-D")
    decide(city, done, date(2026, 9, 30))
    bad(done, MON, level=4)  # 收件 of this one rated in time
    assert run_ratings(today=date(2026, 10, 5))["defaulted"] == 0  # 28 Sep + 7 days: still open
    assert run_ratings(today=date(2026, 10, 6))["defaulted"] == 1
    default = ServiceRating.objects.get(application=received)
    assert (default.level, default.channel, default.defaulted, default.node) == (3, "default", True, "received")
    assert not RatingCase.objects.exists()
    assert run_ratings(today=date(2026, 10, 8))["defaulted"] == 1  # 办结 on 30 Sep
    assert ServiceRating.objects.get(application=done, node="done").staff == city.sam  # the decider
    settings.DUCHA_RATING_DEFAULT_LEVEL = 4
    late = app_on(city, MON, "SP-E")
    with pytest.raises(RatingRefused):  # the window passed for a rating of its own
        bad(late, date(2026, 10, 9))
    run_ratings(today=date(2026, 10, 9))
    assert ServiceRating.objects.get(application=late).level == 4


def test_s53_one_rating_per_node_also_at_the_window(city, hall, clock):
    clock.set(MON)
    app = app_on(city, MON, "SP-F")
    with pytest.raises(RatingRefused) as refused:
        actions.do_rate_at_window(actor=city.wendy, application_id=app.pk, node="done", level=5)
    assert "node" in refused.value.errors  # 办结 not reached
    with pytest.raises(actions.NotYours):
        actions.do_rate_at_window(actor=city.sam, application_id=app.pk, node="received", level=5)
    r = actions.do_rate_at_window(actor=city.wendy, application_id=app.pk, node="received", level=5)
    assert (r.channel, r.recorded_by) == ("window", city.wendy)
    with pytest.raises(RatingRefused) as twice:
        actions.do_rate_at_window(actor=city.wendy, application_id=app.pk, node="received", level=1, reason="x")
    assert "node" in twice.value.errors and ServiceRating.objects.count() == 1


def october(city, clock):
    """fgw receives four applications in October: rated 非常满意; 不满意 visited and rectified on
    time; 非常不满意 left alone; 不满意 discounted on appeal. Bad (counted): 2 of 4 → 500 per
    1,000; rectified on time 1 of 2 = 50 %; return visits 1 of 2 = 50 %; appeals upheld 1 of 1."""
    day = date(2026, 10, 9)
    clock.set(day)
    version = make_version(city, "ITEM-OCT")
    a, b, c, d = (app_on(city, day, f"SP-10-{i}", version=version) for i in range(4))
    rate(a, node="received", level=5, reason="", channel="window", at=at(day), on=day)
    rb, rc, rd = bad(b, day), bad(c, day, level=1), bad(d, day)
    actions.do_record_visit(actor=city.sam, case_id=rb.case.pk, visited_on=day, visited_by="Sam", outcome="已回访")
    actions.do_rectify(actor=city.sam, case_id=rb.case.pk, rectification="已整改")
    appeal = actions.do_file_appeal(actor=city.sam, rating_id=rd.pk, reasons="误评")
    actions.do_decide_appeal(actor=city.wendy, appeal_id=appeal.pk, uphold=True, reasons="属实", confirm=True)
    return rb, rc, rd


def test_s53_the_month_figures_on_worked_numbers(city, hall, clock):
    rb, rc, _rd = october(city, clock)
    units, items = month_results(*month_bounds("2026-10"))
    (fgw,), (item,) = units, items
    assert fgw.applications == 4 and fgw.levels == {5: 1, 4: 0, 3: 0, 2: 2, 1: 1}
    assert (fgw.discounted, fgw.bad, fgw.bad_per_thousand, fgw.on_time_share, fgw.visited_share,
            fgw.upheld_share) == (1, 2, 500.0, 50.0, 50.0, 100.0)
    assert item.key == "ITEM-OCT" and item.bad_per_thousand == 500.0
    row = units_ratings([city.units["fgw"].pk, city.units["czj"].pk], *month_bounds("2026-10"))
    assert (row[city.units["fgw"].pk].bad_per_thousand, row[city.units["fgw"].pk].rectified_on_time) == (500.0, 50.0)
    assert row[city.units["fgw"].pk].bad_ids == sorted([rb.pk, rc.pk])
    assert row[city.units["czj"].pk].bad_per_thousand is None

    c = Client()
    c.force_login(city.wendy)
    assert c.post("/approvals/ratings/results/", {"month": "2026-10"}).status_code == 400  # not confirmed
    assert not Publication.objects.filter(kind=Kind.RATINGS).exists()
    c.post("/approvals/ratings/results/", {"month": "2026-10", "confirm": "yes"})
    pub = Publication.objects.get(kind=Kind.RATINGS, key="2026-10")
    assert pub.payload["departments"][0]["bad_per_thousand"] == 500.0


@pytest.fixture
def data_key(settings):
    return settings.DUCHA_DATA_KEY


def test_s53_the_export_carries_the_provincial_fields(city, hall, clock, tmp_path, data_key, portal_settings):
    portal_settings.DUCHA_DATA_KEY = data_key  # both sides in one process: the intranet's audit keeps its key
    october(city, clock)
    call_command("approvals", "ratings", "export", "--month", "2026-10", str(tmp_path / "r.csv"))
    with (tmp_path / "r.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert tuple(rows[0]) == FIELDS and len(rows) == 4
    first = rows[0]
    assert (first["receipt_number"], first["item_code"], first["item_version"], first["depart_code"], first["node"],
            first["channel"], first["level"], first["rated_staff"], first["defaulted"]) == (
        "SP-10-0", "ITEM-OCT", "1", "fgw", "1", "window", "5", "wendy", "0")
    assert [r["discounted"] for r in rows] == ["0", "0", "0", "1"]
    call_command("approvals", "ratings", "export", "--month", "2026-10", str(tmp_path / "r.json"))
    data = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert data["format"] == "ducha-ratings" and data["count"] == 4 and set(data["ratings"][0]) == set(FIELDS)
    # the portal lists published results
    do_publish_month(actor=city.wendy, month="2026-10", confirm=True)
    site = Client()
    assert 'data-testid="ratings-list"' in site.get("/ratings/").content.decode()
    month = site.get("/ratings/2026-10/").content.decode()
    assert 'data-key="fgw"' in month


def test_s53_access_to_cases_results_export_and_the_api(city, hall, clock):
    rb, _rc, _rd = october(city, clock)
    sam, carl, wendy = Client(), Client(), Client()
    sam.force_login(city.sam)
    carl.force_login(city.carl)
    wendy.force_login(city.wendy)
    url = f"/approvals/ratings/cases/{rb.case.pk}/"
    assert sam.get(url).status_code == 200 and carl.get(url).status_code == 404
    assert f'data-case="{rb.case.pk}"' not in carl.get("/approvals/ratings/").content.decode()
    assert sam.get("/approvals/ratings/results/?month=2026-10").status_code == 404
    assert wendy.get("/approvals/ratings/results/?month=2026-10").status_code == 200
    assert wendy.get("/approvals/ratings/export/?month=2026-10").status_code == 200
    assert sam.get("/approvals/ratings/export/?month=2026-10").status_code == 404
    assert len(sam.get("/api/approvals/ratings?month=2026-10").json()["items"]) == 4
    assert carl.get("/api/approvals/ratings").json()["items"] == []
    assert sam.get("/api/approvals/ratings/export?month=2026-10").status_code == 403
    assert wendy.get("/api/approvals/ratings/export?month=2026-10").json()["count"] == 4
    appeal = carl.post(f"/api/approvals/ratings/{rb.pk}/appeal", {"reasons": "x"}, content_type="application/json")
    assert appeal.status_code == 404
    assert Client().get("/api/approvals/ratings").status_code == 401
