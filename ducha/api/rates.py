"""The three rates (S2.7) over the API, as the rates page shows them.

A unit reads its own row and the city's overall figures, a vice mayor the portfolio's rows,
the city offices and the mayor every row. The records behind the overall shortfall name
other units' matters, so only those who see every unit may list them; a unit lists the
records behind its own row.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from ducha.api.common import ERRORS, PERIOD_PATTERN, caller, period_param, refuse
from ducha.api.report_schemas import RateKindCode, RatesOut, ShortfallPage
from ducha.api.schemas import Error, RowId
from ducha.org.access import access_unit_by_id, unit_scope
from ducha.org.models import Unit
from ducha.reports.rates import RateRow, Shortfall, gather_rates, shortfall_records
from ducha.rules.periods import Period
from ducha.rules.rates import Rate
from ducha.workcal import service as workcal

router = Router(tags=["rates"])
PERIOD_HELP = "2026-10, 2026-Q3, 2026-H1 or 2026; default: the current quarter"


class RatesQuery(Schema):
    period: str | None = Field(None, pattern=PERIOD_PATTERN, description=PERIOD_HELP)


class ShortfallQuery(RatesQuery):
    rate: RateKindCode
    unit: RowId | None = Field(None, description="omit for the whole city (only for those who see every unit)")
    offset: int = Field(0, ge=0, le=10_000_000, description="records to skip, in the order given")
    limit: int = Field(100, ge=1, le=1000, description="records to return at most")


def _rate(rate: Rate[Shortfall]) -> dict[str, Any]:
    return {"due": rate.due, "done": rate.done, "value": rate.value, "percent": rate.percent}


def _row(row: RateRow) -> dict[str, Any]:
    return {"unit": row.unit, "execution": _rate(row.execution), "reporting": _rate(row.reporting),
            "rectification": _rate(row.rectification)}


@router.get("/rates", response={200: RatesOut, 403: Error, **ERRORS})
def rates(request: HttpRequest, query: Query[RatesQuery]) -> Any:
    """Execution, reporting and rectification rates per unit in scope and for the whole city."""
    scope = unit_scope(caller(request))
    if not scope.all_units and not scope.unit_ids:
        return refuse(403, _("The rates are business data; your role does not read them."))
    today = workcal.today()
    period = period_param(query.period, Period.containing("quarter", today))
    result = gather_rates(period, today, None if scope.all_units else scope.unit_ids)
    return {
        "period": period.key, "label": period.label_zh, "start": period.start, "end": period.end,
        "judged_on": today, "overall": _row(result.overall), "rows": [_row(r) for r in result.rows],
        "unknown_windows": result.unknown_windows,
    }


@router.get("/rates/shortfall", response={200: ShortfallPage, **ERRORS})
def shortfall(request: HttpRequest, query: Query[ShortfallQuery]) -> Any:
    """The matters behind one rate's shortfall: a unit's, or the whole city's, by due date, unit and
    number, ``limit`` records from ``offset`` (``missed`` says how many there are)."""
    user = caller(request)
    today = workcal.today()
    period = period_param(query.period, Period.containing("quarter", today))
    unit = None
    if query.unit is None:
        if not unit_scope(user).all_units:
            raise Http404("Not in scope")
        rate = gather_rates(period, today, []).overall.get(query.rate)
    else:
        unit = access_unit_by_id(user, query.unit)
        row = gather_rates(period, today, [unit.id], overall=False).row_for(unit.id)
        if row is None:
            raise Http404("The unit is not assessed")
        rate = row.get(query.rate)
    records = shortfall_records(query.rate, period, today, unit.id if unit else None, offset=query.offset,
                                limit=query.limit)
    units = Unit.objects.only("id", "name").in_bulk({s.unit_id for s in records}) if unit is None else {
        unit.id: unit}
    return {
        "period": period.key, "rate": query.rate, "unit": unit, "due": rate.due, "done": rate.done,
        "missed": rate.missed, "offset": query.offset, "limit": query.limit,
        "records": [
            {"kind": s.kind, "unit": units[s.unit_id], "matter": {"id": s.matter_id, "number": s.number,
                                                                  "title": s.title},
             "due": s.due, "done_on": s.done_on, "month": s.month, "detail": s.detail}
            for s in records
        ],
    }
