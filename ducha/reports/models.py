"""Monthly progress reports (月度进展报告, S1.2) and issued bulletins (通报, S2.8).

One report per unit per month, one item per matter the unit leads or co-handles. The item
is where progress is entered: saving it moves the matter's (or the co-unit part's)
progress, so nobody types the same figure twice. How a report stands against its window
(on time, late, missing) is computed from the calendar by ``ducha.rules.reporting``, never
stored, so a corrected calendar corrects every status with it.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from ducha.matters.models import CoUnitPart, Matter
from ducha.org.models import Unit
from ducha.rules.rates import Rate


class ReportStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")  # 草稿
    SUBMITTED = "submitted", _("Submitted")  # 已报送
    RETURNED = "returned", _("Returned for correction")  # 退回修改


EDITABLE_STATUSES = (ReportStatus.DRAFT, ReportStatus.RETURNED)


class MonthlyReport(models.Model):
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="monthly_reports", verbose_name=_("unit"))
    year = models.PositiveSmallIntegerField(_("year"))
    month = models.PositiveSmallIntegerField(
        _("month"), validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    status = models.CharField(_("status"), max_length=20, choices=ReportStatus.choices, default=ReportStatus.DRAFT)
    # Timeliness is judged by the first submission; a correction after a return keeps it.
    first_submitted_on = models.DateField(_("first submitted on"), null=True, blank=True)  # 首次报送日期
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)  # 报送时间
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("submitted by"),
    )
    return_reason = models.TextField(_("reason for return"), blank=True)  # 退回理由
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("monthly progress report")  # 月度进展报告
        verbose_name_plural = _("monthly progress reports")
        ordering = ["-year", "-month", "unit__sort_order", "unit_id"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "year", "month"], name="monthlyreport_one_per_unit_month"),
            models.CheckConstraint(condition=models.Q(month__gte=1, month__lte=12), name="monthlyreport_month_1_12"),
        ]
        indexes = [models.Index(fields=["year", "month"], name="monthlyreport_month")]

    def __str__(self) -> str:
        return f"{self.unit} {self.year}-{self.month:02d}"

    @property
    def month_key(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE_STATUSES


class ReportItem(models.Model):
    """One matter in a unit's monthly report: the lead unit's progress, or a co-unit's part."""

    report = models.ForeignKey(MonthlyReport, on_delete=models.CASCADE, related_name="items", verbose_name=_("report"))
    matter = models.ForeignKey(Matter, on_delete=models.PROTECT, related_name="report_items", verbose_name=_("matter"))
    co_part = models.ForeignKey(
        CoUnitPart, on_delete=models.PROTECT, null=True, blank=True, related_name="report_items",
        verbose_name=_("co-unit part"),
    )  # set when the reporting unit is a co-unit (配合单位) of the matter
    progress = models.PositiveSmallIntegerField(_("progress %"), validators=[MaxValueValidator(100)])  # 进度
    done = models.TextField(_("work done this month"))  # 本月工作完成情况
    problems = models.TextField(_("problems"), blank=True)  # 存在问题
    next_steps = models.TextField(_("next steps"))  # 下步工作计划
    achieved_quantity = models.DecimalField(
        _("achieved quantity"), max_digits=14, decimal_places=2, null=True, blank=True
    )  # 累计完成量
    saved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("saved by")
    )
    saved_at = models.DateTimeField(_("saved at"), auto_now=True)

    class Meta:
        verbose_name = _("report item")  # 报告事项
        verbose_name_plural = _("report items")
        ordering = ["report", "matter_id"]
        constraints = [
            models.UniqueConstraint(fields=["report", "matter"], name="reportitem_one_per_matter"),
            models.CheckConstraint(condition=models.Q(progress__lte=100), name="reportitem_progress_le_100"),
        ]

    def __str__(self) -> str:
        return f"{self.report} {self.matter.number}"


class ReportEvent(models.Model):
    """What happened to a report: created, submitted, returned, resubmitted; who and why."""

    report = models.ForeignKey(MonthlyReport, on_delete=models.CASCADE, related_name="events", verbose_name=_("report"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("actor")
    )
    action = models.CharField(_("action"), max_length=20)
    reason = models.TextField(_("reason"), blank=True)
    created_at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("report event")  # 报告记录
        verbose_name_plural = _("report events")
        ordering = ["report", "created_at", "id"]


class Bulletin(models.Model):
    """An issued bulletin (督查通报, S2.8): its number, the figures as announced, files and issuer.

    One per period: a correction is a new document with its own number, not a silent re-issue.
    """

    period = models.CharField(_("period"), max_length=10, unique=True)  # "2026-10", "2026-Q3"
    number = models.CharField(_("document number"), max_length=40, unique=True)  # 发文字号
    title = models.CharField(_("title"), max_length=200)  # 标题
    issued_on = models.DateField(_("issued on"))  # 成文日期
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("issued by")
    )
    issued_at = models.DateTimeField(_("issued at"), auto_now_add=True)
    docx = models.FileField(_("Word file"), upload_to="documents/bulletins/%Y/", blank=True)
    pdf = models.FileField(_("PDF file"), upload_to="documents/bulletins/%Y/", blank=True)
    render_error = models.CharField(_("rendering error"), max_length=300, blank=True)
    summary = models.JSONField(_("figures"), default=dict)  # the figures as issued, for later comparison

    class Meta:
        verbose_name = _("bulletin")  # 通报
        verbose_name_plural = _("bulletins")
        ordering = ["-issued_at", "-id"]

    def __str__(self) -> str:
        return self.number


class CloseReportStatus(models.TextChoices):
    """How a unit's report for the closed month stood when the month was closed."""

    NOT_OWED = "not_owed", _("Nothing to report")  # 无须报送
    ON_TIME = "on_time", _("On time")  # 按时报送
    LATE = "late", _("Late")  # 逾期报送
    MISSING = "missing", _("Missing")  # 未报送


class MonthClose(models.Model):
    """一月一结账 (S2.8): a month's rates, report status and matter counts frozen per unit as the
    inputs the quarter's evaluation uses and the bulletin cites.

    A month is closed once its report window has closed. A correction is a new version with a
    reason; the earlier versions and their lines are kept, and readers take the latest.
    """

    year = models.PositiveSmallIntegerField(_("year"))
    month = models.PositiveSmallIntegerField(_("month"), validators=[MinValueValidator(1), MaxValueValidator(12)])
    version = models.PositiveSmallIntegerField(_("version"), default=1)  # 1, then 2… for each correction
    reason = models.TextField(_("reason for the correction"), blank=True)  # 更正理由 (versions after the first)
    as_of = models.DateField(_("figures as of"))  # the day the rates were judged: the closing day
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("closed by")
    )
    closed_at = models.DateTimeField(_("closed at"))

    class Meta:
        verbose_name = _("month close")  # 月度结账
        verbose_name_plural = _("month closes")
        ordering = ["-year", "-month", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["year", "month", "version"], name="monthclose_one_per_version"),
            models.CheckConstraint(condition=models.Q(month__gte=1, month__lte=12), name="monthclose_month_1_12"),
            models.CheckConstraint(condition=models.Q(version__gte=1), name="monthclose_version_from_1"),
        ]

    def __str__(self) -> str:
        return f"{self.year}-{self.month:02d} v{self.version}"

    @property
    def month_key(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


class MonthCloseLine(models.Model):
    """One unit's frozen figures in a month close. A rate is ``done / due``; both are null when
    nothing was due of the unit (no rate, shown as "—")."""

    close = models.ForeignKey(MonthClose, on_delete=models.PROTECT, related_name="lines", verbose_name=_("month close"))
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("unit"))
    execution_done = models.PositiveIntegerField(_("execution: met"), null=True, blank=True)
    execution_due = models.PositiveIntegerField(_("execution: due"), null=True, blank=True)
    reporting_done = models.PositiveIntegerField(_("reporting: met"), null=True, blank=True)
    reporting_due = models.PositiveIntegerField(_("reporting: due"), null=True, blank=True)
    rectification_done = models.PositiveIntegerField(_("rectification: met"), null=True, blank=True)
    rectification_due = models.PositiveIntegerField(_("rectification: due"), null=True, blank=True)
    report_lines_owed = models.PositiveIntegerField(_("report lines owed"), default=0)  # the month's report
    report_status = models.CharField(_("report status"), max_length=10, choices=CloseReportStatus.choices)
    matters_total = models.PositiveIntegerField(_("matters"), default=0)
    matters_completed = models.PositiveIntegerField(_("matters completed"), default=0)
    matters_overdue = models.PositiveIntegerField(_("matters overdue"), default=0)

    class Meta:
        verbose_name = _("month close line")  # 结账数据
        verbose_name_plural = _("month close lines")
        ordering = ["close", "unit__sort_order", "unit_id"]
        constraints = [
            models.UniqueConstraint(fields=["close", "unit"], name="monthcloseline_one_per_unit"),
            models.CheckConstraint(condition=models.Q(execution_done__lte=models.F("execution_due")),
                                   name="monthcloseline_execution_le_due"),
            models.CheckConstraint(condition=models.Q(reporting_done__lte=models.F("reporting_due")),
                                   name="monthcloseline_reporting_le_due"),
            models.CheckConstraint(condition=models.Q(rectification_done__lte=models.F("rectification_due")),
                                   name="monthcloseline_rectification_le_due"),
        ]

    def rate(self, kind: str) -> Rate[None]:
        """The frozen rate ``kind`` (execution, reporting, rectification); no rate when nothing was due."""
        due, done = getattr(self, f"{kind}_due"), getattr(self, f"{kind}_done")
        return Rate(due=due or 0, done=done or 0, shortfall=())

    @property
    def rates(self) -> list[tuple[str, Rate[None]]]:
        return [(k, self.rate(k)) for k in ("execution", "reporting", "rectification")]
