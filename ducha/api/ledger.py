"""The ledger year (S2.4) over the API, under the rules of the ledger pages.

Reads go through ``ledger.access``: administrators read no ledger (404), a unit reads its
own flags and notices, a vice mayor the portfolio's. Each phase is run by the roles of
DUCHA_LEDGER_PHASE_RUNNERS; the city-wide offices read its preview, a run by any of them
that does not run it is 403, anyone else gets 404 as on the phase page. A run goes through
the same action as the page, with the digest of the preview the caller reviewed, so a phase
runs once, in order, on the figures that were shown; the year-end close also needs the year
typed out. A unit reads and confirms its own self-check (自查).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from django.db.models import Count, Prefetch
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema

from ducha.api.common import BINARY, DOCX, ERRORS, PDF, caller, keyset_page, refuse, stored_file
from ducha.api.ledger_schemas import (
    FileKind,
    FlagPage,
    FlagPhaseCode,
    LedgerYearOut,
    NoticeDetailOut,
    NoticePage,
    PhaseCode,
    PlanOut,
    RunIn,
    RunOut,
    SelfCheckIn,
    SelfCheckOut,
    SnapshotCode,
    SnapshotPage,
)
from ducha.api.schemas import MAX_YEAR, MIN_YEAR, AfterId, Error, RowId
from ducha.ledger import actions, planning
from ducha.ledger.access import (
    access_notice_by_id,
    phase_runner_roles,
    previews_phase,
    reads_ledger,
    runs_any_phase,
    runs_ledger,
    runs_phase,
    self_check_unit,
    visible_flags,
    visible_notices,
)
from ducha.ledger.cutoff import ledger_matters
from ducha.ledger.models import LedgerCheckFlag, LedgerEvent, LedgerYear, Phase, SnapshotLine, SupervisionNotice
from ducha.ledger.selfcheck import self_check_form
from ducha.matters.access import visible_matters
from ducha.matters.models import Matter
from ducha.org.access import visible_units
from ducha.org.models import User
from ducha.org.roles import CITY_WIDE_ROLES
from ducha.workcal import service as workcal

router = Router(tags=["ledger"])
PHASE_COLUMNS = {PhaseCode.BUILD: "built", PhaseCode.JUNE_CHECK: "june_checked",
                 PhaseCode.RECONCILIATION: "reconciled", PhaseCode.CLOSE: "closed"}


class YearPath(Schema):
    year: int = Field(ge=MIN_YEAR, le=MAX_YEAR)


class PhasePath(YearPath):
    phase: PhaseCode


class FlagFilters(Schema):
    phase: FlagPhaseCode | None = None
    unit: RowId | None = None
    after: AfterId | None = None
    limit: int = Field(50, ge=1, le=200)


class NoticeFilters(Schema):
    year: int | None = Field(None, ge=MIN_YEAR, le=MAX_YEAR, description="the ledger year")
    unit: RowId | None = None
    unread: bool | None = Field(None, description="true: only those the receiving unit has not opened yet")
    after: AfterId | None = None
    limit: int = Field(50, ge=1, le=200)


def _reader(request: HttpRequest) -> User:
    user = caller(request)
    if not reads_ledger(user):
        raise Http404("No ledger for this account")  # administrators read no business data
    return user


def _previewer(request: HttpRequest, phase: PhaseCode) -> User:
    user = _reader(request)
    if not previews_phase(user, phase.value):
        raise Http404("No such phase page")
    return user


def _phases(row: LedgerYear | None, year: int, today: date, with_counts: bool,
            user: User | None = None) -> list[dict[str, Any]]:
    windows = planning.phase_windows(year)
    done = row.done_phases() if row else frozenset()
    counts: dict[str, dict[str, int]] = {}
    if with_counts and row is not None:
        for event in LedgerEvent.objects.filter(ledger_year=row).exclude(phase=Phase.IMPORT).order_by("created_at", "id"):
            counts[event.phase] = event.counts  # the last run of a phase speaks for it
    out, next_found = [], False
    for key in PhaseCode:
        window = windows.get(key)
        is_next = key not in done and not next_found
        next_found = next_found or is_next
        column = PHASE_COLUMNS[key]
        out.append({
            "key": key, "label": str(Phase(key.value).label), "opens": window.opens if window else None,
            "due": window.due if window else None, "done_at": getattr(row, f"{column}_at", None),
            "done_by": getattr(row, f"{column}_by", None), "is_next": is_next,
            "open": is_next and window is not None and today >= window.opens,
            "late": is_next and window is not None and today > window.due,
            "counts": counts.get(key.value) if with_counts else None,
            "runners": list(phase_runner_roles(key.value)), "runs": user is not None and runs_phase(user, key.value),
        })
    return out


def _year_state(user: User, year: int, today: date) -> dict[str, Any]:
    """The year page's figures: the phases, and per unit in scope its matters, flags and notice."""
    row = LedgerYear.objects.defer("baseline", "final").select_related(
        "built_by", "june_checked_by", "reconciled_by", "closed_by").filter(year=year).first()
    per_unit: dict[int, dict[str, Any]] = defaultdict(
        lambda: {"matters": 0, "june_check": 0, "september_reconciliation": 0, "notice": None})
    for unit_id, n in visible_matters(user).filter(ledger_matters(year)).order_by().values_list("lead_unit_id").annotate(
        n=Count("id")).values_list("lead_unit_id", "n"):
        per_unit[unit_id]["matters"] = n
    for unit_id, phase, n in visible_flags(user).filter(ledger_year__year=year).order_by().values_list(
        "unit_id", "phase").annotate(n=Count("id")).values_list("unit_id", "phase", "n"):
        per_unit[unit_id][phase] = n
    for notice in visible_notices(user).filter(ledger_year__year=year).only("id", "number", "unit_id"):
        per_unit[notice.unit_id]["notice"] = notice
    units = {u.id: u for u in visible_units(user).filter(pk__in=list(per_unit)).order_by("sort_order", "id")}
    offices = runs_ledger(user) or runs_any_phase(user) or user.role in CITY_WIDE_ROLES
    if not units and row is None and not (runs_ledger(user) or runs_any_phase(user)):
        raise Http404("No ledger for this year")  # the office sees an empty year, to import into it
    rows = [{"unit": unit, **per_unit[uid]} for uid, unit in units.items()]
    return {"year": year, "matter_count": sum(r["matters"] for r in rows),
            "phases": _phases(row, year, today, offices, user), "units": rows}


def _explained(flag: LedgerCheckFlag) -> dict[str, Any]:
    return {"judged_on": flag.judged_on, "reasons": flag.reasons, "missed_milestones": flag.missed_milestones}


def _rectification(flag: LedgerCheckFlag) -> dict[str, Any] | None:
    r = flag.rectification
    return None if r is None else {"due_date": r.due_date, "rectified_on": r.rectified_on}


def _notice(notice: SupervisionNotice) -> dict[str, Any]:
    return {
        "id": notice.pk, "number": notice.number, "title": notice.title, "year": notice.ledger_year.year,
        "unit": notice.unit, "rectify_by": notice.rectify_by, "issued_at": notice.issued_at,
        "delivered_at": notice.delivered_at, "read_at": notice.read_at, "read_by": notice.read_by,
        "docx": bool(notice.docx_file), "pdf": bool(notice.pdf_file), "render_error": notice.render_error,
        "matters": list(notice.matters.all()),
    }


@router.get("/ledger/years/{year}", response={200: LedgerYearOut, **ERRORS})
def get_year(request: HttpRequest, path: Path[YearPath]) -> Any:
    """The year's four phases (done when, by whom) and, per unit in scope, its flags and 督查通知."""
    return _year_state(_reader(request), path.year, workcal.today())


@router.get("/ledger/years/{year}/flags", response={200: FlagPage, **ERRORS})
def list_flags(request: HttpRequest, path: Path[YearPath], filters: Query[FlagFilters]) -> Any:
    """Matters found behind schedule ("time half, task half") in June or September, by keyset."""
    qs = visible_flags(_reader(request)).filter(ledger_year__year=path.year).select_related(
        "matter", "unit", "rectification", "notice").order_by("id")
    if filters.phase is not None:
        qs = qs.filter(phase=filters.phase)
    if filters.unit is not None:
        qs = qs.filter(unit_id=filters.unit)
    rows, next_after = keyset_page(qs, filters.after, filters.limit)
    return {"items": [{
        "id": f.pk, "phase": f.phase, "matter": f.matter, "unit": f.unit, "progress": f.progress,
        "elapsed_share": f.elapsed_share, "checked_on": f.checked_on, **_explained(f),
        "progress_source": f.progress_source or None, "progress_month": f.progress_month,
        "rectification": _rectification(f), "notice": f.notice,
    } for f in rows], "next_after": next_after}


class SnapshotPath(YearPath):
    kind: SnapshotCode


class SnapshotFilters(Schema):
    after: AfterId | None = None
    limit: int = Field(200, ge=1, le=1000)


@router.get("/ledger/years/{year}/snapshots/{kind}", response={200: SnapshotPage, **ERRORS})
def get_snapshot(request: HttpRequest, path: Path[SnapshotPath], filters: Query[SnapshotFilters]) -> Any:
    """The year's baseline (年初建账) or final state (年底交账) as frozen, by keyset on matter id:
    what the evaluation reads. The city-wide offices only (it holds every unit's matters); 404
    before the phase that takes it has run."""
    user = _reader(request)
    if user.role not in CITY_WIDE_ROLES:
        raise Http404("No snapshot for this account")
    row = LedgerYear.objects.filter(year=path.year).values_list(path.kind.value, flat=True).first()
    if row is None:
        raise Http404("This snapshot has not been taken")
    lines = SnapshotLine.objects.filter(ledger_year__year=path.year, kind=path.kind.value).order_by("matter_id")
    if filters.after is not None:
        lines = lines.filter(matter_id__gt=filters.after)
    items = list(lines.values_list("data", flat=True)[:filters.limit + 1])
    more = len(items) > filters.limit
    items = items[:filters.limit]
    return {"year": path.year, "kind": path.kind, "summary": row, "items": items,
            "next_after": items[-1]["id"] if more else None}


@router.get("/ledger/notices", response={200: NoticePage, **ERRORS})
def list_notices(request: HttpRequest, filters: Query[NoticeFilters]) -> Any:
    """The 督查通知 of the September reconciliations sent to the caller's units, by keyset."""
    qs = visible_notices(_reader(request)).select_related("unit", "ledger_year", "read_by").prefetch_related(
        Prefetch("matters", queryset=Matter.objects.only("id", "number", "title").order_by("number"))).order_by("id")
    if filters.year is not None:
        qs = qs.filter(ledger_year__year=filters.year)
    if filters.unit is not None:
        qs = qs.filter(unit_id=filters.unit)
    if filters.unread is not None:
        qs = qs.filter(read_at__isnull=filters.unread)
    rows, next_after = keyset_page(qs, filters.after, filters.limit)
    return {"items": [_notice(n) for n in rows], "next_after": next_after}


@router.get("/ledger/notices/{notice_id}", response={200: NoticeDetailOut, **ERRORS})
def get_notice(request: HttpRequest, notice_id: RowId) -> Any:
    """One notice with its matters; when someone of the receiving unit reads it, that is its 签收."""
    user = _reader(request)
    notice = actions.do_read_notice(user=user, notice=access_notice_by_id(user, notice_id))
    flags = LedgerCheckFlag.objects.filter(notice=notice, phase=Phase.RECONCILIATION).select_related(
        "matter", "rectification").order_by("matter__number")
    return {**_notice(notice), "flags": [{
        "matter": f.matter, "progress": f.progress, "elapsed_share": f.elapsed_share, **_explained(f),
        "due_date": f.matter.due_date, "rectification": _rectification(f),
    } for f in flags]}


@router.get("/ledger/notices/{notice_id}/{kind}", response={**ERRORS}, openapi_extra={"responses": {200: {
    "description": "the document (GB/T 9704-2012 layout)", "content": {"application/pdf": BINARY, DOCX: BINARY}}}})
def notice_file(request: HttpRequest, notice_id: RowId, kind: FileKind) -> Any:
    """The notice as .docx or PDF; 404 until it has been rendered (see ``render_error``)."""
    user = _reader(request)
    notice = access_notice_by_id(user, notice_id)
    answer = stored_file(notice.docx_file if kind == FileKind.DOCX else notice.pdf_file,
                         filename=f"{notice.number}.{kind}", content_type=PDF if kind == FileKind.PDF else DOCX,
                         download=kind == FileKind.DOCX)
    actions.do_read_notice(user=user, notice=notice)  # read once the file is there to be read
    return answer


@router.get("/ledger/years/{year}/phases/{phase}", response={200: PlanOut, **ERRORS})
def preview_phase(request: HttpRequest, path: Path[PhasePath]) -> Any:
    """What the phase would do today: for the offices that run it (send its digest to run it)
    and, to read, the other city-wide offices. June and September say the day they judge as of."""
    user = _previewer(request, path.phase)
    plan = planning.PLANNERS[path.phase.value](path.year, workcal.today())
    return {
        "year": plan.year, "phase": plan.phase, "today": plan.today, "blocker": plan.blocker, "late": plan.late,
        "opens": plan.window.opens if plan.window else None, "due": plan.window.due if plan.window else None,
        "cutoff": plan.cutoff, "as_of": plan.as_of, "runs": runs_phase(user, path.phase.value),
        "counts": plan.counts, "rectify_by": plan.rectify_by, "numbers": plan.numbers, "digest": plan.digest,
        "flags": [{"matter": {"id": f.matter_id, "number": f.number, "title": f.title},
                   "unit": {"id": f.unit_id, "name": f.unit_name}, "progress": f.progress,
                   "elapsed_share": f.elapsed, "due_date": f.due_date, "reasons": list(f.reasons),
                   "missed_milestones": [{"title": n.title, "due": n.due} for n in f.missed],
                   "progress_source": f.source, "progress_month": f.month}
                  for _group, shown, _number in plan.preview_units() for f in shown],
        "self_check": {
            "confirmed": [{"id": u.unit_id, "name": u.unit_name} for u in plan.confirmed_units],
            "unconfirmed": [{"id": u.unit_id, "name": u.unit_name} for u in plan.unconfirmed_units],
        } if path.phase == PhaseCode.JUNE_CHECK and plan.as_of else None,
        "open_matters": [{"matter": {"id": m.matter_id, "number": m.number, "title": m.title}, "unit": m.unit_name,
                          "status": m.status, "progress": m.progress, "due_date": m.due_date, "outcome": m.outcome}
                         for m in plan.open_matters],
    }


@router.post("/ledger/years/{year}/phases/{phase}", response={200: RunOut, 403: Error, 409: Error, **ERRORS})
def run_phase(request: HttpRequest, path: Path[PhasePath], payload: RunIn) -> Any:
    """Run the phase (the offices that run it; 403 for another city-wide office). 409 when it
    may not run now: done already, out of order, before it opens (the close names its opening
    day), the figures changed since the preview, or the close without the year typed out."""
    user = _previewer(request, path.phase)
    today = workcal.today()
    issued: list[SupervisionNotice] = []
    try:
        if path.phase == PhaseCode.RECONCILIATION:
            issued = actions.do_reconcile_ledger(actor=user, year=path.year, today=today,
                                                 expected_digest=payload.digest)
        elif path.phase == PhaseCode.CLOSE:
            actions.do_close_ledger(actor=user, year=path.year, today=today, expected_digest=payload.digest,
                                    confirm_year=payload.confirm_year, not_done=frozenset(payload.not_done))
        else:
            actions.PHASE_ACTIONS[path.phase.value](actor=user, year=path.year, today=today,
                                                    expected_digest=payload.digest)
    except actions.NotYours as e:
        return refuse(403, str(e))
    except actions.LedgerError as e:
        return refuse(409, str(e))
    return {"ledger": _year_state(user, path.year, today), "notices": issued}


def _self_check(user: User, year: int) -> dict[str, Any]:
    unit_id = self_check_unit(user)
    if unit_id is None:
        raise Http404("No self-check for this account")
    form = self_check_form(year, unit_id, workcal.today())
    return {
        "year": year, "unit": user.unit, "cutoff": form.cutoff, "as_of": form.as_of, "open": form.open,
        "blocker": form.blocker, "confirmed_at": form.confirmed_at, "confirmed_by": form.confirmed_by,
        "lines": [{"matter": {"id": r.matter_id, "number": r.number, "title": r.title}, "recorded": r.recorded,
                   "recorded_source": r.source, "recorded_month": r.month, "confirmed": r.confirmed,
                   "reason": r.reason} for r in form.rows],
    }


@router.get("/ledger/years/{year}/self-check", response={200: SelfCheckOut, **ERRORS})
def get_self_check(request: HttpRequest, path: Path[YearPath]) -> Any:
    """The caller's unit's self-check (自查) before the June check: its matters with the progress on
    record as of the cut-off, and its confirmed figures. Unit administrators and staff only."""
    return _self_check(_reader(request), path.year)


@router.post("/ledger/years/{year}/self-check", response={200: SelfCheckOut, 400: Error, 403: Error, 409: Error,
                                                          **ERRORS})
def confirm_self_check(request: HttpRequest, path: Path[YearPath], payload: SelfCheckIn) -> Any:
    """Confirm (or correct) every line of the unit's self-check in one step; a figure below the
    record needs a reason (400 names each line at fault, by matter id). 409 when the
    self-check is closed or the list of matters changed since it was read."""
    user = _reader(request)
    if self_check_unit(user) is None:
        raise Http404("No self-check for this account")
    lines = {ln.matter: actions.SelfCheckInput(ln.confirmed, ln.reason) for ln in payload.lines}
    if len(lines) != len(payload.lines):
        return refuse(400, {"lines": _("Each matter may appear only once.")})
    try:
        actions.do_confirm_self_check(actor=user, year=path.year, lines=lines)
    except actions.SelfCheckRefused as e:
        return refuse(409 if "__all__" in e.errors else 400, e.errors)
    except actions.NotYours as e:
        return refuse(403, str(e))
    except actions.LedgerError as e:
        return refuse(409, str(e))
    return _self_check(user, path.year)
