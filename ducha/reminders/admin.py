"""The system administrator edits the escalation ladder and the units' robots in the admin site."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from ducha.org.admin import SystemAdminOnly, site
from ducha.reminders.channels.robots import redact
from ducha.reminders.models import EscalationRung, RobotWebhook, ScanFailure
from ducha.reminders.tasks import enqueue_reschedule_all
from ducha.rules.escalation import Audience, Rung, validate_ladder


class EscalationRungForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = EscalationRung
        fields = ["code", "name", "offset_workdays", "to_lead_unit", "to_unit_in_charge", "to_vice_mayor",
                  "to_supervision_office", "to_mayor", "light", "action", "urgent", "is_active"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        audience = frozenset(a for a, f in [
            (Audience.LEAD_UNIT, "to_lead_unit"), (Audience.UNIT_IN_CHARGE, "to_unit_in_charge"),
            (Audience.VICE_MAYOR, "to_vice_mayor"), (Audience.SUPERVISION_OFFICE, "to_supervision_office"),
            (Audience.MAYOR, "to_mayor")] if data.get(f))
        mine = Rung(str(data.get("code", "")), int(data.get("offset_workdays") or 0), audience)
        others = [Rung(r.code, r.offset_workdays, frozenset({Audience.LEAD_UNIT}))
                  for r in EscalationRung.objects.exclude(pk=self.instance.pk)]
        for problem in validate_ladder([mine, *others]):
            self.add_error(None, problem)
        return data


class EscalationRungAdmin(SystemAdminOnly):
    form = EscalationRungForm
    list_display = ("name", "offset_workdays", "to_lead_unit", "to_unit_in_charge", "to_vice_mayor",
                    "to_supervision_office", "to_mayor", "light", "action", "urgent", "is_active")
    ordering = ("offset_workdays",)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        # A changed ladder changes when every matter next needs looking at.
        enqueue_reschedule_all()

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        super().delete_model(request, obj)
        enqueue_reschedule_all()


class RobotWebhookForm(forms.ModelForm):  # type: ignore[type-arg]
    """The URL and secret are credentials: never shown again once saved; empty keeps the old value."""

    url = forms.CharField(label=_("webhook URL"), required=False, max_length=500,
                          widget=forms.PasswordInput(render_value=False))
    secret = forms.CharField(label=_("signing secret"), required=False, max_length=200,
                             widget=forms.PasswordInput(render_value=False))

    class Meta:
        model = RobotWebhook
        fields = ["unit", "kind", "name", "url", "secret", "is_active"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name in ("url", "secret"):
            if not data.get(name) and self.instance.pk:
                data[name] = getattr(self.instance, name)
        url = data.get("url", "")
        if not url:
            self.add_error("url", _("A webhook URL is required."))
        elif not url.startswith(("https://", "http://")):
            self.add_error("url", _("The webhook URL must start with https:// or http://."))
        return data


class RobotWebhookAdmin(SystemAdminOnly):
    form = RobotWebhookForm
    list_display = ("unit", "name", "kind", "redacted_url", "is_active")
    list_filter = ("kind", "is_active")

    @admin.display(description=_("webhook URL"))
    def redacted_url(self, obj: RobotWebhook) -> str:
        return redact(obj.url)


site.register(EscalationRung, EscalationRungAdmin)
site.register(RobotWebhook, RobotWebhookAdmin)


class ScanFailureAdmin(SystemAdminOnly):
    """What the reminder scan could not check and why: the matter's data needs repairing."""

    list_display = ("matter", "failures", "error", "failed_at", "retry_at")
    readonly_fields = list_display

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


site.register(ScanFailure, ScanFailureAdmin)
