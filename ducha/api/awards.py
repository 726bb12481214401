"""The government work innovation award (政府工作创新奖, S1.12) over the API, under the pages'
rules: every reader of business data sees the years and, once published, the winners; a unit's
administrator nominates (evidence as ``multipart/form-data``, one part named ``file``); the
year's panel scores; the performance office closes the scoring, proposes and publishes
(``"confirm": true``: every unit is told); the approver approves or returns. The ranking comes
with its explanation: for the office each panel score, what was dropped and the mean."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, File, Path, Router, Schema, Status
from ninja.files import UploadedFile

from ducha.api.common import BINARY, ERRORS, refuse
from ducha.api.schemas import Error, PersonRef, RowId, UnitRef
from ducha.awards import actions, actions_results
from ducha.awards.access import (
    access_nomination_by_id,
    access_year_by_id,
    approves,
    ranking_refused,
    runs_awards,
    visible_nominations,
    visible_years,
)
from ducha.awards.actions import MAX_YEAR, MIN_YEAR, AwardError, NominationInput, NotYours
from ducha.awards.models import AwardYear, Nomination, NominationFile, YearState
from ducha.awards.ranking import RankedNomination, year_ranking
from ducha.awards.views import evidence_download
from ducha.matters.views_evidence import CONTENT_TYPES
from ducha.org.access import business_reader
from ducha.org.models import User

router = Router(tags=["awards"])
WRITES = {400: Error, 403: Error, **ERRORS}
CONFIRM_HELP = "true to go ahead: the step cannot be undone and tells others"


class AwardYearOut(Schema):
    id: int
    year: int
    nomination_deadline: date
    state: str = Field(description="open, scored, proposed, approved or published")
    panel: list[PersonRef]
    returned_reason: str
    published_at: datetime | None


class AwardYearIn(Schema):
    year: int = Field(ge=MIN_YEAR, le=MAX_YEAR)
    nomination_deadline: date
    panel_ids: list[RowId] = Field(min_length=1, max_length=200)


class AwardFileOut(Schema):
    id: int
    name: str
    content_kind: str
    size: int
    sm3: str
    url: str


class NominationOut(Schema):
    id: int
    year: int
    unit: UnitRef
    title: str
    category: str = Field(description="measure (新举措), method (新办法), approach (新思路), mechanism (新机制), "
                                      "path (新路子)")
    nominee: str = Field(description="unit or people")
    people: str
    text: str
    state: str = Field(description="submitted or withdrawn")
    files: list[AwardFileOut]
    rank: int | None = Field(description="once published, or for the performance office once scoring closed")
    result: Decimal | None
    winner: bool | None = Field(description="once published")


class NominationIn(Schema):
    title: str = Field(max_length=120)
    category: str
    nominee: str
    people: str = Field("", max_length=200)
    text: str = Field(max_length=5000)


class ScoreIn(Schema):
    points: int = Field(ge=0, le=1000)


class ScoreOut(Schema):
    nomination_id: int
    points: int


class PanelScoreOut(Schema):
    member: PersonRef
    points: int


class RankingLineOut(Schema):
    nomination: NominationOut
    rank: int | None = Field(description="None: nobody scored it")
    scores: list[PanelScoreOut] = Field(description="each panel score (the performance office only)")
    dropped: list[int] = Field(description="the highest and the lowest score, when dropped")
    mean: Decimal | None = Field(description="the mean of the scores kept, two decimals")


class RankingOut(Schema):
    year: AwardYearOut
    lines: list[RankingLineOut]
    winners_limit: int


class ProposalIn(Schema):
    winners: list[RowId] = Field(max_length=100)
    reasons: dict[str, str] = Field(default_factory=dict, description="nomination id → why it is left out")


class AwardDecisionIn(Schema):
    approve: bool
    reason: str = Field("", max_length=5000)


class AwardConfirmIn(Schema):
    confirm: bool = Field(False, description=CONFIRM_HELP)


class YearPath(Schema):
    year_id: RowId


class NominationPath(Schema):
    nomination_id: RowId


class AwardFilePath(Schema):
    file_id: RowId


def year_out(y: AwardYear) -> dict[str, Any]:
    return {"id": y.pk, "year": y.year, "nomination_deadline": y.nomination_deadline, "state": y.state,
            "panel": [{"id": p.pk, "name": p.name or p.username} for p in y.panel.order_by("id")],
            "returned_reason": y.returned_reason, "published_at": y.published_at}


def nomination_out(n: Nomination, user: User) -> dict[str, Any]:
    published = n.year.state == YearState.PUBLISHED
    shown = published or runs_awards(user)
    return {"id": n.pk, "year": n.year.year, "unit": {"id": n.unit_id, "name": n.unit.name}, "title": n.title,
            "category": n.category, "nominee": n.nominee, "people": n.people, "text": n.text, "state": n.state,
            "files": [{"id": f.pk, "name": f.name, "content_kind": f.content_kind, "size": f.size, "sm3": f.sm3,
                       "url": f"/api/awards/files/{f.pk}"} for f in n.files.all()],
            "rank": n.rank if shown else None, "result": n.result if shown else None,
            "winner": n.winner if published else None}


def _line(r: RankedNomination, user: User, explain: bool) -> dict[str, Any]:
    return {"nomination": nomination_out(r.nomination, user), "rank": r.rank,
            "scores": [{"member": {"id": s.member_id, "name": s.member_name}, "points": s.points}
                       for s in r.scores] if explain else [],
            "dropped": list(r.result.dropped) if r.result and explain else [],
            "mean": r.result.mean_2dp() if r.result else None}


def _refused(step: Callable[[], object]) -> Any:
    try:
        step()
    except NotYours as e:
        return refuse(403, e.errors)
    except AwardError as e:
        return refuse(400, e.errors)
    return None


@router.get("/awards/years", response={200: list[AwardYearOut], **ERRORS})
def list_years(request: HttpRequest) -> Any:
    return [year_out(y) for y in visible_years(business_reader(request))]


@router.post("/awards/years", response={201: AwardYearOut, **WRITES})
def open_year(request: HttpRequest, payload: AwardYearIn) -> Any:
    """The performance office opens a year with its nomination deadline and its panel."""
    user = business_reader(request)
    made: list[AwardYear] = []
    refused = _refused(lambda: made.append(actions.do_open_year(actor=user, data=actions.YearInput(
        year=payload.year, nomination_deadline=payload.nomination_deadline, panel_ids=tuple(payload.panel_ids)))))
    return refused or Status(201, year_out(made[0]))


@router.get("/awards/years/{year_id}", response={200: AwardYearOut, **ERRORS})
def get_year(request: HttpRequest, path: Path[YearPath]) -> Any:
    return year_out(access_year_by_id(business_reader(request), path.year_id))


@router.get("/awards/years/{year_id}/nominations", response={200: list[NominationOut], **ERRORS})
def list_nominations(request: HttpRequest, path: Path[YearPath]) -> Any:
    """The nominations the caller may read: the office, the approver and (after the deadline) the
    panel all; a unit its own; once published, every winner."""
    user = business_reader(request)
    y = access_year_by_id(user, path.year_id)
    rows = visible_nominations(user, y).select_related("year").prefetch_related("files").order_by("id")
    return [nomination_out(n, user) for n in rows]


@router.post("/awards/years/{year_id}/nominations", response={201: NominationOut, **WRITES})
def nominate(request: HttpRequest, path: Path[YearPath], payload: NominationIn) -> Any:
    """A unit's administrator nominates until the deadline; add the evidence with the files operation."""
    user = business_reader(request)
    y = access_year_by_id(user, path.year_id)
    made: list[Nomination] = []
    refused = _refused(lambda: made.append(actions.do_nominate(actor=user, year=y, data=NominationInput(
        **payload.dict()))))
    return refused or Status(201, nomination_out(access_nomination_by_id(user, made[0].pk), user))


@router.get("/awards/nominations/{nomination_id}", response={200: NominationOut, **ERRORS})
def get_nomination(request: HttpRequest, path: Path[NominationPath]) -> Any:
    user = business_reader(request)
    return nomination_out(access_nomination_by_id(user, path.nomination_id), user)


@router.put("/awards/nominations/{nomination_id}", response={200: NominationOut, **WRITES})
def edit_nomination(request: HttpRequest, path: Path[NominationPath], payload: NominationIn) -> Any:
    """The nominating unit changes its nomination until the deadline."""
    user = business_reader(request)
    row = access_nomination_by_id(user, path.nomination_id)
    refused = _refused(lambda: actions.do_edit_nomination(actor=user, nomination=row,
                                                          data=NominationInput(**payload.dict())))
    return refused or nomination_out(access_nomination_by_id(user, row.pk), user)


@router.post("/awards/nominations/{nomination_id}/withdraw", response={200: NominationOut, **WRITES})
def withdraw(request: HttpRequest, path: Path[NominationPath]) -> Any:
    user = business_reader(request)
    row = access_nomination_by_id(user, path.nomination_id)
    refused = _refused(lambda: actions.do_withdraw_nomination(actor=user, nomination=row))
    return refused or nomination_out(access_nomination_by_id(user, row.pk), user)


@router.post("/awards/nominations/{nomination_id}/files", response={201: AwardFileOut, **WRITES})
def add_file(request: HttpRequest, path: Path[NominationPath], file: File[UploadedFile]) -> Any:
    """One evidence file (PDF, OFD, Word, Excel, PNG or JPG), checked as on the pages."""
    user = business_reader(request)
    row = access_nomination_by_id(user, path.nomination_id)
    made: list[NominationFile] = []
    refused = _refused(lambda: made.append(actions.do_add_nomination_file(actor=user, nomination=row, upload=file)))
    if refused:
        return refused
    f = made[0]
    return Status(201, {"id": f.pk, "name": f.name, "content_kind": f.content_kind, "size": f.size, "sm3": f.sm3,
                        "url": f"/api/awards/files/{f.pk}"})


@router.get("/awards/files/{file_id}", response={**ERRORS}, openapi_extra={"responses": {200: {
    "description": "the file as uploaded, always as a download", "content": {t: BINARY for t in CONTENT_TYPES.values()}}}})
def get_file(request: HttpRequest, path: Path[AwardFilePath]) -> Any:
    return evidence_download(business_reader(request), path.file_id)


@router.put("/awards/nominations/{nomination_id}/score", response={200: ScoreOut, **WRITES})
def score(request: HttpRequest, path: Path[NominationPath], payload: ScoreIn) -> Any:
    """A panel member's score (changeable until the scoring closes); not for their own unit."""
    user = business_reader(request)
    row = access_nomination_by_id(user, path.nomination_id)
    refused = _refused(lambda: actions.do_score_nomination(actor=user, nomination=row, points=payload.points))
    return refused or {"nomination_id": row.pk, "points": payload.points}


@router.get("/awards/years/{year_id}/ranking", response={200: RankingOut, 403: Error, **ERRORS})
def get_ranking(request: HttpRequest, path: Path[YearPath]) -> Any:
    """The ranking with its explanation (the office); the approver sees ranks and means only."""
    from django.conf import settings

    user = business_reader(request)
    y = access_year_by_id(user, path.year_id)
    office = runs_awards(user)
    if not (office or approves(user)):
        return refuse(403, ranking_refused())
    return {"year": year_out(y), "lines": [_line(r, user, office) for r in year_ranking(y)],
            "winners_limit": int(settings.DUCHA_AWARD_WINNERS)}


@router.post("/awards/years/{year_id}/close-scoring", response={200: AwardYearOut, **WRITES})
def close_scoring(request: HttpRequest, path: Path[YearPath], payload: AwardConfirmIn) -> Any:
    """Close the scoring (the office): the ranking is fixed. Needs ``"confirm": true``."""
    user = business_reader(request)
    y = access_year_by_id(user, path.year_id)
    if not payload.confirm and runs_awards(user):
        return refuse(400, {"confirm": _("Nothing was closed. Confirm it: %(effect)s") % {
            "effect": actions_results.close_effect(y)}})
    refused = _refused(lambda: actions_results.do_close_scoring(actor=user, year=y))
    return refused or year_out(access_year_by_id(user, y.pk))


@router.post("/awards/years/{year_id}/proposal", response={200: AwardYearOut, **WRITES})
def propose(request: HttpRequest, path: Path[YearPath], payload: ProposalIn) -> Any:
    """The office proposes the winners; a nomination ranked above a winner and left out needs a
    reason in ``reasons``."""
    user = business_reader(request)
    y = access_year_by_id(user, path.year_id)
    reasons = {int(k): v for k, v in payload.reasons.items() if k.isdigit() and len(k) < 19}
    refused = _refused(lambda: actions_results.do_propose_winners(actor=user, year=y, picked=payload.winners,
                                                                  reasons=reasons))
    return refused or year_out(access_year_by_id(user, y.pk))


@router.post("/awards/years/{year_id}/decision", response={200: AwardYearOut, **WRITES})
def decide(request: HttpRequest, path: Path[YearPath], payload: AwardDecisionIn) -> Any:
    """The approver approves the proposal or returns it with the reason."""
    user = business_reader(request)
    y = access_year_by_id(user, path.year_id)
    refused = _refused(lambda: actions_results.do_decide_winners(actor=user, year=y, approve=payload.approve,
                                                                 reason=payload.reason))
    return refused or year_out(access_year_by_id(user, y.pk))


@router.post("/awards/years/{year_id}/publish", response={200: AwardYearOut, **WRITES})
def publish(request: HttpRequest, path: Path[YearPath], payload: AwardConfirmIn) -> Any:
    """Publish the approved winners (the office): every unit is told. Needs ``"confirm": true``."""
    user = business_reader(request)
    y = access_year_by_id(user, path.year_id)
    if not payload.confirm and runs_awards(user):
        return refuse(400, {"confirm": _("Nothing was published. Confirm it: %(effect)s") % {
            "effect": actions_results.publish_effect(y)}})
    refused = _refused(lambda: actions_results.do_publish_winners(actor=user, year=y))
    return refused or year_out(access_year_by_id(user, y.pk))


@router.get("/awards/years/{year_id}/winners", response={200: list[NominationOut], **ERRORS})
def list_winners(request: HttpRequest, path: Path[YearPath]) -> Any:
    """The published winners, by rank (an empty list before publication)."""
    user = business_reader(request)
    y = access_year_by_id(user, path.year_id)
    if y.state != YearState.PUBLISHED:
        return []
    rows = (Nomination.objects.filter(year=y, winner=True).select_related("year", "unit").prefetch_related("files")
            .order_by("rank", "id"))
    return [nomination_out(n, user) for n in rows]
