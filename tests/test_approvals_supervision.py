"""S3.3 electronic supervision (电子监察): yellow and red cards, the board, a card's efficiency case,
what the evaluation reads.

Worked example on the real 2026 calendar (National Day: 1–7 October off, Saturday 10 October a
working day): accepted on Monday 28 September with a promised limit of 10 working days, the
clock (行政许可法 art. 42, counted in working days, art. 82) runs 29, 30 September, 8, 9, 10, 12,
13, 14 October: the 8th working day, 80 % of the limit, is Wednesday 14 October (yellow card);
15 and 16 October make 10, so Monday 19 October is the first day past it (red card).
"""

from __future__ import annotations

import json
import threading
from datetime import date, datetime, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import reverse

from ducha.accountability.models import Case, CaseSource
from ducha.approvals.actions_supervision import NotYours, SupervisionError, do_open_case_from_card
from ducha.approvals.models import (
    Application,
    ApplicationState,
    Card,
    Event,
    FlowStep,
    Item,
    ItemVersion,
    Pause,
    StepRecord,
    StepState,
    VersionState,
)
from ducha.approvals.summary import units_cards
from ducha.approvals.supervision import supervise
from ducha.inbox.models import Notification
from ducha.org.models import Unit, UnitKind, User
from ducha.org.roles import Role
from ducha.reminders import passes
from ducha.workcal.service import get_calendar

SH = ZoneInfo("Asia/Shanghai")
ACCEPTED = date(2026, 9, 28)
YELLOW_DAY = date(2026, 10, 14)
RED_DAY = date(2026, 10, 19)


@pytest.fixture
def office(city):
    """The approval service office (行政审批服务局) and its people."""
    unit = Unit.objects.create(code=django_settings.DUCHA_APPROVAL_SERVICE_UNIT, name="市行政审批服务局",
                               short_name="审批局", kind=UnitKind.DEPARTMENT)
    city.units["xzspj"] = unit
    city.people["wendy"] = User.objects.create_user(username="wendy", password="x", name="Wendy",
                                                    role=Role.UNIT_STAFF, unit=unit)
    city.people["xavier"] = User.objects.create_user(username="xavier", password="x", name="Xavier",
                                                     role=Role.UNIT_ADMIN, unit=unit)
    return unit


_seq = iter(range(1, 10**9))


def version(city, *, promised: int = 10, statutory: int = 20, steps: list[tuple[int, str, int]] = ()) -> ItemVersion:
    n = next(_seq)
    v = ItemVersion.objects.create(
        item=Item.objects.create(code=f"T{n:05d}"), version=1, effective_from=date(2026, 1, 1),
        state=VersionState.PUBLISHED, name=f"事项{n}", kind="01", legal_basis="《行政许可法》",
        lead_department=city.units["fgw"], statutory_days=statutory, promised_days=promised, created_by=city.alice)
    for order, unit, limit in steps:
        FlowStep.objects.create(version=v, order=order, department=city.units[unit], action=f"审查{order}",
                                limit_days=limit)
    return v


def application(city, v: ItemVersion, *, state: str = ApplicationState.ACCEPTED, received: date = ACCEPTED,
                accepted: date | None = ACCEPTED, check: date | None = None, unit: str = "fgw") -> Application:
    n = next(_seq)
    return Application.objects.create(
        receipt_number=f"SP2026-{n:06d}", version=v, handling_unit=city.units[unit], state=state,
        applicant_name=f"申请人{n}", applicant_id=f"91410000{n:010d}", applicant_phone="13800000000",
        first_officer=city.alice, received_on=received,
        received_at=datetime.combine(received, datetime.min.time(), tzinfo=SH).replace(hour=9),
        accepted_on=accepted, next_check_on=check or accepted or received)


def run_days(first: date, last: date, clock) -> dict[date, dict[str, int]]:
    out = {}
    d = first
    while d <= last:
        clock.set(d)
        out[d] = supervise(today=d)
        d += timedelta(days=1)
    return out


def test_s3_3_yellow_then_red_on_exact_working_days_across_national_day(city, office, clock,
                                                                       django_capture_on_commit_callbacks):
    """S3.3, art. 42/82: the worked example of the module docstring, the pass run every day."""
    app = application(city, version(city, promised=10))
    with django_capture_on_commit_callbacks(execute=True):
        figures = run_days(ACCEPTED, date(2026, 10, 23), clock)
    cards = list(Card.objects.filter(application=app).order_by("issued_on"))
    assert [(c.colour, c.issued_on, c.used_days, c.limit_days) for c in cards] == [
        ("yellow", YELLOW_DAY, 8, 10), ("red", RED_DAY, 11, 10)]
    assert all(c.step_id is None and c.unit_id == city.units["fgw"].pk for c in cards)
    assert sum(f["yellow"] for f in figures.values()) == 1 and sum(f["red"] for f in figures.values()) == 1
    assert figures[YELLOW_DAY]["yellow"] == 1 and figures[RED_DAY]["red"] == 1
    # The holidays are skipped: checked on 30 September, next on 8 October.
    assert [d for d, f in figures.items() if f["checked"]][:4] == [
        date(2026, 9, 28), date(2026, 9, 29), date(2026, 9, 30), date(2026, 10, 8)]
    assert not any(figures[date(2026, 10, d)]["checked"] for d in range(1, 8))
    assert figures[date(2026, 10, 10)]["checked"] == 1  # the make-up Saturday
    # The department (its administrator) and the service office hear of each card, once.
    told = sorted(Notification.objects.filter(light__in=["yellow", "red"]).values_list("user__username", "light"))
    assert told == [("ursula", "red"), ("ursula", "yellow"), ("xavier", "red"), ("xavier", "yellow")]
    # Idempotent: the same day again, or the pass forced over every application, issues nothing.
    Application.objects.update(next_check_on=date(2026, 10, 23))
    assert supervise(today=date(2026, 10, 23)) == {"checked": 1, "yellow": 0, "red": 0, "deemed": 0}
    assert Card.objects.count() == 2


def test_s3_3_a_decided_application_is_no_longer_checked_and_keeps_its_cards(city, office, clock):
    app = application(city, version(city, promised=10))
    run_days(ACCEPTED, YELLOW_DAY, clock)
    Application.objects.filter(pk=app.pk).update(state=ApplicationState.GRANTED, decided_on=YELLOW_DAY,
                                                  next_check_on=YELLOW_DAY + timedelta(days=1))
    run_days(YELLOW_DAY + timedelta(days=1), date(2026, 10, 23), clock)
    app.refresh_from_db()
    assert app.next_check_on is None
    assert list(Card.objects.values_list("colour", flat=True)) == ["yellow"]


def test_s3_3_a_pause_stops_the_clock_art_45(city, office, clock):
    """Art. 45: an expert review noticed on 9 October and ended on 13 October takes 10, 12 and
    13 October out: the yellow card moves from 14 to 19 October."""
    app = application(city, version(city, promised=10))
    Pause.objects.create(application=app, reason="expert_review", started_on=date(2026, 10, 9), expected_days=3,
                         notice_text="专家评审", ended_on=date(2026, 10, 13), started_by=city.alice)
    run_days(ACCEPTED, date(2026, 10, 21), clock)
    assert list(Card.objects.values_list("colour", "issued_on")) == [("yellow", date(2026, 10, 19))]


def test_s3_3_step_cards_go_to_the_steps_department(city, office, clock):
    """A running step of czj with 3 working days from 9 October: 10, 12, 13 October make 3
    (yellow at 80 %, rounded up: 3), 14 October is past it (red); the card is czj's."""
    v = version(city, promised=15, steps=[(1, "czj", 3)])
    app = application(city, v)
    StepRecord.objects.create(application=app, step=v.steps.get(), state=StepState.RUNNING,
                              started_on=date(2026, 10, 9))
    run_days(ACCEPTED, date(2026, 10, 16), clock)
    step_cards = Card.objects.filter(step__isnull=False).order_by("issued_on")
    assert [(c.colour, c.issued_on, c.unit.code) for c in step_cards] == [
        ("yellow", date(2026, 10, 13), "czj"), ("red", date(2026, 10, 14), "czj")]
    # 15 promised days: 9 October is the 4th, nowhere near the application's own yellow (12th)
    assert not Card.objects.filter(step__isnull=True).exists()


def test_s3_3_a_card_is_issued_once_even_when_two_passes_meet(city, office, clock):
    """The unique constraints are the last word: a second issue of the same card is refused."""
    from ducha.approvals.supervision import _Due, _issue
    from ducha.rules.approvals import decision_clock

    app = application(city, version(city, promised=10))
    c = decision_clock(get_calendar(), accepted=ACCEPTED, limit=10, today=YELLOW_DAY)
    assert _issue(_Due(app, None, "yellow", c), YELLOW_DAY) is not None
    assert _issue(_Due(app, None, "yellow", c), YELLOW_DAY) is None
    assert Card.objects.count() == 1


def test_s3_3_deemed_acceptance_art_32_through_the_pass(city, office, clock):
    """Art. 32: received on Monday 28 September, nothing given by the fifth working day after it
    (Saturday 10 October, a make-up working day): accepted by law as of 28 September, by the pass
    of Sunday 11 October; its clock has run since, so it is checked for cards the same day."""
    v = version(city, promised=10)
    app = application(city, v, state=ApplicationState.RECEIVED, accepted=None)
    figures = run_days(ACCEPTED, date(2026, 10, 14), clock)
    assert sum(f["deemed"] for f in figures.values()) == 1 and figures[date(2026, 10, 11)]["deemed"] == 1
    app.refresh_from_db()
    assert app.state == ApplicationState.ACCEPTED and app.deemed_accepted and app.accepted_on == ACCEPTED
    assert Event.objects.filter(application=app, kind="deemed_accepted", actor__isnull=True).count() == 1
    assert list(Card.objects.values_list("colour", "issued_on")) == [("yellow", YELLOW_DAY)]
    # Between receipt and the deadline the received application is not looked at every day.
    assert [d for d, f in figures.items() if f["checked"]][:2] == [ACCEPTED, date(2026, 10, 11)]


def _cards(city) -> tuple[Card, Card]:
    app = application(city, version(city, promised=10))
    yellow = Card.objects.create(application=app, unit=city.units["fgw"], colour="yellow", issued_on=YELLOW_DAY,
                                 limit_days=10, used_days=8)
    red = Card.objects.create(application=app, unit=city.units["fgw"], colour="red", issued_on=RED_DAY,
                              limit_days=10, used_days=11)
    return yellow, red


def test_s3_3_a_card_opens_an_efficiency_case_in_one_step_once(city, office, clock):
    """S3.3 → S1.14: the supervision office opens the case from the card, confirmed; once."""
    clock.set(date(2026, 10, 20))
    _y, red = _cards(city)
    for who in (city.wendy, city.xavier, city.ursula, city.mayor):
        with pytest.raises(NotYours):
            do_open_case_from_card(actor=who, card_id=red.pk, confirm=True)
    with pytest.raises(SupervisionError) as e:
        do_open_case_from_card(actor=city.alice, card_id=red.pk, confirm=False)
    assert "confirm" in e.value.errors and not Case.objects.exists()
    case = do_open_case_from_card(actor=city.alice, card_id=red.pk, confirm=True)
    red.refresh_from_db()
    assert red.case_id == case.pk and case.source == CaseSource.APPROVAL_CARD == "approval_card"
    assert case.unit_id == city.units["fgw"].pk and case.conduct == "slow"
    assert red.application.receipt_number in case.summary and "11" in case.summary
    with pytest.raises(SupervisionError):
        do_open_case_from_card(actor=city.alice, card_id=red.pk, confirm=True)
    assert Case.objects.count() == 1


def test_s3_3_summary_for_the_evaluation(city, office, clock, django_assert_max_num_queries):
    """S3.3 → S6.1: per department, decided and accepted applications and cards of the period
    with their ids; two statements whatever the number of departments."""
    yellow, red = _cards(city)
    v = version(city)
    application(city, v, unit="czj", accepted=date(2026, 10, 9))
    done = application(city, v, state=ApplicationState.GRANTED, received=date(2026, 9, 1), accepted=date(2026, 9, 1))
    Application.objects.filter(pk=done.pk).update(decided_on=date(2026, 10, 12))
    Card.objects.create(application=done, unit=city.units["czj"], colour="yellow", issued_on=date(2026, 9, 29),
                        limit_days=10, used_days=8)
    ids = list(Unit.objects.values_list("pk", flat=True))
    with django_assert_max_num_queries(2):
        s = units_cards(ids, date(2026, 10, 1), date(2026, 10, 31))
    fgw, czj = s[city.units["fgw"].pk], s[city.units["czj"].pk]
    assert (fgw.decided, fgw.accepted, fgw.yellow, fgw.red) == (1, 0, 1, 1)
    assert fgw.card_ids == sorted([yellow.pk, red.pk]) and fgw.red_ids == [red.pk]
    assert (czj.decided, czj.accepted, czj.yellow, czj.red) == (0, 1, 0, 0)
    assert set(s) == set(ids) and s[city.units["gxq"].pk].card_ids == []
    september = units_cards(ids, date(2026, 9, 1), date(2026, 9, 30))
    assert september[city.units["czj"].pk].yellow == 1 and september[city.units["fgw"].pk].accepted == 2


def test_s3_3_board_who_reads_what(city, office, clock):
    clock.set(date(2026, 10, 20))
    yellow, red = _cards(city)
    application(city, version(city), unit="czj")
    Card.objects.create(application=application(city, version(city), unit="czj"), unit=city.units["czj"],
                        colour="yellow", issued_on=date(2026, 10, 20), limit_days=5, used_days=4)
    url = reverse("approvals:board")
    for user, units in [(city.alice, {"fgw", "czj"}), (city.gina, {"fgw", "czj"}), (city.mayor, {"fgw", "czj"}),
                        (city.victor, {"fgw", "czj"}), (city.wendy, {"fgw", "czj"}), (city.ursula, {"fgw"}),
                        (city.sam, {"fgw"}), (city.carl, {"czj"})]:
        c = Client()
        c.force_login(user)
        r = c.get(url)
        assert r.status_code == 200, user
        api = c.get("/api/approvals/supervision/board").json()
        assert {d["unit"]["name"] for d in api["departments"]} == {city.units[u].name for u in units}, user
        cards = c.get("/api/approvals/supervision/cards").json()["items"]
        assert {x["unit"]["id"] for x in cards} == {city.units[u].pk for u in units}, user
    for user in (city.sysop, city.audrey):
        c = Client()
        c.force_login(user)
        assert c.get(url).status_code == 404
        assert c.get("/api/approvals/supervision/board").status_code == 404
    assert Client().get("/api/approvals/supervision/board").status_code == 401
    c = Client()
    c.force_login(city.alice)
    fgw = next(d for d in c.get("/api/approvals/supervision/board").json()["departments"]
               if d["unit"]["id"] == city.units["fgw"].pk)
    assert (fgw["running"], fgw["yellow_month"], fgw["red_month"], fgw["red_running"]) == (1, 1, 1, 1)
    page = c.get(url, {"unit": city.units["fgw"].pk, "colour": "red", "period": "month"})
    body = page.content.decode()
    assert f'data-card="{red.pk}"' in body and f'data-card="{yellow.pk}"' not in body
    reds = c.get("/api/approvals/supervision/cards", {"colour": "red"}).json()["items"]
    assert [x["id"] for x in reds] == [red.pk] and reds[0]["used_days"] == 11 and reds[0]["limit_days"] == 10
    first = c.get("/api/approvals/supervision/cards", {"limit": 2}).json()
    rest = c.get("/api/approvals/supervision/cards", {"limit": 2, "after": first["next_after"]}).json()
    assert len(first["items"]) + len(rest["items"]) == 3 and rest["next_after"] is None


def test_s3_3_the_board_opens_a_case_with_confirmation_page_and_api(city, office, clock):
    clock.set(date(2026, 10, 20))
    yellow, red = _cards(city)
    alice = Client()
    alice.force_login(city.alice)
    url = reverse("approvals:board-card-case", args=[red.pk])
    assert alice.post(url, {}).status_code == 400 and not Case.objects.exists()
    assert alice.post(url, {"confirm": "yes"}).status_code == 302
    red.refresh_from_db()
    assert red.case.source == "approval_card"
    assert alice.post(url, {"confirm": "yes"}).status_code == 400 and Case.objects.count() == 1
    sam = Client()
    sam.force_login(city.sam)
    api = f"/api/approvals/supervision/cards/{yellow.pk}/case"
    assert sam.post(api, {"confirm": True}, content_type="application/json").status_code == 403
    carl = Client()
    carl.force_login(city.carl)
    assert carl.post(api, {"confirm": True}, content_type="application/json").status_code == 404
    r = alice.post(api, {}, content_type="application/json")
    assert r.status_code == 400 and "confirm" in r.json()["errors"]
    r = alice.post(api, {"confirm": True}, content_type="application/json")
    assert r.status_code == 201 and r.json()["card"]["case_id"] == r.json()["case_id"]
    assert Case.objects.count() == 2


def test_s3_3_the_board_reads_in_constant_queries(city, office, clock, django_assert_max_num_queries):
    clock.set(date(2026, 10, 20))
    alice = Client()
    alice.force_login(city.alice)
    url = reverse("approvals:board")

    def grow(n: int) -> None:
        v = version(city, steps=[(1, "czj", 3)])
        for i in range(n):
            app = application(city, v, unit=["fgw", "czj", "wancheng"][i % 3])
            for colour in ("yellow", "red")[: 1 + i % 2]:
                Card.objects.create(application=app, unit=app.handling_unit, colour=colour,
                                    issued_on=date(2026, 10, 1 + i % 20), limit_days=10, used_days=9)

    grow(3)
    with django_assert_max_num_queries(16) as few:
        assert alice.get(url, {"period": "all"}).status_code == 200
    grow(60)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert alice.get(url, {"period": "all"}).status_code == 200
    with django_assert_max_num_queries(8):
        assert alice.get("/api/approvals/supervision/board").status_code == 200
    with django_assert_max_num_queries(8):
        assert alice.get("/api/approvals/supervision/cards", {"limit": 50}).status_code == 200


def test_s3_3_the_worker_runs_the_pass(city, office, clock):
    """``ducha worker --once --json`` prints the pass's figures, prefixed with its name."""
    assert "approvals" in passes._passes
    app = application(city, version(city, promised=10), check=YELLOW_DAY)
    clock.set(YELLOW_DAY)
    out = StringIO()
    call_command("worker", "--once", "--json", stdout=out)
    figures = json.loads(out.getvalue().strip().splitlines()[-1])
    assert (figures["approvals_checked"], figures["approvals_yellow"], figures["approvals_red"],
            figures["approvals_deemed"]) == (1, 1, 0, 0)
    app.refresh_from_db()
    assert app.next_check_on == date(2026, 10, 15)


_postgres = pytest.mark.skipif(django_settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
                               reason="needs PostgreSQL: SKIP LOCKED, and a database other connections see")


@_postgres
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_s3_3_concurrent_passes_issue_each_card_exactly_once(city, clock):
    """Four passes at once over the same 400 due applications, in batches of 25: every card
    once (SKIP LOCKED splits the claims; the unique constraints would refuse a double)."""
    from ducha.workcal.demo import build_demo_calendar
    from ducha.workcal.service import clear_cache

    # A transactional test before this one may have flushed the seeded calendar: load it as an
    # installation has it, whatever ran before.
    build_demo_calendar()
    clear_cache()
    Unit.objects.create(code=django_settings.DUCHA_APPROVAL_SERVICE_UNIT, name="市行政审批服务局",
                        kind=UnitKind.DEPARTMENT)
    d = clock.set(RED_DAY).date()  # the passes and the notifications share the test's day
    cal = get_calendar()
    v_yellow, v_red = version(city, promised=10), version(city, promised=5)
    accepted = cal.add_workdays(cal.workday_on_or_before(d), -9)
    for i in range(400):
        application(city, v_yellow if i % 2 else v_red, accepted=accepted, check=d)
    results: list[dict[str, int]] = []
    errors: list[BaseException] = []
    start = threading.Barrier(4)

    def lane() -> None:
        try:
            start.wait()
            results.append(supervise(today=d, batch_size=25))
        except BaseException as e:
            errors.append(e)
        finally:
            connection.close()

    threads = [threading.Thread(target=lane) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert sum(r["checked"] for r in results) == 400
    assert sum(1 for r in results if r["checked"]) >= 2  # the work was shared
    assert sum(r["yellow"] for r in results) == 200 and sum(r["red"] for r in results) == 200
    assert Card.objects.count() == 400
    assert Card.objects.values("application", "colour").distinct().count() == 400
    assert supervise(today=d) == {"checked": 0, "yellow": 0, "red": 0, "deemed": 0}
