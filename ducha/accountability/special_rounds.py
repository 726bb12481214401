"""每季度专项督查 (S1.14): at a quarter's end the platform proposes the key-work matters behind
their elapsed share of working time or past a time node, and the office opens a special round
of them in one step.

"Behind" is the ledger's own judgement (``rules.ledger_check.judge`` with time nodes, as the
September reconciliation judges), made as of the quarter's last day from the matters as they
stood then (``ledger.cutoff.matters_as_of``): a quarter looked at later proposes what was behind
at its end, not what is behind today.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from ducha.accountability.access import registers
from ducha.accountability.actions import AccountabilityError, NotYours
from ducha.accountability.rounds_models import Breadth, Focus, Openness, Regularity, Round
from ducha.audit.api import record as audit
from ducha.ledger.cutoff import matters_as_of
from ducha.matters.models import Matter, Source
from ducha.org.models import Unit, User
from ducha.rules.ledger_check import TimeNode, judge
from ducha.rules.periods import Period
from ducha.rules.workdays import UncoveredYear
from ducha.workcal import service as workcal


@dataclass(frozen=True)
class Proposed:
    matter_id: int
    number: str
    title: str
    unit_id: int
    unit_name: str
    progress: int
    elapsed: float | None
    behind_share: bool
    missed: tuple[TimeNode, ...]

    @property
    def elapsed_percent(self) -> int | None:
        return None if self.elapsed is None else round(self.elapsed * 100)


def last_finished_quarter(today: date) -> Period:
    return Period.containing("quarter", today).previous()


def proposal(quarter: Period, today: date) -> list[Proposed]:
    """The quarter's key-work matters behind at its end, in unit order. Only a finished quarter
    has a proposal: before its end the matters are still being worked on."""
    if quarter.kind != "quarter" or quarter.end >= today:
        return []
    cal = workcal.get_calendar()
    rows = list(matters_as_of(quarter.year, quarter.end, self_check=False, time_nodes=True))
    key_work = set(Matter.objects.filter(pk__in=[r.matter_id for r, _m in rows], source=Source.KEY_WORK)
                   .values_list("pk", flat=True))
    out = []
    for row, at in rows:
        if row.matter_id not in key_work:
            continue
        verdict = judge(cal, at, quarter.end, count_time_nodes=True)
        if verdict.flagged:
            out.append(Proposed(row.matter_id, row.number, row.title, row.unit_id, row.unit_name, verdict.progress,
                                verdict.elapsed, "behind_share" in verdict.reasons, verdict.missed))
    return out


def round_of(quarter: Period) -> Round | None:
    return Round.objects.filter(proposal_quarter=quarter.key).first()


def round_title(quarter: Period) -> str:
    # Round titles are the office's data and print on its documents: Chinese in every language.
    return f"{quarter.label_zh}重点工作专项督查"


def open_effect(quarter: Period, proposed: list[Proposed], today: date) -> str:
    units = {p.unit_id for p in proposed}
    return _("Open the special round \"%(title)s\" of %(n)d matters in %(units)d units, for %(days)d working "
             "days from %(start)s. The units in scope see it.") % {
        "title": round_title(quarter), "n": len(proposed), "units": len(units),
        "days": settings.DUCHA_SPECIAL_ROUND_WORKDAYS, "start": _start_words(today)}


def _start_words(today: date) -> str:
    try:
        return _first_day(today).isoformat()
    except UncoveredYear:
        return today.isoformat()


def _first_day(today: date) -> date:
    return workcal.get_calendar().next_workday_on_or_after(today)


def do_open_special_round(*, actor: User, quarter: Period, today: date | None = None) -> Round:
    """Open the quarter's special round from its proposal: the units and matters proposed, the
    office's own account as inspector (others are added on the round's page), open (明察)."""
    if not registers(actor):
        raise NotYours(_("Only the supervision office opens supervision rounds."))
    today = today or workcal.today()
    if quarter.kind != "quarter" or quarter.end >= today:
        raise AccountabilityError({"quarter": _("A quarter's proposal is made once the quarter is over.")})
    proposed = proposal(quarter, today)
    if not proposed:
        raise AccountabilityError({"quarter": _("No key-work matter was behind at the end of this quarter.")})
    try:
        start = _first_day(today)
        end = workcal.get_calendar().add_workdays(start, settings.DUCHA_SPECIAL_ROUND_WORKDAYS - 1)
    except UncoveredYear as e:
        raise AccountabilityError(_("%(reason)s: the round's dates cannot be computed.") % {"reason": e}) from e
    unit_ids = sorted({p.unit_id for p in proposed})
    try:
        with transaction.atomic():
            row = Round.objects.create(
                title=round_title(quarter), regularity=Regularity.REGULAR, focus=Focus.FOLLOW_UP,
                breadth=Breadth.SPECIAL, openness=Openness.OPEN, theme=f"{quarter.label_zh}推进滞后的重点工作",
                starts_on=start, ends_on=end, created_by=actor, proposal_quarter=quarter.key)
            row.units.set(Unit.objects.filter(pk__in=unit_ids))
            row.matters.set([p.matter_id for p in proposed])
            row.inspectors.set([actor])
            audit(actor=actor, action="accountability.round_open", obj_type="accountability.Round", obj_id=row.pk,
                  before=None, after={"title": row.title, "quarter": quarter.key, "units": unit_ids,
                                      "matters": [p.matter_id for p in proposed]})
    except IntegrityError:
        raise AccountabilityError({"quarter": _("This quarter's special round has been opened already.")}) from None
    return row
