"""Submissions: what the public sends (外网提交) and the intranet takes up (内网办理).

The portal calls ``submit``; it only ever INSERTs. The intranet reads the rows, opens the
sealed fields with ``identity_of`` and ``file_content`` (it holds the private key;
ducha.publication.sealing) and records its take-up with ``take_up``, in a table the portal
cannot see. Its answer goes back out as a publication (kind ``application_status``, keyed by
the receipt number), which the status look-up reads (ducha.publication.status).

    sub = submit(SubmissionKind.APPLICATION, payload={"item": "330100-000-01"},
                 name="张三", id_number="11010519491231002X", phone="13800138000",
                 address=client_address(request), files=[("营业执照.pdf", upload, "M01")])
    sub.reference, sub.query_code      # shown once to the applicant; only the code's hash is kept

Real-name fields are checked with ducha.rules.identity before anything is written; each
refusal is a ValidationError on its field (``name``, ``id_number``, ``phone``, ``files``).
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import IO, Any

from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from ducha.audit.context import client_ip
from ducha.publication import sealing
from ducha.publication.models import Submission, SubmissionFile, SubmissionKind, SubmissionTakeUp, TakeUpState
from ducha.rules.identity import id_kind, normalise, phone_valid
from ducha.security.uploads import DEFAULT_KINDS, check_upload

# Easy to read aloud and to type from an SMS: no 0/O, 1/I/L.
_CODE_CHARS = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
QUERY_CODE_LENGTH = 8
MAX_FILES = 20
UploadSpec = tuple[str, IO[bytes], str]  # name, file, material code


@dataclass(frozen=True)
class Identity:
    name: str
    id_number: str
    phone: str


def client_address(request: Any) -> str:
    """The client's address as the audit trail reads it (a forwarded one only from a trusted proxy)."""
    return client_ip(request) or "-"


def address_hash(address: str) -> str:
    """A keyed hash of an address: enough to count one address's submissions, not to read it back."""
    return salted_hmac("ducha.publication.address", address, algorithm="sha256").hexdigest()


def new_code(length: int) -> str:
    return "".join(secrets.choice(_CODE_CHARS) for _ in range(length))


def _new_reference(kind: str) -> str:
    prefix = {"application": "WS", "materials": "BZ", "rating": "PJ"}[kind]
    return f"{prefix}{timezone.localdate():%Y%m%d}{new_code(8)}"


def _context(reference: str, field: str) -> str:
    return f"submission:{reference}:{field}"


def check_identity(*, name: str, id_number: str, phone: str) -> Identity:
    """The real-name fields as they will be kept, or a ValidationError naming each wrong field."""
    errors: dict[str, str] = {}
    name = " ".join(name.split())
    if not 1 <= len(name) <= 100:
        errors["name"] = _("Give the applicant's name.")
    number = normalise(id_number)
    if id_kind(number) is None:
        errors["id_number"] = _("Give an 18-character ID card number or unified social credit code "
                                "with its check character.")
    if not phone_valid(phone):
        errors["phone"] = _("Give an 11-digit mobile number.")
    if errors:
        raise ValidationError(errors)
    return Identity(name=name, id_number=number, phone=normalise(phone))


def submit(kind: str, *, payload: dict[str, Any], address: str, name: str = "", id_number: str = "",
           phone: str = "", files: Sequence[UploadSpec] = (), real_name: bool = True,
           query_code: bool = False) -> Submission:
    """Checks and inserts a submission with its files. With ``query_code`` a new code is made,
    kept hashed, and left on the returned object as ``query_code`` (shown once, never stored).
    Nothing is read back: the portal's role may insert submissions, not select them."""
    if kind not in SubmissionKind.values:
        raise ValueError(f"unknown submission kind: {kind!r}")
    who = check_identity(name=name, id_number=id_number, phone=phone) if real_name else None
    if len(files) > MAX_FILES:
        raise ValidationError({"files": _("At most %(n)d files at once.") % {"n": MAX_FILES}})
    checked = []
    for file_name, file, material in files:
        try:
            checked.append((check_upload(file, allowed=DEFAULT_KINDS), file, material))
        except ValidationError as e:
            raise ValidationError({"files": f"{file_name}: {' '.join(e.messages)}"}) from None
    code = new_code(QUERY_CODE_LENGTH) if query_code else ""
    for attempt in (1, 2, 3):
        reference = _new_reference(kind)
        try:
            with transaction.atomic():
                submission = _insert(kind, reference, payload, who, code, address)
                _insert_files(submission, checked)
            break
        except IntegrityError:
            if attempt == 3:
                raise
    submission.query_code = code  # type: ignore[attr-defined]
    return submission


def _insert(kind: str, reference: str, payload: dict[str, Any], who: Identity | None, code: str,
            address: str) -> Submission:
    def seal(field: str, value: str) -> str:
        return sealing.seal_text(value, context=_context(reference, field)) if value else ""

    return Submission.objects.create(
        kind=kind, reference=reference, payload=payload, created_at=timezone.now(),
        name_sealed=seal("name", who.name) if who else "", id_sealed=seal("id", who.id_number) if who else "",
        phone_sealed=seal("phone", who.phone) if who else "",
        id_kind=(id_kind(who.id_number) or "") if who else "",
        query_code_hash=make_password(code) if code else "", address_hash=address_hash(address))


def _insert_files(submission: Submission, checked: Iterable[tuple[Any, IO[bytes], str]]) -> None:
    for position, (info, file, material) in enumerate(checked):
        file.seek(0)
        context = _context(submission.reference, f"file{position}")
        SubmissionFile.objects.create(
            submission=submission, position=position, material=material[:40], name=info.name[:200], kind=info.kind, size=info.size,
            sm3=info.sm3, content_sealed=sealing.seal_bytes(file.read(), context=context))


# --- the intranet's side ---

def identity_of(submission: Submission) -> Identity:
    """The real-name fields in clear (needs the private key: the intranet only)."""
    def unseal(field: str, token: str) -> str:
        return sealing.open_text(token, context=_context(submission.reference, field)) if token else ""

    return Identity(name=unseal("name", submission.name_sealed), id_number=unseal("id", submission.id_sealed),
                    phone=unseal("phone", submission.phone_sealed))


def file_content(file: SubmissionFile) -> bytes:
    """An uploaded file's bytes (the intranet only)."""
    context = _context(file.submission.reference, f"file{file.position}")
    return sealing.open_bytes(bytes(file.content_sealed), context=context)


def waiting(kind: str | None = None) -> QuerySet[Submission]:
    """Submissions not taken up yet, oldest first."""
    rows = Submission.objects.filter(take_up__isnull=True).order_by("created_at", "pk")
    return rows.filter(kind=kind) if kind else rows


def take_up(submission: Submission, *, by: int | None, state: str = TakeUpState.TAKEN,
            outcome: str = "") -> SubmissionTakeUp:
    """Records (or updates) the intranet's take-up of a submission."""
    take, _created = SubmissionTakeUp.objects.update_or_create(
        submission=submission,
        defaults={"state": state, "taken_up_at": timezone.now(), "taken_up_by": by, "outcome": outcome[:200]})
    return take
