"""Audit records for every add, change and delete made in the admin site.

`AuditedModelAdmin` is a mixin for ModelAdmin classes; `audit_site(site)` wraps every
ModelAdmin already registered on a site with it (the security app calls it for the
system administrator's site, so reference-data and account changes are in the trail).
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import models
from django.forms.models import model_to_dict

from ducha.audit.api import record


def _value(value: Any) -> Any:
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, models.QuerySet):
        return sorted(value.values_list("pk", flat=True))
    if isinstance(value, list | tuple) and value and isinstance(value[0], models.Model):
        return sorted(v.pk for v in value)
    return value


def _label(obj: models.Model) -> str:
    return f"{obj._meta.app_label}.{obj._meta.object_name}"


class AuditedModelAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    def save_model(self, request: Any, obj: Any, form: Any, change: bool) -> None:
        fields = list(form.changed_data)
        before = {f: _value(form.initial.get(f)) for f in fields} if change else None
        super().save_model(request, obj, form, change)
        after = {f: _value(form.cleaned_data.get(f)) for f in fields}
        record(actor=request.user, action="admin.change" if change else "admin.add", obj_type=_label(obj),
               obj_id=obj.pk, before=before, after=after, request=request)

    def save_related(self, request: Any, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        for formset in formsets:
            for obj in formset.new_objects:
                record(actor=request.user, action="admin.add", obj_type=_label(obj), obj_id=obj.pk, before=None,
                       after={k: _value(v) for k, v in model_to_dict(obj).items()}, request=request)
            for obj, changed in formset.changed_objects:
                record(actor=request.user, action="admin.change", obj_type=_label(obj), obj_id=obj.pk,
                       before=None, after={f: _value(getattr(obj, f, None)) for f in changed}, request=request)
            for obj in formset.deleted_objects:
                record(actor=request.user, action="admin.delete", obj_type=_label(obj), obj_id=obj.pk or "",
                       before={"str": str(obj)}, after=None, request=request)

    def delete_model(self, request: Any, obj: Any) -> None:
        pk, before = obj.pk, {k: _value(v) for k, v in model_to_dict(obj).items()}
        super().delete_model(request, obj)
        record(actor=request.user, action="admin.delete", obj_type=_label(obj), obj_id=pk, before=before,
               after=None, request=request)

    def delete_queryset(self, request: Any, queryset: Any) -> None:
        doomed = [(o.pk, str(o)) for o in queryset]
        label = f"{queryset.model._meta.app_label}.{queryset.model._meta.object_name}"
        super().delete_queryset(request, queryset)
        record(actor=request.user, action="admin.delete", obj_type=label, obj_id=",".join(str(p) for p, _ in doomed),
               before={"objects": [{"pk": p, "str": s} for p, s in doomed]}, after=None, request=request)


def audit_site(site: admin.AdminSite) -> None:
    """Re-registers each ModelAdmin of `site` with the audit mixin in front (idempotent)."""
    for model, model_admin in list(site._registry.items()):
        cls = type(model_admin)
        if issubclass(cls, AuditedModelAdmin):
            continue
        audited = type(cls.__name__, (AuditedModelAdmin, cls), {"__module__": cls.__module__})
        site.unregister(model)
        site.register(model, audited)
