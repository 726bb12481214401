"""Small pieces every matter page draws the same way: the light badge, the progress bar,
event labels, and Bootstrap classes on form widgets."""

from __future__ import annotations

from typing import Any

from django import template
from django.forms import BoundField, CheckboxInput, RadioSelect, Select, SelectMultiple
from django.utils.functional import Promise
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from ducha.matters.overview import Signal
from ducha.org.roles import ADMIN_ROLES

register = template.Library()

EVENT_LABELS: dict[str, Promise] = {
    "create": _("Created"),  # 立项
    "reminder_letter": _("Reminder letter sent"),  # 发送提醒函
    "assign": _("Assigned to the lead unit"),  # 交办
    "start": _("Accepted by the lead unit"),  # 签收办理
    "claim": _("Completion claimed"),  # 申请销号
    "close": _("Verified and closed"),  # 审核销号
    "return": _("Returned for rework"),  # 退回整改
    "suspend": _("Suspended"),  # 暂停
    "resume": _("Resumed"),  # 恢复办理
    "extension_request": _("Extension requested"),  # 申请延期
    "extension_approved": _("Extension approved"),  # 批准延期
    "extension_refused": _("Extension refused"),  # 不予延期
    "edit": _("Edited by the supervision office"),  # 督查室修改事项
    "assignment_add": _("Assigned inside the unit"),  # 责任分解到科室/责任人
    "assignment_remove": _("Assignment inside the unit withdrawn"),  # 撤销分工
    "milestone_done": _("Time node reached"),  # 节点完成
    "milestones_rescheduled": _("Time nodes rescheduled"),  # 重新倒排节点
    "deadline_moved": _("Due date moved by the working-day calendar"),  # 时限随日历调整
    "deadline_settled": _("Provisional due date confirmed by the calendar"),  # 暂定时限已确定
    "rectification_moved": _("Rectification due date moved by the working-day calendar"),  # 整改时限随日历调整
    "progress_report": _("Progress reported"),  # 报送进展
    "ledger_june_check": _("Found behind schedule by the June ledger check"),  # 6月查账发现滞后
    "ledger_reconcile": _("Found behind schedule by the September reconciliation"),  # 9月对账发现滞后
    "update": _("Updated by a ledger import"),  # 台账导入更新
    "evidence_add": _("Evidence file attached"),  # 上传佐证材料
    "rectified": _("Rectification reported done"),  # 报告整改完成
    "round_finding": _("Problem found by a supervision round"),  # 督查发现问题
}
ACTION_LABELS: dict[str, Promise] = {
    "assign": _("Assign to the lead unit"),  # 交办
    "start": _("Accept and start"),  # 签收办理
    "claim": _("Claim completion"),  # 申请销号
    "close": _("Verify and close"),  # 审核销号
    "return": _("Return for rework"),  # 退回整改
    "suspend": _("Suspend"),  # 暂停
    "resume": _("Resume"),  # 恢复办理
}


@register.simple_tag
def signal_badge(signal: Signal) -> str:
    """The light as a badge: a coloured dot and its word; the days left on hover.

    A simple tag rather than an included template: lists draw hundreds of these per page.
    """
    hint = days_text(signal)
    title = format_html(' title="{}"', hint) if hint else ""
    return format_html(
        '<span class="sig sig-{}" data-light="{}"{}><span class="sig-dot" aria-hidden="true"></span>{}</span>',
        signal.key, signal.key, title, signal.label,
    )


@register.simple_tag
def status_badge(status: str, label: Any) -> str:
    return format_html('<span class="st st-{}" data-status="{}">{}</span>', status, status, label)


@register.filter
def days_text(signal: Signal) -> str:
    """"3 working days left", "due today", "overdue by 2 working days" (text next to the colour)."""
    left = signal.workdays_left
    if left is None or signal.key in ("done", "none", "pending"):
        return ""
    if left < 0:
        return ngettext("overdue by %(n)d working day", "overdue by %(n)d working days", -left) % {"n": -left}
    if left == 0:
        return str(_("due today"))
    text = ngettext("%(n)d working day left", "%(n)d working days left", left) % {"n": left}
    return f"≥ {text}" if signal.approximate else text


@register.simple_tag
def progress_bar(value: int | None, key: str = "") -> str:
    """Progress as an SVG bar (its width an attribute, not an inline style) with the figure beside it."""
    v = max(0, min(100, int(value or 0)))
    fill = format_html('<rect class="f-{}" width="{}" height="8" rx="4"/>', key or "green", v) if v else ""
    return format_html(
        '<span class="pbar" role="img" aria-label="{}"><svg class="pbar-svg" viewBox="0 0 100 8" '
        'preserveAspectRatio="none" aria-hidden="true" focusable="false"><rect class="pbar-bg" width="100" '
        'height="8" rx="4"/>{}</svg><span class="pbar-num">{}%</span></span>',
        _("Progress %(v)s%%") % {"v": v}, fill, v,
    )


@register.filter
def event_label(action: str) -> str:
    # A step without a label of its own is still said in words, never as its code.
    return str(EVENT_LABELS.get(action, _("Changed")))


@register.filter
def event_change(event: Any) -> str:
    """What a progress step changed, in words: "progress 95% → 50% (monthly report of 2026-10)"."""
    data = event.data or {}
    if event.action == "progress_report" and "progress" in data:
        month = data.get("month", "")
        if data.get("old_progress") is None:
            return str(_("Progress %(new)s%% (monthly report of %(month)s)") % {"new": data["progress"], "month": month})
        words = _("Progress %(old)s%% → %(new)s%% (monthly report of %(month)s)") % {
            "old": data["old_progress"], "new": data["progress"], "month": month}
        if data.get("co_unit_name"):
            words = _("%(unit)s's part: %(words)s") % {"unit": data["co_unit_name"], "words": words}
        return str(words)
    if event.action == "evidence_add":
        return str(data.get("name", ""))
    if event.action == "claim" and "progress" in data:
        return str(_("Claimed at %(p)s%% progress") % {"p": data["progress"]})
    return ""


@register.filter
def action_label(action: str) -> str:
    return str(ACTION_LABELS.get(action, action))


@register.filter
def sees_matters(user: Any) -> bool:
    """Administrators run the system and read no business data: no matter pages in their menu."""
    return bool(getattr(user, "is_authenticated", False) and getattr(user, "role", "") not in ADMIN_ROLES)


@register.filter
def styled(field: BoundField, extra: str = "") -> str:
    """The widget with Bootstrap's classes, marked invalid when the field has errors."""
    return _styled(field, extra, show_errors=True)


@register.filter
def quiet(field: BoundField, extra: str = "") -> str:
    """The widget with Bootstrap's classes, not validated (a refused form keeps what was typed)."""
    return _styled(field, extra, show_errors=False)


def _styled(field: BoundField, extra: str, *, show_errors: bool) -> str:
    widget = field.field.widget
    if isinstance(widget, CheckboxInput):
        css = "form-check-input"
    elif isinstance(widget, RadioSelect):
        css = ""
    elif isinstance(widget, Select | SelectMultiple):
        css = "form-select"
    else:
        css = "form-control"
    invalid = show_errors and bool(field.errors)
    if invalid:
        css += " is-invalid"
    attrs: dict[str, Any] = {"class": f"{css} {extra}".strip()}
    if invalid:
        attrs["aria-invalid"] = "true"
        attrs["aria-describedby"] = f"{field.auto_id}_errors"
    return field.as_widget(attrs=attrs)


@register.filter
def split(value: str) -> list[str]:
    return value.split()


@register.filter
def field(form: Any, name: str) -> BoundField:
    return form[name]  # type: ignore[no-any-return]
