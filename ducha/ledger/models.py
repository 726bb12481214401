"""The annual ledger (台账, S2.4): its four phases, the flags they raise and the 督查通知.

A ``LedgerYear`` row carries one timestamp column per phase. A phase is run by a guarded
UPDATE on "its column is null and the previous one is not", so it happens once and in
order even when two people confirm at the same moment; the check constraints say the same
to the database. The baseline (January) and final (year end) snapshots are JSON copies of
the year's matters, frozen so that later edits cannot rewrite what was agreed or achieved.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ducha.matters.models import Matter, Rectification
from ducha.org.models import Unit


class Phase(models.TextChoices):
    BUILD = "build", _("Ledger built")  # 年初建账
    JUNE_CHECK = "june_check", _("June check")  # 6月查账
    RECONCILIATION = "september_reconciliation", _("September reconciliation")  # 9月对账
    CLOSE = "year_end_close", _("Year-end close")  # 年底交账
    IMPORT = "import", _("Excel import")  # 导入台账


class LedgerYear(models.Model):
    year = models.PositiveSmallIntegerField(_("year"), unique=True)  # 年度
    built_at = models.DateTimeField(_("built at"), null=True, blank=True)
    built_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("built by"),
    )
    june_checked_at = models.DateTimeField(_("June check at"), null=True, blank=True)
    june_checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("June check by"),
    )
    reconciled_at = models.DateTimeField(_("reconciled at"), null=True, blank=True)
    reconciled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("reconciled by"),
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("closed by"),
    )
    baseline = models.JSONField(_("baseline snapshot"), null=True, blank=True)  # 年初基数
    final = models.JSONField(_("final snapshot"), null=True, blank=True)  # 年底结果
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("ledger year")  # 台账年度
        verbose_name_plural = _("ledger years")
        ordering = ["-year"]
        constraints = [
            models.CheckConstraint(
                condition=Q(june_checked_at__isnull=True) | Q(built_at__isnull=False), name="ledger_june_after_build"
            ),
            models.CheckConstraint(
                condition=Q(reconciled_at__isnull=True) | Q(june_checked_at__isnull=False),
                name="ledger_reconcile_after_june",
            ),
            models.CheckConstraint(
                condition=Q(closed_at__isnull=True) | Q(reconciled_at__isnull=False), name="ledger_close_after_reconcile"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year}年台账"

    def done_phases(self) -> frozenset[str]:
        columns = {
            Phase.BUILD: self.built_at, Phase.JUNE_CHECK: self.june_checked_at,
            Phase.RECONCILIATION: self.reconciled_at, Phase.CLOSE: self.closed_at,
        }
        return frozenset(str(k) for k, v in columns.items() if v is not None)

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None


class LedgerEvent(models.Model):
    """One row per phase run or import: who, when, and the counts it produced."""

    ledger_year = models.ForeignKey(
        LedgerYear, on_delete=models.CASCADE, related_name="events", verbose_name=_("ledger year")
    )
    phase = models.CharField(_("phase"), max_length=30, choices=Phase.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("actor"),
    )
    counts = models.JSONField(_("counts"), default=dict, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("ledger event")  # 台账记录
        verbose_name_plural = _("ledger events")
        ordering = ["-created_at", "-id"]


class SupervisionNotice(models.Model):
    """督查通知 to one unit behind schedule at the September reconciliation (S2.4)."""

    ledger_year = models.ForeignKey(
        LedgerYear, on_delete=models.PROTECT, related_name="notices", verbose_name=_("ledger year")
    )
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="supervision_notices", verbose_name=_("unit"))
    number = models.CharField(_("document number"), max_length=40, unique=True)  # 发文字号
    prefix = models.CharField(_("issuer code"), max_length=20)
    doc_year = models.PositiveSmallIntegerField(_("document year"))
    sequence = models.PositiveIntegerField(_("sequence"))
    title = models.CharField(_("title"), max_length=200)
    matters = models.ManyToManyField(Matter, related_name="supervision_notices", verbose_name=_("matters"))
    rectify_by = models.DateField(_("rectify by"))  # 整改时限
    docx_file = models.FileField(_("Word file"), upload_to="documents/", max_length=200, blank=True)
    pdf_file = models.FileField(_("PDF file"), upload_to="documents/", max_length=200, blank=True)
    render_error = models.CharField(_("rendering problem"), max_length=300, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("issued by")
    )
    issued_at = models.DateTimeField(_("issued at"))
    delivered_at = models.DateTimeField(_("delivered at"))  # 送达
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)  # 签收/查阅
    read_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("read by"),
    )

    class Meta:
        verbose_name = _("supervision notice")  # 督查通知
        verbose_name_plural = _("supervision notices")
        ordering = ["-doc_year", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["ledger_year", "unit"], name="notice_one_per_unit_year"),
            models.UniqueConstraint(fields=["prefix", "doc_year", "sequence"], name="notice_unique_sequence"),
        ]

    def __str__(self) -> str:
        return self.number


class LedgerCheckFlag(models.Model):
    """A matter found behind schedule ("time half, task half") by the June check or in September."""

    ledger_year = models.ForeignKey(
        LedgerYear, on_delete=models.CASCADE, related_name="flags", verbose_name=_("ledger year")
    )
    phase = models.CharField(_("phase"), max_length=30, choices=Phase.choices)
    matter = models.ForeignKey(Matter, on_delete=models.PROTECT, related_name="ledger_flags", verbose_name=_("matter"))
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="ledger_flags", verbose_name=_("unit"))
    progress = models.PositiveSmallIntegerField(_("progress %"))
    elapsed_share = models.DecimalField(_("time elapsed"), max_digits=5, decimal_places=4)  # 时间进度
    checked_on = models.DateField(_("checked on"))
    rectification = models.OneToOneField(
        Rectification, on_delete=models.PROTECT, null=True, blank=True, related_name="ledger_flag",
        verbose_name=_("rectification"),
    )
    notice = models.ForeignKey(
        SupervisionNotice, on_delete=models.PROTECT, null=True, blank=True, related_name="flags",
        verbose_name=_("supervision notice"),
    )

    class Meta:
        verbose_name = _("ledger check flag")  # 查账滞后事项
        verbose_name_plural = _("ledger check flags")
        ordering = ["unit__sort_order", "unit_id", "matter_id"]
        constraints = [
            models.UniqueConstraint(fields=["ledger_year", "phase", "matter"], name="ledgerflag_unique"),
        ]
        indexes = [models.Index(fields=["ledger_year", "phase", "unit"], name="ledgerflag_year_phase_unit")]


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting")  # 等待
    RUNNING = "running", _("Running")  # 进行中
    FAILED = "failed", _("Refused")  # 未导入
    DONE = "done", _("Imported")  # 已导入


class LedgerImportJob(models.Model):
    """An uploaded ledger being imported; the page polls its progress columns."""

    year = models.PositiveSmallIntegerField(_("year"))
    file = models.FileField(_("file"), upload_to="ledger-imports/", max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    status = models.CharField(_("status"), max_length=20, choices=JobStatus.choices, default=JobStatus.QUEUED)
    stage = models.CharField(_("stage"), max_length=40, blank=True)
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    rows_done = models.PositiveIntegerField(_("rows done"), default=0)
    errors = models.JSONField(_("errors"), default=list, blank=True)
    error_count = models.PositiveIntegerField(_("error count"), default=0)
    counts = models.JSONField(_("counts"), default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("uploaded by")
    )
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("ledger import")  # 台账导入
        verbose_name_plural = _("ledger imports")
        ordering = ["-created_at", "-id"]

    @property
    def percent(self) -> int:
        return round(100 * self.rows_done / self.rows_total) if self.rows_total else 0
