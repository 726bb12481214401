"""S2.4 6月查账 and 9月对账 judged as of their own dates: a June check run in December flags
exactly what one run on 30 June flags, a matter started after the cut-off is not judged, and
the September reconciliation counts a missed time node and says so in the 督查通知.

fgw (sam) and czj (carl) and wancheng report monthly; gina (general office) runs the checks.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from docx import Document

from ducha.ledger.actions import do_build_ledger, do_check_ledger, do_reconcile_ledger
from ducha.ledger.models import LedgerCheckFlag, Phase
from ducha.ledger.notices import render_notice_files
from ducha.ledger.planning import plan_june_check, plan_reconciliation
from ducha.matters.actions import do_decide_extension, do_request_extension, do_transition_matter
from ducha.matters.models import Milestone
from ducha.org.models import User
from ducha.org.roles import Role
from ducha.reports.actions import ItemInput, do_save_report_item
from ducha.rules.workdays import elapsed_share
from ducha.workcal.service import get_calendar
from tests.test_ledger_phases import make_matter

SH = ZoneInfo("Asia/Shanghai")
JAN = date(2026, 1, 12)
JUNE_30 = date(2026, 6, 30)
DEC = date(2026, 12, 7)


def report(city, staff: User, matter, month: int, progress: int, today: date) -> None:
    do_save_report_item(actor=staff, unit_id=matter.lead_unit_id, year=2026, month=month, matter_id=matter.id,
                        data=ItemInput(progress=progress, done="按计划推进", next_steps="继续推进", lower_reason="按实际更正"), today=today)


def flag_set(plan) -> set[tuple[int, int, str, tuple[str, ...]]]:
    return {(f.matter_id, f.progress, str(f.elapsed), f.reasons) for f in plan.flags}


@pytest.fixture
def year(city, clock):
    """Matters of 2026 built in January, with report lines for May and June saved in June."""
    clock.set(JAN)
    wancheng_staff = User.objects.create_user(username="wendy", password="x", name="Wendy", role=Role.UNIT_STAFF,
                                              unit=city.units["wancheng"])
    m = {
        "behind": make_matter(city, "fgw", title="供热管网改造"),
        "on_track": make_matter(city, "czj", title="债务风险化解"),
        "closed_later": make_matter(city, "fgw", title="营商环境整改"),
        "extended_later": make_matter(city, "wancheng", due=date(2026, 7, 31), title="老旧小区改造"),
        "starts_in_july": make_matter(city, "czj", start=date(2026, 7, 6), title="下半年新开工项目"),
    }
    do_build_ledger(actor=city.alice, year=2026, today=JAN)
    staff = {"fgw": city.sam, "czj": city.carl, "wancheng": wancheng_staff}
    clock.set(date(2026, 6, 29))
    for key, (may, june) in {"behind": (30, 35), "on_track": (50, 55), "closed_later": (20, 25),
                             "extended_later": (60, 70)}.items():
        matter = m[key]
        unit = matter.lead_unit.code
        report(city, staff[unit], matter, 5, may, date(2026, 6, 29))
        report(city, staff[unit], matter, 6, june, date(2026, 6, 29))  # the June report, still a draft
    m["staff"] = staff
    return m


def test_s2_4_june_check_run_in_december_flags_what_30_june_flagged(city, year, clock):
    clock.set(datetime(2026, 6, 30, 17, 0, tzinfo=SH), tick=False)
    on_time = plan_june_check(2026, JUNE_30)
    assert on_time.as_of == JUNE_30 and on_time.cutoff == JUNE_30
    expected = {year["behind"].id, year["closed_later"].id, year["extended_later"].id}
    assert {f.matter_id for f in on_time.flags} == expected
    share = elapsed_share(get_calendar(), date(2026, 1, 5), date(2026, 12, 31), JUNE_30)
    assert 0.45 < share < 0.5  # half the year, not December's 0.9
    by_id = {f.matter_id: f for f in on_time.flags}
    assert by_id[year["behind"].id].progress == 35 and by_id[year["behind"].id].month == "2026-06"

    # Everything that happens after 30 June: more progress, a closing, an extension, July reports,
    # a matter created and assigned in December minutes before the check.
    clock.set(date(2026, 7, 15))
    staff = year["staff"]
    report(city, staff["fgw"], year["behind"], 7, 80, date(2026, 8, 3))
    report(city, staff["czj"], year["on_track"], 7, 10, date(2026, 8, 3))  # corrected down later: not June's
    closed = year["closed_later"]
    do_transition_matter(actor=city.sam, matter_id=closed.id, action="claim", reason="完成", explanation="收尾不影响完成", today=date(2026, 8, 10))
    do_transition_matter(actor=city.alice, matter_id=closed.id, action="close", today=date(2026, 8, 12))
    ext = do_request_extension(actor=staff["wancheng"], matter_id=year["extended_later"].id,
                               requested_due=date(2026, 11, 30), reason="征迁推迟")
    do_decide_extension(actor=city.alice, request_id=ext.id, approve=True)
    clock.set(datetime(2026, 12, 7, 9, 0, tzinfo=SH), tick=False)
    fresh = make_matter(city, "fgw", start=date(2026, 3, 2), title="十二月补录事项")  # assigned just now
    clock.set(datetime(2026, 12, 7, 9, 5, tzinfo=SH), tick=False)

    late = plan_june_check(2026, DEC)
    assert late.as_of == JUNE_30 and late.late
    assert flag_set(late) == flag_set(on_time)
    assert fresh.id not in {f.matter_id for f in late.flags}
    assert late.counts == on_time.counts and late.digest != on_time.digest  # the run day is part of the digest

    do_check_ledger(actor=city.gina, year=2026, today=DEC, expected_digest=late.digest)
    flags = LedgerCheckFlag.objects.filter(phase=Phase.JUNE_CHECK)
    assert {(f.matter_id, f.progress, str(f.elapsed_share), tuple(f.reasons)) for f in flags} == flag_set(on_time)
    assert {f.judged_on for f in flags} == {JUNE_30} and {f.checked_on for f in flags} == {DEC}
    assert all(f.elapsed_share < Decimal("0.9") for f in flags if f.matter_id != year["extended_later"].id)
    demand = flags.get(matter=year["behind"]).rectification.demand
    assert "截至2026年06月30日" in demand and "完成进度35%" in demand


def test_s2_4_a_matter_started_after_the_cut_off_is_not_judged(city, year, clock):
    clock.set(DEC)
    plan = plan_june_check(2026, DEC)
    skipped = {s.matter_id: s for s in plan.skipped}
    assert skipped[year["starts_in_july"].id].code == "started_after_cutoff"
    assert year["starts_in_july"].id not in {f.matter_id for f in plan.flags}
    assert plan.counts["judged"] == 4 and plan.counts["skipped"] == 1


def test_s2_4_a_june_check_before_the_cut_off_judges_as_of_its_run_day(city, year, clock):
    clock.set(date(2026, 6, 15))
    plan = plan_june_check(2026, date(2026, 6, 15))
    assert plan.as_of == date(2026, 6, 15) and plan.cutoff == JUNE_30


def test_s2_4_cut_off_is_a_setting(city, year, clock, settings):
    settings.DUCHA_LEDGER_JUNE_CUTOFF = (6, 20)
    clock.set(DEC)
    plan = plan_june_check(2026, DEC)
    assert plan.as_of == date(2026, 6, 20)
    assert {f.elapsed for f in plan.flags} <= {
        Decimal(str(round(elapsed_share(get_calendar(), m.start_date, m.due_date, date(2026, 6, 20)), 4))).quantize(
            Decimal("0.0001"))
        for m in (year["behind"], year["closed_later"], year["extended_later"])}


def test_s2_4_september_flags_a_missed_time_node_and_the_notice_names_it(city, year, clock, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    clock.set(date(2026, 7, 1))
    do_check_ledger(actor=city.gina, year=2026, today=JUNE_30)
    ahead = year["on_track"]
    Milestone.objects.create(matter=ahead, title="完成债务清查", due_date=date(2026, 3, 31), done_on=date(2026, 3, 30))
    Milestone.objects.create(matter=ahead, title="化解方案报批", due_date=date(2026, 8, 31))
    Milestone.objects.create(matter=ahead, title="年度化解完成", due_date=date(2026, 12, 15))
    for month, progress in ((7, 75), (8, 85), (9, 90)):
        report(city, city.carl, ahead, month, progress, date(2026, 9, 30))
        report(city, city.sam, year["behind"], month, 40, date(2026, 9, 30))

    clock.set(date(2026, 10, 20))  # run after 国庆, judged as of 30 September
    plan = plan_reconciliation(2026, date(2026, 10, 20))
    assert plan.as_of == date(2026, 9, 30)
    flags = {f.matter_id: f for f in plan.flags}
    assert flags[ahead.id].reasons == ("missed_milestone",) and flags[ahead.id].progress == 90
    assert [n.title for n in flags[ahead.id].missed] == ["化解方案报批"]
    assert flags[year["behind"].id].reasons == ("behind_share",)

    notices = {n.unit.code: n for n in do_reconcile_ledger(actor=city.gina, year=2026, today=date(2026, 10, 20),
                                                           expected_digest=plan.digest, render=False)}
    flag = LedgerCheckFlag.objects.get(phase=Phase.RECONCILIATION, matter=ahead)
    assert flag.reasons == ["missed_milestone"] and flag.missed_milestones == [
        {"title": "化解方案报批", "due": "2026-08-31"}]
    assert "时间节点“化解方案报批”（08月31日）未按期完成" in flag.rectification.demand
    assert render_notice_files(notices["czj"]) and render_notice_files(notices["fgw"])
    def rows(notice):
        doc = Document(str(tmp_path / notice.docx_file.name))
        return doc, {r.cells[2].text: r.cells[-1].text for t in doc.tables for r in t.rows if len(r.cells) > 2}

    doc, czj = rows(notices["czj"])
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "未按时间节点和标准要求推进" in text and "截至2026年9月30日" in text
    assert czj["债务风险化解"] == "时间节点“化解方案报批”（8月31日）未完成"
    assert czj["下半年新开工项目"] == "完成进度低于时间进度"  # started 6 July, nothing reported by 30 September
    assert rows(notices["fgw"])[1]["供热管网改造"] == "完成进度低于时间进度"
