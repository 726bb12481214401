"""`{% field f %}`: a Bootstrap form field with its own error messages under it (field-level errors)."""

from __future__ import annotations

from django import forms, template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

register = template.Library()


@register.simple_tag
def field(bound: forms.BoundField) -> SafeString:
    widget = bound.field.widget
    is_check = isinstance(widget, forms.CheckboxInput)
    css = "form-check-input" if is_check else ("form-select" if isinstance(widget, forms.Select) else "form-control")
    attrs: dict[str, str | bool] = {"class": css + (" is-invalid" if bound.errors else "")}
    error_id = f"{bound.auto_id}_error"
    help_id = f"{bound.auto_id}_help"
    described = [i for i, on in ((error_id, bool(bound.errors)), (help_id, bool(bound.help_text))) if on]
    if described:
        attrs["aria-describedby"] = " ".join(described)
    errors = format_html_join("", '<div class="invalid-feedback" id="{}">{}</div>', ((error_id, e) for e in bound.errors))
    help_text = format_html('<div class="form-text" id="{}">{}</div>', help_id, bound.help_text) if bound.help_text \
        else ""
    label = bound.label_tag(attrs={"class": "form-check-label" if is_check else "form-label"})
    if is_check:
        return format_html('<div class="mb-3 form-check">{}{}{}{}</div>', bound.as_widget(attrs=attrs), label,
                           errors, help_text)
    return format_html('<div class="mb-3">{}{}{}{}</div>', label, bound.as_widget(attrs=attrs), errors, help_text)
