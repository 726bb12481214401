"""What the performance evaluation (S6.1) reads of the register: per unit and period, the
records that count, the consequences they raised (each with the records behind it) and the
efficiency cases confirmed in the period (S1.14: "results feed performance"). One call, three
queries, whatever the number of units; the evaluation does not read these tables.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from django.utils import timezone

from ducha.accountability.models import CaseState, CaseStep, Consequence, ConsequenceState, Record


@dataclass(frozen=True)
class CountedRecordFact:
    id: int
    document_number: str
    form: str
    decided_on: date


@dataclass(frozen=True)
class ConsequenceFact:
    id: int
    rung: str
    person_id: int
    state: str
    raised_by: int
    records: tuple[int, ...]
    due_on: date


@dataclass(frozen=True)
class ConfirmedCaseFact:
    id: int
    conduct: str
    confirmed_on: date


@dataclass
class UnitAccountability:
    unit_id: int
    records: list[CountedRecordFact] = field(default_factory=list)
    consequences: list[ConsequenceFact] = field(default_factory=list)
    cases: list[ConfirmedCaseFact] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.records)


def unit_accountability(unit_ids: Iterable[int] | None, first: date, last: date) -> dict[int, UnitAccountability]:
    """Each unit's records decided in [first, last] that count (not revoked), and the
    consequences they raised that stand (not withdrawn). ``unit_ids`` None: every unit."""
    records = Record.objects.filter(decided_on__gte=first, decided_on__lte=last, revoked=False)
    if unit_ids is not None:
        records = records.filter(unit_id__in=sorted(set(unit_ids)))
    out: dict[int, UnitAccountability] = {}
    for rid, unit_id, number, form, day in records.order_by("unit_id", "decided_on", "id").values_list(
            "id", "unit_id", "document_number", "form", "decided_on"):
        out.setdefault(unit_id, UnitAccountability(unit_id)).records.append(CountedRecordFact(rid, number, form, day))
    raised = (Consequence.objects.filter(raised_by__in=records.values("pk")).exclude(state=ConsequenceState.WITHDRAWN)
              .order_by("raised_by__decided_on", "id")
              .values_list("id", "raised_by__unit_id", "rung", "person_id", "state", "raised_by_id", "records", "due_on"))
    for cid, unit_id, rung, person, state, by, behind, due in raised:
        out.setdefault(unit_id, UnitAccountability(unit_id)).consequences.append(
            ConsequenceFact(cid, rung, person, state, by, tuple(behind), due))
    confirmed = CaseStep.objects.filter(to_state=CaseState.CONFIRMED, at__date__gte=first, at__date__lte=last)
    if unit_ids is not None:
        confirmed = confirmed.filter(case__unit_id__in=sorted(set(unit_ids)))
    for case_id, unit_id, conduct, at in confirmed.order_by("at", "id").values_list(
            "case_id", "case__unit_id", "case__conduct", "at"):
        out.setdefault(unit_id, UnitAccountability(unit_id)).cases.append(
            ConfirmedCaseFact(case_id, conduct, timezone.localtime(at).date()))
    return out
