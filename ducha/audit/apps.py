from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "ducha.audit"
    label = "audit"
    verbose_name = _("Audit trail")

    def ready(self) -> None:
        from ducha.audit import checks, signals  # noqa: F401  (checks register on import)

        signals.connect()
