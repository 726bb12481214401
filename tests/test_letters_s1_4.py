"""S1.4 reminder letters: the lead unit (fgw: sam, ursula) writes to a slow co-unit (czj: carl),
reported to the mayor and the vice mayor in charge, copied to the supervision office (alice,
dcs). Proposals come from the reminder engine's scan. Most tests here read "in charge" as the
sender's vice mayor (victor, portfolio {fgw, wancheng}; setting DUCHA_LETTER_VICE_MAYOR=sender):
czj has none in the test city. The default reading (the addressee's) is tested at the end.

Dates are the real 2026 calendar: the co-unit's part is due Wednesday 09-30, then National Day
(10-01..10-07) and the make-up Saturday 10-10. A calendar-day rule would call czj late on
10-07 and silent for ten days on 10-08; working days say otherwise.
"""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date

import pytest
from django.conf import settings as django_settings
from docx import Document
from pypdf import PdfReader

from ducha.inbox.models import Notification
from ducha.letters.actions import LetterDraft, LetterError, do_dismiss_letter_proposals, do_send_co_unit_letter
from ducha.letters.counts import letters_received_count
from ducha.letters.models import Letter, LetterCode, LetterRecipient, Outcome, ProposalOutcome
from ducha.letters.notify import notify_letter_sent
from ducha.matters.models import MatterEvent
from ducha.reminders import engine
from ducha.reminders.models import LetterProposal
from tests.reminders_helpers import at, reference_data, running_matter  # noqa: F401 - a fixture

PART_DUE = date(2026, 9, 30)
LAST_UPDATE = date(2026, 9, 24)  # the Thursday before Mid-Autumn


def scan(day: date):
    return engine.scan(now=at(day), today=day)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.DUCHA_LETTER_VICE_MAYOR = "sender"


@pytest.fixture
def slow(city):
    """A matter fgw leads, czj's part due 09-30, last updated 09-24, code 宛发改函 for fgw."""
    LetterCode.objects.create(unit=city.units["fgw"], agency="宛发改函")
    m = running_matter(city, due=date(2026, 12, 31), co_units=[("czj", PART_DUE)])
    part = m.co_parts.get()
    part.last_progress_on, part.progress = LAST_UPDATE, 40
    part.save()
    return part


def compose(client, user, part, day, settings, clock):
    clock.set(day)
    client.force_login(user)
    return client.get(f"/letters/new/co-unit/{part.pk}/")


def send_via_form(client, user, part, day, settings, clock, **extra):
    page = compose(client, user, part, day, settings, clock)
    assert page.status_code == 200
    data = {**page.context["form"].initial, **extra}
    return client.post(f"/letters/new/co-unit/{part.pk}/", data)


# -- the proposal ------------------------------------------------------------------------------


def test_s1_4_overdue_is_counted_in_working_days_across_national_day(city, slow, client, settings, clock):
    scan(date(2026, 10, 7))  # seven calendar days after the due date, every one a holiday
    assert not LetterProposal.objects.exists()
    scan(date(2026, 10, 8))
    proposal = LetterProposal.objects.get()
    assert (proposal.reason, proposal.from_unit.code, proposal.to_unit.code) == ("overdue", "fgw", "czj")

    clock.set(date(2026, 10, 8))
    client.force_login(city.sam)
    page = client.get("/letters/proposals/").content.decode()
    assert f'data-part="{slow.pk}"' in page and 'data-unit="czj"' in page
    row = page.split(f'data-part="{slow.pk}"')[1].split("</tr>")[0]
    assert '<td class="text-end" data-testid="overdue">1</td>' in row  # 1 working day, not 8 calendar days
    assert '<td class="text-end" data-testid="silent">4</td>' in row  # 09-28, 29, 30, 10-08


def test_s1_4_no_update_for_ten_working_days_not_calendar_days(city, client, settings, clock):
    m = running_matter(city, due=date(2026, 12, 31), co_units=[("czj", date(2026, 11, 30))])
    part = m.co_parts.get()
    part.last_progress_on = LAST_UPDATE
    part.save()
    scan(date(2026, 10, 8))  # 14 calendar days, 10 weekdays by a naive count, 4 working days
    scan(date(2026, 10, 14))  # 20 calendar days, 9 working days (10-10 is a make-up Saturday)
    assert not LetterProposal.objects.exists()
    scan(date(2026, 10, 15))
    proposal = LetterProposal.objects.get()
    assert (proposal.reason, proposal.due_date) == ("no_update", date(2026, 10, 15))
    page = compose(client, city.sam, part, date(2026, 10, 15), settings, clock)
    body = page.context["form"].initial["body"]
    assert "已连续10个工作日未报送工作进展" in body and "2026年9月24日" in body and "超过完成时限" not in body


def test_s1_4_prefilled_letter_names_matter_part_due_date_and_lateness(city, slow, client, settings, clock):
    scan(date(2026, 10, 12))
    page = compose(client, city.sam, slow, date(2026, 10, 12), settings, clock)
    initial = page.context["form"].initial
    assert initial["title"] == "关于加快推进“中心城区两度两力提升行动”配合工作的提醒函"
    body = initial["body"]
    for fact in (slow.matter.number, "资金保障", "2026年9月30日", "超过完成时限4个工作日", "40%", "特此函告"):
        assert fact in body
    chain = [(a.role, a.party.label) for a in page.context["chain"]]
    assert chain == [("to", "市财政局"), ("report", "市长Mayor"), ("report", "副市长Victor"), ("cc", "市人民政府督查室")]


# -- sending -----------------------------------------------------------------------------------


def test_s1_4_send_numbers_renders_and_addresses_the_letter(city, slow, client, settings,
                                                            django_capture_on_commit_callbacks, clock):
    scan(date(2026, 10, 8))
    with django_capture_on_commit_callbacks(execute=True):
        response = send_via_form(client, city.sam, slow, date(2026, 10, 8), settings, clock)
    letter = Letter.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/letters/{letter.pk}/"
    assert (letter.number, letter.sequence, letter.sent_by, letter.sent_on) == (
        "宛发改函〔2026〕1号", 1, city.sam, date(2026, 10, 8))
    assert (letter.kind, letter.reason, letter.overdue_workdays, letter.to_unit.code) == ("co_unit", "overdue", 1, "czj")
    assert letter.docx_file.name.startswith("documents/letters/") and letter.pdf_file.name.endswith(".pdf")
    assert letter.render_error == ""

    recipients = [(r.role, r.unit.code if r.unit else r.person.username, r.mandatory)
                  for r in letter.recipients.select_related("unit", "person")]
    assert recipients == [("to", "czj", True), ("report", "mayor", True), ("report", "victor", True),
                          ("cc", "dcs", True)]

    doc = Document(letter.docx_file.path)
    assert "市财政局：" in [p.text for p in doc.paragraphs]
    with zipfile.ZipFile(letter.docx_file.path) as z:
        words = re.sub(r"<[^>]+>", "", "".join(z.read(n).decode() for n in z.namelist() if n.startswith("word/")
                                               and n.endswith(".xml")))
    assert "宛发改函〔2026〕1号" in words
    assert "报：市长Mayor、副市长Victor。" in words and "抄送：市人民政府督查室。" in words
    pdf = "".join(page.extract_text() for page in PdfReader(io.BytesIO(letter.pdf_file.read())).pages)
    assert "宛发改函" in pdf and "市人民政府督查室" in pdf

    outcome = ProposalOutcome.objects.get()
    assert (outcome.outcome, outcome.letter, outcome.decided_by) == (Outcome.SENT, letter, city.sam)
    event = MatterEvent.objects.get(matter=slow.matter, action="reminder_letter")
    assert "宛发改函〔2026〕1号" in event.reason and event.actor == city.sam
    notified = sorted(Notification.objects.filter(title__contains=letter.number)
                      .values_list("user__username", flat=True))
    assert notified == ["alice", "carl", "mayor", "victor"]
    assert notify_letter_sent(letter.pk) == 0  # a rerun of the commit hook adds nothing

    clock.set(date(2026, 10, 8))
    assert f'data-part="{slow.pk}"' not in client.get("/letters/proposals/").content.decode()
    assert client.get(f"/letters/{letter.pk}/file.docx").status_code == 200
    assert client.get(f"/letters/{letter.pk}/file.pdf")["Content-Type"] == "application/pdf"


def test_s1_4_mandatory_addressees_cannot_be_removed_only_added_to(city, slow, client, settings, clock):
    # Whatever the browser sends, the chain is computed on the server.
    send_via_form(client, city.sam, slow, date(2026, 10, 8), settings, clock,
                  extra_cc=[city.units["gxq"].pk], report_to="", cc="", to="", recipients="")
    letter = Letter.objects.get()
    got = {(r.role, r.label, r.mandatory) for r in letter.recipients.all()}
    assert got == {("to", "市财政局", True), ("report", "副市长Victor", True), ("report", "市长Mayor", True),
                   ("cc", "市人民政府督查室", True), ("cc", "高新区管委会", False)}
    # Copying the supervision office again does not make it optional or duplicate it.
    second = do_send_co_unit_letter(actor=city.sam, co_part_id=slow.pk, today=date(2026, 10, 9), draft=LetterDraft(
        title="再次提醒", body="请你单位加快推进配合工作，按期完成任务。特此函告。" * 2, token="b" * 32,
        extra_cc_unit_ids=[city.units["dcs"].pk]))
    assert second.recipients.filter(unit=city.units["dcs"]).get().mandatory is True
    assert second.recipients.count() == 4


def test_s1_4_sequence_is_consecutive_per_sender_and_a_double_submit_sends_once(city, slow, client, settings, clock):
    send_via_form(client, city.sam, slow, date(2026, 10, 8), settings, clock)
    page = compose(client, city.ursula, slow, date(2026, 10, 9), settings, clock)
    data = page.context["form"].initial
    assert client.post(f"/letters/new/co-unit/{slow.pk}/", data).status_code == 302
    assert client.post(f"/letters/new/co-unit/{slow.pk}/", data).status_code == 302  # the same form again
    assert list(Letter.objects.order_by("sequence").values_list("number", "sent_by__username")) == [
        ("宛发改函〔2026〕1号", "sam"), ("宛发改函〔2026〕2号", "ursula")]


def test_s1_4_derived_code_when_no_code_is_set(city, client, settings, clock):
    m = running_matter(city, due=date(2026, 12, 31), co_units=[("czj", PART_DUE)])
    send_via_form(client, city.sam, m.co_parts.get(), date(2026, 10, 8), settings, clock)
    assert Letter.objects.get().number == "宛发展改革函〔2026〕1号"  # from 市发展和改革委员会


def test_s1_4_no_letter_to_a_co_unit_that_is_not_slow(city, slow, client, settings, clock):
    page = compose(client, city.sam, slow, date(2026, 10, 7), settings, clock)
    assert 'data-testid="not-slow"' in page.content.decode() and 'data-testid="letter-form"' not in page.content.decode()
    with pytest.raises(LetterError, match="无需发函"):
        do_send_co_unit_letter(actor=city.sam, co_part_id=slow.pk, today=date(2026, 10, 7), draft=LetterDraft(
            title="提醒函", body="请加快推进配合工作，按期完成任务。特此函告。" * 2, token="c" * 32))
    assert not Letter.objects.exists()


def test_s1_4_empty_text_is_refused_naming_the_field(city, slow, client, settings, clock):
    page = compose(client, city.sam, slow, date(2026, 10, 8), settings, clock)
    data = {**page.context["form"].initial, "body": "请加快"}
    response = client.post(f"/letters/new/co-unit/{slow.pk}/", data)
    assert response.status_code == 400 and 'data-testid="error-body"' in response.content.decode()
    assert not Letter.objects.exists()


# -- dismissing ----------------------------------------------------------------------------------


def test_s1_4_dismissing_a_proposal_needs_a_reason(city, slow, client, settings, clock):
    scan(date(2026, 10, 8))
    with pytest.raises(LetterError):
        do_dismiss_letter_proposals(actor=city.sam, co_part_id=slow.pk, reason=" ")
    assert not ProposalOutcome.objects.exists()
    clock.set(date(2026, 10, 8))
    client.force_login(city.sam)
    client.post(f"/letters/proposals/{slow.pk}/dismiss/", {"reason": "已电话协调，财政局承诺本周内完成"})
    outcome = ProposalOutcome.objects.get()
    assert (outcome.outcome, outcome.letter, outcome.reason) == (Outcome.DISMISSED, None, "已电话协调，财政局承诺本周内完成")
    assert f'data-part="{slow.pk}"' not in client.get("/letters/proposals/").content.decode()
    client.force_login(city.carl)  # the co-unit cannot dismiss what is proposed against it
    assert client.post(f"/letters/proposals/{slow.pk}/dismiss/", {"reason": "不需要发函"}).status_code == 404


# -- who sees what --------------------------------------------------------------------------------


@pytest.fixture
def two_letters(city, slow):
    """fgw → czj (on slow) and fgw → wancheng (on another matter)."""
    other = running_matter(city, due=date(2026, 12, 31), co_units=[("wancheng", PART_DUE)], title="白河治理")
    draft = dict(body="请你单位加快推进配合工作，按期完成任务。特此函告。" * 2)
    to_czj = do_send_co_unit_letter(actor=city.sam, co_part_id=slow.pk, today=date(2026, 10, 8),
                                    draft=LetterDraft(title="致财政局", token="1" * 32, **draft))
    to_wc = do_send_co_unit_letter(actor=city.sam, co_part_id=other.co_parts.get().pk, today=date(2026, 10, 8),
                                   draft=LetterDraft(title="致宛城区", token="2" * 32, **draft))
    return to_czj, to_wc


def test_s1_4_carl_sees_the_letter_to_czj_and_not_the_others(city, two_letters, client):
    to_czj, to_wc = two_letters
    client.force_login(city.carl)
    listing = client.get("/letters/").content.decode()
    assert to_czj.number in listing and to_wc.number not in listing
    assert client.get(f"/letters/{to_wc.pk}/").status_code == 404
    assert client.get(f"/letters/{to_wc.pk}/file.pdf").status_code == 404
    assert client.get(f"/letters/{to_czj.pk}/").status_code == 200
    receipt = LetterRecipient.objects.get(letter=to_czj, unit=city.units["czj"])
    assert receipt.read_by == city.carl and receipt.read_at is not None
    assert LetterRecipient.objects.filter(letter=to_czj, read_at__isnull=False).count() == 1  # only czj signed
    assert 'data-testid="unread"' not in client.get("/letters/").content.decode()


@pytest.mark.parametrize("persona, sees_czj, sees_wc", [
    ("victor", True, True), ("mayor", True, True), ("alice", True, True), ("percy", True, True),
    ("sam", True, True), ("gina", False, False),
])
def test_s1_4_recipients_see_it_and_outsiders_do_not(city, two_letters, client, persona, sees_czj, sees_wc):
    to_czj, to_wc = two_letters
    client.force_login(getattr(city, persona))
    for letter, expected in ((to_czj, sees_czj), (to_wc, sees_wc)):
        assert client.get(f"/letters/{letter.pk}/").status_code == (200 if expected else 404)


def test_s1_4_opening_signs_for_the_readers_own_capacity(city, two_letters, client):
    to_czj, _ = two_letters
    for persona in ("victor", "alice", "percy", "sam"):
        client.force_login(getattr(city, persona))
        client.get(f"/letters/{to_czj.pk}/")
    read = dict(LetterRecipient.objects.filter(letter=to_czj).values_list("label", "read_by__username"))
    assert read == {"市财政局": None, "副市长Victor": "victor", "市长Mayor": None, "市人民政府督查室": "alice"}


@pytest.mark.parametrize("persona", ["sysop", "sec", "audrey"])
def test_administrators_read_no_letters(city, two_letters, client, persona):
    client.force_login(getattr(city, persona))
    assert client.get("/letters/").status_code == 404
    assert client.get(f"/letters/{two_letters[0].pk}/").status_code == 404


def test_s1_4_only_the_lead_unit_writes_about_its_co_units(city, slow, client, settings, clock):
    clock.set(date(2026, 10, 8))
    for persona in ("carl", "alice", "victor", "gina"):
        client.force_login(getattr(city, persona))
        assert client.get(f"/letters/new/co-unit/{slow.pk}/").status_code == 404
        assert client.get(f"/letters/new/matter/{slow.matter_id}/").status_code == 404
    client.force_login(city.sam)
    response = client.get(f"/letters/new/matter/{slow.matter_id}/")  # the matter page's button
    assert response.status_code == 302 and response["Location"] == f"/letters/new/co-unit/{slow.pk}/"
    assert client.get("/letters/new/co-unit/999999/").status_code == 404


def test_s1_4_counted_against_the_co_unit(city, two_letters):
    q4 = (date(2026, 10, 1), date(2026, 12, 31))
    assert letters_received_count(city.units["czj"], *q4) == 1
    assert letters_received_count(city.units["wancheng"], *q4) == 1
    assert letters_received_count(city.units["fgw"], *q4) == 0  # the sender
    assert letters_received_count(city.units["dcs"], *q4) == 0  # copies are not counted
    assert letters_received_count(city.units["czj"], date(2026, 10, 9), date(2026, 12, 31)) == 0
    assert letters_received_count(city.units["czj"].pk, date(2026, 10, 8), date(2026, 10, 8)) == 1


def _clone(letter: Letter, n: int) -> None:
    """``n`` more letters like ``letter`` written straight to the tables (no files: list pages only)."""
    rows = LetterRecipient.objects.filter(letter=letter).values("role", "unit_id", "person_id", "label", "sort_order")
    for i in range(n):
        copy = Letter.objects.create(**{
            f.attname: getattr(letter, f.attname) for f in Letter._meta.concrete_fields if f.name != "id"
        } | {"sequence": 100 + i, "number": f"宛发改函〔2026〕{100 + i}号", "idempotency_key": f"clone-{i}",
             "docx_file": "", "pdf_file": ""})
        LetterRecipient.objects.bulk_create(LetterRecipient(letter=copy, **r) for r in rows)


def test_letter_list_costs_a_fixed_number_of_queries(city, two_letters, client, django_assert_max_num_queries):
    _clone(two_letters[0], 30)
    for persona, box in (("carl", "received"), ("alice", "all"), ("victor", "received"), ("sam", "sent")):
        client.force_login(getattr(city, persona))
        client.get("/letters/")
        counts = []
        for n in (1, 2):
            with django_assert_max_num_queries(10) as ctx:
                response = client.get("/letters/", {"page": n, "box": box})
            assert response.status_code == 200
            counts.append(len(ctx.captured_queries))
        assert counts[0] == counts[1]
        assert response.content.decode().count("data-letter=") == (32 if box != "received" or persona != "carl" else 31) - 25


def test_files_are_real_documents(city, two_letters):
    with zipfile.ZipFile(two_letters[0].docx_file.path) as z:
        assert "word/document.xml" in z.namelist()
    assert two_letters[0].pdf_file.read(5) == b"%PDF-"


@pytest.mark.skipif(django_settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
                    reason="concurrent writers need PostgreSQL; SQLite serialises them anyway")
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("reference_data")
def test_s1_4_concurrent_sends_draw_distinct_consecutive_numbers(settings, tmp_path):
    """Four lead-unit staff send at the same moment: the guarded UPDATE on the sequence row gives
    each its own number, no gap, no duplicate."""
    import threading

    from django.db import connection

    from tests.conftest import make_city

    settings.MEDIA_ROOT = tmp_path / "media"
    city = make_city()
    LetterCode.objects.create(unit=city.units["fgw"], agency="宛发改函")
    m = running_matter(city, due=date(2026, 12, 31), co_units=[("czj", PART_DUE)])
    part = m.co_parts.get()
    barrier = threading.Barrier(4)
    errors: list[BaseException] = []

    def send(i: int, who) -> None:
        try:
            barrier.wait()
            do_send_co_unit_letter(actor=who, co_part_id=part.pk, today=date(2026, 10, 8), draft=LetterDraft(
                title=f"提醒函{i}", body="请你单位加快推进配合工作，按期完成任务。特此函告。" * 2, token=f"t{i:031d}"))
        except BaseException as e:  # reported below, not swallowed
            errors.append(e)
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(i, (city.sam, city.ursula)[i % 2])) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(Letter.objects.values_list("sequence", flat=True)) == [1, 2, 3, 4]


# -- issue #11 item 18: the part's own date, the 报 line, the vice mayor in charge ---------------------


def test_item_18_a_co_unit_added_later_is_silent_since_its_own_assignment(city, client, settings, clock):
    """S1.4: a matter assigned on 2026-11-02 gets czj as a co-unit on 2026-12-02. The letter counts
    czj's silence from 12-02 (10 working days on 12-16), not from the matter's start."""
    from decimal import Decimal

    from ducha.matters.actions import CoUnitInput, MatterInput
    from ducha.matters.actions_edit import do_update_matter

    clock.set(date(2026, 11, 2))
    m = running_matter(city, start=date(2026, 11, 2), due=date(2027, 3, 31))
    clock.set(date(2026, 12, 2))
    m.refresh_from_db()
    do_update_matter(actor=city.alice, matter_id=m.pk, expected_updated_at=m.updated_at, data=MatterInput(
        title=m.title, source=m.source, lead_unit_id=m.lead_unit_id, responsible_leader_id=m.responsible_leader_id,
        start_date=m.start_date, due_date=m.due_date, goal=m.goal, target_quantity=Decimal("12"), target_unit="个",
        co_units=[CoUnitInput(unit_id=city.units["czj"].pk, part="资金保障", due_date=date(2027, 2, 26))]))
    part = m.co_parts.get()

    assert not compose(client, city.sam, part, date(2026, 12, 15), settings, clock).context["facts"].slow
    page = compose(client, city.sam, part, date(2026, 12, 16), settings, clock)
    body = page.context["form"].initial["body"]
    assert "自2026年12月2日交办以来已连续10个工作日未报送工作进展" in body
    assert "2026年11月2日" not in body


def test_item_18_the_vice_mayor_in_charge_is_the_addressees_by_default_and_a_setting(city, settings):
    """S1.4: 报 the mayor, then the 主管副市长: by default the one in charge of the addressee (czj);
    DUCHA_LETTER_VICE_MAYOR=sender or both read the seed the other ways."""
    from ducha.letters.facts import required_addressees
    from ducha.org.models import LeaderKind, LeaderPost, User
    from ducha.org.roles import Role

    vera = User.objects.create_user(username="vera", password="x" * 16, name="Vera", role=Role.LEADER)
    post = LeaderPost.objects.create(person=vera, kind=LeaderKind.VICE_MAYOR, title="副市长", sort_order=9)
    post.portfolio.set([city.units["czj"]])
    fgw, czj = city.units["fgw"], city.units["czj"]

    def report_line():
        return [a.party.label for a in required_addressees(fgw, czj) if a.role == "report"]

    settings.DUCHA_LETTER_VICE_MAYOR = "addressee"
    assert report_line() == ["市长Mayor", "副市长Vera"]
    settings.DUCHA_LETTER_VICE_MAYOR = "sender"
    assert report_line() == ["市长Mayor", "副市长Victor"]
    settings.DUCHA_LETTER_VICE_MAYOR = "both"
    assert report_line() == ["市长Mayor", "副市长Vera", "副市长Victor"]


def test_item_18_the_default_setting_follows_the_seed():
    """The declared default, not the test settings: the addressee unit's vice mayor."""
    from ducha import settings as declared

    assert declared.DUCHA_LETTER_VICE_MAYOR == "addressee"
