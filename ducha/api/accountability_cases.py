"""Efficiency cases (效能问题案件, S1.14) over the API, under the case pages' rules: the
city-wide offices read every case, a unit (and its vice mayor) its own once confirmed or not
confirmed; the supervision office opens cases, moves them on and dismisses the platform's
proposals (another caller: 403)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.http import Http404, HttpRequest
from ninja import Field, Path, Query, Router, Schema, Status

from ducha.accountability import actions_cases
from ducha.accountability.access import registers
from ducha.accountability.actions import AccountabilityError, NotYours
from ducha.accountability.cases import access_case_by_id, proposals, visible_cases
from ducha.accountability.models import Case
from ducha.api.common import ERRORS, keyset_page, refuse
from ducha.api.schemas import AfterId, Error, MatterRef, PersonRef, RowId, UnitRef
from ducha.org.access import business_reader

router = Router(tags=["accountability"])


class CaseStepOut(Schema):
    to_state: str
    actor: PersonRef
    note: str
    at: datetime


class CaseOut(Schema):
    id: int
    unit: UnitRef
    matter: MatterRef | None
    conduct: str = Field(description="inaction (不作为), slow (慢作为) or misconduct (乱作为)")
    source: str = Field(description="round, complaint, rating or platform")
    summary: str
    evidence: str
    state: str = Field(description="lead (线索), verifying (核查), confirmed (认定), not_confirmed (不予认定), "
                                   "handled (处理)")
    finding: str
    handling: str
    steps: list[CaseStepOut]


class CasePage(Schema):
    items: list[CaseOut]
    next_after: int | None


class CaseFilters(Schema):
    state: str | None = None
    unit: RowId | None = None
    after: AfterId | None = None
    limit: int = Field(50, ge=1, le=200)


class CaseIn(Schema):
    unit_id: RowId
    conduct: str
    source: str
    summary: str = Field(max_length=2000)
    evidence: str = Field("", max_length=2000)
    matter_id: RowId | None = None


class MoveIn(Schema):
    to_state: str = Field(description="the next state: verifying, confirmed, not_confirmed or handled")
    note: str = Field("", max_length=2000, description="required for confirmed, not_confirmed (the reasons) and "
                                                       "handled (the outcome)")


class CasePath(Schema):
    case_id: RowId


class CaseProposalOut(Schema):
    matter: MatterRef
    lead_unit: UnitRef
    reminder_id: int = Field(description="the reminder that proposes it (the ladder's last rung, or no progress)")


class CaseProposalDismissIn(Schema):
    matter_id: RowId
    reason: str = Field(max_length=2000)


def case_out(c: Case) -> dict[str, Any]:
    return {"id": c.pk, "unit": c.unit, "matter": c.matter, "conduct": c.conduct, "source": c.source,
            "summary": c.summary, "evidence": c.evidence, "state": c.state, "finding": c.finding,
            "handling": c.handling, "steps": [{"to_state": s.to_state, "actor": s.actor, "note": s.note, "at": s.at}
                                              for s in c.steps.all()]}


def _proposal(m: Any) -> dict[str, Any]:
    return {"matter": m, "lead_unit": m.lead_unit, "reminder_id": m.proposing}


def _one(case_id: int) -> dict[str, Any]:
    return case_out(Case.objects.select_related("unit", "matter").prefetch_related("steps__actor").get(pk=case_id))


def _refused(step: Callable[[], object]) -> Any:
    try:
        step()
    except NotYours as e:
        return refuse(403, e.errors)
    except AccountabilityError as e:
        return refuse(400, e.errors)
    return None


@router.get("/accountability/cases", response={200: CasePage, **ERRORS})
def list_cases(request: HttpRequest, filters: Query[CaseFilters]) -> Any:
    qs = visible_cases(business_reader(request)).select_related("unit", "matter").prefetch_related("steps__actor")
    if filters.state:
        qs = qs.filter(state=filters.state)
    if filters.unit is not None:
        qs = qs.filter(unit_id=filters.unit)
    rows, next_after = keyset_page(qs, filters.after, filters.limit)
    return {"items": [case_out(c) for c in rows], "next_after": next_after}


@router.post("/accountability/cases", response={201: CaseOut, 400: Error, 403: Error, **ERRORS})
def open_case(request: HttpRequest, payload: CaseIn) -> Any:
    """Open a case (the supervision office); from the platform's proposal: source platform and
    the matter named."""
    user = business_reader(request)
    opened: list[Case] = []
    refused = _refused(lambda: opened.append(actions_cases.do_open_case(actor=user, data=actions_cases.CaseInput(
        unit_id=payload.unit_id, conduct=payload.conduct, source=payload.source, summary=payload.summary,
        evidence=payload.evidence, matter_id=payload.matter_id))))
    return refused or Status(201, _one(opened[0].pk))


@router.get("/accountability/cases/{case_id}", response={200: CaseOut, **ERRORS})
def get_case(request: HttpRequest, path: Path[CasePath]) -> Any:
    return _one(access_case_by_id(business_reader(request), path.case_id).pk)


@router.post("/accountability/cases/{case_id}/moves", response={200: CaseOut, 400: Error, 403: Error, **ERRORS})
def move_case(request: HttpRequest, path: Path[CasePath], payload: MoveIn) -> Any:
    """Move the case one step (the supervision office); 400 names a step it cannot take."""
    user = business_reader(request)
    row = access_case_by_id(user, path.case_id)
    refused = _refused(lambda: actions_cases.do_move_case(actor=user, case=row, to_state=payload.to_state,
                                                          note=payload.note))
    return refused or _one(row.pk)


@router.get("/accountability/case-proposals", response={200: list[CaseProposalOut], **ERRORS})
def list_proposals(request: HttpRequest) -> Any:
    """What the platform proposes to open (the supervision office; 404 for anyone else)."""
    if not registers(business_reader(request)):
        raise Http404("No proposals for this account")
    return [_proposal(m) for m in proposals()[:500]]


@router.post("/accountability/case-proposals/dismissals", response={200: list[CaseProposalOut], 400: Error,
                                                                    403: Error, **ERRORS})
def dismiss_proposal(request: HttpRequest, payload: CaseProposalDismissIn) -> Any:
    user = business_reader(request)
    refused = _refused(lambda: actions_cases.do_dismiss_proposal(actor=user, matter_id=payload.matter_id,
                                                                 reason=payload.reason))
    return refused or [_proposal(m) for m in proposals()[:500]]
