"""Applications (办件, S3.3, S3.4): from 收件 to decision, on the working-day calendar.

An application keeps the catalogue version it was received under. Its dates are facts (the day
received, the day accepted, each pause's notice and end, the extension's approval); its due
dates are computed from them by ``rules.approvals`` and never typed in. Every step is an
``Event`` row; each document (受理通知书, 一次性告知书, 不予受理决定书, 准予/不予行政许可决定书) is a
``Document`` numbered from the one register.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from ducha.approvals.models_catalogue import FlowStep, ItemVersion, Material
from ducha.org.models import Unit

__all__ = [
    "Application",
    "ApplicationMaterial",
    "ApplicationState",
    "Channel",
    "Document",
    "DocumentKind",
    "Event",
    "MaterialState",
    "Notice",
    "Pause",
    "PauseReason",
    "StepRecord",
    "StepState",
]


class Channel(models.TextChoices):
    WINDOW = "window", _("At the window")  # 窗口
    PORTAL = "portal", _("Online")  # 网上申请


class ApplicationState(models.TextChoices):
    RECEIVED = "received", pgettext_lazy("approval", "Received")  # 已收件 (材料审查中)
    NOTIFIED = "notified", _("Materials to be completed")  # 补正中 (一次性告知)
    ACCEPTED = "accepted", _("Accepted")  # 已受理 (审查中)
    PAUSED = "paused", _("Clock paused")  # 特别程序 (不计时)
    GRANTED = "granted", _("Granted")  # 准予许可
    REFUSED = "refused", pgettext_lazy("approval", "Refused")  # 不予许可
    NOT_ACCEPTED = "not_accepted", _("Not accepted")  # 不予受理
    WITHDRAWN = "withdrawn", _("Withdrawn")  # 撤回


OPEN_STATES = (ApplicationState.RECEIVED, ApplicationState.NOTIFIED, ApplicationState.ACCEPTED,
               ApplicationState.PAUSED)


class Application(models.Model):
    receipt_number = models.CharField(_("receipt number"), max_length=40, unique=True)  # 收件编号
    version = models.ForeignKey(ItemVersion, on_delete=models.PROTECT, related_name="applications",
                                verbose_name=_("item version"))
    area = models.ForeignKey(Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                             verbose_name=_("area"))  # the applicant's county or zone; null: the city
    handling_unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+",
                                      verbose_name=_("handling unit"))  # by the item's delegation
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices, default=Channel.WINDOW)
    state = models.CharField(_("state"), max_length=15, choices=ApplicationState.choices,
                             default=ApplicationState.RECEIVED)
    # the applicant (申请人): a person or an organisation
    applicant_name = models.CharField(_("applicant"), max_length=200)
    applicant_id = models.CharField(_("ID or credit code"), max_length=40)  # 身份证号 / 统一社会信用代码
    applicant_phone = models.CharField(_("phone"), max_length=20)
    project = models.CharField(_("project"), max_length=200, blank=True)  # 项目名称
    # joint approval (S3.4): why it qualified, the figure behind it, and the items reviewed
    # together (``version`` is then the lead item); one list, one fee sheet, one decision
    joint = models.BooleanField(_("joint approval"), default=False)
    members = models.ManyToManyField(ItemVersion, blank=True, related_name="joint_applications",
                                     verbose_name=_("items reviewed together"))
    joint_reason = models.CharField(_("why joint"), max_length=20, blank=True)  # key_provincial / key_city / investment / designated
    investment = models.DecimalField(_("investment (yuan)"), max_digits=16, decimal_places=2, null=True, blank=True)
    # 首问负责: who received it answers the applicant until it ends; a handover is an event
    # 外网反馈: the applicant follows it on the public site with the receipt number and a query
    # code, of which only the hash is kept; an online application names its submission
    query_code_hash = models.CharField(_("query code (hash)"), max_length=200, blank=True)
    submission_reference = models.CharField(_("online submission"), max_length=40, blank=True)
    first_officer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                      verbose_name=_("first-contact officer"))
    received_on = models.DateField(_("received on"))
    received_at = models.DateTimeField(_("received at"))
    accepted_on = models.DateField(_("accepted on"), null=True, blank=True)
    deemed_accepted = models.BooleanField(_("accepted by law"), default=False)  # art. 32, no notice in time
    # extension (art. 42): working days added, who approved it and when the applicant was told
    extension_days = models.PositiveSmallIntegerField(_("extension (working days)"), default=0)
    extension_reason = models.TextField(_("reason for the extension"), blank=True)
    extension_approved_by = models.CharField(_("extension approved by"), max_length=100, blank=True)
    extension_approved_on = models.DateField(_("extension approved on"), null=True, blank=True)
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    decision_reason = models.TextField(pgettext_lazy("approval", "reasons"), blank=True)
    # the reminder loop's claim: the next day the electronic supervision looks at it again
    next_check_on = models.DateField(_("next check on"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("application")  # 办件
        verbose_name_plural = _("applications")
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["next_check_on"], condition=Q(next_check_on__isnull=False),
                         name="approval_app_next_check"),
            models.Index(fields=["handling_unit", "state"], name="approval_app_unit_state"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(accepted_on__isnull=True) | Q(accepted_on__gte=models.F("received_on")),
                                   name="approval_accepted_after_received"),
        ]

    def __str__(self) -> str:
        return self.receipt_number


class MaterialState(models.TextChoices):
    PENDING = "pending", _("Not yet checked")  # 待审查
    OK = "ok", _("Complete")  # 齐全
    MISSING = "missing", pgettext_lazy("approval", "Missing")  # 缺少
    WRONG = "wrong", _("Not in the required form")  # 不符合法定形式


class ApplicationMaterial(models.Model):
    """A material of the application's list as handed in, and what the check found."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="materials",
                                    verbose_name=_("application"))
    material = models.ForeignKey(Material, on_delete=models.PROTECT, related_name="+", verbose_name=_("material"))
    state = models.CharField(_("state"), max_length=10, choices=MaterialState.choices, default=MaterialState.PENDING)
    problem = models.CharField(_("what is wrong"), max_length=300, blank=True)
    submitted_on = models.DateField(_("submitted on"), null=True, blank=True)  # last handed in
    file = models.FileField(_("file"), upload_to="approvals/materials/%Y/", blank=True)

    class Meta:
        verbose_name = _("application material")
        verbose_name_plural = _("application materials")
        ordering = ["application", "material__position"]
        constraints = [
            models.UniqueConstraint(fields=["application", "material"], name="approval_app_material_unique"),
        ]


class Notice(models.Model):
    """一次性告知书: every missing or wrong material at once (art. 32). A later notice may only
    concern materials handed in after the one before."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="notices",
                                    verbose_name=_("application"))
    sequence = models.PositiveSmallIntegerField(_("sequence"))
    given_on = models.DateField(_("given on"))
    items = models.JSONField(_("items"))  # [{"material": id, "code", "name", "state", "problem"}], frozen
    given_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("given by"))
    completed_on = models.DateField(_("completed on"), null=True, blank=True)  # the last missing material came in

    class Meta:
        verbose_name = _("one-time notice")  # 一次性告知书
        verbose_name_plural = _("one-time notices")
        ordering = ["application", "sequence"]
        constraints = [models.UniqueConstraint(fields=["application", "sequence"], name="approval_notice_seq")]


class PauseReason(models.TextChoices):
    # art. 45: the time these take is not counted
    HEARING = "hearing", _("Hearing")  # 听证
    TENDER = "tender", _("Tender")  # 招标
    AUCTION = "auction", _("Auction")  # 拍卖
    TEST = "test", _("Testing")  # 检验
    MEASUREMENT = "measurement", _("Measurement")  # 检测
    QUARANTINE = "quarantine", _("Quarantine")  # 检疫
    APPRAISAL = "appraisal", _("Technical appraisal")  # 鉴定
    EXPERT_REVIEW = "expert_review", _("Expert review")  # 专家评审


class Pause(models.Model):
    """An excluded period (art. 45), only with the applicant told in writing how long it needs."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="pauses",
                                    verbose_name=_("application"))
    reason = models.CharField(_("reason"), max_length=20, choices=PauseReason.choices)
    started_on = models.DateField(_("from"))
    expected_days = models.PositiveSmallIntegerField(_("expected working days"))
    notice_text = models.TextField(_("written notice to the applicant"))
    ended_on = models.DateField(_("until"), null=True, blank=True)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("started by"))

    class Meta:
        verbose_name = _("pause")  # 特别程序 (不计算在期限内)
        verbose_name_plural = _("pauses")
        ordering = ["application", "started_on", "id"]
        constraints = [
            # one running pause at a time
            models.UniqueConstraint(fields=["application"], condition=Q(ended_on__isnull=True),
                                    name="approval_one_running_pause"),
        ]


class StepState(models.TextChoices):
    WAITING = "waiting", _("Waiting")  # 未开始
    RUNNING = "running", _("In progress")  # 办理中
    DONE = "done", _("Done")  # 已完成


class StepRecord(models.Model):
    """A flow step of an accepted application: its department's part, on its own clock."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="steps",
                                    verbose_name=_("application"))
    step = models.ForeignKey(FlowStep, on_delete=models.PROTECT, related_name="+", verbose_name=_("flow step"))
    state = models.CharField(_("state"), max_length=10, choices=StepState.choices, default=StepState.WAITING)
    started_on = models.DateField(_("started on"), null=True, blank=True)
    finished_on = models.DateField(_("finished on"), null=True, blank=True)
    opinion = models.TextField(_("opinion"), blank=True)  # 审查意见
    handled_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("handled by"))

    class Meta:
        verbose_name = _("step record")  # 办理环节
        verbose_name_plural = _("step records")
        ordering = ["application", "step__order", "id"]
        constraints = [models.UniqueConstraint(fields=["application", "step"], name="approval_step_once")]


class DocumentKind(models.TextChoices):
    ACCEPTANCE = "acceptance", _("Notice of acceptance")  # 受理通知书
    NOTICE = "notice", _("One-time notice of missing materials")  # 一次性告知书
    NOT_ACCEPTED = "not_accepted", _("Decision not to accept")  # 不予受理决定书
    GRANT = "grant", _("Licensing decision")  # 准予行政许可决定书
    REFUSAL = "refusal", _("Decision to refuse a licence")  # 不予行政许可决定书


class Document(models.Model):
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="documents",
                                    verbose_name=_("application"))
    kind = models.CharField(_("kind"), max_length=15, choices=DocumentKind.choices)
    notice = models.OneToOneField(Notice, on_delete=models.CASCADE, null=True, blank=True, related_name="document",
                                  verbose_name=_("one-time notice"))
    number = models.CharField(_("document number"), max_length=60)
    issued_on = models.DateField(_("issued on"))
    docx = models.FileField(_("Word file"), upload_to="documents/approvals/%Y/", blank=True)
    pdf = models.FileField(_("PDF file"), upload_to="documents/approvals/%Y/", blank=True)
    render_error = models.CharField(_("rendering error"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("approval document")  # 审批文书
        verbose_name_plural = _("approval documents")
        ordering = ["application", "issued_on", "id"]
        constraints = [models.UniqueConstraint(fields=["number"], name="approval_document_number_unique")]


class Event(models.Model):
    """Every step of an application, as it happened (收件, 告知, 补正, 受理, 移交, 暂停, 恢复, 延期, 决定…)."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="events",
                                    verbose_name=_("application"))
    kind = models.CharField(_("kind"), max_length=30)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                              related_name="+", verbose_name=_("by"))  # null: the platform itself
    at = models.DateTimeField(_("at"))
    on = models.DateField(_("on"))  # the working day it counts for
    detail = models.JSONField(_("detail"), default=dict, blank=True)

    class Meta:
        verbose_name = _("application event")
        verbose_name_plural = _("application events")
        ordering = ["application", "at", "id"]
        constraints = [
            # the platform's own steps (deemed acceptance, say) happen once
            models.UniqueConstraint(fields=["application", "kind"], condition=Q(actor__isnull=True),
                                    name="approval_event_platform_once"),
        ]
