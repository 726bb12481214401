from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApprovalsConfig(AppConfig):
    name = "ducha.approvals"
    verbose_name = _("Administrative approval")  # 行政审批
    default_auto_field = "django.db.models.BigAutoField"
