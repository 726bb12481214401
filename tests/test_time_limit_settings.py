"""Time limits of the seed that are readings, not constants (issue #11 item 22): the S1.13
limit of a request one department handles (3 working days) and the S1.4 threshold from which
a co-unit's part counts as overdue (1 working day past its due date) are settings."""

from __future__ import annotations

from datetime import date

from ducha.letters.facts import part_facts
from ducha.workcal import service
from tests.reminders_helpers import running_matter


def test_item_22_one_department_limit_S1_13_is_a_setting(db, settings):
    # Received Friday 2014-09-26: Sunday 28 September was a make-up working day.
    assert service.handling_due(date(2014, 9, 26), 1) == date(2014, 9, 30)
    settings.DUCHA_ONE_DEPARTMENT_DAYS = 2
    assert service.handling_due(date(2014, 9, 26), 1) == date(2014, 9, 29)
    assert service.handling_workdays(1) == 2
    assert service.create_handling_deadline(date(2014, 9, 26), 1).due_date == date(2014, 9, 29)
    assert service.handling_due(date(2014, 9, 26), 2) == date(2014, 10, 9)  # several: still "one week"


def test_item_22_co_unit_overdue_threshold_S1_4_is_a_setting(city, settings):
    # The co-unit's part was due Friday 2026-06-05; Monday 06-08 is the first working day after it.
    m = running_matter(city, due=date(2026, 12, 31), co_units=[("czj", date(2026, 6, 5))])
    part = m.co_parts.get()
    part.last_progress_on = date(2026, 6, 5)
    cal = service.get_calendar()
    assert part_facts(part, m, date(2026, 6, 8), cal).reasons == ["overdue"]
    settings.DUCHA_CO_UNIT_OVERDUE_WORKDAYS = 3
    assert part_facts(part, m, date(2026, 6, 9), cal).reasons == []
    assert part_facts(part, m, date(2026, 6, 10), cal).reasons == ["overdue"]
