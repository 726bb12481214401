"""Four indexes that repeated the leading column of another: matter (year) and (lead_unit)
beside matter_year_number and matter_unit_status; co-unit part (matter) and (unit) beside
counitpart_unique and counitpart_unit_matter; and, on PostgreSQL, the pattern index Django
adds to the unique number (``varchar_pattern_ops``), which no query uses: the list's search is
``UPPER(number) LIKE``, served by matter_number_trgm (0004). Each was paid on every insert (a
100,000-row ledger import). Only the indexes go: the foreign keys stay as they are, so a large table is
neither rebuilt (SQLite) nor re-validated (PostgreSQL)."""

from django.db import migrations, models
import django.db.models.deletion

INDEXES = [
    ("matters_counitpart_matter_id_3865437c", "matters_counitpart", "matter_id"),
    ("matters_counitpart_unit_id_213f3090", "matters_counitpart", "unit_id"),
    ("matters_matter_lead_unit_id_08099d06", "matters_matter", "lead_unit_id"),
    ("matters_matter_year_df135c66", "matters_matter", "year"),
]


PATTERN_INDEX = "matters_matter_number_aa9bedcb_like"


def _drop_number_pattern_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f'DROP INDEX IF EXISTS "{PATTERN_INDEX}"')


def _create_number_pattern_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f'CREATE INDEX "{PATTERN_INDEX}" ON "matters_matter" ("number" varchar_pattern_ops)')


class Migration(migrations.Migration):

    dependencies = [
        ('matters', '0009_classified_registration'),
        ('org', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(f'DROP INDEX IF EXISTS "{name}"', f'CREATE INDEX "{name}" ON "{table}" ("{column}")')
                for name, table, column in INDEXES
            ] + [
                migrations.RunPython(_drop_number_pattern_index, _create_number_pattern_index),
            ],
            state_operations=[
            migrations.AlterField(
                model_name='counitpart',
                name='matter',
                field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='co_parts', to='matters.matter', verbose_name='matter'),
            ),
            migrations.AlterField(
                model_name='counitpart',
                name='unit',
                field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='co_parts', to='org.unit', verbose_name='unit'),
            ),
            migrations.AlterField(
                model_name='matter',
                name='lead_unit',
                field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='lead_matters', to='org.unit', verbose_name='lead unit'),
            ),
            migrations.AlterField(
                model_name='matter',
                name='year',
                field=models.PositiveSmallIntegerField(verbose_name='ledger year'),
            ),
            ],
        ),
    ]
