"""The import form of the calendar page (system administrator only)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from ducha.workcal.importing import MAX_FILE_BYTES, MAX_YEAR, MIN_YEAR


class CalendarImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_("UTF-8, header date,kind,name,source; kind is holiday or makeup_workday. At most 1 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv", "class": "form-control"}),
    )
    year = forms.IntegerField(
        label=_("Year"),
        required=False,
        min_value=MIN_YEAR,
        max_value=MAX_YEAR,
        help_text=_("Leave empty to take the year most rows are in. Rows of any other year are refused."),
        widget=forms.NumberInput(attrs={"class": "form-control"}),
    )
    notice = forms.CharField(
        label=_("Notice title"),
        required=False,
        max_length=200,
        help_text=_("Leave empty for the usual title of that year's State Council notice."),
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
    notice_number = forms.CharField(
        label=_("Notice number"),
        required=False,
        max_length=60,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )

    def clean_file(self) -> Any:
        f: UploadedFile[Any] = self.cleaned_data["file"]
        if f.size is not None and f.size > MAX_FILE_BYTES:
            raise forms.ValidationError(_("The file is larger than 1 MB."))
        return f

    def read(self) -> bytes:
        """The uploaded bytes (bounded: clean_file refused anything over the limit)."""
        f: Any = self.cleaned_data["file"]
        data: bytes = f.read(MAX_FILE_BYTES + 1)
        return data
