"""Forms of the report pages: they parse and present; ``actions.py`` decides.

Each report line is its own small form (prefixed by the matter id) so one line can be
saved at a time with htmx, and the same markup works as a plain POST without JavaScript.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ducha.reports.actions import MAX_TEXT, ItemInput
from ducha.rules.periods import Period

TEXT = forms.Textarea(attrs={"rows": 2, "class": "form-control form-control-sm"})


class ItemForm(forms.Form):
    progress = forms.IntegerField(
        label=_("Progress %"), min_value=0, max_value=100,
        widget=forms.NumberInput(attrs={"class": "form-control form-control-sm", "min": 0, "max": 100, "step": 1}),
    )  # 进度
    done = forms.CharField(label=_("Work done this month"), max_length=MAX_TEXT, widget=TEXT)  # 本月工作完成情况
    problems = forms.CharField(label=_("Problems"), max_length=MAX_TEXT, required=False, widget=TEXT)  # 存在问题
    next_steps = forms.CharField(label=_("Next steps"), max_length=MAX_TEXT, widget=TEXT)  # 下步工作计划
    achieved_quantity = forms.DecimalField(
        label=_("Achieved quantity"), required=False, min_value=Decimal(0), max_digits=14, decimal_places=2,
        widget=forms.NumberInput(attrs={"class": "form-control form-control-sm", "min": 0, "step": "0.01"}),
    )  # 累计完成量
    lower_reason = forms.CharField(
        label=_("Why lower than before (only when the progress goes down)"), max_length=MAX_TEXT, required=False,
        widget=TEXT,
    )  # 进度下降原因
    evidence = forms.FileField(
        label=_("Evidence file (optional)"), required=False,
        widget=forms.ClearableFileInput(attrs={"class": "form-control form-control-sm",
                                               "accept": ".pdf,.ofd,.docx,.xlsx,.png,.jpg,.jpeg"}),
    )  # 佐证材料, never required (减负)

    def __init__(self, *args: Any, quantitative: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not quantitative:
            del self.fields["achieved_quantity"]

    def to_input(self) -> ItemInput:
        data = self.cleaned_data
        return ItemInput(
            progress=data["progress"], done=data["done"], problems=data.get("problems", ""),
            next_steps=data["next_steps"], achieved_quantity=data.get("achieved_quantity"),
            lower_reason=data.get("lower_reason", ""),
        )

    def add_errors(self, errors: dict[str, str]) -> None:
        for name, message in errors.items():
            self.add_error(name if name in self.fields else None, message)


class ReturnForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for return"), max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
    )  # 退回理由


def parse_period(text: str | None, default: Period, kinds: tuple[str, ...] = ("month", "quarter", "half", "year")) -> tuple[Period, str]:
    """The period named by a query parameter, or ``default`` with a message saying why."""
    if not text:
        return default, ""
    try:
        period = Period.parse(text.strip())
    except ValueError:
        return default, str(_("“%(text)s” is not a period; use 2026-10, 2026-Q3, 2026-H1 or 2026.") % {"text": text[:20]})
    if period.kind not in kinds:
        return default, str(_("“%(text)s” is not a month; use the form 2026-10.") % {"text": text[:20]})
    return period, ""
