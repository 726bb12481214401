"""S2.4 ledger year: 年初建账, 6月查账 (时间过半、任务过半), 9月对账, 年底交账."""

from __future__ import annotations

from datetime import date

import pytest
from cn_calendar_source import cn_calendar

from ducha.rules.ledger import LedgerPhase, behind_schedule, ledger_phases, phase_open
from ducha.rules.workdays import UncoveredYear, elapsed_share

CAL = cn_calendar()


def test_phases_2026() -> None:
    # 2026 notice: 元旦 1月1日至3日放假，1月4日（周日）上班 -- the ledger year opens on a Sunday.
    # 31 January 2026 is a Saturday, so the build phase is due on Friday 30 January.
    assert ledger_phases(CAL, 2026) == [
        LedgerPhase("build", "年初建账", date(2026, 1, 4), date(2026, 1, 30)),
        LedgerPhase("june_check", "6月查账", date(2026, 6, 1), date(2026, 6, 30)),
        LedgerPhase("september_reconciliation", "9月对账", date(2026, 9, 1), date(2026, 9, 30)),
        # The close cannot be undone: it opens on the first of the year's last 5 working days.
        LedgerPhase("year_end_close", "年底交账", date(2026, 12, 25), date(2026, 12, 31)),
    ]


def test_phases_2025_due_days_skip_weekends() -> None:
    # 2025 notice: 元旦 1月1日放假; 1 June 2025 falls inside 端午 (5月31日至6月2日放假).
    phases = {p.key: p for p in ledger_phases(CAL, 2025)}
    assert phases["build"].opens == date(2025, 1, 2)
    assert phases["june_check"].opens == date(2025, 6, 3)
    assert phases["june_check"].due == date(2025, 6, 30)
    assert phases["september_reconciliation"].due == date(2025, 9, 30)
    assert phases["year_end_close"].due == date(2025, 12, 31)


def test_uncovered_year_has_no_phases() -> None:
    with pytest.raises(UncoveredYear) as info:
        ledger_phases(CAL, 2027)
    assert info.value.year == 2027


def test_phase_open_is_inclusive() -> None:
    june = ledger_phases(CAL, 2026)[1]
    assert not phase_open(june, date(2026, 5, 31))
    assert phase_open(june, date(2026, 6, 1))
    assert phase_open(june, date(2026, 6, 30))
    assert not phase_open(june, date(2026, 7, 1))


def test_time_half_task_half_at_june_check() -> None:
    # By 30 June 2026 a little under half of the year's working days have passed (春节 and
    # 劳动节 fall in the first half, 国庆 in the second).
    share = elapsed_share(CAL, date(2026, 1, 1), date(2026, 12, 31), date(2026, 6, 30))
    assert 0.45 < share < 0.55
    assert behind_schedule(0.45, share)
    assert not behind_schedule(0.55, share)
    assert not behind_schedule(share, share)
    assert not behind_schedule(1.2, 1.0)  # over-fulfilment is allowed


@pytest.mark.parametrize(("progress", "elapsed"), [(-0.1, 0.5), (float("nan"), 0.5), (0.5, 1.5), (0.5, -0.1)])
def test_behind_schedule_rejects_impossible_shares(progress: float, elapsed: float) -> None:
    with pytest.raises(ValueError, match="share"):
        behind_schedule(progress, elapsed)


def test_elapsed_share_edges() -> None:
    start, end = date(2026, 10, 1), date(2026, 10, 31)
    assert elapsed_share(CAL, start, end, date(2026, 9, 30)) == 0.0
    assert elapsed_share(CAL, start, end, date(2026, 10, 7)) == 0.0  # 国庆: no working day yet
    assert elapsed_share(CAL, start, end, date(2026, 10, 9)) == pytest.approx(2 / 18)
    assert elapsed_share(CAL, start, end, date(2027, 3, 1)) == 1.0  # clamped before 2027 is asked
    holiday_only = (date(2026, 10, 1), date(2026, 10, 7))
    assert elapsed_share(CAL, *holiday_only, date(2026, 10, 3)) == 0.0
    assert elapsed_share(CAL, *holiday_only, date(2026, 10, 7)) == 1.0
    with pytest.raises(ValueError, match="before it starts"):
        elapsed_share(CAL, end, start, end)
