"""The shapes of the ledger (S2.4) endpoints."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from ninja import Field, Schema

from ducha.api.schemas import MatterRef, PersonRef, UnitRef


class PhaseCode(StrEnum):
    """The four phases of a ledger year (ducha.rules.ledger.LedgerPhaseKey); a test keeps them equal."""

    BUILD = "build"  # 年初建账
    JUNE_CHECK = "june_check"  # 6月查账
    RECONCILIATION = "september_reconciliation"  # 9月对账
    CLOSE = "year_end_close"  # 年底交账


class SnapshotCode(StrEnum):
    """The ledger year's two frozen snapshots (ducha.ledger.models.SnapshotKind)."""

    BASELINE = "baseline"  # 年初基数, taken by the build
    FINAL = "final"  # 年底结果, taken by the year-end close


class FlagPhaseCode(StrEnum):
    """The phases that flag matters behind schedule."""

    JUNE_CHECK = "june_check"
    RECONCILIATION = "september_reconciliation"


class FlagReasonCode(StrEnum):
    """Why a matter was found behind (ducha.rules.ledger_check.FlagReason)."""

    BEHIND_SHARE = "behind_share"  # 完成进度低于时间进度
    MISSED_MILESTONE = "missed_milestone"  # 未按时间节点推进


class ProgressSourceCode(StrEnum):
    """Where the judged progress came from (ducha.ledger.models.ProgressSource)."""

    SELF_CHECK = "self_check"  # the unit's self-check (自查)
    REPORT = "report"  # the lead unit's report line of ``progress_month``
    RECORD = "record"  # the matter's figure, unchanged since the cut-off
    NONE = "none"  # nothing on record by the cut-off: judged as 0


class CloseOutcomeCode(StrEnum):
    CARRY_OVER = "carry_over"  # 结转下年台账
    NOT_DONE = "not_done"  # 按未完成交账


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
        description="what the run produced (matters, flagged, notices…); for the city-wide offices only"
    )
    runners: list[str] = Field(description="the roles that run this phase (setting DUCHA_LEDGER_PHASE_RUNNERS)")
    runs: bool = Field(description="the caller may run this phase")


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


class MissedNodeOut(Schema):
    title: str
    due: date


class FlagOut(Schema):
    id: int
    phase: FlagPhaseCode
    matter: MatterRef
    unit: UnitRef
    progress: int = Field(ge=0, le=100, description="progress on record by ``judged_on``")
    elapsed_share: float = Field(ge=0, le=1, description="working time elapsed (时间进度) by ``judged_on``")
    checked_on: date = Field(description="the day the phase was run")
    judged_on: date | None = Field(description="the day judged as of: the cut-off, or the run day before it")
    reasons: list[FlagReasonCode]
    missed_milestones: list[MissedNodeOut] = Field(description="time nodes due by ``judged_on`` and not done")
    progress_source: ProgressSourceCode | None
    progress_month: str = Field(description="for a report line: its month, YYYY-MM")
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
    judged_on: date | None
    reasons: list[FlagReasonCode]
    missed_milestones: list[MissedNodeOut]
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
    reasons: list[FlagReasonCode]
    missed_milestones: list[MissedNodeOut]
    progress_source: ProgressSourceCode
    progress_month: str


class SelfCheckStateOut(Schema):
    confirmed: list[UnitRef] = Field(description="units whose self-check (自查) is confirmed")
    unconfirmed: list[UnitRef] = Field(description="units asked for a self-check that have not confirmed")


class OpenMatterOut(Schema):
    matter: MatterRef
    unit: str
    status: str
    progress: int
    due_date: date | None
    outcome: CloseOutcomeCode = Field(description="what the close does unless the run lists it in ``not_done``")


class PlanOut(Schema):
    """What running the phase now would do; confirm by sending ``digest`` back."""

    year: int
    phase: PhaseCode
    today: date
    opens: date | None = Field(description="the day the phase opens; it is refused before")
    due: date | None
    cutoff: date | None = Field(description="June and September: the day the check judges as of")
    as_of: date | None = Field(description="the day it would judge as of today: the cut-off, or today before it")
    runs: bool = Field(description="the caller may run it; the others read the preview")
    blocker: str = Field(description="why the phase cannot run now; empty when it can")
    late: bool
    counts: dict[str, int]
    rectify_by: date | None
    numbers: list[str] = Field(description="the 督查通知 numbers the September reconciliation would take")
    flags: list[FlagPlanOut] = Field(description="the matters that would be flagged (at most 500 listed)")
    self_check: SelfCheckStateOut | None = Field(description="June: which units have confirmed their self-check")
    open_matters: list[OpenMatterOut] = Field(description="the close: every matter still open and its outcome")
    digest: str


class RunIn(Schema):
    digest: str = Field(min_length=1, max_length=64, description="the digest of the plan that was reviewed")
    confirm_year: int | None = Field(None, description="the year-end close: the year typed out; it cannot be undone")
    not_done: list[int] = Field(default_factory=list, max_length=100_000, description=(
        "the year-end close: matters still open to close in the ledger as not done; the others are carried over"))


class SelfCheckLineOut(Schema):
    matter: MatterRef
    recorded: int = Field(description="progress on record as of the cut-off")
    recorded_source: ProgressSourceCode
    recorded_month: str
    confirmed: int | None = Field(description="the unit's confirmed figure; null before it confirms")
    reason: str


class SelfCheckOut(Schema):
    """The caller's unit's self-check (自查) before the June check."""

    year: int
    unit: UnitRef
    cutoff: date
    as_of: date
    open: bool
    blocker: str = Field(description="why it cannot be confirmed now; empty when it can")
    confirmed_at: datetime | None
    confirmed_by: PersonRef | None
    lines: list[SelfCheckLineOut]


class SelfCheckLineIn(Schema):
    matter: int = Field(ge=1)
    confirmed: int = Field(ge=0, le=100)
    reason: str = Field("", max_length=300, description="required when ``confirmed`` is below ``recorded``")


class SelfCheckIn(Schema):
    lines: list[SelfCheckLineIn] = Field(max_length=10_000, description="every line of the form, once each")


class RunOut(Schema):
    ledger: LedgerYearOut
    notices: list[NoticeRef] = Field(description="the 督查通知 issued by a September reconciliation")


class SnapshotPage(Schema):
    """One page of a frozen snapshot: its summary (when it was taken, how many matters, the
    counts) and its matters as they were then, in matter id order."""

    year: int
    kind: SnapshotCode
    summary: dict[str, Any] = Field(description="taken_on, count; the final one also counts and outcomes")
    items: list[dict[str, Any]] = Field(description="one matter each, as frozen")
    next_after: int | None = Field(description="pass as `after` (a matter id) for the next page; null on the last")
