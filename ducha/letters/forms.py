"""The letter form: title and text to edit, optional extra copies. The mandatory addressees are
not fields at all, so nothing the browser sends can remove them."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ducha.letters.actions import LetterDraft
from ducha.org.models import Unit


class LetterForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200,
                            widget=forms.TextInput(attrs={"class": "form-control"}))  # 标题
    body = forms.CharField(label=_("Text"), widget=forms.Textarea(
        attrs={"rows": 14, "class": "form-control letter-body-input"}))  # 正文
    extra_cc = forms.ModelMultipleChoiceField(
        label=_("Also copy to"), queryset=Unit.objects.none(), required=False,
        widget=forms.SelectMultiple(attrs={"class": "form-select", "size": 6}),
        help_text=_("Optional. The addressee, the leaders and the supervision office are always included."),
    )  # 增加抄送
    token = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args: Any, exclude_unit_ids: list[int] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["extra_cc"].queryset = Unit.objects.filter(is_active=True).exclude(  # type: ignore[attr-defined]
            pk__in=exclude_unit_ids or []).order_by("sort_order", "id")
        if not self.is_bound:
            self.initial.setdefault("token", uuid.uuid4().hex)

    def draft(self) -> LetterDraft:
        data = self.cleaned_data
        return LetterDraft(
            title=data["title"], body=data["body"], token=data["token"],
            extra_cc_unit_ids=[u.pk for u in data.get("extra_cc") or []],
        )


class DismissForm(forms.Form):
    reason = forms.CharField(label=_("Why no letter is sent"),
                             widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
                             min_length=4, max_length=500)  # 不发函理由


class RequesterForm(forms.Form):
    unit = forms.ModelChoiceField(label=_("Requesting unit"), queryset=Unit.objects.filter(is_active=True))
