"""The drafts of a ledger import are written by the matters app (S2.4 年初建账; issue #12: one
writer of the matter tables): the same rows a draft gets from the form, refused to anyone but the
offices, and an assigned matter is never overwritten by a ledger row."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pytest
from django.db import transaction

from ducha.matters.batch import CO_UNIT_PART, do_create_draft_matters, do_update_draft_matter
from ducha.matters.errors import ConcurrentChange, MatterError
from ducha.matters.models import CoUnitPart, Matter, MatterEvent
from tests.test_reports_scenario import make_matter


@dataclass(frozen=True)
class Row:
    row: int
    number: str
    lead_unit_id: int
    leader_id: int
    co_unit_ids: tuple[int, ...] = ()
    title: str = "重点项目建设"
    source: str = "key_work"
    source_ref: str = "宛政〔2026〕1号"
    goal: str = "完成年度目标"
    target_quantity: Decimal | None = Decimal("12")
    target_unit: str = "个"
    qualitative_standard: str = ""
    start_date: date = date(2026, 1, 5)
    due_date: date | None = date(2026, 12, 31)
    instruction_text: str = ""


def test_s2_4_drafts_get_their_co_unit_parts_and_a_create_event(city):
    rows = [Row(3, "DB2026-0100", city.units["fgw"].id, city.victor.id, (city.units["czj"].id,)),
            Row(4, "DB2026-0101", city.units["czj"].id, city.victor.id)]
    with transaction.atomic():
        assert do_create_draft_matters(actor=city.alice, year=2026, drafts=rows, note="台账.xlsx") == 2
    first = Matter.objects.get(number="DB2026-0100")
    assert (first.status, first.created_by, first.lead_unit, first.year) == ("draft", city.alice, city.units["fgw"], 2026)
    part = CoUnitPart.objects.get(matter=first)
    assert (part.unit, part.part, part.due_date) == (city.units["czj"], CO_UNIT_PART, date(2026, 12, 31))
    event = MatterEvent.objects.get(matter=first)
    assert (event.action, event.data["row"], event.data["ledger_import"]) == ("create", 3, "台账.xlsx")


def test_only_the_offices_create_and_an_assigned_matter_is_not_overwritten(city):
    with pytest.raises(MatterError):
        do_create_draft_matters(actor=city.sam, year=2026, drafts=[Row(2, "DB2026-0102", city.units["fgw"].id,
                                                                        city.victor.id)], note="")
    assert not Matter.objects.filter(number="DB2026-0102").exists()
    assigned = make_matter(city, "已交办事项")
    with pytest.raises(ConcurrentChange):
        do_update_draft_matter(actor=city.alice, matter_id=assigned.id, note="",
                               values=Row(5, assigned.number, city.units["czj"].id, city.victor.id, title="被覆盖"))
    assigned.refresh_from_db()
    assert assigned.title == "已交办事项" and assigned.lead_unit == city.units["fgw"]
