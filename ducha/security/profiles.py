"""The two password-policy profiles, as plain data (settings.py imports this module).

`dengbao3` follows what 等保 2.0 level-3 assessors check (GB/T 22239-2019 §8.1.4.1 a:
complexity and periodic change; the usual figures are length 8, three of four character
classes, a 90-day change and a history of 5). `asvs` follows OWASP ASVS 5.0, which
forbids composition rules (6.2.5) and forced rotation (6.2.10) and asks for length 12
(6.2.1). Both refuse common passwords and make a password set by someone else an
initial password that must be changed at first log-in.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Profile:
    name: str
    min_length: int
    character_classes: int  # 0: no composition rule
    history: int  # previous passwords that may not be reused
    max_age_days: int  # 0: no forced rotation


PROFILES = {
    "dengbao3": Profile("dengbao3", min_length=8, character_classes=3, history=5, max_age_days=90),
    "asvs": Profile("asvs", min_length=12, character_classes=0, history=0, max_age_days=0),
}


def get(name: str) -> Profile:
    try:
        return PROFILES[name]
    except KeyError:
        raise ValueError(f"DUCHA_SECURITY_PROFILE must be one of {', '.join(PROFILES)}, not {name!r}") from None


def password_validators(profile: Profile, *, min_length: int, history: int) -> list[Any]:
    v = "django.contrib.auth.password_validation."
    validators: list[dict[str, Any]] = [
        {"NAME": v + "UserAttributeSimilarityValidator"},
        {"NAME": v + "MinimumLengthValidator", "OPTIONS": {"min_length": min_length}},
        {"NAME": "ducha.security.validators.MaximumLengthValidator", "OPTIONS": {"max_length": 128}},
        {"NAME": v + "CommonPasswordValidator"},
        {"NAME": v + "NumericPasswordValidator"},
        {"NAME": "ducha.security.validators.PublishedPasswordValidator"},
    ]
    if profile.character_classes:
        validators.append({"NAME": "ducha.security.validators.CharacterClassesValidator",
                           "OPTIONS": {"required": profile.character_classes}})
    # Always present: besides refusing reuse it is what notices every password change.
    validators.append({"NAME": "ducha.security.validators.PasswordHistoryValidator",
                       "OPTIONS": {"history": history}})
    return validators
