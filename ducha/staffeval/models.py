"""Inside a unit (S2.5, S6.2): the monthly review of each section (一月一讲评) and the year-end
evaluation of the unit's staff (内部考评), linked to the unit's own result.

The internal ledger itself is not stored here: it is ``matters.Assignment`` (work on a matter
given to a section or a named person), read by ``ducha.staffeval.ledger``.

A ``MonthlyReview`` is one section's review of one month, recorded by the unit's administrator
and editable only in that month. A ``StaffEvaluation`` is one unit's evaluation of one year: a
``StaffLine`` per person of the unit with the figures drafted from the ledger and the grade the
administrator proposes. Submitting freezes the figures, the unit's grade and the 优秀 quota
on the evaluation; the organisation and personnel office (组织人事部门) confirms it or
returns it with a reason.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from ducha.org.models import Section, Unit


class StaffGradeChoice(models.TextChoices):
    """The four grades of a civil servant's annual evaluation; the values of ``rules.evaluation.StaffGrade``."""

    EXCELLENT = "excellent", pgettext_lazy("staff grade", "Excellent")  # 优秀
    COMPETENT = "competent", pgettext_lazy("staff grade", "Competent")  # 称职
    BASIC = "basic", pgettext_lazy("staff grade", "Basically competent")  # 基本称职
    INCOMPETENT = "incompetent", pgettext_lazy("staff grade", "Incompetent")  # 不称职


# A grade below 称职 needs a short reason in words.
REASON_GRADES = frozenset({StaffGradeChoice.BASIC, StaffGradeChoice.INCOMPETENT})


class EvaluationState(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("staff evaluation", "Being drafted")  # 起草中
    SUBMITTED = "submitted", pgettext_lazy("staff evaluation", "Submitted for confirmation")  # 已报送待确认
    RETURNED = "returned", pgettext_lazy("staff evaluation", "Returned for revision")  # 已退回修改
    CONFIRMED = "confirmed", pgettext_lazy("staff evaluation", "Confirmed")  # 已确认


# States in which the unit's administrator still changes the evaluation.
EDITABLE_STATES = frozenset({EvaluationState.DRAFT, EvaluationState.RETURNED})


class MonthlyReview(models.Model):
    """一月一讲评: one section's monthly review, recorded by the unit's administrator."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("unit"))
    section = models.ForeignKey(Section, on_delete=models.PROTECT, related_name="+", verbose_name=_("section"))
    month = models.CharField(_("month"), max_length=7)  # "2026-05"
    reviewed = models.TextField(_("what was reviewed"))  # 讲评内容
    points = models.PositiveSmallIntegerField(_("points"), null=True, blank=True,
                                              validators=[MaxValueValidator(100)])  # 讲评得分 (optional)
    problems = models.TextField(_("problems"), blank=True)  # 存在问题
    next_steps = models.TextField(_("next steps"), blank=True)  # 下步措施
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("recorded by"))
    recorded_at = models.DateTimeField(_("recorded at"), auto_now=True)

    class Meta:
        verbose_name = _("monthly review")  # 一月一讲评
        verbose_name_plural = _("monthly reviews")
        ordering = ["-month", "section_id"]
        constraints = [
            models.UniqueConstraint(fields=["section", "month"], name="staffeval_one_review_per_section_month"),
            models.CheckConstraint(condition=Q(points__isnull=True) | Q(points__lte=100),
                                   name="staffeval_review_points_at_most_100"),
        ]

    def __str__(self) -> str:
        return f"{self.section_id} {self.month}"


class StaffEvaluation(models.Model):
    """One unit's year-end evaluation of its staff (年度考核)."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("unit"))
    year = models.PositiveSmallIntegerField(_("year"))
    state = models.CharField(_("state"), max_length=10, choices=EvaluationState.choices,
                             default=EvaluationState.DRAFT)
    # Frozen on submission: the unit's grade read then (blank: none published), the share it
    # gave, the staff counted and the 优秀 quota.
    unit_grade = models.CharField(_("unit's grade"), max_length=10, blank=True)
    share = models.DecimalField(_("share of excellent"), max_digits=4, decimal_places=2, null=True, blank=True)
    staff_count = models.PositiveSmallIntegerField(_("staff"), null=True, blank=True)
    quota = models.PositiveSmallIntegerField(_("excellent quota"), null=True, blank=True)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("started by"))
    started_at = models.DateTimeField(_("started at"), auto_now_add=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+", verbose_name=_("submitted by"))
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("decided by"))
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    return_reason = models.TextField(_("reason for returning"), blank=True)

    class Meta:
        verbose_name = _("staff evaluation")  # 工作人员年度考评
        verbose_name_plural = _("staff evaluations")
        ordering = ["-year", "unit__sort_order", "unit_id"]
        constraints = [models.UniqueConstraint(fields=["unit", "year"], name="staffeval_one_per_unit_year")]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.year}"


class StaffLine(models.Model):
    """One person's line: the figures drafted from the internal ledger and the proposed grade."""

    evaluation = models.ForeignKey(StaffEvaluation, on_delete=models.CASCADE, related_name="lines",
                                   verbose_name=_("staff evaluation"))
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("person"))
    section = models.ForeignKey(Section, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                                verbose_name=_("section"))
    assigned = models.PositiveSmallIntegerField(_("items assigned"), default=0)
    done = models.PositiveSmallIntegerField(_("items done"), default=0)
    on_time = models.PositiveSmallIntegerField(_("done on time"), default=0)
    overdue = models.PositiveSmallIntegerField(_("overdue"), default=0)
    reviews = models.PositiveSmallIntegerField(_("monthly reviews of the section"), default=0)
    grade = models.CharField(_("grade"), max_length=12, choices=StaffGradeChoice.choices, blank=True)
    reason = models.CharField(_("reason"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("staff evaluation line")
        verbose_name_plural = _("staff evaluation lines")
        ordering = ["section_id", "person_id"]
        constraints = [models.UniqueConstraint(fields=["evaluation", "person"], name="staffeval_one_line_per_person")]

    def __str__(self) -> str:
        return f"{self.evaluation_id} {self.person_id} {self.grade}"
