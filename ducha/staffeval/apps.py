from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StaffevalConfig(AppConfig):
    name = "ducha.staffeval"
    verbose_name = _("Internal evaluation")  # 内部考评
    default_auto_field = "django.db.models.BigAutoField"
