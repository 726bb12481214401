"""Supervised matters (督办事项) and what hangs off them (S2.1–S2.7, S5.1, S1.5, S1.13).

One model for every kind of matter, told apart by its source; exactly one lead unit and one
responsible leader (S2.2); co-units each with their own part and due date (S1.4);
assignment inside a unit to sections and people (S2.5); milestones scheduled backwards
from the deadline (S2.3). Status changes go through ``ducha.matters.actions`` and the
transition table in ``ducha.rules.lifecycle``.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from ducha.org.models import Section, Unit
from ducha.rules.lifecycle import Status as LifecycleStatus


class Source(models.TextChoices):
    KEY_WORK = "key_work", _("Key-work list item")  # 清单事项
    MEETING = "meeting", _("City meeting decision")  # 会议议定事项
    INSTRUCTION = "instruction", _("Leader's written instruction")  # 领导批示
    ASSIGNED = "assigned", _("Assigned matter")  # 交办事项
    NPC_SUGGESTION = "npc_suggestion", _("NPC deputy suggestion")  # 人大代表建议
    CPPCC_PROPOSAL = "cppcc_proposal", _("CPPCC proposal")  # 政协提案
    TV_QUESTIONING = "tv_questioning", _("Televised-questioning issue")  # 电视问政
    UNIT_REQUEST = "unit_request", _("Unit's request to the city government")  # 报请市政府事项


# Suggestions and proposals carry a reply category and the proposer's satisfaction.
PROPOSAL_SOURCES = frozenset({Source.NPC_SUGGESTION, Source.CPPCC_PROPOSAL})


class Status(models.TextChoices):
    DRAFT = LifecycleStatus.DRAFT.value, _("Draft")  # 草稿
    ASSIGNED = LifecycleStatus.ASSIGNED.value, _("Assigned")  # 已交办
    IN_PROGRESS = LifecycleStatus.IN_PROGRESS.value, _("In progress")  # 办理中
    CLAIMED = LifecycleStatus.CLAIMED.value, _("Completion claimed")  # 申请销号
    CLOSED = LifecycleStatus.CLOSED.value, _("Closed")  # 已销号
    SUSPENDED = LifecycleStatus.SUSPENDED.value, _("Suspended")  # 已暂停


class ReplyCategory(models.TextChoices):
    A = "A", _("A: resolved or adopted")  # 已解决或采纳
    B = "B", _("B: being solved or planned")  # 正在解决或列入计划
    C = "C", _("C: kept for reference")  # 留作参考


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", _("Satisfied")  # 满意
    BASICALLY = "basically", _("Basically satisfied")  # 基本满意
    DISSATISFIED = "dissatisfied", _("Dissatisfied")  # 不满意


class Matter(models.Model):
    # No index of its own: matter_year_number (year DESC, number) serves every read by year.
    year = models.PositiveSmallIntegerField(_("ledger year"))  # 台账年度
    number = models.CharField(_("number"), max_length=30, unique=True)  # 编号
    title = models.CharField(_("title"), max_length=200)  # 事项名称
    source = models.CharField(_("source"), max_length=20, choices=Source.choices)  # 来源
    source_ref = models.CharField(_("source reference"), max_length=120, blank=True)  # 文号/会议/批示件
    instructed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("instructed by"),
    )  # 批示领导
    instruction_text = models.TextField(_("instruction"), blank=True)  # 批示内容
    goal = models.TextField(_("goal"))  # 工作目标
    projects = models.TextField(_("supporting projects"), blank=True)  # 支撑项目
    standard = models.TextField(_("work standard"), blank=True)  # 工作标准
    target_quantity = models.DecimalField(
        _("target quantity"), max_digits=14, decimal_places=2, null=True, blank=True
    )  # 定量目标
    target_unit = models.CharField(_("target unit"), max_length=20, blank=True)  # 计量单位
    achieved_quantity = models.DecimalField(
        _("achieved quantity"), max_digits=14, decimal_places=2, null=True, blank=True
    )  # 完成量
    qualitative_standard = models.TextField(_("qualitative standard"), blank=True)  # 定性标准
    responsible_leader = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="led_matters",
        verbose_name=_("responsible leader"),
    )  # 责任领导
    lead_unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="lead_matters", verbose_name=_("lead unit"),
        db_index=False,  # matter_unit_status (lead_unit, status) serves it
    )  # 牵头单位
    # S1.5: the county or department that submitted a request to the city government (unit_request
    # only). It sees the matter it asked for, as its lead and co-units do (docs/decisions/0005).
    requesting_unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="requested_matters",
        verbose_name=_("requesting unit"),
    )  # 报请单位
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    start_date = models.DateField(_("start date"))  # 起始日期 / 收到日期
    due_date = models.DateField(_("due date"), null=True, blank=True)  # 完成时限 (null: 时限待确认)
    # 暂定: the due date was counted over a year the State Council has not announced; it is
    # recomputed, and the lead unit told, when that year's notice is imported.
    due_provisional = models.BooleanField(_("due date provisional"), default=False)
    workday_deadline = models.OneToOneField(
        "workcal.WorkdayDeadline", on_delete=models.PROTECT, null=True, blank=True, related_name="matter",
        verbose_name=_("deadline in working days"),
    )  # S1.13: set from the number of handling departments
    handling_departments = models.PositiveSmallIntegerField(_("handling departments"), null=True, blank=True)
    progress = models.PositiveSmallIntegerField(
        _("progress %"), default=0, validators=[MaxValueValidator(100)]
    )  # 进度
    last_progress_on = models.DateField(_("last progress on"), null=True, blank=True)
    completed_on = models.DateField(_("completed on"), null=True, blank=True)  # 完成日期（申请销号日）
    closed_on = models.DateField(_("closed on"), null=True, blank=True)  # 销号日期
    proposer = models.CharField(_("deputy or member"), max_length=60, blank=True)  # 代表/委员
    reply_category = models.CharField(_("reply category"), max_length=1, choices=ReplyCategory.choices, blank=True)
    satisfaction = models.CharField(_("satisfaction"), max_length=20, choices=Satisfaction.choices, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # Whether the reminder engine (ducha.reminders) holds a check time for this matter in
    # MatterCheck. False for a matter it never looked at and for one it last found not running:
    # the sweep schedules the running ones among them, so a matter assigned, resumed, created
    # or imported by any path is found without a hook. The engine writes it once per status
    # change, never per look (see MatterCheck).
    check_scheduled = models.BooleanField(_("reminder check scheduled"), default=False, editable=False)

    class Meta:
        verbose_name = _("supervised matter")  # 督办事项
        verbose_name_plural = _("supervised matters")
        ordering = ["year", "id"]
        indexes = [
            # The lists' default order (newest year first, then number): pages walk this index
            # instead of sorting the whole table.
            models.Index(fields=["-year", "number"], name="matter_year_number"),
            models.Index(fields=["lead_unit", "status"], name="matter_unit_status"),
            models.Index(fields=["status", "due_date"], name="matter_status_due"),
            # Matters the engine holds no check time for: its sweep finds the running ones (just
            # assigned or resumed) by status through this index without reading the open matters.
            # Keyed by status, not filtered by it: SQLite uses a partial index only when the
            # query repeats its condition term by term, and `status IN (?, ?)` never does.
            models.Index(fields=["status"], name="matter_unscheduled", condition=models.Q(check_scheduled=False)),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(progress__lte=100), name="matter_progress_le_100"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


class MatterCheck(models.Model):
    """When the reminder engine next looks at a matter (S5.1); NULL: nothing can fall due.

    A narrow row of its own rather than a column of ``Matter``: every scan rewrites the check
    time of each matter it looks at, and on the wide, heavily indexed matter row each such
    write was a new row version plus an entry in every index (docs/decisions/0002). Here it
    touches two small indexes. Only rows with a time are in the partial index the scan
    claims from, so it stays as small as the work to do. Written only through
    ``ducha.matters.schedule``."""

    matter = models.OneToOneField(
        Matter, on_delete=models.CASCADE, primary_key=True, related_name="reminder_check", verbose_name=_("matter"),
    )
    next_check_at = models.DateTimeField(_("next reminder check"), null=True, blank=True)

    class Meta:
        verbose_name = _("reminder check")
        verbose_name_plural = _("reminder checks")
        indexes = [
            models.Index(
                fields=["next_check_at"], condition=models.Q(next_check_at__isnull=False), name="matter_next_check"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.matter_id} {self.next_check_at}"


class CoUnitPart(models.Model):
    """A co-unit's own part of a matter, with its own due date (配合单位, S1.4)."""

    # Their own indexes would repeat the leading columns of counitpart_unique (matter, unit) and
    # counitpart_unit_matter (unit, matter); every extra index is paid on each ledger import.
    matter = models.ForeignKey(Matter, on_delete=models.CASCADE, related_name="co_parts", verbose_name=_("matter"),
                               db_index=False)
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="co_parts", verbose_name=_("unit"),
                             db_index=False)
    part = models.TextField(_("part"))  # 配合任务
    due_date = models.DateField(_("due date"))
    progress = models.PositiveSmallIntegerField(_("progress %"), default=0, validators=[MaxValueValidator(100)])
    last_progress_on = models.DateField(_("last progress on"), null=True, blank=True)
    done_on = models.DateField(_("done on"), null=True, blank=True)

    class Meta:
        verbose_name = _("co-unit part")  # 配合单位任务
        verbose_name_plural = _("co-unit parts")
        ordering = ["matter", "id"]
        # (unit, matter): the scope test "is this unit a co-unit of the matter" is an
        # index-only scan, for a unit's lists and a leader's portfolio alike.
        indexes = [models.Index(fields=["unit", "matter"], name="counitpart_unit_matter")]
        constraints = [models.UniqueConstraint(fields=["matter", "unit"], name="counitpart_unique")]

    def __str__(self) -> str:
        return f"{self.matter.number} {self.unit}"


class Assignment(models.Model):
    """Work on a matter given to a section or a named person inside a unit (S2.5)."""

    matter = models.ForeignKey(
        Matter, on_delete=models.CASCADE, related_name="assignments", verbose_name=_("matter")
    )
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("unit"))
    section = models.ForeignKey(
        Section, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("section")
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="assignments",
        verbose_name=_("person"),
    )
    task = models.CharField(_("task"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("assignment")  # 责任分解
        verbose_name_plural = _("assignments")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(section__isnull=False) | models.Q(person__isnull=False),
                name="assignment_section_or_person",
            )
        ]


class Milestone(models.Model):
    """A time node (时间节点), scheduled backwards from the deadline on working days (S2.3)."""

    matter = models.ForeignKey(Matter, on_delete=models.CASCADE, related_name="milestones", verbose_name=_("matter"))
    title = models.CharField(_("title"), max_length=200)
    due_date = models.DateField(_("due date"))
    # 暂定: scheduled over working days of a year not announced yet; rescheduled on import.
    provisional = models.BooleanField(_("provisional"), default=False)
    done_on = models.DateField(_("done on"), null=True, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("milestone")  # 时间节点
        verbose_name_plural = _("milestones")
        ordering = ["matter", "due_date", "sort_order"]


class MatterEvent(models.Model):
    """Every change of a matter: who, when, what, why (the matter's timeline)."""

    matter = models.ForeignKey(Matter, on_delete=models.CASCADE, related_name="events", verbose_name=_("matter"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("actor"),
    )
    action = models.CharField(_("action"), max_length=30)
    from_status = models.CharField(_("from status"), max_length=20, blank=True)
    to_status = models.CharField(_("to status"), max_length=20, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)
    created_at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("matter event")  # 办理记录
        verbose_name_plural = _("matter events")
        ordering = ["matter", "created_at", "id"]


class ExtensionStatus(models.TextChoices):
    PENDING = "pending", _("Pending")  # 待审批
    APPROVED = "approved", _("Approved")  # 已批准
    REFUSED = "refused", _("Refused")  # 不予批准


class ExtensionRequest(models.Model):
    """延期申请: the lead unit asks, the supervision office decides; one open request at a time."""

    matter = models.ForeignKey(Matter, on_delete=models.CASCADE, related_name="extensions", verbose_name=_("matter"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("requested by")
    )
    old_due = models.DateField(_("old due date"), null=True)
    requested_due = models.DateField(_("requested due date"))
    reason = models.TextField(_("reason"))
    status = models.CharField(_("status"), max_length=20, choices=ExtensionStatus.choices, default="pending")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("extension request")  # 延期申请
        verbose_name_plural = _("extension requests")
        constraints = [
            models.UniqueConstraint(
                fields=["matter"], condition=models.Q(status="pending"), name="extension_one_pending"
            )
        ]


class RectificationSource(models.TextChoices):
    RETURNED = "returned", _("Returned for rework")  # 退回整改
    JUNE_CHECK = "june_check", _("June ledger check")  # 6月查账
    NOTICE = "notice", _("Supervision notice")  # 督查通知
    ROUND = "round", _("Supervision round finding")  # 督查发现问题


class Rectification(models.Model):
    """A demand to put something right, counted by the rectification rate (整改率, S2.7)."""

    matter = models.ForeignKey(
        Matter, on_delete=models.CASCADE, related_name="rectifications", verbose_name=_("matter")
    )
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="rectifications", verbose_name=_("unit"))
    source = models.CharField(_("source"), max_length=20, choices=RectificationSource.choices)
    demand = models.TextField(_("demand"))
    due_date = models.DateField(_("due date"))
    # 暂定: counted in working days over a year not announced yet; recomputed on import.
    due_provisional = models.BooleanField(_("due date provisional"), default=False)
    rectified_on = models.DateField(_("rectified on"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("rectification")  # 整改
        verbose_name_plural = _("rectifications")
        ordering = ["due_date", "id"]


class EvidenceKind(models.TextChoices):
    REPORT_LINE = "report_line", _("Monthly report line")  # 月度报告
    CLAIM = "claim", _("Completion claim")  # 申请销号


class Evidence(models.Model):
    """佐证材料: a file a unit attaches to a monthly report line or a completion claim.

    Always optional (减负: nothing asks for it); checked by ``security.uploads`` before it is
    kept, stored under MEDIA_ROOT (so ``ducha backup`` carries it), read by whoever sees the matter.
    """

    matter = models.ForeignKey(Matter, on_delete=models.CASCADE, related_name="evidence", verbose_name=_("matter"))
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("unit"))
    kind = models.CharField(_("attached to"), max_length=20, choices=EvidenceKind.choices)
    month = models.CharField(_("report month"), max_length=7, blank=True)  # "2026-10" for a report line
    file = models.FileField(_("file"), upload_to="evidence/%Y/%m/", max_length=200)
    name = models.CharField(_("file name"), max_length=200)  # as uploaded, shown and used on download
    content_kind = models.CharField(_("file type"), max_length=10)  # decided from the content: pdf, docx, jpg…
    size = models.PositiveBigIntegerField(_("size in bytes"))
    sm3 = models.CharField(_("SM3 digest"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("uploaded by")
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("evidence file")  # 佐证材料
        verbose_name_plural = _("evidence files")
        ordering = ["matter", "uploaded_at", "id"]


class ClassifiedRegistration(models.Model):
    """S5.2 涉密事项登记: a classified matter is handled offline, under the rules for classified
    documents; the platform keeps its reference number and who registered it, nothing else (no
    title, content, unit or date that could tell what it is about)."""

    reference = models.CharField(_("reference number"), max_length=60, unique=True)  # 编号
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("registered by")
    )
    registered_at = models.DateTimeField(_("registered at"), auto_now_add=True)

    class Meta:
        verbose_name = _("classified matter registration")  # 涉密事项登记
        verbose_name_plural = _("classified matter registrations")
        ordering = ["-registered_at", "-id"]

    def __str__(self) -> str:
        return str(_("Classified matter %(reference)s") % {"reference": self.reference})
