"""Reminder letters (提醒函, S1.4 and S1.5), their addressees with per-addressee receipts,
what became of the reminder engine's letter proposals, and which unit submitted a request.

A letter is an issued document: its number, text and addressees are fixed when it is sent
and never edited afterwards; only the receipts (read by whom, when) and the rendered files
change. The count against a unit (S6.1 input) is read from ``Letter.to_unit``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ducha.matters.models import CoUnitPart, Matter
from ducha.org.models import Unit
from ducha.reminders.models import LetterProposal
from ducha.rules.letters import AddresseeRole


class LetterKind(models.TextChoices):
    CO_UNIT = "co_unit", _("To a slow co-unit")  # 致配合单位的提醒函 (S1.4)
    REQUEST = "request", _("To the general office on a stalled request")  # 报请事项提醒函 (S1.5)


class LetterReason(models.TextChoices):
    OVERDUE = "overdue", _("Part overdue")  # 配合任务逾期
    NO_UPDATE = "no_update", _("No progress update")  # 长期未更新进展
    OVERDUE_NO_UPDATE = "overdue_no_update", _("Overdue and no update")  # 逾期且长期未更新
    STALLED = "stalled", _("Request stalled")  # 报请事项超时未办结


class RoleChoice(models.TextChoices):
    TO = AddresseeRole.TO.value, _("To")  # 主送
    REPORT = AddresseeRole.REPORT.value, _("Reported to")  # 报
    CC = AddresseeRole.CC.value, _("Copied to")  # 抄送


class LetterCode(models.Model):
    """A unit's 机关代字 for letters, where the one derived from its short name will not do."""

    unit = models.OneToOneField(Unit, on_delete=models.CASCADE, related_name="letter_code", verbose_name=_("unit"))
    agency = models.CharField(
        _("issuer code for letters"), max_length=20,
        help_text=_("Chinese characters only, e.g. 宛发改函; printed as 宛发改函〔2026〕3号."),
    )  # 机关代字

    class Meta:
        verbose_name = _("letter issuer code")  # 函件机关代字
        verbose_name_plural = _("letter issuer codes")

    def __str__(self) -> str:
        return f"{self.unit} {self.agency}"


class RequestOrigin(models.Model):
    """The unit that submitted a request to the city government (报请单位, S1.5).

    Matters record the requester only as text (source_ref); this row makes it a unit, set by
    the general office or fixed from the reference when the requester first sends a letter.
    """

    matter = models.OneToOneField(
        Matter, on_delete=models.CASCADE, related_name="request_origin", verbose_name=_("request")
    )
    requesting_unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("requesting unit")
    )  # 报请单位
    inferred = models.BooleanField(_("taken from the reference"), default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now=True)

    class Meta:
        verbose_name = _("requesting unit")  # 报请单位
        verbose_name_plural = _("requesting units")


class Letter(models.Model):
    kind = models.CharField(_("kind"), max_length=20, choices=LetterKind.choices)
    matter = models.ForeignKey(Matter, on_delete=models.PROTECT, related_name="letters", verbose_name=_("matter"))
    co_part = models.ForeignKey(
        CoUnitPart, on_delete=models.PROTECT, null=True, blank=True, related_name="letters",
        verbose_name=_("co-unit part"),
    )
    from_unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="letters_sent",
                                  verbose_name=_("sending unit"))  # 发函单位
    to_unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="letters_received",
                                verbose_name=_("addressed unit"))  # 主送单位
    reason = models.CharField(_("reason"), max_length=20, choices=LetterReason.choices)
    agency = models.CharField(_("issuer code"), max_length=20)  # 机关代字
    doc_year = models.PositiveSmallIntegerField(_("document year"))
    sequence = models.PositiveIntegerField(_("sequence"))
    number = models.CharField(_("document number"), max_length=40, unique=True)  # 发文字号
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"))
    due_date = models.DateField(_("due date"), null=True, blank=True)  # the part's or request's limit when sent
    overdue_workdays = models.PositiveSmallIntegerField(_("working days overdue"), default=0)
    silent_workdays = models.PositiveSmallIntegerField(_("working days without update"), default=0)
    docx_file = models.FileField(_("Word file"), upload_to="documents/letters/", max_length=200, blank=True)
    pdf_file = models.FileField(_("PDF file"), upload_to="documents/letters/", max_length=200, blank=True)
    render_error = models.CharField(_("rendering problem"), max_length=300, blank=True)
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                verbose_name=_("sent by"))
    sent_at = models.DateTimeField(_("sent at"))
    sent_on = models.DateField(_("date of the letter"), db_index=True)  # 成文日期; counted by this date
    idempotency_key = models.CharField(max_length=64, unique=True, editable=False)
    # Set once the addressees' inbox messages are written: the notification hook's guard.
    notified_at = models.DateTimeField(_("addressees notified at"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("reminder letter")  # 提醒函
        verbose_name_plural = _("reminder letters")
        ordering = ["-sent_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "doc_year", "sequence"], name="letter_unique_sequence"),
            models.CheckConstraint(
                condition=Q(kind="request") | Q(co_part__isnull=False), name="letter_co_unit_has_part"
            ),
        ]
        indexes = [
            models.Index(fields=["to_unit", "sent_on"], name="letter_to_unit_day"),
            models.Index(fields=["from_unit", "sent_on"], name="letter_from_unit_day"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


class LetterRecipient(models.Model):
    """One addressee of a letter and its receipt: first opened by whom and when (签收)."""

    letter = models.ForeignKey(Letter, on_delete=models.CASCADE, related_name="recipients", verbose_name=_("letter"))
    role = models.CharField(_("as"), max_length=10, choices=RoleChoice.choices)
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                             verbose_name=_("unit"))
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                               related_name="+", verbose_name=_("leader"))
    label = models.CharField(_("printed as"), max_length=100)
    mandatory = models.BooleanField(_("required by the rules"), default=True)
    sort_order = models.PositiveSmallIntegerField(default=0)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    read_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                related_name="+", verbose_name=_("read by"))

    class Meta:
        verbose_name = _("letter addressee")  # 收文单位
        verbose_name_plural = _("letter addressees")
        ordering = ["letter", "sort_order", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(unit__isnull=False) & Q(person__isnull=True)) | (Q(unit__isnull=True) & Q(person__isnull=False)),
                name="letterrecipient_unit_xor_person",
            ),
            models.UniqueConstraint(fields=["letter", "unit"], condition=Q(unit__isnull=False),
                                    name="letterrecipient_unit_once"),
            models.UniqueConstraint(fields=["letter", "person"], condition=Q(person__isnull=False),
                                    name="letterrecipient_person_once"),
        ]
        indexes = [
            models.Index(fields=["unit", "letter"], name="letterrecipient_unit"),
            models.Index(fields=["person", "letter"], name="letterrecipient_person"),
        ]

    def __str__(self) -> str:
        return f"{self.letter.number} {self.get_role_display()} {self.label}"


class Outcome(models.TextChoices):
    SENT = "sent", _("Letter sent")  # 已发函
    DISMISSED = "dismissed", _("Dismissed")  # 不予发函


class ProposalOutcome(models.Model):
    """What the lead unit did with one of the engine's letter proposals; none: still open."""

    proposal = models.OneToOneField(
        LetterProposal, on_delete=models.CASCADE, related_name="outcome", verbose_name=_("proposal")
    )
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices)
    letter = models.ForeignKey(Letter, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                               verbose_name=_("letter"))
    reason = models.TextField(_("reason"), blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("decided by"))
    decided_at = models.DateTimeField(_("decided at"))

    class Meta:
        verbose_name = _("letter proposal outcome")  # 提醒函建议处理结果
        verbose_name_plural = _("letter proposal outcomes")
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome="sent", letter__isnull=False) | Q(outcome="dismissed", letter__isnull=True),
                name="proposaloutcome_sent_has_letter",
            ),
        ]
