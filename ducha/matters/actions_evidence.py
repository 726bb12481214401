"""佐证材料: files a unit attaches to a monthly report line or a completion claim (S2.6, S1.2).

Never demanded (减负): a line or a claim without a file is complete. A file that is given is
checked like every upload (``security.uploads``: type by content, size and zip limits) before
anything is written, so a refused file leaves the line or the claim unsaved and says why.
The stored name is random; the name the person chose is kept for the page and the download.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ducha.audit.api import record
from ducha.matters.access import access_matter_by_id, actor_kinds
from ducha.matters.errors import ConcurrentChange, MatterError
from ducha.matters.models import Evidence, EvidenceKind, Matter, MatterEvent, Status
from ducha.org.models import User
from ducha.rules.lifecycle import Actor
from ducha.security.uploads import CheckedUpload, check_upload

EVIDENCE_KINDS = frozenset({"pdf", "ofd", "docx", "xlsx", "png", "jpg"})


def check_evidence(upload: Any) -> tuple[CheckedUpload | None, str]:
    """The checked file, or None and the message naming what is wrong with it."""
    try:
        return check_upload(upload, allowed=EVIDENCE_KINDS), ""
    except ValidationError as e:
        return None, _("Evidence file: %(problem)s") % {"problem": " ".join(e.messages)}


def attach_evidence(*, actor: User, matter: Matter, unit_id: int, upload: Any, checked: CheckedUpload,
                    kind: str, month: str = "") -> Evidence:
    """Keep a checked file with the matter; call inside the transaction of the step it comes with."""
    suffix = {"jpg": ".jpg"}.get(checked.kind, f".{checked.kind}")
    evidence = Evidence(matter=matter, unit_id=unit_id, kind=kind, month=month, name=checked.name[:200],
                        content_kind=checked.kind, size=checked.size, sm3=checked.sm3, uploaded_by=actor)
    upload.seek(0)
    evidence.file.save(f"{uuid.uuid4().hex}{suffix}", upload, save=False)
    evidence.save()
    MatterEvent.objects.create(matter=matter, actor=actor, action="evidence_add",
                               data={"name": evidence.name, "kind": kind, "month": month, "evidence": evidence.pk})
    record(actor=actor, action="matter.evidence_add", obj_type="matters.Matter", obj_id=matter.pk, before=None,
           after={"evidence": evidence.pk, "name": evidence.name, "kind": kind, "sm3": checked.sm3,
                  "bytes": checked.size})
    return evidence


def do_attach_claim_evidence(*, actor: User, matter_id: int, upload: Any) -> Evidence:
    """A file for the completion claim the lead unit has made, while the office has not yet
    decided on it (the claim itself may carry one too; this adds what came later)."""
    matter = access_matter_by_id(actor, matter_id)
    if Actor.LEAD_UNIT not in actor_kinds(actor, matter):
        raise MatterError(_("Only the lead unit adds evidence to its completion claim."))
    if matter.status != Status.CLAIMED:
        raise MatterError(_("Evidence goes with a completion claim, and this matter is not awaiting its closing."))
    checked, problem = check_evidence(upload)
    if checked is None:
        raise MatterError({"evidence": problem})
    with transaction.atomic():
        if not Matter.objects.filter(pk=matter.pk, status=Status.CLAIMED).update(updated_at=timezone.now()):
            raise ConcurrentChange(_("Someone else changed this matter; reload."))
        return attach_evidence(actor=actor, matter=matter, unit_id=matter.lead_unit_id, upload=upload,
                               checked=checked, kind=EvidenceKind.CLAIM)
