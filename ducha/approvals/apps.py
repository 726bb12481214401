from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApprovalsConfig(AppConfig):
    name = "ducha.approvals"
    verbose_name = _("Administrative approval")  # 行政审批
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Electronic supervision (S3.3) runs in the reminder loop, after the reminders' own scan.
        from ducha.approvals import ratings, takeup
        from ducha.approvals.supervision import run_pass
        from ducha.reminders import passes

        passes.register("approvals", run_pass, rank=24)
        # 好差评: ratings taken up from the portal, default levels, overdue rectification.
        passes.register("approvals_ratings", ratings.run_pass, rank=26)
        # 内网办理: what the public site received, taken up by the window's online account.
        passes.register("approvals_takeup", takeup.run_pass, rank=25)
