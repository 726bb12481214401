from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationConfig(AppConfig):
    name = "ducha.evaluation"
    verbose_name = _("Performance evaluation")  # 绩效考评
    default_auto_field = "django.db.models.BigAutoField"
