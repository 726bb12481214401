"""S1.14 half-yearly exposure and S1.16 accountability announcement, S2.6 a round's 督查通报: the
office drafts from confirmed cases or standing records, chooses per item what is published
(units named, people not, by default), a named approver approves or returns, the office issues
a document numbered from the one register, rendered in the GB/T 9704 layout."""

from __future__ import annotations

import io
import zipfile
from datetime import date

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from ducha.accountability.actions import (
    AccountabilityError,
    NotYours,
    RecordInput,
    do_appeal_record,
    do_register_record,
)
from ducha.accountability.actions_announce import (
    ItemEdit,
    do_decide_announcement,
    do_draft_announcement,
    do_edit_announcement,
    do_issue_announcement,
    do_submit_announcement,
)
from ducha.accountability.actions_cases import CaseInput, do_move_case, do_open_case
from ducha.accountability.actions_rounds import FindingInput, do_issue_round, do_record_finding
from ducha.accountability.announce import approver, candidate_cases, candidate_records, visible_announcements
from ducha.audit.models import AuditEvent
from ducha.inbox.models import Notification
from ducha.org.models import UnitPost, UnitPostKind, User
from ducha.org.roles import Role
from ducha.rules.periods import Period
from tests.test_accountability_rounds import open_round
from tests.test_ledger_phases import make_matter

H2 = Period.parse("2026-H2")
ISSUED = date(2027, 1, 11)


def docx_text(field) -> str:
    with field.open("rb") as f, zipfile.ZipFile(io.BytesIO(f.read())) as z:
        return z.read("word/document.xml").decode()


@pytest.fixture
def head(city):
    person = User.objects.create_user(username="fgw_head", password="x", name="主任甲", role=Role.UNIT_STAFF,
                                      unit=city.units["fgw"])
    UnitPost.objects.create(unit=city.units["fgw"], person=person, kind=UnitPostKind.PRINCIPAL)
    return person


def confirmed_case(city, head, clock, day=date(2026, 10, 12), unit="fgw"):
    clock.set(day)
    case = do_open_case(actor=city.alice, data=CaseInput(city.units[unit].pk, "inaction", "complaint",
                                                         "群众反映窗口推诿，办事群众多次往返"))
    do_move_case(actor=city.alice, case=case, to_state="verifying", note="")
    case = do_move_case(actor=city.alice, case=case, to_state="confirmed", note="经核查属实")
    if unit == "fgw":
        do_register_record(actor=city.alice, today=day, data=RecordInput(
            unit_id=city.units["fgw"].pk, people_ids=(head.pk,), cause="case", case_id=case.pk, reason="窗口推诿",
            form="notice", deciding_body="市政府督查室", document_number=f"宛督责〔2026〕{case.pk}号", decided_on=day))
    return case


def test_s2_6_issuing_a_round_numbers_and_renders_its_supervision_bulletin(city, clock):
    clock.set(date(2026, 11, 2))
    matter = make_matter(city, "fgw", progress=20, title="项目甲")
    r = open_round(city)
    do_record_finding(actor=city.alice, round_=r, data=FindingInput(city.units["fgw"].pk, "现场无人施工",
                                                                    matter_id=matter.pk, rectify_workdays=10))
    do_record_finding(actor=city.alice, round_=r, data=FindingInput(city.units["czj"].pk, "资金拨付滞后"))
    r = do_issue_round(actor=city.alice, round_=r, today=date(2026, 11, 16))
    assert r.number == "宛督〔2026〕1号" and r.render_error == ""
    text = docx_text(r.docx)
    for words in ("关于重点项目推进情况暗访发现问题的通报", "市发展和改革委员会", "现场无人施工",
                  "限10个工作日内整改到位（2026年11月30日前）", "资金拨付滞后", "暗访"):
        assert words in text, words
    assert r.pdf.size > 1000
    # The register is one: the next document of the office takes the next number.
    r2 = open_round(city, title="明察", openness="open")
    do_record_finding(actor=city.alice, round_=r2, data=FindingInput(city.units["fgw"].pk, "台账不全"))
    assert do_issue_round(actor=city.alice, round_=r2, today=date(2026, 11, 16)).number == "宛督〔2026〕2号"
    ursula = Client()
    ursula.force_login(city.ursula)
    page = ursula.get(reverse("accountability:round", args=[r.pk])).content.decode()
    assert "宛督〔2026〕1号" in page
    got = ursula.get(reverse("accountability:round-file", args=[r.pk, "pdf"]))
    assert got.status_code == 200 and got["Content-Type"] == "application/pdf"


def test_s1_14_half_yearly_exposure_from_draft_to_issue(city, head, clock, django_capture_on_commit_callbacks):
    case = confirmed_case(city, head, clock)
    assert list(candidate_cases(H2)) == [case]
    assert list(candidate_cases(Period.parse("2026-H1"))) == []  # confirmed in the second half
    with pytest.raises(NotYours):
        do_draft_announcement(actor=city.ursula, kind="exposure", period_key=H2.key, ids=(case.pk,))
    with pytest.raises(AccountabilityError) as e:
        do_draft_announcement(actor=city.alice, kind="exposure", period_key="2026-Q4", ids=(999,))
    assert set(e.value.errors) == {"period"}
    clock.set(ISSUED)
    ann = do_draft_announcement(actor=city.alice, kind="exposure", period_key=H2.key, ids=(case.pk,))
    item = ann.items.get()
    # Units named, people not (the settings' defaults): the post, never the name.
    assert (item.name_unit, item.name_people) == (True, False)
    assert "市发展和改革委员会不作为问题" in item.text and "主要负责人" in item.text and "主任甲" not in item.text
    assert ann.title == "关于2026年下半年典型效能问题案例的通报"
    # A unit does not see a draft; the approver is the mayor by default.
    assert ann not in visible_announcements(city.ursula) and approver() == city.mayor
    # The text is checked against the choice: a name typed in is refused on submission.
    do_edit_announcement(actor=city.alice, ann=ann, opening=ann.opening,
                         edits=[ItemEdit(item.pk, item.text + "主任甲负有责任。", True, False)])
    with pytest.raises(AccountabilityError) as e:
        do_submit_announcement(actor=city.alice, ann=ann)
    assert "主任甲" in str(e.value)
    # Changing a choice with the text left as drafted drafts it again.
    item.refresh_from_db()
    do_edit_announcement(actor=city.alice, ann=ann, opening=ann.opening,
                         edits=[ItemEdit(item.pk, item.text, False, False)])
    item.refresh_from_db()
    assert item.text == "某单位不作为问题。群众反映窗口推诿，办事群众多次往返。经核查属实。市政府督查室对主要负责人予以通报。"
    do_edit_announcement(actor=city.alice, ann=ann, opening=ann.opening,
                         edits=[ItemEdit(item.pk, "某单位不作为问题。群众反映窗口推诿。", False, False)])
    with django_capture_on_commit_callbacks(execute=True):
        ann = do_submit_announcement(actor=city.alice, ann=ann)
    assert ann.state == "submitted" and Notification.objects.filter(user=city.mayor).exists()
    with pytest.raises(NotYours):
        do_decide_announcement(actor=city.victor, ann=ann, approve=True)
    with pytest.raises(AccountabilityError):
        do_decide_announcement(actor=city.mayor, ann=ann, approve=False, reason="")
    ann = do_decide_announcement(actor=city.mayor, ann=ann, approve=False, reason="案例描述再具体一些")
    assert (ann.state, ann.returned_reason) == ("draft", "案例描述再具体一些")
    ann = do_submit_announcement(actor=city.alice, ann=ann)
    ann = do_decide_announcement(actor=city.mayor, ann=ann, approve=True)
    assert ann.approver == city.mayor
    with django_capture_on_commit_callbacks(execute=True):
        ann = do_issue_announcement(actor=city.alice, ann=ann, today=ISSUED)
    assert (ann.state, ann.number, ann.render_error) == ("issued", "宛督〔2027〕1号", "")
    text = docx_text(ann.docx)
    assert "某单位不作为问题" in text and "市发展和改革委员会" not in text
    assert Notification.objects.filter(user=city.ursula, title=ann.title).exists()
    assert ann in visible_announcements(city.ursula)
    assert list(candidate_cases(H2)) == []  # exposed once
    with pytest.raises(AccountabilityError):
        do_edit_announcement(actor=city.alice, ann=ann, opening="x", edits=[])
    assert AuditEvent.objects.filter(action__startswith="accountability.announcement_").count() == 9


def test_s1_16_the_accountability_announcement_lists_standing_records(city, head, clock):
    clock.set(date(2026, 8, 3))
    data = dict(unit_id=city.units["fgw"].pk, people_ids=(head.pk,), cause="other", reason="重点项目推进迟缓",
                form="admonishment", deciding_body="市纪委监委", decided_on=date(2026, 8, 3))
    standing = do_register_record(actor=city.alice, today=date(2026, 8, 3),
                                  data=RecordInput(document_number="宛纪〔2026〕5号", **data))
    appealed = do_register_record(actor=city.alice, today=date(2026, 8, 3),
                                  data=RecordInput(document_number="宛纪〔2026〕6号", **data))
    do_appeal_record(actor=city.ursula, record=appealed, reason="已按期完成", today=date(2026, 8, 4))
    assert list(candidate_records(H2)) == [standing]
    with override_settings(DUCHA_EXPOSURE_NAME_PEOPLE=True):
        ann = do_draft_announcement(actor=city.alice, kind="accountability", period_key=H2.key, ids=(standing.pk,))
    text = ann.items.get().text
    assert text == ("市发展和改革委员会重点项目推进迟缓。2026年8月3日，市纪委监委对该单位主要负责人主任甲予以诫勉"
                    "（宛纪〔2026〕5号）。")
    with pytest.raises(AccountabilityError) as e:
        do_draft_announcement(actor=city.alice, kind="accountability", period_key=H2.key, ids=(appealed.pk,))
    assert "items" in e.value.errors


def test_s1_14_a_named_approver_from_the_setting(city, head, clock):
    case = confirmed_case(city, head, clock)
    ann = do_draft_announcement(actor=city.alice, kind="exposure", period_key=H2.key, ids=(case.pk,))
    with override_settings(DUCHA_EXPOSURE_APPROVER="gina"):
        assert approver() == city.gina
        ann = do_submit_announcement(actor=city.alice, ann=ann)
        with pytest.raises(NotYours):
            do_decide_announcement(actor=city.mayor, ann=ann, approve=True)
        assert do_decide_announcement(actor=city.gina, ann=ann, approve=True).state == "approved"
    with override_settings(DUCHA_EXPOSURE_APPROVER="nobody"):
        assert approver() is None


def test_s1_14_announcement_pages_walk_and_confirm(city, head, clock):
    case = confirmed_case(city, head, clock)
    clock.set(ISSUED)
    alice, mayor, ursula = Client(), Client(), Client()
    alice.force_login(city.alice)
    mayor.force_login(city.mayor)
    ursula.force_login(city.ursula)
    new = reverse("accountability:announcement-new") + f"?kind=exposure&period={H2.key}"
    assert f'value="{case.pk}"' in alice.get(new).content.decode()
    assert ursula.get(new).status_code == 404
    assert alice.post(new, {}).status_code == 400
    got = alice.post(new, {"item": [str(case.pk)]})
    ann_id = int(got["Location"].rstrip("/").rsplit("/", 1)[1])
    url = reverse("accountability:announcement", args=[ann_id])
    assert ursula.get(url).status_code == 404
    assert alice.post(url, {"step": "submit"}).status_code == 302
    assert mayor.post(url, {"step": "approve"}).status_code == 302
    page = alice.get(url).content.decode()
    assert "宛督〔2027〕1号" in page  # the confirmation names the number it will take
    refused = alice.post(url, {"step": "issue"})
    assert refused.status_code == 400 and "Nothing was issued" not in refused.content.decode()  # zh-hans
    assert alice.post(url, {"step": "issue", "confirm": "yes"}).status_code == 302
    assert ursula.get(url).status_code == 200
    pdf = ursula.get(reverse("accountability:announcement-file", args=[ann_id, "pdf"]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"


def test_s1_14_announcements_over_the_api(city, head, clock):
    case = confirmed_case(city, head, clock)
    clock.set(ISSUED)
    alice, mayor, ursula = Client(), Client(), Client()
    alice.force_login(city.alice)
    mayor.force_login(city.mayor)
    ursula.force_login(city.ursula)
    base = "/api/accountability/announcements"
    assert ursula.get(f"{base}/candidates?kind=exposure&period=2026-H2").status_code == 403
    got = alice.get(f"{base}/candidates?kind=exposure&period=2026-H2").json()
    assert [c["id"] for c in got] == [case.pk]
    made = alice.post(base, {"kind": "exposure", "period": "2026-H2", "ids": [case.pk]},
                      content_type="application/json")
    assert made.status_code == 201, made.content
    ann = made.json()
    item = ann["items"][0]
    assert (item["name_unit"], item["name_people"], item["unit"]["id"]) == (True, False, city.units["fgw"].pk)
    edited = alice.put(f"{base}/{ann['id']}", {"opening": "导语。", "items": [
        {"id": item["id"], "text": item["text"], "name_unit": False, "name_people": False}]},
        content_type="application/json")
    assert edited.status_code == 200 and edited.json()["items"][0]["text"].startswith("某单位")
    assert ursula.get(f"{base}/{ann['id']}").status_code == 404
    assert alice.post(f"{base}/{ann['id']}/submit").json()["state"] == "submitted"
    assert ursula.post(f"{base}/{ann['id']}/decision", {"approve": True},
                       content_type="application/json").status_code == 404
    assert mayor.post(f"{base}/{ann['id']}/decision", {"approve": False},
                      content_type="application/json").status_code == 400  # a return needs its reason
    assert mayor.post(f"{base}/{ann['id']}/decision", {"approve": True},
                      content_type="application/json").json()["state"] == "approved"
    unconfirmed = alice.post(f"{base}/{ann['id']}/issue", {}, content_type="application/json")
    assert unconfirmed.status_code == 400 and "宛督〔2027〕1号" in unconfirmed.json()["errors"]["confirm"]
    issued = alice.post(f"{base}/{ann['id']}/issue", {"confirm": True}, content_type="application/json").json()
    assert issued["number"] == "宛督〔2027〕1号" and set(issued["files"]) == {"docx", "pdf"}
    assert ursula.get(issued["files"]["pdf"]).status_code == 200
    assert [a["id"] for a in ursula.get(base).json()["items"]] == [ann["id"]]
