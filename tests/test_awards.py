"""S1.12: the government work innovation award (政府工作创新奖) through the actions, the pages
and the API: units nominate, the panel scores, the performance office proposes, the approver
(the mayor by default) approves, the office publishes, every unit is told, and the evaluation
reads ``unit_innovation``.

percy (performance office) runs the award; ursula nominates for fgw, cathy (made here) for czj;
the panel is percy, alice, gina, carl (czj staff) and victor; the mayor approves.
"""

from __future__ import annotations

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from hypothesis import HealthCheck, settings

from ducha.audit.models import AuditEvent
from ducha.awards import actions, actions_results
from ducha.awards.actions import AwardError, NominationInput, NotYours, YearInput
from ducha.awards.models import AwardYear, Nomination, NominationFile, Score
from ducha.awards.summary import unit_innovation
from ducha.inbox.models import Notification
from ducha.org.models import User
from ducha.org.roles import Role
from tests.api_schema import connection_kept, log_in, schema

NOMINATING = date(2026, 6, 1)
DEADLINE = date(2026, 6, 30)
SCORING = date(2026, 7, 6)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def pdf(name: str = "材料.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


@pytest.fixture
def cathy(city):
    return User.objects.create_user(username="cathy", password="x", name="Cathy", role=Role.UNIT_ADMIN,
                                    unit=city.units["czj"])


@pytest.fixture
def award(city, clock):
    clock.set(NOMINATING)
    panel = tuple(city.people[n].pk for n in ("percy", "alice", "gina", "carl", "victor"))
    return actions.do_open_year(actor=city.percy, data=YearInput(2026, DEADLINE, panel), today=NOMINATING)


def entry(title: str = "“一网通办”集成改革", **kw) -> NominationInput:
    return NominationInput(**{"title": title, "category": "mechanism", "nominee": "unit",
                              "text": "推行一窗受理，办理时限压缩六成。", **kw})


def nominate(user, year, title: str, files=(), **kw) -> Nomination:
    return actions.do_nominate(actor=user, year=year, data=entry(title, **kw), files=files, today=NOMINATING)


def score_all(city, nomination, points: dict[str, int]) -> None:
    for name, p in points.items():
        actions.do_score_nomination(actor=city.people[name], nomination=nomination, points=p, today=SCORING)


def test_s1_12_nominate_score_propose_approve_publish(city, cathy, award, clock, django_capture_on_commit_callbacks):
    fgw_a = nominate(city.ursula, award, "项目审批“容缺办理”", files=[pdf()])
    fgw_b = nominate(city.ursula, award, "重点项目“云督办”", nominee="people", people="张三、李四")
    czj = nominate(cathy, award, "预算绩效一体化")
    assert NominationFile.objects.filter(nomination=fgw_a).count() == 1
    clock.set(SCORING)
    # Five scores: the highest and lowest are dropped. carl (czj) cannot score czj's.
    score_all(city, fgw_a, {"percy": 90, "alice": 85, "gina": 99, "carl": 80, "victor": 40})
    score_all(city, fgw_b, {"percy": 70, "alice": 75, "gina": 80, "carl": 90, "victor": 60})
    with pytest.raises(NotYours):
        actions.do_score_nomination(actor=city.carl, nomination=czj, points=90, today=SCORING)
    score_all(city, czj, {"percy": 95, "alice": 92, "gina": 94, "victor": 90})
    # A score changes until the scoring closes.
    actions.do_score_nomination(actor=city.victor, nomination=czj, points=91, today=SCORING)
    assert Score.objects.filter(nomination=czj).count() == 4
    actions_results.do_close_scoring(actor=city.percy, year=award, today=SCORING)
    ranks = dict(Nomination.objects.values_list("title", "rank"))
    assert ranks == {"预算绩效一体化": 1, "项目审批“容缺办理”": 2, "重点项目“云督办”": 3}
    assert str(Nomination.objects.get(pk=fgw_a.pk).result) == "85.00"
    assert str(Nomination.objects.get(pk=czj.pk).result) == "93.00"  # 95, 92, 94, 91: four, none dropped
    with pytest.raises(AwardError, match="评审已结束"):
        actions.do_score_nomination(actor=city.alice, nomination=fgw_b, points=10, today=SCORING)
    # Skipping the second without a reason is refused; with one it is proposed.
    with pytest.raises(AwardError) as e:
        actions_results.do_propose_winners(actor=city.percy, year=award, picked=[czj.pk, fgw_b.pk], reasons={})
    assert "reasons" in e.value.errors and "容缺" in e.value.errors["reasons"]
    with django_capture_on_commit_callbacks(execute=True):
        actions_results.do_propose_winners(actor=city.percy, year=award, picked=[czj.pk, fgw_b.pk],
                                           reasons={fgw_a.pk: "佐证材料不足"})
    assert Notification.objects.filter(user=city.mayor, title__contains="2026").exists()
    with pytest.raises(NotYours):
        actions_results.do_decide_winners(actor=city.victor, year=award, approve=True)
    # The approver returns it once, then approves the second proposal.
    with django_capture_on_commit_callbacks(execute=True):
        actions_results.do_decide_winners(actor=city.mayor, year=award, approve=False, reason="请补充说明")
    assert AwardYear.objects.get(pk=award.pk).state == "scored"
    assert Notification.objects.filter(user=city.percy, body="请补充说明").exists()
    actions_results.do_propose_winners(actor=city.percy, year=award, picked=[czj.pk, fgw_a.pk], reasons={})
    actions_results.do_decide_winners(actor=city.mayor, year=award, approve=True)
    with django_capture_on_commit_callbacks(execute=True):
        actions_results.do_publish_winners(actor=city.percy, year=award)
    assert Notification.objects.filter(user=city.ursula, title__contains="2026", body__contains="预算绩效一体化").exists()
    assert Notification.objects.filter(user=cathy).exists()
    # What the evaluation reads.
    facts = unit_innovation(city.units["fgw"], 2026)
    assert facts.published and [(n.title, n.won, n.rank) for n in facts.nominations] == [
        ("项目审批“容缺办理”", True, 2), ("重点项目“云督办”", False, 3)]
    assert [n.title for n in unit_innovation(city.units["czj"].pk, 2026).won] == ["预算绩效一体化"]
    assert unit_innovation(city.units["gxq"], 2026).nominations == []
    assert set(AuditEvent.objects.filter(action__startswith="awards.").values_list("action", flat=True)) == {
        "awards.open_year", "awards.nominate", "awards.score", "awards.close_scoring", "awards.propose",
        "awards.approve", "awards.return", "awards.publish"}


def test_s1_12_the_summary_hides_results_until_published(city, award, clock):
    n = nominate(city.ursula, award, "容缺办理")
    clock.set(SCORING)
    score_all(city, n, {"percy": 90, "alice": 80, "gina": 70})
    actions_results.do_close_scoring(actor=city.percy, year=award, today=SCORING)
    facts = unit_innovation(city.units["fgw"], 2026)
    assert not facts.published and facts.nominations[0].rank is None and not facts.nominations[0].won


def test_s1_12_nominations_freeze_at_the_deadline(city, award, clock):
    n = nominate(city.ursula, award, "容缺办理")
    actions.do_edit_nomination(actor=city.ursula, nomination=n, data=entry("容缺受理"), today=DEADLINE)
    assert Nomination.objects.get(pk=n.pk).title == "容缺受理"
    after = date(2026, 7, 1)
    for step in (lambda: actions.do_edit_nomination(actor=city.ursula, nomination=n, data=entry("x"), today=after),
                 lambda: actions.do_withdraw_nomination(actor=city.ursula, nomination=n, today=after),
                 lambda: actions.do_nominate(actor=city.ursula, year=award, data=entry("y"), today=after)):
        with pytest.raises(AwardError, match="2026-06-30"):
            step()
    assert Nomination.objects.get(pk=n.pk).title == "容缺受理" and Nomination.objects.count() == 1
    # Scoring starts only after the deadline.
    with pytest.raises(AwardError, match="截止"):
        actions.do_score_nomination(actor=city.alice, nomination=n, points=80, today=DEADLINE)


def test_s1_12_withdraw_and_only_the_own_unit_changes(city, cathy, award):
    n = nominate(city.ursula, award, "容缺办理")
    with pytest.raises(NotYours):
        actions.do_withdraw_nomination(actor=cathy, nomination=n, today=NOMINATING)
    with pytest.raises(NotYours):
        actions.do_nominate(actor=city.sam, year=award, data=entry(), today=NOMINATING)
    actions.do_withdraw_nomination(actor=city.ursula, nomination=n, today=NOMINATING)
    with pytest.raises(AwardError):
        actions.do_withdraw_nomination(actor=city.ursula, nomination=n, today=NOMINATING)
    assert Nomination.objects.get(pk=n.pk).state == "withdrawn"


def test_bad_input_names_each_field_and_changes_nothing(city, award, clock):
    with pytest.raises(AwardError) as e:
        actions.do_nominate(actor=city.ursula, year=award, today=NOMINATING, data=NominationInput(
            title=" ", category="miracle", nominee="people", text="", people=""),
            files=[SimpleUploadedFile("x.exe", b"MZ\x90\x00" * 20)])
    assert set(e.value.errors) == {"title", "category", "people", "text", "evidence"}
    with pytest.raises(AwardError) as e:
        actions.do_open_year(actor=city.percy, data=YearInput(2026, date(2026, 1, 1), (city.alice.pk,)),
                             today=NOMINATING)
    assert set(e.value.errors) == {"year", "nomination_deadline", "panel"}
    with pytest.raises(NotYours):
        actions.do_open_year(actor=city.alice, data=YearInput(2027, DEADLINE, ()), today=NOMINATING)
    n = nominate(city.ursula, award, "容缺办理")
    clock.set(SCORING)
    with pytest.raises(AwardError) as e:
        actions.do_score_nomination(actor=city.alice, nomination=n, points=101, today=SCORING)
    assert "100" in e.value.errors["points"]
    with pytest.raises(NotYours):
        actions.do_score_nomination(actor=city.sam, nomination=n, points=50, today=SCORING)
    with pytest.raises(AwardError, match="容缺办理"):
        actions_results.do_close_scoring(actor=city.percy, year=award, today=SCORING)
    assert Nomination.objects.count() == 1 and AwardYear.objects.count() == 1 and not Score.objects.exists()


def test_pages_scope_scores_and_confirmation(city, cathy, award, clock):
    a = nominate(city.ursula, award, "容缺办理", files=[pdf()])
    b = nominate(cathy, award, "预算一体化")
    ursula, carl_admin = Client(), Client()
    ursula.force_login(city.ursula)
    carl_admin.force_login(cathy)
    # Before the deadline: a unit reads its own only; the panel nothing yet.
    assert ursula.get(reverse("awards:nomination", args=[b.pk])).status_code == 404
    assert ursula.get(reverse("awards:nomination", args=[a.pk])).status_code == 200
    file_id = NominationFile.objects.get(nomination=a).pk
    assert ursula.get(reverse("awards:evidence", args=[file_id]))["Content-Disposition"].startswith("attachment")
    assert carl_admin.get(reverse("awards:evidence", args=[file_id])).status_code == 404
    # The page's nomination form: a bad file is refused with its name, nothing kept.
    bad = ursula.post(reverse("awards:nominate", args=[award.pk]), {
        "title": "新", "category": "path", "nominee": "unit", "text": "做法",
        "evidence": SimpleUploadedFile("x.pdf", b"not a pdf")})
    assert bad.status_code == 400 and Nomination.objects.count() == 2
    clock.set(SCORING)
    ursula.force_login(city.ursula)  # the sessions of June have expired
    alice = Client()
    alice.force_login(city.alice)
    page = alice.get(reverse("awards:scoring", args=[award.pk]))
    assert page.status_code == 200 and "容缺办理" in page.content.decode()
    assert alice.post(reverse("awards:scoring", args=[award.pk]), {"nomination": a.pk, "points": "88"}).status_code == 302
    assert alice.post(reverse("awards:scoring", args=[award.pk]), {"nomination": a.pk, "points": "x"}).status_code == 400
    carl = Client()
    carl.force_login(city.carl)
    own = carl.post(reverse("awards:scoring", args=[award.pk]), {"nomination": b.pk, "points": "99"})
    assert own.status_code == 400 and not Score.objects.filter(member=city.carl).exists()
    # Scores: alice sees her own on the nomination page, the unit none, the office all.
    Score.objects.create(nomination=a, member=city.gina, points=70)
    assert "88" in alice.get(reverse("awards:nomination", args=[a.pk])).content.decode()
    assert 'data-testid="scores"' not in ursula.get(reverse("awards:nomination", args=[a.pk])).content.decode()
    percy = Client()
    percy.force_login(city.percy)
    ranking = percy.get(reverse("awards:ranking", args=[award.pk])).content.decode()
    assert "Gina 70" in ranking or "Gina 70" in ranking.replace("\xa0", " ")
    assert ursula.get(reverse("awards:ranking", args=[award.pk])).status_code == 404
    # Closing needs the confirmation; b has no score, so it is refused with its title.
    url = reverse("awards:ranking", args=[award.pk])
    assert percy.post(url, {"step": "close"}).status_code == 400
    refused = percy.post(url, {"step": "close", "confirm": "yes"})
    assert refused.status_code == 400 and "预算一体化" in refused.content.decode()
    assert AwardYear.objects.get(pk=award.pk).state == "open"
    sysop = Client()
    sysop.force_login(city.sysop)
    assert sysop.get(reverse("awards:index")).status_code == 404


def test_year_page_queries_do_not_grow_with_nominations(city, award, clock):
    nominate(city.ursula, award, "一")
    percy = Client()
    percy.force_login(city.percy)
    url = reverse("awards:year", args=[award.pk])
    percy.get(url)
    with CaptureQueriesContext(connection) as few:
        assert percy.get(url).status_code == 200
    for i in range(8):
        nominate(city.ursula, award, f"项目{i}", nominee="people", people="张三")
    with CaptureQueriesContext(connection) as many:
        assert percy.get(url).status_code == 200
    assert len(many) == len(few)
    clock.set(SCORING)
    percy.force_login(city.percy)
    url = reverse("awards:ranking", args=[award.pk])
    percy.get(url)
    with CaptureQueriesContext(connection) as ranked:
        assert percy.get(url).status_code == 200
    for n in Nomination.objects.all():
        Score.objects.create(nomination=n, member=city.alice, points=80)
    with CaptureQueriesContext(connection) as ranked_more:
        assert percy.get(url).status_code == 200
    assert len(ranked_more) == len(ranked)


def test_api_walk_with_confirmations(city, cathy, award, clock):
    ursula, percy, mayor, alice = Client(), Client(), Client(), Client()
    for c, u in ((ursula, city.ursula), (percy, city.percy), (mayor, city.mayor), (alice, city.alice)):
        c.force_login(u)
    body = {"title": "容缺办理", "category": "method", "nominee": "unit", "text": "做法与成效"}
    made = ursula.post(f"/api/awards/years/{award.pk}/nominations", body, content_type="application/json")
    assert made.status_code == 201, made.content
    nid = made.json()["id"]
    upload = ursula.post(f"/api/awards/nominations/{nid}/files", {"file": pdf()})
    assert upload.status_code == 201 and upload.json()["content_kind"] == "pdf"
    assert ursula.get(upload.json()["url"]).status_code == 200
    bad = ursula.put(f"/api/awards/nominations/{nid}", {**body, "category": "x"}, content_type="application/json")
    assert bad.status_code == 400 and "category" in bad.json()["errors"]
    assert alice.post(f"/api/awards/years/{award.pk}/nominations", body,
                      content_type="application/json").status_code == 403
    clock.set(SCORING)
    for c, u in ((ursula, city.ursula), (percy, city.percy), (mayor, city.mayor), (alice, city.alice)):
        c.force_login(u)  # the sessions of June have expired
    gina = Client()
    gina.force_login(city.gina)
    for c, points in ((alice, 80), (gina, 90), (percy, 70)):
        r = c.put(f"/api/awards/nominations/{nid}/score", {"points": points}, content_type="application/json")
        assert r.status_code == 200, r.content
    ranking = percy.get(f"/api/awards/years/{award.pk}/ranking").json()
    line = ranking["lines"][0]
    assert line["rank"] == 1 and line["mean"] == "80.00" and len(line["scores"]) == 3 and line["dropped"] == []
    assert mayor.get(f"/api/awards/years/{award.pk}/ranking").json()["lines"][0]["scores"] == []
    assert ursula.get(f"/api/awards/years/{award.pk}/ranking").status_code == 403
    unconfirmed = percy.post(f"/api/awards/years/{award.pk}/close-scoring", {}, content_type="application/json")
    assert unconfirmed.status_code == 400 and "confirm" in unconfirmed.json()["errors"]
    closed = percy.post(f"/api/awards/years/{award.pk}/close-scoring", {"confirm": True},
                        content_type="application/json")
    assert closed.json()["state"] == "scored"
    assert percy.post(f"/api/awards/years/{award.pk}/proposal", {"winners": [nid]},
                      content_type="application/json").json()["state"] == "proposed"
    assert mayor.post(f"/api/awards/years/{award.pk}/decision", {"approve": True},
                      content_type="application/json").json()["state"] == "approved"
    assert ursula.get(f"/api/awards/years/{award.pk}/winners").json() == []
    assert percy.post(f"/api/awards/years/{award.pk}/publish", {}, content_type="application/json").status_code == 400
    assert percy.post(f"/api/awards/years/{award.pk}/publish", {"confirm": True},
                      content_type="application/json").json()["state"] == "published"
    carl = Client()
    carl.force_login(city.carl)
    won = carl.get(f"/api/awards/years/{award.pk}/winners").json()
    assert [(w["title"], w["rank"], w["result"], w["winner"]) for w in won] == [("容缺办理", 1, "80.00", True)]
    assert Client().get(f"/api/awards/years/{award.pk}/winners").status_code == 401


@pytest.fixture
def awards_session(city, cathy, award, clock, client, settings):
    nominate(city.ursula, award, "容缺办理", files=[pdf()])
    n = nominate(cathy, award, "预算一体化")
    clock.set(SCORING)
    score_all(city, n, {"alice": 80, "gina": 85, "victor": 90})
    with connection_kept():
        yield log_in(client, city.percy, settings)


@schema.include(tag="awards").parametrize()
@settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck))
@pytest.mark.django_db
def test_awards_api_conforms_with_data(case, awards_session):
    """0 server errors, 0 responses that break the schema, during the scoring of a year."""
    case.call_and_validate()


def test_s1_12_demo_has_last_year_published_and_this_year_open(db, clock):
    from ducha.awards.demo import build_demo_awards
    from ducha.org.demo import build_demo_organisation
    from ducha.workcal.demo import build_demo_calendar

    clock.set(date(2026, 5, 12))
    build_demo_calendar()
    build_demo_organisation()
    assert build_demo_awards() > 0
    assert build_demo_awards() == 0  # idempotent
    years = dict(AwardYear.objects.values_list("year", "state"))
    assert years == {2025: "published", 2026: "open"}
    assert Nomination.objects.filter(year__year=2025, winner=True).exists()
    assert Nomination.objects.filter(year__year=2026).exists()
