"""S3.3 at the window, through its pages and the API: 收件 to 受理 with the one-time notice
(行政许可法 art. 32), what each person may read (a 404 outside their scope, as for a missing
application) and the API's conformance to its schema."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from ducha.approvals import actions_intake as act
from ducha.approvals.models import Application, ApplicationState
from tests.api_schema import connection_kept, log_in, schema
from tests.test_approvals_intake import CREDIT_CODE, PHONE, TUE, check, mat, office, receive  # noqa: F401


def client_for(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_window_pages_walk_receipt_check_and_notice(city, office, clock):  # noqa: F811
    """The window's pages: 收件 with a bad phone names the field and creates nothing; then the
    check, the one-time notice (confirmed), and the application page's art. 32 deadline."""
    clock.set(TUE)
    wendy = client_for(city.wendy)
    assert wendy.get("/approvals/applications/new/?q=核准").status_code == 200
    page = wendy.get("/approvals/applications/new/?item_code=FGW-001")
    assert page.status_code == 200 and b'data-testid="receive-form"' in page.content
    form = {"item_code": "FGW-001", "area": "", "applicant_name": "宛城建设有限公司", "applicant_id": CREDIT_CODE,
            "applicant_phone": "12345", "channel": "window", "materials": [str(mat(office, "apply"))]}
    bad = wendy.post("/approvals/applications/new/", form)
    assert bad.status_code == 400 and b'data-testid="error-applicant_phone"' in bad.content
    assert not Application.objects.exists()
    r = wendy.post("/approvals/applications/new/", {**form, "applicant_phone": PHONE})
    app = Application.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/approvals/applications/{app.pk}/"
    detail = wendy.get(r["Location"])
    assert b'data-deadline="2026-10-12"' in detail.content and b'data-start="2026-09-29"' in detail.content
    url = r["Location"]
    checked = wendy.post(url, {"step": "check", f"state_{mat(office, 'apply')}": "ok",
                               f"state_{mat(office, 'licence')}": "missing",
                               f"state_{mat(office, 'site')}": "wrong", f"problem_{mat(office, 'site')}": ""})
    assert checked.status_code == 400 and b"error-material_" in checked.content  # wrong needs the words
    assert wendy.post(url, {"step": "check", f"state_{mat(office, 'apply')}": "ok",
                            f"state_{mat(office, 'licence')}": "missing", f"state_{mat(office, 'site')}": "wrong",
                            f"problem_{mat(office, 'site')}": "未盖章"}).status_code == 302
    unconfirmed = wendy.post(url, {"step": "notice"})
    assert unconfirmed.status_code == 400 and b'data-testid="error-confirm"' in unconfirmed.content
    assert wendy.post(url, {"step": "notice", "confirm": "yes"}).status_code == 302
    app.refresh_from_db()
    assert app.state == ApplicationState.NOTIFIED
    page = wendy.get(url)
    assert b'data-notice="1"' in page.content and b'data-event="notice"' in page.content
    assert wendy.get("/approvals/applications/?state=notified&q=SP2026").content.count(b"data-application=") == 1
    assert client_for(city.otto).get("/approvals/applications/?mine=1").content.count(b"data-application=") == 0


def test_a_department_reads_its_applications_only(city, office, clock):  # noqa: F811
    """Access: the handling department reads its application; another department gets a 404,
    on the page, its documents and the API, exactly as for a missing one."""
    clock.set(TUE)
    app = receive(city, office)
    assert client_for(city.sam).get(f"/approvals/applications/{app.pk}/").status_code == 200
    carl = client_for(city.carl)
    assert carl.get(f"/approvals/applications/{app.pk}/").status_code == 404
    assert carl.get(f"/api/approvals/applications/{app.receipt_number}").status_code == 404
    assert b"data-application=" not in carl.get("/approvals/applications/").content
    # the department reads but is not the window
    r = client_for(city.sam).post(f"/approvals/applications/{app.pk}/", {"step": "accept", "confirm": "yes"})
    assert r.status_code == 404 and Application.objects.get().state == ApplicationState.RECEIVED


def test_api_round_trip_receive_check_notice_supplement_accept(city, office, clock):  # noqa: F811
    clock.set(TUE)
    api = client_for(city.wendy)
    body = {"item_code": "FGW-001", "applicant_name": "宛城建设有限公司", "applicant_id": CREDIT_CODE,
            "applicant_phone": PHONE, "materials_handed_in": [mat(office, "apply"), mat(office, "licence")]}
    bad = api.post("/api/approvals/applications", {**body, "item_code": "XX-9"}, content_type="application/json")
    assert bad.status_code == 400 and "item_code" in bad.json()["errors"]
    r = api.post("/api/approvals/applications", body, content_type="application/json")
    assert r.status_code == 201, r.content
    out = r.json()
    assert out["state"] == "received" and out["check_deadline"] == "2026-10-12" and out["accepted_on"] is None
    base = f"/api/approvals/applications/{out['id']}"
    results = [{"material_id": mat(office, "apply"), "state": "ok"}, {"material_id": mat(office, "licence"), "state": "ok"},
               {"material_id": mat(office, "site"), "state": "missing"}]
    assert api.post(f"{base}/check", {"results": results}, content_type="application/json").status_code == 200
    no = api.post(f"{base}/notice", {}, content_type="application/json")
    assert no.status_code == 400 and "confirm" in no.json()["errors"]
    assert api.post(f"{base}/notice", {"confirm": True}, content_type="application/json").json()["state"] == "notified"
    clock.set(date(2026, 10, 9))
    api = client_for(city.wendy)  # a new day, a new session
    r = api.post(f"{base}/materials", {"material_ids": [mat(office, "site")]}, content_type="application/json")
    assert r.json()["state"] == "received" and r.json()["check_deadline"] == "2026-10-15"
    api.post(f"{base}/check", {"results": [{"material_id": mat(office, "site"), "state": "ok"}]},
             content_type="application/json")
    clock.set(date(2026, 10, 10))
    api = client_for(city.wendy)
    accepted = api.post(f"{base}/accept", {}, content_type="application/json")
    assert accepted.status_code == 200 and accepted.json()["accepted_on"] == "2026-10-09"
    got = api.get(f"/api/approvals/applications/{out['receipt_number']}").json()
    assert got["state"] == "accepted" and got["deemed_accepted"] is False and got["check_deadline"] is None
    assert [n["sequence"] for n in got["notices"]] == [1]
    assert {d["kind"] for d in got["documents"]} == {"notice", "acceptance"}
    if got["steps"]:  # the decision clock's part is installed
        assert got["due_date"] is not None and len(got["steps"]) == 3
    assert client_for(city.sam).post(f"{base}/accept", {}, content_type="application/json").status_code == 403
    page = api.get(f"/approvals/applications/{out['id']}/")
    assert page.status_code == 200 and b'data-testid="accepted-on"' in page.content


def test_api_tells_why_an_application_was_accepted_by_law(city, office):  # noqa: F811
    app = receive(city, office)
    act.do_deem_accepted(application_id=app.pk, today=date(2026, 10, 13))
    got = client_for(city.alice).get(f"/api/approvals/applications/{app.receipt_number}").json()
    assert got["deemed_accepted"] is True and got["accepted_on"] == "2026-09-29"
    assert "2026-10-12" in got["deemed_reason"] and ("32" in got["deemed_reason"] or "三十二" in got["deemed_reason"])


@pytest.fixture
def window_session(city, office, clock, client, settings):  # noqa: F811
    clock.set(TUE)
    receive(city, office)
    noticed = receive(city, office)
    check(city, noticed, apply=("ok", ""), licence=("ok", ""), site=("missing", ""))
    act.do_give_notice(actor=city.wendy, application_id=noticed.pk, confirm=True, today=TUE)
    with connection_kept():
        yield log_in(client, city.wendy, settings)


WINDOW_PATHS = (r"^/api/approvals/applications(/\{receipt_number\}"
                r"|/\{application_id\}/(check|notice|materials|accept|refuse|hand-over|withdraw))?$")


@schema.include(path_regex=WINDOW_PATHS).parametrize()
@hypothesis_settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck))
@pytest.mark.django_db
def test_window_api_conforms_with_data(case, window_session):
    """S3.3: 0 server errors, 0 responses that break the schema, with applications under check and notified."""
    case.call_and_validate()
