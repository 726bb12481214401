"""The audit trail (等保 §8.1.4.3, §8.1.5.4): every field on every row, secrets masked, an SM3
chain that names the first edited, inserted or deleted row, append-only on PostgreSQL,
linear under concurrent writers, and pruning that honours the retention period."""

from __future__ import annotations

import multiprocessing
from datetime import date, datetime, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, connections, transaction
from django.test import Client

from ducha.audit import chain
from ducha.audit.api import MASK, record
from ducha.audit.gm import SM3_ABC, sm3_hex
from ducha.audit.models import AuditAnchor, AuditEvent
from tests.conftest import PASSWORD


def fill(n: int = 5, actor=None) -> list[AuditEvent]:
    return [record(actor=actor, action="test.write", obj_type="test.Thing", obj_id=i, before={"v": i},
                   after={"v": i + 1}) for i in range(n)]


def raw(sql: str, params=()) -> None:
    """An edit behind the application's back (on PostgreSQL past the append-only trigger, as a DBA could)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER audit_event_append_only")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditevent ENABLE TRIGGER audit_event_append_only")


def verify_cli() -> tuple[int, str]:
    out, err = StringIO(), StringIO()
    try:
        call_command("audit", "verify", stdout=out, stderr=err)
    except CommandError as exc:
        return exc.returncode, str(exc)
    return 0, out.getvalue()


def test_sm3_known_answer():
    assert sm3_hex(b"abc") == SM3_ABC


def test_every_row_has_every_field(city):
    client = Client(REMOTE_ADDR="10.2.3.4", HTTP_USER_AGENT="UA/1")
    client.post("/login/", {"username": "sam", "password": "wrong"})
    client.post("/login/", {"username": "sam", "password": PASSWORD})
    client.post("/logout/")
    events = list(AuditEvent.objects.order_by("seq"))
    assert {"auth.login_failed", "auth.login", "auth.logout"} <= {e.action for e in events}
    for e in events:
        assert e.ts.utcoffset() is not None and e.action and e.result in ("ok", "fail", "denied")
        assert len(e.hash) == len(e.prev_hash) == 64
    web = [e for e in events if e.action.startswith("auth.")]
    assert all(e.src_ip == "10.2.3.4" and e.user_agent == "UA/1" and e.request_id for e in web)
    login = next(e for e in web if e.action == "auth.login")
    assert (login.user_id, login.username, login.user_name, login.role) == (city.sam.pk, "sam", "Sam", "unit_staff")


def test_secrets_and_identity_numbers_are_masked(city):
    e = record(actor=city.alice, action="test.write", obj_type="x", obj_id=1,
               before={"password": "hunter2", "otp_code": "123456", "session_key": "abc"},
               after={"id_number": "110101199003071234", "phone": "13812345678",
                      "note": "身份证110101199003071234，电话13812345678", "lockout_minutes": 30,
                      "nested": {"api_key": "k"}})
    assert e.before == {"password": MASK, "otp_code": MASK, "session_key": MASK}
    assert e.after["id_number"] == "110101********1234" and e.after["phone"] == "138****5678"
    assert e.after["note"] == "身份证110101********1234，电话138****5678"
    assert e.after["lockout_minutes"] == 30 and e.after["nested"] == {"api_key": MASK}


def test_record_rejects_a_malformed_action(db):
    with pytest.raises(ValueError):
        record(actor=None, action="Bad Action", obj_type="", obj_id="", before=None, after=None)


def test_intact_chain_verifies(db):
    fill(10)
    verdict = chain.verify()
    assert verdict.ok and verdict.checked == 10
    assert verify_cli()[0] == 0


def test_an_edited_row_is_named(db):
    events = fill(6)
    raw("UPDATE audit_auditevent SET after = %s WHERE id = %s", ['{"v": 999}', events[3].pk])
    verdict = chain.verify()
    assert not verdict.ok and verdict.first_bad_id == events[3].pk and "edited" in verdict.message
    code, message = verify_cli()
    assert code == 1 and f"id {events[3].pk}" in message


def test_a_deleted_row_is_named(db):
    events = fill(6)
    raw("DELETE FROM audit_auditevent WHERE id = %s", [events[2].pk])
    verdict = chain.verify()
    assert not verdict.ok and verdict.first_bad_id == events[3].pk and "missing" in verdict.message


def test_an_inserted_row_is_named(db):
    events = fill(4)
    # make room at seq 3 and slip a forged event in, hashes recomputed "correctly" for itself
    raw("UPDATE audit_auditevent SET seq = seq + 1000 WHERE seq >= 3")
    raw("UPDATE audit_auditevent SET seq = seq - 999 WHERE seq >= 1000")
    forged = {**{f: getattr(events[1], f) for f in chain.CHAINED_FIELDS}, "seq": 3, "prev_hash": events[1].hash,
              "action": "test.forged"}
    raw("INSERT INTO audit_auditevent (seq, ts, user_id, username, user_name, role, src_ip, user_agent, request_id,"
        " action, obj_type, obj_id, before, after, result, reason, prev_hash, hash) VALUES"
        " (%s, %s, NULL, '', '', '', '', '', '', 'test.forged', 'test.Thing', '1', NULL, NULL, 'ok', '', %s, %s)",
        [3, events[1].ts, events[1].hash, chain.event_hash({**forged, "user_id": None, "obj_id": "1", "before": None,
                                                            "after": None})])
    verdict = chain.verify()
    assert not verdict.ok and verdict.first_bad_seq == 4 and verdict.first_bad_id == events[2].pk


def test_a_truncated_tail_is_detected_by_the_keyed_head(db):
    events = fill(5)
    raw("DELETE FROM audit_auditevent WHERE seq >= 4")
    verdict = chain.verify()
    assert not verdict.ok and "head" in verdict.message
    del events


def test_failed_write_rolls_back_with_the_action(db):
    before = AuditEvent.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        record(actor=None, action="test.write", obj_type="x", obj_id=1, before=None, after=None)
        raise RuntimeError("the action failed")
    assert AuditEvent.objects.count() == before


@pytest.mark.postgres
def test_postgresql_refuses_update_and_delete(db):
    if connection.vendor != "postgresql":
        pytest.skip("the append-only trigger exists on PostgreSQL only")
    event = fill(1)[0]
    for sql in ("UPDATE audit_auditevent SET action = 'x.y' WHERE id = %s", "DELETE FROM audit_auditevent WHERE id = %s"):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [event.pk])


def _append_many(n: int) -> None:
    from django.db import connections as conns

    conns.close_all()
    for i in range(n):
        record(actor=None, action="test.concurrent", obj_type="test.Thing", obj_id=i, before=None, after={"i": i})
    conns.close_all()


@pytest.mark.postgres
@pytest.mark.skipif(settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
                    reason="SQLite serialises every writer with BEGIN IMMEDIATE; advisory locks need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_eight_writers_keep_one_linear_chain():
    """Committed rows, real processes: the test database's rows are restored afterwards."""
    connections.close_all()
    ctx = multiprocessing.get_context("fork")
    workers = [ctx.Process(target=_append_many, args=(100,)) for _ in range(8)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(timeout=300)
    assert [w.exitcode for w in workers] == [0] * 8
    seqs = list(AuditEvent.objects.order_by("seq").values_list("seq", flat=True))
    assert len(seqs) == 800 and seqs == list(range(1, 801))
    prevs = list(AuditEvent.objects.values_list("prev_hash", flat=True))
    assert len(set(prevs)) == len(prevs)  # no two events claim the same predecessor: 0 forks
    verdict = chain.verify()
    assert verdict.ok and verdict.checked == 800


NOW = datetime(2026, 12, 1, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def _aged_events() -> None:
    for days in (400, 300, 200, 10):
        with time_machine.travel(NOW - timedelta(days=days), tick=False):
            fill(2)


def test_prune_refuses_rows_inside_the_retention_period(db, settings):
    _aged_events()
    with time_machine.travel(NOW, tick=False):
        settings.DUCHA_AUDIT_RETENTION_DAYS = 365
        with pytest.raises(CommandError) as refused:
            call_command("audit", "prune", "--before", str(NOW.date() - timedelta(days=250)))
        assert refused.value.returncode == 2 and "365" in str(refused.value)
        # the setting really changes behaviour: at 184 days the same prune goes ahead
        settings.DUCHA_AUDIT_RETENTION_DAYS = 184
        call_command("audit", "prune", "--before", str(NOW.date() - timedelta(days=250)), stdout=StringIO())
        assert AuditEvent.objects.filter(action="test.write").count() == 4
        assert chain.verify().ok and AuditAnchor.objects.count() == 1
        # and below the legal floor it still refuses
        settings.DUCHA_AUDIT_RETENTION_DAYS = 30
        with pytest.raises(CommandError):
            call_command("audit", "prune", "--before", str(NOW.date() - timedelta(days=100)))


def test_prune_archives_and_the_anchor_is_protected(db, settings, tmp_path):
    _aged_events()
    with time_machine.travel(NOW, tick=False):
        archive = tmp_path / "pruned.ndjson"
        call_command("audit", "prune", "--before", str(NOW.date() - timedelta(days=370)), "--archive", str(archive),
                     stdout=StringIO())
        assert len(archive.read_text().splitlines()) == 2
        assert AuditEvent.objects.get(action="audit.prune").after["rows"] == 2
        AuditAnchor.objects.update(hash="0" * 64)
        assert not chain.verify().ok


def test_prune_command_errors(db):
    with pytest.raises(CommandError) as bad:
        call_command("audit", "prune", "--before", "yesterday")
    assert bad.value.returncode == 2
    assert date.today()  # keep the import honest


@pytest.mark.postgres
def test_item_5_no_session_can_switch_off_the_delete_guard(db, settings):
    """Issue 11 item 5 (等保 §8.1.4.3 c, 网络安全法 §21): the transaction flag that used to let a DELETE
    through does nothing; only the retention function deletes, only rows past the 184-day floor
    (by the database's clock: these rows are dated before NOW, which lies in the past)."""
    if connection.vendor != "postgresql":
        pytest.skip("the delete guard is PostgreSQL's; SQLite relies on the chain (docs/SECURITY.md)")
    with time_machine.travel(NOW - timedelta(days=400), tick=False):
        old = fill(2)
    with time_machine.travel(NOW - timedelta(days=10), tick=False):
        young = fill(1)[0]
    for row in (old[0], young):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL ducha.audit_prune = 'on'")
            cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [row.pk])
    # A function of the session's own cannot borrow the guard's trust either.
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("CREATE FUNCTION pg_temp.prune_it(i bigint) RETURNS void LANGUAGE sql "
                       "AS 'DELETE FROM audit_auditevent WHERE id = i'")
        cursor.execute("SELECT pg_temp.prune_it(%s)", [old[0].pk])
    with pytest.raises(DatabaseError, match="184 days"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT audit_prune_before(now() - interval '100 days')")
    assert AuditEvent.objects.count() == 3
    with time_machine.travel(NOW, tick=False):
        call_command("audit", "prune", "--before", str(NOW.date() - timedelta(days=370)), stdout=StringIO())
    assert not AuditEvent.objects.filter(pk__in=[e.pk for e in old]).exists()
    assert AuditEvent.objects.filter(pk=young.pk).exists() and chain.verify().ok
