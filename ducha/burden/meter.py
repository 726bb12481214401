"""The burden meter (减负监测, S2.8): for every unit and month, what the platform asked of it.

It proves the platform's own principle ("report once": 一次填报、数据共用) by counting what
each unit had to do in a month: the monthly report and its lines, letters and notices to
answer, self-check forms, supervision rounds it was in scope of, findings, efficiency cases
and lawful-check findings against it. Evidence files are counted apart: the platform never
asks for one, so they are what units chose to attach, not what they were asked.

It is never a score: nothing here ranks, grades or feeds the evaluation. A unit asked more
than ``DUCHA_BURDEN_MONTHLY_CAP`` items in a month is flagged, so the office asking can see
it is asking too much.

Every count is one GROUP BY query over all units, so a month costs the same dozen queries
whatever the number of units.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from ducha.accountability.models import Case
from ducha.accountability.rounds_models import Finding, Round
from ducha.lawful.models import Deduction
from ducha.ledger.models import SelfCheck, SupervisionNotice
from ducha.letters.models import Letter
from ducha.matters.models import Evidence
from ducha.org.models import Unit, UnitKind
from ducha.reports.owed import owed_counts
from ducha.rules.reporting import MonthWindow, month_bounds


@dataclass(frozen=True)
class Kind:
    code: str
    label: Promise
    meaning: Promise
    colour: str  # the bar's segment
    in_total: bool = True


KINDS: tuple[Kind, ...] = (
    Kind("reports", _("Monthly reports"), _(
        "The month's progress report: one when the unit leads or co-handles a matter reportable that month."),
        "#0d6efd"),
    Kind("report_lines", _("Report lines"), _(
        "The matters the month's report covers, one line each (as lead unit or as co-unit)."), "#6ea8fe"),
    Kind("letters", _("Letters to answer"), _(
        "Reminder and request letters addressed to the unit, dated in the month."), "#fd7e14"),
    Kind("notices", _("Supervision notices"), _(
        "Supervision notices delivered to the unit in the month, each with a rectification to report."), "#dc3545"),
    Kind("self_checks", _("Self-check forms"), _(
        "Self-check forms the unit confirmed in the month before the June check."), "#6f42c1"),
    Kind("rounds", _("Supervision rounds"), _(
        "Supervision rounds with the unit in scope whose dates fall at least partly in the month."), "#20c997"),
    Kind("findings", _("Findings"), _(
        "Problems recorded against the unit by supervision rounds in the month, each to be rectified."), "#198754"),
    Kind("cases", _("Efficiency cases"), _("Efficiency cases opened about the unit in the month."), "#ffc107"),
    Kind("lawful", _("Lawful-check findings"), _(
        "Findings against the unit in a lawful-administration check published in the month."), "#adb5bd"),
    Kind("evidence", _("Evidence files attached"), _(
        "Files the unit chose to attach in the month. The platform never asks for one, so they are "
        "shown but not added to the total."), "#dee2e6", in_total=False),
)
KIND_CODES = tuple(k.code for k in KINDS)
NEVER_A_SCORE = _("What the platform asked of each unit; never a score, and not used to rank or evaluate any unit.")


def monthly_cap() -> int:
    """The items a unit may be asked in a month before it is flagged (DUCHA_BURDEN_MONTHLY_CAP)."""
    return int(settings.DUCHA_BURDEN_MONTHLY_CAP)


@dataclass
class UnitBurden:
    unit: Unit
    counts: dict[str, int]
    cap: int

    @property
    def total(self) -> int:
        return sum(self.counts[k.code] for k in KINDS if k.in_total)

    @property
    def over_cap(self) -> bool:
        return self.total > self.cap

    def items(self) -> list[tuple[Kind, int]]:
        return [(k, self.counts[k.code]) for k in KINDS]


@dataclass
class MonthBurden:
    year: int
    month: int
    cap: int
    rows: list[UnitBurden] = field(default_factory=list)

    @property
    def key(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def totals(self) -> dict[str, int]:
        return {k.code: sum(r.counts[k.code] for r in self.rows) for k in KINDS}

    @property
    def total(self) -> int:
        return sum(r.total for r in self.rows)

    @property
    def over_cap(self) -> list[UnitBurden]:
        return [r for r in self.rows if r.over_cap]

    def row_for(self, unit_id: int) -> UnitBurden | None:
        return next((r for r in self.rows if r.unit.id == unit_id), None)


def _per_unit(qs: QuerySet[Any], unit_field: str) -> dict[int, int]:
    """One GROUP BY: how many rows of ``qs`` each unit has."""
    return dict(qs.order_by().values_list(unit_field).annotate(n=Count("pk")).values_list(unit_field, "n"))


def _moments(first: date, last: date) -> tuple[datetime, datetime]:
    """The month as aware instants in Asia/Shanghai: [its first midnight, the next month's)."""
    nxt = date(last.year + (last.month == 12), last.month % 12 + 1, 1)
    return (timezone.make_aware(datetime.combine(first, time.min)),
            timezone.make_aware(datetime.combine(nxt, time.min)))


def count_month(year: int, month: int, unit_ids: Iterable[int] | None = None) -> dict[str, dict[int, int]]:
    """Per kind, per unit, what was asked in the month: one query per kind."""
    first, last = month_bounds(year, month)
    start, end = _moments(first, last)
    ids = None if unit_ids is None else sorted(unit_ids)

    def of(qs: QuerySet[Any], unit_field: str = "unit_id") -> dict[int, int]:
        if ids is not None:
            qs = qs.filter(**{f"{unit_field}__in": ids})
        return _per_unit(qs, unit_field)

    lines = owed_counts(MonthWindow(year, month, first, last), first, ids)
    in_month = {"created_at__gte": start, "created_at__lt": end}
    return {
        "reports": {u: 1 for u, n in lines.items() if n},
        "report_lines": {u: n for u, n in lines.items() if n},
        "letters": of(Letter.objects.filter(sent_on__gte=first, sent_on__lte=last), "to_unit_id"),
        "notices": of(SupervisionNotice.objects.filter(delivered_at__gte=start, delivered_at__lt=end)),
        "self_checks": of(SelfCheck.objects.filter(confirmed_at__gte=start, confirmed_at__lt=end)),
        "rounds": of(Round.units.through.objects.filter(round__starts_on__lte=last, round__ends_on__gte=first)),
        "findings": of(Finding.objects.filter(**in_month)),
        "cases": of(Case.objects.filter(opened_at__gte=start, opened_at__lt=end)),
        "lawful": of(Deduction.objects.filter(lawful_check__published_at__gte=start,
                                              lawful_check__published_at__lt=end).exclude(finding="")),
        "evidence": of(Evidence.objects.filter(uploaded_at__gte=start, uploaded_at__lt=end)),
    }


def month_burden(year: int, month: int, unit_ids: Iterable[int] | None = None) -> MonthBurden:
    """Every unit's burden in the month: each active department, county and zone, and any other
    unit asked something (or exactly the units of ``unit_ids``). A fixed number of queries."""
    ids = None if unit_ids is None else sorted(set(unit_ids))
    counted = count_month(year, month, ids)
    asked = {u for per_unit in counted.values() for u in per_unit}
    if ids is None:
        units = Unit.objects.filter((Q(is_active=True) & ~Q(kind=UnitKind.OFFICE)) | Q(pk__in=sorted(asked)))
    else:  # the units asked for, whatever their kind
        units = Unit.objects.filter(pk__in=ids)
    cap = monthly_cap()
    rows = [UnitBurden(u, {k.code: counted[k.code].get(u.id, 0) for k in KINDS}, cap)
            for u in units.order_by("sort_order", "id")]
    return MonthBurden(year, month, cap, rows)
