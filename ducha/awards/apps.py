from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AwardsConfig(AppConfig):
    name = "ducha.awards"
    verbose_name = _("Government work innovation award")  # 政府工作创新奖
    default_auto_field = "django.db.models.BigAutoField"
