from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BurdenConfig(AppConfig):
    name = "ducha.burden"
    verbose_name = _("Burden meter")  # 减负监测
    default_auto_field = "django.db.models.BigAutoField"
