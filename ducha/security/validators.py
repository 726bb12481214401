"""Password validators of the two profiles (see profiles.py); Django calls them on every set.

`PasswordHistoryValidator.password_changed` is Django's hook after a password is saved:
it keeps the history, the change time (for expiry) and whether the password was set by
someone else (then it is an initial password that must be changed at first log-in).
"""

from __future__ import annotations

import string
from typing import Any

from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

CLASSES = (
    ("lower", str.islower),
    ("upper", str.isupper),
    ("digit", str.isdigit),
    ("symbol", lambda c: c in string.punctuation or c == " " or not c.isascii()),
)


class CharacterClassesValidator:
    """At least `required` of: lower-case letters, capitals, digits, symbols (等保 complexity)."""

    def __init__(self, required: int = 3) -> None:
        self.required = required

    def validate(self, password: str, user: Any = None) -> None:
        present = sum(1 for _name, test in CLASSES if any(test(c) for c in password))
        if present < self.required:
            raise ValidationError(
                _("The password must mix at least %(n)d of: lower-case letters, capital letters, digits, symbols.")
                % {"n": self.required},
                code="password_too_simple",
            )

    def get_help_text(self) -> str:
        return _("Mix at least %(n)d of: lower-case letters, capital letters, digits, symbols.") % {
            "n": self.required}


class MaximumLengthValidator:
    """Long passphrases are welcome (ASVS 6.2.9 asks for 64); the cap only bounds hashing work."""

    def __init__(self, max_length: int = 128) -> None:
        self.max_length = max_length

    def validate(self, password: str, user: Any = None) -> None:
        if len(password) > self.max_length:
            raise ValidationError(
                ngettext("The password may have at most %(n)d character.",
                         "The password may have at most %(n)d characters.", self.max_length) % {"n": self.max_length},
                code="password_too_long",
            )

    def get_help_text(self) -> str:
        return _("Long passphrases are welcome, up to %(n)d characters.") % {"n": self.max_length}


class PublishedPasswordValidator:
    """The demo's published password can only come from `ducha demo`, never from a form."""

    def validate(self, password: str, user: Any = None) -> None:
        from ducha.org.demo_data import DEMO_PASSWORD

        if password.strip().lower() == DEMO_PASSWORD:
            raise ValidationError(_("This password is published with the demo; choose another."),
                                  code="password_published")

    def get_help_text(self) -> str:
        return _("It may not be the demo's published password.")


class PasswordHistoryValidator:
    def __init__(self, history: int = 5) -> None:
        self.history = history

    def validate(self, password: str, user: Any = None) -> None:
        if not self.history or user is None or user.pk is None:
            return
        from ducha.security.models import PasswordHistory

        for encoded in PasswordHistory.objects.filter(user=user).values_list("encoded", flat=True)[: self.history]:
            if check_password(password, encoded):
                raise ValidationError(
                    _("This password was used recently; choose one not among your last %(n)d.")
                    % {"n": self.history},
                    code="password_reused",
                )

    def get_help_text(self) -> str:
        if not self.history:
            return _("A password set by an administrator must be changed at first log-in.")
        return _("It may not be one of your last %(n)d passwords.") % {"n": self.history}

    def password_changed(self, password: str, user: Any) -> None:
        from ducha.security.actions import note_password_set

        note_password_set(user=user, raw_password=password, keep=max(self.history, 1), at=timezone.now())
