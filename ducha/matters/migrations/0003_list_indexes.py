"""Indexes for the lists' default order and for the co-unit scope test (bench/lists.py)."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('matters', '0002_next_check_at'),
        ('org', '0001_initial'),
        ('workcal', '0002_seed_2004_2026'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name='counitpart',
            index=models.Index(fields=['unit', 'matter'], name='counitpart_unit_matter'),
        ),
        migrations.AddIndex(
            model_name='matter',
            index=models.Index(fields=['-year', 'number'], name='matter_year_number'),
        ),
    ]
