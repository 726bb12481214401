# The register moves here from reports (state only): the table reports_documentsequence and
# every number in it stay where they are, so an installation's documents number on.

from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("reports", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="DocumentSequence",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False,
                                                   verbose_name="ID")),
                        ("prefix", models.CharField(max_length=20, verbose_name="prefix")),
                        ("year", models.PositiveSmallIntegerField(verbose_name="year")),
                        ("last", models.PositiveIntegerField(default=0, verbose_name="last number")),
                    ],
                    options={
                        "verbose_name": "document number sequence",
                        "verbose_name_plural": "document number sequences",
                        "db_table": "reports_documentsequence",
                        "constraints": [models.UniqueConstraint(fields=("prefix", "year"),
                                                                name="documentsequence_unique")],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
