"""S5.1 / S1.4 escalation rules (ducha.rules.escalation): pure functions on the real 2026
calendar. The matter due Wednesday 2026-09-30 is the hard case: Mid-Autumn (09-25), National
Day (10-01..10-07) and the make-up Saturday 10-10 all lie on its ladder."""

from __future__ import annotations

from datetime import date

import pytest
from chinese_calendar import constants
from hypothesis import given, settings
from hypothesis import strategies as st

from ducha.rules.escalation import (
    DEFAULT_LADDER,
    Action,
    Audience,
    CoPartFacts,
    Kind,
    LetterReason,
    MatterFacts,
    Policy,
    Rung,
    checkpoint_date,
    evaluate,
    rung_date,
    validate_ladder,
)
from ducha.rules.workdays import WorkCalendar

CAL = WorkCalendar.build(
    range(2024, 2027),
    [d for d in constants.holidays if d.year >= 2024],
    [d for d in constants.workdays if d.year >= 2024],
)
DUE = date(2026, 9, 30)


def facts(**kw) -> MatterFacts:
    base = dict(start=date(2026, 3, 2), due=DUE, running=True, last_progress=None, progress=100)
    base.update(kw)
    return MatterFacts(**base)


def stages(ev) -> list[tuple[str, str]]:
    return [(d.kind.value, d.stage) for d in ev.due_now]


def test_s5_1_ladder_dates_follow_the_working_day_calendar():
    dates = {r.code: rung_date(CAL, DUE, r.offset) for r in DEFAULT_LADDER}
    assert dates == {
        "before_3": date(2026, 9, 24),  # 09-25 is Mid-Autumn, 26/27 a weekend
        "due": DUE,
        "overdue_1": date(2026, 10, 8),  # after the National Day holiday
        "overdue_5": date(2026, 10, 13),  # Saturday 10-10 is a make-up working day
        "overdue_10": date(2026, 10, 20),
    }


def test_s5_1_due_on_a_sunday_is_reminded_on_the_friday_before():
    assert rung_date(CAL, date(2026, 11, 29), 0) == date(2026, 11, 27)


def test_s5_1_each_rung_fires_on_its_day_and_names_the_next_look():
    progress = dict(last_progress=date(2026, 9, 23))
    quiet = evaluate(facts(**progress), date(2026, 9, 23), CAL)
    assert quiet.due_now == () and quiet.next_check == date(2026, 9, 24)
    ev = evaluate(facts(**progress), date(2026, 9, 24), CAL)
    assert stages(ev) == [("deadline", "before_3")]
    assert ev.due_now[0].audience == {Audience.LEAD_UNIT}
    assert ev.next_check == DUE
    ev = evaluate(facts(last_progress=DUE), DUE, CAL)
    assert stages(ev) == [("deadline", "due")]
    assert ev.due_now[0].audience == {Audience.LEAD_UNIT, Audience.UNIT_IN_CHARGE}
    assert ev.next_check == date(2026, 10, 8)
    ev = evaluate(facts(last_progress=DUE), date(2026, 10, 8), CAL)
    (d,) = ev.due_now
    assert (d.stage, d.light, d.workdays) == ("overdue_1", "red", 1) and Audience.VICE_MAYOR in d.audience
    ev = evaluate(facts(last_progress=date(2026, 10, 12)), date(2026, 10, 13), CAL)
    (d,) = ev.due_now
    assert (d.stage, d.action, d.workdays) == ("overdue_5", Action.URGE_NOTICE, 5)
    ev = evaluate(facts(last_progress=date(2026, 10, 19)), date(2026, 10, 20), CAL)
    (d,) = ev.due_now
    assert (d.stage, d.action, d.urgent) == ("overdue_10", Action.ACCOUNTABILITY, True)
    assert Audience.MAYOR in d.audience


def test_s5_1_a_late_look_sends_only_the_latest_rung():
    ev = evaluate(facts(last_progress=date(2026, 10, 19)), date(2026, 10, 21), CAL)
    assert stages(ev) == [("deadline", "overdue_10")]


def test_s5_1_closed_claimed_and_suspended_matters_need_no_look():
    ev = evaluate(facts(running=False), date(2026, 10, 21), CAL)
    assert ev.due_now == () and ev.next_check is None


def test_s5_1_no_due_date_still_watches_inaction():
    ev = evaluate(facts(due=None, last_progress=date(2026, 9, 1)), date(2026, 9, 15), CAL)
    assert stages(ev) == [("inaction", "no_update")]
    assert ev.due_now[0].deadline == CAL.add_workdays(date(2026, 9, 1), 10)


def test_s5_1_inaction_fires_once_per_silent_period():
    last = date(2026, 6, 1)
    tenth = CAL.add_workdays(last, 10)
    before = evaluate(facts(last_progress=last), CAL.add_workdays(last, 9), CAL)
    assert ("inaction", "no_update") not in stages(before) and before.next_check == tenth
    on = evaluate(facts(last_progress=last), tenth, CAL)
    later = evaluate(facts(last_progress=last), CAL.add_workdays(last, 13), CAL)
    (a,) = [d for d in on.due_now if d.kind == Kind.INACTION]
    (b,) = [d for d in later.due_now if d.kind == Kind.INACTION]
    assert a.deadline == b.deadline == tenth  # same key: stored once
    twentieth = evaluate(facts(last_progress=last), CAL.add_workdays(last, 20), CAL)
    (c,) = [d for d in twentieth.due_now if d.kind == Kind.INACTION]
    assert c.deadline == CAL.add_workdays(last, 20) and c.workdays == 20


def test_s5_1_progress_behind_elapsed_working_time_is_found_at_checkpoints():
    start, due = date(2026, 3, 2), date(2026, 12, 31)
    half = checkpoint_date(CAL, start, due, 0.5)
    assert CAL.workdays_in(start, half) / CAL.workdays_in(start, due) >= 0.5
    assert CAL.workdays_in(start, CAL.add_workdays(half, -1)) / CAL.workdays_in(start, due) < 0.5
    behind = evaluate(facts(start=start, due=due, progress=30, last_progress=half), half, CAL)
    assert ("behind", "behind_50") in stages(behind)
    on_track = evaluate(facts(start=start, due=due, progress=55, last_progress=half), half, CAL)
    assert not [d for d in on_track.due_now if d.kind == Kind.BEHIND]


def test_s1_4_slow_co_unit_parts_propose_letters():
    part_due = date(2026, 6, 30)
    overdue = CoPartFacts(7, part_due, False, date(2026, 6, 29))
    ev = evaluate(facts(last_progress=date(2026, 7, 6), co_parts=(overdue,)), date(2026, 7, 7), CAL)
    (d,) = [d for d in ev.due_now if d.kind == Kind.CO_UNIT]
    assert (d.letter_reason, d.co_part_id, d.deadline, d.workdays) == (LetterReason.OVERDUE, 7, part_due, 5)
    assert d.stage == "overdue@7"
    silent = CoPartFacts(8, date(2026, 12, 1), False, date(2026, 6, 1))
    ev = evaluate(facts(last_progress=date(2026, 7, 6), co_parts=(silent,)), date(2026, 7, 7), CAL)
    (d,) = [d for d in ev.due_now if d.kind == Kind.CO_UNIT]
    assert d.letter_reason == LetterReason.NO_UPDATE and d.deadline == CAL.add_workdays(date(2026, 6, 1), 20)
    done = CoPartFacts(9, part_due, True, None)
    ev = evaluate(facts(last_progress=date(2026, 7, 6), co_parts=(done,)), date(2026, 7, 7), CAL)
    assert not [d for d in ev.due_now if d.kind == Kind.CO_UNIT]


def test_s5_1_a_moved_deadline_gives_fresh_keys():
    before = evaluate(facts(last_progress=DUE), date(2026, 10, 8), CAL)
    moved = evaluate(facts(due=date(2026, 10, 9), last_progress=date(2026, 10, 9)), date(2026, 10, 12), CAL)
    assert before.due_now[0].deadline == DUE and moved.due_now[0].deadline == date(2026, 10, 9)


def test_s5_1_uncovered_year_looks_again_tomorrow():
    ev = evaluate(facts(due=date(2026, 12, 30), last_progress=date(2026, 12, 20)), date(2026, 12, 28), CAL)
    assert ev.uncovered and ev.next_check == date(2026, 12, 29)


def test_ladder_validation_names_each_problem():
    bad = [Rung("a", 0, frozenset()), Rung("a", 0, frozenset({Audience.MAYOR}))]
    problems = validate_ladder(bad)
    assert "梯级代码重复。" in problems and "两个梯级的触发日相同。" in problems
    assert "梯级 a 没有提醒对象。" in problems
    assert validate_ladder(DEFAULT_LADDER) == []
    with pytest.raises(ValueError):
        Policy(inaction_workdays=0)


@settings(max_examples=300, deadline=None)
@given(
    due=st.dates(date(2024, 2, 1), date(2026, 11, 30)),
    today=st.dates(date(2024, 1, 1), date(2026, 12, 15)),
    progress=st.integers(0, 100),
)
def test_s5_1_evaluation_is_pure_and_next_check_is_in_the_future(due, today, progress):
    f = facts(start=date(2024, 1, 2), due=due, progress=progress, last_progress=today)
    a, b = evaluate(f, today, CAL), evaluate(f, today, CAL)
    assert a == b
    assert a.next_check is None or a.next_check > today
    keys = [(d.kind, d.stage, d.deadline) for d in a.due_now]
    assert len(keys) == len(set(keys))
    # Nothing is due before its rung's date.
    for d in a.due_now:
        if d.kind == Kind.DEADLINE:
            offset = next(r.offset for r in DEFAULT_LADDER if r.code == d.stage)
            assert rung_date(CAL, due, offset) <= today
