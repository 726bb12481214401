from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "ducha.reports"
    label = "reports"
    verbose_name = _("Monthly reports and rates")  # 月度报告与三率
