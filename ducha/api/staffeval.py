"""The internal evaluation (内部考评, S2.5, S6.2) over the API, under its pages' rules: a unit's
administrator reads and writes the unit's internal ledger, monthly reviews and staff
evaluations; its staff read the ledger, the reviews and, once confirmed, their own line with
the unit's counts; the organisation and personnel office reads every unit's and confirms or
returns a submitted evaluation. City leaders and the city offices read none (personal data):
404, as for what does not exist. Every evaluation comes with its 优秀 quota and the quota's
explanation, e.g. "unit grade 优秀 → 25 % of 12 staff = 3"."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Field, Path, Query, Router, Schema, Status

from ducha.api.common import ERRORS, MONTH_PATTERN, keyset_page, refuse
from ducha.api.schemas import AfterId, Error, RowId, UnitRef
from ducha.org.access import business_reader
from ducha.org.models import User
from ducha.staffeval import actions
from ducha.staffeval.access import (
    access_evaluation_by_id,
    access_unit_by_id,
    is_unit_admin_of,
    visible_evaluations,
    visible_lines,
)
from ducha.staffeval.ledger import ledger_items
from ducha.staffeval.models import MonthlyReview, StaffEvaluation
from ducha.staffeval.quota import source_note
from ducha.staffeval.summary import grade_counts, reviews_of
from ducha.workcal import service as workcal

router = Router(tags=["staffeval"])
CONFIRM_SUBMIT = "true to submit: the organisation and personnel office is told; the quota is frozen"


class StaffLedgerItemOut(Schema):
    assignment_id: int
    matter_id: int
    number: str
    title: str
    status: str = Field(description="the matter's status code")
    task: str
    section_id: int | None
    person_id: int | None
    due: date | None = Field(description="the unit's due date for its part")
    done_on: date | None
    done: bool
    on_time: bool = Field(description="done on or before the due date")
    overdue: bool = Field(description="not done and the due date has passed")


class StaffLedgerOut(Schema):
    unit: UnitRef
    year: int
    items: list[StaffLedgerItemOut]


class StaffLedgerQuery(Schema):
    year: int | None = Field(None, ge=2000, le=2999)


class StaffReviewOut(Schema):
    id: int
    section_id: int
    section: str
    month: str
    reviewed: str
    points: int | None
    problems: str
    next_steps: str
    recorded_at: datetime


class StaffReviewIn(Schema):
    section_id: RowId
    month: str = Field(pattern=MONTH_PATTERN, description="this month, e.g. 2026-05: a past month is frozen")
    reviewed: str = Field(max_length=2000)
    points: int | None = Field(None, ge=0, le=100)
    problems: str = Field("", max_length=2000)
    next_steps: str = Field("", max_length=2000)


class StaffQuotaOut(Schema):
    unit_grade: str = Field(description="the unit's annual grade (excellent, good, fair, poor); empty: none yet")
    share: Decimal
    staff: int
    quota: int = Field(description="the most staff who may be graded 优秀")
    explanation: str
    source: str
    frozen: bool = Field(description="true once submitted")


class StaffLineOut(Schema):
    person_id: int
    name: str
    section_id: int | None
    assigned: int
    done: int
    on_time: int
    overdue: int
    reviews: int = Field(description="the monthly reviews of the person's section in the year")
    grade: str = Field(description="excellent, competent, basic, incompetent; empty: not graded yet")
    reason: str


class StaffGradeCountOut(Schema):
    grade: str
    count: int


class StaffEvaluationOut(Schema):
    id: int
    unit: UnitRef
    year: int
    state: str = Field(description="draft, submitted, returned or confirmed")
    return_reason: str
    quota: StaffQuotaOut
    counts: list[StaffGradeCountOut] = Field(description="over all the lines, also those the caller does not read")
    lines: list[StaffLineOut] = Field(description="the lines the caller reads: a member of staff only their own")


class StaffEvaluationPage(Schema):
    items: list[StaffEvaluationOut]
    next_after: int | None


class StaffEvaluationFilters(Schema):
    year: int | None = Field(None, ge=2000, le=2999)
    after: AfterId | None = None
    limit: int = Field(20, ge=1, le=50)


class StaffEvaluationIn(Schema):
    year: int = Field(ge=2000, le=2999, description="this year or the one before")


class StaffGradeIn(Schema):
    person_id: RowId
    grade: str = Field(max_length=12, description="excellent, competent, basic, incompetent; empty clears")
    reason: str = Field("", max_length=300, description="required for basic and incompetent")


class StaffGradesIn(Schema):
    grades: list[StaffGradeIn] = Field(max_length=2000)


class StaffSubmitIn(Schema):
    confirm: bool = Field(False, description=CONFIRM_SUBMIT)


class StaffReturnIn(Schema):
    reason: str = Field(max_length=2000)


class StaffUnitPath(Schema):
    unit_id: RowId


class StaffEvaluationPath(Schema):
    evaluation_id: RowId


def evaluation_out(ev: StaffEvaluation, user: User) -> dict[str, Any]:
    q = actions.quota_of(ev)
    return {
        "id": ev.pk, "unit": ev.unit, "year": ev.year, "state": ev.state, "return_reason": ev.return_reason,
        "quota": {"unit_grade": q.grade, "share": q.share, "staff": q.staff, "quota": q.quota,
                  "explanation": q.explain(), "source": source_note(), "frozen": actions.frozen_quota(ev) is not None
                  and ev.state not in ("draft", "returned")},
        "counts": [{"grade": c.grade, "count": c.count} for c in grade_counts(ev)],
        "lines": [{"person_id": ln.person_id, "name": ln.person.name, "section_id": ln.section_id,
                   "assigned": ln.assigned, "done": ln.done, "on_time": ln.on_time, "overdue": ln.overdue,
                   "reviews": ln.reviews, "grade": ln.grade, "reason": ln.reason}
                  for ln in visible_lines(user, ev).order_by("person_id")],
    }


def review_out(r: MonthlyReview) -> dict[str, Any]:
    return {"id": r.pk, "section_id": r.section_id, "section": r.section.name, "month": r.month,
            "reviewed": r.reviewed, "points": r.points, "problems": r.problems, "next_steps": r.next_steps,
            "recorded_at": r.recorded_at}


def _refused(step: Callable[[], object]) -> Any:
    try:
        step()
    except actions.NotYours as e:
        return refuse(403, e.errors)
    except actions.StaffEvalError as e:
        return refuse(400, e.errors)
    return None


@router.get("/staff-evaluation/units/{unit_id}/ledger", response={200: StaffLedgerOut, **ERRORS})
def get_ledger(request: HttpRequest, path: Path[StaffUnitPath], query: Query[StaffLedgerQuery]) -> Any:
    """The unit's internal ledger of a ledger year: each item given to a section or a person."""
    user = business_reader(request)
    unit = access_unit_by_id(user, path.unit_id)
    today = workcal.today()
    year = query.year or today.year
    items = ledger_items(unit.pk, year, today)
    return {"unit": unit, "year": year, "items": [
        {"assignment_id": i.assignment_id, "matter_id": i.matter_id, "number": i.number, "title": i.title,
         "status": i.status, "task": i.task, "section_id": i.section_id, "person_id": i.person_id, "due": i.due,
         "done_on": i.done_on, "done": i.done, "on_time": i.on_time, "overdue": i.overdue} for i in items]}


@router.get("/staff-evaluation/units/{unit_id}/reviews", response={200: list[StaffReviewOut], **ERRORS})
def list_reviews(request: HttpRequest, path: Path[StaffUnitPath], query: Query[StaffLedgerQuery]) -> Any:
    """The unit's monthly reviews (一月一讲评) of a year, the latest month first."""
    user = business_reader(request)
    unit = access_unit_by_id(user, path.unit_id)
    return [review_out(r) for r in reviews_of(unit.pk, query.year or workcal.today().year)]


@router.post("/staff-evaluation/reviews", response={200: StaffReviewOut, 400: Error, 403: Error, **ERRORS})
def record_review(request: HttpRequest, payload: StaffReviewIn) -> Any:
    """Record or correct a section's review of this month (the unit's administrator)."""
    user = business_reader(request)
    made: list[MonthlyReview] = []
    refused = _refused(lambda: made.append(actions.do_record_monthly_review(actor=user, data=actions.ReviewInput(
        section_id=payload.section_id, month=payload.month, reviewed=payload.reviewed, points=payload.points,
        problems=payload.problems, next_steps=payload.next_steps))))
    return refused or review_out(made[0])


@router.get("/staff-evaluation/evaluations", response={200: StaffEvaluationPage, **ERRORS})
def list_evaluations(request: HttpRequest, filters: Query[StaffEvaluationFilters]) -> Any:
    user = business_reader(request)
    qs = visible_evaluations(user).select_related("unit")
    if filters.year:
        qs = qs.filter(year=filters.year)
    rows, next_after = keyset_page(qs, filters.after, filters.limit)
    return {"items": [evaluation_out(e, user) for e in rows], "next_after": next_after}


@router.post("/staff-evaluation/evaluations", response={201: StaffEvaluationOut, 400: Error, 403: Error, **ERRORS})
def start_evaluation(request: HttpRequest, payload: StaffEvaluationIn) -> Any:
    """Start the unit's evaluation of a year (its administrator), drafted from the internal ledger."""
    user = business_reader(request)
    made: list[StaffEvaluation] = []
    refused = _refused(lambda: made.append(actions.do_start_staff_evaluation(actor=user, year=payload.year)))
    return refused or Status(201, evaluation_out(access_evaluation_by_id(user, made[0].pk), user))


@router.get("/staff-evaluation/evaluations/{evaluation_id}", response={200: StaffEvaluationOut, **ERRORS})
def get_evaluation(request: HttpRequest, path: Path[StaffEvaluationPath]) -> Any:
    user = business_reader(request)
    return evaluation_out(access_evaluation_by_id(user, path.evaluation_id), user)


def _on(request: HttpRequest, evaluation_id: int, step: Callable[[User, StaffEvaluation], object]) -> Any:
    user = business_reader(request)
    ev = access_evaluation_by_id(user, evaluation_id)
    refused = _refused(lambda: step(user, ev))
    return refused or evaluation_out(access_evaluation_by_id(user, ev.pk), user)


@router.post("/staff-evaluation/evaluations/{evaluation_id}/grades",
             response={200: StaffEvaluationOut, 400: Error, 403: Error, **ERRORS})
def grade_staff(request: HttpRequest, path: Path[StaffEvaluationPath], payload: StaffGradesIn) -> Any:
    """Propose grades (the unit's administrator); 优秀 within the quota."""
    grades = [actions.GradeInput(g.person_id, g.grade, g.reason) for g in payload.grades]
    return _on(request, path.evaluation_id,
               lambda user, ev: actions.do_grade_staff(actor=user, evaluation=ev, grades=grades))


@router.post("/staff-evaluation/evaluations/{evaluation_id}/redraft",
             response={200: StaffEvaluationOut, 400: Error, 403: Error, **ERRORS})
def redraft_evaluation(request: HttpRequest, path: Path[StaffEvaluationPath]) -> Any:
    """Read the internal ledger again, keeping the grades proposed (the unit's administrator)."""
    return _on(request, path.evaluation_id,
               lambda user, ev: actions.do_redraft_staff_evaluation(actor=user, evaluation=ev))


@router.post("/staff-evaluation/evaluations/{evaluation_id}/submit",
             response={200: StaffEvaluationOut, 400: Error, 403: Error, **ERRORS})
def submit_evaluation(request: HttpRequest, path: Path[StaffEvaluationPath], payload: StaffSubmitIn) -> Any:
    """Submit for confirmation (the unit's administrator). Needs ``"confirm": true``."""
    if not payload.confirm:
        user = business_reader(request)
        ev = access_evaluation_by_id(user, path.evaluation_id)
        if not is_unit_admin_of(user, ev.unit_id):
            return refuse(403, actions.only_admin())
        return refuse(400, {"confirm": actions.submit_effect(ev)})
    return _on(request, path.evaluation_id,
               lambda user, ev: actions.do_submit_staff_evaluation(actor=user, evaluation=ev))


@router.post("/staff-evaluation/evaluations/{evaluation_id}/confirm",
             response={200: StaffEvaluationOut, 400: Error, 403: Error, **ERRORS})
def confirm_evaluation(request: HttpRequest, path: Path[StaffEvaluationPath]) -> Any:
    """Confirm a submitted evaluation (the organisation and personnel office)."""
    return _on(request, path.evaluation_id,
               lambda user, ev: actions.do_confirm_staff_evaluation(actor=user, evaluation=ev))


@router.post("/staff-evaluation/evaluations/{evaluation_id}/return",
             response={200: StaffEvaluationOut, 400: Error, 403: Error, **ERRORS})
def return_evaluation(request: HttpRequest, path: Path[StaffEvaluationPath], payload: StaffReturnIn) -> Any:
    """Return a submitted evaluation to the unit with a reason (the organisation and personnel office)."""
    return _on(request, path.evaluation_id,
               lambda user, ev: actions.do_return_staff_evaluation(actor=user, evaluation=ev, reason=payload.reason))
