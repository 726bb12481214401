"""The burden meter (减负监测, S2.8) over the API: for a month, what the platform asked of every
unit, or of one, with what each count means. Read by the supervision office and the
performance office, as on the page; every other role is refused (403). Never a score.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Path, Router, Schema

from ducha.api.common import ERRORS, caller, refuse
from ducha.api.schemas import MAX_YEAR, MIN_YEAR, Error, RowId, UnitRef
from ducha.burden.access import can_read_burden
from ducha.burden.meter import KINDS, NEVER_A_SCORE, MonthBurden, UnitBurden, month_burden

router = Router(tags=["burden"])
READS = {403: Error, **ERRORS}
NOTE_HELP = "what the platform asked of the unit; never a score, not used to rank or evaluate"


class BurdenCounts(Schema):
    """One count per kind of request (see ``kinds`` for what each counts)."""

    reports: int = Field(description="monthly progress reports owed (0 or 1)")
    report_lines: int = Field(description="lines of the month's report: matters it covers")
    letters: int = Field(description="letters addressed to the unit dated in the month")
    notices: int = Field(description="督查通知 delivered in the month")
    self_checks: int = Field(description="self-check forms (自查) confirmed in the month")
    rounds: int = Field(description="supervision rounds with the unit in scope overlapping the month")
    findings: int = Field(description="round findings recorded against the unit in the month")
    cases: int = Field(description="efficiency cases opened about the unit in the month")
    lawful: int = Field(description="lawful-check findings published in the month")
    evidence: int = Field(description="evidence files attached (never asked for; not in the total)")


class BurdenKindOut(Schema):
    code: str
    label: str
    meaning: str
    in_total: bool


class UnitBurdenOut(Schema):
    unit: UnitRef
    counts: BurdenCounts
    total: int = Field(description="the sum of the counts marked in_total")
    over_cap: bool = Field(description="total above the monthly cap (DUCHA_BURDEN_MONTHLY_CAP)")


class BurdenItemOut(Schema):
    code: str
    label: str
    meaning: str
    count: int
    in_total: bool


class BurdenMonthOut(Schema):
    month: str = Field(description="2026-10")
    cap: int = Field(description="DUCHA_BURDEN_MONTHLY_CAP: items a unit may be asked in a month before a warning")
    note: str = Field(description=NOTE_HELP)
    kinds: list[BurdenKindOut]
    units: list[UnitBurdenOut]
    totals: BurdenCounts
    total: int
    over_cap: list[UnitRef] = Field(description="the units asked more than the cap")


class UnitBurdenDetail(Schema):
    month: str
    cap: int
    note: str = Field(description=NOTE_HELP)
    unit: UnitRef
    items: list[BurdenItemOut]
    total: int
    over_cap: bool


class BurdenMonthPath(Schema):
    year: int = Field(ge=MIN_YEAR, le=MAX_YEAR)
    month: int = Field(ge=1, le=12)


class BurdenUnitPath(BurdenMonthPath):
    unit_id: RowId


def _note() -> str:
    return str(NEVER_A_SCORE)


def _kinds() -> list[dict[str, Any]]:
    return [{"code": k.code, "label": str(k.label), "meaning": str(k.meaning), "in_total": k.in_total} for k in KINDS]


def _unit(row: UnitBurden) -> dict[str, Any]:
    return {"unit": row.unit, "counts": row.counts, "total": row.total, "over_cap": row.over_cap}


def _month(burden: MonthBurden) -> dict[str, Any]:
    return {"month": burden.key, "cap": burden.cap, "note": _note(), "kinds": _kinds(),
            "units": [_unit(r) for r in burden.rows], "totals": burden.totals, "total": burden.total,
            "over_cap": [r.unit for r in burden.over_cap]}


def _refused() -> Any:
    return refuse(403, _("The burden meter is read by the supervision office and the performance office."))


@router.get("/burden/{year}/{month}", response={200: BurdenMonthOut, **READS})
def month(request: HttpRequest, path: Path[BurdenMonthPath]) -> Any:
    """Every unit's burden in the month: each kind's count, the total and whether it is over the cap."""
    if not can_read_burden(caller(request)):
        return _refused()
    return _month(month_burden(path.year, path.month))


@router.get("/burden/{year}/{month}/units/{unit_id}", response={200: UnitBurdenDetail, **READS})
def unit_month(request: HttpRequest, path: Path[BurdenUnitPath]) -> Any:
    """One unit's burden in the month, each count with what it counts; 404 for no such unit."""
    if not can_read_burden(caller(request)):
        return _refused()
    burden = month_burden(path.year, path.month, [path.unit_id])
    row = burden.row_for(path.unit_id)
    if row is None:
        raise Http404("No such unit")
    return {"month": burden.key, "cap": burden.cap, "note": _note(), "unit": row.unit,
            "items": [{"code": k.code, "label": str(k.label), "meaning": str(k.meaning), "count": n,
                       "in_total": k.in_total} for k, n in row.items()],
            "total": row.total, "over_cap": row.over_cap}
