"""Evidence files (佐证材料) of a matter: the list, each file, and adding one to a report line
or a completion claim (S1.2, S2.6). Always optional (减负): nothing here is required by any
other step. Whoever sees the matter reads its files; the unit that wrote the line or made the
claim adds them, while the report can still be changed or the claim awaits the office.
Uploads are ``multipart/form-data`` with one part named ``file``, checked as on the pages.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, File, Path, Router, Schema, Status
from ninja.files import UploadedFile

from ducha.api.common import BINARY, ERRORS, caller, refuse
from ducha.api.letters import reader
from ducha.api.schemas import MAX_YEAR, MIN_YEAR, Error, PersonRef, RowId, UnitRef
from ducha.matters.access import access_matter_by_id, actor_kinds
from ducha.matters.actions_evidence import do_attach_claim_evidence
from ducha.matters.errors import ConcurrentChange, MatterError
from ducha.matters.models import Evidence, EvidenceKind
from ducha.matters.views_evidence import CONTENT_TYPES, evidence_download
from ducha.reports.access import can_write_report
from ducha.reports.actions import ConcurrentChange as ReportConflict
from ducha.reports.actions import ReportError, do_attach_report_evidence
from ducha.rules.lifecycle import Actor

router = Router(tags=["evidence"])
WRITES = {400: Error, 403: Error, 409: Error, **ERRORS}
EvidenceKindCode = EvidenceKind


class EvidenceOut(Schema):
    id: int
    kind: EvidenceKindCode
    month: str
    name: str
    content_kind: str
    size: int
    sm3: str
    unit: UnitRef
    uploaded_by: PersonRef
    uploaded_at: datetime
    url: str


class LinePath(Schema):
    unit_id: RowId
    year: int = Field(ge=MIN_YEAR, le=MAX_YEAR)
    month: int = Field(ge=1, le=12)
    matter_id: RowId


def _out(e: Evidence) -> dict[str, Any]:
    return {"id": e.pk, "kind": e.kind, "month": e.month, "name": e.name, "content_kind": e.content_kind,
            "size": e.size, "sm3": e.sm3, "unit": {"id": e.unit_id, "name": e.unit.name},
            "uploaded_by": {"id": e.uploaded_by_id, "name": e.uploaded_by.name or e.uploaded_by.username},
            "uploaded_at": e.uploaded_at, "url": f"/api/evidence/{e.pk}/file"}


@router.get("/matters/{matter_id}/evidence", response={200: list[EvidenceOut], **ERRORS})
def list_evidence(request: HttpRequest, matter_id: RowId) -> Any:
    """The matter's files, oldest first, with who added them and their SM3 digest."""
    matter = access_matter_by_id(reader(request), matter_id)
    return [_out(e) for e in matter.evidence.select_related("unit", "uploaded_by").order_by("uploaded_at", "id")]


@router.get("/evidence/{evidence_id}/file", response={**ERRORS}, openapi_extra={"responses": {200: {
    "description": "the file as uploaded, always as a download", "content": {t: BINARY for t in CONTENT_TYPES.values()}}}})
def evidence_file(request: HttpRequest, evidence_id: RowId) -> Any:
    return evidence_download(reader(request), evidence_id)


@router.post("/matters/{matter_id}/claim/evidence", response={201: EvidenceOut, **WRITES})
def add_claim_evidence(request: HttpRequest, matter_id: RowId, file: File[UploadedFile]) -> Any:
    """A file for the lead unit's completion claim while the office has not decided on it."""
    user = caller(request)
    try:
        evidence = do_attach_claim_evidence(actor=user, matter_id=matter_id, upload=file)
    except ConcurrentChange as e:
        return refuse(409, e.errors)
    except MatterError as e:
        lead = Actor.LEAD_UNIT in actor_kinds(user, access_matter_by_id(user, matter_id))
        return refuse(400 if lead else 403, e.errors)
    return Status(201, _out(evidence))


@router.post("/units/{unit_id}/reports/{year}/{month}/items/{matter_id}/evidence", response={201: EvidenceOut, **WRITES})
def add_line_evidence(request: HttpRequest, path: Path[LinePath], file: File[UploadedFile]) -> Any:
    """A file for a line already saved in the unit's report, while the report can be changed."""
    user = caller(request)
    try:
        evidence = do_attach_report_evidence(actor=user, unit_id=path.unit_id, year=path.year, month=path.month,
                                             matter_id=path.matter_id, upload=file)
    except ReportConflict as e:
        return refuse(409, e.errors)
    except ReportError as e:
        return refuse(400 if can_write_report(user, path.unit_id) else 403, e.errors)
    return Status(201, _out(evidence))
