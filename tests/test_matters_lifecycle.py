"""Supervised matters (issue 4 §1–2): creation with the S2.1 fields, the lifecycle table
applied with guarded updates, extension requests, and who may do what.

Personas from conftest: alice (supervision office) creates and closes, sam and ursula
(fgw, the lead unit) work and claim, carl (czj) is another unit, victor the vice mayor."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from ducha.matters.access import access_matter_by_id, visible_matters
from ducha.matters.actions import (
    ConcurrentChange,
    CoUnitInput,
    MatterError,
    MatterInput,
    do_create_matter,
    do_decide_extension,
    do_request_extension,
    do_transition_matter,
)
from ducha.matters.models import Matter, MatterEvent, Rectification, Source, Status


def matter_input(city, **overrides) -> MatterInput:
    values = dict(
        title="中心城区两度两力提升行动", source=Source.KEY_WORK, lead_unit_id=city.units["fgw"].id,
        responsible_leader_id=city.victor.id, start_date=date(2026, 1, 5), due_date=date(2026, 12, 31),
        goal="完成年度目标", target_quantity=Decimal("12"), target_unit="个",
        # S2.1: a key-work item is assigned with its projects, standard and time nodes.
        projects="重点项目库", standard="按期验收", milestones=1,
    )
    values.update(overrides)
    return MatterInput(**values)


@pytest.fixture
def matter(city):
    m = do_create_matter(actor=city.alice, data=matter_input(city, co_units=[
        CoUnitInput(unit_id=city.units["czj"].id, part="资金保障", due_date=date(2026, 6, 30)),
    ]))
    return do_transition_matter(actor=city.alice, matter_id=m.id, action="assign")


def test_s2_1_required_fields_are_named(city):
    with pytest.raises(MatterError) as e:
        do_create_matter(actor=city.alice, data=matter_input(city, title="", goal="", target_quantity=None))
    assert {"title", "goal", "target_quantity"} <= set(e.value.errors)
    assert Matter.objects.count() == 0


def test_s2_2_quantity_needs_its_unit_and_leader_must_be_a_city_leader(city):
    with pytest.raises(MatterError) as e:
        do_create_matter(actor=city.alice, data=matter_input(city, target_unit="", responsible_leader_id=city.sam.id))
    assert {"target_quantity", "responsible_leader"} <= set(e.value.errors)


def test_s2_2_qualitative_standard_is_enough(city):
    m = do_create_matter(actor=city.alice, data=matter_input(city, target_quantity=None, qualitative_standard="群众满意"))
    assert m.status == Status.DRAFT and m.number == "DB2026-0001"


def test_s5_2_classified_matter_is_refused(city):
    with pytest.raises(MatterError) as e:
        do_create_matter(actor=city.alice, data=matter_input(city, classified=True))
    assert "涉密" in e.value.errors["classified"]
    assert Matter.objects.count() == 0


def test_only_offices_create_matters(city):
    with pytest.raises(MatterError):
        do_create_matter(actor=city.sam, data=matter_input(city))


def test_s1_13_unit_request_deadline_from_number_of_departments(city):
    # Received Friday 2014-09-26, one department: 3 working days, Sunday 28th was a make-up day.
    one = do_create_matter(actor=city.gina, data=matter_input(
        city, source=Source.UNIT_REQUEST, due_date=None, start_date=date(2014, 9, 26)))
    assert one.due_date == date(2014, 9, 30) and one.handling_departments == 1
    several = do_create_matter(actor=city.gina, data=matter_input(
        city, source=Source.UNIT_REQUEST, due_date=None, start_date=date(2014, 9, 26),
        co_units=[CoUnitInput(unit_id=city.units["czj"].id, part="会签", due_date=date(2014, 9, 30))]))
    # Several departments: one week = 5 working days → 26 Sep + 5 = 9 Oct (1–7 Oct holidays).
    assert several.due_date == date(2014, 10, 9) and several.handling_departments == 2


def test_npc_suggestion_gets_a_three_month_limit(city):
    m = do_create_matter(actor=city.alice, data=matter_input(
        city, source=Source.NPC_SUGGESTION, due_date=None, start_date=date(2026, 3, 31), proposer="张代表"))
    assert m.due_date == date(2026, 6, 30)


def test_s2_3_milestones_backwards_on_working_days(city):
    m = do_create_matter(actor=city.alice, data=matter_input(city, milestones=4, due_date=date(2026, 10, 4)))
    dates = list(m.milestones.values_list("due_date", flat=True))
    assert len(dates) == 4 and dates == sorted(dates)
    # 4 Oct 2026 is inside the National Day holiday: the last node is the last working day before it.
    assert dates[-1] == date(2026, 9, 30)


def test_full_lifecycle_with_events(city, matter):
    assert matter.status == Status.ASSIGNED
    do_transition_matter(actor=city.sam, matter_id=matter.id, action="start")
    do_transition_matter(actor=city.sam, matter_id=matter.id, action="claim", reason="已完成", explanation="收尾不影响完成", today=date(2026, 11, 2))
    returned = do_transition_matter(actor=city.alice, matter_id=matter.id, action="return", reason="缺少验收材料",
                                    today=date(2026, 11, 3))
    assert returned.status == Status.IN_PROGRESS and returned.completed_on is None
    rect = Rectification.objects.get(matter=matter)
    assert rect.due_date == date(2026, 11, 17) and rect.rectified_on is None  # 10 working days
    do_transition_matter(actor=city.ursula, matter_id=matter.id, action="claim", reason="补齐材料", explanation="收尾不影响完成", today=date(2026, 11, 10))
    rect.refresh_from_db()
    assert rect.rectified_on == date(2026, 11, 10)
    closed = do_transition_matter(actor=city.alice, matter_id=matter.id, action="close", today=date(2026, 11, 11))
    assert closed.status == Status.CLOSED and closed.closed_on == date(2026, 11, 11) and closed.progress == 100
    actions = list(MatterEvent.objects.filter(matter=matter).values_list("action", "actor__username"))
    assert actions == [("create", "alice"), ("assign", "alice"), ("start", "sam"), ("claim", "sam"),
                       ("return", "alice"), ("claim", "ursula"), ("close", "alice")]


@pytest.mark.parametrize("persona,action", [
    ("sam", "close"), ("carl", "start"), ("victor", "start"), ("alice", "start"), ("sam", "suspend"),
])
def test_steps_not_allowed_change_nothing(city, matter, persona, action):
    user = city.people[persona]
    if not visible_matters(user).filter(pk=matter.pk).exists():
        from django.http import Http404
        with pytest.raises(Http404):
            do_transition_matter(actor=user, matter_id=matter.id, action=action, reason="x")
    else:
        with pytest.raises(MatterError):
            do_transition_matter(actor=user, matter_id=matter.id, action=action, reason="x")
    matter.refresh_from_db()
    assert matter.status == Status.ASSIGNED
    assert not MatterEvent.objects.filter(matter=matter, action=action).exists()


def test_reason_required_for_return(city, matter):
    do_transition_matter(actor=city.sam, matter_id=matter.id, action="claim", reason="完成", explanation="收尾不影响完成")
    with pytest.raises(MatterError, match="理由"):
        do_transition_matter(actor=city.alice, matter_id=matter.id, action="return", reason="  ")


def test_guarded_update_refuses_a_stale_second_step(city, matter):
    """Two office clerks act on the same claimed matter: the second is told, nothing is doubled."""
    do_transition_matter(actor=city.sam, matter_id=matter.id, action="claim", reason="完成", explanation="收尾不影响完成")
    do_transition_matter(actor=city.alice, matter_id=matter.id, action="close")
    with pytest.raises(MatterError):
        do_transition_matter(actor=city.alice, matter_id=matter.id, action="return", reason="再查")
    assert MatterEvent.objects.filter(matter=matter, action__in=["close", "return"]).count() == 1
    assert issubclass(ConcurrentChange, MatterError)


def test_co_unit_sees_the_matter_but_cannot_claim_it(city, matter):
    assert access_matter_by_id(city.carl, matter.id) == matter
    with pytest.raises(MatterError):
        do_transition_matter(actor=city.carl, matter_id=matter.id, action="claim", reason="完成", explanation="收尾不影响完成")


def test_drafts_are_the_supervision_office_s(city):
    draft = do_create_matter(actor=city.alice, data=matter_input(city))
    assert visible_matters(city.alice).filter(pk=draft.pk).exists()
    for persona in ["sam", "victor", "mayor", "gina"]:
        assert not visible_matters(city.people[persona]).filter(pk=draft.pk).exists(), persona


def test_extension_request_and_decision(city, matter):
    req = do_request_extension(actor=city.sam, matter_id=matter.id, requested_due=date(2027, 3, 31), reason="征迁滞后")
    with pytest.raises(MatterError, match="待审批"):
        do_request_extension(actor=city.sam, matter_id=matter.id, requested_due=date(2027, 4, 30), reason="再延")
    with pytest.raises(MatterError):
        do_decide_extension(actor=city.sam, request_id=req.id, approve=True)
    do_decide_extension(actor=city.alice, request_id=req.id, approve=True, note="同意")
    matter.refresh_from_db()
    assert matter.due_date == date(2027, 3, 31)
    with pytest.raises(ConcurrentChange):
        do_decide_extension(actor=city.alice, request_id=req.id, approve=False, note="重复审批")


def test_refusal_needs_a_reason_and_keeps_the_deadline(city, matter):
    req = do_request_extension(actor=city.sam, matter_id=matter.id, requested_due=date(2027, 3, 31), reason="征迁滞后")
    with pytest.raises(MatterError):
        do_decide_extension(actor=city.alice, request_id=req.id, approve=False, note="")
    do_decide_extension(actor=city.alice, request_id=req.id, approve=False, note="理由不充分")
    matter.refresh_from_db()
    assert matter.due_date == date(2026, 12, 31)


def test_every_matter_step_is_in_the_audit_trail(city, matter):
    """Issue 6 §3: writes to matters are audited with who and what, in the hash chain."""
    from ducha.audit.models import AuditEvent

    do_transition_matter(actor=city.sam, matter_id=matter.id, action="claim", reason="完成", explanation="收尾不影响完成")
    rows = list(AuditEvent.objects.filter(obj_type="matters.Matter", obj_id=str(matter.id))
                .order_by("id").values_list("action", "username"))
    assert rows == [("matter.create", "alice"), ("matter.assign", "alice"), ("matter.claim", "sam")]


def test_numbers_keep_counting_past_9999(city):
    """An imported ledger can hold more than 9,999 matters a year."""
    Matter.objects.bulk_create([
        Matter(year=2026, number=f"DB2026-{n:04d}", title="x", source=Source.KEY_WORK, goal="x",
               responsible_leader=city.victor, lead_unit=city.units["fgw"], start_date=date(2026, 1, 5),
               created_by=city.alice)
        for n in (9998, 9999)
    ])
    first = do_create_matter(actor=city.alice, data=matter_input(city))
    second = do_create_matter(actor=city.alice, data=matter_input(city))
    assert (first.number, second.number) == ("DB2026-10000", "DB2026-10001")


def test_units_hear_of_assignment_return_and_extension_in_their_inbox(city, django_capture_on_commit_callbacks,
                                                                     clock):
    """Assignment reaches the lead unit and each co-unit; a return and an extension decision
    reach the lead unit (ursula is fgw's administrator; czj has none, so carl, its staff)."""
    clock.set(date(2026, 5, 11))
    from ducha.inbox.models import Notification

    def inbox() -> set[tuple[str, str]]:
        return {(n.user.username, n.title) for n in Notification.objects.select_related("user")}

    m = do_create_matter(actor=city.alice, data=matter_input(city, co_units=[
        CoUnitInput(unit_id=city.units["czj"].id, part="资金保障", due_date=date(2026, 6, 30)),
    ]))
    assert inbox() == set()  # a draft is nobody's news yet
    with django_capture_on_commit_callbacks(execute=True):
        do_transition_matter(actor=city.alice, matter_id=m.id, action="assign")
    assert inbox() == {("ursula", f"新督办事项 {m.number}"), ("carl", f"新督办事项 {m.number}")}
    assert "2026年12月31日" in Notification.objects.filter(user=city.ursula).get().body

    with django_capture_on_commit_callbacks(execute=True):
        request = do_request_extension(actor=city.sam, matter_id=m.id, requested_due=date(2027, 1, 29),
                                       reason="征迁未完成")
        do_decide_extension(actor=city.alice, request_id=request.id, approve=False, note="不符合延期条件")
    refused = Notification.objects.get(title=f"督办事项 {m.number} 延期申请")
    assert refused.user == city.ursula and "不符合延期条件" in refused.body

    with django_capture_on_commit_callbacks(execute=True):
        do_transition_matter(actor=city.sam, matter_id=m.id, action="start")
        do_transition_matter(actor=city.sam, matter_id=m.id, action="claim", reason="已完成", explanation="收尾不影响完成")
        do_transition_matter(actor=city.alice, matter_id=m.id, action="return", reason="佐证不足")
    returned = Notification.objects.get(title=f"督办事项 {m.number} 退回整改")
    assert returned.user == city.ursula and returned.light == "red" and "佐证不足" in returned.body
    assert Notification.objects.count() == 4  # start and claim tell nobody: the unit did them
