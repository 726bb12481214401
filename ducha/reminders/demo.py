"""Demo set-up for reminders: contact details and log-only robots, so that `make demo` shows
reminders in the inbox, SMS lines in DATA_DIR/sms.log and signed robot posts in
DATA_DIR/webhook.log within one worker interval. Idempotent."""

from __future__ import annotations

from django.db import transaction

from ducha.org.models import Unit, User
from ducha.org.roles import Role
from ducha.reminders.models import Channel, RobotWebhook

REACHABLE = (Role.UNIT_ADMIN, Role.LEADER, Role.SUPERVISION_OFFICE)


@transaction.atomic
def build_demo_reminders() -> int:
    """Give demo people a (fake) mobile number and e-mail, and units a log-only robot."""
    for person in User.objects.filter(role__in=REACHABLE, phone="").order_by("id"):
        User.objects.filter(pk=person.pk).update(phone=f"1380000{person.pk:04d}")
    for person in User.objects.filter(role__in=REACHABLE, email="").order_by("id"):
        User.objects.filter(pk=person.pk).update(email=f"{person.username}@demo.invalid")
    made = 0
    units = list(Unit.objects.filter(is_active=True).order_by("sort_order", "id")[:6])
    for i, unit in enumerate(units):
        kind = Channel.WECOM if i % 3 == 2 else Channel.DINGTALK
        url = (f"log://dingtalk/robot/send?access_token=demo-{unit.code}" if kind == Channel.DINGTALK
               else f"log://wecom/cgi-bin/webhook/send?key=demo-{unit.code}")
        _, created = RobotWebhook.objects.get_or_create(
            unit=unit, name="演示群机器人",
            defaults={"kind": kind, "url": url, "secret": f"SECdemo{unit.code}" if kind == Channel.DINGTALK else ""},
        )
        made += created
    return made
