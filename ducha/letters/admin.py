"""The system administrator sets a unit's 机关代字 for letters where the derived one will not do."""

from __future__ import annotations

from typing import Any

from django import forms

from ducha.documents import DocNumber
from ducha.letters.models import LetterCode
from ducha.org.admin import SystemAdminOnly, site


class LetterCodeForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = LetterCode
        fields = ["unit", "agency"]

    def clean_agency(self) -> str:
        agency = str(self.cleaned_data["agency"]).strip()
        try:
            DocNumber(agency, 2000, 1)  # the same check the document renderer makes
        except ValueError as e:
            raise forms.ValidationError(str(e)) from e
        return agency


class LetterCodeAdmin(SystemAdminOnly):
    form = LetterCodeForm
    list_display = ("unit", "agency")
    search_fields = ("unit__name", "unit__short_name", "agency")

    def get_queryset(self, request: Any) -> Any:
        return super().get_queryset(request).select_related("unit")


site.register(LetterCode, LetterCodeAdmin)
