"""外网反馈 (#17): what the public may read is written into ``publication`` by the intranet when
it is published, never read live. The catalogue's guides (S3.1, S3.5) on publishing and
withdrawing a version; an application's status at every change of state (行政许可法 art. 32
receipt, one-time notice, 补正, acceptance; art. 38 decision with its document); rankings (S6.3)
once published, bulletins (S2.8) once issued, exposures (S1.14) once issued; the key-task list
(S5.1 亮进度) with the fields the setting discloses. Nothing unpublished reaches ``Publication``."""

from __future__ import annotations

import json
from datetime import date

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from ducha.accountability.actions_announce import (
    do_decide_announcement,
    do_draft_announcement,
    do_issue_announcement,
    do_submit_announcement,
)
from ducha.approvals import actions_handling as handling
from ducha.approvals import actions_intake as act
from ducha.approvals.actions_catalogue import do_publish_version, do_withdraw_version
from ducha.approvals.clock import clock_of
from ducha.approvals.models import (
    Delegation,
    FlowStep,
    HandlingLevel,
    ItemVersion,
    Material,
    StepRecord,
    VersionState,
)
from ducha.evaluation.actions import (
    do_check_evaluation,
    do_decide_evaluation,
    do_open_evaluation,
    do_publish_evaluation,
)
from ducha.matters.errors import MatterError
from ducha.matters.publish import NotOffice, do_publish_key_tasks
from ducha.publication.models import Kind, Publication
from ducha.publication.publish import shown
from ducha.publication.status import look_up
from ducha.reports.bulletin import do_issue_bulletin
from ducha.rules.periods import Period
from tests.approvals_handling_helpers import FLOW, accepted_application, make_version, service_office
from tests.portal_helpers import PORTAL_SETTINGS
from tests.test_accountability_announce import H2, ISSUED, confirmed_case, head  # noqa: F401 - head is a fixture
from tests.test_approvals_intake import ALL_OK, TUE, check, mat, office, receive  # noqa: F401 - office is a fixture
from tests.test_evaluation import AFTER, Q3, quarter  # noqa: F401 - quarter is a fixture
from tests.test_ledger_phases import make_matter

pytestmark = pytest.mark.django_db


def published(kind: str) -> list[Publication]:
    return list(Publication.objects.filter(kind=kind))


@pytest.fixture
def published_dir(settings, tmp_path):
    settings.DUCHA_PUBLISHED_DIR = tmp_path / "published"
    return settings


def as_portal(settings) -> Client:
    """The portal's settings from here on (the intranet's steps are done: the portal has no data
    key), and a client of it."""
    import ducha.portal_settings as portal

    for name in PORTAL_SETTINGS:
        setattr(settings, name, getattr(portal, name))
    cache.clear()
    return Client()


# -- the catalogue (S3.1, S3.5) ------------------------------------------------------------------


def draft_of(city, office_version: ItemVersion, version: int = 2) -> ItemVersion:
    """A draft next version of the office's item, with its materials, flow and a delegation."""
    v = ItemVersion.objects.create(
        item=office_version.item, version=version, effective_from=date(2026, 9, 1), state=VersionState.DRAFT,
        name="企业投资项目核准", kind="01", legal_basis="《企业投资项目核准和备案管理条例》第十条",
        lead_department=city.units["fgw"], conditions="项目符合产业政策。", statutory_days=20, promised_days=10,
        fees=[{"name": "工本费", "amount": "0", "basis": "免收"}], created_by=city.adam)
    Material.objects.create(version=v, position=1, code="apply", name="项目申请书", required=True, form="electronic")
    Material.objects.create(version=v, position=2, code="licence", name="营业执照", required=True, form="copy")
    FlowStep.objects.create(version=v, order=1, department=city.units["fgw"], action="审查", limit_days=5)
    Delegation.objects.create(version=v, area=city.units["wancheng"], level=HandlingLevel.AREA)
    return v


def test_s3_1_publishing_a_version_writes_its_guide_and_withdrawing_takes_it_off(city, office):  # noqa: F811
    assert not published(Kind.CATALOGUE_ITEM)
    v2 = draft_of(city, office)
    assert not published(Kind.CATALOGUE_ITEM)  # a draft is not public
    do_publish_version(actor=city.adam, version=v2, today=date(2026, 9, 1))
    p = shown(Kind.CATALOGUE_ITEM, "FGW-001")
    assert p is not None and p.title == "企业投资项目核准"
    d = p.payload
    assert (d["code"], d["version"], d["service_type"], d["statutory_days"], d["promised_days"]) == (
        "FGW-001", 2, "2", 20, 10)
    assert d["department"] == "市发展和改革委员会" and d["legal_basis"].endswith("第十条")
    assert d["kind"]["en"] == "Administrative licensing" and set(d["kind"]) == {"zh", "en"}
    assert [(m["code"], m["name"], m["form"]["en"]) for m in d["materials"]] == [
        ("apply", "项目申请书", "Electronic"), ("licence", "营业执照", "Copy")]
    assert d["fees"] == [{"name": "工本费", "amount": "0", "basis": "免收"}]
    assert d["steps"] == [{"department": "市发展和改革委员会", "action": "审查", "limit_days": 5}]
    # S3.5: the level per area, the city first; 宛城区 handles it itself
    levels = {(pl["area"] if isinstance(pl["area"], str) else pl["area"]["en"]): pl["level"]["en"]
              for pl in d["places"]}
    assert levels["City"] == "City" and levels[city.units["wancheng"].name].startswith("Delegated")
    assert shown(Kind.CATALOGUE, "current") is not None  # the list's intro
    # Withdrawing the version in force (and the earlier ones) hides the item.
    do_withdraw_version(actor=city.adam, version=v2)
    assert shown(Kind.CATALOGUE_ITEM, "FGW-001") is None
    assert Publication.objects.filter(kind=Kind.CATALOGUE_ITEM, key="FGW-001", withdrawn=True, current=True).exists()


def test_s3_1_publish_all_writes_the_catalogue_as_it_stands(city, office, clock):  # noqa: F811
    from django.core.management import call_command

    clock.set(date(2026, 9, 28))
    call_command("approvals", "catalogue", "publish-all")
    assert [p.key for p in Publication.objects.filter(kind=Kind.CATALOGUE_ITEM, current=True)] == ["FGW-001"]
    assert shown(Kind.CATALOGUE, "current").payload["intro"]["zh"]


# -- an application's status (外网反馈, art. 32, art. 38) ------------------------------------------


def test_art_32_38_the_status_follows_an_application_to_its_decision(city, office, published_dir,  # noqa: F811
                                                                     django_capture_on_commit_callbacks):
    """Receipt (a query code shown once, its hash kept) → one-time notice listing the missing
    material → 补正 → acceptance with the promised due date → the steps → the decision with its PDF."""
    with django_capture_on_commit_callbacks(execute=True):
        app = receive(city, office, handed=("apply", "licence"))
    code = app.query_code
    assert len(code) == 8 and app.query_code_hash and code not in app.query_code_hash
    status = look_up(app.receipt_number, code)
    assert status is not None and status.payload["state"] == "received"
    assert look_up(app.receipt_number, "WRONG234") is None
    assert status.payload["received"] == "2026-09-29" and status.payload["due"] is None
    assert status.payload["item"] == "企业投资项目核准" and set(status.payload["state_words"]) == {"zh", "en"}
    assert "宛城建设有限公司" not in json.dumps(status.payload, ensure_ascii=False)  # no applicant's name

    check(city, app, apply=("ok", ""), licence=("ok", ""), site=("missing", ""))
    with django_capture_on_commit_callbacks(execute=True):
        act.do_give_notice(actor=city.wendy, application_id=app.pk, confirm=True, today=TUE)
    p = shown(Kind.APPLICATION_STATUS, app.receipt_number).payload
    assert p["state"] == "deficient" and [m["code"] for m in p["missing"]] == ["site"]
    assert "选址意见书" in p["notice"]["zh"] and [s["kind"] for s in p["steps"]] == ["received", "notice"]

    with django_capture_on_commit_callbacks(execute=True):
        act.do_submit_materials(actor=city.wendy, application_id=app.pk, material_ids=[mat(office, "site")],
                                today=date(2026, 9, 30))
    assert shown(Kind.APPLICATION_STATUS, app.receipt_number).payload["state"] == "received"
    check(city, app, date(2026, 9, 30), site=("ok", ""))
    with django_capture_on_commit_callbacks(execute=True):
        app = act.do_accept(actor=city.wendy, application_id=app.pk, today=date(2026, 9, 30))
    p = shown(Kind.APPLICATION_STATUS, app.receipt_number).payload
    promised = clock_of(app, date(2026, 9, 30)).promised.due
    assert p["state"] == "accepted" and p["accepted"] == "2026-09-30" and p["due"] == promised.isoformat()
    assert p["missing"] == [] and p["notice"] == ""

    for record in StepRecord.objects.filter(application=app, step__order=1).select_related("step"):
        actor = city.sam if record.step.department == city.units["fgw"] else city.carl
        with django_capture_on_commit_callbacks(execute=True):
            handling.do_finish_step(actor=actor, step_id=record.pk, opinion="同意", today=date(2026, 10, 9))
    last = StepRecord.objects.get(application=app, step__order=2)
    with django_capture_on_commit_callbacks(execute=True):
        handling.do_finish_step(actor=city.sam, step_id=last.pk, opinion="同意", today=date(2026, 10, 10))
    with django_capture_on_commit_callbacks(execute=True):
        document = handling.do_decide(actor=city.sam, application_id=app.pk, grant=True, reasons="", confirm=True,
                                      today=date(2026, 10, 12))
    status = look_up(app.receipt_number, code)
    p = status.payload
    assert p["state"] == "decided" and p["application_state"] == "granted"
    assert document.number in p["decision"]["zh"] and p["steps"][-1]["kind"] == "decide"
    assert "同意" not in json.dumps(p, ensure_ascii=False)  # departments' opinions stay inside
    document.refresh_from_db()
    assert document.pdf, document.render_error
    files = {f.name: f for f in status.files.all()}
    assert f"{document.number}.pdf" in files and files[f"{document.number}.pdf"].kind == "pdf"

    # The portal's look-up answers with the right code only, and offers the decision's PDF.
    site = as_portal(published_dir)
    found = site.post("/status/", {"receipt": app.receipt_number, "code": code.lower()}).content.decode()
    assert 'data-testid="status-result"' in found and document.number in found
    wrong = site.post("/status/", {"receipt": app.receipt_number, "code": "ZZZZ2345"}).content.decode()
    assert 'data-testid="status-not-found"' in wrong


def test_art_32_the_status_follows_acceptance_by_law_and_withdrawal(city, office, django_capture_on_commit_callbacks):  # noqa: F811
    with django_capture_on_commit_callbacks(execute=True):
        app = receive(city, office)
    with django_capture_on_commit_callbacks(execute=True):
        assert act.do_deem_accepted(application_id=app.pk, today=date(2026, 10, 13))
    p = shown(Kind.APPLICATION_STATUS, app.receipt_number).payload
    assert p["state"] == "accepted" and p["accepted"] == "2026-09-29" and p["steps"][-1]["kind"] == "deemed_accepted"
    with django_capture_on_commit_callbacks(execute=True):
        act.do_withdraw(actor=city.wendy, application_id=app.pk, reason="申请人撤回", confirm=True,
                        today=date(2026, 10, 14))
    assert shown(Kind.APPLICATION_STATUS, app.receipt_number).payload["state"] == "withdrawn"


def test_an_application_without_a_query_code_has_no_public_status(city, django_capture_on_commit_callbacks):
    service_office(city)
    app = accepted_application(city, make_version(city, "FGW-010", steps=FLOW), date(2026, 9, 30))
    record = StepRecord.objects.filter(application=app, step__department=city.units["fgw"], state="running").first()
    with django_capture_on_commit_callbacks(execute=True):
        handling.do_finish_step(actor=city.sam, step_id=record.pk, opinion="同意", today=date(2026, 10, 9))
    assert not published(Kind.APPLICATION_STATUS)


def test_the_window_shows_the_query_code_once(city, office):  # noqa: F811
    client = Client()
    client.force_login(city.wendy)
    answer = client.post(reverse("approvals:app-receive"), {
        "item_code": "FGW-001", "applicant_name": "宛城建设有限公司", "applicant_id": "91350100M000100Y43",
        "applicant_phone": "13812345678", "channel": "window"}, follow=True)
    page = answer.content.decode()
    assert answer.status_code == 200 and 'data-testid="query-code"' in page
    shown_code = page.split('data-testid="query-code">')[1].split("<")[0]
    app = office.applications.get()
    assert look_up(app.receipt_number, shown_code) is None  # the status goes out on commit (none in this test)
    from django.contrib.auth.hashers import check_password

    assert check_password(shown_code, app.query_code_hash)
    again = client.get(reverse("approvals:app-detail", args=[app.pk])).content.decode()
    assert 'data-testid="query-code"' not in again  # once


# -- rankings (S6.3), bulletins (S2.8), exposures (S1.14) -------------------------------------------


def test_s6_3_the_ranking_is_public_only_once_published(city, quarter, django_capture_on_commit_callbacks):  # noqa: F811
    ev = do_open_evaluation(actor=city.percy, category_id=quarter.pk, period_key=Q3, today=AFTER)
    ev = do_check_evaluation(actor=city.percy, evaluation=ev)
    ev = do_decide_evaluation(actor=city.mayor, evaluation=ev, approve=True)
    assert not published(Kind.RANKING)  # a draft, a checked and an approved ranking are not public
    with django_capture_on_commit_callbacks(execute=True):
        ev = do_publish_evaluation(actor=city.percy, evaluation=ev, today=date(2026, 10, 20))
    p = shown(Kind.RANKING, f"{Q3}-departments")
    assert p is not None and p.payload["document_number"] == ev.number == "宛绩〔2026〕1号"
    rows = p.payload["groups"][0]["rows"]
    assert [r["rank"] for r in rows] == [1, 2] and {r["unit"] for r in rows} == {"市发展和改革委员会", "市财政局"}
    assert all(set(r["grade"]) == {"zh", "en"} and r["score"] for r in rows)
    assert [f.kind for f in p.files.all()] == ["pdf"]


def test_s2_8_an_issued_bulletin_is_public_with_its_pdf(city, clock):
    clock.set(date(2026, 11, 20))
    assert not published(Kind.BULLETIN)
    bulletin = do_issue_bulletin(actor=city.alice, period=Period.parse("2026-10"), today=date(2026, 11, 20))
    p = shown(Kind.BULLETIN, bulletin.number)
    assert p is not None and p.payload["number"] == bulletin.number and p.payload["date"] == "2026-11-20"
    assert p.payload["body"] and set(p.payload["summary"]) == {"zh", "en"}
    assert [f.kind for f in p.files.all()] == (["pdf"] if bulletin.pdf else [])


def test_s1_14_an_issued_exposure_is_public_with_the_items_as_issued(city, head, clock,  # noqa: F811
                                                                     django_capture_on_commit_callbacks):
    case = confirmed_case(city, head, clock)
    clock.set(ISSUED)
    ann = do_draft_announcement(actor=city.alice, kind="exposure", period_key=H2.key, ids=(case.pk,))
    ann = do_submit_announcement(actor=city.alice, ann=ann)
    ann = do_decide_announcement(actor=city.mayor, ann=ann, approve=True)
    assert not published(Kind.EXPOSURE)  # approved, not issued
    with django_capture_on_commit_callbacks(execute=True):
        ann = do_issue_announcement(actor=city.alice, ann=ann, today=ISSUED)
    p = shown(Kind.EXPOSURE, ann.number)
    item = ann.items.get()
    assert p is not None and p.payload["items"] == [
        {"title": {"zh": "典型案例1", "en": "Case 1"}, "unit": "市发展和改革委员会", "body": item.text}]
    assert "主任甲" not in json.dumps(p.payload, ensure_ascii=False)  # the people are not named by default


# -- the key-task list (S5.1 亮进度) ----------------------------------------------------------------


def test_s5_1_the_key_task_list_discloses_the_fields_the_setting_names(city, clock, settings):
    clock.set(date(2026, 1, 5))
    make_matter(city, "fgw", progress=50, title="发改重点")
    make_matter(city, "czj", progress=0, assign=False, title="草稿不公开")
    clock.set(date(2026, 11, 30))
    with pytest.raises(NotOffice):
        do_publish_key_tasks(actor=city.ursula, year=2026, confirm=True)
    with pytest.raises(MatterError) as e:
        do_publish_key_tasks(actor=city.alice, year=2026, confirm=False)
    assert "confirm" in e.value.errors and "1" in e.value.errors["confirm"] and not published(Kind.KEY_TASKS)
    p = do_publish_key_tasks(actor=city.alice, year=2026, confirm=True)
    (task,) = p.payload["tasks"]
    assert set(task) == {"number", "title", "unit", "deadline", "progress", "light", "status"}
    assert (task["title"], task["unit"], task["deadline"], task["progress"]) == (
        "发改重点", "市发展和改革委员会", "2026-12-31", 50)
    assert task["light"] == "yellow"  # half done with eleven months gone
    assert city.victor.name not in json.dumps(p.payload, ensure_ascii=False)  # never a person
    settings.DUCHA_PUBLIC_TASK_FIELDS = ["title", "progress", "leader"]  # an unknown field is not disclosed
    p = do_publish_key_tasks(actor=city.alice, year=2026, confirm=True)
    assert set(p.payload["tasks"][0]) == {"number", "title", "progress"} and p.version == 2


def test_s5_1_the_key_task_list_from_its_page_and_the_api(city, clock):
    clock.set(date(2026, 1, 5))
    make_matter(city, "fgw", progress=50, title="发改重点")
    clock.set(date(2026, 11, 30))
    intranet = Client()
    intranet.force_login(city.alice)
    url = reverse("matters:key-tasks-publish")
    assert 'data-testid="key-tasks-publish-link"' in intranet.get(reverse("matters:dashboard")).content.decode()
    page = intranet.get(f"{url}?year=2026")
    assert page.status_code == 200 and 'data-testid="key-tasks-publish-form"' in page.content.decode()
    refused = intranet.post(url, {"year": "2026"})
    assert refused.status_code == 400 and 'data-testid="error-confirm"' in refused.content.decode()
    assert not published(Kind.KEY_TASKS)
    assert intranet.post(url, {"year": "2026", "confirm": "yes"}).status_code == 302
    answer = intranet.post("/api/key-tasks/2026/publish", {"confirm": False}, content_type="application/json")
    assert answer.status_code == 400 and "confirm" in answer.json()["errors"]
    answer = intranet.post("/api/key-tasks/2026/publish", {"confirm": True}, content_type="application/json")
    assert answer.status_code == 200 and answer.json()["version"] == 2 and answer.json()["tasks"] == 1
    other = Client()
    other.force_login(city.ursula)
    assert other.get(url).status_code == 404
    assert other.post("/api/key-tasks/2026/publish", {"confirm": True},
                      content_type="application/json").status_code == 403


def test_the_portal_renders_a_published_catalogue_item(city, office, published_dir):  # noqa: F811
    do_publish_version(actor=city.adam, version=draft_of(city, office), today=date(2026, 9, 1))
    do_publish_version(actor=city.adam, version=draft_of(city, office, 3), today=date(2026, 9, 1))
    do_withdraw_version(actor=city.adam, version=ItemVersion.objects.get(item__code="FGW-001", version=3))
    shown_version = shown(Kind.CATALOGUE_ITEM, "FGW-001")  # withdrawing v3 withdrew v2 and v1 with it
    assert shown_version is None
    do_publish_version(actor=city.adam, version=draft_of(city, office, 4), today=date(2026, 9, 1))
    page = as_portal(published_dir).get("/catalogue/FGW-001/")
    text = page.content.decode()
    assert page.status_code == 200 and 'data-testid="item-name"' in text and "企业投资项目核准" in text
    assert "项目申请书" in text and "营业执照" in text
    assert shown(Kind.CATALOGUE_ITEM, "FGW-001").payload["version"] == 4
    assert Client().get("/catalogue/FGW-404/").status_code == 404
