"""外网提交 → 内网办理 (issue #17; S3.1, S3.3, S3.5): applying online from a published catalogue
item, the window's take-up of the submission as an application on the channel ``portal``
(行政许可法 art. 29: an application may be made by electronic means; art. 32's check then
runs from the day of receipt), its SMS, the status look-up with the applicant's own code, and
补正 handed in online after a one-time notice (art. 32)."""

from __future__ import annotations

import re
import threading
import time
from datetime import date

import pytest
from django.conf import settings
from django.contrib.auth.hashers import check_password
from django.db import connection
from django.test import Client

from ducha.approvals import actions_intake as act
from ducha.approvals import takeup
from ducha.approvals.models import (
    Application,
    ApplicationMaterial,
    ApplicationState,
    Channel,
    Delegation,
    Event,
    HandlingLevel,
    Item,
    ItemKind,
    ItemVersion,
    Material,
    VersionState,
)
from ducha.org.models import Unit, UnitKind, User
from ducha.org.roles import Role
from ducha.publication.models import Submission, SubmissionKind, SubmissionTakeUp, TakeUpState
from ducha.publication.status import look_up
from tests.conftest import PASSWORD
from tests.portal_helpers import pdf_bytes, portal_settings, publish_catalogue_item, upload

__all__ = ["portal_settings"]
pytestmark = pytest.mark.django_db

TODAY = date(2026, 9, 29)  # a Tuesday before National Day
PERSON_ID = "11010519491231002X"
PHONE = "13812345678"
CODE = "FGW-001"


def never() -> bool:
    return False


@pytest.fixture
def data_key():
    return settings.DUCHA_DATA_KEY


@pytest.fixture
def office(city, data_key, portal_settings, tmp_path):
    """The approval service office with its window (wendy) and administrator (adam, the default
    online officer); one item in force with two required materials and one optional; 宛城区 not
    handling it (S3.5); the item published for online application."""
    # Both sides in one process: the intranet's take-up keeps its audit key, which the portal lacks.
    portal_settings.DUCHA_DATA_KEY = data_key
    portal_settings.MEDIA_ROOT = tmp_path / "media"
    unit = Unit.objects.create(code="xzspj", name="市行政审批服务局", short_name="审批局", kind=UnitKind.DEPARTMENT)
    people = {name: User.objects.create_user(username=name, password=PASSWORD, name=name.title(), role=role, unit=unit)
              for name, role in [("adam", Role.UNIT_ADMIN), ("wendy", Role.UNIT_STAFF)]}
    version = ItemVersion.objects.create(
        item=Item.objects.create(code=CODE), version=1, effective_from=date(2026, 1, 1), state=VersionState.PUBLISHED,
        name="企业投资项目核准", kind=ItemKind.LICENSING, legal_basis="条例", lead_department=city.units["fgw"],
        statutory_days=20, promised_days=10, created_by=people["adam"])
    for pos, (code, name, required) in enumerate([("apply", "项目申请书", True), ("licence", "营业执照", True),
                                                  ("other", "其他材料", False)]):
        Material.objects.create(version=version, position=pos, code=code, name=name, required=required)
    Delegation.objects.create(version=version, area=city.units["wancheng"], level=HandlingLevel.NONE)
    publish_catalogue_item(CODE, materials=[
        {"code": "apply", "name": "项目申请书", "required": True}, {"code": "licence", "name": "营业执照", "required": True},
        {"code": "other", "name": "其他材料", "required": False}],
        places=[{"area": "市本级", "level": "市级办理"}, {"area": "宛城区", "code": "wancheng", "level": "不办理"}])
    city.people.update(people)
    return version


def form(**extra):
    data = {"name": "张三", "id_number": PERSON_ID, "phone": PHONE, "area": "市本级", "project": "产业园一期",
            "file_apply": upload("申请书.pdf", pdf_bytes("apply")), "file_licence": upload("执照.pdf", pdf_bytes("licence"))}
    data.update(extra)
    return data


def apply(client: Client, **extra) -> tuple[str, str]:
    page = client.post(f"/catalogue/{CODE}/apply/", form(**extra))
    assert page.status_code == 200, page.content.decode()[:500]
    html = page.content.decode()
    reference = re.search(r'data-testid="reference">([^<]+)<', html)
    code = re.search(r'data-testid="query-code">([^<]+)<', html)
    assert reference and code, html
    assert page.headers["Cache-Control"] == "no-store"
    return reference.group(1), code.group(1)


def test_the_form_is_built_from_the_items_materials(office):
    client = Client()
    assert 'data-testid="apply-link"' in client.get(f"/catalogue/{CODE}/").content.decode()
    html = client.get(f"/catalogue/{CODE}/apply/").content.decode()
    for code in ("apply", "licence", "other"):
        assert f'data-testid="upload-file_{code}"' in html
    assert re.search(r'data-testid="upload-file_apply" required', html)
    assert not re.search(r'data-testid="upload-file_other" required', html)
    assert 'value="wancheng"' in html and 'value="市本级"' in html  # the places the item lists
    publish_catalogue_item("OFFLINE-1", online=False)
    assert client.get("/catalogue/OFFLINE-1/apply/").status_code == 404
    assert client.get("/catalogue/NO-SUCH/apply/").status_code == 404


@pytest.mark.parametrize("field, value", [("id_number", "110105194912310021"), ("phone", "1381234"), ("name", " ")])
def test_bad_identity_is_refused_naming_the_field_and_nothing_is_stored(office, field, value):
    page = Client().post(f"/catalogue/{CODE}/apply/", form(**{field: value}))
    assert page.status_code == 200
    assert f'data-testid="error-{field}"' in page.content.decode()
    assert 'data-testid="reference"' not in page.content.decode()
    assert not Submission.objects.exists()


def test_a_missing_required_material_or_a_fake_file_is_refused(office):
    page = Client().post(f"/catalogue/{CODE}/apply/", form(file_licence=""))
    assert 'data-testid="error-file_licence"' in page.content.decode()
    page = Client().post(f"/catalogue/{CODE}/apply/", form(file_licence=upload("执照.pdf", b"MZ\x90\x00 not a pdf")))
    assert 'data-testid="apply-errors"' in page.content.decode() and "执照.pdf" in page.content.decode()
    assert not Submission.objects.exists()


def test_an_online_application_is_taken_up_once_with_files_identity_sms_and_code(
        city, office, django_capture_on_commit_callbacks):
    """S3.1/S3.3: the submission becomes one application on the channel portal, received by the
    office's online account (its first unit administrator by default), dated the day of take-up;
    a second pass finds nothing; the SMS carries the receipt number; the applicant's code works."""
    reference, code = apply(Client())
    sub = Submission.objects.get(reference=reference)
    assert sub.kind == SubmissionKind.APPLICATION and sub.payload["item"] == CODE and sub.payload["area"] == "市本级"
    with django_capture_on_commit_callbacks(execute=True):
        first = takeup.run_pass(never, today=TODAY)
    second = takeup.run_pass(never, today=TODAY)
    assert first["application"] == 1 and second["application"] == 0
    app = Application.objects.get()
    assert app.channel == Channel.PORTAL and app.submission_reference == reference
    assert app.applicant_name == "张三" and app.applicant_id == PERSON_ID and app.applicant_phone == PHONE
    assert app.first_officer == city.adam and app.received_on == TODAY and app.area is None
    assert app.handling_unit == city.units["fgw"] and app.state == ApplicationState.RECEIVED
    rows = {r.material.code: r for r in ApplicationMaterial.objects.filter(application=app).select_related("material")}
    assert rows["apply"].submitted_on == TODAY and rows["licence"].submitted_on == TODAY
    assert rows["other"].submitted_on is None and not rows["other"].file
    assert rows["apply"].file.read() == pdf_bytes("apply")
    event = Event.objects.get(application=app, kind=takeup.ONLINE_EVENT)
    assert event.detail["submission"] == reference and event.actor == city.adam
    take = SubmissionTakeUp.objects.get(submission=sub)
    assert take.state == TakeUpState.DONE and take.outcome == app.receipt_number and take.taken_up_by == city.adam.pk
    sms = [line for line in (settings.DATA_DIR / "sms.log").read_text(encoding="utf-8").splitlines()
           if f"approvals:{reference}" in line]  # the demo gateway's file
    assert len(sms) == 1 and app.receipt_number in sms[0] and PHONE not in sms[0]  # the number masked
    assert check_password(code, app.query_code_hash)
    found = look_up(app.receipt_number, code)  # published after the take-up's commit
    assert found is not None and found.key == app.receipt_number and found.payload["state"] == "received"
    page = Client().post("/status/", {"receipt": app.receipt_number, "code": code}).content.decode()
    assert 'data-testid="status-result"' in page
    by_reference = look_up(reference, code)  # the reference shown on the portal answers too
    assert by_reference is not None and by_reference.payload["state"] == "taken_up"
    assert app.receipt_number in by_reference.payload["state_words"]["en"]


@pytest.mark.django_db(transaction=True)
def test_two_workers_never_take_one_submission_up_twice(city, office):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers; the race needs PostgreSQL's SKIP LOCKED")
    references = {apply(Client(REMOTE_ADDR=f"198.51.100.{n}"))[0] for n in range(1, 5)}
    figures: list[dict[str, int]] = []
    errors: list[Exception] = []

    def worker() -> None:
        try:
            figures.append(takeup.run_pass(never, today=TODAY))
        except Exception as e:  # pragma: no cover - reported below
            errors.append(e)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and sum(f["application"] for f in figures) == 4
    assert set(Application.objects.values_list("submission_reference", flat=True)) == references
    assert SubmissionTakeUp.objects.filter(state=TakeUpState.DONE).count() == 4


def test_the_online_officer_setting_names_the_account(city, office, portal_settings):
    portal_settings.DUCHA_APPROVAL_ONLINE_OFFICER = "wendy"
    apply(Client())
    takeup.run_pass(never, today=TODAY)
    assert Application.objects.get().first_officer == city.wendy
    for misnamed in ("nobody", "sam"):  # sam is fgw staff, not the window: the submission waits
        portal_settings.DUCHA_APPROVAL_ONLINE_OFFICER = misnamed
        apply(Client())
        assert takeup.run_pass(never, today=TODAY) == {"no_officer": 1}
    assert Submission.objects.filter(take_up__isnull=True).count() == 2


def test_an_area_not_handled_is_taken_up_as_refused_and_the_applicant_told(city, office):
    """S3.5: 宛城区 does not handle the item; the submission is refused with the reason, no
    application is made, and the look-up with the reference and the code says so."""
    reference, code = apply(Client(), area="wancheng")
    assert takeup.run_pass(never, today=TODAY)["refused"] == 1
    assert not Application.objects.exists()
    take = SubmissionTakeUp.objects.get(submission__reference=reference)
    assert take.state == TakeUpState.REFUSED and take.outcome
    found = look_up(reference, code)
    assert found is not None and found.payload["state"] == "not_taken_up"
    page = Client().post("/status/", {"receipt": reference, "code": code})
    assert 'data-testid="status-result"' in page.content.decode()


def test_missing_materials_handed_in_online_after_a_one_time_notice(city, office, django_capture_on_commit_callbacks):
    """Art. 32: the notice names the licence; the applicant hands it in from the status look-up;
    the take-up records 补正 on the application, which is under check again from that day."""
    _reference, code = apply(Client())
    takeup.run_pass(never, today=TODAY)
    app = Application.objects.get()
    mats = {m.code: m.pk for m in Material.objects.filter(version=office)}
    act.do_check_materials(actor=city.wendy, application_id=app.pk, today=TODAY,
                           results={mats["apply"]: ("ok", ""), mats["licence"]: ("wrong", "复印件不清晰")})
    with django_capture_on_commit_callbacks(execute=True):  # the notice's status is published after it
        act.do_give_notice(actor=city.wendy, application_id=app.pk, confirm=True, today=TODAY)

    client = Client()
    status = client.post("/status/", {"receipt": app.receipt_number, "code": code}).content.decode()
    assert 'data-testid="materials-link"' in status
    wrong = client.post("/status/materials/", {"receipt": app.receipt_number, "code": "WRONGONE"}).content.decode()
    assert 'data-testid="materials-errors"' in wrong and 'name="token"' not in wrong
    step = client.post("/status/materials/", {"receipt": app.receipt_number, "code": code}).content.decode()
    token = re.search(r'name="token" value="([^"]+)"', step)
    assert token and 'name="file_0"' in step and "营业执照" in step
    done = client.post("/status/materials/", {"token": token.group(1), "file_0": upload("执照.pdf", pdf_bytes("new"))})
    assert done.status_code == 200 and 'data-testid="reference"' in done.content.decode()
    sub = Submission.objects.get(kind=SubmissionKind.MATERIALS)
    assert sub.payload == {"receipt": app.receipt_number} and sub.name_sealed == ""
    assert client.post("/status/materials/", {"token": "forged"}).content.decode().count("materials-errors") == 1

    with django_capture_on_commit_callbacks(execute=True):
        assert takeup.run_pass(never, today=date(2026, 10, 9))["materials"] == 1
    app.refresh_from_db()
    assert app.state == ApplicationState.RECEIVED  # every material the notice named is in
    event = Event.objects.get(application=app, kind="materials_submitted")
    assert event.detail["materials"] == [mats["licence"]] and event.on == date(2026, 10, 9)
    licence = ApplicationMaterial.objects.get(application=app, material_id=mats["licence"])
    assert licence.submitted_on == date(2026, 10, 9) and licence.file.read() == pdf_bytes("new")
    assert SubmissionTakeUp.objects.get(submission=sub).state == TakeUpState.DONE
    assert look_up(app.receipt_number, code).payload["state"] == "received"


def test_the_apply_form_is_rate_limited_and_asks_the_captcha_after_failures(office, portal_settings):
    portal_settings.DUCHA_PORTAL_RATE_PER_MINUTE = 2
    portal_settings.DUCHA_PORTAL_CAPTCHA_AFTER = 1
    if time.time() % 60 > 50:  # the count is per clock minute: start in a fresh one
        time.sleep(61 - time.time() % 60)
    client = Client()
    assert 'data-testid="captcha"' not in client.get(f"/catalogue/{CODE}/apply/").content.decode()
    refused = client.post(f"/catalogue/{CODE}/apply/", form(phone="1"))
    assert refused.status_code == 200 and 'data-testid="captcha"' in refused.content.decode()
    # the right fields without the picture's characters are refused all the same
    again = client.post(f"/catalogue/{CODE}/apply/", form())
    assert 'data-testid="reference"' not in again.content.decode()
    assert client.post(f"/catalogue/{CODE}/apply/", form()).status_code == 429
    assert not Submission.objects.exists()
    assert Client(REMOTE_ADDR="198.51.100.7").get(f"/catalogue/{CODE}/apply/").status_code == 200
