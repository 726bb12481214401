"""Filters for payload text: words in two languages, paragraphs, the traffic light."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import translation
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def tr(value: Any) -> str:
    """A payload text in the page's language: a plain string as it is; {"zh": …, "en": …} by
    language, Chinese when the English is missing."""
    if isinstance(value, dict):
        language = "en" if (translation.get_language() or "").startswith("en") else "zh"
        chosen = value.get(language) or value.get("zh") or value.get("en") or ""
        return str(chosen)
    if value is None:
        return ""
    return str(value)


@register.filter
def paragraphs(value: Any) -> list[str]:
    """A text split at blank lines into paragraphs."""
    return [p.strip() for p in tr(value).replace("\r\n", "\n").split("\n\n") if p.strip()]


LIGHTS = {"green": "success", "yellow": "warning", "red": "danger"}


@register.filter
def light_class(value: Any) -> str:
    return LIGHTS.get(str(value), "secondary")


@register.filter
def light_words(value: Any) -> str:
    # Said in words as well as in colour: a colour alone tells nothing to a screen reader.
    return {"green": _("On track"), "yellow": _("At risk"), "red": _("Overdue")}.get(str(value), _("Not rated"))


@register.filter
def percent(value: Any) -> int:
    """A progress figure as a whole percentage from 0 to 100 (the width classes of portal.css)."""
    try:
        return max(0, min(100, int(float(value))))
    except (TypeError, ValueError):
        return 0


@register.filter
def filesize(value: Any) -> str:
    size = int(value or 0)
    if size >= 1 << 20:
        return f"{size / (1 << 20):.1f} MB"
    return f"{max(1, round(size / 1024))} KB"
