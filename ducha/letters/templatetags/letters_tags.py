"""The letters pages' tab bar: each person sees the tabs their role can open."""

from __future__ import annotations

from typing import Any

from django import template

from ducha.letters.access import can_read_counts, can_record_requesters, sending_unit
from ducha.org.roles import Role

register = template.Library()


@register.inclusion_tag("letters/_tabs.html", takes_context=True)
def letters_tabs(context: dict[str, Any], active: str) -> dict[str, Any]:
    user = context["request"].user
    return {
        "active": active,
        "can_propose": sending_unit(user) is not None or getattr(user, "role", "") == Role.SUPERVISION_OFFICE,
        "can_count": can_read_counts(user),
        "can_record": can_record_requesters(user),
    }
