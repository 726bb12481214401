"""Writes the matter pages still lacked: the supervision office edits a matter (S2.1, with
S1.13 deadlines recomputed), units break their part down to sections and people (S2.5),
time nodes are marked done and rescheduled backwards from the deadline (S2.3).

Personas from conftest; ``cora`` is added here as czj's unit administrator, so that a
co-unit's own administrator can be tried. Today is pinned to Monday 2026-06-15.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.http import Http404

from ducha.matters.actions import (
    ConcurrentChange,
    CoUnitInput,
    MatterError,
    MatterInput,
    do_create_matter,
    do_transition_matter,
)
from ducha.matters.actions_edit import (
    do_assign_within_unit,
    do_complete_milestone,
    do_remove_assignment,
    do_reschedule_milestones,
    do_update_matter,
)
from ducha.matters.models import Assignment, CoUnitPart, Matter, MatterCheck, MatterEvent, Milestone, Source, Status
from ducha.org.models import Section, User
from ducha.org.roles import Role
from ducha.workcal.service import get_calendar
from tests.test_shell_pages import foreign_references

TODAY = date(2026, 6, 15)


@pytest.fixture
def today(settings, clock):
    clock.set(TODAY)
    return TODAY


@pytest.fixture
def cora(city):
    return User.objects.create_user(username="cora", password="x", name="Cora", role=Role.UNIT_ADMIN,
                                    unit=city.units["czj"])


@pytest.fixture
def sections(city):
    return {
        "zhk": Section.objects.create(unit=city.units["fgw"], name="综合科"),
        "ghk": Section.objects.create(unit=city.units["fgw"], name="规划科"),
        "ysk": Section.objects.create(unit=city.units["czj"], name="预算科"),
    }


def make_input(city, **overrides) -> MatterInput:
    values = dict(
        title="中心城区道路提升工程", source=Source.KEY_WORK, lead_unit_id=city.units["fgw"].id,
        responsible_leader_id=city.victor.id, start_date=date(2026, 1, 5), due_date=date(2026, 12, 31),
        goal="完成12条道路提升", target_quantity=Decimal("12"), target_unit="条",
        projects="道路提升项目", standard="验收合格", milestones=1,  # S2.1: what a key-work item is assigned with
        co_units=[CoUnitInput(unit_id=city.units["czj"].id, part="资金保障", due_date=date(2026, 10, 30))],
    )
    values.update(overrides)
    return MatterInput(**values)


@pytest.fixture
def road(city, today):
    """fgw leads, czj is a co-unit; four time nodes; assigned and accepted."""
    m = do_create_matter(actor=city.alice, data=make_input(city, milestones=4), today=TODAY)
    do_transition_matter(actor=city.alice, matter_id=m.id, action="assign", today=TODAY)
    return do_transition_matter(actor=city.sam, matter_id=m.id, action="start", today=TODAY)


@pytest.fixture
def solo(city, today):
    """A matter of fgw alone: czj has nothing to do with it."""
    m = do_create_matter(actor=city.alice, data=make_input(city, title="项目库建设", co_units=[]), today=TODAY)
    return do_transition_matter(actor=city.alice, matter_id=m.id, action="assign", today=TODAY)


def snapshot(matter: Matter) -> tuple:
    matter.refresh_from_db()
    return (matter.title, matter.goal, matter.due_date, matter.updated_at,
            sorted(matter.co_parts.values_list("unit_id", "part", "due_date")),
            sorted(matter.milestones.values_list("due_date", "done_on")), matter.events.count())


def edit(city, matter, actor=None, reason="", reschedule=False, **overrides):
    matter.refresh_from_db()
    return do_update_matter(actor=actor or city.alice, matter_id=matter.id, data=make_input(city, **overrides),
                            expected_updated_at=matter.updated_at, due_reason=reason,
                            reschedule_milestones=reschedule)


# -- S2.1 the office edits -------------------------------------------------------------------------


def test_s2_1_edit_changes_fields_and_co_units_with_an_event_before_and_after(city, road):
    before = road.updated_at
    done = edit(city, road, title="中心城区道路提升改造工程", goal="完成15条道路提升", target_quantity=Decimal("15"),
                co_units=[CoUnitInput(unit_id=city.units["czj"].id, part="资金保障及绩效评价", due_date=date(2026, 10, 30)),
                          CoUnitInput(unit_id=city.units["gxq"].id, part="园区道路", due_date=date(2026, 9, 30))])
    assert done.title == "中心城区道路提升改造工程" and done.target_quantity == Decimal("15")
    assert done.updated_at > before and done.status == Status.IN_PROGRESS
    assert MatterCheck.objects.get(matter=done).next_check_at is not None  # the reminder engine looks again
    assert sorted(done.co_parts.values_list("unit__code", "part")) == [("czj", "资金保障及绩效评价"), ("gxq", "园区道路")]
    ev = MatterEvent.objects.get(matter=road, action="edit")
    assert ev.actor == city.alice
    assert ev.data["changes"]["title"] == ["中心城区道路提升工程", "中心城区道路提升改造工程"]
    assert ev.data["changes"]["target_quantity"] == ["12", "15"]
    assert ev.data["co_units"] == {"added": ["高新区管委会"], "changed": ["市财政局"]}
    assert "due_date" not in ev.data["changes"] and "new_due" not in ev.data
    assert road.milestones.count() == 4  # not asked to reschedule: untouched


def test_s2_1_an_edit_that_changes_nothing_writes_nothing(city, road):
    before = snapshot(road)
    edit(city, road)
    assert snapshot(road) == before


def test_s2_1_a_stale_form_is_refused_and_changes_nothing(city, road):
    opened = road.updated_at
    edit(city, road, title="第一个人的修改")
    before = snapshot(road)
    with pytest.raises(ConcurrentChange, match="请刷新"):
        do_update_matter(actor=city.alice, matter_id=road.id, data=make_input(city, title="第二个人的修改"),
                         expected_updated_at=opened)
    assert snapshot(road) == before
    # A lifecycle step in between makes the form stale too.
    road.refresh_from_db()
    opened = road.updated_at
    do_transition_matter(actor=city.sam, matter_id=road.id, action="claim", reason="完成", explanation="收尾不影响完成", today=TODAY)
    with pytest.raises(ConcurrentChange):
        do_update_matter(actor=city.alice, matter_id=road.id, data=make_input(city, title="x"),
                         expected_updated_at=opened)


def test_s2_1_validation_errors_name_the_fields_and_change_nothing(city, road):
    before = snapshot(road)
    with pytest.raises(MatterError) as e:
        edit(city, road, title=" ", goal="", due_date=date(2025, 12, 31), responsible_leader_id=city.sam.id,
             co_units=[CoUnitInput(unit_id=city.units["fgw"].id, part="重复", due_date=date(2026, 6, 30))])
    assert {"title", "goal", "due_date", "responsible_leader", "co_units.1"} <= set(e.value.errors)
    assert snapshot(road) == before


def test_s2_1_a_due_date_change_needs_a_reason_and_records_old_and_new(city, road):
    before = snapshot(road)
    with pytest.raises(MatterError) as e:
        edit(city, road, due_date=date(2027, 3, 31), reason="  ")
    assert set(e.value.errors) == {"due_reason"} and "2026-12-31" in e.value.errors["due_reason"]
    assert snapshot(road) == before
    edit(city, road, due_date=date(2027, 3, 31), reason="市政府常务会议决定调整")
    road.refresh_from_db()
    assert road.due_date == date(2027, 3, 31)
    ev = MatterEvent.objects.get(matter=road, action="edit")
    assert (ev.data["old_due"], ev.data["new_due"], ev.reason) == ("2026-12-31", "2027-03-31", "市政府常务会议决定调整")
    assert ev.data["changes"]["due_date"] == ["2026-12-31", "2027-03-31"]


def test_s2_3_an_earlier_due_date_moves_time_nodes_only_when_asked(city, road):
    with pytest.raises(MatterError) as e:
        edit(city, road, due_date=date(2026, 10, 30), reason="提前完成")
    assert "milestones" in e.value.errors
    edit(city, road, due_date=date(2026, 10, 30), reason="提前完成", reschedule=True, milestones=3)
    dates = list(road.milestones.order_by("due_date").values_list("due_date", flat=True))
    assert len(dates) == 3 and dates[-1] == date(2026, 10, 30) and dates == sorted(dates)
    assert MatterEvent.objects.get(matter=road, action="edit").data["milestones"] == [str(d) for d in dates]


def test_s1_4_a_co_unit_with_reported_progress_cannot_be_removed(city, road, cora, sections):
    do_assign_within_unit(actor=cora, matter_id=road.id, unit_id=city.units["czj"].id,
                          section_id=sections["ysk"].id, task="资金测算")
    CoUnitPart.objects.filter(matter=road).update(progress=30, last_progress_on=date(2026, 5, 31))
    before = snapshot(road)
    with pytest.raises(MatterError) as e:
        edit(city, road, co_units=[])
    assert "市财政局" in e.value.errors["co_units"] and "progress" in e.value.errors["co_units"]
    assert snapshot(road) == before
    # Without reported progress it goes, and so does the work czj had given out inside itself.
    CoUnitPart.objects.filter(matter=road).update(progress=0, last_progress_on=None)
    edit(city, road, co_units=[])
    assert not road.co_parts.exists() and not Assignment.objects.filter(matter=road).exists()
    ev = MatterEvent.objects.get(matter=road, action="edit")
    assert ev.data["co_units"] == {"removed": ["市财政局"]} and ev.data["assignments_dropped"] == 1


def test_s1_13_a_unit_request_s_deadline_follows_its_received_date_and_departments(city):
    m = do_create_matter(actor=city.gina, data=make_input(
        city, source=Source.UNIT_REQUEST, due_date=None, start_date=date(2014, 9, 26), co_units=[]))
    assert m.due_date == date(2014, 9, 30)
    deadline_id = m.workday_deadline_id
    # A second handling department: "one week" = 5 working days → 9 Oct (1–7 Oct holidays).
    edit(city, m, source=Source.UNIT_REQUEST, due_date=None, start_date=date(2014, 9, 26),
         co_units=[CoUnitInput(unit_id=city.units["czj"].id, part="会签", due_date=date(2014, 10, 8))])
    m.refresh_from_db()
    assert (m.due_date, m.handling_departments, m.workday_deadline_id) == (date(2014, 10, 9), 2, deadline_id)
    assert m.workday_deadline.due_date == date(2014, 10, 9) and m.workday_deadline.workdays == 5
    # Received on 30 Sep by one department: 3 working days → 10 Oct.
    edit(city, m, source=Source.UNIT_REQUEST, due_date=None, start_date=date(2014, 9, 30), co_units=[])
    m.refresh_from_db()
    assert (m.due_date, m.handling_departments) == (date(2014, 10, 10), 1)
    # A co-unit's date after the computed deadline is named on its row.
    with pytest.raises(MatterError) as e:
        edit(city, m, source=Source.UNIT_REQUEST, due_date=None, start_date=date(2014, 9, 30),
             co_units=[CoUnitInput(unit_id=city.units["czj"].id, part="会签", due_date=date(2014, 10, 31))])
    assert "co_units.1" in e.value.errors


def test_only_the_supervision_office_edits_and_not_a_closed_matter(city, road, solo):
    for persona in ("ursula", "sam", "carl", "victor", "gina"):
        with pytest.raises(MatterError):
            edit(city, road, actor=city.people[persona], title="越权修改")
    with pytest.raises(Http404):
        edit(city, solo, actor=city.carl, title="越权修改")
    with pytest.raises(MatterError) as e:
        edit(city, road, source=Source.MEETING)
    assert "source" in e.value.errors
    do_transition_matter(actor=city.sam, matter_id=road.id, action="claim", reason="完成", explanation="收尾不影响完成", today=TODAY)
    do_transition_matter(actor=city.alice, matter_id=road.id, action="close", today=TODAY)
    with pytest.raises(MatterError, match="已销号"):
        edit(city, road, title="销号后修改")
    assert Matter.objects.get(pk=road.pk).title == "中心城区道路提升工程"


# -- S2.5 inside the unit -------------------------------------------------------------------------


def test_s2_5_ursula_assigns_fgw_s_part_to_its_sections_and_people(city, road, sections):
    fgw = city.units["fgw"].id
    a = do_assign_within_unit(actor=city.ursula, matter_id=road.id, unit_id=fgw, section_id=sections["zhk"].id,
                              person_id=city.sam.id, task="解放路段")
    assert (a.unit_id, a.section_id, a.person_id, a.task) == (fgw, sections["zhk"].id, city.sam.id, "解放路段")
    do_assign_within_unit(actor=city.ursula, matter_id=road.id, unit_id=fgw, section_id=sections["ghk"].id)
    ev = MatterEvent.objects.filter(matter=road, action="assignment_add").first()
    assert ev.actor == city.ursula and "综合科 / Sam" in ev.data["summary"]
    with pytest.raises(MatterError, match="已有相同"):
        do_assign_within_unit(actor=city.ursula, matter_id=road.id, unit_id=fgw, section_id=sections["zhk"].id,
                              person_id=city.sam.id)
    for kwargs, field in [({"section_id": sections["ysk"].id}, "section"), ({"person_id": city.carl.id}, "person"),
                          ({}, "__all__"), ({"section_id": sections["ghk"].id, "task": "长" * 301}, "task")]:
        with pytest.raises(MatterError) as e:
            do_assign_within_unit(actor=city.ursula, matter_id=road.id, unit_id=fgw, **kwargs)
        assert field in e.value.errors, kwargs
    assert Assignment.objects.filter(matter=road).count() == 2


def test_s2_5_staff_and_other_units_cannot_assign(city, road, solo, sections, cora):
    fgw, czj = city.units["fgw"].id, city.units["czj"].id
    with pytest.raises(MatterError):  # unit staff
        do_assign_within_unit(actor=city.sam, matter_id=road.id, unit_id=fgw, section_id=sections["zhk"].id)
    with pytest.raises(MatterError):  # co-unit staff
        do_assign_within_unit(actor=city.carl, matter_id=road.id, unit_id=czj, section_id=sections["ysk"].id)
    with pytest.raises(MatterError):  # the office does not break down a unit's work
        do_assign_within_unit(actor=city.alice, matter_id=road.id, unit_id=fgw, section_id=sections["zhk"].id)
    with pytest.raises(MatterError):  # ursula for another unit
        do_assign_within_unit(actor=city.ursula, matter_id=road.id, unit_id=czj, section_id=sections["ysk"].id)
    with pytest.raises(Http404):  # carl's unit has nothing to do with solo
        do_assign_within_unit(actor=city.carl, matter_id=solo.id, unit_id=czj, section_id=sections["ysk"].id)
    with pytest.raises(Http404):
        do_assign_within_unit(actor=cora, matter_id=solo.id, unit_id=czj, section_id=sections["ysk"].id)
    # czj's administrator breaks down czj's own part of road, and only that.
    do_assign_within_unit(actor=cora, matter_id=road.id, unit_id=czj, section_id=sections["ysk"].id, person_id=city.carl.id)
    with pytest.raises(MatterError):
        do_assign_within_unit(actor=cora, matter_id=road.id, unit_id=fgw, section_id=sections["zhk"].id)
    assert list(Assignment.objects.values_list("unit_id", flat=True)) == [czj]


def test_s2_5_removing_an_assignment_is_the_unit_admin_s_own(city, road, sections, cora):
    mine = do_assign_within_unit(actor=city.ursula, matter_id=road.id, unit_id=city.units["fgw"].id,
                                 person_id=city.sam.id)
    for actor in (cora, city.sam, city.alice):
        with pytest.raises(MatterError):
            do_remove_assignment(actor=actor, assignment_id=mine.id)
    do_remove_assignment(actor=city.ursula, assignment_id=mine.id)
    assert not Assignment.objects.exists()
    assert MatterEvent.objects.get(matter=road, action="assignment_remove").data["summary"] == "Sam"
    with pytest.raises(Http404):
        do_remove_assignment(actor=city.ursula, assignment_id=mine.id)


# -- S2.3 time nodes ------------------------------------------------------------------------------


def test_s2_3_the_lead_unit_marks_a_time_node_done_once(city, road):
    first = road.milestones.order_by("due_date").first()
    ms = do_complete_milestone(actor=city.sam, milestone_id=first.id, done_on=date(2026, 3, 20))
    assert ms.done_on == date(2026, 3, 20)
    ev = MatterEvent.objects.get(matter=road, action="milestone_done")
    assert ev.actor == city.sam and ev.data["done_on"] == "2026-03-20"
    with pytest.raises(ConcurrentChange):
        do_complete_milestone(actor=city.ursula, milestone_id=first.id, done_on=date(2026, 3, 21))
    assert Milestone.objects.get(pk=first.pk).done_on == date(2026, 3, 20)


def test_s2_3_only_the_lead_unit_and_only_a_real_date(city, road, solo, cora):
    node = road.milestones.order_by("due_date").first()
    for actor in (city.carl, cora, city.alice, city.victor):
        with pytest.raises(MatterError):
            do_complete_milestone(actor=actor, milestone_id=node.id, done_on=TODAY)
    for bad in (TODAY + timedelta(days=1), date(2025, 12, 31)):
        with pytest.raises(MatterError) as e:
            do_complete_milestone(actor=city.sam, milestone_id=node.id, done_on=bad)
        assert "done_on" in e.value.errors
    assert not Milestone.objects.filter(done_on__isnull=False).exists()
    do_reschedule_milestones(actor=city.alice, matter_id=solo.id, count=2)
    with pytest.raises(Http404):
        do_complete_milestone(actor=city.carl, milestone_id=solo.milestones.first().id, done_on=TODAY)


def test_s2_3_the_office_reschedules_backwards_keeping_what_is_done(city, road):
    first = road.milestones.order_by("due_date").first()
    do_complete_milestone(actor=city.sam, milestone_id=first.id, done_on=date(2026, 4, 1))
    with pytest.raises(MatterError):
        do_reschedule_milestones(actor=city.ursula, matter_id=road.id, count=2)
    with pytest.raises(MatterError) as e:
        do_reschedule_milestones(actor=city.alice, matter_id=road.id, count=25)
    assert "count" in e.value.errors
    nodes = do_reschedule_milestones(actor=city.alice, matter_id=road.id, count=2)
    cal = get_calendar()
    assert [n.due_date for n in nodes][-1] == cal.workday_on_or_before(date(2026, 12, 31))
    assert all(n.due_date > date(2026, 4, 1) and cal.is_workday(n.due_date) for n in nodes)
    kept = list(road.milestones.order_by("due_date").values_list("title", "done_on"))
    assert kept[0] == (first.title, date(2026, 4, 1)) and len(kept) == 3
    assert [t for t, _d in kept[1:]] == ["节点2：完成67%", "节点3：完成100%"]
    ev = MatterEvent.objects.get(matter=road, action="milestones_rescheduled")
    assert len(ev.data["old_dates"]) == 3 and ev.data["new_dates"] == [str(n.due_date) for n in nodes]


# -- through the pages ----------------------------------------------------------------------------


def edit_form(city, matter, **overrides):
    matter.refresh_from_db()
    parts = list(matter.co_parts.order_by("id"))
    data = {
        "updated_at": matter.updated_at.isoformat(), "title": matter.title, "source": matter.source,
        "source_ref": "", "goal": matter.goal, "projects": "", "standard": "",
        "target_quantity": str(matter.target_quantity or ""), "target_unit": matter.target_unit,
        "qualitative_standard": matter.qualitative_standard, "responsible_leader": matter.responsible_leader_id,
        "lead_unit": matter.lead_unit_id, "start_date": str(matter.start_date), "due_date": str(matter.due_date),
        "milestones": "4", "instructed_by": "", "instruction_text": "", "proposer": "", "due_reason": "",
        "co-TOTAL_FORMS": str(len(parts) + 1), "co-INITIAL_FORMS": str(len(parts)), "co-MIN_NUM_FORMS": "0",
        "co-MAX_NUM_FORMS": "30",
    }
    for i, p in enumerate(parts):
        data.update({f"co-{i}-unit": p.unit_id, f"co-{i}-part": p.part, f"co-{i}-due_date": str(p.due_date)})
    n = len(parts)
    data.update({f"co-{n}-unit": "", f"co-{n}-part": "", f"co-{n}-due_date": ""})
    data.update(overrides)
    return data


def test_s2_1_the_edit_page_is_the_create_form_prefilled(city, road, solo, client):
    client.force_login(city.alice)
    detail = client.get(f"/matters/{road.id}/").content.decode()
    assert f'href="/matters/{road.id}/edit/"' in detail and 'data-testid="edit-link"' in detail
    html = client.get(f"/matters/{road.id}/edit/").content.decode()
    assert 'value="中心城区道路提升工程"' in html and "资金保障" in html and 'name="updated_at"' in html
    assert 'name="due_reason"' in html and 'name="co-0-DELETE"' in html and 'name="classified"' not in html
    assert foreign_references(html) == [] and " style=" not in html and "<script>" not in html
    for persona in ("sam", "ursula", "victor"):
        client.force_login(city.people[persona])
        assert client.get(f"/matters/{road.id}/edit/").status_code == 403, persona
        assert 'data-testid="edit-link"' not in client.get(f"/matters/{road.id}/").content.decode()
    client.force_login(city.carl)
    assert client.get(f"/matters/{solo.id}/edit/").status_code == 404


def test_s2_1_edit_through_the_page(city, road, client):
    client.force_login(city.alice)
    response = client.post(f"/matters/{road.id}/edit/", edit_form(city, road, title="道路提升改造工程"))
    assert response.status_code == 302 and response["Location"] == f"/matters/{road.id}/"
    html = client.get(response["Location"]).content.decode()
    assert "道路提升改造工程" in html and ("Changes to DB2026-0001 saved" in html or "已保存" in html)
    timeline = html.split('data-testid="timeline"')[1]
    assert 'data-action="edit"' in timeline


def test_s2_1_page_refuses_a_due_change_without_reason_and_a_stale_form(city, road, client):
    client.force_login(city.alice)
    response = client.post(f"/matters/{road.id}/edit/", edit_form(city, road, due_date="2027-03-31"))
    assert response.status_code == 400
    html = response.content.decode()
    assert 'data-testid="error-due_reason"' in html and 'data-testid="form-errors"' in html
    assert Matter.objects.get(pk=road.pk).due_date == date(2026, 12, 31)
    stale = edit_form(city, road, due_date="2027-03-31", due_reason="会议决定")
    assert client.post(f"/matters/{road.id}/edit/", edit_form(city, road, title="先改")).status_code == 302
    response = client.post(f"/matters/{road.id}/edit/", stale)
    assert response.status_code == 409 and 'data-testid="conflict"' in response.content.decode()
    road.refresh_from_db()
    assert road.due_date == date(2026, 12, 31) and road.title == "先改"
    ok = client.post(f"/matters/{road.id}/edit/", edit_form(city, road, due_date="2027-03-31", due_reason="会议决定"))
    assert ok.status_code == 302
    timeline = client.get(f"/matters/{road.id}/").content.decode().split('data-testid="timeline"')[1]
    assert "2026-12-31 → 2027-03-31" in timeline and "会议决定" in timeline


def test_s1_4_removing_a_co_unit_on_the_page(city, road, client):
    client.force_login(city.alice)
    CoUnitPart.objects.filter(matter=road).update(progress=10)
    refused = client.post(f"/matters/{road.id}/edit/", edit_form(city, road, **{"co-0-DELETE": "on"}))
    assert refused.status_code == 400 and "市财政局" in refused.content.decode()
    assert road.co_parts.count() == 1
    CoUnitPart.objects.filter(matter=road).update(progress=0)
    assert client.post(f"/matters/{road.id}/edit/", edit_form(city, road, **{"co-0-DELETE": "on"})).status_code == 302
    assert road.co_parts.count() == 0


def test_s2_5_assign_through_the_page_and_with_htmx(city, road, solo, sections, client):
    client.force_login(city.ursula)
    html = client.get(f"/matters/{road.id}/").content.decode()
    form = html.split('data-testid="assign-form"')[1].split("</details>")[0]
    assert "综合科" in form and "Sam" in form and "预算科" not in form and "Carl" not in form
    response = client.post(f"/matters/{road.id}/assignments/",
                           {"section": sections["zhk"].id, "person": city.sam.id, "task": "解放路段"})
    assert response.status_code == 302
    after = client.get(f"/matters/{road.id}/").content.decode()
    assert ("Assigned to" in after or "已分解给" in after) and "解放路段" in after
    partial = client.post(f"/matters/{road.id}/assignments/", {"section": sections["ghk"].id, "person": ""},
                          HTTP_HX_REQUEST="true")
    body = partial.content.decode()
    assert partial.status_code == 200 and 'data-testid="assign-note"' in body and "<html" not in body
    assert body.count("data-assignment=") == 2
    bad = client.post(f"/matters/{road.id}/assignments/", {"section": "", "person": ""})
    assert bad.status_code == 400 and 'data-testid="action-error"' in bad.content.decode()
    assert Assignment.objects.filter(matter=road).count() == 2
    # Remove one through the page.
    a = Assignment.objects.filter(matter=road).first()
    assert client.post(f"/matters/assignments/{a.id}/remove/").status_code == 302
    assert Assignment.objects.filter(matter=road).count() == 1
    # sam sees the breakdown but no form, and his POST is refused; carl gets 404 for fgw's own matter.
    client.force_login(city.sam)
    assert 'data-testid="assign-form"' not in client.get(f"/matters/{road.id}/").content.decode()
    assert client.post(f"/matters/{road.id}/assignments/", {"person": city.sam.id}).status_code == 400
    client.force_login(city.carl)
    assert client.post(f"/matters/{solo.id}/assignments/", {"person": city.carl.id}).status_code == 404
    assert Assignment.objects.filter(matter=road).count() == 1


def test_s2_3_time_nodes_through_the_page(city, road, client):
    node = road.milestones.order_by("due_date").first()
    client.force_login(city.carl)  # a co-unit: no buttons, a refused POST
    assert 'data-testid="milestone-done"' not in client.get(f"/matters/{road.id}/").content.decode()
    assert client.post(f"/matters/milestones/{node.id}/done/", {"done_on": "2026-03-20"}).status_code == 400
    client.force_login(city.sam)
    html = client.get(f"/matters/{road.id}/").content.decode()
    assert html.count('data-testid="milestone-done"') == 4 and 'data-testid="reschedule-form"' not in html
    assert client.post(f"/matters/milestones/{node.id}/done/", {"done_on": "2027-01-01"}).status_code == 400
    response = client.post(f"/matters/milestones/{node.id}/done/", {"done_on": "2026-03-20"})
    assert response.status_code == 302
    assert client.post(f"/matters/milestones/{node.id}/done/", {"done_on": "2026-03-20"}).status_code == 409
    assert client.post(f"/matters/{road.id}/milestones/reschedule/", {"count": "2"}).status_code == 400
    client.force_login(city.alice)
    html = client.get(f"/matters/{road.id}/").content.decode()
    assert 'data-testid="reschedule-form"' in html and 'data-testid="milestone-done"' not in html
    bad = client.post(f"/matters/{road.id}/milestones/reschedule/", {"count": "30"})
    assert bad.status_code == 400 and 'id="id_count_errors"' in bad.content.decode()
    assert client.post(f"/matters/{road.id}/milestones/reschedule/", {"count": "2"}).status_code == 302
    assert road.milestones.count() == 3 and road.milestones.filter(done_on__isnull=False).count() == 1
    timeline = client.get(f"/matters/{road.id}/").content.decode().split('data-testid="timeline"')[1]
    assert 'data-action="milestones_rescheduled"' in timeline and 'data-action="milestone_done"' in timeline


@pytest.mark.parametrize("persona", ["alice", "ursula", "sam"])
def test_the_matter_page_with_its_forms_stays_local_and_bounded(city, road, sections, client, persona,
                                                                django_assert_max_num_queries):
    client.force_login(city.people[persona])
    client.get(f"/matters/{road.id}/")
    with django_assert_max_num_queries(30):
        html = client.get(f"/matters/{road.id}/").content.decode()
    assert foreign_references(html) == [] and " style=" not in html and "<script>" not in html
