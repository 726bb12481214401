"""Snapshots as a line per matter (issue 13): the matters of each existing snapshot move from
the year row's JSON into lines; the row keeps the summary."""

from django.db import migrations, models
import django.db.models.deletion


def split(apps, schema_editor):
    LedgerYear = apps.get_model("ledger", "LedgerYear")
    SnapshotLine = apps.get_model("ledger", "SnapshotLine")
    for row in LedgerYear.objects.exclude(baseline__isnull=True, final__isnull=True):
        for kind in ("baseline", "final"):
            snap = getattr(row, kind)
            if not snap or "matters" not in snap:
                continue
            SnapshotLine.objects.bulk_create(
                [SnapshotLine(ledger_year=row, kind=kind, matter_id=m["id"], data=m) for m in snap["matters"]],
                batch_size=2000)
            setattr(row, kind, {k: v for k, v in snap.items() if k != "matters"})
        row.save(update_fields=["baseline", "final"])


def join(apps, schema_editor):
    LedgerYear = apps.get_model("ledger", "LedgerYear")
    SnapshotLine = apps.get_model("ledger", "SnapshotLine")
    for row in LedgerYear.objects.all():
        for kind in ("baseline", "final"):
            snap = getattr(row, kind)
            if snap is not None:
                lines = SnapshotLine.objects.filter(ledger_year=row, kind=kind).order_by("matter_id")
                snap["matters"] = [line.data for line in lines]
        row.save(update_fields=["baseline", "final"])


class Migration(migrations.Migration):
    dependencies = [("ledger", "0003_import_check_then_confirm")]

    operations = [
        migrations.CreateModel(
            name="SnapshotLine",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("kind", models.CharField(choices=[("baseline", "Baseline"), ("final", "Final state")],
                                          max_length=10, verbose_name="snapshot")),
                ("matter_id", models.BigIntegerField(verbose_name="matter id")),
                ("data", models.JSONField(verbose_name="data")),
                ("ledger_year", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE,
                                                  related_name="snapshot_lines", to="ledger.ledgeryear",
                                                  verbose_name="ledger year")),
            ],
            options={"verbose_name": "snapshot line", "verbose_name_plural": "snapshot lines"},
        ),
        migrations.AddConstraint(
            model_name="snapshotline",
            constraint=models.UniqueConstraint(fields=("ledger_year", "kind", "matter_id"), name="snapshotline_once"),
        ),
        migrations.RunPython(split, join),
    ]
