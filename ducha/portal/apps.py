from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "ducha.portal"
    verbose_name = _("Public portal")  # 政务服务门户
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from ducha.portal import checks  # noqa: F401  (registers the deployment checks)
