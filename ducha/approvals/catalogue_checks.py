"""What an item version must say before it is saved and before it is published (S3.1, S3.2),
shared by the editor's actions, the API and the Excel import, so all three refuse the same.

Errors map a field to its message. A list's entry is named ``<list>.<n>.<field>`` with ``n``
counted from 1 (``materials.3.code``), so a page marks the row and an import names its sheet
row. Saving a draft asks only what the database needs; publishing asks everything art. 30
lists (the complete materials list, the basis, the limits) and that the flow fits the
promised limit.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from ducha.approvals.models import HandlingLevel, ItemKind, MaterialForm, ServiceType
from ducha.rules.approvals import FlowStepSpec, critical_path, find_cycle

CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$")
MAX_DAYS = 3650
MAX_ROWS = 200
TEXT = {"name": 200, "action": 200, "sample": 200, "note": 300, "code": 40}


@dataclass(frozen=True)
class FeeInput:
    name: str
    amount: str  # yuan, as text ("0" for free)
    basis: str = ""


@dataclass(frozen=True)
class MaterialInput:
    code: str
    name: str
    required: bool = True
    form: str = MaterialForm.ORIGINAL
    copies: int | None = 1
    sample: str = ""
    note: str = ""


@dataclass(frozen=True)
class DelegationInput:
    area_id: int
    level: str


@dataclass(frozen=True)
class StepInput:
    order: int | None
    department_id: int | None
    action: str
    limit_days: int | None


@dataclass
class VersionInput:
    """Everything a version says. Numbers that could not be read are None (and refused)."""

    name: str
    kind: str
    legal_basis: str
    lead_department_id: int | None
    statutory_days: int | None
    promised_days: int | None
    service_type: str = ServiceType.PROMISED
    conditions: str = ""
    effective_from: date | None = None
    joint: bool = False
    note: str = ""
    fees: list[FeeInput] = field(default_factory=list)
    materials: list[MaterialInput] = field(default_factory=list)
    delegations: list[DelegationInput] = field(default_factory=list)
    prerequisites: list[str] = field(default_factory=list)  # item codes
    steps: list[StepInput] = field(default_factory=list)


def code_error(code: str) -> str | None:
    if not CODE.match(code):
        return _("Give a code of up to 40 letters, digits, dots, hyphens or underscores.")
    return None


def _days(value: int | None) -> bool:
    return value is not None and 0 <= value <= MAX_DAYS


def amount_of(text: str) -> Decimal | None:
    try:
        value = Decimal(text.strip().replace(",", ""))
    except (InvalidOperation, AttributeError):
        return None
    return value if value.is_finite() and 0 <= value < 10**10 and value == value.quantize(Decimal("0.01")) else None


def draft_errors(data: VersionInput, *, own_code: str, unit_ids: set[int], area_ids: set[int],
                 item_codes: set[str]) -> dict[str, str]:
    """What the database could not hold: choices, numbers, the promised limit within the
    statutory one, unique material codes and areas, prerequisites that exist (not the item
    itself). ``unit_ids`` are the active units, ``area_ids`` the counties and zones,
    ``item_codes`` the catalogue's codes (and the file's, on import)."""
    e: dict[str, str] = {}
    for name in ("name", "legal_basis", "conditions", "note"):
        limit = TEXT.get(name, 4000)
        if len(getattr(data, name)) > limit:
            e[name] = _("At most %(n)d characters.") % {"n": limit}
    if data.kind not in ItemKind.values:
        e["kind"] = _("Choose the item's kind.")
    if data.service_type not in ServiceType.values:
        e["service_type"] = _("Choose on the spot or within a promised time.")
    if data.lead_department_id is None or data.lead_department_id not in unit_ids:
        e["lead_department"] = _("Choose the handling department.")
    if not _days(data.statutory_days):
        e["statutory_days"] = _("Give the statutory limit in working days (0 to %(n)d).") % {"n": MAX_DAYS}
    if not _days(data.promised_days):
        e["promised_days"] = _("Give the promised limit in working days (0 to %(n)d).") % {"n": MAX_DAYS}
    elif _days(data.statutory_days) and data.promised_days > data.statutory_days:  # type: ignore[operator]
        e["promised_days"] = _("The promised limit (%(p)d working days) cannot exceed the statutory one "
                               "(%(s)d).") % {"p": data.promised_days, "s": data.statutory_days}
    for lst in ("fees", "materials", "delegations", "prerequisites", "steps"):
        if len(getattr(data, lst)) > MAX_ROWS:
            e[lst] = _("At most %(n)d rows.") % {"n": MAX_ROWS}
    for i, fee in enumerate(data.fees, start=1):
        if not fee.name.strip() or len(fee.name) > 200:
            e[f"fees.{i}.name"] = _("Name the fee (up to 200 characters).")
        if amount_of(fee.amount) is None:
            e[f"fees.{i}.amount"] = _("Give the amount in yuan, such as 0 or 120.50.")
    seen: dict[str, int] = {}
    for i, m in enumerate(data.materials, start=1):
        if code_error(m.code):
            e[f"materials.{i}.code"] = code_error(m.code) or ""
        elif m.code in seen:
            e[f"materials.{i}.code"] = _("Material code %(code)s is also on row %(row)d: each material once.") % {
                "code": m.code, "row": seen[m.code]}
        seen.setdefault(m.code, i)
        if not m.name.strip() or len(m.name) > TEXT["name"]:
            e[f"materials.{i}.name"] = _("Name the material (up to 200 characters).")
        if m.form not in MaterialForm.values:
            e[f"materials.{i}.form"] = _("Choose original, copy, both or electronic.")
        if m.copies is None or not 0 <= m.copies <= 99:
            e[f"materials.{i}.copies"] = _("Give the number of copies (0 to 99).")
        if len(m.sample) > TEXT["sample"] or len(m.note) > TEXT["note"]:
            e[f"materials.{i}.note"] = _("The sample and the note are at most 200 and 300 characters.")
    areas_seen: set[int] = set()
    for i, d in enumerate(data.delegations, start=1):
        if d.area_id not in area_ids:
            e[f"delegations.{i}.area"] = _("Choose a county, district or zone.")
        elif d.area_id in areas_seen:
            e[f"delegations.{i}.area"] = _("This area is listed twice.")
        areas_seen.add(d.area_id)
        if d.level not in HandlingLevel.values:
            e[f"delegations.{i}.level"] = _("Choose city, delegated or not handled.")
    codes_seen: set[str] = set()
    for i, code in enumerate(data.prerequisites, start=1):
        if code == own_code:
            e[f"prerequisites.{i}"] = _("An item cannot require itself.")
        elif code not in item_codes:
            e[f"prerequisites.{i}"] = _("No item %(code)s in the catalogue.") % {"code": code}
        elif code in codes_seen:
            e[f"prerequisites.{i}"] = _("%(code)s is listed twice.") % {"code": code}
        codes_seen.add(code)
    for i, s in enumerate(data.steps, start=1):
        if s.order is None or not 1 <= s.order <= 99:
            e[f"steps.{i}.order"] = _("Give the step's order (1 to 99; the same order runs in parallel).")
        if s.department_id is None or s.department_id not in unit_ids:
            e[f"steps.{i}.department"] = _("Choose the department.")
        if not s.action.strip() or len(s.action) > TEXT["action"]:
            e[f"steps.{i}.action"] = _("Say what the step does (up to 200 characters).")
        if not _days(s.limit_days):
            e[f"steps.{i}.limit_days"] = _("Give the step's limit in working days.")
    return e


def flow_time(steps: Iterable[StepInput]) -> int:
    specs = [FlowStepSpec(order=s.order or 0, key=str(i), limit=s.limit_days or 0) for i, s in enumerate(steps)]
    return critical_path(specs)[0]


def publish_errors(data: VersionInput, *, today: date) -> dict[str, str]:
    """What art. 30 asks to be published, and S3.2's flow within the promised limit."""
    e: dict[str, str] = {}
    if not data.name.strip():
        e["name"] = _("Give the item's name.")
    if not data.legal_basis.strip():
        e["legal_basis"] = _("Give the legal basis (设定依据).")
    if data.effective_from is None:
        e["effective_from"] = _("Give the date the version comes into force.")
    elif data.effective_from < today:
        e["effective_from"] = _("A version comes into force today or later, not on %(day)s.") % {
            "day": data.effective_from.isoformat()}
    if data.statutory_days == 0:
        e["statutory_days"] = _("Give the statutory limit: at least 1 working day.")
    if data.promised_days == 0 and data.service_type != ServiceType.IMMEDIATE:
        e["promised_days"] = _("An item handled within a promised time needs a promised limit of at least "
                               "1 working day.")
    if not data.materials:
        e["materials"] = _("List the materials (art. 30: the complete list).")
    if data.joint and len({s.department_id for s in data.steps}) < 2:
        e["steps"] = _("A joint approval item needs a flow with the steps of at least two departments.")
    if data.steps and data.promised_days is not None:
        total = flow_time(data.steps)
        if total > data.promised_days:
            e["steps"] = _("The flow's critical path takes %(total)d working days, more than the promised "
                           "limit of %(limit)d.") % {"total": total, "limit": data.promised_days}
    return e


def cycle_message(cycle: list[str], names: dict[str, str]) -> str:
    chain = " → ".join(f"{code} {names.get(code, '')}".strip() for code in cycle)
    return _("Circular prerequisites: %(chain)s. Items cannot require each other, directly or through a "
             "chain (S3.2).") % {"chain": chain}


def find_catalogue_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    return find_cycle(graph)
