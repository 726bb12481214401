from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LawfulConfig(AppConfig):
    name = "ducha.lawful"
    verbose_name = _("Lawful administration checks")  # 依法行政检查
    default_auto_field = "django.db.models.BigAutoField"
