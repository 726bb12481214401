"""Issue #11 item 21, S2.1: every key task has supporting projects, a standard and time nodes.

A draft may be incomplete (a ledger import makes drafts from rows that carry neither projects
nor time nodes); 交办 of a key-work item (清单事项) needs all three and names what is missing.
The other sources keep them optional.
"""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client

from ducha.matters.actions import MatterError, do_create_matter, do_transition_matter
from ducha.matters.actions_edit import do_update_matter
from ducha.matters.models import Source, Status
from tests.test_matters_lifecycle import matter_input

BARE = {"projects": "", "standard": "", "milestones": 0}


def missing(e: MatterError) -> str:
    """What the refusal names as missing (the words after 尚缺)."""
    return e.errors["__all__"].split("尚缺：", 1)[1].split("。", 1)[0]


def test_item_21_s2_1_a_key_work_draft_may_be_incomplete_but_is_not_assigned_so(city):
    m = do_create_matter(actor=city.alice, data=matter_input(city, **BARE))
    assert m.status == Status.DRAFT
    with pytest.raises(MatterError) as e:
        do_transition_matter(actor=city.alice, matter_id=m.id, action="assign")
    # The target of 12 个 is its standard; the projects and the time nodes are missing.
    assert missing(e.value) == "支撑项目、至少一个时间节点"
    m.refresh_from_db()
    assert m.status == Status.DRAFT and not m.events.filter(action="assign").exists()


def test_item_21_s2_1_completed_on_its_page_it_is_assigned(city):
    m = do_create_matter(actor=city.alice, data=matter_input(city, **BARE))
    do_update_matter(actor=city.alice, matter_id=m.id, expected_updated_at=m.updated_at,
                     data=matter_input(city, projects="两度两力项目库", milestones=2), reschedule_milestones=True)
    assert do_transition_matter(actor=city.alice, matter_id=m.id, action="assign").status == Status.ASSIGNED


def test_item_21_s2_1_each_missing_part_is_named(city):
    no_nodes = do_create_matter(actor=city.alice, data=matter_input(city, milestones=0))
    with pytest.raises(MatterError) as e:
        do_transition_matter(actor=city.alice, matter_id=no_nodes.id, action="assign")
    assert missing(e.value) == "至少一个时间节点"
    no_projects = do_create_matter(actor=city.alice, data=matter_input(city, projects="  "))
    with pytest.raises(MatterError) as e:
        do_transition_matter(actor=city.alice, matter_id=no_projects.id, action="assign")
    assert missing(e.value) == "支撑项目"


@pytest.mark.parametrize("source,extra", [
    (Source.MEETING, {}), (Source.ASSIGNED, {}), (Source.TV_QUESTIONING, {}),
    (Source.INSTRUCTION, {"instruction_text": "请抓紧落实"}),
])
def test_item_21_s2_1_other_sources_keep_them_optional(city, source, extra):
    m = do_create_matter(actor=city.alice, data=matter_input(city, source=source, **BARE, **extra))
    assert do_transition_matter(actor=city.alice, matter_id=m.id, action="assign").status == Status.ASSIGNED


def test_item_21_s2_1_the_page_and_the_api_say_what_is_missing(city, clock):
    clock.set(date(2026, 6, 15))
    m = do_create_matter(actor=city.alice, data=matter_input(city, **BARE))
    client = Client()
    client.force_login(city.alice)
    page = client.post(f"/matters/{m.id}/act/", {"action": "assign", "expected_status": "draft", "confirm": "assign"})
    assert page.status_code == 400 and "支撑项目" in page.content.decode()
    api = client.post(f"/api/matters/{m.id}/transitions", {"action": "assign"}, content_type="application/json")
    assert api.status_code == 400 and "时间节点" in api.json()["detail"]
    m.refresh_from_db()
    assert m.status == Status.DRAFT


def test_item_21_s2_1_no_standard_is_named_too(city):
    from ducha.matters.validation import key_work_gaps

    m = do_create_matter(actor=city.alice, data=matter_input(city))
    m.standard, m.target_quantity, m.qualitative_standard = "", None, ""
    assert key_work_gaps(m, milestones=1) == ["工作标准或目标"]


def test_item_21_s2_1_an_imported_key_work_row_is_a_draft_completed_before_it_is_assigned(city, tmp_path):
    """The ledger carries no projects or time nodes, and asks the units for none (减负): its rows
    become drafts, and a draft is assigned only once the office has completed it."""
    from ducha.ledger.import_job import import_file
    from ducha.matters.models import Matter
    from tests.test_ledger_excel import export

    do_create_matter(actor=city.alice, data=matter_input(city), today=date(2026, 1, 5))
    path = export(tmp_path)
    Matter.objects.all().delete()
    assert import_file(actor=city.alice, year=2026, path=path)["created"] == 1
    imported = Matter.objects.get()
    assert imported.status == Status.DRAFT and imported.source == Source.KEY_WORK
    with pytest.raises(MatterError) as e:
        do_transition_matter(actor=city.alice, matter_id=imported.id, action="assign")
    assert missing(e.value) == "支撑项目、至少一个时间节点"


def test_item_21_s2_1_the_assign_confirmation_says_what_is_missing_first(city, clock):
    clock.set(date(2026, 6, 15))
    m = do_create_matter(actor=city.alice, data=matter_input(city, **BARE))
    client = Client()
    client.force_login(city.alice)
    html = client.get(f"/matters/{m.id}/").content.decode()
    effect = html.split('data-testid="effect-assign"', 1)[1].split("</", 1)[0]
    assert "尚缺：支撑项目、至少一个时间节点" in effect
