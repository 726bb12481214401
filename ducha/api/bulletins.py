"""Bulletins (督查通报, S2.8) over the API, under the bulletin pages' rules: the supervision
office reads the figures of a period, issues the bulletin once the period is over (with
``"confirm": true``: it is numbered and goes out to every unit) and reads what it issued;
every other role is refused (403), as on the pages. Issuing goes through
``ducha.reports.bulletin.do_issue_bulletin`` and nothing else.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema, Status

from ducha.api.common import (
    BINARY,
    DOCX,
    ERRORS,
    PDF,
    PERIOD_PATTERN,
    caller,
    keyset_page,
    period_param,
    refuse,
    stored_file,
)
from ducha.api.schemas import AfterId, Error, PersonRef, RowId
from ducha.org.models import User
from ducha.reports.access import can_issue_bulletin
from ducha.reports.actions import ReportError
from ducha.reports.bulletin import (
    _summary,
    bulletin_recipients,
    bulletin_title,
    do_issue_bulletin,
    render_bulletin_files,
)
from ducha.reports.bulletin_data import bulletin_data
from ducha.reports.models import Bulletin
from ducha.rules.periods import Period
from ducha.workcal import service as workcal

router = Router(tags=["bulletins"])
OFFICE_ONLY = {403: Error, **ERRORS}
WRITES = {400: Error, 403: Error, 409: Error, **ERRORS}
PERIOD_HELP = "2026-10, 2026-Q3, 2026-H1 or 2026; default: last month"
CONFIRM_TEXT = ("must be true: the bulletin is numbered (宛督〔year〕N号), goes out to every unit named in "
                "`recipients` and cannot be withdrawn (a correction is a new document). Without it the answer "
                "is 400 naming what would be issued.")


class RatesFigures(Schema):
    execution: str
    reporting: str
    rectification: str


class ReportFigures(Schema):
    on_time: int
    late: int
    missing: int


class FiguresOut(Schema):
    """The bulletin's figures: of the issued bulletin as announced, or of a period as they stand."""

    total: int
    completed: int
    overdue: int
    as_of: date = Field(description="overdue is judged on this day")
    rates: RatesFigures
    laggards: list[str] = Field(description="units named for criticism")
    commended: list[str] = Field(description="units commended")
    reports: ReportFigures


class BulletinOut(Schema):
    id: int
    period: str
    number: str = Field(description="发文字号, e.g. 宛督〔2026〕3号")
    title: str
    issued_on: date
    issued_at: datetime
    issued_by: PersonRef
    figures: FiguresOut
    files: dict[str, str] = Field(description="docx and pdf: the path of each rendered file")
    render_error: str = Field(description="why the files could not be rendered; empty when they were")


class BulletinPage(Schema):
    items: list[BulletinOut]
    next_after: int | None = Field(description="pass as `after` to get the next page; null on the last page")


class PreviewOut(Schema):
    """What a period's bulletin would announce: nothing is issued by reading this."""

    period: str
    label: str
    title: str
    recipients: list[str] = Field(description="主送: who the bulletin goes out to")
    figures: FiguresOut
    issued: BulletinOut | None = Field(description="the bulletin already issued for the period, if any")
    can_issue: bool = Field(description="the period is over and no bulletin was issued for it")


class PeriodQuery(Schema):
    period: str | None = Field(None, pattern=PERIOD_PATTERN, description=PERIOD_HELP)


class ListQuery(Schema):
    after: AfterId | None = None
    limit: int = Field(50, ge=1, le=200)


class IssueIn(Schema):
    period: str = Field(pattern=PERIOD_PATTERN, description="the finished period, e.g. 2026-10 or 2026-Q3")
    confirm: bool = Field(False, description=CONFIRM_TEXT)


class FilePath(Schema):
    bulletin_id: RowId
    fmt: str = Field(pattern="^(docx|pdf)$")


def _office(request: HttpRequest) -> User | None:
    user = caller(request)
    return user if can_issue_bulletin(user) else None


def _refused() -> Status[dict[str, Any]]:
    return refuse(403, _("Bulletins are issued by the supervision office."))


def _bulletin(b: Bulletin) -> dict[str, Any]:
    files = {fmt: reverse("api:bulletin_file", kwargs={"bulletin_id": b.pk, "fmt": fmt})
             for fmt, stored in (("docx", b.docx), ("pdf", b.pdf)) if stored}
    return {"id": b.pk, "period": b.period, "number": b.number, "title": b.title, "issued_on": b.issued_on,
            "issued_at": b.issued_at, "issued_by": b.issued_by, "figures": b.summary, "files": files,
            "render_error": b.render_error}


def _get(bulletin_id: int) -> Bulletin:
    b = Bulletin.objects.select_related("issued_by").filter(pk=bulletin_id).first()
    if b is None:
        raise Http404("No such bulletin")
    return b


@router.get("/bulletins", response={200: BulletinPage, **OFFICE_ONLY})
def list_bulletins(request: HttpRequest, query: Query[ListQuery]) -> Any:
    """The bulletins issued, oldest first, by keyset."""
    if _office(request) is None:
        return _refused()
    rows, next_after = keyset_page(Bulletin.objects.select_related("issued_by"), query.after, query.limit)
    return {"items": [_bulletin(b) for b in rows], "next_after": next_after}


@router.get("/bulletins/preview", response={200: PreviewOut, **OFFICE_ONLY})
def preview(request: HttpRequest, query: Query[PeriodQuery]) -> Any:
    """The figures a period's bulletin would announce, and whether it may be issued now."""
    if _office(request) is None:
        return _refused()
    today = workcal.today()
    period = period_param(query.period, Period.containing("month", today).previous())
    existing = Bulletin.objects.select_related("issued_by").filter(period=period.key).first()
    return {"period": period.key, "label": period.label_zh, "title": bulletin_title(period),
            "recipients": list(bulletin_recipients()), "figures": _summary(bulletin_data(period, today)),
            "issued": _bulletin(existing) if existing else None, "can_issue": existing is None and today > period.end}


@router.post("/bulletins", response={201: BulletinOut, **WRITES})
def issue(request: HttpRequest, payload: IssueIn) -> Any:
    """Issue the bulletin of a finished period (the supervision office). Needs ``"confirm": true``."""
    user = _office(request)
    if user is None:
        return _refused()
    period = period_param(payload.period, Period.containing("month", workcal.today()).previous())
    if not payload.confirm:
        return refuse(400, {"confirm": _(
            "A bulletin cannot be withdrawn once issued: “%(title)s” is numbered and goes out to %(recipients)s. "
            "To issue it, send again with confirm: true.") % {
                "title": bulletin_title(period), "recipients": "、".join(bulletin_recipients())}})
    try:
        bulletin = do_issue_bulletin(actor=user, period=period)
    except ReportError as e:
        return refuse(409 if Bulletin.objects.filter(period=period.key).exists() else 400, e.errors)
    return Status(201, _bulletin(_get(bulletin.pk)))


@router.get("/bulletins/{bulletin_id}", response={200: BulletinOut, **OFFICE_ONLY})
def get_bulletin(request: HttpRequest, bulletin_id: RowId) -> Any:
    if _office(request) is None:
        return _refused()
    return _bulletin(_get(bulletin_id))


@router.post("/bulletins/{bulletin_id}/render", response={200: BulletinOut, **WRITES})
def render_again(request: HttpRequest, bulletin_id: RowId) -> Any:
    """Render the files again after a failure (a font installed since); see ``render_error``."""
    if _office(request) is None:
        return _refused()
    render_bulletin_files(_get(bulletin_id))
    return _bulletin(_get(bulletin_id))


@router.get("/bulletins/{bulletin_id}/files/{fmt}", response={**OFFICE_ONLY}, openapi_extra={"responses": {200: {
    "description": "the bulletin (GB/T 9704-2012 layout)", "content": {"application/pdf": BINARY, DOCX: BINARY}}}})
def bulletin_file(request: HttpRequest, path: Path[FilePath]) -> Any:
    """The bulletin as .docx or PDF; 404 until it has been rendered (see ``render_error``)."""
    if _office(request) is None:
        return _refused()
    b = _get(path.bulletin_id)
    return stored_file(b.docx if path.fmt == "docx" else b.pdf, filename=f"{b.number}.{path.fmt}",
                       content_type=PDF if path.fmt == "pdf" else DOCX, download=path.fmt == "docx")
