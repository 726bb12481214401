"""The shapes of the ledger (S2.4) endpoints."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from ninja import Field, Schema

from ducha.api.schemas import MatterRef, PersonRef, UnitRef


class PhaseCode(StrEnum):
    """The four phases of a ledger year (ducha.rules.ledger.LedgerPhaseKey); a test keeps them equal."""

    BUILD = "build"  # 年初建账
    JUNE_CHECK = "june_check"  # 6月查账
    RECONCILIATION = "september_reconciliation"  # 9月对账
    CLOSE = "year_end_close"  # 年底交账


class FlagPhaseCode(StrEnum):
    """The phases that flag matters behind schedule."""

    JUNE_CHECK = "june_check"
    RECONCILIATION = "september_reconciliation"


class FileKind(StrEnum):
    DOCX = "docx"
    PDF = "pdf"


class NoticeRef(Schema):
    id: int
    number: str = Field(description="发文字号, e.g. 宛督〔2026〕3号")


class PhaseOut(Schema):
    key: PhaseCode
    label: str
    opens: date | None = Field(description="null while the calendar does not cover the year")
    due: date | None
    done_at: datetime | None
    done_by: PersonRef | None
    is_next: bool
    open: bool = Field(description="for the next phase: its window has opened")
    late: bool = Field(description="for the next phase: its due day has passed")
    counts: dict[str, int] | None = Field(
        description="what the run produced (matters, flagged, notices…); for the supervision office only"
    )


class LedgerUnitOut(Schema):
    unit: UnitRef
    matters: int = Field(description="matters of the year the unit leads")
    june_check: int = Field(description="matters flagged behind schedule by the June check")
    september_reconciliation: int = Field(description="matters flagged at the September reconciliation")
    notice: NoticeRef | None


class LedgerYearOut(Schema):
    year: int
    matter_count: int
    phases: list[PhaseOut]
    units: list[LedgerUnitOut]


class RectificationOut(Schema):
    due_date: date
    rectified_on: date | None


class FlagOut(Schema):
    id: int
    phase: FlagPhaseCode
    matter: MatterRef
    unit: UnitRef
    progress: int = Field(ge=0, le=100)
    elapsed_share: float = Field(ge=0, le=1, description="working time elapsed (时间进度) on the day of the check")
    checked_on: date
    rectification: RectificationOut | None
    notice: NoticeRef | None


class FlagPage(Schema):
    items: list[FlagOut]
    next_after: int | None = Field(description="pass as `after` to get the next page; null on the last page")


class NoticeOut(Schema):
    id: int
    number: str = Field(description="发文字号")
    title: str
    year: int = Field(description="the ledger year")
    unit: UnitRef
    rectify_by: date
    issued_at: datetime
    delivered_at: datetime
    read_at: datetime | None = Field(description="first opened by the receiving unit (签收)")
    read_by: PersonRef | None
    docx: bool = Field(description="the .docx is ready to download")
    pdf: bool = Field(description="the PDF is ready to download")
    render_error: str
    matters: list[MatterRef]


class NoticePage(Schema):
    items: list[NoticeOut]
    next_after: int | None


class NoticeFlagOut(Schema):
    matter: MatterRef
    progress: int
    elapsed_share: float
    due_date: date | None
    rectification: RectificationOut | None


class NoticeDetailOut(NoticeOut):
    flags: list[NoticeFlagOut]


class FlagPlanOut(Schema):
    matter: MatterRef
    unit: UnitRef
    progress: int
    elapsed_share: float
    due_date: date


class PlanOut(Schema):
    """What running the phase now would do; confirm by sending ``digest`` back."""

    year: int
    phase: PhaseCode
    today: date
    blocker: str = Field(description="why the phase cannot run now; empty when it can")
    late: bool
    counts: dict[str, int]
    rectify_by: date | None
    numbers: list[str] = Field(description="the 督查通知 numbers the September reconciliation would take")
    flags: list[FlagPlanOut] = Field(description="the matters that would be flagged (at most 500 listed)")
    digest: str


class RunIn(Schema):
    digest: str = Field(min_length=1, max_length=64, description="the digest of the plan that was reviewed")


class RunOut(Schema):
    ledger: LedgerYearOut
    notices: list[NoticeRef] = Field(description="the 督查通知 issued by a September reconciliation")
