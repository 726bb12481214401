"""Trigram indexes for the lists' text search (PostgreSQL only).

The list's ``q=`` filter is ``number__icontains | title__icontains``, which Django writes as
``UPPER(col::text) LIKE UPPER(%s)``. These GIN indexes are built on exactly that expression,
so PostgreSQL can answer the search without reading every matter. SQLite has no such index;
a city on the embedded database is small enough to scan.
"""

from django.db import migrations

INDEXES = {
    "matter_title_trgm": "title",
    "matter_number_trgm": "number",
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # pg_trgm is a trusted extension (PostgreSQL 13+): the database owner may create it.
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, column in INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON matters_matter "
            f"USING gin (UPPER({column}::text) gin_trgm_ops)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("matters", "0003_list_indexes")]
    operations = [migrations.RunPython(create, drop, elidable=False)]
