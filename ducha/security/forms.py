"""Forms of the log-in steps, the password change and the security administrator's pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.utils.translation import gettext_lazy as _

from ducha.org.roles import Role
from ducha.security.models import SecurityPolicy


class LoginForm(AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        "locked": _("Too many failed attempts for this user name. Try again after %(minutes)d minutes, "
                    "or ask the security administrator to unlock it."),
        "throttled": _("Too many log-in attempts from this address; wait a minute and try again."),
    }


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("6-digit code"), max_length=12, strip=True,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric",
                                      "pattern": "[0-9 ]*", "autofocus": True}),
        error_messages={"required": _("Enter the 6-digit code shown by your authenticator app.")},
    )

    def clean_code(self) -> str:
        code = "".join(self.cleaned_data["code"].split())
        if len(code) != 6 or not code.isdigit():
            raise forms.ValidationError(_("The code has 6 digits."), code="format")
        return code


class ChangePasswordForm(PasswordChangeForm):
    """Django's form (old password, new twice, the profile's validators) with field errors shown."""


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("role"), choices=[("", "—"), *Role.choices], required=False)


class PolicyForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = SecurityPolicy
        fields = ["password_max_age_days", "lockout_attempts", "account_lockout_attempts", "lockout_minutes",
                  "session_idle_minutes", "session_absolute_hours", "mfa_for_everyone"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        pair, account = data.get("lockout_attempts"), data.get("account_lockout_attempts")
        if pair and account and account < pair:
            self.add_error("account_lockout_attempts",
                           _("The account-wide limit cannot be lower than the per-address limit."))
        return data
