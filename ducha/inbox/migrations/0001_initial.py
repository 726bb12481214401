"""The inbox's table already exists (reminders.0004 renamed it): this takes up its model."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('reminders', '0004_notification_to_inbox'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [migrations.SeparateDatabaseAndState(state_operations=[
        migrations.CreateModel(
            name='Notification',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('title', models.CharField(max_length=200, verbose_name='title')),
                ('body', models.TextField(verbose_name='text')),
                ('light', models.CharField(blank=True, choices=[('', 'None'), ('yellow', 'Yellow'), ('red', 'Red')], max_length=10, verbose_name='light')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='received at')),
                ('read_at', models.DateTimeField(blank=True, null=True, verbose_name='read at')),
                ('reminder', models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='reminders.reminder', verbose_name='reminder')),
                ('user', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='notifications', to=settings.AUTH_USER_MODEL, verbose_name='person')),
            ],
            options={
                'verbose_name': 'notification',
                'verbose_name_plural': 'notifications',
                'ordering': ['-created_at', '-id'],
                'indexes': [models.Index(condition=models.Q(('read_at__isnull', True)), fields=['user'], name='notification_unread'), models.Index(fields=['user', '-created_at'], name='notification_user_time')],
                'constraints': [models.UniqueConstraint(fields=('reminder', 'user'), name='notification_once')],
            },
        ),
    ])]
