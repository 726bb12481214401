"""S1.5 upward reminder letters: fgw (sam) submitted a request to the city government; the
general office (gina, zfb) registered it, czj handles it within the S1.13 limit; once the
request stalls, fgw writes to the general office, reported to the mayor and victor (in charge
of fgw: these tests read "in charge" as the sender's, DUCHA_LETTER_VICE_MAYOR=sender, since no
one is in charge of the general office in the test city), copied to the supervision office (alice). Plus the counts (S6.1 input) and access.

Received Monday 2026-09-28, one handling department: 3 working days → due Thursday 10-08
(09-29, 09-30, then National Day until 10-07). Stalled from Friday 10-09.
"""

from __future__ import annotations

from datetime import date

import pytest

from ducha.inbox.models import Notification
from ducha.letters.actions import (
    LetterDraft,
    LetterError,
    do_record_request_origin,
    do_send_co_unit_letter,
    do_send_request_letter,
)
from ducha.letters.counts import letters_received_count, letters_table
from ducha.letters.models import Letter, LetterCode, LetterRecipient, RequestOrigin
from ducha.matters.actions import MatterInput, do_create_matter, do_transition_matter
from ducha.matters.models import Matter, Source
from tests.reminders_helpers import running_matter

RECEIVED = date(2026, 9, 28)
DUE = date(2026, 10, 8)
STALLED = date(2026, 10, 9)
BODY = "恳请市政府办公室协调有关部门加快办理，并将办理进展告知我单位。特此函告。"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.DUCHA_LETTER_VICE_MAYOR = "sender"


def make_request(city, source_ref: str = "市发展和改革委员会请示〔2026〕3号", title: str = "关于申请设立产业引导基金的请示"):
    m = do_create_matter(actor=city.gina, data=MatterInput(
        title=title, source=Source.UNIT_REQUEST, lead_unit_id=city.units["czj"].id,
        responsible_leader_id=city.victor.id, start_date=RECEIVED, goal="研究办理并答复",
        qualitative_standard="按时限办结并答复", source_ref=source_ref,
    ), today=RECEIVED)
    do_transition_matter(actor=city.alice, matter_id=m.id, action="assign", today=RECEIVED)
    m.refresh_from_db()
    return m


@pytest.fixture
def request_matter(city):
    LetterCode.objects.create(unit=city.units["fgw"], agency="宛发改函")
    m = make_request(city)
    assert m.due_date == DUE  # S1.13 on the holiday calendar
    return m


def open_form(client, user, matter, day, settings, clock):
    clock.set(day)
    client.force_login(user)
    return client.get("/letters/new/request/", {"matter": matter.pk})


def test_s1_5_request_within_its_limit_gets_no_letter(city, request_matter, client, settings, clock):
    page = open_form(client, city.sam, request_matter, DUE, settings, clock)
    assert page.status_code == 200 and 'data-testid="not-slow"' in page.content.decode()
    assert 'data-testid="letter-form"' not in page.content.decode()
    with pytest.raises(LetterError, match="无需发函"):
        do_send_request_letter(actor=city.sam, matter_id=request_matter.pk, today=DUE,
                               draft=LetterDraft(title="提醒函", body=BODY, token="a" * 32))
    assert not Letter.objects.exists()


def test_s1_5_stalled_request_letter_to_the_general_office(city, request_matter, client, settings,
                                                          django_capture_on_commit_callbacks, clock):
    clock.set(STALLED)
    client.force_login(city.sam)
    proposals = client.get("/letters/proposals/").content.decode()
    assert f'data-matter="{request_matter.pk}"' in proposals and 'data-testid="write-request"' in proposals

    page = open_form(client, city.sam, request_matter, STALLED, settings, clock)
    initial = page.context["form"].initial
    assert initial["title"] == "关于商请加快办理“关于申请设立产业引导基金的请示”的提醒函"
    for fact in ("2026年9月28日", "市发展和改革委员会请示〔2026〕3号", "2026年10月8日", "超过办理时限1个工作日", "市财政局"):
        assert fact in initial["body"]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/letters/new/request/", {**initial, "matter": request_matter.pk})
    letter = Letter.objects.get()
    assert response.status_code == 302
    assert (letter.number, letter.kind, letter.reason, letter.to_unit.code, letter.overdue_workdays) == (
        "宛发改函〔2026〕1号", "request", "stalled", "zfb", 1)
    assert letter.docx_file and letter.pdf_file and not letter.render_error
    assert [(r.role, r.label) for r in letter.recipients.all()] == [
        ("to", "市人民政府办公室"), ("report", "市长Mayor"), ("report", "副市长Victor"), ("cc", "市人民政府督查室")]
    origin = RequestOrigin.objects.get(matter=request_matter)  # read from the reference, now fixed
    assert (origin.requesting_unit.code, origin.inferred) == ("fgw", True)
    notified = sorted(Notification.objects.filter(title__contains=letter.number)
                      .values_list("user__username", flat=True))
    assert notified == ["alice", "gina", "mayor", "victor"]

    client.force_login(city.gina)
    assert letter.number in client.get("/letters/").content.decode()
    assert client.get(f"/letters/{letter.pk}/").status_code == 200
    assert LetterRecipient.objects.get(letter=letter, role="to").read_by == city.gina


def test_s1_5_only_the_requesting_unit_writes(city, request_matter, client, settings, clock):
    for persona in ("carl", "ursula"):  # carl's unit handles it; ursula's unit (fgw) asked for it
        expected = 404 if persona == "carl" else 200
        assert open_form(client, getattr(city, persona), request_matter, STALLED, settings, clock).status_code == expected
    with pytest.raises(Exception) as e:
        do_send_request_letter(actor=city.carl, matter_id=request_matter.pk, today=STALLED,
                               draft=LetterDraft(title="提醒函", body=BODY, token="b" * 32))
    assert e.type.__name__ == "Http404"
    for persona in ("gina", "alice", "victor"):
        client.force_login(getattr(city, persona))
        assert client.get("/letters/new/request/").status_code == 404
    client.force_login(city.sam)
    response = client.get(f"/letters/new/matter/{request_matter.pk}/")  # from the matter page
    assert response.status_code == 302 and response["Location"] == f"/letters/new/request/?matter={request_matter.pk}"


def test_s1_5_general_office_records_the_requester_when_the_reference_does_not_say(city, client, settings, clock):
    m = make_request(city, source_ref="市政府收文〔2026〕88号", title="关于解决园区用地指标的请示")
    page = open_form(client, city.sam, m, STALLED, settings, clock)
    assert page.status_code == 404  # nobody knows fgw sent it yet
    client.force_login(city.gina)
    listing = client.get("/letters/requests/").content.decode()
    assert f'data-matter="{m.pk}"' in listing
    client.post("/letters/requests/", {"matter": m.pk, "unit": city.units["fgw"].pk})
    origin = RequestOrigin.objects.get(matter=m)
    assert (origin.requesting_unit.code, origin.inferred, origin.recorded_by) == ("fgw", False, city.gina)
    assert open_form(client, city.sam, m, STALLED, settings, clock).status_code == 200
    with pytest.raises(LetterError, match="牵头"):
        do_record_request_origin(actor=city.gina, matter_id=m.pk, unit_id=city.units["czj"].pk)
    client.force_login(city.sam)
    assert client.get("/letters/requests/").status_code == 404
    assert client.post("/letters/requests/", {"matter": m.pk, "unit": city.units["czj"].pk}).status_code == 404
    assert RequestOrigin.objects.get(matter=m).requesting_unit.code == "fgw"


def test_s1_5_closed_request_is_no_longer_pending(city, request_matter, client, settings, clock):
    Matter.objects.filter(pk=request_matter.pk).update(status="closed")
    page = open_form(client, city.sam, request_matter, STALLED, settings, clock)
    assert page.status_code == 404


# -- counts (S6.1 input) ------------------------------------------------------------------------


@pytest.fixture
def letters(city, request_matter):
    slow = running_matter(city, due=date(2026, 12, 31), co_units=[("czj", date(2026, 9, 30))])
    part = slow.co_parts.get()
    for i, day in enumerate((date(2026, 10, 8), date(2026, 10, 12), date(2026, 12, 31))):
        do_send_co_unit_letter(actor=city.sam, co_part_id=part.pk, today=day, draft=LetterDraft(
            title=f"提醒函{i}", body=BODY, token=f"co{i:030d}"))
    do_send_request_letter(actor=city.sam, matter_id=request_matter.pk, today=STALLED,
                           draft=LetterDraft(title="报请事项提醒函", body=BODY, token="r" * 32))
    return part


def test_s1_5_counts_per_recipient(city, letters):
    q4 = (date(2026, 10, 1), date(2026, 12, 31))
    assert letters_received_count(city.units["czj"], *q4) == 3
    assert letters_received_count(city.units["zfb"], *q4) == 1
    assert letters_received_count(city.units["czj"], date(2026, 10, 1), date(2026, 10, 31)) == 2
    assert letters_received_count(city.units["czj"], date(2027, 1, 1), date(2027, 3, 31)) == 0
    for unit in ("fgw", "dcs", "wancheng"):
        assert letters_received_count(city.units[unit], *q4) == 0
    rows = {r.unit.code: (r.as_co_unit, r.as_general_office, r.received, r.sent)
            for r in letters_table(*q4, include_quiet=False)}
    assert rows == {"czj": (3, 0, 3, 0), "zfb": (0, 1, 1, 0), "fgw": (0, 0, 0, 4)}
    numbers = list(Letter.objects.order_by("sequence").values_list("sequence", flat=True))
    assert numbers == [1, 2, 3, 4]  # one sequence per sender and year, whatever the kind


@pytest.mark.parametrize("persona, status", [
    ("alice", 200), ("percy", 200), ("gina", 404), ("carl", 404), ("sam", 404), ("victor", 404), ("sysop", 404),
])
def test_s1_5_counts_page_is_for_the_supervision_and_performance_offices(city, letters, client, persona, status):
    client.force_login(getattr(city, persona))
    response = client.get("/letters/counts/", {"period": "2026-Q4"})
    assert response.status_code == status
    if status == 200:
        html = response.content.decode()
        row = html.split('data-unit="czj"')[1].split("</tr>")[0]
        assert ">3</a>" in row
        drill = client.get("/letters/", {"box": "all", "period": "2026-Q4", "to_unit": city.units["czj"].pk})
        assert drill.content.decode().count("data-letter=") == 3


def test_counts_page_rejects_a_bad_period_with_a_message(city, letters, client, settings, clock):
    clock.set(STALLED)
    client.force_login(city.percy)
    response = client.get("/letters/counts/", {"period": "2026-Q9"})
    assert response.status_code == 200 and "2026-Q9" in response.content.decode()
