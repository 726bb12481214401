"""S6.1–S6.3, S1.3: a category's quarter scored from the platform's own outcomes and ratings on a
versioned indicator set, every score explaining itself down to the records, ranked within the
category, graded with quotas, checked, approved and published; a unit objects and an upheld
objection corrects the result as a new version."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from ducha.accountability.actions import RecordInput, do_register_record
from ducha.evaluation.access import visible_periods
from ducha.evaluation.actions import (
    EvaluationError,
    NotYours,
    do_answer_objection,
    do_check_evaluation,
    do_decide_evaluation,
    do_open_evaluation,
    do_publish_evaluation,
    do_raise_objection,
)
from ducha.evaluation.actions_ratings import RatingEntry, do_enter_ratings
from ducha.evaluation.defaults import ensure_categories, ensure_default_set
from ducha.evaluation.models import Category, Snapshot
from ducha.evaluation.summary import current_lines, unit_grade
from ducha.inbox.models import Notification
from ducha.matters.models import Matter
from ducha.org.models import UnitPost, UnitPostKind, User
from ducha.org.roles import Role
from tests.test_approvals_ratings import hall  # noqa: F401 -- a fixture
from tests.test_ledger_phases import make_matter

Q3 = "2026-Q3"
AFTER = date(2026, 10, 12)


@pytest.fixture
def quarter(city, clock):
    """The departments fgw and czj: fgw's key work half done, czj's fully; ratings entered."""
    clock.set(date(2026, 1, 5))
    make_matter(city, "fgw", progress=50, title="发改重点")
    make_matter(city, "czj", progress=100, title="财政重点")
    clock.set(AFTER)
    categories = ensure_categories()
    departments = next(c for c in categories if c.code == "departments")
    ensure_default_set(departments, 2026, actor=city.percy)
    fgw, czj = city.units["fgw"].pk, city.units["czj"].pk
    do_enter_ratings(actor=city.percy, period_key=Q3, source="public_rating", origin="第三方民意调查",
                     entries=[RatingEntry(fgw, "80"), RatingEntry(czj, "90")])
    do_enter_ratings(actor=city.mayor, period_key=Q3, source="leader_rating",
                     entries=[RatingEntry(fgw, "85"), RatingEntry(czj, "95")])
    return departments


def line_of(evaluation, city, code):
    return current_lines(evaluation).get(unit=city.units[code])


def test_s6_1_a_quarter_is_scored_from_outcomes_and_explains_itself(city, quarter):
    with pytest.raises(NotYours):
        do_open_evaluation(actor=city.alice, category_id=quarter.pk, period_key=Q3, today=AFTER)
    with pytest.raises(EvaluationError) as e:  # a running quarter is not scored
        do_open_evaluation(actor=city.percy, category_id=quarter.pk, period_key="2026-Q4", today=AFTER)
    assert "period" in e.value.errors
    ev = do_open_evaluation(actor=city.percy, category_id=quarter.pk, period_key=Q3, today=AFTER)
    assert ev.state == "draft" and Snapshot.objects.get(evaluation=ev).version == 1
    fgw, czj = line_of(ev, city, "fgw"), line_of(ev, city, "czj")
    assert (czj.rank, fgw.rank) == (1, 2)
    rows = {r["code"]: r for r in fgw.breakdown["indicators"]}
    key_work = rows["key_work"]
    matter = Matter.objects.get(title="发改重点")
    assert key_work["formula"] and key_work["records"] == [{"type": "matter", "id": matter.pk}]
    assert Decimal(key_work["score"]) == Decimal("15.00")  # 30 × 50 %
    assert Decimal(rows["public"]["score"]) == Decimal("20.00")  # 25 × 80/100
    assert Decimal(rows["leaders"]["score"]) == Decimal("12.75")  # 15 × 85/100
    # The branches add up their children, and the total is the tree's.
    assert Decimal(rows["targets"]["score"]) == Decimal(rows["work"]["score"]) + Decimal(rows["assurance"]["score"])
    assert fgw.total == Decimal(rows["targets"]["score"]) + Decimal(rows["rated"]["score"])


def test_s6_3_draft_checked_approved_published_and_only_then_seen(city, quarter, django_capture_on_commit_callbacks):
    ev = do_open_evaluation(actor=city.percy, category_id=quarter.pk, period_key=Q3, today=AFTER)
    assert ev not in visible_periods(city.ursula) and ev not in visible_periods(city.mayor)
    with pytest.raises(NotYours):
        do_check_evaluation(actor=city.mayor, evaluation=ev)
    ev = do_check_evaluation(actor=city.percy, evaluation=ev)
    assert ev in visible_periods(city.mayor) and ev not in visible_periods(city.ursula)
    with pytest.raises(NotYours):
        do_decide_evaluation(actor=city.victor, evaluation=ev, approve=True)
    ev = do_decide_evaluation(actor=city.mayor, evaluation=ev, approve=False, reason="公众评价来源请补充说明")
    assert (ev.state, ev.returned_reason) == ("draft", "公众评价来源请补充说明")
    ev = do_check_evaluation(actor=city.percy, evaluation=ev)
    ev = do_decide_evaluation(actor=city.mayor, evaluation=ev, approve=True)
    with django_capture_on_commit_callbacks(execute=True):
        ev = do_publish_evaluation(actor=city.percy, evaluation=ev, today=date(2026, 10, 20))
    assert ev.state == "published" and ev.number == "宛绩〔2026〕1号" and ev.render_error == ""
    assert ev.pdf and ev in visible_periods(city.ursula)
    assert Notification.objects.filter(user=city.ursula, title__contains=Q3).exists()


def test_s6_3_an_upheld_objection_corrects_the_result_as_a_new_version(city, quarter, clock):
    ev = do_open_evaluation(actor=city.percy, category_id=quarter.pk, period_key=Q3, today=AFTER)
    ev = do_check_evaluation(actor=city.percy, evaluation=ev)
    ev = do_decide_evaluation(actor=city.mayor, evaluation=ev, approve=True)
    clock.set(date(2026, 10, 20))
    ev = do_publish_evaluation(actor=city.percy, evaluation=ev, today=date(2026, 10, 20))
    before = line_of(ev, city, "fgw").total
    with pytest.raises(NotYours):
        do_raise_objection(actor=city.carl, evaluation=ev, text="x", today=date(2026, 10, 21))
    objection = do_raise_objection(actor=city.ursula, evaluation=ev, text="重点事项已完成，进度未及时更新",
                                   indicator="key_work", today=date(2026, 10, 21))
    Matter.objects.filter(title="发改重点").update(progress=100)
    with pytest.raises(EvaluationError):  # too late
        do_raise_objection(actor=city.ursula, evaluation=ev, text="再议", today=date(2026, 11, 20))
    do_answer_objection(actor=city.percy, objection=objection, upheld=True, answer="经核实，进度已更正",
                        today=date(2026, 10, 22))
    snaps = list(Snapshot.objects.filter(evaluation=ev).order_by("version").values_list("version", "reason"))
    assert snaps[-1][0] == 2 and "经核实" in snaps[-1][1]
    ev.refresh_from_db()
    assert ev.state == "published" and line_of(ev, city, "fgw").total == before + Decimal(15)


def test_s6_1_ratings_are_for_the_leaders_scope_and_named_sources(city, quarter):
    with pytest.raises(EvaluationError) as e:
        do_enter_ratings(actor=city.victor, period_key=Q3, source="leader_rating",
                         entries=[RatingEntry(city.units["czj"].pk, "90")])  # czj is not in victor's portfolio
    assert f"unit-{city.units['czj'].pk}" in e.value.errors
    with pytest.raises(EvaluationError) as e:
        do_enter_ratings(actor=city.percy, period_key=Q3, source="public_rating", origin="",
                         entries=[RatingEntry(city.units["czj"].pk, "90")])
    assert "origin" in e.value.errors
    with pytest.raises(EvaluationError) as e:
        do_enter_ratings(actor=city.percy, period_key=Q3, source="public_rating", origin="调查",
                         entries=[RatingEntry(city.units["czj"].pk, "120")])
    assert "0 to 100" in str(e.value) or "0" in str(e.value)


def test_s1_16_accountability_is_a_capped_deduction_and_the_grade_is_read_by_others(city, quarter, clock):
    head = User.objects.create_user(username="fgw_head", password="x", name="主任甲", role=Role.UNIT_STAFF,
                                    unit=city.units["fgw"])
    UnitPost.objects.create(unit=city.units["fgw"], person=head, kind=UnitPostKind.PRINCIPAL)
    for n in range(7):
        do_register_record(actor=city.alice, today=AFTER, data=RecordInput(
            unit_id=city.units["fgw"].pk, people_ids=(head.pk,), cause="other", reason="推进迟缓", form="notice",
            deciding_body="市政府督查室", document_number=f"宛督责〔2026〕{n + 1}号", decided_on=date(2026, 8, 3)))
    ev = do_open_evaluation(actor=city.percy, category_id=quarter.pk, period_key=Q3, today=AFTER)
    fgw = line_of(ev, city, "fgw")
    assert Decimal(fgw.breakdown["total"]["deduction"]) == Decimal(-5)  # 7 × −1, capped at 5
    assert fgw.total == fgw.base - 5
    assert unit_grade(city.units["fgw"].pk, 2026) is None  # no published annual grade yet


def test_s6_3_pages_show_the_ranking_and_the_explanation(city, quarter):
    ev = do_open_evaluation(actor=city.percy, category_id=quarter.pk, period_key=Q3, today=AFTER)
    percy, ursula = Client(), Client()
    percy.force_login(city.percy)
    ursula.force_login(city.ursula)
    page = percy.get(reverse("evaluation:period", args=[ev.pk])).content.decode()
    assert "市财政局" in page and "市发展和改革委员会" in page
    assert ursula.get(reverse("evaluation:period", args=[ev.pk])).status_code == 404
    unit = percy.get(reverse("evaluation:unit", args=[ev.pk, city.units["fgw"].pk])).content.decode()
    assert "30 × " in unit or "30" in unit
    assert Category.objects.count() == 3


def test_s6_3_the_ranking_over_the_api_explains_each_score(city, quarter):
    ev = do_open_evaluation(actor=city.percy, category_id=quarter.pk, period_key=Q3, today=AFTER)
    percy, ursula, mayor = Client(), Client(), Client()
    percy.force_login(city.percy)
    ursula.force_login(city.ursula)
    mayor.force_login(city.mayor)
    url = "/api/evaluation/2026/Q3/ranking?category=departments"
    assert ursula.get(url).status_code == 404  # a draft reaches no unit
    got = percy.get(url).json()
    assert [r["unit_name"] for r in got["results"]][:1] == ["市财政局"]
    fgw = next(r for r in got["results"] if r["unit_id"] == city.units["fgw"].pk)
    key_work = next(i for i in fgw["indicators"] if i["code"] == "key_work")
    assert key_work["score"] == "15.00" and key_work["records_total"] == 1
    base = f"/api/evaluation/periods/{ev.pk}"
    assert mayor.post(f"{base}/check").status_code == 404  # a draft is the office's alone
    assert percy.post(f"{base}/check").json()["state"] == "checked"
    assert mayor.post(f"{base}/decision", {"approve": True}, content_type="application/json").json()["state"] == \
        "approved"
    unconfirmed = percy.post(f"{base}/publish", {}, content_type="application/json")
    assert unconfirmed.status_code == 400 and "confirm" in unconfirmed.json()["errors"]
    published = percy.post(f"{base}/publish", {"confirm": True}, content_type="application/json").json()
    assert published["state"] == "published" and set(published["files"]) == {"docx", "pdf"}
    seen = ursula.get(url).json()
    own = next(r for r in seen["results"] if r["unit_id"] == city.units["fgw"].pk)
    other = next(r for r in seen["results"] if r["unit_id"] == city.units["czj"].pk)
    assert own["indicators"] and other["indicators"] == []  # the explanation is the unit's own
    made = ursula.post(f"{base}/objections", {"text": "进度未及时更新"}, content_type="application/json")
    assert made.status_code == 201
    answered = percy.post(f"/api/evaluation/objections/{made.json()['id']}/answer",
                          {"upheld": False, "answer": "数据无误"}, content_type="application/json")
    assert answered.json()["state"] == "dismissed"
    sets = percy.get("/api/evaluation/sets?year=2026").json()
    assert {i["code"] for i in sets[0]["indicators"]} >= {"key_work", "lawful", "accountability"}


def test_s6_1_demo_city_has_two_published_quarters_and_a_draft(db, clock):
    from ducha.evaluation.demo import build_demo_evaluation
    from ducha.evaluation.models import EvaluationPeriod
    from ducha.matters.demo import build_demo_matters
    from ducha.org.demo import build_demo_organisation
    from ducha.workcal.demo import build_demo_calendar

    clock.set(date(2026, 11, 16))
    build_demo_calendar()
    build_demo_organisation()
    build_demo_matters()
    assert build_demo_evaluation() > 0 and build_demo_evaluation() == 0
    states = set(EvaluationPeriod.objects.values_list("period", "state"))
    assert ("2026-Q1", "published") in states and ("2026-Q2", "published") in states
    assert ("2026-Q3", "draft") in states


def test_s6_1_a_new_version_of_the_set_is_checked_and_used_from_its_day(city, quarter):
    from ducha.evaluation.actions_sets import do_make_set, specs_of
    from ducha.evaluation.models import IndicatorSet

    first = IndicatorSet.objects.get(category=quarter, year=2026)
    specs = specs_of(first)
    bad = [s if s.code != "key_work" else s.__class__(**{**s.__dict__, "weight": "25"}) for s in specs]
    with pytest.raises(EvaluationError) as e:  # 25 + 12 ≠ 42
        do_make_set(actor=city.percy, category=quarter, year=2026, valid_from=date(2026, 10, 1), note="调整",
                    bonus_cap="5", deduction_cap="5", specs=bad)
    assert "work" in str(e.value) and IndicatorSet.objects.filter(category=quarter).count() == 1
    clicks = [s if s.code != "leaders" else s.__class__(**{**s.__dict__, "source": "logins"}) for s in specs]
    with pytest.raises(EvaluationError) as e:
        do_make_set(actor=city.percy, category=quarter, year=2026, valid_from=date(2026, 10, 1), note="调整",
                    bonus_cap="5", deduction_cap="5", specs=clicks)
    assert "leaders" in e.value.errors  # counting logins is refused
    moved = [s.__class__(**{**s.__dict__, "weight": {"key_work": "35", "execution": "7"}.get(s.code, s.weight)})
             for s in specs]
    with pytest.raises(NotYours):
        do_make_set(actor=city.alice, category=quarter, year=2026, valid_from=date(2026, 10, 1), note="调整",
                    bonus_cap="5", deduction_cap="5", specs=moved)
    second = do_make_set(actor=city.percy, category=quarter, year=2026, valid_from=date(2026, 10, 1),
                         note="提高清单事项权重", bonus_cap="5", deduction_cap="5", specs=moved)
    assert second.version == 2
    ev = do_open_evaluation(actor=city.percy, category_id=quarter.pk, period_key=Q3, today=AFTER)
    assert ev.indicator_set == first  # Q3 began before version 2


def test_s2_8_a_quarter_whose_months_are_closed_reads_the_closed_figures(city, quarter):
    """一月一结账: once the three months are closed, the rates are the closed ones, not today's."""
    from django.utils import timezone

    from ducha.reports.models import MonthClose, MonthCloseLine

    for month, (done, due) in ((7, (1, 2)), (8, (2, 2)), (9, (0, 1))):
        close = MonthClose.objects.create(year=2026, month=month, as_of=date(2026, month + 1, 15),
                                          closed_by=city.alice, closed_at=timezone.now())
        MonthCloseLine.objects.create(close=close, unit=city.units["fgw"], execution_done=done, execution_due=due,
                                      report_status="on_time")
    ev = do_open_evaluation(actor=city.percy, category_id=quarter.pk, period_key=Q3, today=AFTER)
    rows = {r["code"]: r for r in line_of(ev, city, "fgw").breakdown["indicators"]}
    assert rows["execution"]["note"] == "closed:3/5" and rows["execution"]["score"] == "7.20"  # 12 × 3/5


def test_s6_1_provincial_honours_are_a_capped_tie_breaking_bonus_summed_per_honour(city, quarter):
    fgw = city.units["fgw"].pk
    for honour, points in (("省级文明单位", "3"), ("全省营商环境评价第一名", "4")):
        do_enter_ratings(actor=city.percy, period_key=Q3, source="provincial_honours", origin=honour,
                         entries=[RatingEntry(fgw, points)])
    with pytest.raises(EvaluationError):  # an honour is entered with its name
        do_enter_ratings(actor=city.percy, period_key=Q3, source="provincial_honours", origin=" ",
                         entries=[RatingEntry(fgw, "1")])
    ev = do_open_evaluation(actor=city.percy, category_id=quarter.pk, period_key=Q3, today=AFTER)
    line = line_of(ev, city, "fgw")
    honours = next(r for r in line.breakdown["indicators"] if r["code"] == "honours")
    assert Decimal(honours["value"]) == 7 and len(honours["records"]) == 2  # 3 + 4, each honour one click away
    # 贵阳's rule: the bonus (capped at 5) breaks ties only; the total does not move.
    assert Decimal(line.breakdown["total"]["bonus"]) == 5 and line.total == line.base + Decimal(
        line.breakdown["total"]["deduction"])


def test_s2_4_the_year_end_ledger_is_read_from_the_frozen_close_not_the_live_matters(city, clock, settings, tmp_path):
    from ducha.evaluation.sources import ledger_year_end
    from ducha.ledger.actions import do_build_ledger, do_close_ledger
    from ducha.ledger.planning import plan_close
    from ducha.matters.actions import do_transition_matter
    from ducha.rules.periods import Period

    settings.MEDIA_ROOT = tmp_path
    clock.set(date(2026, 1, 12))
    done = make_matter(city, "fgw", progress=100, title="已完成事项")
    make_matter(city, "fgw", progress=60, title="仍在办理")
    do_build_ledger(actor=city.alice, year=2026, today=date(2026, 1, 12))
    fgw, czj = city.units["fgw"].pk, city.units["czj"].pk
    year = Period.parse("2026")
    assert ledger_year_end([fgw], year, date(2026, 12, 1))[fgw].value is None  # not closed yet: no value
    clock.set(date(2026, 11, 20))
    do_transition_matter(actor=city.sam, matter_id=done.id, action="claim", reason="完成", explanation="完成",
                         today=date(2026, 11, 20))
    do_transition_matter(actor=city.alice, matter_id=done.id, action="close", today=date(2026, 11, 23))
    clock.set(date(2026, 12, 28))
    from ducha.ledger.actions import do_check_ledger, do_reconcile_ledger
    do_check_ledger(actor=city.gina, year=2026, today=date(2026, 6, 15))
    do_reconcile_ledger(actor=city.gina, year=2026, today=date(2026, 9, 15), render=False)
    do_close_ledger(actor=city.alice, year=2026, today=date(2026, 12, 28), confirm_year=2026,
                    expected_digest=plan_close(2026, date(2026, 12, 28)).digest)
    raw = ledger_year_end([fgw, czj], year, date(2026, 12, 28))
    assert raw[fgw].value == Decimal(1) / 2 and raw[fgw].note == "ledger_final:1/2"
    assert {r["id"] for r in raw[fgw].records} == set(Matter.objects.filter(lead_unit_id=fgw).values_list("id", flat=True))
    assert raw[czj].value is None
    Matter.objects.filter(lead_unit_id=fgw).update(progress=100)  # a later edit does not change the closed ledger
    assert ledger_year_end([fgw], year, date(2026, 12, 29))[fgw].value == Decimal(1) / 2


def test_s6_3_a_units_rank_over_the_quarters_costs_the_same_queries_however_many_quarters(city, quarter):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    percy = Client()
    percy.force_login(city.percy)
    q3 = do_open_evaluation(actor=city.percy, category_id=quarter.pk, period_key=Q3, today=AFTER)
    do_open_evaluation(actor=city.percy, category_id=quarter.pk, period_key="2026-Q2", today=AFTER)
    url = reverse("evaluation:unit", args=[q3.pk, city.units["fgw"].pk])
    percy.get(url)
    with CaptureQueriesContext(connection) as two:
        page = percy.get(url).content.decode()
    assert page.count('class="list-inline-item"') >= 2 and 'data-testid="ranks"' in page
    do_open_evaluation(actor=city.percy, category_id=quarter.pk, period_key="2026-Q1", today=AFTER)
    with CaptureQueriesContext(connection) as three:
        page = percy.get(url).content.decode()
    assert page.count("list-inline-item") > 2
    assert len(three) == len(two)


def test_s3_3_red_cards_of_electronic_supervision_are_a_deduction_naming_each_card(city, quarter):
    from ducha.approvals.models import Card
    from tests.test_approvals_supervision import application, version

    app = application(city, version(city), received=date(2026, 9, 1), accepted=date(2026, 9, 1))
    Card.objects.create(application=app, unit=city.units["fgw"], colour="yellow", issued_on=date(2026, 9, 10),
                        limit_days=10, used_days=8)
    red = Card.objects.create(application=app, unit=city.units["fgw"], colour="red", issued_on=date(2026, 9, 16),
                              limit_days=10, used_days=11)
    ev = do_open_evaluation(actor=city.percy, category_id=quarter.pk, period_key=Q3, today=AFTER)
    rows = {r["code"]: r for r in line_of(ev, city, "fgw").breakdown["indicators"]}
    assert Decimal(rows["approval_cards"]["value"]) == 1  # the red card only: a yellow one is a warning
    assert rows["approval_cards"]["records"] == [{"type": "approval_card", "id": red.pk}]
    assert Decimal(rows["approval_cards"]["score"]) == Decimal("-0.50")
    czj = {r["code"]: r for r in line_of(ev, city, "czj").breakdown["indicators"]}
    assert Decimal(czj["approval_cards"]["value"]) == 0


@pytest.mark.usefixtures("hall")
def test_s5_3_good_and_bad_ratings_reach_the_evaluation_per_thousand_and_rectified_on_time(city, quarter):
    """好差评 as evaluation inputs that separate units (a raw 满意率 sits at the ceiling)."""
    from ducha.evaluation.sources import public_bad_ratings, public_rectified_on_time
    from ducha.rules.periods import Period
    from tests.test_approvals_ratings import app_on, at, bad
    from tests.test_approvals_ratings import rate as record

    fgw, czj = city.units["fgw"].pk, city.units["czj"].pk
    apps = [app_on(city, date(2026, 9, 1), f"E{n}") for n in range(4)]
    low = bad(apps[0], date(2026, 9, 2))
    record(apps[1], node="received", level=5, reason="", channel="window", at=at(date(2026, 9, 2)), on=date(2026, 9, 2))
    q3 = Period.parse(Q3)
    per_thousand = public_bad_ratings([fgw, czj], q3, AFTER)
    assert per_thousand[fgw].value == Decimal(250) and per_thousand[fgw].records == [
        {"type": "service_rating", "id": low.pk}]  # 1 bad of 4 received
    assert per_thousand[czj].value is None and per_thousand[czj].note == "no_applications"
    assert public_rectified_on_time([fgw], q3, AFTER)[fgw].value == Decimal(0)  # its case is not rectified
