"""The reminder engine's check time moves from the matter row to MatterCheck (docs/decisions/0002).

Existing times are copied; a matter that had one is marked ``check_scheduled``, so the
sweep (running matters the engine holds no time for) finds exactly the matters it found
before: those whose ``next_check_at`` was NULL. Plain SQL, valid on SQLite and PostgreSQL.
"""

import django.db.models.deletion
from django.db import migrations, models

FORWARD = [
    "INSERT INTO matters_mattercheck (matter_id, next_check_at) "
    "SELECT id, next_check_at FROM matters_matter WHERE next_check_at IS NOT NULL",
    "UPDATE matters_matter SET check_scheduled = TRUE WHERE next_check_at IS NOT NULL",
]
BACKWARD = [
    "UPDATE matters_matter SET next_check_at = (SELECT c.next_check_at FROM matters_mattercheck c "
    "WHERE c.matter_id = matters_matter.id)",
]


class Migration(migrations.Migration):

    dependencies = [
        ("matters", "0004_search_trigrams"),
    ]

    operations = [
        migrations.CreateModel(
            name="MatterCheck",
            fields=[
                ("matter", models.OneToOneField(
                    on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name="reminder_check",
                    serialize=False, to="matters.matter", verbose_name="matter",
                )),
                ("next_check_at", models.DateTimeField(blank=True, null=True, verbose_name="next reminder check")),
            ],
            options={
                "verbose_name": "reminder check",
                "verbose_name_plural": "reminder checks",
            },
        ),
        migrations.AddField(
            model_name="matter",
            name="check_scheduled",
            field=models.BooleanField(default=False, editable=False, verbose_name="reminder check scheduled"),
        ),
        migrations.RunSQL(FORWARD, BACKWARD, elidable=False),
        migrations.RemoveIndex(model_name="matter", name="matter_next_check"),
        migrations.RemoveIndex(model_name="matter", name="matter_unscheduled"),
        migrations.RemoveField(model_name="matter", name="next_check_at"),
        migrations.AddIndex(
            model_name="mattercheck",
            index=models.Index(
                condition=models.Q(("next_check_at__isnull", False)), fields=["next_check_at"],
                name="matter_next_check",
            ),
        ),
        migrations.AddIndex(
            model_name="matter",
            index=models.Index(
                condition=models.Q(("check_scheduled", False)), fields=["status"], name="matter_unscheduled",
            ),
        ),
    ]
