from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SecurityConfig(AppConfig):
    name = "ducha.security"
    label = "security"
    verbose_name = _("Account security")

    def ready(self) -> None:
        from ducha.security import checks  # noqa: F401  (checks register on import)
