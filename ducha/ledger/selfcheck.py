"""The units' self-check (自查) before the June check (S2.4): "每年6月在各地各部门自查的基础上，
由市政府办公室组织开展全面检查".

One form per unit lists the matters it leads that the June check will judge, each with the
progress on record as of the cut-off (its report lines); the unit confirms them all in one
step or corrects figures, and a figure lowered below the record needs a reason. The
confirmed figures are what the June check judges for that unit. Nothing else is asked for
(减负: no evidence, no attachments).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from django.utils.translation import gettext as _

from ducha.ledger.cutoff import cutoff, matters_as_of
from ducha.ledger.models import LedgerYear, SelfCheck
from ducha.ledger.planning import phase_windows
from ducha.org.models import User
from ducha.rules.ledger import judged_in_check
from ducha.rules.ledger_check import judged_as_of


@dataclass(frozen=True)
class SelfCheckRow:
    matter_id: int
    number: str
    title: str
    recorded: int  # progress on record as of the cut-off
    source: str  # ProgressSource of ``recorded``
    month: str
    confirmed: int | None = None  # the unit's figure when it has confirmed
    reason: str = ""

    @property
    def value(self) -> int:
        return self.recorded if self.confirmed is None else self.confirmed


@dataclass
class SelfCheckForm:
    year: int
    unit_id: int
    cutoff: date | None = None
    as_of: date | None = None
    blocker: str = ""  # why it cannot be confirmed now; empty when it can
    rows: list[SelfCheckRow] = field(default_factory=list)
    confirmed_at: datetime | None = None
    confirmed_by: User | None = None

    @property
    def open(self) -> bool:
        return not self.blocker


def self_check_form(year: int, unit_id: int, today: date) -> SelfCheckForm:
    """The unit's self-check for the year as it stands today: its rows, and whether it is open."""
    form = SelfCheckForm(year, unit_id, cutoff("june_check", year))
    assert form.cutoff is not None
    form.as_of = as_of = judged_as_of(form.cutoff, today)
    row = LedgerYear.objects.defer("baseline", "final").filter(year=year).first()
    window = phase_windows(year).get("june_check")
    if row is None or row.built_at is None:
        form.blocker = _("The %(year)d ledger has not been built yet.") % {"year": year}
    elif row.june_checked_at is not None:
        form.blocker = _("The June check has been done; the self-check is closed.")
    elif window is None:
        form.blocker = _("The working-day calendar does not cover %(year)d.") % {"year": year}
    elif today < window.opens:
        form.blocker = _("The self-check opens with the June check on %(day)s.") % {"day": f"{window.opens:%Y-%m-%d}"}
    done = (SelfCheck.objects.filter(ledger_year__year=year, unit_id=unit_id).select_related("confirmed_by")
            .prefetch_related("lines").first())
    confirmed = {ln.matter_id: ln for ln in done.lines.all()} if done else {}
    if done:
        form.confirmed_at, form.confirmed_by = done.confirmed_at, done.confirmed_by
    for r, facts in matters_as_of(year, as_of, self_check=False, time_nodes=False, unit_ids=[unit_id]):
        if facts.status is None or not judged_in_check(facts.status) or facts.start > as_of:
            continue
        line = confirmed.get(r.matter_id)
        form.rows.append(SelfCheckRow(r.matter_id, r.number, r.title, facts.progress, r.source, r.month,
                                      line.confirmed if line else None, line.reason if line else ""))
    if not form.rows and not form.blocker:
        form.blocker = _("Your unit leads no matter the June check will judge; there is nothing to confirm.")
    return form
