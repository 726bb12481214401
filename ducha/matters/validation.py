"""The rules of a supervised matter (S2.1, S2.2), shared by every way one is entered: the
form and the API (``actions.do_create_matter``) and the Excel ledger import
(``ducha.ledger.validation``).

``content_errors`` reads nothing. ``reference_errors`` checks the units and leaders a matter
names against ``References``, loaded once by the caller: only the few ids a form names, or
every active unit and city leader for a ledger file, whose 100,000 rows then cost no query
each (bench/ledger_excel.py).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Protocol

from django.utils.translation import gettext as _

from ducha.matters.models import Source
from ducha.org.models import LeaderPost, Unit


class MatterContent(Protocol):
    title: str
    source: str
    goal: str
    target_quantity: Decimal | None
    target_unit: str
    qualitative_standard: str
    instruction_text: str
    start_date: date
    due_date: date | None


def content_errors(m: MatterContent, *, due_required: bool) -> dict[str, str]:
    """Field → message for what is missing or inconsistent; empty when the content is whole."""
    errors: dict[str, str] = {}
    if not m.title.strip():
        errors["title"] = _("The title of the matter is required.")
    if not m.goal.strip():
        errors["goal"] = _("The goal of the matter is required.")
    if m.target_quantity is None and not m.qualitative_standard.strip():
        errors["target_quantity"] = _("Give a measurable target (quantity and unit) or a qualitative standard.")
    if m.target_quantity is not None and (m.target_quantity <= 0 or not m.target_unit.strip()):
        errors["target_quantity"] = _("The target quantity must be positive, with its unit.")
    if m.source == Source.INSTRUCTION and not m.instruction_text.strip():
        errors["instruction_text"] = _("The instruction's text is required.")
    if due_required and m.due_date is None:
        errors["due_date"] = _("A due date is required.")
    if m.due_date is not None and m.due_date < m.start_date:
        errors["due_date"] = _("The due date is before the start date.")
    return errors


SOURCES = frozenset(Source.values)  # ``Source.values`` builds a list at each use: 6 µs a row on an import


@dataclass(frozen=True, slots=True)
class References:
    """The active units and the city leaders (by person) a matter may name."""

    units: frozenset[int]
    leaders: frozenset[int]

    @classmethod
    def load(cls, unit_ids: Collection[int] | None = None, leader_ids: Collection[int] | None = None) -> References:
        """Two queries: for the ids given, or for every unit and leader when none are."""
        units = Unit.objects.filter(is_active=True)
        leaders = LeaderPost.objects.all()
        if unit_ids is not None:
            units = units.filter(pk__in=list(unit_ids))
        if leader_ids is not None:
            leaders = leaders.filter(person_id__in=list(leader_ids))
        return cls(frozenset(units.values_list("pk", flat=True)),
                   frozenset(leaders.values_list("person_id", flat=True)))


def reference_errors(*, source: str, lead_unit_id: int, leader_id: int, co_unit_ids: Sequence[int],
                     refs: References) -> dict[str, str]:
    """Field → message for a source, lead unit, responsible leader or co-unit that cannot be.

    A co-unit's error is keyed ``co_units.<n>`` (n from 1), the way the form numbers them.
    """
    errors: dict[str, str] = {}
    if source not in SOURCES:
        errors["source"] = _("Unknown source %(source)r.") % {"source": source}
    if lead_unit_id not in refs.units:
        errors["lead_unit"] = _("No such lead unit.")
    if leader_id not in refs.leaders:
        errors["responsible_leader"] = _("The responsible leader must be a city leader.")
    seen = {lead_unit_id}
    for i, unit_id in enumerate(co_unit_ids, start=1):
        if unit_id in seen:
            errors[f"co_units.{i}"] = _("Co-unit repeated or same as lead unit.")
        elif unit_id not in refs.units:
            errors[f"co_units.{i}"] = _("No such co-unit.")
        seen.add(unit_id)
    return errors


class KeyWorkContent(Protocol):
    source: str
    projects: str
    standard: str
    target_quantity: Decimal | None
    qualitative_standard: str


def key_work_gaps(m: KeyWorkContent, *, milestones: int) -> list[str]:
    """S2.1: every key task has supporting projects, a standard and time nodes. What a key-work
    item (清单事项) still lacks before it is assigned, in words; other sources need none of them.

    Checked at 交办, not at creation: a draft (and a ledger import, which only makes drafts) may
    be completed on the matter's page first, so no unit has to fill in more columns.
    """
    if m.source != Source.KEY_WORK:
        return []
    gaps = []
    if not m.projects.strip():
        gaps.append(_("supporting projects"))
    if not (m.standard.strip() or m.qualitative_standard.strip() or m.target_quantity is not None):
        gaps.append(_("a work standard or target"))
    if milestones < 1:
        gaps.append(_("at least one time node"))
    return gaps


def key_work_refusal(gaps: list[str]) -> str:
    return _("A key-work item is assigned with its supporting projects, standard and time nodes. Missing: "
             "%(missing)s. Add them on the edit page, then assign it.") % {"missing": _(", ").join(gaps)}
