"""S2.5, S6.2: inside a unit. Its administrator gives the unit's part of matters to sections and
people (the internal ledger), reviews each section monthly (一月一讲评) and at year end evaluates
the unit's staff from the ledger, 优秀 within a quota that moves with the unit's own grade
(与单位优秀公务员比例升降挂钩); the organisation and personnel office confirms or returns it.
Personal data: only the unit and that office read it; the city offices and leaders do not."""

from __future__ import annotations

import json
from datetime import date

import pytest
from django.test import Client

from ducha.audit.models import AuditEvent
from ducha.inbox.models import Notification
from ducha.matters.actions_edit import do_assign_within_unit
from ducha.matters.models import Matter
from ducha.org.access import unit_scope
from ducha.org.models import Section, User
from ducha.org.roles import Role
from ducha.staffeval.actions import (
    GradeInput,
    NotYours,
    ReviewInput,
    StaffEvalError,
    do_confirm_staff_evaluation,
    do_grade_staff,
    do_record_monthly_review,
    do_return_staff_evaluation,
    do_start_staff_evaluation,
    do_submit_staff_evaluation,
)
from ducha.staffeval.ledger import ledger_items, tally
from ducha.staffeval.models import EvaluationState, MonthlyReview, StaffLine
from ducha.staffeval.quota import current_quota
from tests.reminders_helpers import running_matter

TODAY = date(2026, 12, 10)


@pytest.fixture
def unit(city, clock):
    """发改委 with two sections and twelve people (ursula and sam among them), an administrator
    of 财政局, and the organisation and personnel office."""
    clock.set(TODAY)
    fgw = city.units["fgw"]
    office, desk = Section.objects.create(unit=fgw, name="办公室"), Section.objects.create(unit=fgw, name="综合科")
    User.objects.filter(pk=city.sam.pk).update(section=desk)
    for i in range(10):
        User.objects.create_user(username=f"staff{i}", password="x-pw-for-tests", name=f"Staff{i}",
                                 role=Role.UNIT_STAFF, unit=fgw, section=office if i % 2 else desk)
    city.people["cora"] = User.objects.create_user(username="cora", password="x-pw-for-tests", name="Cora",
                                                   role=Role.UNIT_ADMIN, unit=city.units["czj"])
    city.people["hazel"] = User.objects.create_user(username="hazel", password="x-pw-for-tests", name="Hazel",
                                                    role=Role.HR)
    city.sam.refresh_from_db()
    return {"fgw": fgw, "office": office, "desk": desk}


def grade_all(city, ev, excellent: int = 2):
    lines = list(StaffLine.objects.filter(evaluation=ev).order_by("person_id"))
    grades = [GradeInput(ln.person_id, "excellent" if i < excellent else "competent") for i, ln in enumerate(lines)]
    return do_grade_staff(actor=city.ursula, evaluation=ev, grades=grades)


def test_s2_5_the_internal_ledger_carries_status_due_date_and_done_on_time(city, unit):
    late = running_matter(city, due=date(2026, 6, 30), title="项目甲")
    kept = running_matter(city, due=date(2026, 9, 30), title="项目乙")
    co = running_matter(city, due=date(2026, 11, 30), co_units=[("czj", date(2026, 8, 31))], title="项目丙")
    do_assign_within_unit(actor=city.ursula, matter_id=late.pk, unit_id=unit["fgw"].pk, person_id=city.sam.pk)
    do_assign_within_unit(actor=city.ursula, matter_id=kept.pk, unit_id=unit["fgw"].pk,
                          section_id=unit["desk"].pk, person_id=city.sam.pk, task="前期手续")
    do_assign_within_unit(actor=city.cora, matter_id=co.pk, unit_id=city.units["czj"].pk, person_id=city.carl.pk)
    Matter.objects.filter(pk=kept.pk).update(completed_on=date(2026, 9, 20))
    items = ledger_items(unit["fgw"].pk, 2026, TODAY)
    assert [(i.title, i.done, i.on_time, i.overdue) for i in items] == [
        ("项目甲", False, False, True), ("项目乙", True, True, False)]
    assert tally(items).assigned == 2 and items[1].task == "前期手续" and items[1].section_name == "综合科"
    (part,) = ledger_items(city.units["czj"].pk, 2026, TODAY)  # a co-unit's item: its own part's due date
    assert part.due == date(2026, 8, 31) and part.overdue
    client = Client()
    client.force_login(city.ursula)
    page = client.get(f"/staff-evaluation/units/{unit['fgw'].pk}/ledger/")
    assert page.status_code == 200 and "项目甲" in page.content.decode() and "项目丙" not in page.content.decode()


def test_s2_5_one_monthly_review_per_section_and_month_editable_in_the_month_then_frozen(city, unit):
    data = ReviewInput(unit["office"].pk, "2026-12", "文电办理情况", 90, "月报偏晚", "提前审核")
    first = do_record_monthly_review(actor=city.ursula, data=data, today=TODAY)
    again = do_record_monthly_review(actor=city.ursula, data=ReviewInput(unit["office"].pk, "2026-12", "改过的讲评"),
                                     today=TODAY)
    assert first.pk == again.pk and MonthlyReview.objects.get().reviewed == "改过的讲评"
    assert MonthlyReview.objects.get().points is None
    with pytest.raises(StaffEvalError) as frozen:
        do_record_monthly_review(actor=city.ursula, data=ReviewInput(unit["office"].pk, "2026-12", "再改"),
                                 today=date(2027, 1, 4))
    assert "month" in frozen.value.errors
    with pytest.raises(StaffEvalError) as bad:
        do_record_monthly_review(actor=city.ursula, data=ReviewInput(unit["office"].pk, "2026-12", "", 120),
                                 today=TODAY)
    assert {"reviewed", "points"} <= set(bad.value.errors)
    with pytest.raises(NotYours):
        do_record_monthly_review(actor=city.sam, data=data, today=TODAY)
    other = Section.objects.create(unit=city.units["czj"], name="预算科")
    with pytest.raises(StaffEvalError) as foreign:
        do_record_monthly_review(actor=city.ursula, data=ReviewInput(other.pk, "2026-12", "x"), today=TODAY)
    assert "section" in foreign.value.errors
    assert AuditEvent.objects.filter(action="staffeval.review").count() == 2
    client = Client()
    client.force_login(city.ursula)
    response = client.post(f"/staff-evaluation/units/{unit['fgw'].pk}/reviews/", {
        "section": unit["desk"].pk, "month": "2026-12", "reviewed": "项目推进", "points": "88"})
    assert response.status_code == 302 and MonthlyReview.objects.filter(section=unit["desk"]).get().points == 88


@pytest.mark.parametrize(("grade", "quota", "words"), [
    ("excellent", 3, "优秀 → 25 % of 12 staff = 3"), ("fair", 2, "一般 → 20 % of 12 staff = 2"),
    ("poor", 1, "较差 → 15 % of 12 staff = 1"), (None, 2, "20 % of 12 staff = 2")])
def test_s6_2_the_excellent_quota_follows_the_units_grade(city, unit, monkeypatch, grade, quota, words):
    monkeypatch.setattr("ducha.staffeval.quota.unit_grade", lambda unit_id, year: grade)
    from django.utils import translation

    q = current_quota(unit["fgw"].pk, 2026, 12)
    assert q.quota == quota
    with translation.override("en"):
        explained = q.explain().replace("Excellent", "优秀").replace("Fair", "一般").replace("Poor", "较差")
    assert words in explained
    ev = do_start_staff_evaluation(actor=city.ursula, year=2026, today=TODAY)
    assert ev.lines.count() == 12
    with pytest.raises(StaffEvalError) as over:
        grade_all(city, ev, excellent=quota + 1)
    assert "grades" in over.value.errors
    grade_all(city, ev, excellent=quota)
    do_submit_staff_evaluation(actor=city.ursula, evaluation=ev, today=TODAY)
    ev.refresh_from_db()
    assert (ev.quota, ev.unit_grade, ev.staff_count) == (quota, grade or "", 12)


def test_s6_2_the_year_end_evaluation_from_draft_to_the_offices_confirmation(city, unit,
                                                                            django_capture_on_commit_callbacks):
    m = running_matter(city, due=date(2026, 6, 30))
    do_assign_within_unit(actor=city.ursula, matter_id=m.pk, unit_id=unit["fgw"].pk, person_id=city.sam.pk)
    do_record_monthly_review(actor=city.ursula, data=ReviewInput(unit["desk"].pk, "2026-12", "讲评"), today=TODAY)
    ev = do_start_staff_evaluation(actor=city.ursula, year=2026, today=TODAY)
    sam = ev.lines.get(person=city.sam)
    assert (sam.assigned, sam.done, sam.on_time, sam.overdue, sam.reviews) == (1, 0, 0, 1, 1)
    with pytest.raises(StaffEvalError):
        do_start_staff_evaluation(actor=city.ursula, year=2026, today=TODAY)
    with pytest.raises(NotYours):
        do_start_staff_evaluation(actor=city.sam, year=2026, today=TODAY)
    with pytest.raises(StaffEvalError) as ungraded:
        do_submit_staff_evaluation(actor=city.ursula, evaluation=ev, today=TODAY)
    assert "grades" in ungraded.value.errors
    with pytest.raises(StaffEvalError) as reason:
        do_grade_staff(actor=city.ursula, evaluation=ev, grades=[GradeInput(city.sam.pk, "basic")])
    assert f"reason-{city.sam.pk}" in reason.value.errors
    grade_all(city, ev)
    do_grade_staff(actor=city.ursula, evaluation=ev, grades=[GradeInput(city.sam.pk, "basic", "事项逾期未办结")])
    with django_capture_on_commit_callbacks(execute=True):
        do_submit_staff_evaluation(actor=city.ursula, evaluation=ev, today=TODAY)
    assert Notification.objects.filter(user=city.hazel).count() == 1
    with pytest.raises(StaffEvalError):  # frozen once submitted
        grade_all(city, ev, excellent=1)
    with pytest.raises(NotYours):
        do_confirm_staff_evaluation(actor=city.alice, evaluation=ev)
    staff = Client()
    staff.force_login(city.sam)
    assert staff.get(f"/staff-evaluation/evaluations/{ev.pk}/").status_code == 404  # not before it is confirmed
    hr = Client()
    hr.force_login(city.hazel)
    assert hr.get("/staff-evaluation/").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        assert hr.post(f"/staff-evaluation/evaluations/{ev.pk}/", {"step": "confirm"}).status_code == 302
    ev.refresh_from_db()
    assert ev.state == EvaluationState.CONFIRMED and ev.decided_by == city.hazel
    assert Notification.objects.filter(user=city.ursula).exists()
    page = staff.get(f"/staff-evaluation/evaluations/{ev.pk}/").content.decode()
    assert "事项逾期未办结" in page and f'data-person="{city.sam.pk}"' in page and 'data-person="' + str(
        ev.lines.exclude(person=city.sam).first().person_id) + '"' not in page  # their own line only
    assert [e.action for e in AuditEvent.objects.filter(action__startswith="staffeval.").order_by("id")] == [
        "staffeval.review", "staffeval.start", "staffeval.grade", "staffeval.grade", "staffeval.submit",
        "staffeval.confirm"]


def test_s6_2_the_office_returns_with_a_reason_and_the_unit_submits_again(city, unit):
    ev = do_start_staff_evaluation(actor=city.ursula, year=2026, today=TODAY)
    grade_all(city, ev)
    do_submit_staff_evaluation(actor=city.ursula, evaluation=ev, today=TODAY)
    with pytest.raises(StaffEvalError) as no_reason:
        do_return_staff_evaluation(actor=city.hazel, evaluation=ev, reason=" ")
    assert "reason" in no_reason.value.errors
    do_return_staff_evaluation(actor=city.hazel, evaluation=ev, reason="优秀人选须附事迹材料")
    ev.refresh_from_db()
    assert ev.state == EvaluationState.RETURNED and ev.return_reason == "优秀人选须附事迹材料"
    with pytest.raises(StaffEvalError):
        do_confirm_staff_evaluation(actor=city.hazel, evaluation=ev)
    grade_all(city, ev, excellent=1)
    do_submit_staff_evaluation(actor=city.ursula, evaluation=ev, today=TODAY)
    do_confirm_staff_evaluation(actor=city.hazel, evaluation=ev)
    assert ev.state == EvaluationState.CONFIRMED


def test_s6_2_a_unit_cannot_see_another_units_and_the_city_offices_see_none(city, unit):
    ev = do_start_staff_evaluation(actor=city.ursula, year=2026, today=TODAY)
    grade_all(city, ev)
    do_submit_staff_evaluation(actor=city.ursula, evaluation=ev, today=TODAY)
    do_confirm_staff_evaluation(actor=city.hazel, evaluation=ev)
    fgw = unit["fgw"].pk
    urls = [f"/staff-evaluation/evaluations/{ev.pk}/", f"/staff-evaluation/units/{fgw}/ledger/",
            f"/staff-evaluation/units/{fgw}/reviews/", f"/api/staff-evaluation/evaluations/{ev.pk}",
            f"/api/staff-evaluation/units/{fgw}/ledger"]
    client = Client()
    for who in ("carl", "cora"):  # another unit
        client.force_login(city.people[who])
        assert [client.get(u).status_code for u in urls] == [404] * len(urls), who
        assert client.get("/api/staff-evaluation/evaluations").json()["items"] == []
    for who in ("alice", "gina", "percy", "mayor", "victor", "sysop", "audrey"):  # personal data: not theirs
        client.force_login(city.people[who])
        assert [client.get(u).status_code for u in ["/staff-evaluation/", *urls]] == [404] * (len(urls) + 1), who
    # The new role reads no business data elsewhere.
    assert not unit_scope(city.hazel).all_units and not unit_scope(city.hazel).unit_ids
    client.force_login(city.hazel)
    assert client.get("/api/matters").json()["items"] == []


def test_s6_2_the_api_walks_the_evaluation_with_the_quota_explained(city, unit):
    admin = Client()
    admin.force_login(city.ursula)
    made = admin.post("/api/staff-evaluation/evaluations", json.dumps({"year": 2026}), content_type="application/json")
    assert made.status_code == 201, made.content
    body = made.json()
    assert body["quota"]["quota"] == 2 and "12 人 × 20% = 2 人" in body["quota"]["explanation"] and len(body["lines"]) == 12
    grades = [{"person_id": ln["person_id"], "grade": "excellent"} for ln in body["lines"][:3]]
    over = admin.post(f"/api/staff-evaluation/evaluations/{body['id']}/grades", json.dumps({"grades": grades}),
                      content_type="application/json")
    assert over.status_code == 400 and "grades" in over.json()["errors"]
    grades = [{"person_id": ln["person_id"], "grade": "excellent" if i < 2 else "competent"}
              for i, ln in enumerate(body["lines"])]
    assert admin.post(f"/api/staff-evaluation/evaluations/{body['id']}/grades", json.dumps({"grades": grades}),
                      content_type="application/json").status_code == 200
    unconfirmed = admin.post(f"/api/staff-evaluation/evaluations/{body['id']}/submit", "{}",
                             content_type="application/json")
    assert unconfirmed.status_code == 400 and "confirm" in unconfirmed.json()["errors"]
    assert admin.post(f"/api/staff-evaluation/evaluations/{body['id']}/submit", json.dumps({"confirm": True}),
                      content_type="application/json").json()["state"] == "submitted"
    hr = Client()
    hr.force_login(city.hazel)
    assert hr.post(f"/api/staff-evaluation/evaluations/{body['id']}/submit", json.dumps({"confirm": True}),
                   content_type="application/json").status_code == 403
    done = hr.post(f"/api/staff-evaluation/evaluations/{body['id']}/confirm", content_type="application/json")
    assert done.status_code == 200 and done.json()["state"] == "confirmed" and done.json()["quota"]["frozen"]
    review = admin.post("/api/staff-evaluation/reviews", json.dumps(
        {"section_id": unit["office"].pk, "month": "2026-12", "reviewed": "讲评", "points": 90}),
        content_type="application/json")
    assert review.status_code == 200 and review.json()["points"] == 90


def test_s6_2_demo_drafts_fgws_evaluation_once(db, clock):
    from ducha.org.demo import build_demo_organisation
    from ducha.staffeval.demo import build_demo_staffeval
    from ducha.staffeval.models import StaffEvaluation
    from ducha.workcal.demo import build_demo_calendar

    clock.set(TODAY)
    build_demo_calendar()
    accounts = build_demo_organisation()
    assert "renshi" in {a.username for a in accounts} and User.objects.get(username="renshi").role == Role.HR
    assert build_demo_staffeval() == 12
    ev = StaffEvaluation.objects.get()
    assert ev.state == EvaluationState.DRAFT and MonthlyReview.objects.filter(unit=ev.unit).count() == 9
    assert ev.lines.filter(grade="excellent").count() == 2 and ev.lines.filter(grade="").count() == 0
    assert build_demo_staffeval() == 0


def test_s6_2_the_hr_office_walks_the_main_pages_without_an_error_and_reads_no_business_data(city, unit):
    from tests.test_words import MAIN_PAGES

    client = Client()
    client.force_login(city.hazel)
    answers = {url: client.get(url).status_code for url in MAIN_PAGES}
    assert not [url for url, code in answers.items() if code >= 500], answers
    assert answers["/staff-evaluation/"] == 200
    home = client.get("/").content.decode()
    assert "Hazel" in home or "hazel" in home
