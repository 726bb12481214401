from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RemindersConfig(AppConfig):
    name = "ducha.reminders"
    label = "reminders"
    verbose_name = _("Reminders and escalation")  # 提醒与督办

    def ready(self) -> None:
        from ducha.reminders.tasks import enqueue_reschedule_all
        from ducha.workcal import followers

        # ... then every open matter's next check is recomputed, by a one-off task once the
        # import has committed.
        followers.register("reminders", lambda change: enqueue_reschedule_all(), rank=20)
