"""Letters counted against the unit they are addressed to (主送), an input of the evaluation (S6.1).

A reminder letter is evidence that the addressee held others up: a co-unit slow on its
part (S1.4), or the general office letting a request stall (S1.5). Copies and reports to
leaders are not counted. A letter counts on its date (成文日期), both ends of the period
included.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Q

from ducha.letters.models import Letter, LetterKind
from ducha.org.models import Unit


def letters_received_count(unit: Unit | int, start: date, end: date) -> int:
    """Letters addressed to ``unit`` dated ``start``..``end`` inclusive."""
    unit_id = unit if isinstance(unit, int) else unit.pk
    return Letter.objects.filter(to_unit_id=unit_id, sent_on__gte=start, sent_on__lte=end).count()


@dataclass(frozen=True)
class UnitLetterRow:
    unit: Unit
    as_co_unit: int  # S1.4 letters received
    as_general_office: int  # S1.5 letters received
    sent: int

    @property
    def received(self) -> int:
        return self.as_co_unit + self.as_general_office


def letters_table(start: date, end: date, *, include_quiet: bool = True) -> list[UnitLetterRow]:
    """Every active unit with its letters received and sent in the period, most received first.
    Two grouped queries whatever the number of units."""
    window = Q(sent_on__gte=start, sent_on__lte=end)
    received: dict[int, dict[str, int]] = {}
    for unit_id, kind, n in (
        Letter.objects.filter(window).values_list("to_unit_id", "kind").annotate(n=Count("id")).order_by()
    ):
        received.setdefault(unit_id, {})[kind] = n
    sent = dict(
        Letter.objects.filter(window).values_list("from_unit_id").annotate(n=Count("id")).order_by()
        .values_list("from_unit_id", "n")
    )
    units = Unit.objects.filter(Q(is_active=True) | Q(pk__in=[*received, *sent])).order_by("sort_order", "id")
    rows = [
        UnitLetterRow(
            unit=u, as_co_unit=received.get(u.pk, {}).get(LetterKind.CO_UNIT, 0),
            as_general_office=received.get(u.pk, {}).get(LetterKind.REQUEST, 0), sent=sent.get(u.pk, 0),
        )
        for u in units
    ]
    if not include_quiet:
        rows = [r for r in rows if r.received or r.sent]
    # Stable: units with equal counts keep the city's document order.
    return sorted(rows, key=lambda r: -r.received)
