"""S2.4 rules added for the ledger app (ducha.rules.ledger): the order of the phases, which
matters the checks judge, and the 状态 column of the Excel ledger. Plain Python, no database."""

from __future__ import annotations

from datetime import date

import pytest

from ducha.rules.ledger import PHASE_ORDER, PhaseOrderError, check_phase_order, judged_in_check, ledger_status


def test_s2_4_phases_run_once_and_in_order() -> None:
    assert PHASE_ORDER == ("build", "june_check", "september_reconciliation", "year_end_close")
    check_phase_order("build", frozenset())
    check_phase_order("june_check", frozenset({"build"}))
    check_phase_order("year_end_close", frozenset({"build", "june_check", "september_reconciliation"}))
    with pytest.raises(PhaseOrderError, match="已完成"):
        check_phase_order("build", frozenset({"build"}))
    with pytest.raises(PhaseOrderError, match="须先完成年初建账"):
        check_phase_order("june_check", frozenset())
    with pytest.raises(PhaseOrderError, match="须先完成9月对账"):
        check_phase_order("year_end_close", frozenset({"build", "june_check"}))


def test_s2_4_only_running_matters_are_judged() -> None:
    assert [s for s in ("draft", "assigned", "in_progress", "claimed", "closed", "suspended") if judged_in_check(s)] == [
        "assigned", "in_progress"]


@pytest.mark.parametrize("status,progress,due,completed,expected", [
    ("closed", 100, date(2026, 6, 30), date(2026, 7, 5), "completed"),
    ("suspended", 40, date(2026, 6, 30), None, "suspended"),
    ("in_progress", 40, date(2026, 6, 30), None, "in_progress"),  # due today: not yet late
    ("in_progress", 40, date(2026, 6, 29), None, "overdue"),
    ("assigned", 0, date(2026, 12, 31), None, "not_started"),
    ("assigned", 10, date(2026, 12, 31), None, "in_progress"),
    ("draft", 0, None, None, "not_started"),
    ("claimed", 100, date(2026, 6, 29), date(2026, 6, 28), "in_progress"),  # claimed in time
    ("claimed", 100, date(2026, 6, 29), date(2026, 6, 30), "overdue"),  # claimed a day late
])
def test_s2_4_ledger_status_column(status: str, progress: int, due: date | None, completed: date | None,
                                   expected: str) -> None:
    assert ledger_status(status, progress=progress, due=due, completed_on=completed, today=date(2026, 6, 30)) == expected
