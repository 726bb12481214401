"""The accountability register (问责登记, S1.16).

A ``Record`` is one decision holding a unit's leaders to account: who, why (a matter, or a
cause in words), in which form of the 问责条例, by which body, under which document number and
on which day. Records are counted per unit in a window (``DUCHA_ACCOUNTABILITY_WINDOW``); the
ladder (``ducha.rules.accountability``) turns the count into ``Consequence`` rows, one per
person held to account: the second record raises an admonishment talk (诫勉谈话), the third and
later a referral for a sanction (处分). A unit may appeal a record; an upheld appeal revokes it
and the consequences it no longer supports are withdrawn with the reason. Nothing is deleted.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ducha.matters.models import Matter
from ducha.org.models import Unit


class Conduct(models.TextChoices):
    """S1.14: the three kinds of inefficiency an inspection looks for."""

    INACTION = "inaction", _("Inaction")  # 不作为
    SLOW = "slow", _("Slow action")  # 慢作为
    MISCONDUCT = "misconduct", _("Misconduct")  # 乱作为


class CaseSource(models.TextChoices):
    ROUND = "round", _("A supervision round")  # 督查发现
    COMPLAINT = "complaint", _("A complaint")  # 群众投诉
    RATING = "rating", _("A bad public rating")  # 差评
    PLATFORM = "platform", _("Proposed by the platform")  # 平台提示
    LAWFUL_CHECK = "lawful_check", _("A lawful-administration check")  # 依法行政检查
    APPROVAL_CARD = "approval_card", _("An approval supervision card")  # 电子监察 黄牌/红牌
    APPROVAL_RATING = "approval_rating", _("An unrectified bad rating of an application")  # 差评逾期未整改


class CaseState(models.TextChoices):
    LEAD = "lead", _("Lead")  # 线索
    VERIFYING = "verifying", _("Being verified")  # 核查
    CONFIRMED = "confirmed", _("Confirmed")  # 认定
    NOT_CONFIRMED = "not_confirmed", _("Not confirmed")  # 不予认定
    HANDLED = "handled", _("Handled")  # 处理


class Case(models.Model):
    """效能问题线索/案件 (S1.14): a lead of inaction, slow action or misconduct, opened by a person
    (from a round, a complaint, a bad rating, or the platform's proposal), verified, confirmed or
    not (with reasons), then handled; each step is a ``CaseStep`` with who and when."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="efficiency_cases", verbose_name=_("unit"))
    matter = models.ForeignKey(Matter, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                               verbose_name=_("matter"))
    conduct = models.CharField(_("conduct"), max_length=12, choices=Conduct.choices)
    source = models.CharField(_("source"), max_length=16, choices=CaseSource.choices)
    summary = models.TextField(_("what was found"))  # 问题线索
    evidence = models.TextField(_("evidence"), blank=True)  # 证据材料（说明）
    state = models.CharField(_("state"), max_length=14, choices=CaseState.choices, default=CaseState.LEAD)
    finding = models.TextField(_("finding"), blank=True)  # 认定意见 / 不予认定理由
    handling = models.TextField(_("handling"), blank=True)  # 处理结果
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("opened by"))
    opened_at = models.DateTimeField(_("opened at"), auto_now_add=True)

    class Meta:
        verbose_name = _("efficiency case")  # 效能问题案件
        verbose_name_plural = _("efficiency cases")
        ordering = ["-opened_at", "-id"]
        constraints = [
            # One open case per matter: the platform proposes a matter again only once it is closed.
            models.UniqueConstraint(fields=["matter"], condition=Q(matter__isnull=False) & Q(
                state__in=["lead", "verifying", "confirmed"]), name="case_one_open_per_matter"),
        ]

    def __str__(self) -> str:
        return f"{self.pk} {self.unit_id} {self.state}"


class ProposalDismissal(models.Model):
    """The office saw the platform's proposal (a reminder of the ladder's last rung, or of no
    progress reported) and opened no case: the same reminder is not proposed again."""

    reminder = models.OneToOneField("reminders.Reminder", on_delete=models.CASCADE, related_name="+",
                                    verbose_name=_("reminder"))
    reason = models.TextField(_("reason"))
    dismissed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("dismissed by"))
    dismissed_at = models.DateTimeField(_("dismissed at"), auto_now_add=True)

    class Meta:
        verbose_name = _("dismissed proposal")  # 不立案的提示
        verbose_name_plural = _("dismissed proposals")


class CaseStep(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="steps", verbose_name=_("case"))
    to_state = models.CharField(_("to state"), max_length=14, choices=CaseState.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("by"))
    note = models.TextField(_("note"), blank=True)
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("case step")  # 案件办理记录
        verbose_name_plural = _("case steps")
        ordering = ["at", "id"]


class Form(models.TextChoices):
    """The forms of accountability for leading cadres (问责条例 art. 8)."""

    NOTICE = "notice", _("Circulated criticism")  # 通报
    ADMONISHMENT = "admonishment", _("Admonishment")  # 诫勉
    ORGANISATIONAL = "organisational", _("Organisational adjustment or handling")  # 组织调整或者组织处理
    DISCIPLINE = "discipline", _("Referral for discipline")  # 纪律处分（移送）


class Cause(models.TextChoices):
    MATTER = "matter", _("A supervised matter")  # 督办事项
    FINDING = "finding", _("A supervision finding")  # 督查发现的问题
    CASE = "case", _("An efficiency case")  # 效能问题案件
    OTHER = "other", _("Other")  # 其他


class Appeal(models.TextChoices):
    NONE = "", _("No appeal")  # 未申诉
    PENDING = "pending", _("Appeal pending")  # 申诉中
    UPHELD = "upheld", _("Appeal upheld: record revoked")  # 申诉成立，撤销
    DISMISSED = "dismissed", _("Appeal dismissed")  # 申诉不成立，维持


class Record(models.Model):
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="accountability_records",
                             verbose_name=_("unit"))
    people = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="accountability_records",
                                    verbose_name=_("people held to account"))
    cause = models.CharField(_("cause"), max_length=10, choices=Cause.choices)
    matter = models.ForeignKey(Matter, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                               verbose_name=_("matter"))
    case = models.ForeignKey(Case, on_delete=models.PROTECT, null=True, blank=True, related_name="records",
                             verbose_name=_("efficiency case"))
    reason = models.TextField(_("what was wrong"))  # 问责事由
    form = models.CharField(_("form"), max_length=20, choices=Form.choices)  # 问责方式
    deciding_body = models.CharField(_("deciding body"), max_length=100)  # 决定机关
    document_number = models.CharField(_("decision number"), max_length=60)  # 决定文号
    decided_on = models.DateField(_("decided on"))  # 决定日期
    appeal = models.CharField(_("appeal"), max_length=10, choices=Appeal.choices, blank=True, default="")
    appeal_reason = models.TextField(_("grounds of appeal"), blank=True)  # 申诉理由
    appealed_at = models.DateTimeField(_("appealed at"), null=True, blank=True)
    appeal_answer = models.TextField(_("answer to the appeal"), blank=True)  # 申诉复查意见
    appeal_decided_at = models.DateTimeField(_("appeal decided at"), null=True, blank=True)
    revoked = models.BooleanField(_("revoked"), default=False)  # 已撤销
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("registered by"))
    created_at = models.DateTimeField(_("registered at"), auto_now_add=True)

    class Meta:
        verbose_name = _("accountability record")  # 问责记录
        verbose_name_plural = _("accountability records")
        ordering = ["-decided_on", "-id"]
        indexes = [models.Index(fields=["unit", "decided_on"], name="accrecord_unit_day")]
        constraints = [
            models.CheckConstraint(condition=~Q(cause="matter") | Q(matter__isnull=False), name="accrecord_matter_named"),
            models.CheckConstraint(condition=~Q(cause="case") | Q(case__isnull=False), name="accrecord_case_named"),
            models.CheckConstraint(condition=Q(revoked=False) | Q(appeal="upheld"), name="accrecord_revoked_by_appeal"),
        ]

    def __str__(self) -> str:
        return f"{self.document_number} {self.unit_id}"


class Rung(models.TextChoices):
    TALK = "admonishment_talk", _("Admonishment talk")  # 诫勉谈话
    REFERRAL = "sanction_referral", _("Referral for a sanction")  # 建议给予处分


class ConsequenceState(models.TextChoices):
    DUE = "due", _("To be carried out")  # 待落实
    DONE = "done", _("Carried out")  # 已落实
    NOT_ADOPTED = "not_adopted", _("Not adopted")  # 未采纳
    WITHDRAWN = "withdrawn", _("Withdrawn")  # 已撤回


class Sanction(models.TextChoices):
    """政务处分法 art. 7; 行政机关公务员处分条例 art. 6."""

    WARNING = "warning", _("Warning")  # 警告
    DEMERIT = "demerit", _("Demerit")  # 记过
    MAJOR_DEMERIT = "major_demerit", _("Major demerit")  # 记大过
    DEMOTION = "demotion", _("Demotion")  # 降级
    DISMISSAL = "dismissal", _("Dismissal from post")  # 撤职
    EXPULSION = "expulsion", _("Expulsion")  # 开除


class Consequence(models.Model):
    """What the ladder raised for one person: a task with a deadline for the organisation
    department, then its outcome. ``records`` are the ids of the records counted with it."""

    raised_by = models.ForeignKey(Record, on_delete=models.PROTECT, related_name="consequences",
                                  verbose_name=_("raised by"))
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("person"))
    rung = models.CharField(_("consequence"), max_length=20, choices=Rung.choices)
    count = models.PositiveSmallIntegerField(_("records in the window"))
    records = models.JSONField(_("records counted"))
    window_start = models.DateField(_("window from"))
    window_end = models.DateField(_("window to"))
    due_on = models.DateField(_("due on"))  # 落实期限
    state = models.CharField(_("state"), max_length=12, choices=ConsequenceState.choices, default=ConsequenceState.DUE)
    outcome = models.TextField(_("outcome"), blank=True)  # 落实情况 / 未采纳理由 / 撤回理由
    sanction = models.CharField(_("sanction decided"), max_length=20, choices=Sanction.choices, blank=True)
    sanction_number = models.CharField(_("sanction decision number"), max_length=60, blank=True)
    sanction_from = models.DateField(_("sanction period from"), null=True, blank=True)
    sanction_until = models.DateField(_("sanction period until"), null=True, blank=True)
    period_explained = models.CharField(_("how the period was computed"), max_length=300, blank=True)
    settled_at = models.DateTimeField(_("settled at"), null=True, blank=True)
    settled_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("settled by"))
    created_at = models.DateTimeField(_("raised at"), auto_now_add=True)

    class Meta:
        verbose_name = _("consequence")  # 问责后果
        verbose_name_plural = _("consequences")
        ordering = ["raised_by__decided_on", "id"]
        constraints = [
            # One live consequence of a kind per record and person: recomputing adds none twice.
            models.UniqueConstraint(fields=["raised_by", "person", "rung"], condition=~Q(state="withdrawn"),
                                    name="consequence_once"),
        ]

    def __str__(self) -> str:
        return f"{self.rung} {self.person_id}"


class StepAction(models.TextChoices):
    REGISTER = "register", _("Registered")  # 登记
    RAISE = "raise", _("Consequence raised")  # 启动问责后果
    WITHDRAW = "withdraw", _("Consequence withdrawn")  # 撤回问责后果
    APPEAL = "appeal", _("Appealed")  # 提出申诉
    UPHELD = "appeal_upheld", _("Appeal upheld")  # 申诉成立
    DISMISSED = "appeal_dismissed", _("Appeal dismissed")  # 申诉不成立
    CARRIED_OUT = "settle_done", _("Consequence carried out")  # 问责后果已落实
    NOT_ADOPTED = "settle_not_adopted", _("Consequence not adopted")  # 问责后果未采纳


class Step(models.Model):
    """The register's own history: each step on a record, who took it and when."""

    record = models.ForeignKey(Record, on_delete=models.CASCADE, related_name="steps", verbose_name=_("record"))
    action = models.CharField(_("action"), max_length=30, choices=StepAction.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                              related_name="+", verbose_name=_("by"))
    note = models.TextField(_("note"), blank=True)
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("register step")  # 问责办理记录
        verbose_name_plural = _("register steps")
        ordering = ["at", "id"]


class SpecialOutcome(models.TextChoices):
    HELD = "held", _("Held to account")  # 予以问责
    NOT_HELD = "not_held", _("Not held to account")  # 不予问责


class SpecialReview(models.Model):
    """每季度专项问责: the office's decision on one candidate of a quarter's special review (a key
    work matter overdue with the reminder ladder's last rung reached): a record registered, or
    no accountability with the reason."""

    quarter = models.CharField(_("quarter"), max_length=7)  # "2026-Q3"
    matter = models.ForeignKey(Matter, on_delete=models.PROTECT, related_name="+", verbose_name=_("matter"))
    outcome = models.CharField(_("decision"), max_length=10, choices=SpecialOutcome.choices)
    record = models.ForeignKey(Record, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                               verbose_name=_("record"))
    reason = models.TextField(_("reason"), blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("decided by"))
    decided_at = models.DateTimeField(_("decided at"), auto_now_add=True)

    class Meta:
        verbose_name = _("special accountability decision")  # 专项问责决定
        verbose_name_plural = _("special accountability decisions")
        constraints = [
            models.UniqueConstraint(fields=["quarter", "matter"], name="specialreview_once"),
            models.CheckConstraint(condition=Q(outcome="not_held") | Q(record__isnull=False),
                                   name="specialreview_held_has_record"),
        ]



# The supervision rounds' models live in their own module; importing it registers them.
from ducha.accountability import announce_models, rounds_models  # noqa: E402, F401
