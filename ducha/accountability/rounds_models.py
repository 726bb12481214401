"""Supervision rounds (督查, S2.6): the seed's pairs of modes, a scope of units, a period, the
inspectors, and findings per unit; a finding may demand a rectification, tracked to its end
by the matter's ``Rectification`` and counted by the rectification rate (S2.7)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ducha.matters.models import Matter, Rectification
from ducha.org.models import Unit


class Regularity(models.TextChoices):
    REGULAR = "regular", _("Regular")  # 定期
    IRREGULAR = "irregular", _("Irregular")  # 不定期


class Focus(models.TextChoices):
    CENTRAL = "central", _("Central")  # 集中
    FOLLOW_UP = "follow_up", _("Follow-up")  # 跟踪


class Breadth(models.TextChoices):
    COMPREHENSIVE = "comprehensive", _("Comprehensive")  # 综合
    SPECIAL = "special", _("Special")  # 专项


class Openness(models.TextChoices):
    OPEN = "open", _("Announced")  # 明察
    UNANNOUNCED = "unannounced", _("Unannounced")  # 暗访


class RoundState(models.TextChoices):
    OPEN = "open", _("Under way")  # 进行中
    ISSUED = "issued", _("Findings issued")  # 已通报


class Round(models.Model):
    title = models.CharField(_("title"), max_length=200)
    regularity = models.CharField(_("regularity"), max_length=10, choices=Regularity.choices)
    focus = models.CharField(_("focus"), max_length=10, choices=Focus.choices)
    breadth = models.CharField(_("breadth"), max_length=14, choices=Breadth.choices)
    openness = models.CharField(_("openness"), max_length=12, choices=Openness.choices)
    theme = models.CharField(_("theme"), max_length=200, blank=True)  # 专项督查的主题
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("to"))
    units = models.ManyToManyField(Unit, related_name="supervision_rounds", verbose_name=_("units in scope"))
    # A scope of matters besides the units: a quarter's special supervision of key work looks at
    # the matters the platform proposed.
    matters = models.ManyToManyField(Matter, blank=True, related_name="+", verbose_name=_("matters in scope"))
    # 每季度专项督查: the quarter whose proposal the round was opened from (one round per quarter).
    proposal_quarter = models.CharField(_("proposed for quarter"), max_length=7, blank=True)
    inspectors = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="supervision_rounds",
                                        verbose_name=_("inspectors"))
    state = models.CharField(_("state"), max_length=8, choices=RoundState.choices, default=RoundState.OPEN)
    issued_at = models.DateTimeField(_("issued at"), null=True, blank=True)
    # The 督查通报 the findings go out in, numbered from the office's register.
    number = models.CharField(_("document number"), max_length=40, blank=True)  # 发文字号
    docx = models.FileField(_("Word file"), upload_to="documents/rounds/%Y/", blank=True)
    pdf = models.FileField(_("PDF file"), upload_to="documents/rounds/%Y/", blank=True)
    render_error = models.CharField(_("rendering error"), max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("opened by"))
    created_at = models.DateTimeField(_("opened at"), auto_now_add=True)

    class Meta:
        verbose_name = _("supervision round")  # 督查
        verbose_name_plural = _("supervision rounds")
        ordering = ["-starts_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(starts_on__lte=models.F("ends_on")), name="round_dates"),
            models.UniqueConstraint(fields=["proposal_quarter"], condition=~Q(proposal_quarter=""),
                                    name="round_one_per_proposal"),
            models.UniqueConstraint(fields=["number"], condition=~Q(number=""), name="round_number_unique"),
        ]

    def __str__(self) -> str:
        return self.title


class Finding(models.Model):
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="findings", verbose_name=_("round"))
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("unit"))
    matter = models.ForeignKey(Matter, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                               verbose_name=_("matter"))
    problem = models.TextField(_("problem found"))  # 发现的问题
    rectify_workdays = models.PositiveSmallIntegerField(_("working days to rectify"), null=True, blank=True)
    rectification = models.OneToOneField(Rectification, on_delete=models.PROTECT, null=True, blank=True,
                                         related_name="+", verbose_name=_("rectification"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("recorded by"))
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("finding")  # 督查发现问题
        verbose_name_plural = _("findings")
        ordering = ["unit__sort_order", "id"]
        constraints = [models.CheckConstraint(condition=Q(rectify_workdays__isnull=True) | Q(matter__isnull=False),
                                              name="finding_rectify_needs_matter")]
