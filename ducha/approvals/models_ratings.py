"""好差评 (S5.3): the public's rating of an application at 收件 and at 办结, the rectification of a
bad one, and the department's appeal against a mistaken or malicious one.

国办发〔2019〕51号 sets five levels and 差评 = 不满意 + 非常不满意; a node not rated within
``DUCHA_RATING_WINDOW_DAYS`` natural days is recorded at ``DUCHA_RATING_DEFAULT_LEVEL`` (广东:
7 days, 基本满意). A 差评 is rectified by the department within ``DUCHA_RATING_RECTIFY_WORKDAYS``
working days with a return visit (回访); an upheld appeal discounts the rating, which stays in
the record, marked. The fields keyed on follow what the provincial platforms exchange (reference
§1.4): the application, the item and version, the department, the area, the node, the channel,
the rated staff.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from ducha.approvals.models_applications import Application
from ducha.org.models import Unit

__all__ = [
    "BAD_LEVELS",
    "LEVEL_WORDS",
    "AppealState",
    "Level",
    "Node",
    "RatingAppeal",
    "RatingCase",
    "RatingCaseState",
    "RatingChannel",
    "ServiceRating",
]


class Node(models.TextChoices):
    RECEIVED = "received", _("At receipt")  # 收件 (provincial affairStatus 1)
    DONE = "done", _("At completion")  # 办结 (provincial affairStatus 2)


class Level(models.IntegerChoices):
    VERY_SATISFIED = 5, _("Very satisfied")  # 非常满意
    SATISFIED = 4, _("Satisfied")  # 满意
    FAIRLY_SATISFIED = 3, _("Fairly satisfied")  # 基本满意
    DISSATISFIED = 2, _("Dissatisfied")  # 不满意
    VERY_DISSATISFIED = 1, _("Very dissatisfied")  # 非常不满意


BAD_LEVELS = (Level.DISSATISFIED, Level.VERY_DISSATISFIED)
LEVEL_WORDS = {5: "非常满意", 4: "满意", 3: "基本满意", 2: "不满意", 1: "非常不满意"}


class RatingChannel(models.TextChoices):
    PORTAL = "portal", _("Online")  # 网上评价
    WINDOW = "window", _("At the window")  # 窗口评价器
    DEFAULT = "default", _("Default after the window")  # 默认评价


class ServiceRating(models.Model):
    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="ratings",
                                    verbose_name=_("application"))
    node = models.CharField(_("node"), max_length=10, choices=Node.choices)
    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices)
    reason = models.TextField(_("reason"), blank=True)
    channel = models.CharField(_("channel"), max_length=10, choices=RatingChannel.choices)
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("rated department"))
    staff = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                              related_name="+", verbose_name=_("rated staff"))
    rated_at = models.DateTimeField(_("rated at"))
    rated_on = models.DateField(_("rated on"))
    defaulted = models.BooleanField(_("default level"), default=False)
    discounted = models.BooleanField(_("discounted"), default=False)
    discounted_by = models.ForeignKey("RatingAppeal", on_delete=models.PROTECT, null=True, blank=True,
                                      related_name="+", verbose_name=_("discounted by the appeal"))
    submission_reference = models.CharField(_("online submission"), max_length=40, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("recorded by"))  # 评价器: the window

    class Meta:
        verbose_name = _("service rating")  # 好差评
        verbose_name_plural = _("service ratings")
        ordering = ["-rated_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["application", "node"], name="approval_rating_once_per_node"),
            models.CheckConstraint(condition=Q(level__gte=1, level__lte=5), name="approval_rating_level_range"),
        ]
        indexes = [models.Index(fields=["unit", "rated_on"], name="approval_rating_unit_day")]

    def __str__(self) -> str:
        return f"{self.application_id} {self.node} {self.level}"

    @property
    def bad(self) -> bool:
        return self.level in BAD_LEVELS

    @property
    def words(self) -> str:
        return LEVEL_WORDS.get(self.level, "")


class RatingCaseState(models.TextChoices):
    OPEN = "open", _("Being rectified")  # 整改中
    ESCALATED = "escalated", _("Overdue, escalated")  # 逾期 (已上报)
    DONE = "done", _("Rectified")  # 已整改
    DISCOUNTED = "discounted", _("Closed: rating discounted")  # 申诉成立, 不计


class RatingCase(models.Model):
    """差评整改: 谁办理、谁负责."""

    rating = models.OneToOneField(ServiceRating, on_delete=models.PROTECT, related_name="case",
                                  verbose_name=_("rating"))
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("department"))
    opened_on = models.DateField(_("opened on"))
    due_on = models.DateField(_("due on"), null=True, blank=True)  # null while the calendar lacks the year
    state = models.CharField(_("state"), max_length=12, choices=RatingCaseState.choices,
                             default=RatingCaseState.OPEN)
    visited_on = models.DateField(_("return visit on"), null=True, blank=True)  # 回访
    visited_by = models.CharField(_("visited by"), max_length=100, blank=True)
    visit_outcome = models.TextField(_("outcome of the visit"), blank=True)
    rectification = models.TextField(_("rectification"), blank=True)  # 整改情况
    done_on = models.DateField(_("done on"), null=True, blank=True)
    escalated_on = models.DateField(_("escalated on"), null=True, blank=True)
    efficiency_case = models.ForeignKey("accountability.Case", on_delete=models.PROTECT, null=True, blank=True,
                                        related_name="+", verbose_name=_("efficiency case"))

    class Meta:
        verbose_name = _("rectification case")  # 差评整改
        verbose_name_plural = _("rectification cases")
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["state", "due_on"], name="approval_ratingcase_due")]

    def __str__(self) -> str:
        return f"{self.rating_id} {self.state}"

    @property
    def on_time(self) -> bool:
        return self.done_on is not None and (self.due_on is None or self.done_on <= self.due_on)


class AppealState(models.TextChoices):
    PENDING = "pending", _("Waiting for the decision")  # 待复核
    UPHELD = "upheld", _("Upheld: rating discounted")  # 申诉成立
    REJECTED = "rejected", _("Rejected")  # 申诉不成立


class RatingAppeal(models.Model):
    """申诉复核: the department asks, the approval service office decides, both with reasons."""

    rating = models.ForeignKey(ServiceRating, on_delete=models.PROTECT, related_name="appeals",
                               verbose_name=_("rating"))
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("department"))
    reasons = models.TextField(pgettext_lazy("approval", "reasons"))
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("filed by"))
    filed_on = models.DateField(_("filed on"))
    state = models.CharField(_("state"), max_length=10, choices=AppealState.choices, default=AppealState.PENDING)
    decision_reasons = models.TextField(_("reasons for the decision"), blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("decided by"))
    decided_on = models.DateField(_("decided on"), null=True, blank=True)

    class Meta:
        verbose_name = _("rating appeal")  # 申诉复核
        verbose_name_plural = _("rating appeals")
        ordering = ["-filed_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["rating"], condition=Q(state="pending"),
                                    name="approval_one_pending_appeal"),
        ]

    def __str__(self) -> str:
        return f"{self.rating_id} {self.state}"
