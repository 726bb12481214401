from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PublicationConfig(AppConfig):
    name = "ducha.publication"
    verbose_name = _("Publication")  # 政务公开
    default_auto_field = "django.db.models.BigAutoField"
