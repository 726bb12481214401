# The number register is now documents.DocumentSequence (documents.0001 took over the same
# table): reports forgets the model without touching the table.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("reports", "0001_initial"),
        ("documents", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="DocumentSequence")],
            database_operations=[],
        ),
    ]
