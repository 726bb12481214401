from __future__ import annotations

from django import template

from ducha.audit import words

register = template.Library()


@register.filter
def action_words(code: str) -> str:
    return words.action_words(code)


@register.filter
def object_words(obj_type: str) -> str:
    return words.object_words(obj_type)


@register.filter
def role_words(code: str) -> str:
    """The role the user held when the event happened, by its name."""
    from ducha.org.roles import Role

    return str(Role(code).label) if code in Role.values else code
