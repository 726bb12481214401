"""The shapes of the monthly report (S1.2) and rates (S2.7) endpoints."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from ninja import Field, Schema

from ducha.api.schemas import MatterRef, PersonRef, UnitRef
from ducha.reports.actions import MAX_TEXT
from ducha.reports.models import ReportStatus
from ducha.reports.rates import RateKind
from ducha.rules.reporting import Timeliness

ReportStatusCode = ReportStatus
TimelinessCode = Timeliness
RateKindCode = RateKind


class ShortfallKind(StrEnum):
    """What was due (ducha.reports.rates.Shortfall.kind)."""

    MATTER = "matter"
    CO_PART = "co_part"
    REPORT = "report"
    RECTIFICATION = "rectification"


class WindowOut(Schema):
    """The S1.2 report window of a month, from the working-day calendar."""

    opens: date
    closes: date
    provisional: bool = Field(
        description="true while the window's year has no State Council notice: worked out from the statutory "
        "holidays (暂定) and recomputed when the notice is imported"
    )


class ReportOut(Schema):
    id: int
    unit: UnitRef
    year: int
    month: int = Field(ge=1, le=12)
    status: ReportStatusCode
    first_submitted_on: date | None = Field(description="timeliness is judged by the first submission")
    submitted_at: datetime | None
    submitted_by: PersonRef | None
    return_reason: str
    item_count: int
    window: WindowOut | None = Field(description="null while the calendar does not reach the window")
    timeliness: TimelinessCode


class ReportPage(Schema):
    items: list[ReportOut]
    next_after: int | None = Field(description="pass as `after` to get the next page; null on the last page")


class ItemOut(Schema):
    matter: MatterRef
    co_part: str | None = Field(description="the co-unit's part when the unit reports as a co-unit (配合单位)")
    progress: int = Field(ge=0, le=100)
    done: str
    problems: str
    next_steps: str
    achieved_quantity: Decimal | None
    saved_by: PersonRef
    saved_at: datetime


class ReportEventOut(Schema):
    action: str
    actor: PersonRef
    reason: str
    at: datetime


class ReportDetailOut(ReportOut):
    items: list[ItemOut]
    lacking: list[MatterRef] = Field(description="matters the unit owes a line on and has not filled in")
    events: list[ReportEventOut]
    can_edit: bool
    can_submit: bool
    can_return: bool


class LineOut(Schema):
    """One matter the unit owes a line on for the month, with the line saved so far."""

    matter: MatterRef
    co_part: str | None
    quantitative: bool = Field(description="the line takes an achieved quantity (the lead unit of a matter with a target)")
    progress: int = Field(ge=0, le=100, description="the progress on record now (the matter's, or the co-unit part's)")
    due_date: date | None
    item: ItemOut | None


class SheetOut(Schema):
    """A unit's report for one month as its entry form shows it."""

    unit: UnitRef
    year: int
    month: int
    window: WindowOut | None
    timeliness: TimelinessCode
    report: ReportOut | None
    editable: bool
    month_over: bool = Field(description="the report can be submitted only after the month")
    lines: list[LineOut]


class ItemIn(Schema):
    progress: int = Field(ge=0, le=100)
    done: str = Field(min_length=1, max_length=MAX_TEXT, description="本月工作完成情况")
    next_steps: str = Field(min_length=1, max_length=MAX_TEXT, description="下步工作计划")
    problems: str = Field(default="", max_length=MAX_TEXT, description="存在问题")
    achieved_quantity: Decimal | None = Field(
        default=None, ge=0, max_digits=14, decimal_places=2, description="only for a line that is quantitative"
    )
    lower_reason: str = Field(default="", max_length=MAX_TEXT,
                              description="进度下降原因: required when progress is below the figure on record")


class ReturnIn(Schema):
    reason: str = Field(min_length=1, max_length=MAX_TEXT)


class ReportRef(Schema):
    id: int
    status: ReportStatusCode
    first_submitted_on: date | None


class MonthRowOut(Schema):
    unit: UnitRef
    owed: int = Field(description="matters the unit owes a line on")
    report: ReportRef | None
    timeliness: TimelinessCode


class CountsOut(Schema):
    on_time: int
    late: int
    missing: int
    open: int
    not_due: int
    pending_calendar: int


class OverviewOut(Schema):
    """Every unit in scope that owes (or has) a report for the month, as the report list page shows."""

    month: str
    window: WindowOut | None
    counts: CountsOut
    rows: list[MonthRowOut]


class RateOut(Schema):
    due: int
    done: int
    value: float | None = Field(description="done / due; null when nothing was due")
    percent: str


class RateRowOut(Schema):
    unit: UnitRef | None = Field(description="null for the whole city")
    execution: RateOut
    reporting: RateOut
    rectification: RateOut


class RatesOut(Schema):
    period: str
    label: str
    start: date
    end: date
    judged_on: date = Field(description="only what fell due before this day is judged")
    overall: RateRowOut
    rows: list[RateRowOut]
    unknown_windows: list[str] = Field(description="report months whose window the calendar cannot place yet")


class ShortfallOut(Schema):
    kind: ShortfallKind
    unit: UnitRef
    matter: MatterRef
    due: date
    done_on: date | None
    month: str = Field(description="the report month, for the reporting rate")
    detail: str = Field(description="the co-unit's part or the rectification demand")


class ShortfallPage(Schema):
    period: str
    rate: RateKindCode
    unit: UnitRef | None = Field(description="null for the whole city")
    due: int
    done: int
    missed: int = Field(description="due and not done in time: every record, of which this page holds some")
    offset: int
    limit: int
    records: list[ShortfallOut]
