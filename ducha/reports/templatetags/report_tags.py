"""Labels and badge colours for a report's timeliness, the same on every page."""

from __future__ import annotations

from django import template
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from ducha.rules.periods import Period
from ducha.rules.reporting import Timeliness

register = template.Library()

_LABELS = {
    Timeliness.NOT_DUE: _("Not yet due"),  # 未到报送期
    Timeliness.OPEN: _("Due now"),  # 报送期内
    Timeliness.ON_TIME: _("On time"),  # 按时报送
    Timeliness.LATE: _("Late"),  # 逾期报送
    Timeliness.MISSING: _("Missing"),  # 未报送
    Timeliness.PENDING_CALENDAR: _("Window pending calendar"),  # 报送期待定
}
_CLASSES = {
    Timeliness.NOT_DUE: "text-bg-light",
    Timeliness.OPEN: "text-bg-info",
    Timeliness.ON_TIME: "text-bg-success",
    Timeliness.LATE: "text-bg-warning",
    Timeliness.MISSING: "text-bg-danger",
    Timeliness.PENDING_CALENDAR: "text-bg-secondary",
}


@register.inclusion_tag("reports/_timeliness.html")
def timeliness_badge(state: str) -> dict[str, object]:
    key = Timeliness(state)
    return {"state": key.value, "label": _LABELS[key], "css": _CLASSES[key]}


@register.filter
def rate_class(value: float | None) -> str:
    """Colour of a rate: the target is 100 % (S2.7)."""
    if value is None:
        return "text-muted"
    if value >= 1 - 1e-9:
        return "text-success"
    return "text-danger" if value < 0.9 else "text-warning-emphasis"


@register.filter
def period_label(period: object) -> str:
    """"2026年10月" in Chinese, "2026-10" otherwise: the official wording where it is read. A
    period's key ("2026-Q3") is read as the period."""
    if isinstance(period, str):
        key = period
        try:
            period = Period.parse(key)
        except ValueError:
            return key
    if (get_language() or "").startswith("zh"):
        return str(getattr(period, "label_zh", period))
    return str(getattr(period, "key", period))



_EVENTS = {
    "create": _("Started the report"),  # 开始填报
    "submit": _("Submitted"),  # 报送
    "resubmit": _("Resubmitted after correction"),  # 修改后重新报送
    "return": _("Returned for correction"),  # 退回修改
}


@register.filter
def event_label(action: str) -> str:
    return str(_EVENTS.get(action, action))
