"""The inbox moves to its own app on the ground floor (docs/decisions/0004-floors.md): the
table is renamed for it, rows, indexes and constraints unchanged; inbox.0001 takes up the model."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('reminders', '0003_scan_failure'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.AlterModelTable(name='notification', table='inbox_notification')],
            state_operations=[migrations.DeleteModel(name='Notification')],
        ),
    ]
