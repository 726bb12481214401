"""Separation of duties in the system administrator's admin site, and an audit of all of it.

The system administrator creates and maintains accounts; granting roles is the security
administrator's work (security pages), so the role field is read-only here and absent
from the add form. Disabling an account ends its sessions at once (ASVS 7.4.2). Every
ModelAdmin on the site also gets the audit mixin. Loaded by admin autodiscovery after
the apps listed before this one in INSTALLED_APPS.
"""

from __future__ import annotations

from typing import Any

from ducha.audit.adminlog import AuditedModelAdmin, audit_site
from ducha.org.admin import UserAdmin as OrgUserAdmin
from ducha.org.admin import site
from ducha.org.models import User
from ducha.security.actions import end_sessions


class SecuredUserAdmin(AuditedModelAdmin, OrgUserAdmin):
    add_fieldsets = [(None, {"fields": ["username", "name", "unit", "password1", "password2"]})]

    def get_readonly_fields(self, request: Any, obj: Any = None) -> list[str]:
        return [*super().get_readonly_fields(request, obj), "role"]

    def save_model(self, request: Any, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if change and "is_active" in form.changed_data and not obj.is_active:
            end_sessions(obj)


if site.is_registered(User):
    site.unregister(User)
site.register(User, SecuredUserAdmin)
audit_site(site)
