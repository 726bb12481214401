"""S3.3 at the window: 收件 (S3.1: nothing outside the catalogue; S3.5: the area's delegation
decides who handles it), the materials check, the one-time notice (一次性告知) and 受理, with
行政许可法 art. 32's clock: a notice within five working days of receipt, else the
application is accepted by law as of the day of receipt. Worked examples cross National Day
2026 (1–7 October off, Saturday 10 October a working day)."""

from __future__ import annotations

import threading
from datetime import date

import pytest
from django.db import connection

from ducha.approvals import actions_intake as act
from ducha.approvals.intake import check_clock, check_deadline_of
from ducha.approvals.models import (
    Application,
    ApplicationMaterial,
    ApplicationState,
    Delegation,
    Document,
    DocumentKind,
    Event,
    FlowStep,
    HandlingLevel,
    Item,
    ItemKind,
    ItemVersion,
    Material,
    MaterialState,
    Notice,
    StepRecord,
    StepState,
    VersionState,
)
from ducha.inbox.models import Notification
from ducha.org.models import Unit, UnitKind, User
from ducha.org.roles import Role
from ducha.workcal.service import get_calendar
from tests.conftest import PASSWORD

PERSON_ID = "11010519491231002X"  # GB 11643 check character X
CREDIT_CODE = "91350100M000100Y43"  # GB 32100 check character 3
PHONE = "13812345678"
TUE = date(2026, 9, 29)  # received on Tuesday before National Day


@pytest.fixture
def office(city):
    """The approval service office (行政审批服务局) with two window officers and its
    administrator, and one published item of the 发改委 with a two-order flow."""
    unit = Unit.objects.create(code="xzspj", name="市行政审批服务局", short_name="审批局", kind=UnitKind.DEPARTMENT)
    people = {
        name: User.objects.create_user(username=name, password=PASSWORD, name=name.title(), role=role, unit=unit)
        for name, role in [("wendy", Role.UNIT_STAFF), ("otto", Role.UNIT_STAFF), ("adam", Role.UNIT_ADMIN)]
    }
    item = Item.objects.create(code="FGW-001")
    version = ItemVersion.objects.create(
        item=item, version=1, effective_from=date(2026, 1, 1), state=VersionState.PUBLISHED, name="企业投资项目核准",
        kind=ItemKind.LICENSING, legal_basis="《企业投资项目核准和备案管理条例》", lead_department=city.units["fgw"],
        statutory_days=20, promised_days=10, created_by=people["adam"])
    for pos, (code, name, required) in enumerate([("apply", "项目申请书", True), ("licence", "营业执照", True),
                                                  ("site", "选址意见书", True), ("other", "其他材料", False)]):
        Material.objects.create(version=version, position=pos, code=code, name=name, required=required)
    FlowStep.objects.create(version=version, order=1, department=city.units["fgw"], action="审查", limit_days=5)
    FlowStep.objects.create(version=version, order=1, department=city.units["czj"], action="会签", limit_days=3)
    FlowStep.objects.create(version=version, order=2, department=city.units["fgw"], action="决定", limit_days=2)
    city.units["xzspj"] = unit
    city.people.update(people)
    return version


def mat(version: ItemVersion, code: str) -> int:
    return Material.objects.get(version=version, code=code).pk


def receive(city, version, *, today=TUE, handed=("apply", "licence", "site"), **kw) -> Application:
    data = {"item_code": version.item.code, "area_id": None, "applicant_name": "宛城建设有限公司",
            "applicant_id": CREDIT_CODE, "applicant_phone": PHONE, "project": "产业园一期",
            "materials_handed_in": [mat(version, c) for c in handed], "today": today, **kw}
    return act.do_receive_application(actor=city.wendy, **data)


def check(city, app, today=TUE, **results):
    version = app.version
    act.do_check_materials(actor=city.wendy, application_id=app.pk, today=today, results={
        mat(version, code): (state, problem) for code, (state, problem) in results.items()})


ALL_OK = {"apply": ("ok", ""), "licence": ("ok", ""), "site": ("ok", "")}


def test_art_32_check_deadline_across_national_day_2026(city, office):
    """Art. 32 on the 2026 calendar: received Tuesday 29 September, the five working days are 30 Sep,
    8, 9, 10 (the 调休 Saturday) and 12 October; a notice is due by Monday 12 October, else the
    application counts as accepted as of 29 September."""
    cal = get_calendar()
    assert not cal.is_workday(date(2026, 10, 1)) and cal.is_workday(date(2026, 10, 10))
    app = receive(city, office)
    assert app.receipt_number.startswith("SP2026-") and app.state == ApplicationState.RECEIVED
    assert app.first_officer == city.wendy and app.next_check_on == TUE
    assert check_deadline_of(app) == date(2026, 10, 12)
    # a notice on the last day is in time
    check(city, app, date(2026, 10, 12), site=("missing", ""), apply=("ok", ""), licence=("ok", ""))
    notice = act.do_give_notice(actor=city.wendy, application_id=app.pk, confirm=True, today=date(2026, 10, 12))
    assert notice.sequence == 1 and notice.given_on == date(2026, 10, 12)


def test_art_32_deemed_accepted_as_of_the_day_of_receipt(city, office, django_capture_on_commit_callbacks):
    """Art. 32: no notice by Monday 12 October → on Tuesday 13 October the platform records the
    acceptance as of Tuesday 29 September, once, and tells the first officer and the department."""
    app = receive(city, office)
    assert act.do_deem_accepted(application_id=app.pk, today=date(2026, 10, 12)) is False  # still in time
    with django_capture_on_commit_callbacks(execute=True):
        assert act.do_deem_accepted(application_id=app.pk, today=date(2026, 10, 13)) is True
    app.refresh_from_db()
    assert app.state == ApplicationState.ACCEPTED and app.deemed_accepted and app.accepted_on == TUE
    event = Event.objects.get(application=app, kind="deemed_accepted")
    assert event.actor is None and event.detail["accepted_on"] == "2026-09-29" and (
        "32" in event.detail["reason"] or "三十二" in event.detail["reason"])  # the article, in either language
    assert Notification.objects.filter(user=city.wendy).exists() and Notification.objects.filter(user=city.ursula).exists()
    assert Document.objects.filter(application=app, kind=DocumentKind.ACCEPTANCE).count() == 1
    # the flow starts as of the day of receipt: order 1's two steps run, order 2 waits
    states = sorted(StepRecord.objects.filter(application=app).values_list("step__order", "state", "started_on"))
    assert states == [(1, StepState.RUNNING, TUE), (1, StepState.RUNNING, TUE), (2, StepState.WAITING, None)]
    assert act.do_deem_accepted(application_id=app.pk, today=date(2026, 10, 14)) is False  # idempotent
    assert Event.objects.filter(application=app, kind="deemed_accepted").count() == 1


def test_art_32_a_late_notice_is_refused_and_records_the_acceptance_by_law(city, office):
    app = receive(city, office)
    with pytest.raises(act.IntakeError, match="2026-09-29"):
        act.do_give_notice(actor=city.wendy, application_id=app.pk, confirm=True, today=date(2026, 10, 13))
    app.refresh_from_db()
    assert app.deemed_accepted and app.accepted_on == TUE and not Notice.objects.exists()


def test_accepting_a_complete_application_starts_its_steps(city, office, django_capture_on_commit_callbacks):
    app = receive(city, office)
    check(city, app, date(2026, 9, 30), **ALL_OK)
    with django_capture_on_commit_callbacks(execute=True):
        app = act.do_accept(actor=city.wendy, application_id=app.pk, today=date(2026, 9, 30))
    assert app.state == ApplicationState.ACCEPTED and app.accepted_on == date(2026, 9, 30) and not app.deemed_accepted
    doc = Document.objects.get(application=app, kind=DocumentKind.ACCEPTANCE)
    assert doc.number.startswith("宛审批〔2026〕") and (doc.pdf or doc.render_error)
    assert StepRecord.objects.filter(application=app, state=StepState.RUNNING, started_on=date(2026, 9, 30)).count() == 2


def test_one_notice_lists_every_missing_or_wrong_material_at_once(city, office):
    """Art. 32 (一次性告知): the notice is not a choice of materials; it lists every required one
    found missing or wrong, and only once every material has been checked."""
    app = receive(city, office, handed=("apply",))
    check(city, app, apply=("wrong", "未加盖公章"))
    with pytest.raises(act.IntakeError) as e:
        act.do_give_notice(actor=city.wendy, application_id=app.pk, confirm=True, today=TUE)
    assert "营业执照" in e.value.errors["materials"] and "选址意见书" in e.value.errors["materials"]
    check(city, app, licence=("missing", ""), site=("missing", ""))
    with pytest.raises(act.IntakeError) as e:
        act.do_give_notice(actor=city.wendy, application_id=app.pk, confirm=False, today=TUE)
    assert "confirm" in e.value.errors and not Notice.objects.exists()
    notice = act.do_give_notice(actor=city.wendy, application_id=app.pk, confirm=True, today=TUE)
    assert [i["code"] for i in notice.items] == ["apply", "licence", "site"]  # the optional one is not asked for
    app.refresh_from_db()
    assert app.state == ApplicationState.NOTIFIED and app.next_check_on is None
    assert Document.objects.filter(notice=notice, kind=DocumentKind.NOTICE).count() == 1


def test_a_second_notice_only_concerns_materials_handed_in_after_the_first(city, office):
    """Art. 32: a material found complete at the first notice and not handed in again cannot be
    named by a later one; after 补正 the check runs five working days from the last material."""
    app = receive(city, office)
    check(city, app, apply=("ok", ""), licence=("wrong", "已过期"), site=("ok", ""))
    act.do_give_notice(actor=city.wendy, application_id=app.pk, confirm=True, today=TUE)
    # 补正 on Friday 9 October: the check runs again, due by Thursday 15 October (Sat 10 Oct works)
    act.do_submit_materials(actor=city.wendy, application_id=app.pk, material_ids=[mat(office, "licence")],
                            today=date(2026, 10, 9))
    app.refresh_from_db()
    assert app.state == ApplicationState.RECEIVED
    clock = check_clock(app)
    assert (clock.start, clock.deadline, clock.after_notice) == (date(2026, 10, 9), date(2026, 10, 15), 1)
    # the window changes its mind about the application form: refused, naming it
    check(city, app, date(2026, 10, 10), licence=("wrong", "复印件不清晰"), apply=("wrong", "缺页"))
    with pytest.raises(act.IntakeError) as e:
        act.do_give_notice(actor=city.wendy, application_id=app.pk, confirm=True, today=date(2026, 10, 10))
    assert "项目申请书" in e.value.errors["materials"] and "营业执照" not in e.value.errors["materials"]
    check(city, app, date(2026, 10, 10), apply=("ok", ""))
    second = act.do_give_notice(actor=city.wendy, application_id=app.pk, confirm=True, today=date(2026, 10, 10))
    assert second.sequence == 2 and [i["code"] for i in second.items] == ["licence"]


def test_after_补正_acceptance_dates_from_the_last_material(city, office):
    """Reference §2.1 (local rule): the acceptance date is the day the last 补正 material came in."""
    app = receive(city, office, handed=("apply", "licence"))
    check(city, app, apply=("ok", ""), licence=("ok", ""), site=("missing", ""))
    act.do_give_notice(actor=city.wendy, application_id=app.pk, confirm=True, today=TUE)
    act.do_submit_materials(actor=city.wendy, application_id=app.pk, material_ids=[mat(office, "site")],
                            today=date(2026, 10, 8))
    check(city, app, date(2026, 10, 12), site=("ok", ""))
    app = act.do_accept(actor=city.wendy, application_id=app.pk, today=date(2026, 10, 12))
    assert app.accepted_on == date(2026, 10, 8) and not app.deemed_accepted


def test_art_32_after_补正_no_clock_runs_until_everything_named_is_in(city, office):
    """While the applicant completes what the notice named nothing runs on the window; once the
    last material is in (Thu 8 Oct), a check not answered by Wed 14 Oct (Sat 10 Oct works) is
    acceptance by law as of 8 October."""
    app = receive(city, office, handed=("apply",))
    check(city, app, apply=("ok", ""), licence=("missing", ""), site=("missing", ""))
    act.do_give_notice(actor=city.wendy, application_id=app.pk, confirm=True, today=TUE)
    act.do_submit_materials(actor=city.wendy, application_id=app.pk, material_ids=[mat(office, "licence")],
                            today=date(2026, 9, 30))
    app.refresh_from_db()
    assert app.state == ApplicationState.NOTIFIED and check_deadline_of(app) is None
    assert act.do_deem_accepted(application_id=app.pk, today=date(2026, 12, 1)) is False
    act.do_submit_materials(actor=city.wendy, application_id=app.pk, material_ids=[mat(office, "site")],
                            today=date(2026, 10, 8))
    app.refresh_from_db()
    assert app.state == ApplicationState.RECEIVED and check_deadline_of(app) == date(2026, 10, 14)
    # the window comes back to accept on Thursday 15 October: the law accepted it already
    app = act.do_accept(actor=city.wendy, application_id=app.pk, today=date(2026, 10, 15))
    assert app.deemed_accepted and app.accepted_on == date(2026, 10, 8)
    assert Event.objects.get(application=app, kind="deemed_accepted").detail["after_notice"] == 1


def test_accept_refuses_while_anything_is_unchecked_or_wrong(city, office):
    app = receive(city, office)
    with pytest.raises(act.IntakeError, match="项目申请书"):
        act.do_accept(actor=city.wendy, application_id=app.pk, today=TUE)
    check(city, app, **{**ALL_OK, "site": ("wrong", "无公章")})
    with pytest.raises(act.IntakeError, match="选址意见书"):
        act.do_accept(actor=city.wendy, application_id=app.pk, today=TUE)
    app.refresh_from_db()
    assert app.state == ApplicationState.RECEIVED and not StepRecord.objects.exists()


def test_s3_1_nothing_outside_the_catalogue_can_be_applied_for(city, office):
    for code in ["NOPE-1", ""]:
        with pytest.raises(act.IntakeError) as e:
            receive(city, office, item_code=code)
        assert "item_code" in e.value.errors
    # a draft version, or one not yet in force, is not the catalogue either
    draft = Item.objects.create(code="FGW-002")
    ItemVersion.objects.create(item=draft, version=1, effective_from=date(2026, 1, 1), state=VersionState.DRAFT,
                               name="草稿事项", kind=ItemKind.LICENSING, legal_basis="-",
                               lead_department=city.units["fgw"], statutory_days=20, promised_days=10,
                               created_by=city.adam)
    with pytest.raises(act.IntakeError, match="FGW-002"):
        receive(city, office, item_code="FGW-002", handed=())
    with pytest.raises(act.IntakeError, match="FGW-001"):
        receive(city, office, today=date(2025, 12, 31))
    assert not Application.objects.exists()


def test_s3_5_the_areas_delegation_decides_the_handling_unit(city, office):
    wancheng, gxq = city.units["wancheng"], city.units["gxq"]
    Delegation.objects.create(version=office, area=wancheng, level=HandlingLevel.AREA)
    Delegation.objects.create(version=office, area=gxq, level=HandlingLevel.NONE)
    assert receive(city, office).handling_unit == city.units["fgw"]  # the city
    assert receive(city, office, area_id=wancheng.pk).handling_unit == wancheng
    with pytest.raises(act.IntakeError) as e:
        receive(city, office, area_id=gxq.pk)
    assert "高新区管委会" in e.value.errors["area"]
    with pytest.raises(act.IntakeError) as e:
        receive(city, office, area_id=city.units["czj"].pk)  # not an area
    assert "area" in e.value.errors
    Delegation.objects.filter(area=wancheng).update(level=HandlingLevel.CITY)
    assert receive(city, office, area_id=wancheng.pk).handling_unit == city.units["fgw"]


@pytest.mark.parametrize(("field", "value"), [
    ("applicant_id", "110105194912310021"),  # wrong check character
    ("applicant_id", "91350100M000100Y44"),
    ("applicant_id", "1101051949123100"),
    ("applicant_phone", "1381234567"),
    ("applicant_phone", "0377-1234567"),
    ("applicant_name", "  "),
])
def test_bad_applicant_details_name_the_field_and_change_nothing(city, office, field, value):
    with pytest.raises(act.IntakeError) as e:
        receive(city, office, **{field: value})
    assert set(e.value.errors) == {field}
    assert not Application.objects.exists() and not Event.objects.exists()


def test_a_person_may_apply_with_an_id_card_number(city, office):
    assert receive(city, office, applicant_id=PERSON_ID.lower()).applicant_id == PERSON_ID


def test_receipt_numbers_are_unique_and_follow_on(city, office):
    numbers = [receive(city, office).receipt_number for _ in range(3)]
    assert numbers == ["SP2026-000001", "SP2026-000002", "SP2026-000003"]
    assert receive(city, office, today=date(2027, 1, 4)).receipt_number == "SP2027-000001"


@pytest.mark.django_db(transaction=True)
def test_receipt_numbers_stay_unique_when_two_windows_receive_at_once(office, city):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers; the race needs PostgreSQL's row locks")
    numbers: list[str] = []
    errors: list[Exception] = []

    def one() -> None:
        try:
            numbers.append(receive(city, office).receipt_number)
        except Exception as e:  # pragma: no cover - reported below
            errors.append(e)
        finally:
            connection.close()

    threads = [threading.Thread(target=one) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and len(set(numbers)) == 6


def test_only_the_window_receives(city, office):
    with pytest.raises(act.NotYours):
        act.do_receive_application(actor=city.sam, item_code="FGW-001", area_id=None, applicant_name="x",
                                   applicant_id=CREDIT_CODE, applicant_phone=PHONE, today=TUE)


def test_not_accepted_with_reasons_and_the_right_of_appeal(city, office, django_capture_on_commit_callbacks):
    app = receive(city, office)
    with pytest.raises(act.IntakeError) as e:
        act.do_refuse_to_accept(actor=city.wendy, application_id=app.pk, reasons="", confirm=True, today=TUE)
    assert "reasons" in e.value.errors
    with pytest.raises(act.IntakeError) as e:
        act.do_refuse_to_accept(actor=city.wendy, application_id=app.pk, reasons="不属于本机关职权范围",
                                confirm=False, today=TUE)
    assert "confirm" in e.value.errors
    with django_capture_on_commit_callbacks(execute=True):
        app = act.do_refuse_to_accept(actor=city.wendy, application_id=app.pk, reasons="不属于本机关职权范围",
                                      confirm=True, today=TUE)
    assert app.state == ApplicationState.NOT_ACCEPTED
    doc = Document.objects.get(application=app, kind=DocumentKind.NOT_ACCEPTED)
    from ducha.approvals.documents import build_not_accepted

    text = " ".join(getattr(b, "text", "") for b in build_not_accepted(doc).body)
    assert "六十日" in text and "六个月" in text and "不属于本机关职权范围" in text


def test_hand_over_first_contact_responsibility(city, office, django_capture_on_commit_callbacks):
    app = receive(city, office)
    with pytest.raises(act.NotYours):
        act.do_hand_over(actor=city.otto, application_id=app.pk, to_user_id=city.otto.pk, reason="轮岗")
    with pytest.raises(act.IntakeError) as e:
        act.do_hand_over(actor=city.wendy, application_id=app.pk, to_user_id=city.sam.pk, reason="轮岗")
    assert "to_user" in e.value.errors
    with django_capture_on_commit_callbacks(execute=True):
        act.do_hand_over(actor=city.wendy, application_id=app.pk, to_user_id=city.otto.pk, reason="轮岗")
    app.refresh_from_db()
    assert app.first_officer == city.otto and Notification.objects.filter(user=city.otto).exists()
    act.do_hand_over(actor=city.adam, application_id=app.pk, to_user_id=city.wendy.pk, reason="回岗")
    assert Event.objects.filter(application=app, kind="handed_over").count() == 2


def test_withdrawal_at_the_applicants_request(city, office):
    app = receive(city, office)
    with pytest.raises(act.IntakeError) as e:
        act.do_withdraw(actor=city.wendy, application_id=app.pk, reason="申请人书面申请撤回", confirm=False, today=TUE)
    assert "confirm" in e.value.errors
    app = act.do_withdraw(actor=city.wendy, application_id=app.pk, reason="申请人书面申请撤回", confirm=True, today=TUE)
    assert app.state == ApplicationState.WITHDRAWN and app.next_check_on is None
    with pytest.raises(act.IntakeError):
        act.do_withdraw(actor=city.wendy, application_id=app.pk, reason="again", confirm=True, today=TUE)


def test_a_material_never_handed_in_cannot_be_complete(city, office):
    app = receive(city, office, handed=("apply",))
    with pytest.raises(act.IntakeError) as e:
        check(city, app, licence=("ok", ""))
    assert list(e.value.errors) == [f"material_{mat(office, 'licence')}"]
    assert ApplicationMaterial.objects.filter(application=app, state=MaterialState.PENDING).count() == 4
