from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebConfig(AppConfig):
    name = "ducha.web"
    label = "web"
    verbose_name = _("Web shell")

    def ready(self) -> None:
        # The rules refuse with codes; from here on their sentences are in the request's language.
        from ducha.rules import words
        from ducha.web.rule_words import wording

        words.install(wording)
