"""What follows 受理 (S3.3): the decision clock, departments' steps, pauses, the extension and the
decision, as 行政许可法 arts. 38, 42 and 45 set them, on 2026's calendar: National Day Oct 1–7 off,
Saturday Oct 10 a working day.

Worked by hand for an application accepted on Friday 2026-09-25 (the clock starts on the working
day after 受理): working days 1–3 are Sep 28–30, then Oct 8 (4), Oct 9 (5), Sat Oct 10 (6), Oct 12
(7) … Oct 22 (15), Oct 29 (20), Nov 3 (23), Nov 12 (30).
"""

from __future__ import annotations

import threading
from datetime import date

import pytest
from django.conf import settings
from django.db import connection
from django.http import Http404
from django.urls import reverse

from ducha.approvals import actions_handling as actions
from ducha.approvals.clock import clock_fields, clock_of, step_clock
from ducha.approvals.documents_decisions import build_refusal
from ducha.approvals.models import (
    Application,
    ApplicationState,
    Document,
    DocumentKind,
    Event,
    Pause,
    PauseReason,
    StepRecord,
    StepState,
)
from ducha.inbox.models import Notification
from tests.approvals_handling_helpers import FLOW, accepted_application, make_version, service_office

ACCEPTED = date(2026, 9, 25)
NOTICE = "因需组织专家评审，所需时间约5个工作日，不计算在审批期限内。"


@pytest.fixture
def office(city):
    return service_office(city)


@pytest.fixture
def app(city, office) -> Application:
    version = make_version(city, "11410000-001", steps=FLOW)
    return accepted_application(city, version, ACCEPTED)


def _steps(app: Application) -> dict[str, StepRecord]:
    return {r.step.action: r for r in StepRecord.objects.filter(application=app).select_related("step")}


def _finish_all(city, app: Application, today: date) -> None:
    for action, who in (("初审", city.sam), ("复审", city.sam), ("资金审核", city.carl), ("审定", city.sam)):
        actions.do_finish_step(actor=who, step_id=_steps(app)[action].pk, opinion="同意。", today=today)


# -- the clocks ------------------------------------------------------------------------------


def test_art42_twenty_working_days_cross_national_day(app):
    """Art. 42 ¶1: 20 working days from the day after 受理; Oct 1–7 do not count, Sat Oct 10 does.
    The promised 15 working days fall on Oct 22."""
    clock = clock_of(app, date(2026, 10, 10))
    assert clock is not None
    assert clock.statutory.due == date(2026, 10, 29)
    assert clock.promised.due == date(2026, 10, 22)
    assert (clock.statutory.used, clock.statutory.left) == (6, 14)  # Sep 28, 29, 30, Oct 8, 9, 10
    assert clock_of(app, date(2026, 10, 30)).statutory.overdue


def test_art45_pause_across_national_day(city, app):
    """Art. 45: expert review noticed on Sep 30 and ended on Sat Oct 10 takes Oct 8, 9, 10 out of
    the clock (the day of the notice was worked): due the 23rd working day, Nov 3; promised Oct 27.
    While the pause runs the due day is unknown."""
    actions.do_start_pause(actor=city.sam, application_id=app.pk, reason=PauseReason.EXPERT_REVIEW,
                           expected_days=5, notice_text=NOTICE, confirm=True, today=date(2026, 9, 30))
    app.refresh_from_db()
    assert app.state == ApplicationState.PAUSED
    running = clock_of(app, date(2026, 10, 8))
    assert running.statutory.due is None and running.statutory.running_pause
    assert (running.statutory.paused, running.statutory.used) == (1, 3)
    assert clock_fields(app, date(2026, 10, 8))["due_date"] is None

    actions.do_end_pause(actor=city.sam, application_id=app.pk, today=date(2026, 10, 10))
    app.refresh_from_db()
    assert app.state == ApplicationState.ACCEPTED
    clock = clock_of(app, date(2026, 10, 12))
    assert clock.statutory.paused == 3
    assert clock.statutory.due == date(2026, 11, 3)
    assert clock.promised.due == date(2026, 10, 27)
    fields = clock_fields(app, date(2026, 10, 12))
    assert (fields["paused_workdays"], fields["due_date"]) == (3, "2026-11-03")
    assert "2026-09-25" in fields["explanation"] and "2026-11-03" in fields["explanation"]
    pause = Pause.objects.get(application=app)
    assert (pause.notice_text, pause.ended_on) == (NOTICE, date(2026, 10, 10))
    assert Event.objects.filter(application=app, kind="pause", detail__notice_text=NOTICE).exists()


def test_step_clock_excludes_the_pause_inside_it(city, app):
    """A step's limit runs from its start day; a pause inside it is not counted (art. 45): the first
    step (5 working days from Sep 25) is due Oct 9, and Oct 13 with the Sep 30–Oct 10 pause."""
    first = _steps(app)["初审"]
    assert step_clock(first, date(2026, 9, 28)).due == date(2026, 10, 9)
    actions.do_start_pause(actor=city.wendy, application_id=app.pk, reason=PauseReason.TEST, expected_days=3,
                           notice_text=NOTICE, confirm=True, today=date(2026, 9, 30))
    actions.do_end_pause(actor=city.wendy, application_id=app.pk, today=date(2026, 10, 10))
    assert step_clock(first, date(2026, 10, 12)).due == date(2026, 10, 13)
    # the next order started after the pause: nothing excluded from it
    actions.do_finish_step(actor=city.sam, step_id=first.pk, opinion="同意。", today=date(2026, 10, 12))
    second = _steps(app)["资金审核"]
    assert second.started_on == date(2026, 10, 12)
    assert step_clock(second, date(2026, 10, 12)).due == date(2026, 10, 16)


def test_pause_only_for_art45_reasons_with_notice_and_one_at_a_time(city, app):
    bad = dict(actor=city.sam, application_id=app.pk, expected_days=5, today=date(2026, 9, 30))
    with pytest.raises(actions.HandlingError) as e:
        actions.do_start_pause(reason="staff_on_leave", notice_text=NOTICE, confirm=True, **bad)
    assert "reason" in e.value.errors
    with pytest.raises(actions.HandlingError) as e:
        actions.do_start_pause(reason=PauseReason.HEARING, notice_text="  ", confirm=True, **bad)
    assert "notice_text" in e.value.errors
    with pytest.raises(actions.HandlingError) as e:
        actions.do_start_pause(reason=PauseReason.HEARING, notice_text=NOTICE, confirm=False, **bad)
    assert "confirm" in e.value.errors and app.receipt_number in e.value.errors["confirm"]
    assert not Pause.objects.exists()
    actions.do_start_pause(reason=PauseReason.HEARING, notice_text=NOTICE, confirm=True, **bad)
    with pytest.raises(actions.HandlingError):
        actions.do_start_pause(reason=PauseReason.TEST, notice_text=NOTICE, confirm=True, **bad)
    assert Pause.objects.count() == 1
    with pytest.raises(Http404):  # 自然资源局 has no step: it does not even read the application
        actions.do_end_pause(actor=city.zoe, application_id=app.pk, today=date(2026, 10, 8))
    actions.do_end_pause(actor=city.carl, application_id=app.pk, today=date(2026, 10, 8))  # 财政局 has a step


# -- the extension (art. 42) -----------------------------------------------------------------


def test_art42_extension_ten_working_days_once(city, app):
    """+10 with the organ head's approval: due the 30th working day, Nov 12. At most 10, once, and
    only while the statutory period runs; the approver is named."""
    kw = dict(actor=city.ursula, application_id=app.pk, reason="需实地核查", approved_on=date(2026, 10, 20),
              today=date(2026, 10, 21))
    with pytest.raises(actions.HandlingError) as e:
        actions.do_extend(days=11, approved_by="局长 张三", confirm=True, **kw)
    assert "days" in e.value.errors
    with pytest.raises(actions.HandlingError) as e:
        actions.do_extend(days=10, approved_by="", confirm=True, **kw)
    assert "approved_by" in e.value.errors
    with pytest.raises(actions.HandlingError) as e:
        actions.do_extend(days=10, approved_by="局长 张三", confirm=False, **kw)
    assert "confirm" in e.value.errors
    with pytest.raises(actions.NotYours):
        actions.do_extend(days=10, approved_by="局长 张三", confirm=True, **{**kw, "actor": city.carl})
    actions.do_extend(days=10, approved_by="局长 张三", confirm=True, **kw)
    app.refresh_from_db()
    assert (app.extension_days, app.extension_approved_by) == (10, "局长 张三")
    clock = clock_of(app, date(2026, 10, 21))
    assert clock.statutory.due == date(2026, 11, 12)
    assert clock.statutory.extension == 10 and clock.statutory.limit == 30
    with pytest.raises(actions.HandlingError):
        actions.do_extend(days=1, approved_by="局长 张三", confirm=True, **kw)


def test_extension_after_the_statutory_due_day_is_refused(city, app):
    """The due day (Oct 29) is still within the period; the day after is too late."""
    kw = dict(actor=city.wendy, application_id=app.pk, days=5, reason="需补充论证", approved_by="局长 张三", confirm=True)
    with pytest.raises(actions.HandlingError) as e:
        actions.do_extend(approved_on=date(2026, 10, 30), today=date(2026, 10, 30), **kw)
    assert "approved_on" in e.value.errors
    with pytest.raises(actions.HandlingError):
        actions.do_extend(approved_on=date(2026, 10, 28), today=date(2026, 10, 30), **kw)
    actions.do_extend(approved_on=date(2026, 10, 29), today=date(2026, 10, 29), **kw)
    assert clock_of(Application.objects.get(pk=app.pk), date(2026, 10, 29)).statutory.due == date(2026, 11, 5)


# -- steps and the decision ------------------------------------------------------------------


def test_parallel_steps_and_the_next_order(city, app, django_capture_on_commit_callbacks):
    """S3.2: steps of one order run in parallel; the next order starts when all of them are done,
    on that day, and its department is told."""
    s = _steps(app)
    assert [s["初审"].state, s["复审"].state, s["资金审核"].state] == [StepState.RUNNING, StepState.WAITING,
                                                                     StepState.WAITING]
    with pytest.raises(actions.NotYours):
        actions.do_finish_step(actor=city.carl, step_id=s["初审"].pk, opinion="同意。", today=date(2026, 9, 29))
    with pytest.raises(actions.HandlingError) as e:
        actions.do_finish_step(actor=city.sam, step_id=s["初审"].pk, opinion=" ", today=date(2026, 9, 29))
    assert "opinion" in e.value.errors
    with django_capture_on_commit_callbacks(execute=True):
        actions.do_finish_step(actor=city.sam, step_id=s["初审"].pk, opinion="符合条件。", today=date(2026, 9, 29))
    s = _steps(app)
    assert (s["复审"].state, s["资金审核"].state) == (StepState.RUNNING, StepState.RUNNING)
    assert s["资金审核"].started_on == date(2026, 9, 29)
    assert Notification.objects.filter(user=city.carl).exists()
    actions.do_finish_step(actor=city.carl, step_id=s["资金审核"].pk, opinion="资金来源合规。", today=date(2026, 9, 30))
    assert _steps(app)["审定"].state == StepState.WAITING
    with pytest.raises(actions.HandlingError):  # done already
        actions.do_finish_step(actor=city.carl, step_id=s["资金审核"].pk, opinion="再次。", today=date(2026, 9, 30))
    actions.do_finish_step(actor=city.sam, step_id=s["复审"].pk, opinion="同意。", today=date(2026, 10, 8))
    last = _steps(app)["审定"]
    assert (last.state, last.started_on) == (StepState.RUNNING, date(2026, 10, 8))
    assert Application.objects.get(pk=app.pk).next_check_on == date(2026, 10, 8)


@pytest.mark.skipif(settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
                    reason="needs PostgreSQL's row locks between threads")
@pytest.mark.django_db(transaction=True)
def test_parallel_steps_finished_at_once_start_the_next_order_once(city, office):
    """Two departments finish the two parallel steps at the same moment: the application's row lock
    makes the second see the first, so the last order starts exactly once."""
    app = accepted_application(city, make_version(city, "11410000-002", steps=FLOW), ACCEPTED)
    actions.do_finish_step(actor=city.sam, step_id=_steps(app)["初审"].pk, opinion="同意。", today=date(2026, 9, 29))
    s = _steps(app)
    barrier, failures = threading.Barrier(2), []

    def finish(who, step_id):
        try:
            barrier.wait()
            actions.do_finish_step(actor=who, step_id=step_id, opinion="同意。", today=date(2026, 9, 30))
        except Exception as e:  # reported below
            failures.append(e)
        finally:
            connection.close()

    threads = [threading.Thread(target=finish, args=(city.sam, s["复审"].pk)),
               threading.Thread(target=finish, args=(city.carl, s["资金审核"].pk))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert failures == []
    last = _steps(app)["审定"]
    assert (last.state, last.started_on) == (StepState.RUNNING, date(2026, 9, 30))
    started = [e.detail["started"] for e in Event.objects.filter(application=app, kind="step_done")]
    assert sorted(map(len, started)) == [0, 1, 2]  # 初审 started two, one of the parallel pair started 审定


def test_decision_before_every_step_is_done_is_refused(city, app):
    with pytest.raises(actions.HandlingError) as e:
        actions.do_decide(actor=city.ursula, application_id=app.pk, grant=True, reasons="", confirm=True,
                          today=date(2026, 10, 9))
    assert "初审" in str(e.value)
    assert Application.objects.get(pk=app.pk).state == ApplicationState.ACCEPTED
    assert not Document.objects.exists()


def test_grant_stops_the_clock_and_issues_the_numbered_decision(city, app, settings, tmp_path,
                                                                django_capture_on_commit_callbacks):
    """Art. 38 ¶1: 准予行政许可决定书 from the register; the clock stops on the day of the decision
    and nothing is left for the supervision pass."""
    settings.MEDIA_ROOT = tmp_path
    _finish_all(city, app, date(2026, 10, 12))
    with pytest.raises(actions.HandlingError) as e:
        actions.do_decide(actor=city.ursula, application_id=app.pk, grant=True, reasons="", confirm=False,
                          today=date(2026, 10, 13))
    assert "confirm" in e.value.errors
    with pytest.raises(actions.NotYours):
        actions.do_decide(actor=city.carl, application_id=app.pk, grant=True, reasons="", confirm=True,
                          today=date(2026, 10, 13))
    with django_capture_on_commit_callbacks(execute=True):
        doc = actions.do_decide(actor=city.ursula, application_id=app.pk, grant=True, reasons="材料真实有效。",
                                confirm=True, today=date(2026, 10, 13))
    app.refresh_from_db()
    assert (app.state, app.decided_on, app.next_check_on) == (ApplicationState.GRANTED, date(2026, 10, 13), None)
    assert doc.kind == DocumentKind.GRANT and doc.number == f"{settings.DUCHA_APPROVAL_DOC_PREFIX}〔2026〕1号"
    doc.refresh_from_db()
    assert doc.render_error == "" and doc.docx.name.endswith(".docx") and doc.pdf.name.endswith(".pdf")
    stopped = clock_of(app, date(2026, 12, 31))
    assert (stopped.statutory.used, stopped.statutory.overdue) == (8, False)  # Sep 28 … Oct 13
    assert Event.objects.filter(application=app, kind="decide", detail__grant=True).exists()
    assert Notification.objects.filter(user=city.wendy, title__contains=app.receipt_number).exists()
    with pytest.raises(actions.HandlingError):
        actions.do_decide(actor=city.ursula, application_id=app.pk, grant=False, reasons="x", confirm=True,
                          today=date(2026, 10, 14))


def test_refusal_needs_reasons_and_tells_the_right_of_appeal(city, app):
    """Art. 38 ¶2: a refusal states its reasons and the right to 行政复议 (60 days) and 行政诉讼
    (6 months); not while a pause runs."""
    _finish_all(city, app, date(2026, 10, 12))
    with pytest.raises(actions.HandlingError) as e:
        actions.do_decide(actor=city.wendy, application_id=app.pk, grant=False, reasons=" ", confirm=True,
                          today=date(2026, 10, 13))
    assert "reasons" in e.value.errors
    actions.do_start_pause(actor=city.wendy, application_id=app.pk, reason=PauseReason.HEARING, expected_days=10,
                           notice_text=NOTICE, confirm=True, today=date(2026, 10, 13))
    with pytest.raises(actions.HandlingError):
        actions.do_decide(actor=city.wendy, application_id=app.pk, grant=False, reasons="不符合产业政策", confirm=True,
                          today=date(2026, 10, 14))
    actions.do_end_pause(actor=city.wendy, application_id=app.pk, today=date(2026, 10, 20))
    doc = actions.do_decide(actor=city.wendy, application_id=app.pk, grant=False, reasons="不符合产业政策",
                            confirm=True, today=date(2026, 10, 21))
    assert doc.kind == DocumentKind.REFUSAL
    text = "".join(getattr(b, "text", "") for b in build_refusal(doc).body)
    assert "不符合产业政策" in text and "六十日" in text and "六个月" in text


def test_an_item_without_a_flow_is_decided_directly(city, office):
    version = make_version(city, "11410000-009", name="公共场所卫生许可", lead="czj")
    app = accepted_application(city, version, ACCEPTED, number="SP2026-0009")
    doc = actions.do_decide(actor=city.carl, application_id=app.pk, grant=True, reasons="", confirm=True,
                            today=date(2026, 9, 28))
    assert doc.kind == DocumentKind.GRANT


# -- pages and access -----------------------------------------------------------------------


def test_pages_show_the_clock_and_take_a_step(client, city, app, clock):
    clock.set(date(2026, 10, 12))
    client.force_login(city.sam)
    page = client.get(reverse("approvals:handling-app", args=[app.pk]))
    assert page.status_code == 200
    body = page.content.decode()
    assert 'data-due="2026-10-29"' in body and 'data-testid="finish-' in body
    mine = client.get(reverse("approvals:handling-mine"))
    assert mine.status_code == 200 and f'data-step="{_steps(app)["初审"].pk}"' in mine.content.decode()
    first = _steps(app)["初审"]
    bad = client.post(reverse("approvals:handling-finish", args=[app.pk, first.pk]), {"opinion": ""})
    assert bad.status_code == 400
    ok = client.post(reverse("approvals:handling-finish", args=[app.pk, first.pk]),
                     {"opinion": "同意。", "next": reverse("approvals:handling-app", args=[app.pk])})
    assert ok.status_code == 302
    assert _steps(app)["初审"].state == StepState.DONE
    # a pause without the confirmation changes nothing and names the effect
    refused = client.post(reverse("approvals:handling-pause", args=[app.pk]),
                          {"reason": PauseReason.TEST, "expected_days": "3", "notice_text": NOTICE})
    assert refused.status_code == 400 and not Pause.objects.exists()


def test_pages_pause_extend_and_decide(client, city, app, clock, settings, tmp_path):
    """The forms post, come back to the application's page, and the page then shows the state;
    the window's application page draws the same part."""
    settings.MEDIA_ROOT = tmp_path
    clock.set(date(2026, 9, 30))
    client.force_login(city.ursula)
    detail = reverse("approvals:app-detail", args=[app.pk])
    page = client.get(detail).content.decode()
    assert 'data-testid="handling"' in page and 'data-testid="pause-form"' in page and 'data-testid="decide-waits"' in page
    r = client.post(reverse("approvals:handling-pause", args=[app.pk]), {
        "reason": PauseReason.MEASUREMENT, "expected_days": "5", "notice_text": NOTICE, "confirm": "yes",
        "next": detail})
    assert r.status_code == 302 and r["Location"] == detail
    page = client.get(reverse("approvals:handling-app", args=[app.pk])).content.decode()
    assert 'data-testid="running-pause"' in page and 'data-testid="resume-form"' in page and 'data-due=""' in page
    clock.set(date(2026, 10, 10))
    client.force_login(city.ursula)
    assert client.post(reverse("approvals:handling-resume", args=[app.pk]), {}).status_code == 302
    bad = client.post(reverse("approvals:handling-extend", args=[app.pk]), {
        "days": "12", "reason": "需实地核查", "approved_by": "局长 张三", "approved_on": "2026-10-10", "confirm": "yes"})
    assert bad.status_code == 400 and 'data-testid="error-days"' in bad.content.decode()
    assert client.post(reverse("approvals:handling-extend", args=[app.pk]), {
        "days": "10", "reason": "需实地核查", "approved_by": "局长 张三", "approved_on": "2026-10-10",
        "confirm": "yes"}).status_code == 302
    page = client.get(reverse("approvals:handling-app", args=[app.pk])).content.decode()
    assert 'data-due="2026-11-17"' in page and 'data-extension="10"' in page and 'data-paused="3"' in page
    _finish_all(city, app, date(2026, 10, 10))
    page = client.get(reverse("approvals:handling-app", args=[app.pk])).content.decode()
    assert 'data-testid="grant-form"' in page and 'data-testid="refuse-form"' in page
    refused = client.post(reverse("approvals:handling-decide", args=[app.pk]), {"grant": "no", "reasons": "",
                                                                                "confirm": "yes"})
    assert refused.status_code == 400
    assert client.post(reverse("approvals:handling-decide", args=[app.pk]), {
        "grant": "no", "reasons": "不符合产业政策", "confirm": "yes"}).status_code == 302
    page = client.get(reverse("approvals:handling-app", args=[app.pk])).content.decode()
    assert 'data-testid="decision"' in page and 'data-state="refused"' in page and "grant-form" not in page


def test_access(client, city, app, clock):
    clock.set(date(2026, 10, 12))
    client.force_login(city.zoe)  # a department with no step in it
    assert client.get(reverse("approvals:handling-app", args=[app.pk])).status_code == 404
    assert client.post(reverse("approvals:handling-decide", args=[app.pk]),
                       {"grant": "yes", "confirm": "yes"}).status_code == 404
    client.force_login(city.carl)  # a step in it: reads, but does not decide
    assert client.get(reverse("approvals:handling-app", args=[app.pk])).status_code == 200
    assert 'data-testid="extend-form"' not in client.get(reverse("approvals:handling-app", args=[app.pk])).content.decode()
    client.force_login(city.sysop)
    assert client.get(reverse("approvals:handling-mine")).status_code == 404


# -- the API --------------------------------------------------------------------------------


def test_api_round_trip(client, city, app, clock):
    """Finish, pause (refused without confirm, naming the effect), resume, extend, decide; the
    clock answers with the due date and how it was computed."""
    clock.set(date(2026, 9, 29))
    base = f"/api/approvals/applications/{app.pk}"
    client.force_login(city.sam)
    got = client.get(f"{base}/clock").json()
    assert (got["accepted_on"], got["due_date"], got["promised_due_date"]) == ("2026-09-25", "2026-10-29", "2026-10-22")
    assert got["steps"][0]["due"] == "2026-10-09"
    first = _steps(app)["初审"]
    r = client.post(f"{base}/steps/{first.pk}/finish", {"opinion": "同意。"}, content_type="application/json")
    assert r.status_code == 200 and r.json()["steps"][0]["state"] == "done"
    client.force_login(city.carl)
    r = client.post(f"{base}/steps/{first.pk}/finish", {"opinion": "同意。"}, content_type="application/json")
    assert r.status_code == 403

    clock.set(date(2026, 9, 30))
    client.force_login(city.wendy)
    pause = {"reason": "expert_review", "expected_days": 5, "notice_text": NOTICE}
    r = client.post(f"{base}/pause", pause, content_type="application/json")
    assert r.status_code == 400 and "confirm" in r.json()["errors"]
    r = client.post(f"{base}/pause", {**pause, "confirm": True}, content_type="application/json")
    assert r.status_code == 200 and r.json()["running_pause"] and r.json()["due_date"] is None
    clock.set(date(2026, 10, 10))
    client.force_login(city.wendy)  # a new day, a new session
    r = client.post(f"{base}/resume", {}, content_type="application/json")
    assert r.status_code == 200 and (r.json()["due_date"], r.json()["paused_workdays"]) == ("2026-11-03", 3)

    client.force_login(city.ursula)
    ext = {"days": 10, "reason": "需实地核查", "approved_by": "局长 张三", "approved_on": "2026-10-10"}
    assert client.post(f"{base}/extend", ext, content_type="application/json").status_code == 400
    r = client.post(f"{base}/extend", {**ext, "confirm": True}, content_type="application/json")
    got = r.json()
    assert r.status_code == 200 and (got["due_date"], got["extension_workdays"]) == ("2026-11-17", 10)
    assert "2026-11-17" in got["explanation"]

    r = client.post(f"{base}/decide", {"grant": True, "confirm": True}, content_type="application/json")
    assert r.status_code == 400  # steps still running
    for action, who in (("复审", city.sam), ("资金审核", city.carl), ("审定", city.sam)):
        client.force_login(who)
        assert client.post(f"{base}/steps/{_steps(app)[action].pk}/finish", {"opinion": "同意。"},
                           content_type="application/json").status_code == 200
    client.force_login(city.ursula)
    r = client.post(f"{base}/decide", {"grant": True, "confirm": True}, content_type="application/json")
    assert r.status_code == 201
    assert r.json()["kind"] == "grant" and r.json()["clock"]["state"] == "granted"
    assert r.json()["clock"]["decided_on"] == "2026-10-10"
    client.force_login(city.zoe)
    assert client.get(f"{base}/clock").status_code == 404
