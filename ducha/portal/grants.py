"""The portal's database role on PostgreSQL: what it may do, as SQL, in one place.

SELECT on the published tables; INSERT on the submission tables, with SELECT on their ``id``
column and USAGE on their sequences, which ``INSERT … RETURNING id`` needs; nothing else. No
other table of the installation (matters, people, audit, sessions, the intake's take-up of
submissions) and not the submissions once written. Run again after an upgrade: it first
revokes everything the role holds in the schema, so it also takes back what is no longer
listed (a grant made by hand included).
"""

from __future__ import annotations

import re

from django.db import connection, transaction
from django.db.models import Model

from ducha.publication.models import Publication, PublishedFile, Submission, SubmissionFile

READ: tuple[type[Model], ...] = (Publication, PublishedFile)
INSERT: tuple[type[Model], ...] = (Submission, SubmissionFile)
ROLE_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")


def _pk_column(model: type[Model]) -> str:
    return str(model._meta.pk.column if model._meta.pk else "id")


def statements(role: str, *, database: str, schema: str, sequences: list[str],
               password: str | None) -> list[tuple[str, list[str]]]:
    """The statements that bring the role to exactly its privileges, with their parameters."""
    q = connection.ops.quote_name
    who = q(role)
    attributes = "LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT NOREPLICATION NOBYPASSRLS"
    out: list[tuple[str, list[str]]] = [(f"ALTER ROLE {who} {attributes}", [])]
    if password is not None:
        out.append((f"ALTER ROLE {who} PASSWORD %s", [password]))
    out += [
        (f"REVOKE ALL ON ALL TABLES IN SCHEMA {q(schema)} FROM {who}", []),
        (f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA {q(schema)} FROM {who}", []),
        (f"REVOKE ALL ON ALL FUNCTIONS IN SCHEMA {q(schema)} FROM {who}", []),
        (f"REVOKE CREATE ON SCHEMA {q(schema)} FROM {who}", []),
        (f"REVOKE CREATE, TEMPORARY ON DATABASE {q(database)} FROM {who}", []),
        (f"GRANT CONNECT ON DATABASE {q(database)} TO {who}", []),
        (f"GRANT USAGE ON SCHEMA {q(schema)} TO {who}", []),
    ]
    for model in READ:
        out.append((f"GRANT SELECT ON {q(model._meta.db_table)} TO {who}", []))
    for model in INSERT:
        table = q(model._meta.db_table)
        out.append((f"GRANT INSERT ON {table} TO {who}", []))
        out.append((f"GRANT SELECT ({q(_pk_column(model))}) ON {table} TO {who}", []))
    for sequence in sequences:
        out.append((f"GRANT USAGE ON SEQUENCE {sequence} TO {who}", []))
    return out


def grant(role: str, *, password: str | None = None) -> list[str]:
    """Creates or updates the role (idempotent); returns the tables it may touch, for the record."""
    if connection.vendor != "postgresql":
        raise ValueError("database roles exist on PostgreSQL only: on SQLite the portal shares the file "
                         "(see README, 'Two sites')")
    if not ROLE_NAME.fullmatch(role):
        raise ValueError(f"a role name is lower-case letters, digits and _ (not {role!r})")
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT current_database(), current_schema()")
        database, schema = cursor.fetchone()
        sequences = []
        for model in INSERT:
            cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [model._meta.db_table, _pk_column(model)])
            sequence = cursor.fetchone()[0]
            if sequence:
                sequences.append(sequence)
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
        if cursor.fetchone() is None:
            cursor.execute(f"CREATE ROLE {connection.ops.quote_name(role)}")
        for sql, params in statements(role, database=database, schema=schema, sequences=sequences,
                                      password=password):
            cursor.execute(sql, params)
    return [f"SELECT {m._meta.db_table}" for m in READ] + [f"INSERT {m._meta.db_table}" for m in INSERT]
