"""The requester of a request (S1.5) is recorded on the matter itself (``matters.Matter.requesting_unit``,
docs/decisions/0005): copy the requesters recorded so far."""

from django.db import migrations


def copy_requesters(apps, schema_editor):
    RequestOrigin = apps.get_model("letters", "RequestOrigin")
    Matter = apps.get_model("matters", "Matter")
    for matter_id, unit_id in RequestOrigin.objects.values_list("matter_id", "requesting_unit_id"):
        Matter.objects.filter(pk=matter_id, requesting_unit__isnull=True).update(requesting_unit_id=unit_id)


class Migration(migrations.Migration):

    dependencies = [
        ("letters", "0001_initial"),
        ("matters", "0008_requesting_unit"),
    ]

    operations = [migrations.RunPython(copy_requesters, migrations.RunPython.noop)]
