"""ducha.publication: publishing versions, withdrawing, submissions sealed at rest (issue #17)."""

from __future__ import annotations

import pytest
from cryptography.exceptions import InvalidTag
from django.core.exceptions import ValidationError

from ducha.publication import sealing
from ducha.publication.models import Kind, Publication, Submission, SubmissionKind, TakeUpState
from ducha.publication.publish import current, publish, shown, withdraw
from ducha.publication.status import look_up
from ducha.publication.submissions import file_content, identity_of, submit, take_up, waiting
from tests.portal_helpers import pdf_bytes, portal_settings, publish_catalogue_item, publish_status, upload

__all__ = ["portal_settings"]
pytestmark = pytest.mark.django_db

ID = "11010519491231002X"


def test_each_publish_is_a_new_version_and_only_the_latest_is_shown(portal_settings):
    first = publish_catalogue_item()
    second = publish_catalogue_item(promised_days=3)
    assert (first.version, second.version) == (1, 2)
    assert list(current(Kind.CATALOGUE_ITEM)) == [second]
    assert shown(Kind.CATALOGUE_ITEM, "410100-XK-001").payload["promised_days"] == 3
    gone = withdraw(Kind.CATALOGUE_ITEM, "410100-XK-001")
    assert gone is not None and gone.withdrawn and gone.version == 3
    assert shown(Kind.CATALOGUE_ITEM, "410100-XK-001") is None
    assert withdraw(Kind.CATALOGUE_ITEM, "410100-XK-001") is None
    assert Publication.objects.filter(key="410100-XK-001").count() == 3  # the history stays
    assert publish_catalogue_item().version == 4


def test_files_are_checked_by_content_and_copied_under_their_digest(portal_settings):
    publication = publish(Kind.BULLETIN, "宛督〔2026〕12号", "通报", {"number": "宛督〔2026〕12号"},
                          files=[("通报.pdf", pdf_bytes("x"))])
    stored = publication.files.get()
    assert stored.kind == "pdf" and stored.size == len(pdf_bytes("x")) and len(stored.sha256) == 64
    assert (portal_settings.DUCHA_PUBLISHED_DIR / stored.path).read_bytes() == pdf_bytes("x")
    with pytest.raises(ValidationError):
        publish(Kind.BULLETIN, "b2", "通报", {}, files=[("fake.pdf", b"MZ\x90\x00 not a pdf")])
    with pytest.raises(ValueError):
        publish("matter", "x", "x", {})


def test_a_submission_keeps_its_real_name_fields_sealed(portal_settings):
    sub = submit(SubmissionKind.APPLICATION, payload={"item": "410100-XK-001"}, address="203.0.113.9",
                 name=" 张三 ", id_number="11010519491231002x", phone="138 0013 8000",
                 files=[("营业执照.pdf", upload("营业执照.pdf", pdf_bytes("licence")), "M01")], query_code=True)
    row = Submission.objects.get(pk=sub.pk)
    for clear in ("张三", ID, "13800138000"):
        assert clear not in row.name_sealed + row.id_sealed + row.phone_sealed
    assert row.id_kind == "person" and row.address_hash and "203.0.113.9" not in row.address_hash
    assert identity_of(row).name == "张三" and identity_of(row).id_number == ID and identity_of(row).phone == "13800138000"
    assert len(sub.query_code) == 8 and sub.query_code not in row.query_code_hash
    file = row.files.get()
    assert file.kind == "pdf" and file.material == "M01" and pdf_bytes("licence") not in bytes(file.content_sealed)
    assert file_content(file) == pdf_bytes("licence")
    # a sealed value moved to another row or field does not open
    with pytest.raises(InvalidTag):
        sealing.open_text(row.name_sealed, context=f"submission:{row.reference}:phone")
    assert list(waiting()) == [row]
    take_up(row, by=7, state=TakeUpState.TAKEN, outcome="SP2026120001")
    assert list(waiting()) == []


def test_real_name_fields_and_uploads_are_checked(portal_settings):
    with pytest.raises(ValidationError) as refused:
        submit(SubmissionKind.APPLICATION, payload={}, address="x", name="", id_number="110105194912310021",
               phone="12345")
    assert set(refused.value.message_dict) == {"name", "id_number", "phone"}
    with pytest.raises(ValidationError) as refused:
        submit(SubmissionKind.APPLICATION, payload={}, address="x", name="某公司", id_number="91350100M000100Y43",
               phone="13800138000", files=[("a.pdf", upload("a.pdf", b"PK\x03\x04 not really"), "M01")])
    assert "files" in refused.value.message_dict
    assert Submission.objects.count() == 0
    rating = submit(SubmissionKind.RATING, payload={"level": 5}, address="x", real_name=False)
    assert rating.name_sealed == "" and rating.reference.startswith("PJ")


def test_a_portal_with_only_the_public_key_seals_but_cannot_open(portal_settings):
    public = sealing.public_key_hex()
    token = sealing.seal_text("张三", context="c")
    portal_settings.DUCHA_SUBMISSION_KEY = ""
    portal_settings.DUCHA_SUBMISSION_PUBLIC_KEY = public
    sealed_by_portal = sealing.seal_text("李四", context="c")
    with pytest.raises(sealing.NoKey):
        sealing.open_text(token, context="c")
    portal_settings.DUCHA_SUBMISSION_KEY = "5f" * 32
    portal_settings.DUCHA_SUBMISSION_PUBLIC_KEY = ""
    assert sealing.open_text(sealed_by_portal, context="c") == "李四"


def test_status_look_up_needs_the_number_and_its_code(portal_settings):
    publish_status("SP2026120001", "K7XPM2AB")
    assert look_up("SP2026120001", "k7xpm2ab") is not None  # typed in lower case
    assert look_up("SP2026120001", "WRONG000") is None
    assert look_up("SP2026999999", "K7XPM2AB") is None
    withdraw(Kind.APPLICATION_STATUS, "SP2026120001")
    assert look_up("SP2026120001", "K7XPM2AB") is None
