"""The annual ledger (台账, S2.4): its four phases, the flags they raise and the 督查通知.

A ``LedgerYear`` row carries one timestamp column per phase. A phase is run by a guarded
UPDATE on "its column is null and the previous one is not", so it happens once and in
order even when two people confirm at the same moment; the check constraints say the same
to the database. The baseline (January) and final (year end) snapshots are copies of the
year's matters, a ``SnapshotLine`` per matter, frozen so that later edits cannot rewrite what
was agreed or achieved; the year row keeps each snapshot's summary.
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
    # Each snapshot's summary (when taken, how many matters, the counts); its matters are SnapshotLines.
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


class FlagReason(models.TextChoices):
    """Why a matter was found behind (codes of ``ducha.rules.ledger_check``)."""

    BEHIND_SHARE = "behind_share", _("Progress below the working time elapsed")  # 完成进度低于时间进度
    MISSED_MILESTONE = "missed_milestone", _("A time node missed")  # 未按时间节点推进


class ProgressSource(models.TextChoices):
    """Where the progress a check judged came from (its explanation)."""

    SELF_CHECK = "self_check", _("The unit's self-check")  # 单位自查
    REPORT = "report", _("Monthly report")  # 月度报告
    RECORD = "record", _("The matter's record")  # 事项记录
    NONE = "none", _("Nothing recorded by the cut-off")  # 截至当日无记录


class LedgerCheckFlag(models.Model):
    """A matter found behind schedule by the June check or the September reconciliation,
    judged as of ``judged_on`` (the phase's cut-off, or the run day when run before it)."""

    ledger_year = models.ForeignKey(
        LedgerYear, on_delete=models.CASCADE, related_name="flags", verbose_name=_("ledger year")
    )
    phase = models.CharField(_("phase"), max_length=30, choices=Phase.choices)
    matter = models.ForeignKey(Matter, on_delete=models.PROTECT, related_name="ledger_flags", verbose_name=_("matter"))
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="ledger_flags", verbose_name=_("unit"))
    progress = models.PositiveSmallIntegerField(_("progress %"))
    elapsed_share = models.DecimalField(_("time elapsed"), max_digits=5, decimal_places=4)  # 时间进度
    checked_on = models.DateField(_("checked on"))
    judged_on = models.DateField(_("judged as of"), null=True, blank=True)  # 截止日期
    reasons = models.JSONField(_("reasons"), default=list, blank=True)  # FlagReason codes
    missed_milestones = models.JSONField(_("missed time nodes"), default=list, blank=True)  # [{"title", "due"}]
    progress_source = models.CharField(_("progress from"), max_length=20, choices=ProgressSource.choices, blank=True)
    progress_month = models.CharField(_("report month"), max_length=7, blank=True)  # "2026-06" for a report line
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

    @property
    def reason_labels(self) -> list[str]:
        return [str(FlagReason(r).label) for r in self.reasons if r in FlagReason.values]


class SelfCheck(models.Model):
    """A unit's self-check (自查) before the June check: it confirms, or corrects, the progress
    of the matters it leads, in one step ("在各地各部门自查的基础上", S2.4). No evidence is
    asked for (减负); a figure lowered below the record needs a reason."""

    ledger_year = models.ForeignKey(
        LedgerYear, on_delete=models.CASCADE, related_name="self_checks", verbose_name=_("ledger year")
    )
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="ledger_self_checks", verbose_name=_("unit"))
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("confirmed by")
    )
    confirmed_at = models.DateTimeField(_("confirmed at"))

    class Meta:
        verbose_name = _("self-check")  # 自查
        verbose_name_plural = _("self-checks")
        ordering = ["unit__sort_order", "unit_id"]
        constraints = [models.UniqueConstraint(fields=["ledger_year", "unit"], name="selfcheck_one_per_unit_year")]

    def __str__(self) -> str:
        return f"{self.ledger_year.year} {self.unit}"


class SelfCheckLine(models.Model):
    """One matter of a self-check: the progress on record then, and the figure the unit confirmed."""

    self_check = models.ForeignKey(SelfCheck, on_delete=models.CASCADE, related_name="lines",
                                   verbose_name=_("self-check"))
    matter = models.ForeignKey(Matter, on_delete=models.PROTECT, related_name="+", verbose_name=_("matter"))
    recorded = models.PositiveSmallIntegerField(_("progress on record %"))  # 记录进度
    confirmed = models.PositiveSmallIntegerField(_("confirmed progress %"))  # 确认进度
    reason = models.CharField(_("reason for a lower figure"), max_length=300, blank=True)  # 调低理由

    class Meta:
        verbose_name = _("self-check line")  # 自查事项
        verbose_name_plural = _("self-check lines")
        ordering = ["self_check", "matter_id"]
        constraints = [
            models.UniqueConstraint(fields=["self_check", "matter"], name="selfcheckline_one_per_matter"),
            models.CheckConstraint(condition=Q(confirmed__lte=100), name="selfcheckline_confirmed_le_100"),
        ]


class CloseOutcome(models.TextChoices):
    """What the year-end close does with a matter still open (年底交账)."""

    CARRY_OVER = "carry_over", _("Carried over to next year's ledger")  # 结转下年台账
    NOT_DONE = "not_done", _("Closed in the ledger as not done")  # 按未完成交账


class SnapshotKind(models.TextChoices):
    BASELINE = "baseline", _("Baseline")  # 年初基数
    FINAL = "final", _("Final state")  # 年底结果


class SnapshotLine(models.Model):
    """One matter of a ledger year's frozen snapshot, as it was when the snapshot was taken.

    Written in chunks as the matters are read, so a snapshot never sits in memory whole;
    ``matter_id`` is a plain number, not a key, because the line records what was.
    """

    ledger_year = models.ForeignKey(LedgerYear, on_delete=models.CASCADE, related_name="snapshot_lines",
                                    verbose_name=_("ledger year"))
    kind = models.CharField(_("snapshot"), max_length=10, choices=SnapshotKind.choices)
    matter_id = models.BigIntegerField(_("matter id"))
    data = models.JSONField(_("data"))

    class Meta:
        verbose_name = _("snapshot line")  # 台账快照行
        verbose_name_plural = _("snapshot lines")
        constraints = [models.UniqueConstraint(fields=["ledger_year", "kind", "matter_id"],
                                               name="snapshotline_once")]


class CarryOver(models.Model):
    """A matter still open at the year-end close that the next year's ledger takes over."""

    ledger_year = models.ForeignKey(
        LedgerYear, on_delete=models.PROTECT, related_name="carry_overs", verbose_name=_("closed ledger year")
    )
    matter = models.ForeignKey(Matter, on_delete=models.PROTECT, related_name="ledger_carry_overs",
                               verbose_name=_("matter"))
    to_year = models.PositiveSmallIntegerField(_("carried into"), db_index=True)  # 结转年度

    class Meta:
        verbose_name = _("carried-over matter")  # 结转事项
        verbose_name_plural = _("carried-over matters")
        constraints = [models.UniqueConstraint(fields=["matter", "to_year"], name="carryover_once_per_year")]


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting")  # 等待
    RUNNING = "running", _("Running")  # 进行中
    CHECKED = "checked", _("Checked, waiting for confirmation")  # 已检查，待确认
    CONFIRMED = "confirmed", _("Confirmed, waiting to be written")  # 已确认，待写入
    FAILED = "failed", _("Refused")  # 未导入
    DONE = "done", _("Imported")  # 已导入


class LedgerImportJob(models.Model):
    """An uploaded ledger being imported; the page polls its progress columns.

    Two runs of the worker: the check (queued → checked or failed), then, once the office has
    read the check's result and confirmed, the write (confirmed → done or failed), which checks
    the file again against the database as it is then.
    """

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
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True,
        verbose_name=_("confirmed by"),
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("ledger import")  # 台账导入
        verbose_name_plural = _("ledger imports")
        ordering = ["-created_at", "-id"]

    @property
    def percent(self) -> int:
        return round(100 * self.rows_done / self.rows_total) if self.rows_total else 0
