from django.apps import AppConfig
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _


class LedgerConfig(AppConfig):
    name = "ducha.ledger"
    label = "ledger"
    verbose_name = _("Annual ledger")  # 台账

    def ready(self) -> None:
        # settings.py parses DUCHA_LEDGER_PHASE_RUNNERS without the roles; a misspelt role
        # would leave a phase nobody can run, so the process refuses to start instead.
        from ducha.org.roles import CITY_WIDE_ROLES

        offices = sorted(str(r) for r in CITY_WIDE_ROLES)
        for phase, roles in settings.DUCHA_LEDGER_PHASE_RUNNERS.items():
            for role in roles:
                if role not in offices:
                    raise ImproperlyConfigured(
                        f"DUCHA_LEDGER_PHASE_RUNNERS: {phase}={role}: not a city-wide office (one of {', '.join(offices)})")
