"""The performance evaluation (绩效考评, S6.1–S6.3, S1.3).

Units are evaluated per **category** (县区, 市直部门, 功能区: data, never ranked across) on an
**indicator set**: a tree of weighted indicators on a 100-point scale, versioned per year and
category; a period is scored with the version in force on its first day. Each leaf indicator
names its scoring method and its source: computed from the platform (``sources.py``), or rated
(a leader's, a third party's or the public's rating, entered or imported with its source named).
Adjustments (bonus and deduction points) are capped and either enter the total or only break
ties (贵阳).

Scoring a period writes a **snapshot**: every input, the formula and the records behind each
score, the totals, ranks and grades, frozen. A correction is a new version of the snapshot with
its reason; a published rank never changes silently. A period goes draft → checked (the
performance office) → approved (the approver) → published.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from ducha.org.models import Unit


class Category(models.Model):
    """考核类别: units ranked together (县区, 市直部门, 功能区). Categories are data."""

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=60)
    units = models.ManyToManyField(Unit, related_name="evaluation_categories", verbose_name=_("units"))
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("evaluation category")  # 考核类别
        verbose_name_plural = _("evaluation categories")
        ordering = ["sort_order", "id"]

    def __str__(self) -> str:
        return self.name


class IndicatorSet(models.Model):
    """指标体系: one version of a category's indicators for a year."""

    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="indicator_sets",
                                 verbose_name=_("category"))
    year = models.PositiveSmallIntegerField(_("year"))
    version = models.PositiveSmallIntegerField(_("version"))
    valid_from = models.DateField(_("in force from"))
    note = models.CharField(_("what changed"), max_length=300, blank=True)
    bonus_cap = models.DecimalField(_("bonus cap"), max_digits=6, decimal_places=2)  # 加分上限
    deduction_cap = models.DecimalField(_("deduction cap"), max_digits=6, decimal_places=2)  # 扣分上限
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("made by"))
    created_at = models.DateTimeField(_("made at"), auto_now_add=True)

    class Meta:
        verbose_name = _("indicator set")  # 指标体系
        verbose_name_plural = _("indicator sets")
        ordering = ["-year", "category__sort_order", "-version"]
        constraints = [models.UniqueConstraint(fields=["category", "year", "version"], name="indset_version")]

    def __str__(self) -> str:
        return f"{self.year} {self.category_id} v{self.version}"


class Indicator(models.Model):
    """One node of the tree. A node with children scores the sum of theirs; a leaf scores by its
    method from its source. An adjustment (加分/扣分) is a leaf outside the weighted tree."""

    indicator_set = models.ForeignKey(IndicatorSet, on_delete=models.CASCADE, related_name="indicators",
                                      verbose_name=_("indicator set"))
    parent = models.ForeignKey("self", on_delete=models.CASCADE, null=True, blank=True, related_name="children",
                               verbose_name=_("parent"))
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100)
    weight = models.DecimalField(_("weight"), max_digits=6, decimal_places=2)  # 分值
    method = models.CharField(_("method"), max_length=20, blank=True)  # rules.evaluation.Method, or "" for a branch
    source = models.CharField(_("source"), max_length=40, blank=True)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    # Adjustments: points per record (signed), and whether they enter the total or only break ties.
    is_adjustment = models.BooleanField(_("adjustment"), default=False)
    enters_total = models.BooleanField(_("enters the total"), default=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("indicator")  # 考核指标
        verbose_name_plural = _("indicators")
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["indicator_set", "code"], name="indicator_code")]

    def __str__(self) -> str:
        return self.code


class Rating(models.Model):
    """A rated input (评价): a leader's rating of a unit in scope, a third party's or the public's,
    entered or imported with its source named. The latest entry per (period, indicator source,
    unit, rater) counts."""

    period = models.CharField(_("period"), max_length=7)
    source = models.CharField(_("source"), max_length=40)  # leader_rating, external_rating, public_rating
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("unit"))
    rater = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                              related_name="+", verbose_name=_("rater"))
    origin = models.CharField(_("where it comes from"), max_length=120, blank=True)  # 第三方机构、民意调查
    value = models.DecimalField(_("value"), max_digits=7, decimal_places=2)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("entered by"))
    entered_at = models.DateTimeField(_("entered at"), auto_now_add=True)

    class Meta:
        verbose_name = _("rating")  # 评价
        verbose_name_plural = _("ratings")
        ordering = ["-entered_at", "-id"]
        indexes = [models.Index(fields=["period", "source", "unit"], name="rating_period_source")]


class PeriodState(models.TextChoices):
    DRAFT = "draft", _("Draft")  # 草稿
    CHECKED = "checked", _("Checked")  # 已审核
    APPROVED = "approved", _("Approved")  # 已批准
    PUBLISHED = "published", _("Published")  # 已公布


class EvaluationPeriod(models.Model):
    """A category's quarter or year (考核期)."""

    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="periods",
                                 verbose_name=_("category"))
    period = models.CharField(_("period"), max_length=7)  # 2026-Q3 or 2026
    indicator_set = models.ForeignKey(IndicatorSet, on_delete=models.PROTECT, related_name="periods",
                                      verbose_name=_("indicator set"))
    state = models.CharField(_("state"), max_length=10, choices=PeriodState.choices, default=PeriodState.DRAFT)
    checked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("checked by"))
    checked_at = models.DateTimeField(_("checked at"), null=True, blank=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("approved by"))
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    returned_reason = models.TextField(_("reason returned"), blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    number = models.CharField(_("document number"), max_length=40, blank=True)  # 发文字号 of the ranking bulletin
    docx = models.FileField(_("Word file"), upload_to="documents/evaluation/%Y/", blank=True)
    pdf = models.FileField(_("PDF file"), upload_to="documents/evaluation/%Y/", blank=True)
    render_error = models.CharField(_("rendering error"), max_length=300, blank=True)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("opened by"))
    opened_at = models.DateTimeField(_("opened at"), auto_now_add=True)

    class Meta:
        verbose_name = _("evaluation period")  # 考核期
        verbose_name_plural = _("evaluation periods")
        ordering = ["-period", "category__sort_order"]
        constraints = [
            models.UniqueConstraint(fields=["category", "period"], name="evalperiod_once"),
            models.UniqueConstraint(fields=["number"], condition=~Q(number=""), name="evalperiod_number"),
        ]

    def __str__(self) -> str:
        return f"{self.period} {self.category_id}"


class Snapshot(models.Model):
    """One frozen scoring of a period; the latest version is the one in force."""

    evaluation = models.ForeignKey(EvaluationPeriod, on_delete=models.CASCADE, related_name="snapshots",
                                   verbose_name=_("evaluation period"))
    version = models.PositiveSmallIntegerField(_("version"))
    reason = models.CharField(_("reason"), max_length=300)
    made_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                verbose_name=_("made by"))
    made_at = models.DateTimeField(_("made at"), auto_now_add=True)
    as_of = models.DateField(_("inputs as of"))

    class Meta:
        verbose_name = _("score snapshot")  # 考核结果快照
        verbose_name_plural = _("score snapshots")
        ordering = ["evaluation", "-version"]
        constraints = [models.UniqueConstraint(fields=["evaluation", "version"], name="snapshot_version")]


class SnapshotLine(models.Model):
    """A unit's result in a snapshot, with its breakdown: per indicator the raw value, method,
    weight, formula, score and the records behind it (JSON, frozen as scored)."""

    snapshot = models.ForeignKey(Snapshot, on_delete=models.CASCADE, related_name="lines",
                                 verbose_name=_("snapshot"))
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("unit"))
    base = models.DecimalField(_("weighted score"), max_digits=7, decimal_places=2)
    total = models.DecimalField(_("total"), max_digits=7, decimal_places=2)
    tie_break = models.DecimalField(_("tie-break points"), max_digits=7, decimal_places=2)
    rank = models.PositiveSmallIntegerField(_("rank"))
    grade = models.CharField(_("grade"), max_length=12)
    breakdown = models.JSONField(_("breakdown"))

    class Meta:
        verbose_name = _("unit result")  # 单位考核结果
        verbose_name_plural = _("unit results")
        ordering = ["rank", "unit__sort_order", "unit_id"]
        constraints = [models.UniqueConstraint(fields=["snapshot", "unit"], name="snapshotline_unit")]


class ObjectionState(models.TextChoices):
    PENDING = "pending", pgettext_lazy("objection", "Pending")  # 待答复
    UPHELD = "upheld", pgettext_lazy("objection", "Upheld")  # 成立
    DISMISSED = "dismissed", pgettext_lazy("objection", "Dismissed")  # 不成立


class Objection(models.Model):
    """A unit's objection to its published result (异议), answered by the performance office; an
    upheld one corrects the snapshot as a new version."""

    evaluation = models.ForeignKey(EvaluationPeriod, on_delete=models.CASCADE, related_name="objections",
                                   verbose_name=_("evaluation period"))
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("unit"))
    indicator = models.CharField(_("indicator"), max_length=40, blank=True)
    text = models.TextField(_("objection"))
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("raised by"))
    raised_at = models.DateTimeField(_("raised at"), auto_now_add=True)
    state = models.CharField(_("state"), max_length=10, choices=ObjectionState.choices,
                             default=ObjectionState.PENDING)
    answer = models.TextField(_("answer"), blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("answered by"))
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("objection")  # 异议
        verbose_name_plural = _("objections")
        ordering = ["-raised_at", "-id"]
