"""The performance evaluation over the API (S6.1–S6.3), under the pages' rules: the performance
office reads every period and runs it; the approver reads a checked one and approves or returns
it; everyone who reads business data reads a published one; a unit's explanation is for the
offices, the approver, the leader whose scope holds it and the unit itself."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema, Status

from ducha.api.common import BINARY, DOCX, ERRORS, PDF, refuse, stored_file
from ducha.api.schemas import Error, RowId
from ducha.evaluation import actions as act
from ducha.evaluation.access import access_period_by_id, runs_evaluation, sees_explanation, visible_periods
from ducha.evaluation.actions_ratings import RatingEntry, do_enter_ratings
from ducha.evaluation.actions_sets import IndicatorSpec, do_make_set
from ducha.evaluation.models import Category, EvaluationPeriod, IndicatorSet, Objection
from ducha.evaluation.sources import LABELS
from ducha.evaluation.summary import current_lines, current_snapshot
from ducha.org.access import business_reader

router = Router(tags=["evaluation"])

PERIOD_PATTERN = r"^([Qq][1-4]|year)$"


class CategoryOut(Schema):
    id: int
    code: str
    name: str
    unit_ids: list[int]


class IndicatorOut(Schema):
    code: str
    name: str
    name_en: str
    parent: str | None
    weight: Decimal
    method: str = Field(description="rules.evaluation.Method; empty for a branch or an adjustment")
    source: str
    source_meaning: str
    params: dict[str, Any]
    is_adjustment: bool
    enters_total: bool = Field(description="an adjustment: whether it enters the total or only breaks ties")


class IndicatorSetOut(Schema):
    id: int
    category: str
    year: int
    version: int
    valid_from: date
    bonus_cap: Decimal
    deduction_cap: Decimal
    indicators: list[IndicatorOut]


class IndicatorIn(Schema):
    code: str = Field(max_length=40)
    name: str = Field(max_length=100)
    name_en: str = Field(max_length=100)
    weight: str = Field(description="points; children add up to their parent, the top level to 100")
    method: str = ""
    source: str = ""
    parent: str | None = None
    params: dict[str, Any] = Field(default_factory=dict, description="target, scale_max, step_percent, points_each, "
                                                                     "allow_over")
    is_adjustment: bool = False
    enters_total: bool = True


class IndicatorSetIn(Schema):
    category_id: RowId
    year: int = Field(ge=2000, le=2999)
    valid_from: date
    note: str = Field(max_length=300)
    bonus_cap: str
    deduction_cap: str
    indicators: list[IndicatorIn] = Field(min_length=1, max_length=200)


class SetQuery(Schema):
    year: int | None = Field(None, ge=2000, le=2999)


class RankingQuery(Schema):
    category: str = Field(description="the category's code, e.g. departments")


class RankingPath(Schema):
    year: int = Field(ge=2000, le=2999)
    period: str = Field(pattern=PERIOD_PATTERN, description="Q1–Q4, or year for the annual evaluation")


class BreakdownRow(Schema):
    code: str
    name: str
    name_en: str
    parent: str | None
    method: str
    weight: str | None
    value: str | None = Field(description="the raw value read from the source")
    note: str
    formula: str = Field(description="the arithmetic with its numbers")
    score: str
    records: list[dict[str, Any]] = Field(description="the records behind the value (at most 500; see records_total)")
    records_total: int


class UnitResultOut(Schema):
    unit_id: int
    unit_name: str
    rank: int
    grade: str = Field(description="excellent (优秀), good (良好), fair (一般) or poor (较差)")
    base: Decimal
    total: Decimal
    tie_break: Decimal
    totals_explained: dict[str, str]
    indicators: list[BreakdownRow] = Field(description="empty where the caller may not read the explanation")


class EvaluationOut(Schema):
    id: int
    category: str
    period: str
    state: str = Field(description="draft, checked, approved or published")
    indicator_set_id: int
    snapshot_version: int | None
    snapshot_reason: str
    inputs_as_of: date | None
    number: str
    files: dict[str, str]
    results: list[UnitResultOut]


class OpenIn(Schema):
    category_id: RowId
    period: str = Field(description="a finished quarter or year: 2026-Q3 or 2026")


class RescoreIn(Schema):
    reason: str = Field(max_length=300)


class EvaluationDecisionIn(Schema):
    approve: bool
    reason: str = Field("", max_length=2000)


class PublishIn(Schema):
    confirm: bool = Field(False, description="must be true: the ranking goes out in a numbered bulletin to "
                                             "every unit of the category; cannot be withdrawn")


class ObjectionIn(Schema):
    text: str = Field(max_length=2000)
    indicator: str = Field("", max_length=40)


class AnswerIn(Schema):
    upheld: bool
    answer: str = Field(max_length=2000)


class ObjectionOut(Schema):
    id: int
    unit_id: int
    indicator: str
    text: str
    state: str
    answer: str


class RatingsIn(Schema):
    period: str
    source: str = Field(description="leader_rating (a leader, units in scope), external_rating, public_rating or provincial_honours (the origin names the honour) "
                                    "(the performance office, with origin)")
    origin: str = Field("", max_length=120)
    scores: dict[str, str] = Field(description="unit id → score from 0 to 100")


class RatingsOut(Schema):
    recorded: int


class EvaluationPath(Schema):
    evaluation_id: RowId


class EvaluationFilePath(Schema):
    evaluation_id: RowId
    fmt: str = Field(pattern="^(docx|pdf)$")


class ObjectionPath(Schema):
    objection_id: RowId


def _out(ev: EvaluationPeriod, user: Any) -> dict[str, Any]:
    snap = current_snapshot(ev)
    results = []
    for line in current_lines(ev).select_related("unit"):
        shown = sees_explanation(user, ev, line.unit_id)
        results.append({"unit_id": line.unit_id, "unit_name": line.unit.name, "rank": line.rank, "grade": line.grade,
                        "base": line.base, "total": line.total, "tie_break": line.tie_break,
                        "totals_explained": line.breakdown["total"] if shown else {},
                        "indicators": line.breakdown["indicators"] if shown else []})
    files = {fmt: reverse("api:evaluation_file", kwargs={"evaluation_id": ev.pk, "fmt": fmt})
             for fmt, stored in (("docx", ev.docx), ("pdf", ev.pdf)) if stored}
    return {"id": ev.pk, "category": ev.category.code, "period": ev.period, "state": ev.state,
            "indicator_set_id": ev.indicator_set_id, "snapshot_version": snap.version if snap else None,
            "snapshot_reason": snap.reason if snap else "", "inputs_as_of": snap.as_of if snap else None,
            "number": ev.number, "files": files, "results": results}


def _step(user: Any, evaluation_id: int, step: Any) -> Any:
    ev = access_period_by_id(user, evaluation_id)
    try:
        step(ev)
    except act.NotYours as e:
        return refuse(403, e.errors)
    except act.EvaluationError as e:
        return refuse(400, e.errors)
    return _out(access_period_by_id(user, evaluation_id), user)


@router.get("/evaluation/categories", response={200: list[CategoryOut], **ERRORS})
def categories(request: HttpRequest) -> Any:
    business_reader(request)
    return [{"id": c.pk, "code": c.code, "name": c.name, "unit_ids": sorted(c.units.values_list("pk", flat=True))}
            for c in Category.objects.all()]


@router.get("/evaluation/sets", response={200: list[IndicatorSetOut], **ERRORS})
def indicator_sets(request: HttpRequest, query: Query[SetQuery]) -> Any:
    """Indicator sets, every version, with each indicator's method, source and parameters."""
    business_reader(request)
    sets = IndicatorSet.objects.select_related("category").prefetch_related("indicators__parent")
    if query.year:
        sets = sets.filter(year=query.year)
    return [_set_out(s) for s in sets[:100]]


def _set_out(s: IndicatorSet) -> dict[str, Any]:
    return {"id": s.pk, "category": s.category.code, "year": s.year, "version": s.version,
            "valid_from": s.valid_from, "bonus_cap": s.bonus_cap, "deduction_cap": s.deduction_cap,
            "indicators": [{"code": i.code, "name": i.name, "name_en": i.name_en,
                            "parent": i.parent.code if i.parent else None, "weight": i.weight, "method": i.method,
                            "source": i.source, "source_meaning": LABELS.get(i.source, ""), "params": i.params,
                            "is_adjustment": i.is_adjustment, "enters_total": i.enters_total}
                           for i in sorted(s.indicators.all(), key=lambda x: (x.position, x.pk))]}


@router.post("/evaluation/sets", response={201: IndicatorSetOut, 400: Error, 403: Error, **ERRORS})
def make_set(request: HttpRequest, payload: IndicatorSetIn) -> Any:
    """Save a new version of a category's set for a year (the performance office). Refused, with
    each problem by indicator code, when the weights do not add up, a method or source does not
    exist, or a source counts activity in the app (the 2024 burden-reduction rules)."""
    user = business_reader(request)
    category = Category.objects.filter(pk=payload.category_id).first()
    if category is None:
        return refuse(400, {"category_id": _("No evaluation category with id %(id)s.") % {"id": payload.category_id}})
    specs = [IndicatorSpec(**i.dict()) for i in payload.indicators]
    try:
        made = do_make_set(actor=user, category=category, year=payload.year, valid_from=payload.valid_from,
                           note=payload.note, bonus_cap=payload.bonus_cap, deduction_cap=payload.deduction_cap,
                           specs=specs)
    except act.NotYours as e:
        return refuse(403, e.errors)
    except act.EvaluationError as e:
        return refuse(400, e.errors)
    return Status(201, _set_out(made))


@router.get("/evaluation/{year}/{period}/ranking", response={200: EvaluationOut, **ERRORS})
def ranking(request: HttpRequest, path: Path[RankingPath], query: Query[RankingQuery]) -> Any:
    """A category's ranking for a quarter or the year: each unit's rank, grade, total and, where the
    caller may read it, the per-indicator breakdown (raw value, method, weight, formula, score and
    the records behind it)."""
    user = business_reader(request)
    key = str(path.year) if path.period == "year" else f"{path.year}-{path.period.upper()}"
    ev = visible_periods(user).filter(category__code=query.category, period=key).first()
    if ev is None:
        raise Http404("No such evaluation period")
    return _out(ev, user)


@router.post("/evaluation/periods", response={201: EvaluationOut, 400: Error, 403: Error, **ERRORS})
def open_period(request: HttpRequest, payload: OpenIn) -> Any:
    """Open a finished quarter or year of a category; it is scored at once as a draft."""
    user = business_reader(request)
    try:
        ev = act.do_open_evaluation(actor=user, category_id=payload.category_id, period_key=payload.period)
    except act.NotYours as e:
        return refuse(403, e.errors)
    except act.EvaluationError as e:
        return refuse(400, e.errors)
    return Status(201, _out(ev, user))


@router.get("/evaluation/periods/{evaluation_id}", response={200: EvaluationOut, **ERRORS})
def get_period(request: HttpRequest, path: Path[EvaluationPath]) -> Any:
    user = business_reader(request)
    return _out(access_period_by_id(user, path.evaluation_id), user)


@router.post("/evaluation/periods/{evaluation_id}/rescore", response={200: EvaluationOut, 400: Error, 403: Error,
                                                                       **ERRORS})
def rescore(request: HttpRequest, path: Path[EvaluationPath], payload: RescoreIn) -> Any:
    """Score again with today's inputs as a new version with the reason (after publication the
    units are told of the correction)."""
    user = business_reader(request)
    return _step(user, path.evaluation_id,
                 lambda ev: act.do_rescore_evaluation(actor=user, evaluation=ev, reason=payload.reason))


@router.post("/evaluation/periods/{evaluation_id}/check", response={200: EvaluationOut, 400: Error, 403: Error,
                                                                     **ERRORS})
def check(request: HttpRequest, path: Path[EvaluationPath]) -> Any:
    user = business_reader(request)
    return _step(user, path.evaluation_id, lambda ev: act.do_check_evaluation(actor=user, evaluation=ev))


@router.post("/evaluation/periods/{evaluation_id}/decision", response={200: EvaluationOut, 400: Error, 403: Error,
                                                                        **ERRORS})
def decide(request: HttpRequest, path: Path[EvaluationPath], payload: EvaluationDecisionIn) -> Any:
    user = business_reader(request)
    return _step(user, path.evaluation_id, lambda ev: act.do_decide_evaluation(
        actor=user, evaluation=ev, approve=payload.approve, reason=payload.reason))


@router.post("/evaluation/periods/{evaluation_id}/publish", response={200: EvaluationOut, 400: Error, 403: Error,
                                                                       **ERRORS})
def publish(request: HttpRequest, path: Path[EvaluationPath], payload: PublishIn) -> Any:
    """Publish an approved period. Needs ``"confirm": true``; without it the 400 says what it does."""
    user = business_reader(request)
    ev = access_period_by_id(user, path.evaluation_id)
    if not runs_evaluation(user):
        return refuse(403, _("Only the performance office runs the evaluation."))
    if not payload.confirm:
        return refuse(400, {"confirm": _("Nothing was published. Confirm it: %(effect)s") % {
            "effect": act.publish_effect(ev)}})
    return _step(user, ev.pk, lambda e: act.do_publish_evaluation(actor=user, evaluation=e))


@router.post("/evaluation/periods/{evaluation_id}/objections", response={201: ObjectionOut, 400: Error, 403: Error,
                                                                          **ERRORS})
def raise_objection(request: HttpRequest, path: Path[EvaluationPath], payload: ObjectionIn) -> Any:
    """A unit's administrator objects to the unit's published result within the working days allowed."""
    user = business_reader(request)
    ev = access_period_by_id(user, path.evaluation_id)
    try:
        o = act.do_raise_objection(actor=user, evaluation=ev, text=payload.text, indicator=payload.indicator)
    except act.NotYours as e:
        return refuse(403, e.errors)
    except act.EvaluationError as e:
        return refuse(400, e.errors)
    return Status(201, o)


@router.post("/evaluation/objections/{objection_id}/answer", response={200: ObjectionOut, 400: Error, 403: Error,
                                                                       **ERRORS})
def answer_objection(request: HttpRequest, path: Path[ObjectionPath], payload: AnswerIn) -> Any:
    """The performance office answers; an upheld objection scores the period again as a new version."""
    user = business_reader(request)
    if not runs_evaluation(user):
        return refuse(403, _("Only the performance office runs the evaluation."))
    objection = Objection.objects.filter(pk=path.objection_id).first()
    if objection is None:
        raise Http404("No such objection")
    try:
        return act.do_answer_objection(actor=user, objection=objection, upheld=payload.upheld, answer=payload.answer)
    except act.EvaluationError as e:
        return refuse(400, e.errors)


@router.post("/evaluation/ratings", response={201: RatingsOut, 400: Error, 403: Error, **ERRORS})
def enter_ratings(request: HttpRequest, payload: RatingsIn) -> Any:
    """Record ratings of 0–100: a leader for the units in scope, the performance office for a third
    party's or the public's evaluation with where it comes from. All or nothing."""
    user = business_reader(request)
    entries = [RatingEntry(int(k), v) for k, v in payload.scores.items() if k.isdigit() and len(k) < 12]
    if len(entries) != len(payload.scores):
        return refuse(400, {"scores": _("Name each unit by its id.")})
    try:
        n = do_enter_ratings(actor=user, period_key=payload.period, source=payload.source, entries=entries,
                             origin=payload.origin)
    except act.NotYours as e:
        return refuse(403, e.errors)
    except act.EvaluationError as e:
        return refuse(400, e.errors)
    return Status(201, {"recorded": n})


@router.get("/evaluation/periods/{evaluation_id}/files/{fmt}", response={**ERRORS}, url_name="evaluation_file",
            openapi_extra={"responses": {200: {"description": "the ranking bulletin (GB/T 9704-2012 layout)",
                                               "content": {"application/pdf": BINARY, DOCX: BINARY}}}})
def period_file(request: HttpRequest, path: Path[EvaluationFilePath]) -> Any:
    ev = access_period_by_id(business_reader(request), path.evaluation_id)
    return stored_file(ev.docx if path.fmt == "docx" else ev.pdf, filename=f"{ev.number}.{path.fmt}",
                       content_type=PDF if path.fmt == "pdf" else DOCX, download=path.fmt == "docx")
