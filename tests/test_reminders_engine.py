"""S5.1 reminders and escalation, S1.4 slow co-units: the scan, end to end on the real
database with the personas. alice is the supervision office, ursula the administrator
(liaison) of fgw, the lead unit; victor the vice mayor whose portfolio holds fgw."""

from __future__ import annotations

import json
from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ducha.inbox.models import Notification
from ducha.matters import schedule
from ducha.matters.actions import do_decide_extension, do_request_extension, do_transition_matter
from ducha.matters.models import Matter, MatterCheck
from ducha.reminders import engine, outbox
from ducha.reminders.models import (
    AccountabilityProposal,
    EscalationRung,
    LetterProposal,
    OutboxMessage,
    Reminder,
    UrgeNotice,
)
from tests.reminders_helpers import at, check_time, in_charge_leader, reference_data, running_matter  # noqa: F401

pytestmark = pytest.mark.usefixtures("reference_data")
DUE = date(2026, 9, 30)
OVERDUE_1 = date(2026, 10, 8)  # the first working day after the National Day holiday


def scan(today: date, hour: int = 9):
    return engine.scan(now=at(today, hour), today=today)


def test_s5_1_overdue_matter_reaches_lead_unit_and_vice_mayor_once(city):
    m = running_matter(city, due=DUE)
    first = scan(OVERDUE_1)
    assert first.swept == 1 and first.reminders_created == 1
    r = Reminder.objects.get()
    assert (r.matter_id, r.kind, r.stage, r.deadline, r.light) == (m.id, "deadline", "overdue_1", DUE, "red")
    assert "逾期" in r.title or "Overdue" in r.title
    outbox.deliver(now=at(OVERDUE_1))
    assert set(Notification.objects.values_list("user__username", flat=True)) == {"ursula", "victor"}
    # The matter's next look is the next rung, at the start of that working day.
    assert check_time(m) == at(date(2026, 10, 13), 8).replace(minute=30)
    # A second pass, the same day or after a forced re-look, creates nothing.
    assert scan(OVERDUE_1).reminders_created == 0
    engine.reschedule_matter(m.id, now=at(OVERDUE_1, 10))
    again = scan(OVERDUE_1, 10)
    assert again.matters_checked == 1 and again.reminders_created == 0
    assert Reminder.objects.count() == 1 and Notification.objects.count() == 2


def test_s5_1_ladder_escalates_to_supervision_office_and_mayor_with_records(city):
    ivan = in_charge_leader(city)
    m = running_matter(city, due=DUE, last_progress=date(2026, 10, 19))
    scan(DUE)
    assert Reminder.objects.get().stage == "due"
    scan(date(2026, 10, 13))
    urge = UrgeNotice.objects.get()
    assert (urge.matter_id, urge.deadline, urge.issued_on) == (m.id, DUE, date(2026, 10, 13))
    scan(date(2026, 10, 20))
    proposal = AccountabilityProposal.objects.get()
    assert proposal.matter_id == m.id and "10" in proposal.reason
    outbox.deliver(now=at(date(2026, 10, 20)))
    by_stage = {}
    for stage, user in Notification.objects.values_list("reminder__stage", "user__username"):
        by_stage.setdefault(stage, set()).add(user)
    assert by_stage["due"] == {"ursula", ivan.username}
    assert by_stage["overdue_5"] == {"ursula", "ivan", "alice"}
    assert by_stage["overdue_10"] == {"ursula", "victor", "alice", "mayor"}
    # The in-charge leader has a mobile number: SMS by default (the 10-day rung is urgent).
    assert OutboxMessage.objects.filter(channel="sms", user=ivan).count() == 2


def test_s5_1_extension_moves_the_deadline_and_earns_fresh_reminders(city):
    m = running_matter(city, due=DUE)
    scan(OVERDUE_1)
    do_transition_matter(actor=city.ursula, matter_id=m.id, action="start")
    req = do_request_extension(actor=city.ursula, matter_id=m.id, requested_due=date(2026, 10, 9), reason="资金未到位")
    do_decide_extension(actor=city.alice, request_id=req.id, approve=True)
    engine.reschedule_matter(m.id, now=at(date(2026, 10, 9)))  # what ducha.matters.actions calls on approval
    scan(date(2026, 10, 9), 10)
    assert list(Reminder.objects.order_by("id").values_list("stage", "deadline")) == [
        ("overdue_1", DUE), ("due", date(2026, 10, 9))]


def test_s5_1_suspended_and_closed_matters_leave_the_index(city):
    m = running_matter(city, due=DUE)
    scan(date(2026, 9, 1))
    m.refresh_from_db()
    assert m.check_scheduled and check_time(m) is not None
    do_transition_matter(actor=city.alice, matter_id=m.id, action="suspend", reason="上级暂缓")
    engine.reschedule_matter(m.id, now=at(date(2026, 9, 2)))
    scan(date(2026, 9, 2))
    m.refresh_from_db()
    assert not m.check_scheduled and check_time(m) is None
    assert scan(date(2026, 9, 2), 10).swept == 0  # suspended: nothing to sweep
    do_transition_matter(actor=city.alice, matter_id=m.id, action="resume", reason="恢复")
    resumed = scan(date(2026, 9, 3))
    assert resumed.swept == 1 and resumed.matters_checked == 1  # running again: the sweep finds it without a hook
    m.refresh_from_db()
    assert m.check_scheduled and check_time(m) > at(date(2026, 9, 3))
    assert scan(date(2026, 9, 3), 10).swept == 0


def test_s5_1_matters_written_straight_to_the_table_are_found_and_deleting_cascades(city):
    """A ledger import or any bulk path writes matters without a check row: the sweep finds
    the running ones; a draft waits until it is assigned."""
    base = dict(year=2026, title="导入事项", source="key_work", goal="g", lead_unit=city.units["fgw"],
                responsible_leader=city.victor, start_date=date(2026, 3, 2), due_date=DUE,
                last_progress_on=DUE, progress=100, created_by=city.alice)
    running = Matter.objects.create(number="IMP-1", status="in_progress", **base)
    draft = Matter.objects.create(number="IMP-2", status="draft", **base)
    first = scan(OVERDUE_1)
    assert (first.swept, first.reminders_created) == (1, 1)
    assert Reminder.objects.get().matter_id == running.id
    assert check_time(running) > at(OVERDUE_1) and check_time(draft) is None
    running.delete()
    assert not MatterCheck.objects.exists() and not Reminder.objects.exists()
    assert draft.pk is not None


def test_s1_4_slow_co_unit_gives_one_letter_proposal_and_tells_the_lead_unit(city):
    m = running_matter(city, due=DUE, co_units=[("czj", date(2026, 6, 30))], last_progress=date(2026, 7, 6))
    part = m.co_parts.get()
    part.last_progress_on = date(2026, 6, 29)
    part.save()
    scan(date(2026, 7, 7))
    scan(date(2026, 7, 8))
    letter = LetterProposal.objects.get()
    assert (letter.matter_id, letter.from_unit.code, letter.to_unit.code, letter.reason, letter.due_date) == (
        m.id, "fgw", "czj", "overdue", date(2026, 6, 30))
    r = Reminder.objects.get(kind="co_unit")
    assert r.co_part_id == part.id and "czj" not in r.body and "财政" in r.body
    outbox.deliver(now=at(date(2026, 7, 8)))
    assert list(Notification.objects.values_list("user__username", flat=True)) == ["ursula"]


def test_s5_1_queries_grow_with_batches_not_rows(city):
    for i in range(3):
        running_matter(city, due=DUE, title=f"事项{i}")
    with CaptureQueriesContext(connection) as small:
        assert scan(OVERDUE_1).reminders_created == 3
    for i in range(30):
        running_matter(city, due=DUE, title=f"事项B{i}")
    with CaptureQueriesContext(connection) as large:
        assert scan(OVERDUE_1).reminders_created == 30
    assert len(large.captured_queries) <= len(small.captured_queries) + 1  # +1: SQLite groups next-check updates


def test_s5_1_administrator_ladder_is_what_the_scan_applies(city):
    EscalationRung.objects.filter(code="overdue_1").update(is_active=False)
    running_matter(city, due=DUE)
    scan(OVERDUE_1)
    assert Reminder.objects.get().stage == "due"  # the latest active rung passed


def test_s5_1_worker_once_json_prints_one_line(city, clock):
    running_matter(city, due=DUE)
    out = StringIO()
    clock.set(OVERDUE_1)
    call_command("worker", "--once", "--json", stdout=out)
    lines = out.getvalue().strip().splitlines()
    assert len(lines) == 1
    figures = json.loads(lines[0])
    assert figures["reminders_created"] == 1 and figures["deliveries_sent"] == 2


def test_worker_rejects_bad_arguments_with_exit_2(city):
    from django.core.management.base import CommandError

    for args in (["--interval", "0"], ["--json"], ["--batch", "0"]):
        with pytest.raises(CommandError) as e:
            call_command("worker", *args)
        assert e.value.returncode == 2


def test_s5_1_claim_uses_the_partial_index(city):
    qs = engine.claim_queryset(at(OVERDUE_1), 500)
    if connection.vendor == "sqlite":
        plan = qs.explain()
        assert "matter_next_check" in plan, plan
        assert "matter_unscheduled" in schedule.unscheduled_running().explain()
    else:
        # Enough rows that the planner prefers the index on its own merits.
        from tests.reminders_helpers import bulk_running_matters

        bulk_running_matters(city, 3000, due=DUE, last_progress=OVERDUE_1, next_check=at(date(2026, 12, 1)))
        with connection.cursor() as cur:
            cur.execute("ANALYZE matters_mattercheck")
            cur.execute("ANALYZE matters_matter")
        from django.db import transaction

        with transaction.atomic():
            plan = qs.explain()
        assert "matter_next_check" in plan, plan
        plan = schedule.unscheduled_running().explain()
        assert "matter_unscheduled" in plan, plan
    Matter.objects.all().delete()


def test_s5_1_texts_survive_the_set_based_insert_unchanged(city):
    nasty = 'a"b\\c{d},e\n"NULL" 中文 \'引号\''
    m = running_matter(city, due=DUE, title=nasty)
    scan(OVERDUE_1)
    r = Reminder.objects.get()
    assert nasty in r.title and nasty in r.body and r.matter_id == m.id
    assert r.audience == "lead_unit,unit_in_charge,vice_mayor"
    assert Notification.objects.filter(reminder=r, title=r.title, body=r.body).count() == 2


# -- issue #11 item 4: one matter that raises must not stall the queue --------------------------

def _break_start_date(m: Matter) -> None:
    """The matter's start date lost, as a damaged restore or a raw import leaves it. SQLite keeps
    any text in a date column (read back as None); PostgreSQL needs the NOT NULL lifted first (the
    test's transaction puts it back)."""
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no deferred checks pending on the table to alter
            cur.execute("ALTER TABLE matters_matter ALTER COLUMN start_date DROP NOT NULL")
            cur.execute("UPDATE matters_matter SET start_date = NULL WHERE id = %s", [m.id])
        else:
            cur.execute("UPDATE matters_matter SET start_date = 'unknown' WHERE id = %s", [m.id])


def _refuse_reminders_of(m: Matter) -> None:
    """The database refuses every reminder of ``m`` (a trigger), as it would refuse a value it cannot store."""
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("CREATE FUNCTION refuse_reminder() RETURNS trigger AS $$ BEGIN "
                        f"IF NEW.matter_id = {m.id} THEN RAISE check_violation USING MESSAGE = 'refused'; END IF; "
                        "RETURN NEW; END $$ LANGUAGE plpgsql")
            cur.execute("CREATE TRIGGER refuse BEFORE INSERT ON reminders_reminder FOR EACH ROW "
                        "EXECUTE FUNCTION refuse_reminder()")
        else:
            cur.execute(f"CREATE TRIGGER refuse BEFORE INSERT ON reminders_reminder WHEN NEW.matter_id = {m.id} "
                        "BEGIN SELECT RAISE(ABORT, 'refused'); END")


def _three_due(city) -> tuple[Matter, Matter, Matter]:
    made = [running_matter(city, due=DUE, title=f"事项{i}") for i in range(3)]
    engine.sweep(at(OVERDUE_1, 8))  # one check time for the three: the broken one is not claimed last by luck
    return made[0], made[1], made[2]


def test_item_4_a_matter_with_broken_rule_data_is_set_aside_and_its_batch_goes_on(city, settings, caplog):
    """S5.1: the scan evaluates the others of the batch, logs the broken matter and looks at it again
    after DUCHA_SCAN_RETRY_SECONDS, doubling the delay while it stays broken; a repaired matter is
    reminded on its next look and its failure record goes."""
    from datetime import timedelta

    from ducha.reminders.models import ScanFailure

    settings.DUCHA_SCAN_RETRY_SECONDS = 300
    a, broken, c = _three_due(city)
    _break_start_date(broken)
    first = scan(OVERDUE_1)
    assert (first.batches, first.matters_checked, first.matters_failed) == (1, 2, 1)
    assert set(Reminder.objects.values_list("matter", flat=True)) == {a.id, c.id}
    assert check_time(broken) == at(OVERDUE_1) + timedelta(seconds=300)
    failure = ScanFailure.objects.get(matter=broken)
    assert failure.failures == 1 and "TypeError" in failure.error
    assert any(str(broken.id) in r.getMessage() and r.levelname == "ERROR" for r in caplog.records)
    # Not claimed again on every pass: the queue moves on.
    assert scan(OVERDUE_1, 9).matters_checked == 0
    later = at(OVERDUE_1) + timedelta(seconds=301)
    again = engine.scan(now=later, today=OVERDUE_1)
    assert again.matters_failed == 1 and check_time(broken) == later + timedelta(seconds=600)
    assert ScanFailure.objects.get(matter=broken).failures == 2
    # Repaired: an edit of a running matter asks for a look now.
    Matter.objects.filter(pk=broken.pk).update(start_date=date(2026, 3, 2))
    engine.reschedule_matter(broken.id, now=later)
    fixed = engine.scan(now=later, today=OVERDUE_1)
    assert (fixed.matters_checked, fixed.matters_failed, fixed.reminders_created) == (1, 0, 1)
    assert not ScanFailure.objects.exists()


def test_item_4_a_batch_the_database_refuses_is_retried_matter_by_matter(city, settings):
    """The database refuses one matter's reminder: the batch's transaction is lost, so its matters are
    looked at one by one; only the refused one is set aside."""
    from ducha.reminders.models import ScanFailure

    settings.DUCHA_SCAN_RETRY_SECONDS = 300
    a, refused, c = _three_due(city)
    _refuse_reminders_of(refused)
    stats = scan(OVERDUE_1)
    assert (stats.matters_checked, stats.matters_failed, stats.reminders_created) == (2, 1, 2)
    assert set(Reminder.objects.values_list("matter", flat=True)) == {a.id, c.id}
    assert Notification.objects.count() == 4  # the others' inbox rows, once each
    assert ScanFailure.objects.get().matter_id == refused.id
    assert check_time(refused) > at(OVERDUE_1) and scan(OVERDUE_1, 9).matters_checked == 0


@pytest.mark.skipif(connection.vendor != "sqlite", reason="PostgreSQL stores no impossible date")
def test_item_4_an_unreadable_row_does_not_stall_the_claim(city, settings):
    """A date the database holds but Python cannot read (SQLite keeps '2026-02-30') breaks reading the
    whole batch: the batch's matters are then claimed one by one and only that one is set aside."""
    from ducha.reminders.models import ScanFailure

    a, broken, c = _three_due(city)
    with connection.cursor() as cur:
        cur.execute("UPDATE matters_matter SET due_date = '2026-02-30' WHERE id = %s", [broken.id])
    stats = scan(OVERDUE_1)
    assert (stats.matters_checked, stats.matters_failed) == (2, 1)
    assert set(Reminder.objects.values_list("matter", flat=True)) == {a.id, c.id}
    assert "ValueError" in ScanFailure.objects.get(matter=broken).error
    assert scan(OVERDUE_1, 9).matters_checked == 0
