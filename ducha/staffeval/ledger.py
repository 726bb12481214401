"""The unit's internal ledger (S2.5): the work on matters its administrator gave to sections
and named people (``matters.Assignment``), each item with its matter's status, its due date
and whether it was done on time.

An item is the unit's part of a matter: as the lead unit, the matter's due date and its
completion (完成日期, else 销号日期); as a co-unit, its own part's due date and done date. Done
on time is done on or before the due date, as the execution rate counts it (``rules.rates``).
An item not done whose due date has passed is overdue. The ledger of a year is the items of
matters of that ledger year (台账年度). Two queries whatever the number of items.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from ducha.matters.models import Assignment, CoUnitPart, Status
from ducha.org.models import Section, User
from ducha.rules.rates import Obligation


@dataclass(frozen=True)
class LedgerItem:
    assignment_id: int
    matter_id: int
    number: str
    title: str
    status: str
    status_label: str
    task: str
    section_id: int | None
    section_name: str
    person_id: int | None
    person_name: str
    due: date | None
    done_on: date | None
    today: date

    @property
    def done(self) -> bool:
        return self.done_on is not None

    @property
    def on_time(self) -> bool:
        return self.due is not None and Obligation(self.assignment_id, self.due, self.done_on).met()

    @property
    def overdue(self) -> bool:
        return self.done_on is None and self.due is not None and self.due < self.today


def ledger_items(unit_id: int, year: int, today: date) -> list[LedgerItem]:
    """Every item the unit gave inside itself on matters of ledger year ``year``."""
    rows = list(Assignment.objects.filter(unit_id=unit_id, matter__year=year)
                .select_related("matter", "section", "person").order_by("matter__number", "id"))
    parts = {p.matter_id: p for p in CoUnitPart.objects.filter(
        unit_id=unit_id, matter_id__in={a.matter_id for a in rows})}
    items = []
    for a in rows:
        m = a.matter
        part = parts.get(m.pk) if m.lead_unit_id != unit_id else None
        due, done_on = (part.due_date, part.done_on) if part else (m.due_date, m.completed_on or m.closed_on)
        items.append(LedgerItem(
            assignment_id=a.pk, matter_id=m.pk, number=m.number, title=m.title, status=m.status,
            status_label=str(Status(m.status).label) if m.status in Status.values else m.status, task=a.task,
            section_id=a.section_id, section_name=a.section.name if a.section else "",
            person_id=a.person_id, person_name=a.person.name if a.person else "",
            due=due, done_on=done_on, today=today))
    return items


@dataclass(frozen=True)
class Tally:
    assigned: int
    done: int
    on_time: int
    overdue: int


def tally(items: Iterable[LedgerItem]) -> Tally:
    items = list(items)
    return Tally(len(items), sum(i.done for i in items), sum(i.on_time for i in items), sum(i.overdue for i in items))


@dataclass(frozen=True)
class LedgerGroup:
    """The items of one section (items given to the section, with or without a person) or of
    one person (items given to them by name)."""

    key: str  # "section-<id>" or "person-<id>"
    name: str
    items: tuple[LedgerItem, ...]

    @property
    def tally(self) -> Tally:
        return tally(self.items)


def by_section(items: list[LedgerItem], sections: Iterable[Section]) -> list[LedgerGroup]:
    return [LedgerGroup(f"section-{s.pk}", s.name, tuple(i for i in items if i.section_id == s.pk))
            for s in sections]


def by_person(items: list[LedgerItem], people: Iterable[User]) -> list[LedgerGroup]:
    return [LedgerGroup(f"person-{p.pk}", p.name, tuple(i for i in items if i.person_id == p.pk)) for p in people]
