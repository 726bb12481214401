from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MattersConfig(AppConfig):
    name = "ducha.matters"
    label = "matters"
    verbose_name = _("Supervised matters")

    def ready(self) -> None:
        from ducha.matters.deadlines import follow_calendar_change
        from ducha.workcal import followers

        # A new or corrected calendar year moves the matters' dates first (S1.13 deadlines,
        # time nodes, rectification dates) ...
        followers.register("matters", lambda change: follow_calendar_change(
            actor=change.actor, year=change.year, old_dues=change.old_dues, reason=change.reason), rank=10)
