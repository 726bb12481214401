"""Electronic supervision (电子监察, S3.3): yellow and red cards on applications and their steps.

A card is issued once per application (or step) and colour by the worker's claim loop, when the
clock reaches ``DUCHA_APPROVAL_YELLOW_SHARE`` of its limit (yellow) or passes it (red). Cards are
facts: they stay when the application ends. They reach the department and the approval service
office, count against the department in the evaluation, and can open an efficiency case.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ducha.accountability.models import Case
from ducha.approvals.models_applications import Application, StepRecord
from ducha.org.models import Unit

__all__ = ["Card", "CardColour"]


class CardColour(models.TextChoices):
    YELLOW = "yellow", _("Yellow card")  # 黄牌 (预警)
    RED = "red", _("Red card")  # 红牌 (超期)


class Card(models.Model):
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="cards",
                                    verbose_name=_("application"))
    step = models.ForeignKey(StepRecord, on_delete=models.CASCADE, null=True, blank=True, related_name="cards",
                             verbose_name=_("step"))  # null: the application as a whole
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("department"))
    colour = models.CharField(_("colour"), max_length=6, choices=CardColour.choices)
    issued_on = models.DateField(_("issued on"))
    limit_days = models.PositiveSmallIntegerField(_("limit (working days)"))
    used_days = models.PositiveSmallIntegerField(_("working days used"))
    case = models.OneToOneField(Case, on_delete=models.PROTECT, null=True, blank=True, related_name="approval_card",
                                verbose_name=_("efficiency case"))

    class Meta:
        verbose_name = _("supervision card")  # 电子监察 黄牌/红牌
        verbose_name_plural = _("supervision cards")
        ordering = ["-issued_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["application", "colour"], condition=Q(step__isnull=True),
                                    name="approval_card_once_per_application"),
            models.UniqueConstraint(fields=["step", "colour"], condition=Q(step__isnull=False),
                                    name="approval_card_once_per_step"),
        ]
        indexes = [models.Index(fields=["unit", "issued_on"], name="approval_card_unit_day")]
