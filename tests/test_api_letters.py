"""Issue #11 item 29: reminder letters (S1.4, S1.5) and letter proposals over the REST API,
under the letter pages' rules.

The S1.4 city of test_letters_s1_4: fgw (sam, ursula) leads a matter, czj (carl) is a co-unit
whose part was due 2026-09-30; on 10-08 the engine proposes a letter. victor's portfolio is
{fgw, wancheng}; the mayor, the supervision office (alice) and the performance office (percy)
read every letter; the general office (gina) is no party to it; sysop reads no business data.
"""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from ducha.letters.models import Letter, LetterRecipient, Outcome, ProposalOutcome
from ducha.reminders.models import LetterProposal
from tests.api_schema import connection_kept, log_in, schema
from tests.reminders_helpers import reference_data  # noqa: F401 - a fixture
from tests.test_letters_s1_4 import scan, slow  # noqa: F401 - a fixture
from tests.test_letters_s1_5 import BODY, STALLED, request_matter  # noqa: F401 - a fixture

DAY = date(2026, 10, 8)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.DUCHA_LETTER_VICE_MAYOR = "sender"


def api(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def send(client, part, **body):
    return client.post(f"/api/letters/co-unit/{part.pk}", body, content_type="application/json")


@pytest.fixture
def proposed(city, slow, clock):  # noqa: F811 - the fixture imported above
    scan(DAY)
    clock.set(DAY)
    assert LetterProposal.objects.filter(co_part=slow).exists()
    return slow


@pytest.fixture
def sent(city, proposed, django_capture_on_commit_callbacks):
    sam = api(city.sam)
    draft = sam.get(f"/api/letters/co-unit/{proposed.pk}/draft").json()
    with django_capture_on_commit_callbacks(execute=True):
        response = send(sam, proposed, title=draft["title"], body=draft["body"], token=draft["token"], confirm=True)
    assert response.status_code == 201, response.content
    return Letter.objects.get(pk=response.json()["id"])


def test_item_29_s1_4_the_lead_unit_reads_the_draft_and_sends_only_with_confirmation(city, proposed,
                                                                                    django_capture_on_commit_callbacks):
    sam = api(city.sam)
    listed = sam.get("/api/letter-proposals").json()
    assert listed["unit"]["name"] == "市发展和改革委员会" and listed["read_only"] is False
    [row] = listed["proposals"]
    assert (row["co_part_id"], row["to_unit"]["name"], row["facts"]["overdue_workdays"]) == (proposed.pk, "市财政局", 1)
    assert row["facts"]["reasons"] == ["overdue"]

    draft = sam.get(f"/api/letters/co-unit/{proposed.pk}/draft").json()
    assert draft["can_send"] is True and draft["problem"] == ""
    assert draft["title"] == "关于加快推进“中心城区两度两力提升行动”配合工作的提醒函" and "特此函告" in draft["body"]
    assert [(a["role"], a["label"]) for a in draft["addressees"]] == [
        ("to", "市财政局"), ("report", "市长Mayor"), ("report", "副市长Victor"), ("cc", "市人民政府督查室")]

    # Without "confirm" nothing goes out; the refusal says where it would have gone.
    body = {"title": draft["title"], "body": draft["body"], "token": draft["token"],
            "extra_cc": [city.units["gxq"].pk]}
    refused = send(sam, proposed, **body)
    assert refused.status_code == 400 and not Letter.objects.exists()
    message = refused.json()["errors"]["confirm"]
    for name in ("市财政局", "市长Mayor", "副市长Victor", "市人民政府督查室", "高新区管委会", "confirm: true"):
        assert name in message

    with django_capture_on_commit_callbacks(execute=True):
        response = send(sam, proposed, **body, confirm=True)
    assert response.status_code == 201, response.content
    letter = response.json()
    assert letter["number"] == "宛发改函〔2026〕1号" and letter["to_unit"]["name"] == "市财政局"
    assert {a["label"] for a in letter["addressees"] if not a["mandatory"]} == {"高新区管委会"}
    assert set(letter["files"]) == {"docx", "pdf"} and letter["render_error"] == ""
    # A retried send with the same token is the same letter, not a second one.
    again = send(sam, proposed, **body, confirm=True)
    assert again.status_code == 201 and again.json()["id"] == letter["id"] and Letter.objects.count() == 1
    assert ProposalOutcome.objects.get().outcome == Outcome.SENT
    assert sam.get("/api/letter-proposals").json()["proposals"] == []


def test_item_29_letters_are_read_by_their_parties_only(city, sent):
    carl = api(city.carl)
    received = carl.get("/api/letters?box=received").json()["items"]
    assert [(r["id"], r["unread"]) for r in received] == [(sent.pk, True)]
    # Reading through the API signs for nothing; the receipt does, once.
    assert carl.get(f"/api/letters/{sent.pk}").json()["unread"] is True
    receipt = carl.post(f"/api/letters/{sent.pk}/receipt").json()
    assert receipt["signed"] == 1 and receipt["letter"]["unread"] is False
    to_row = next(a for a in receipt["letter"]["addressees"] if a["role"] == "to")
    assert to_row["read_by"]["name"] == "Carl" and to_row["read_at"]
    assert carl.post(f"/api/letters/{sent.pk}/receipt").json()["signed"] == 0
    assert carl.get(f"/api/letters/{sent.pk}/files/pdf")["Content-Type"] == "application/pdf"
    assert carl.get("/api/letters?box=received&unread=true").json()["items"] == []

    for reader in ("sam", "victor", "mayor", "alice", "percy"):
        client = api(city.people[reader])
        assert client.get(f"/api/letters/{sent.pk}").status_code == 200, reader
        assert [r["id"] for r in client.get("/api/letters").json()["items"]] == [sent.pk], reader
    assert api(city.sam).get("/api/letters?box=sent").json()["items"][0]["id"] == sent.pk
    assert api(city.sam).get("/api/letters?box=received").json()["items"] == []
    # Reading is not signing: the mayor's row is still unsigned.
    assert LetterRecipient.objects.get(letter=sent, person=city.mayor).read_at is None

    for outsider in ("gina", "sysop", "audrey"):
        client = api(city.people[outsider])
        assert client.get(f"/api/letters/{sent.pk}").status_code == 404, outsider
        assert client.get(f"/api/letters/{sent.pk}/files/pdf").status_code == 404, outsider
        assert client.post(f"/api/letters/{sent.pk}/receipt").status_code == 404, outsider
        listed = client.get("/api/letters")
        assert listed.status_code == 404 or listed.json()["items"] == [], outsider


def test_item_29_only_the_lead_unit_writes_or_dismisses(city, proposed):
    body = {"title": "提醒函", "body": BODY, "confirm": True}
    for who in ("carl", "victor", "alice", "gina", "sysop"):
        client = api(city.people[who])
        assert client.get(f"/api/letters/co-unit/{proposed.pk}/draft").status_code == 404, who
        assert send(client, proposed, **body).status_code == 404, who
        dismissed = client.post(f"/api/letter-proposals/{proposed.pk}/dismiss", {"reason": "已电话沟通，暂不发函"},
                                content_type="application/json")
        assert dismissed.status_code == 404, who
    assert not Letter.objects.exists() and not ProposalOutcome.objects.exists()
    # The supervision office reads every unit's proposals and sends nothing.
    office = api(city.alice).get("/api/letter-proposals").json()
    assert office["read_only"] is True and [p["co_part_id"] for p in office["proposals"]] == [proposed.pk]
    assert api(city.carl).get("/api/letter-proposals").json()["proposals"] == []
    assert api(city.victor).get("/api/letter-proposals").status_code == 404


def test_item_29_a_proposal_is_dismissed_with_a_reason(city, proposed):
    ursula = api(city.ursula)
    url = f"/api/letter-proposals/{proposed.pk}/dismiss"
    assert ursula.post(url, {"reason": "短"}, content_type="application/json").status_code == 422
    done = ursula.post(url, {"reason": "已电话沟通，配合单位本周内完成"}, content_type="application/json")
    assert done.status_code == 200 and done.json() == {"dismissed": 1}
    outcome = ProposalOutcome.objects.get()
    assert (outcome.outcome, outcome.decided_by, outcome.reason) == (Outcome.DISMISSED, city.ursula,
                                                                     "已电话沟通，配合单位本周内完成")
    again = ursula.post(url, {"reason": "已电话沟通，配合单位本周内完成"}, content_type="application/json")
    assert again.status_code == 400 and again.json()["errors"]["__all__"]
    assert ursula.get("/api/letter-proposals").json()["proposals"] == []


def test_item_29_s1_5_a_stalled_request_is_written_about_through_the_api(city, request_matter, clock,  # noqa: F811
                                                                        django_capture_on_commit_callbacks):
    clock.set(STALLED)
    sam = api(city.sam)
    [pending] = sam.get("/api/letter-proposals").json()["requests"]
    assert (pending["matter"]["id"], pending["stalled"], pending["lead_unit"]["name"]) == (
        request_matter.pk, True, "市财政局")
    draft = sam.get(f"/api/letters/request/{request_matter.pk}/draft").json()
    assert draft["can_send"] and draft["to_unit"]["name"] == "市人民政府办公室" and draft["request"]["stalled"]
    url = f"/api/letters/request/{request_matter.pk}"
    unconfirmed = sam.post(url, {"title": draft["title"], "body": draft["body"]}, content_type="application/json")
    assert unconfirmed.status_code == 400 and "市人民政府办公室" in unconfirmed.json()["errors"]["confirm"]
    with django_capture_on_commit_callbacks(execute=True):
        response = sam.post(url, {"title": draft["title"], "body": draft["body"], "confirm": True},
                            content_type="application/json")
    assert response.status_code == 201, response.content
    assert (response.json()["kind"], response.json()["to_unit"]["name"]) == ("request", "市人民政府办公室")
    # czj handles the request but did not submit it: no letter from it.
    assert api(city.carl).get(f"/api/letters/request/{request_matter.pk}/draft").status_code == 404
    assert api(city.carl).post(url, {"title": "x", "body": BODY, "confirm": True},
                               content_type="application/json").status_code == 404


def test_item_29_the_letter_list_costs_the_same_queries_for_one_letter_or_many(city, sent):
    alice = api(city.alice)

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert alice.get("/api/letters?limit=200").status_code == 200
        return len(ctx)

    queries()  # the first request of a session also writes the session
    one = queries()
    fields = {f.attname: getattr(sent, f.attname) for f in Letter._meta.concrete_fields if f.attname != "id"}
    Letter.objects.bulk_create([Letter(**{**fields, "sequence": 100 + i, "number": f"宛发改函〔2026〕{100 + i}号",
                                          "idempotency_key": f"copy-{i:012d}"}) for i in range(12)])
    assert len(alice.get("/api/letters?limit=200").json()["items"]) == 13
    assert queries() == one


# -- the OpenAPI document holds with data behind it ------------------------------------------


@pytest.fixture
def letters_session(city, sent, client, settings):
    """The lead unit's session after a letter went out: proposals, letters, inbox and reminders to read."""
    with connection_kept():
        yield log_in(client, city.sam, settings)


@schema.include(tag_regex="^(letters|inbox|reminders)$", method="GET").parametrize()
@hypothesis_settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
@pytest.mark.django_db
def test_item_29_letter_and_inbox_reads_conform_with_data(case, letters_session):
    """0 server errors, 0 responses that break the schema, with a letter, its inbox messages and reminders."""
    case.call_and_validate()
