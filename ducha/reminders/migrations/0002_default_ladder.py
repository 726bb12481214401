"""Seeds the escalation ladder from ducha.rules.escalation.DEFAULT_LADDER (the administrator edits it later)."""

from django.db import migrations

NAMES = {
    "before_3": "到期前3个工作日提醒",
    "due": "到期当日提醒（报单位分管负责人）",
    "overdue_1": "逾期1个工作日（亮红灯，报分管副市长）",
    "overdue_5": "逾期5个工作日（督查室下发催办单）",
    "overdue_10": "逾期10个工作日（报市长，提请问责）",
}


def seed(apps, schema_editor):
    from ducha.rules.escalation import DEFAULT_LADDER, Audience

    Rung = apps.get_model("reminders", "EscalationRung")
    for r in DEFAULT_LADDER:
        Rung.objects.get_or_create(code=r.code, defaults=dict(
            name=NAMES.get(r.code, r.code), offset_workdays=r.offset,
            to_lead_unit=Audience.LEAD_UNIT in r.audience, to_unit_in_charge=Audience.UNIT_IN_CHARGE in r.audience,
            to_vice_mayor=Audience.VICE_MAYOR in r.audience,
            to_supervision_office=Audience.SUPERVISION_OFFICE in r.audience, to_mayor=Audience.MAYOR in r.audience,
            light=r.light, action=r.action.value, urgent=r.urgent,
        ))


class Migration(migrations.Migration):
    dependencies = [("reminders", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
