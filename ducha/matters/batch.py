"""Many draft matters at once: the writes of a ledger import (S2.4 年初建账 from Excel).

The matters app writes the matter tables, whoever asks: the ledger reads and checks its file
(``ducha.ledger.import_file``, with the content rules of ``matters.validation``) and hands the
rows here. A new row becomes what ``do_create_matter`` makes of a draft: the matter, a part for
each co-unit (its task to be refined on the matter) and the 'create' event on its timeline; a
row matching a draft updates it, with an 'update' event. 100,000 rows go through the bulk layer
in the caller's transaction (bench/ledger_excel.py). The audit trail records the import once,
with its counts (``ledger.import``), rather than once per matter: the timeline of each matter
says which import and which row it came from.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any, Protocol

from django.utils import timezone
from django.utils.translation import gettext as _

from ducha.bulk import insert_rows
from ducha.matters.access import can_create_matters
from ducha.matters.errors import ConcurrentChange, MatterError
from ducha.matters.models import CoUnitPart, Matter, MatterEvent, Status
from ducha.org.models import User

CO_UNIT_PART = "配合牵头单位完成本事项"  # a ledger lists co-units by name only; the part is refined on the matter


class DraftValues(Protocol):
    """What a draft is made of (a ledger row, checked)."""

    @property
    def row(self) -> int: ...
    @property
    def number(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def source(self) -> str: ...
    @property
    def source_ref(self) -> str: ...
    @property
    def lead_unit_id(self) -> int: ...
    @property
    def leader_id(self) -> int: ...
    @property
    def co_unit_ids(self) -> tuple[int, ...]: ...
    @property
    def goal(self) -> str: ...
    @property
    def target_quantity(self) -> Decimal | None: ...
    @property
    def target_unit(self) -> str: ...
    @property
    def qualitative_standard(self) -> str: ...
    @property
    def start_date(self) -> date: ...
    @property
    def due_date(self) -> date | None: ...
    @property
    def instruction_text(self) -> str: ...


MATTER_COLUMNS = ("year", "number", "status", "created_by_id", "title", "source", "source_ref", "lead_unit_id",
                  "responsible_leader_id", "goal", "target_quantity", "target_unit", "qualitative_standard",
                  "start_date", "due_date", "instruction_text")


def _check(actor: User) -> None:
    if not can_create_matters(actor):
        raise MatterError(_("Only the supervision or general office creates matters."))


def _due(d: DraftValues) -> date:
    if d.due_date is None:
        raise MatterError({"due_date": _("Row %(row)s: the due date is missing.") % {"row": d.row}})
    return d.due_date


def do_create_draft_matters(*, actor: User, year: int, drafts: Sequence[DraftValues], note: str) -> int:
    """The drafts as new matters of ``year``, numbered already (``take_matter_numbers``);
    call inside a transaction. Returns how many were created."""
    _check(actor)
    if not drafts:
        return 0
    insert_rows(Matter, MATTER_COLUMNS, (
        (year, d.number, Status.DRAFT, actor.pk, d.title, d.source, d.source_ref, d.lead_unit_id, d.leader_id, d.goal,
         d.target_quantity, d.target_unit, d.qualitative_standard, d.start_date, d.due_date, d.instruction_text)
        for d in drafts
    ))
    wanted = {d.number for d in drafts}
    ids = {n: i for n, i in Matter.objects.filter(year=year).values_list("number", "id").iterator(10000)
           if n in wanted}
    insert_rows(CoUnitPart, ("matter_id", "unit_id", "part", "due_date"), (
        (ids[d.number], uid, CO_UNIT_PART, _due(d)) for d in drafts for uid in d.co_unit_ids
    ))
    insert_rows(MatterEvent, ("matter_id", "actor_id", "action", "to_status", "data"), (
        (ids[d.number], actor.pk, "create", Status.DRAFT, {"due": str(d.due_date), "ledger_import": note, "row": d.row})
        for d in drafts
    ))
    return len(drafts)


def _fields(d: DraftValues) -> dict[str, Any]:
    return {
        "title": d.title, "source": d.source, "source_ref": d.source_ref, "lead_unit_id": d.lead_unit_id,
        "responsible_leader_id": d.leader_id, "goal": d.goal, "target_quantity": d.target_quantity,
        "target_unit": d.target_unit, "qualitative_standard": d.qualitative_standard, "start_date": d.start_date,
        "due_date": d.due_date, "instruction_text": d.instruction_text,
    }


def do_update_draft_matter(*, actor: User, matter_id: int, values: DraftValues, note: str) -> None:
    """A draft takes the values of its ledger row (its co-units too); a matter no longer a
    draft (assigned meanwhile) is refused with ``ConcurrentChange``. Call inside a transaction."""
    _check(actor)
    if not Matter.objects.filter(pk=matter_id, status=Status.DRAFT).update(updated_at=timezone.now(),
                                                                            **_fields(values)):
        raise ConcurrentChange(_("Matter %(number)s was assigned meanwhile.") % {"number": values.number})
    CoUnitPart.objects.filter(matter_id=matter_id).exclude(unit_id__in=values.co_unit_ids).delete()
    have = set(CoUnitPart.objects.filter(matter_id=matter_id).values_list("unit_id", flat=True))
    CoUnitPart.objects.bulk_create(
        CoUnitPart(matter_id=matter_id, unit_id=uid, part=CO_UNIT_PART, due_date=_due(values))
        for uid in values.co_unit_ids if uid not in have
    )
    if values.due_date is not None:
        CoUnitPart.objects.filter(matter_id=matter_id, due_date__gt=values.due_date).update(due_date=values.due_date)
    MatterEvent.objects.create(matter_id=matter_id, actor=actor, action="update",
                               data={"ledger_import": note, "row": values.row})
