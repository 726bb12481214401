"""The government work innovation award (政府工作创新奖, S1.12).

An ``AwardYear`` (评选年度) is opened by the performance office with a nomination deadline and
the panel that will score. Until the deadline a unit nominates (``Nomination``: one form per
nomination, the text and ``NominationFile`` evidence) and may edit or withdraw its own; after
it nominations are frozen and each panel member gives each nomination one ``Score`` (not their
own unit's), changeable until the office closes the scoring. Closing freezes each result and
rank on the nomination (``ducha.rules.awards``); the office proposes the winners, the approver
approves (or returns the proposal), the office publishes. Nothing is deleted: a withdrawn
nomination stays, marked.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ducha.org.models import Unit


class YearState(models.TextChoices):
    OPEN = "open", _("Nominations and scoring")  # 申报与评审
    SCORED = "scored", _("Scoring closed")  # 评审结束
    PROPOSED = "proposed", _("Winners proposed")  # 拟定获奖名单
    APPROVED = "approved", _("Winners approved")  # 已审定
    PUBLISHED = "published", _("Published")  # 已公布


class AwardYear(models.Model):
    year = models.PositiveSmallIntegerField(_("year"), unique=True)  # 评选年度
    nomination_deadline = models.DateField(_("nomination deadline"))  # 申报截止日期
    panel = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="award_panels",
                                   verbose_name=_("panel"))  # 评审委员会
    state = models.CharField(_("state"), max_length=10, choices=YearState.choices, default=YearState.OPEN)
    returned_reason = models.TextField(_("why the proposal was returned"), blank=True)  # 退回意见
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("opened by"))
    opened_at = models.DateTimeField(_("opened at"), auto_now_add=True)
    scoring_closed_at = models.DateTimeField(_("scoring closed at"), null=True, blank=True)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("proposed by"))
    proposed_at = models.DateTimeField(_("proposed at"), null=True, blank=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("approved by"))
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+", verbose_name=_("published by"))
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    class Meta:
        verbose_name = _("award year")  # 评选年度
        verbose_name_plural = _("award years")
        ordering = ["-year"]

    def __str__(self) -> str:
        return str(self.year)


class Category(models.TextChoices):
    """The seed's five kinds of innovation."""

    MEASURE = "measure", _("A new measure that promotes development")  # 新举措
    METHOD = "method", _("A new method that solves a key or difficult problem")  # 新办法
    APPROACH = "approach", _("A new approach with a wide influence")  # 新思路
    MECHANISM = "mechanism", _("A new mechanism that improves the environment, cuts cost or raises efficiency")  # 新机制
    PATH = "path", _("A new path that serves the grassroots and wins support")  # 新路子


class Nominee(models.TextChoices):
    UNIT = "unit", _("The unit")  # 单位
    PEOPLE = "people", _("People of the unit")  # 个人


class NominationState(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")  # 已申报
    WITHDRAWN = "withdrawn", _("Withdrawn")  # 已撤回


class Nomination(models.Model):
    """One nomination (申报): the whole of what a unit reports for it."""

    year = models.ForeignKey(AwardYear, on_delete=models.PROTECT, related_name="nominations", verbose_name=_("year"))
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("unit"))
    title = models.CharField(_("title"), max_length=120)  # 创新项目名称
    category = models.CharField(_("kind of innovation"), max_length=10, choices=Category.choices)
    nominee = models.CharField(_("nominee"), max_length=8, choices=Nominee.choices)
    people = models.CharField(_("people nominated"), max_length=200, blank=True)  # 个人姓名, 、-separated
    text = models.TextField(_("what was done and its effect"))  # 主要做法及成效
    state = models.CharField(_("state"), max_length=10, choices=NominationState.choices,
                             default=NominationState.SUBMITTED)
    # Frozen when the scoring closes (ducha.rules.awards): the mean and the rank, then the choice.
    result = models.DecimalField(_("result"), max_digits=7, decimal_places=2, null=True, blank=True)
    rank = models.PositiveSmallIntegerField(_("rank"), null=True, blank=True)
    winner = models.BooleanField(_("winner"), default=False)
    skip_reason = models.TextField(_("why it was left out"), blank=True)  # 未入选理由
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("nominated by"))
    created_at = models.DateTimeField(_("nominated at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("changed at"), auto_now=True)

    class Meta:
        verbose_name = _("nomination")  # 申报
        verbose_name_plural = _("nominations")
        ordering = ["year", "unit__sort_order", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(nominee="unit") | ~Q(people=""), name="nomination_people_named"),
            models.CheckConstraint(condition=Q(winner=False) | Q(state="submitted"), name="nomination_winner_live"),
        ]

    def __str__(self) -> str:
        return self.title


class NominationFile(models.Model):
    """Evidence (佐证材料) of a nomination, checked like every upload, stored under MEDIA_ROOT."""

    nomination = models.ForeignKey(Nomination, on_delete=models.CASCADE, related_name="files",
                                   verbose_name=_("nomination"))
    file = models.FileField(_("file"), upload_to="awards/%Y/", max_length=200)
    name = models.CharField(_("file name"), max_length=200)
    content_kind = models.CharField(_("file type"), max_length=10)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    sm3 = models.CharField(_("SM3 digest"), max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("uploaded by"))
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("nomination evidence file")  # 申报佐证材料
        verbose_name_plural = _("nomination evidence files")
        ordering = ["uploaded_at", "id"]


class Score(models.Model):
    """One panel member's score of one nomination (评分)."""

    nomination = models.ForeignKey(Nomination, on_delete=models.CASCADE, related_name="scores",
                                   verbose_name=_("nomination"))
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("panel member"))
    points = models.PositiveSmallIntegerField(_("score"))
    updated_at = models.DateTimeField(_("scored at"), auto_now=True)

    class Meta:
        verbose_name = _("score")  # 评分
        verbose_name_plural = _("scores")
        ordering = ["nomination", "member_id"]
        constraints = [models.UniqueConstraint(fields=["nomination", "member"], name="score_once_per_member")]
