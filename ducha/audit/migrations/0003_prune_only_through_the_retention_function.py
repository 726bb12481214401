"""On PostgreSQL only the retention function deletes audit rows, and never a young one.

Before this, the append-only trigger let a DELETE through whenever the transaction-local
setting `ducha.audit_prune` was 'on', and any session can set that. Now:

- `audit_prune_before(cutoff)` is the one way to delete: it removes the prefix of the chain
  older than `cutoff` and refuses a cutoff less than 184 days ago by the database's clock
  (the six months 《网络安全法》 §21 requires, at their longest). It is SECURITY DEFINER with
  a fixed search_path and EXECUTE revoked from PUBLIC, so a deployment whose application role
  has no DELETE on the table (docs/SECURITY.md) can still prune, and only through it.
- The trigger lets a DELETE through only when the statement was issued by that function
  itself (the call stack, PG_CONTEXT, names it as the DELETE's caller) and the row is older
  than the same floor. No setting a session can change satisfies it; an ad-hoc DELETE, or
  one wrapped in a function of another name, is refused like an UPDATE.

What remains possible is DDL by the table's owner (DROP TRIGGER, ALTER TABLE … DISABLE
TRIGGER, TRUNCATE): the application role should not own the table. SQLite has no such guard:
the file's permissions are the access control, and the hash chain with its keyed head and
anchors is what detects a deleted row there.
"""

from django.db import migrations

FLOOR_DAYS = 184

FORWARD = """
CREATE OR REPLACE FUNCTION audit_prune_before(cutoff timestamptz) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = {schema}, pg_catalog AS $$
DECLARE
    first_kept bigint;
    removed bigint;
BEGIN
    IF cutoff IS NULL OR cutoff > now() - interval '{floor} days' THEN
        RAISE EXCEPTION 'audit rows younger than {floor} days are kept: cutoff % refused', cutoff
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    SELECT min(seq) INTO first_kept FROM audit_auditevent WHERE ts >= cutoff;
    DELETE FROM audit_auditevent WHERE ts < cutoff AND (first_kept IS NULL OR seq < first_kept);
    GET DIAGNOSTICS removed = ROW_COUNT;
    RETURN removed;
END
$$;
REVOKE ALL ON FUNCTION audit_prune_before(timestamptz) FROM PUBLIC;

CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    stack text;
BEGIN
    IF TG_OP = 'DELETE' THEN
        -- Line 1 is this trigger, line 2 the DELETE, line 3 whoever issued the DELETE.
        GET DIAGNOSTICS stack = PG_CONTEXT;
        IF split_part(stack, E'\\n', 3) LIKE 'PL/pgSQL function audit_prune_before(timestamp with time zone) line %'
           AND OLD.ts < now() - interval '{floor} days' THEN
            RETURN OLD;
        END IF;
    END IF;
    RAISE EXCEPTION 'audit_auditevent is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;
"""

BACKWARD = """
CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' AND current_setting('ducha.audit_prune', true) = 'on' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'audit_auditevent is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;
DROP FUNCTION IF EXISTS audit_prune_before(timestamptz);
"""


def forward(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_schema()")
        schema = cursor.fetchone()[0]
    schema_editor.execute(FORWARD.format(schema=connection.ops.quote_name(schema), floor=FLOOR_DAYS), params=None)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD, params=None)


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_append_only_trigger")]
    operations = [migrations.RunPython(forward, backward)]
