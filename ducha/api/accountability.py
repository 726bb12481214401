"""The accountability register (问责, S1.16) over the API, under the register pages' rules.

Records are read within ``unit_scope`` (the city-wide offices and the mayor all, a vice mayor
the portfolio's, a unit its own, administrators none; anything else is a 404). The
supervision office registers records, answers appeals and records what became of a
consequence; a unit's administrator appeals its unit's records; another caller is refused
with 403. Each consequence says which records it counted, so the ladder can be checked.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from django.http import Http404, HttpRequest
from ninja import Field, Path, Query, Router, Schema, Status

from ducha.accountability import actions
from ducha.accountability.access import access_record_by_id, visible_consequences, visible_records
from ducha.accountability.models import Consequence, Record
from ducha.accountability.special import candidates, decisions, judged_on
from ducha.accountability.summary import unit_accountability
from ducha.api.common import ERRORS, keyset_page, refuse
from ducha.api.schemas import MAX_YEAR, MIN_YEAR, AfterId, Error, MatterRef, PersonRef, RowId, UnitRef
from ducha.org.access import access_unit_by_id, business_reader
from ducha.org.roles import CITY_WIDE_ROLES
from ducha.rules.periods import Period
from ducha.workcal import service as workcal

router = Router(tags=["accountability"])


class ConsequenceOut(Schema):
    id: int
    rung: str = Field(description="admonishment_talk (诫勉谈话) or sanction_referral (建议给予处分)")
    person: PersonRef
    count: int = Field(description="records of the unit counted in the window when it was raised")
    records: list[int] = Field(description="the ids of those records")
    window_start: date
    window_end: date
    due_on: date
    state: str = Field(description="due, done, not_adopted or withdrawn")
    outcome: str
    sanction: str = Field(description="the sanction decided (warning … expulsion), when a referral was done")
    sanction_from: date | None
    sanction_until: date | None = Field(description="computed: the kind's statutory period, plus what was left of "
                                                    "one still running, at most 48 months")
    period_explained: str


class RecordOut(Schema):
    id: int
    unit: UnitRef
    people: list[PersonRef]
    cause: str
    matter: MatterRef | None
    reason: str
    form: str
    deciding_body: str
    document_number: str
    decided_on: date
    appeal: str = Field(description="'' (none), pending, upheld or dismissed")
    appeal_reason: str
    appeal_answer: str
    appeal_deadline: date | None
    revoked: bool
    consequences: list[ConsequenceOut]


class RecordPage(Schema):
    items: list[RecordOut]
    next_after: int | None


class RecordFilters(Schema):
    year: int | None = Field(None, ge=MIN_YEAR, le=MAX_YEAR, description="by the year of the decision")
    unit: RowId | None = None
    after: AfterId | None = None
    limit: int = Field(50, ge=1, le=200)


class RecordIn(Schema):
    unit_id: RowId
    people_ids: list[RowId] = Field(min_length=1, description="the unit's principal and/or leader in charge")
    cause: str = Field(description="matter, finding, case or other")
    matter_id: RowId | None = None
    reason: str = Field(max_length=2000)
    form: str = Field(description="notice (通报), admonishment (诫勉), organisational (组织调整或者组织处理) or "
                                  "discipline (纪律处分, referred)")
    deciding_body: str = Field(max_length=100)
    document_number: str = Field(max_length=60)
    decided_on: date
    special_quarter: str | None = Field(None, pattern=r"^[12][0-9]{3}-Q[1-4]$",
                                        description="the quarter whose special accountability this record decides for "
                                                    "its matter (a candidate of GET /accountability/special/{quarter})")


class AppealIn(Schema):
    reason: str = Field(max_length=2000)


class AppealDecisionIn(Schema):
    upheld: bool
    answer: str = Field(max_length=2000)


class OutcomeIn(Schema):
    state: str = Field(description="done or not_adopted")
    outcome: str = Field(max_length=2000)
    sanction: str = Field("", description="for a referral done: warning, demerit, major_demerit, demotion, "
                                          "dismissal or expulsion")
    sanction_number: str = Field("", max_length=60)
    sanction_from: date | None = None


class RecordPath(Schema):
    record_id: RowId


class ConsequencePath(Schema):
    consequence_id: RowId


class UnitYearPath(Schema):
    unit_id: RowId
    year: int = Field(ge=MIN_YEAR, le=MAX_YEAR)


class CountedOut(Schema):
    id: int
    document_number: str
    form: str
    decided_on: date


class RaisedOut(Schema):
    id: int
    rung: str
    person_id: int
    state: str
    raised_by: int
    records: list[int]
    due_on: date


class ConfirmedCaseOut(Schema):
    id: int
    conduct: str
    confirmed_on: date


class UnitYearOut(Schema):
    unit: UnitRef
    year: int
    count: int = Field(description="records decided that year that count (not revoked)")
    records: list[CountedOut]
    cases: list[ConfirmedCaseOut] = Field(description="efficiency cases confirmed that year (S1.14)")
    consequences: list[RaisedOut] = Field(description="raised by those records and not withdrawn, each with the "
                                                      "records behind it")


def consequence_out(c: Consequence) -> dict[str, Any]:
    return {"id": c.pk, "rung": c.rung, "person": c.person, "count": c.count, "records": c.records,
            "window_start": c.window_start, "window_end": c.window_end, "due_on": c.due_on, "state": c.state,
            "outcome": c.outcome, "sanction": c.sanction, "sanction_from": c.sanction_from,
            "sanction_until": c.sanction_until, "period_explained": c.period_explained}


def record_out(r: Record) -> dict[str, Any]:
    return {"id": r.pk, "unit": r.unit, "people": list(r.people.all()), "cause": r.cause, "matter": r.matter,
            "reason": r.reason, "form": r.form, "deciding_body": r.deciding_body,
            "document_number": r.document_number, "decided_on": r.decided_on, "appeal": r.appeal,
            "appeal_reason": r.appeal_reason, "appeal_answer": r.appeal_answer,
            "appeal_deadline": actions.appeal_deadline(r), "revoked": r.revoked,
            "consequences": [consequence_out(c) for c in r.consequences.all()]}


def _refused(step: Callable[[], object]) -> Any:
    """Run the action; its refusal as a 403 (another role's step) or 400 (bad input), else None."""
    try:
        step()
    except actions.NotYours as e:
        return refuse(403, e.errors)
    except actions.AccountabilityError as e:
        return refuse(400, e.errors)
    return None


def _full(qs: Any) -> Any:
    return qs.select_related("unit", "matter").prefetch_related("people", "consequences__person")


@router.get("/accountability/records", response={200: RecordPage, **ERRORS})
def list_records(request: HttpRequest, filters: Query[RecordFilters]) -> Any:
    """The records in the caller's scope, newest id last, by keyset."""
    qs = visible_records(business_reader(request))
    if filters.year is not None:
        qs = qs.filter(decided_on__year=filters.year)
    if filters.unit is not None:
        qs = qs.filter(unit_id=filters.unit)
    rows, next_after = keyset_page(_full(qs), filters.after, filters.limit)
    return {"items": [record_out(r) for r in rows], "next_after": next_after}


@router.post("/accountability/records", response={201: RecordOut, 400: Error, 403: Error, **ERRORS})
def create_record(request: HttpRequest, payload: RecordIn) -> Any:
    """Register a record (the supervision office). The consequences the ladder raises come back
    with it; 400 names each bad field and registers nothing."""
    user = business_reader(request)
    data = actions.RecordInput(
        unit_id=payload.unit_id, people_ids=tuple(payload.people_ids), cause=payload.cause,
        matter_id=payload.matter_id, reason=payload.reason, form=payload.form, deciding_body=payload.deciding_body,
        document_number=payload.document_number, decided_on=payload.decided_on)
    special = Period.parse(payload.special_quarter) if payload.special_quarter else None
    try:
        row = actions.do_register_record(actor=user, data=data, special=special)
    except actions.NotYours as e:
        return refuse(403, e.errors)
    except actions.AccountabilityError as e:
        return refuse(400, e.errors)
    return Status(201, record_out(_full(Record.objects.filter(pk=row.pk)).get()))


@router.get("/accountability/records/{record_id}", response={200: RecordOut, **ERRORS})
def get_record(request: HttpRequest, path: Path[RecordPath]) -> Any:
    user = business_reader(request)
    access_record_by_id(user, path.record_id)
    return record_out(_full(visible_records(user).filter(pk=path.record_id)).get())


@router.post("/accountability/records/{record_id}/appeal", response={200: RecordOut, 400: Error, 403: Error, **ERRORS})
def appeal_record(request: HttpRequest, path: Path[RecordPath], payload: AppealIn) -> Any:
    """The unit's administrator appeals, within the appeal period (``appeal_deadline``)."""
    user = business_reader(request)
    record = access_record_by_id(user, path.record_id)
    refused = _refused(lambda: actions.do_appeal_record(actor=user, record=record, reason=payload.reason))
    return refused or record_out(_full(Record.objects.filter(pk=record.pk)).get())


@router.post("/accountability/records/{record_id}/appeal-decision",
             response={200: RecordOut, 400: Error, 403: Error, **ERRORS})
def decide_appeal(request: HttpRequest, path: Path[RecordPath], payload: AppealDecisionIn) -> Any:
    """Answer a pending appeal (the supervision office). Upheld revokes the record and withdraws
    the consequences the ladder no longer supports, each with the reason."""
    user = business_reader(request)
    record = access_record_by_id(user, path.record_id)
    refused = _refused(lambda: actions.do_decide_appeal(actor=user, record=record, upheld=payload.upheld,
                                                        answer=payload.answer))
    return refused or record_out(_full(Record.objects.filter(pk=record.pk)).get())


@router.post("/accountability/consequences/{consequence_id}/outcome",
             response={200: ConsequenceOut, 400: Error, 403: Error, **ERRORS})
def settle_consequence(request: HttpRequest, path: Path[ConsequencePath], payload: OutcomeIn) -> Any:
    """What became of a consequence (the supervision office): the talk held, the sanction
    decided (its period computed), or not adopted with the reason."""
    user = business_reader(request)
    c = visible_consequences(user).filter(pk=path.consequence_id).first()
    if c is None:
        raise Http404("No such consequence")
    data = actions.Settlement(state=payload.state, outcome=payload.outcome, sanction=payload.sanction,
                              sanction_number=payload.sanction_number, sanction_from=payload.sanction_from)
    refused = _refused(lambda: actions.do_settle_consequence(actor=user, consequence=c, data=data))
    return refused or consequence_out(Consequence.objects.select_related("person").get(pk=c.pk))


@router.get("/units/{unit_id}/accountability/{year}", response={200: UnitYearOut, **ERRORS})
def unit_year(request: HttpRequest, path: Path[UnitYearPath]) -> Any:
    """The unit's records counted that year and the consequences they raised, each with the
    records behind it: what the performance evaluation reads."""
    user = business_reader(request)
    unit = access_unit_by_id(user, path.unit_id)
    facts = unit_accountability([unit.pk], date(path.year, 1, 1), date(path.year, 12, 31)).get(unit.pk)
    records = facts.records if facts else []
    consequences = facts.consequences if facts else []
    return {"unit": unit, "year": path.year, "count": len(records),
            "records": [vars(r) for r in records], "cases": [vars(c) for c in (facts.cases if facts else [])],
            "consequences": [{**vars(c), "records": list(c.records)} for c in consequences]}


class QuarterPath(Schema):
    quarter: str = Field(pattern=r"^[12][0-9]{3}-Q[1-4]$", description="such as 2026-Q3")


class CandidateOut(Schema):
    matter: MatterRef
    lead_unit: UnitRef
    due_date: date


class SpecialDecisionOut(Schema):
    matter: MatterRef
    outcome: str = Field(description="held (a record registered) or not_held")
    record_id: int | None
    reason: str
    decided_by: PersonRef
    decided_at: datetime


class SpecialOut(Schema):
    quarter: str
    judged_on: date = Field(description="the quarter's last day, or today while it runs")
    candidates: list[CandidateOut] = Field(description="still to be decided")
    decisions: list[SpecialDecisionOut]


class NotHeldIn(Schema):
    matter_id: RowId
    reason: str = Field(max_length=2000)


def _special(quarter: Period) -> dict[str, Any]:
    today = workcal.today()
    return {"quarter": quarter.key, "judged_on": judged_on(quarter, today),
            "candidates": [{"matter": m, "lead_unit": m.lead_unit, "due_date": m.due_date}
                           for m in candidates(quarter, today)],
            "decisions": [{"matter": d.matter, "outcome": d.outcome, "record_id": d.record_id, "reason": d.reason,
                           "decided_by": d.decided_by, "decided_at": d.decided_at} for d in decisions(quarter)]}


def _city_reader(request: HttpRequest) -> Any:
    user = business_reader(request)
    if user.role not in CITY_WIDE_ROLES:
        raise Http404("No special accountability for this account")
    return user


@router.get("/accountability/special/{quarter}", response={200: SpecialOut, **ERRORS})
def get_special(request: HttpRequest, path: Path[QuarterPath]) -> Any:
    """每季度专项问责: the quarter's candidates (key-work matters overdue with the reminder
    ladder's last rung reached) and the decisions taken. The city-wide offices."""
    _city_reader(request)
    return _special(Period.parse(path.quarter))


@router.post("/accountability/special/{quarter}/not-held",
             response={200: SpecialOut, 400: Error, 403: Error, **ERRORS})
def decline_special(request: HttpRequest, path: Path[QuarterPath], payload: NotHeldIn) -> Any:
    """Decide a candidate is not held to account, with the reason (the supervision office). To
    hold it, register a record with ``special_quarter``."""
    user = _city_reader(request)
    quarter = Period.parse(path.quarter)
    refused = _refused(lambda: actions.do_decline_special(actor=user, quarter=quarter, matter_id=payload.matter_id,
                                                          reason=payload.reason))
    return refused or _special(quarter)
