"""S2.4 6月查账 and 9月对账 judged as of their cut-off day (ducha.rules.ledger_check), the
year-end close's opening day and who runs which phase (ducha.rules.ledger)."""

from __future__ import annotations

from datetime import date

import pytest
from cn_calendar_source import cn_calendar

from ducha.rules.ledger import close_opens, ledger_phases, parse_phase_runners
from ducha.rules.ledger_check import (
    MatterAtCutoff,
    MonthDay,
    TimeNode,
    judge,
    judged_as_of,
    missed_time_nodes,
    parse_month_day,
)
from ducha.rules.workdays import elapsed_share

CAL = cn_calendar()
JUNE_30 = date(2026, 6, 30)
SEPT_30 = date(2026, 9, 30)
YEAR = (date(2026, 1, 5), date(2026, 12, 31))


def running(progress: int, *, start: date = YEAR[0], due: date | None = YEAR[1], status: str | None = "in_progress",
            nodes: tuple[TimeNode, ...] = ()) -> MatterAtCutoff:
    return MatterAtCutoff(1, status, start, due, progress, nodes)


def test_s2_4_a_late_run_judges_as_of_the_cut_off() -> None:
    assert judged_as_of(JUNE_30, date(2026, 12, 7)) == JUNE_30
    assert judged_as_of(JUNE_30, JUNE_30) == JUNE_30
    assert judged_as_of(JUNE_30, date(2026, 6, 15)) == date(2026, 6, 15)  # early: nothing later exists yet


def test_s2_4_june_judges_the_share_at_the_cut_off_not_the_run_day() -> None:
    share = elapsed_share(CAL, *YEAR, JUNE_30)
    assert 0.45 < share < 0.55  # in December it would be 0.9 and more
    j = judge(CAL, running(50), JUNE_30, count_time_nodes=False)
    assert j.judged and not j.flagged and j.elapsed == share
    j = judge(CAL, running(40), JUNE_30, count_time_nodes=False)
    assert j.reasons == ("behind_share",) and j.progress == 40


@pytest.mark.parametrize(("facts", "skip"), [
    (running(0, start=date(2026, 7, 1)), "started_after_cutoff"),
    (running(0, due=None), "no_due_date"),
    (running(0, status="draft"), "not_running"),
    (running(0, status=None), "not_running"),  # not in the system yet on the cut-off day
    (running(0, status="claimed"), "not_running"),
    (running(0, status="closed"), "not_running"),
    (running(0, status="suspended"), "not_running"),
])
def test_s2_4_what_is_not_judged(facts: MatterAtCutoff, skip: str) -> None:
    j = judge(CAL, facts, JUNE_30, count_time_nodes=True)
    assert j.skipped == skip and not j.judged and not j.flagged


def test_s2_4_a_matter_starting_on_the_cut_off_day_is_judged() -> None:
    j = judge(CAL, running(0, start=JUNE_30, due=date(2026, 7, 31)), JUNE_30, count_time_nodes=False)
    assert j.judged and j.flagged  # one working day of 23 has passed and nothing is recorded


def test_s2_4_an_uncovered_year_is_named() -> None:
    j = judge(CAL, running(10, start=date(2026, 12, 1), due=date(2027, 3, 1)), date(2027, 2, 1),
              count_time_nodes=False)
    assert j.skipped == "uncovered_year" and j.uncovered_year == 2027


def test_s2_4_september_counts_missed_time_nodes() -> None:
    nodes = (
        TimeNode("方案批复", date(2026, 3, 31), done_on=date(2026, 3, 20)),  # done on time
        TimeNode("主体完工", date(2026, 8, 31)),  # missed
        TimeNode("设备进场", date(2026, 9, 15), done_on=date(2026, 10, 8)),  # done, but after the cut-off
        TimeNode("竣工验收", date(2026, 11, 30)),  # not yet due
    )
    ahead = running(90, nodes=nodes)
    j = judge(CAL, ahead, SEPT_30, count_time_nodes=True)
    assert j.reasons == ("missed_milestone",)
    assert [n.title for n in j.missed] == ["主体完工", "设备进场"]
    # The June check does not count time nodes (S2.4 names them for September only).
    assert not judge(CAL, ahead, JUNE_30, count_time_nodes=False).flagged
    both = judge(CAL, running(10, nodes=nodes), SEPT_30, count_time_nodes=True)
    assert both.reasons == ("behind_share", "missed_milestone")
    on_track = judge(CAL, running(90, nodes=nodes[:1] + nodes[3:]), SEPT_30, count_time_nodes=True)
    assert on_track.judged and not on_track.flagged


def test_s2_4_a_node_done_late_before_the_cut_off_counts_as_done() -> None:
    node = TimeNode("主体完工", date(2026, 8, 31), done_on=date(2026, 9, 10))
    assert missed_time_nodes((node,), SEPT_30) == ()
    assert missed_time_nodes((node,), date(2026, 9, 9)) == (node,)
    assert missed_time_nodes((node,), date(2026, 8, 30)) == ()  # not due yet


def test_s2_4_cut_off_days_are_month_and_day() -> None:
    assert parse_month_day("06-30") == MonthDay(6, 30) and str(MonthDay(9, 5)) == "09-05"
    assert parse_month_day(" 9-30 ").in_year(2026) == SEPT_30
    for bad in ("06/30", "0630", "13-01", "06-31", "02-29", ""):
        with pytest.raises(ValueError, match="MM-DD"):
            parse_month_day(bad)


def test_s2_4_close_opens_in_the_last_working_days() -> None:
    # 31 December 2026 is a Thursday: the last five working days are 25, 28, 29, 30, 31.
    assert close_opens(CAL, 2026, 5) == date(2026, 12, 25)
    assert close_opens(CAL, 2026, 1) == date(2026, 12, 31)
    assert close_opens(CAL, 2026, 40) == date(2026, 12, 1)  # never before December
    with pytest.raises(ValueError):
        close_opens(CAL, 2026, 0)
    phases = {p.key: p for p in ledger_phases(CAL, 2026)}
    assert (phases["year_end_close"].opens, phases["year_end_close"].due) == (date(2026, 12, 25), date(2026, 12, 31))
    assert {p.key: p for p in ledger_phases(CAL, 2026, close_last_workdays=1)}["year_end_close"].opens == date(
        2026, 12, 31)


def test_s2_4_phase_runners_override_the_defaults() -> None:
    defaults = {"build": ("supervision_office",), "june_check": ("general_office",)}
    assert parse_phase_runners("", defaults) == defaults
    got = parse_phase_runners(" june_check = general_office, supervision_office ; build=general_office", defaults)
    assert got == {"build": ("general_office",), "june_check": ("general_office", "supervision_office")}
    for bad, message in [("june=general_office", "PHASE one of"), ("june_check", "PHASE=ROLE"),
                         ("june_check=", "at least one role"), ("build=a;build=b", "twice")]:
        with pytest.raises(ValueError, match=message):
            parse_phase_runners(bad, defaults)
