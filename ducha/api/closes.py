"""Month closes (一月一结账, S2.8) over the API, under the pages' rules: the city offices read the
closed months and their frozen figures per unit; the supervision office closes a month once its
report window has closed (with ``"confirm": true``: the figures are frozen for the evaluation),
and records a correction as a new version with a reason. Closing goes through
``ducha.reports.actions_close.do_close_month`` and nothing else.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema, Status

from ducha.api.common import ERRORS, caller, keyset_page, refuse
from ducha.api.schemas import MAX_YEAR, MIN_YEAR, AfterId, Error, PersonRef, UnitRef
from ducha.reports.access import can_close_month, can_read_closes
from ducha.reports.actions import ConcurrentChange, ReportError
from ducha.reports.actions_close import do_close_month, unconfirmed
from ducha.reports.models import CloseReportStatus, MonthClose, MonthCloseLine

router = Router(tags=["closes"])
READS = {403: Error, **ERRORS}
WRITES = {400: Error, 403: Error, 409: Error, **ERRORS}
CONFIRM_TEXT = ("must be true: closing freezes every unit's three rates, report status and matter counts, which "
                "the quarter's evaluation ranks units on. Without it the answer is 400 saying so.")


class FrozenRate(Schema):
    done: int | None = Field(description="met (numerator); null when nothing was due")
    due: int | None = Field(description="due (denominator); null when nothing was due")


class CloseLineOut(Schema):
    unit: UnitRef
    execution: FrozenRate = Field(description="督查执行率")
    reporting: FrozenRate = Field(description="上报率")
    rectification: FrozenRate = Field(description="整改率")
    report_status: CloseReportStatus = Field(description="the month's own report when closed")
    report_lines_owed: int
    matters_total: int
    matters_completed: int
    matters_overdue: int


class MonthCloseOut(Schema):
    id: int
    month: str = Field(description="2026-08")
    version: int = Field(description="1 for the close, 2… for each correction")
    reason: str = Field(description="why a correction was made; empty for version 1")
    as_of: date = Field(description="the day the figures were judged")
    closed_at: datetime
    closed_by: PersonRef
    latest: bool = Field(description="false once a correction superseded this version")


class MonthCloseDetail(MonthCloseOut):
    lines: list[CloseLineOut]


class MonthClosePage(Schema):
    items: list[MonthCloseOut]
    next_after: int | None = Field(description="pass as `after` to get the next page; null on the last page")


class CloseListQuery(Schema):
    after: AfterId | None = None
    limit: int = Field(50, ge=1, le=200)


class CloseMonthPath(Schema):
    year: int = Field(ge=MIN_YEAR, le=MAX_YEAR)
    month: int = Field(ge=1, le=12)


class CloseVersionQuery(Schema):
    version: int | None = Field(None, ge=1, le=32767, description="omit for the latest version")


class CloseIn(Schema):
    year: int = Field(ge=MIN_YEAR, le=MAX_YEAR)
    month: int = Field(ge=1, le=12)
    reason: str = Field("", max_length=2000, description="required for a correction of a closed month")
    confirm: bool = Field(False, description=CONFIRM_TEXT)


def _latest_versions() -> dict[tuple[int, int], int]:
    latest: dict[tuple[int, int], int] = {}
    for y, m, v in MonthClose.objects.values_list("year", "month", "version"):
        latest[(y, m)] = max(v, latest.get((y, m), 0))
    return latest


def _close(c: MonthClose, latest: int) -> dict[str, Any]:
    return {"id": c.pk, "month": c.month_key, "version": c.version, "reason": c.reason, "as_of": c.as_of,
            "closed_at": c.closed_at, "closed_by": c.closed_by, "latest": c.version == latest}


def _line(line: MonthCloseLine) -> dict[str, Any]:
    out: dict[str, Any] = {"unit": line.unit, "report_status": line.report_status,
                           "report_lines_owed": line.report_lines_owed, "matters_total": line.matters_total,
                           "matters_completed": line.matters_completed, "matters_overdue": line.matters_overdue}
    for kind in ("execution", "reporting", "rectification"):
        out[kind] = {"done": getattr(line, f"{kind}_done"), "due": getattr(line, f"{kind}_due")}
    return out


def _refused() -> Status[dict[str, Any]]:
    return refuse(403, _("The month closes are read by the city offices."))


def _detail(c: MonthClose) -> dict[str, Any]:
    latest = MonthClose.objects.filter(year=c.year, month=c.month).order_by("-version").values_list(
        "version", flat=True).first() or c.version
    lines = MonthCloseLine.objects.filter(close=c).select_related("unit").order_by("unit__sort_order", "unit_id")
    return {**_close(c, latest), "lines": [_line(x) for x in lines]}


@router.get("/reports/closes", response={200: MonthClosePage, **READS})
def list_closes(request: HttpRequest, query: Query[CloseListQuery]) -> Any:
    """Every close and correction recorded, oldest first, by keyset; ``latest`` marks the one in force."""
    if not can_read_closes(caller(request)):
        return _refused()
    rows, next_after = keyset_page(MonthClose.objects.select_related("closed_by"), query.after, query.limit)
    latest = _latest_versions()
    return {"items": [_close(c, latest[(c.year, c.month)]) for c in rows], "next_after": next_after}


@router.get("/reports/closes/{year}/{month}", response={200: MonthCloseDetail, **READS})
def get_close(request: HttpRequest, path: Path[CloseMonthPath], query: Query[CloseVersionQuery]) -> Any:
    """A closed month's frozen figures per unit (the latest version, or ``version``); 404 while it is open."""
    if not can_read_closes(caller(request)):
        return _refused()
    closes = MonthClose.objects.filter(year=path.year, month=path.month).select_related("closed_by")
    close = (closes.filter(version=query.version) if query.version else closes.order_by("-version")).first()
    if close is None:
        raise Http404("The month is not closed")
    return _detail(close)


@router.post("/reports/closes", response={201: MonthCloseDetail, **WRITES})
def close_month(request: HttpRequest, payload: CloseIn) -> Any:
    """Close a month (the supervision office), or record a correction with ``reason``. Needs ``"confirm": true``."""
    user = caller(request)
    if not can_close_month(user):
        return refuse(403, _("Only the supervision office closes a month."))
    if not payload.confirm:
        return refuse(400, {"confirm": unconfirmed(payload.year, payload.month)})
    try:
        close = do_close_month(actor=user, year=payload.year, month=payload.month, reason=payload.reason)
    except ReportError as e:
        return refuse(409 if isinstance(e, ConcurrentChange) else 400, e.errors)
    return Status(201, _detail(MonthClose.objects.select_related("closed_by").get(pk=close.pk)))
