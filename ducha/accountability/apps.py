from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountabilityConfig(AppConfig):
    name = "ducha.accountability"
    verbose_name = _("Accountability")  # 问责
    default_auto_field = "django.db.models.BigAutoField"
