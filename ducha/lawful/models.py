"""The half-yearly lawful-administration check (依法行政检查评估, S1.6).

A ``Check`` is one half-year's check of the active municipal departments. When it is opened the
checklist of the day (``DUCHA_LAWFUL_CHECKLIST``) and the departments are frozen into it, so a
later change of the setting or of the organisation does not rewrite an old check. The office
records a ``Deduction`` per department and item, the finding in words; once the check is
published nothing in it changes. A deduction whose case is bad enough is handed to an efficiency
case (``accountability.Case``, source ``lawful_check``); the link is kept on this side.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ducha.accountability.models import Case
from ducha.org.models import Unit


class CheckState(models.TextChoices):
    OPEN = "open", _("Under way")  # 检查中
    PUBLISHED = "published", _("Published")  # 已公布


class Check(models.Model):
    period = models.CharField(_("half-year"), max_length=7, unique=True)  # "2026-H1"
    checklist = models.JSONField(_("checklist"))  # frozen: [{"code", "points", "name", "name_en"}]
    units = models.ManyToManyField(Unit, related_name="lawful_checks", verbose_name=_("departments checked"))
    state = models.CharField(_("state"), max_length=10, choices=CheckState.choices, default=CheckState.OPEN)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("opened by"))
    opened_at = models.DateTimeField(_("opened at"), auto_now_add=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+", verbose_name=_("published by"))
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    class Meta:
        verbose_name = _("lawful-administration check")  # 依法行政检查评估
        verbose_name_plural = _("lawful-administration checks")
        ordering = ["-period"]

    def __str__(self) -> str:
        return self.period


class Deduction(models.Model):
    """检查发现: points deducted from one department on one checklist item, and why."""

    lawful_check = models.ForeignKey(Check, on_delete=models.CASCADE, related_name="deductions",
                                  verbose_name=_("check"))
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("department"))
    item = models.CharField(_("checklist item"), max_length=40)  # a code of the check's frozen checklist
    points = models.PositiveSmallIntegerField(_("points deducted"))  # 扣分
    finding = models.TextField(_("finding"))  # 检查发现的问题
    case = models.OneToOneField(Case, on_delete=models.PROTECT, null=True, blank=True, related_name="lawful_finding",
                                verbose_name=_("efficiency case"))  # 移交的效能问题案件
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("recorded by"))
    recorded_at = models.DateTimeField(_("recorded at"), auto_now=True)

    class Meta:
        verbose_name = _("deduction")  # 扣分及发现问题
        verbose_name_plural = _("deductions")
        ordering = ["unit__sort_order", "unit_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["lawful_check", "unit", "item"], name="lawful_one_deduction_per_item"),
            models.CheckConstraint(condition=Q(points=0) | ~Q(finding=""), name="lawful_points_need_finding"),
        ]

    def __str__(self) -> str:
        return f"{self.lawful_check_id} {self.unit_id} {self.item} -{self.points}"
