"""S1.15 televised questioning (电视问政): an issue exposed on the programme becomes a supervised
matter with a deadline to solve it, and is followed like any other: it cannot be entered
without its deadline, it runs against it, and it turns red the day after."""

from __future__ import annotations

from datetime import date

import pytest

from ducha.matters.actions import MatterError, do_create_matter, do_transition_matter
from ducha.matters.models import Matter, Source, Status
from ducha.matters.overview import signal_for
from ducha.matters.summary import summarise
from ducha.workcal.service import get_calendar
from tests.test_matters_lifecycle import matter_input

ISSUE = dict(source=Source.TV_QUESTIONING, title="电视问政：农贸市场环境脏乱问题", goal="限期解决曝光问题",
             target_quantity=None, qualitative_standard="问题整改到位、群众满意", projects="", standard="",
             milestones=0, start_date=date(2026, 7, 1))


def test_s1_15_a_televised_issue_needs_its_deadline(city):
    with pytest.raises(MatterError) as e:
        do_create_matter(actor=city.alice, data=matter_input(city, **ISSUE, due_date=None))
    assert "due_date" in e.value.errors


def test_s1_15_a_televised_issue_is_supervised_against_its_deadline(city, clock):
    clock.set(date(2026, 10, 30))
    m = do_create_matter(actor=city.alice, data=matter_input(city, **ISSUE, due_date=date(2026, 10, 30)),
                         today=date(2026, 7, 1))
    assert do_transition_matter(actor=city.alice, matter_id=m.id, action="assign",
                                today=date(2026, 7, 1)).status == Status.ASSIGNED
    cal = get_calendar()
    m.refresh_from_db()
    on_the_day = signal_for(status=m.status, start=m.start_date, due=m.due_date, progress=50,
                            today=date(2026, 10, 30), cal=cal)
    day_after = signal_for(status=m.status, start=m.start_date, due=m.due_date, progress=50,
                           today=date(2026, 10, 31), cal=cal)
    assert (on_the_day.key, day_after.key) == ("yellow", "red")
    summary = summarise(Matter.objects.filter(source=Source.TV_QUESTIONING), today=date(2026, 11, 2), cal=cal)
    assert [r.id for r in summary.overdue] == [m.id] and summary.lights.red == 1
