"""One ledger row checked with the rules ``do_create_matter`` applies (``matters.validation``):
the names of its units and leader resolved from lookups loaded once per file, then the ids
checked against the same loaded ``References``; rows matched to existing matters by 编号.

An existing matter still in draft is updated from its row; one already assigned to its unit
keeps what was agreed with the unit: a row that would change it is refused, naming the
column (deadlines move through extension requests, not through a spreadsheet).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from ducha.matters.models import CoUnitPart, Matter, Source, Status
from ducha.matters.validation import References, content_errors, reference_errors
from ducha.org.models import LeaderPost, Unit

RowProblems = list[tuple[str, str]]
MAX_LENGTHS = {"title": 200, "source_ref": 120, "target_unit": 20}
# Fields an import may set, in ledger column order; compared to spot changes.
COMPARED = ("title", "source", "source_ref", "lead_unit_id", "co_unit_ids", "leader_id", "goal", "target_quantity",
            "target_unit", "qualitative_standard", "start_date", "due_date", "instruction_text")
LABELS = {"lead_unit_id": "lead_unit", "co_unit_ids": "co_units", "leader_id": "leader"}


@dataclass(slots=True)
class RowValues:
    row: int
    number: str
    title: str
    source: str
    source_ref: str
    lead_unit: str
    co_units: Sequence[str]
    leader: str
    goal: str
    target_quantity: Decimal | None
    target_unit: str
    qualitative_standard: str
    start_date: date
    due_date: date | None
    instruction_text: str = ""
    date_problem: bool = False
    start_given: bool = True
    lead_unit_id: int = 0
    co_unit_ids: tuple[int, ...] = ()
    leader_id: int = 0
    existing_id: int | None = None


def check_row(row: RowValues, lookups: Lookups, year: int) -> RowProblems:
    """The matter content rules (``ducha.matters.validation``) and the names resolved, for one row."""
    errors = content_errors(row, due_required=not row.date_problem)
    if "instruction_text" in errors:
        errors["instruction_text"] = _("A leader's instruction needs its text (in the remark column).")
    if row.source == Source.UNIT_REQUEST:
        errors["source"] = _("A unit's request to the city is registered in the platform, not imported with the ledger.")
    lead = lookups.units.get(row.lead_unit)
    if lead is None:
        errors["lead_unit"] = (_("There is no lead unit “%(name)s”.") % {"name": row.lead_unit} if row.lead_unit
                               else _("The lead unit is required."))
    else:
        row.lead_unit_id = lead
    leaders = lookups.leaders.get(row.leader, [])
    if len(leaders) == 1:
        row.leader_id = leaders[0]
    elif len(leaders) > 1:
        errors["responsible_leader"] = _("Several city leaders are named “%(name)s”.") % {"name": row.leader}
    else:
        errors["responsible_leader"] = _("The responsible leader must be a city leader; “%(name)s” is not.") % {
            "name": row.leader}
    ids: list[int] = []
    for name in row.co_units:
        uid = lookups.units.get(name)
        if uid is None:
            errors["co_units"] = _("There is no co-unit “%(name)s”.") % {"name": name}
        else:
            ids.append(uid)
    row.co_unit_ids = tuple(ids)
    # Also when a name did not resolve (id 0): a row's other columns are still checked, and the
    # name's own message, set above, is kept.
    for key, message in reference_errors(source=row.source, lead_unit_id=lead or 0, leader_id=row.leader_id,
                                         co_unit_ids=ids, refs=lookups.refs).items():
        errors.setdefault(key.split(".")[0], message)  # one ledger column for all co-units
    for key, limit in MAX_LENGTHS.items():
        if len(getattr(row, key)) > limit:
            errors[key] = _("At most %(MAX_TEXT)s characters.") % {"MAX_TEXT": limit}
    if not errors:
        # Resolved to ids: drop the per-row copies of the names (100,000 rows keep only what
        # is written, which keeps a large import's memory down).
        row.lead_unit = row.leader = ""
        row.co_units = ()
    return list(errors.items())


@dataclass
class Lookups:
    """Units by name and short name, city leaders by name; loaded once per file."""

    units: dict[str, int] = field(default_factory=dict)
    leaders: dict[str, list[int]] = field(default_factory=dict)
    errors: list[tuple[int, str, str]] = field(default_factory=list)
    refs: References = field(default_factory=lambda: References(frozenset(), frozenset()))

    @classmethod
    def load(cls) -> Lookups:
        units: dict[str, int] = {}
        for uid, name, short in Unit.objects.filter(is_active=True).values_list("id", "name", "short_name"):
            units[name] = uid
            if short:
                units.setdefault(short, uid)
        leaders: dict[str, list[int]] = {}
        for pid, name in LeaderPost.objects.values_list("person_id", "person__name"):
            leaders.setdefault(name, []).append(pid)
        refs = References(frozenset(units.values()), frozenset(p for ids in leaders.values() for p in ids))
        return cls(units, leaders, refs=refs)

    def classify(self, rows: list[RowValues], year: int) -> tuple[list[RowValues], list[RowValues], int]:
        """Split valid rows into new matters, drafts to update and rows that change nothing.

        Done 2,000 rows at a time, so re-importing a 100,000-row ledger never holds every
        existing matter in memory at once.
        """
        new: list[RowValues] = []
        updates: list[RowValues] = []
        unchanged = 0
        for i in range(0, len(rows), 2000):
            chunk = rows[i: i + 2000]
            existing = self._existing([r.number for r in chunk if r.number])
            for r in chunk:
                current = existing.get(r.number) if r.number else None
                if current is None:
                    new.append(r)
                elif current["year"] != year:
                    self.errors.append((r.row, "number",
                                        _("Number “%(number)s” is used by a matter of %(year)s.") % {
                                            "number": r.number, "year": current["year"]}))
                else:
                    outcome = self._compare(r, current)
                    if outcome == "update":
                        updates.append(r)
                    elif outcome == "unchanged":
                        unchanged += 1
        return new, updates, unchanged

    def _compare(self, r: RowValues, current: dict[str, Any]) -> str:
        """"update" a draft, "unchanged", or "refused" (an assigned matter; errors recorded)."""
        if not r.start_given:
            r.start_date = current["start_date"]
        changed = [key for key in COMPARED if _differs(key, r, current)]
        r.existing_id = int(current["id"])
        if not changed:
            return "unchanged"
        if current["status"] == Status.DRAFT:
            return "update"
        for key in changed:
            self.errors.append((r.row, LABELS.get(key, key),
                                _("The matter is assigned: change it on its page (an extension or an "
                                  "adjustment), not by import.")))
        return "refused"

    @staticmethod
    def _existing(numbers: list[str]) -> dict[str, dict[str, Any]]:
        if not numbers:
            return {}
        existing: dict[str, dict[str, Any]] = {}
        for found in Matter.objects.filter(number__in=numbers).values(
            "id", "number", "year", "status", "title", "source", "source_ref", "lead_unit_id",
            "responsible_leader_id", "goal", "target_quantity", "target_unit", "qualitative_standard",
            "start_date", "due_date", "instruction_text",
        ):
            values: dict[str, Any] = dict(found)
            values["leader_id"] = values.pop("responsible_leader_id")
            values["co_unit_ids"] = set()
            existing[values["number"]] = values
        by_id = {v["id"]: v for v in existing.values()}
        for mid, uid in CoUnitPart.objects.filter(matter_id__in=list(by_id)).values_list("matter_id", "unit_id"):
            by_id[mid]["co_unit_ids"].add(uid)
        return existing


def _differs(key: str, row: RowValues, current: dict[str, Any]) -> bool:
    mine: object = getattr(row, key)
    theirs = current[key]
    if key == "co_unit_ids":
        return bool(set(row.co_unit_ids) != theirs)
    if key == "instruction_text" and row.source != Source.INSTRUCTION:
        return False
    if key == "target_quantity":
        return (mine is None) != (theirs is None) or (mine is not None and Decimal(str(mine)) != theirs)
    return bool(mine != theirs)
