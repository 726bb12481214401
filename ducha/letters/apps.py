from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LettersConfig(AppConfig):
    name = "ducha.letters"
    label = "letters"
    verbose_name = _("Reminder letters")  # 提醒函
