"""S2.4 the annual ledger: 年初建账, 6月查账 ("time half, task half"), 9月对账 with numbered
督查通知, 年底交账 — on the small city of conftest with real 2026 dates.

alice (supervision office) builds and closes the year; gina (general office) runs the June
check and the September reconciliation, as the seed has it; fgw (sam, ursula) and czj
(carl) are the units whose matters fall behind; victor is the responsible vice mayor.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from docx import Document

from ducha.audit.models import AuditEvent
from ducha.documents.models import DocumentSequence
from ducha.inbox.models import Notification
from ducha.ledger.actions import (
    LedgerError,
    PlanChanged,
    do_build_ledger,
    do_check_ledger,
    do_close_ledger,
    do_read_notice,
    do_reconcile_ledger,
)
from ducha.ledger.models import LedgerCheckFlag, LedgerEvent, LedgerYear, Phase, SupervisionNotice
from ducha.ledger.planning import plan_june_check, plan_reconciliation
from ducha.ledger.snapshots import snapshot_lines
from ducha.matters.actions import MatterInput, do_create_matter, do_transition_matter
from ducha.matters.models import Matter, MatterEvent, Rectification, RectificationSource, Source, Status
from ducha.rules.ledger import behind_schedule
from ducha.rules.workdays import elapsed_share
from ducha.workcal.service import get_calendar

JAN = date(2026, 1, 12)
JUNE = date(2026, 6, 15)
SEPT = date(2026, 9, 15)
DEC = date(2026, 12, 28)  # the close opens on 25 December 2026, the first of the year's last 5 working days


def make_matter(city, unit="fgw", *, progress=0, start=date(2026, 1, 5), due=date(2026, 12, 31), assign=True,
                title="重点工作", **extra) -> Matter:
    data = MatterInput(
        title=title, source=Source.KEY_WORK, lead_unit_id=city.units[unit].id, responsible_leader_id=city.victor.id,
        start_date=start, due_date=due, goal="完成年度目标", target_quantity=Decimal("10"), target_unit="个",
        **{"projects": "重点项目库", "standard": "按期验收", "milestones": 1, **extra},  # S2.1 key-work fields
    )
    m = do_create_matter(actor=city.alice, data=data, today=start)
    if assign:
        do_transition_matter(actor=city.alice, matter_id=m.id, action="assign", today=start)
    Matter.objects.filter(pk=m.pk).update(progress=progress)
    m.refresh_from_db()
    return m


@pytest.fixture
def ledger(city, clock):
    """Four fgw and czj matters; the ledger built in January."""
    clock.set(JAN)
    matters = {
        "fgw_behind": make_matter(city, "fgw", progress=30, title="发改滞后"),
        "fgw_ok": make_matter(city, "fgw", progress=80, title="发改正常"),
        "czj_behind": make_matter(city, "czj", progress=10, title="财政滞后"),
        "draft": make_matter(city, "czj", progress=0, assign=False, title="草稿事项"),
    }
    do_build_ledger(actor=city.alice, year=2026, today=JAN)
    return matters


def test_s2_4_build_freezes_the_baseline(city, ledger):
    row = LedgerYear.objects.get(year=2026)
    assert row.built_by == city.alice and row.built_at is not None
    base = {m["number"]: m for m in snapshot_lines(2026, "baseline")}
    assert row.baseline == {"year": 2026, "taken_on": "2026-01-12", "count": 4}
    fgw = base[ledger["fgw_behind"].number]
    assert fgw["due_date"] == "2026-12-31" and fgw["target_quantity"] == "10.00" and fgw["lead_unit"] == "市发展和改革委员会"
    assert len(base) == 4
    event = LedgerEvent.objects.get(ledger_year=row, phase=Phase.BUILD)
    assert event.actor == city.alice and event.counts == {"matters": 4, "drafts": 1, "units": 2}
    audited = AuditEvent.objects.get(action="ledger.build")
    assert audited.username == "alice" and audited.obj_id == "2026" and audited.after == event.counts
    # A later change to a matter leaves the frozen baseline alone.
    Matter.objects.filter(pk=ledger["fgw_behind"].pk).update(due_date=date(2026, 11, 30))
    row.refresh_from_db()
    assert {m["number"]: m for m in snapshot_lines(2026, "baseline")}[ledger["fgw_behind"].number]["due_date"] == "2026-12-31"


def test_s2_4_build_cannot_run_twice(city, ledger):
    before = LedgerYear.objects.get(year=2026)
    with pytest.raises(LedgerError, match="已完成"):
        do_build_ledger(actor=city.alice, year=2026, today=date(2026, 1, 20))
    after = LedgerYear.objects.get(year=2026)
    assert after.built_at == before.built_at and after.baseline == before.baseline
    assert LedgerEvent.objects.filter(phase=Phase.BUILD).count() == 1


def test_s2_4_build_needs_matters_and_the_phase_window(city):
    with pytest.raises(LedgerError, match="尚无督办事项"):
        do_build_ledger(actor=city.alice, year=2026, today=JAN)
    make_matter(city)
    with pytest.raises(LedgerError, match="2026-01-04"):
        do_build_ledger(actor=city.alice, year=2026, today=date(2025, 12, 20))
    assert not LedgerYear.objects.exists()


def test_s2_4_phases_out_of_order_are_refused(city):
    make_matter(city, progress=10)
    with pytest.raises(LedgerError, match="尚未建账"):
        do_check_ledger(actor=city.gina, year=2026, today=JUNE)
    do_build_ledger(actor=city.alice, year=2026, today=JAN)
    with pytest.raises(LedgerError, match="须先完成6月查账"):
        do_reconcile_ledger(actor=city.gina, year=2026, today=SEPT)
    with pytest.raises(LedgerError, match="须先完成6月查账"):
        do_close_ledger(actor=city.alice, year=2026, today=DEC, confirm_year=2026)
    with pytest.raises(LedgerError, match="2026-06-01"):  # June check in March: the phase has not opened
        do_check_ledger(actor=city.gina, year=2026, today=date(2026, 3, 16))
    row = LedgerYear.objects.get(year=2026)
    assert row.done_phases() == {"build"}
    assert not Rectification.objects.exists() and not LedgerCheckFlag.objects.exists()


def test_s2_4_each_phase_is_run_by_the_office_the_seed_names(city, ledger, settings):
    """由市政府办公室组织 / 由市政府办公室核查: the general office runs June and September; the
    supervision office keeps reading them. The setting DUCHA_LEDGER_PHASE_RUNNERS moves a phase."""
    for persona in ("alice", "percy", "sam", "mayor", "sysop"):
        with pytest.raises(LedgerError, match="市政府办公室"):
            do_check_ledger(actor=city.people[persona], year=2026, today=JUNE)
    assert LedgerYear.objects.get(year=2026).june_checked_at is None
    with pytest.raises(LedgerError, match="督查室"):
        do_close_ledger(actor=city.gina, year=2026, today=DEC, confirm_year=2026)
    settings.DUCHA_LEDGER_PHASE_RUNNERS = {**settings.DUCHA_LEDGER_PHASE_RUNNERS,
                                           "june_check": ("supervision_office",)}
    with pytest.raises(LedgerError, match="督查室"):
        do_check_ledger(actor=city.gina, year=2026, today=JUNE)
    do_check_ledger(actor=city.alice, year=2026, today=JUNE)
    assert LedgerYear.objects.get(year=2026).june_checked_by == city.alice


def test_s2_4_june_flags_exactly_the_matters_below_elapsed_share(city, ledger):
    # Boundary: 1–12 June 2026 has 10 working days; on Friday 5 June half have passed.
    half = make_matter(city, "fgw", progress=50, start=date(2026, 6, 1), due=date(2026, 6, 12), title="恰好一半")
    below = make_matter(city, "czj", progress=49, start=date(2026, 6, 1), due=date(2026, 6, 12), title="差一点")
    claimed = make_matter(city, "fgw", progress=5, title="已申请销号")
    do_transition_matter(actor=city.sam, matter_id=claimed.id, action="claim", reason="完成", explanation="收尾不影响完成", today=date(2026, 5, 1))
    today = date(2026, 6, 5)
    cal = get_calendar()
    assert elapsed_share(cal, date(2026, 6, 1), date(2026, 6, 12), today) == 0.5
    expected = {
        m.id for m in Matter.objects.filter(year=2026, status__in=[Status.ASSIGNED, Status.IN_PROGRESS])
        if behind_schedule(m.progress / 100, elapsed_share(cal, m.start_date, m.due_date, today))
    }
    assert expected == {ledger["fgw_behind"].id, ledger["czj_behind"].id, below.id}

    do_check_ledger(actor=city.gina, year=2026, today=today)

    flags = LedgerCheckFlag.objects.filter(phase=Phase.JUNE_CHECK)
    assert set(flags.values_list("matter_id", flat=True)) == expected
    assert half.id not in set(flags.values_list("matter_id", flat=True))
    per_unit = {u: set(flags.filter(unit__code=u).values_list("matter_id", flat=True)) for u in ("fgw", "czj")}
    assert per_unit == {"fgw": {ledger["fgw_behind"].id}, "czj": {ledger["czj_behind"].id, below.id}}
    rect_due = cal.add_workdays(today, 20)
    rects = Rectification.objects.filter(source=RectificationSource.JUNE_CHECK)
    assert rects.count() == 3 and set(rects.values_list("due_date", flat=True)) == {rect_due}
    flag = flags.get(matter=below)
    assert flag.progress == 49 and flag.elapsed_share == Decimal("0.5000") and flag.rectification.unit.code == "czj"
    # Run on 5 June, before the 30 June cut-off: judged as of the run day.
    assert flag.judged_on == today and flag.reasons == ["behind_share"] and flag.progress_source == "record"
    assert MatterEvent.objects.filter(matter=below, action="ledger_june_check").exists()
    row = LedgerYear.objects.get(year=2026)
    assert row.june_checked_by == city.gina
    assert LedgerEvent.objects.get(phase=Phase.JUNE_CHECK).counts == {
        "judged": 5, "flagged": 3, "units": 2, "skipped": 0}

    with pytest.raises(LedgerError, match="已完成"):
        do_check_ledger(actor=city.gina, year=2026, today=today)
    assert LedgerCheckFlag.objects.count() == 3 and Rectification.objects.count() == 3


def test_s2_4_confirmation_must_match_the_preview(city, ledger):
    plan = plan_june_check(2026, JUNE)
    Matter.objects.filter(pk=ledger["fgw_behind"].pk).update(progress=31)  # a unit reports meanwhile
    with pytest.raises(PlanChanged):
        do_check_ledger(actor=city.gina, year=2026, today=JUNE, expected_digest=plan.digest)
    assert LedgerYear.objects.get(year=2026).june_checked_at is None
    fresh = plan_june_check(2026, JUNE)
    do_check_ledger(actor=city.gina, year=2026, today=JUNE, expected_digest=fresh.digest)


def test_s2_4_september_notices_numbered_consecutively_and_linked(city, ledger, settings, tmp_path,
                                                                 django_capture_on_commit_callbacks):
    settings.MEDIA_ROOT = tmp_path
    do_check_ledger(actor=city.gina, year=2026, today=JUNE)
    DocumentSequence.objects.create(prefix="宛督", year=2026, last=11)  # a bulletin already took 1–11
    plan = plan_reconciliation(2026, SEPT)
    assert plan.numbers == ["宛督〔2026〕12号", "宛督〔2026〕13号"]

    with django_capture_on_commit_callbacks(execute=True):
        notices = do_reconcile_ledger(actor=city.gina, year=2026, today=SEPT, expected_digest=plan.digest)

    assert [n.number for n in notices] == ["宛督〔2026〕12号", "宛督〔2026〕13号"]
    assert [n.unit.code for n in notices] == ["fgw", "czj"]
    assert DocumentSequence.objects.get(prefix="宛督", year=2026).last == 13
    fgw, czj = notices
    assert set(fgw.matters.values_list("id", flat=True)) == {ledger["fgw_behind"].id}
    assert set(czj.matters.values_list("id", flat=True)) == {ledger["czj_behind"].id}
    for notice in notices:
        flags = LedgerCheckFlag.objects.filter(notice=notice, phase=Phase.RECONCILIATION)
        assert set(flags.values_list("matter_id", flat=True)) == set(notice.matters.values_list("id", flat=True))
        assert all(f.rectification.source == RectificationSource.NOTICE for f in flags)
        assert notice.delivered_at is not None and notice.read_at is None
        assert notice.render_error == ""
        assert (tmp_path / notice.docx_file.name).stat().st_size > 0
        pdf = (tmp_path / notice.pdf_file.name).read_bytes()
        assert pdf.startswith(b"%PDF")
    text = "\n".join(p.text for p in Document(str(tmp_path / fgw.docx_file.name)).paragraphs)
    assert "宛督〔2026〕12号" in text and "市发展和改革委员会" in text
    # Delivered means in the unit's inbox: fgw's administrator ursula; czj has none, so its staff.
    inbox = {(n.user.username, n.title, n.light) for n in Notification.objects.select_related("user")}
    assert inbox == {("ursula", "督查通知 宛督〔2026〕12号", "red"), ("carl", "督查通知 宛督〔2026〕13号", "red")}
    with pytest.raises(LedgerError, match="已完成"):
        do_reconcile_ledger(actor=city.gina, year=2026, today=SEPT)
    assert SupervisionNotice.objects.count() == 2 and DocumentSequence.objects.get(prefix="宛督").last == 13


def test_s2_4_notice_read_by_the_unit_is_recorded_once(city, ledger, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    do_check_ledger(actor=city.gina, year=2026, today=JUNE)
    notice = do_reconcile_ledger(actor=city.gina, year=2026, today=SEPT, render=False)[0]
    do_read_notice(user=city.alice, notice=notice)
    assert SupervisionNotice.objects.get(pk=notice.pk).read_at is None  # the office's own look does not count
    do_read_notice(user=city.sam, notice=notice)
    first = SupervisionNotice.objects.get(pk=notice.pk)
    assert first.read_by == city.sam and first.read_at is not None
    do_read_notice(user=city.ursula, notice=notice)
    assert SupervisionNotice.objects.get(pk=notice.pk).read_by == city.sam


def test_s2_4_year_end_close_freezes_the_final_snapshot(city, ledger, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    do_check_ledger(actor=city.gina, year=2026, today=JUNE)
    do_reconcile_ledger(actor=city.gina, year=2026, today=SEPT, render=False)
    ok = ledger["fgw_ok"]
    do_transition_matter(actor=city.sam, matter_id=ok.id, action="claim", reason="完成", explanation="收尾不影响完成", today=date(2026, 11, 20))
    do_transition_matter(actor=city.alice, matter_id=ok.id, action="close", today=date(2026, 11, 23))
    row = do_close_ledger(actor=city.alice, year=2026, today=DEC, confirm_year=2026)
    final = {m["number"]: m for m in snapshot_lines(2026, "final")}
    assert row.final["count"] == 4
    assert final[ok.number]["ledger_status"] == "completed" and final[ok.number]["on_time"] is True
    behind = final[ledger["fgw_behind"].number]
    assert behind["june_flag"] and behind["september_flag"] and behind["notice"] == "宛督〔2026〕1号"
    assert behind["open_rectifications"] == 2
    assert row.final["counts"] == {"completed": 1, "in_progress": 2, "not_started": 1}
    assert row.final["outcomes"] == {"carry_over": 3} and behind["close_outcome"] == "carry_over"
    # Frozen: later changes do not reach the snapshot, and the phase cannot run again.
    Matter.objects.filter(pk=ok.pk).update(progress=0)
    with pytest.raises(LedgerError, match="已完成"):
        do_close_ledger(actor=city.alice, year=2026, today=date(2026, 12, 29), confirm_year=2026)
    assert LedgerYear.objects.get(year=2026).final == row.final
    assert {m["number"]: m for m in snapshot_lines(2026, "final")} == final


@pytest.mark.parametrize("runners", [{"june_check": ("unit_admin",)}, {"build": ("auditor",)}, {"build": ("nobody",)}])
def test_s2_4_phase_runners_must_be_city_offices(settings, runners):
    from django.apps import apps
    from django.core.exceptions import ImproperlyConfigured

    settings.DUCHA_LEDGER_PHASE_RUNNERS = {**settings.DUCHA_LEDGER_PHASE_RUNNERS, **runners}
    with pytest.raises(ImproperlyConfigured, match="DUCHA_LEDGER_PHASE_RUNNERS"):
        apps.get_app_config("ledger").ready()
