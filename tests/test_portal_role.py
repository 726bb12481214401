"""The portal's database role on PostgreSQL (issue #17): least privilege enforced, not promised.

`ducha portal grant` makes a role that reads the published tables and inserts submissions; a
connection as that role reads a publication and inserts a submission, through the portal's own
code in a process of its own, and cannot read a matter, a person, an audit row, the take-up of
submissions or even the submissions it wrote.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from urllib.parse import quote

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.db import connection

from ducha.portal.grants import grant
from ducha.publication import sealing
from ducha.publication.models import Submission
from ducha.publication.submissions import file_content, identity_of
from tests.portal_helpers import portal_settings, publish_catalogue_item

__all__ = ["portal_settings"]

pytestmark = [
    pytest.mark.skipif(django_settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
                       reason="database roles exist on PostgreSQL only; on SQLite the portal shares the file"),
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
]

DENIED_TABLES = ["matters_matter", "org_user", "audit_auditevent", "publication_submission",
                 "publication_submissionfile", "publication_submissiontakeup", "django_session", "django_migrations"]

# Runs in a process of its own, as the portal does: ducha.portal_settings, the role's URL.
PORTAL_SIDE = """
import io, json, django
django.setup()
from django.db import DatabaseError, transaction
from ducha.publication.models import Kind, Submission
from ducha.publication.publish import shown
from ducha.publication.submissions import submit
out = {"item": shown(Kind.CATALOGUE_ITEM, "410100-XK-001").payload["name"]["zh"]}
upload = io.BytesIO(b"%PDF-1.4 licence")
upload.name, upload.size = "licence.pdf", 16
sub = submit("application", payload={"item": "410100-XK-001"}, address="203.0.113.9", name="张三",
             id_number="11010519491231002X", phone="13800138000", query_code=True,
             files=[("licence.pdf", upload, "M01")])
out["reference"] = sub.reference
try:
    with transaction.atomic():
        Submission.objects.filter(reference=sub.reference).exists()
    out["read_back"] = "allowed"
except DatabaseError as e:
    out["read_back"] = type(e.__cause__ or e).__name__
print(json.dumps(out))
"""


@pytest.fixture
def role():
    name = f"ducha_portal_t{uuid.uuid4().hex[:8]}"
    yield name
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [name])
        if cursor.fetchone():
            cursor.execute(f'DROP OWNED BY "{name}"')
            cursor.execute(f'DROP ROLE "{name}"')


def _connect_as(role: str):
    import psycopg

    db = connection.settings_dict
    return psycopg.connect(host=db["HOST"] or "127.0.0.1", port=db["PORT"] or 5432, dbname=db["NAME"], user=role,
                           autocommit=True)


def test_the_role_reads_published_tables_and_inserts_submissions_only(portal_settings, role):
    publish_catalogue_item()
    granted = grant(role)
    with connection.cursor() as cursor:  # a grant made by hand, then taken back by the next run
        cursor.execute(f'GRANT SELECT ON org_user, publication_submission TO "{role}"')
    assert grant(role) == granted
    import psycopg

    with _connect_as(role) as conn:
        assert conn.execute("SELECT title FROM publication_publication").fetchone() == ("食品经营许可",)
        conn.execute("SELECT count(*) FROM publication_publishedfile")
        new_id = conn.execute(
            "INSERT INTO publication_submission (kind, reference, payload, name_sealed, id_sealed, phone_sealed, "
            "id_kind, query_code_hash, address_hash, created_at) "
            "VALUES ('rating', 'PJ-test', '{}', '', '', '', '', '', '', now()) RETURNING id").fetchone()[0]
        assert new_id > 0
        for table in DENIED_TABLES:
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(f"SELECT * FROM {table} LIMIT 1")
        for statement in ("UPDATE publication_publication SET title = 'x'",
                          "DELETE FROM publication_publication",
                          "INSERT INTO publication_publication (kind, key, version, title, payload, published_at, "
                          "withdrawn, current) VALUES ('bulletin', 'x', 1, 'x', '{}', now(), false, true)",
                          f"UPDATE publication_submission SET kind = 'x' WHERE id = {new_id}",
                          "DELETE FROM publication_submission",
                          "INSERT INTO publication_submissiontakeup (submission_id, state, taken_up_at, outcome) "
                          f"VALUES ({new_id}, 'taken', now(), '')",
                          "CREATE TABLE portal_own (id int)"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(statement)


def test_the_portal_process_works_as_that_role_with_the_public_key_only(portal_settings, role, tmp_path):
    publish_catalogue_item()
    grant(role)
    db = connection.settings_dict
    url = f"postgres://{role}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{quote(db['NAME'])}"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DUCHA_", "DJANGO_"))} | {
        "DJANGO_SETTINGS_MODULE": "ducha.portal_settings", "DUCHA_DATA_DIR": str(tmp_path),
        "DUCHA_SECRET_KEY": "portal-test-" + "s" * 50, "DUCHA_PORTAL_DATABASE_URL": url,
        "DUCHA_DATABASE_URL": "postgres://nobody@127.0.0.1:1/none",  # the portal never uses the main one
        "DUCHA_SUBMISSION_PUBLIC_KEY": sealing.public_key_hex()}
    out = subprocess.run([sys.executable, "-c", PORTAL_SIDE], env=env, capture_output=True, text=True, check=False)
    assert out.returncode == 0, out.stderr
    answer = json.loads(out.stdout.strip().splitlines()[-1])
    assert answer["item"] == "食品经营许可"
    assert answer["read_back"] == "InsufficientPrivilege"
    assert not (tmp_path / "submission_key").exists()  # the portal made itself no private key
    # the intranet, holding the private key, opens what the portal sealed
    submission = Submission.objects.get(reference=answer["reference"])
    assert identity_of(submission).id_number == "11010519491231002X"
    assert file_content(submission.files.get()) == b"%PDF-1.4 licence"


def test_grant_is_a_command_of_the_intranet(role, capsys):
    call_command("portal", "grant", "--role", role)
    assert role in capsys.readouterr().out
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolcanlogin, rolsuper, rolcreaterole, rolcreatedb FROM pg_roles WHERE rolname = %s",
                       [role])
        assert cursor.fetchone() == (True, False, False, False)
