from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InboxConfig(AppConfig):
    name = "ducha.inbox"
    label = "inbox"
    verbose_name = _("Inbox")  # 站内消息
