"""Reminders, their deliveries and what escalation records (S5.1, S1.4).

A ``Reminder`` is created once per (matter, kind, stage, deadline): the unique key is the
guarantee that two workers, a retried batch or a restarted process never remind twice,
and including the deadline means a moved deadline earns fresh reminders. Each reminder
fans out into ``OutboxMessage`` rows, one per channel and recipient, written in the same
transaction; delivery reads the outbox later, at least once, and the idempotency key
travels with the message so a receiver can drop a repeat.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ducha.inbox.models import Light
from ducha.matters.models import CoUnitPart, Matter
from ducha.org.models import Unit
from ducha.rules.escalation import Action, Kind, LetterReason


class RungAction(models.TextChoices):
    NONE = Action.NONE.value, _("Remind only")  # 仅提醒
    URGE_NOTICE = Action.URGE_NOTICE.value, _("Supervision office issues an urging notice")  # 下发催办单
    ACCOUNTABILITY = Action.ACCOUNTABILITY.value, _("Propose for accountability")  # 提请问责


class EscalationRung(models.Model):
    """One step of the escalation ladder, edited by the system administrator."""

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=60)
    offset_workdays = models.SmallIntegerField(
        _("working days from the due date"), unique=True,
        help_text=_("Negative: before the due date; 0: on the due date; positive: working days overdue."),
    )  # 相对完成时限的工作日数
    to_lead_unit = models.BooleanField(_("lead unit"), default=True)  # 牵头单位
    to_unit_in_charge = models.BooleanField(_("unit's leader in charge"), default=False)  # 单位分管负责人
    to_vice_mayor = models.BooleanField(_("vice mayor in charge"), default=False)  # 分管副市长
    to_supervision_office = models.BooleanField(_("supervision office"), default=False)  # 督查室
    to_mayor = models.BooleanField(_("mayor"), default=False)  # 市长
    light = models.CharField(_("light"), max_length=10, choices=Light.choices, blank=True)
    action = models.CharField(_("action"), max_length=20, choices=RungAction.choices, blank=True)
    urgent = models.BooleanField(
        _("urgent"), default=False, help_text=_("Urgent reminders are sent by SMS even during quiet hours.")
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("escalation rung")  # 督办升级梯级
        verbose_name_plural = _("escalation ladder")
        ordering = ["offset_workdays"]

    def __str__(self) -> str:
        return f"{self.name} ({self.offset_workdays:+d})"


class ReminderKind(models.TextChoices):
    DEADLINE = Kind.DEADLINE.value, _("Deadline")  # 时限提醒
    INACTION = Kind.INACTION.value, _("No progress reported")  # 长期未报进展
    BEHIND = Kind.BEHIND.value, _("Behind schedule")  # 进度滞后
    CO_UNIT = Kind.CO_UNIT.value, _("Slow co-unit")  # 配合单位滞后


class Reminder(models.Model):
    # Indexes cost every insert of the scan: the unique key (matter, …) already serves lookups
    # by matter, and nothing looks reminders up by co-unit part.
    matter = models.ForeignKey(Matter, on_delete=models.CASCADE, related_name="reminders", verbose_name=_("matter"),
                               db_index=False)
    kind = models.CharField(_("kind"), max_length=20, choices=ReminderKind.choices)
    stage = models.CharField(_("stage"), max_length=40)
    deadline = models.DateField(_("deadline"))
    light = models.CharField(_("light"), max_length=10, choices=Light.choices, blank=True)
    action = models.CharField(_("action"), max_length=20, choices=RungAction.choices, blank=True)
    urgent = models.BooleanField(_("urgent"), default=False)
    co_part = models.ForeignKey(
        CoUnitPart, on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("co-unit part"),
        db_index=False,
    )
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"))
    audience = models.CharField(_("audience"), max_length=120, blank=True)  # e.g. "lead_unit,vice_mayor"
    batch = models.CharField(max_length=32, editable=False)  # which scan batch inserted it (SQLite read-back)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("reminder")  # 提醒
        verbose_name_plural = _("reminders")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["matter", "kind", "stage", "deadline"], name="reminder_once"),
        ]

    def __str__(self) -> str:
        return self.title


class ScanFailure(models.Model):
    """A matter the scan could not look at (its data broke the rules or the database refused its
    reminders). It is set aside with a delay that doubles with each failure in a row, so one
    broken matter never holds up the others, and the record goes once a look succeeds."""

    matter = models.OneToOneField(Matter, on_delete=models.CASCADE, primary_key=True, related_name="+",
                                  verbose_name=_("matter"))
    failures = models.PositiveIntegerField(_("failures in a row"))
    error = models.CharField(_("error"), max_length=500)
    failed_at = models.DateTimeField(_("last failed at"))
    retry_at = models.DateTimeField(_("next look at"))

    class Meta:
        verbose_name = _("matter the reminder scan could not check")  # 提醒检查失败的事项
        verbose_name_plural = _("matters the reminder scan could not check")
        ordering = ["-failed_at"]

    def __str__(self) -> str:
        return f"{self.matter_id}: {self.error}"


class Channel(models.TextChoices):
    INBOX = "inbox", _("In-app inbox")  # 站内消息
    EMAIL = "email", _("Email")  # 电子邮件
    SMS = "sms", _("SMS")  # 短信
    DINGTALK = "dingtalk", _("DingTalk robot")  # 钉钉机器人
    WECOM = "wecom", _("WeCom robot")  # 企业微信机器人


ROBOT_CHANNELS = frozenset({Channel.DINGTALK, Channel.WECOM})


class OutboxStatus(models.TextChoices):
    PENDING = "pending", _("Pending")  # 待发送
    SENT = "sent", _("Sent")  # 已发送
    DEAD = "dead", _("Failed permanently")  # 发送失败（死信）


class RobotWebhook(models.Model):
    """A unit's group-chat robot (钉钉 / 企业微信 群机器人), configured by the system administrator."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="robots", verbose_name=_("unit"))
    kind = models.CharField(
        _("kind"), max_length=20, choices=[(Channel.DINGTALK.value, Channel.DINGTALK.label),
                                           (Channel.WECOM.value, Channel.WECOM.label)],
    )
    name = models.CharField(_("name"), max_length=60)
    url = models.CharField(
        _("webhook URL"), max_length=500,
        help_text=_("DingTalk: …/robot/send?access_token=…; WeCom: …/webhook/send?key=…. Treat as a password."),
    )
    secret = models.CharField(
        _("signing secret"), max_length=200, blank=True, help_text=_("DingTalk 加签 secret (SEC…); empty for WeCom.")
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("robot webhook")  # 群机器人
        verbose_name_plural = _("robot webhooks")
        ordering = ["unit", "id"]

    def __str__(self) -> str:
        return f"{self.unit} {self.name}"


class RobotPost(models.Model):
    """One HTTP post to a robot: the record its 20-a-minute limit is counted against, shared by
    every worker on every machine."""

    robot = models.ForeignKey(RobotWebhook, on_delete=models.CASCADE, related_name="posts")
    at = models.DateTimeField()
    items = models.PositiveSmallIntegerField(default=1)

    class Meta:
        indexes = [models.Index(fields=["robot", "at"], name="robotpost_robot_at")]


class OutboxMessage(models.Model):
    reminder = models.ForeignKey(Reminder, on_delete=models.CASCADE, related_name="outbox", verbose_name=_("reminder"))
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    # No index on user/robot: nothing looks messages up by them, and every index costs the scan.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="+",
        verbose_name=_("recipient"), db_index=False,
    )
    robot = models.ForeignKey(
        RobotWebhook, on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("robot"),
        db_index=False,
    )
    address = models.CharField(_("address"), max_length=200, blank=True)  # e-mail or phone at creation
    idempotency_key = models.CharField(_("idempotency key"), max_length=120, unique=True)
    urgent = models.BooleanField(_("urgent"), default=False)
    status = models.CharField(_("status"), max_length=10, choices=OutboxStatus.choices, default=OutboxStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"))
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    receipt = models.JSONField(_("delivery receipt"), default=dict, blank=True)  # 状态报告
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("outbox message")  # 待发消息
        verbose_name_plural = _("outbox")
        indexes = [
            models.Index(fields=["next_attempt_at"], condition=Q(status="pending"), name="outbox_pending_due"),
            models.Index(fields=["address", "sent_at"], condition=Q(channel="sms"), name="outbox_sms_sent"),
        ]

    def __str__(self) -> str:
        return self.idempotency_key


class DeliveryAttempt(models.Model):
    """One try at delivering an outbox message: kept for the system administrator's diagnosis."""

    message = models.ForeignKey(OutboxMessage, on_delete=models.CASCADE, related_name="tries", verbose_name=_("message"))
    at = models.DateTimeField(auto_now_add=True)
    ok = models.BooleanField()
    detail = models.CharField(max_length=500, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["message", "at", "id"]


class ChannelPreference(models.Model):
    """How a person wants to be reached besides the inbox, which is always on."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="channel_preference",
        verbose_name=_("person"),
    )
    email = models.BooleanField(_("by email"), default=True)  # 邮件提醒
    sms = models.BooleanField(_("by SMS"), default=True)  # 短信提醒 (needs a mobile number on file)
    sms_only_urgent = models.BooleanField(_("SMS only for urgent reminders"), default=False)

    class Meta:
        verbose_name = _("reminder channels")  # 提醒方式
        verbose_name_plural = _("reminder channels")


class UrgeNotice(models.Model):
    """催办单: the supervision office's written urging of an overdue matter (recorded, one per deadline)."""

    matter = models.ForeignKey(Matter, on_delete=models.CASCADE, related_name="urge_notices", verbose_name=_("matter"))
    reminder = models.ForeignKey(Reminder, on_delete=models.CASCADE, related_name="+", verbose_name=_("reminder"))
    deadline = models.DateField(_("deadline"))
    issued_on = models.DateField(_("issued on"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("urging notice")  # 催办单
        verbose_name_plural = _("urging notices")
        constraints = [models.UniqueConstraint(fields=["matter", "deadline"], name="urgenotice_once")]


class AccountabilityProposal(models.Model):
    """A matter proposed for accountability (提请问责); deciding it is the accountability register's job."""

    matter = models.ForeignKey(
        Matter, on_delete=models.CASCADE, related_name="accountability_proposals", verbose_name=_("matter")
    )
    reminder = models.ForeignKey(Reminder, on_delete=models.CASCADE, related_name="+", verbose_name=_("reminder"))
    deadline = models.DateField(_("deadline"))
    proposed_on = models.DateField(_("proposed on"))
    reason = models.CharField(_("reason"), max_length=300)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("accountability proposal")  # 问责建议
        verbose_name_plural = _("accountability proposals")
        constraints = [models.UniqueConstraint(fields=["matter", "deadline"], name="accountability_once")]


class LetterReasonChoice(models.TextChoices):
    OVERDUE = LetterReason.OVERDUE.value, _("Co-unit part overdue")  # 配合任务逾期
    NO_UPDATE = LetterReason.NO_UPDATE.value, _("No progress update")  # 长期未更新进展


class LetterProposal(models.Model):
    """S1.4: a proposal that the lead unit send a reminder letter (提醒函) to a slow co-unit."""

    matter = models.ForeignKey(
        Matter, on_delete=models.CASCADE, related_name="letter_proposals", verbose_name=_("matter")
    )
    co_part = models.ForeignKey(CoUnitPart, on_delete=models.CASCADE, related_name="letter_proposals",
                                verbose_name=_("co-unit part"))
    from_unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("from unit"))
    to_unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("to unit"))
    reason = models.CharField(_("reason"), max_length=20, choices=LetterReasonChoice.choices)
    due_date = models.DateField(_("due date"))
    reminder = models.ForeignKey(
        Reminder, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("reminder")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("reminder letter proposal")  # 提醒函建议
        verbose_name_plural = _("reminder letter proposals")
        constraints = [
            models.UniqueConstraint(fields=["co_part", "reason", "due_date"], name="letterproposal_once"),
        ]
