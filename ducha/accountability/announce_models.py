"""Announcements (S1.14, S1.16): the half-yearly exposure of typical cases (每半年曝光典型案例)
and the announcement of accountability (问责通报), each an official document numbered from the
office's register.

The office selects confirmed cases (exposure) or records (accountability); the platform drafts
a paragraph for each, which the office may edit; per item it chooses what is published (the
unit's name, the people's names; defaults from settings). A named approver approves the draft
or returns it with a reason; then the office issues it to every unit. An issued announcement
is never changed: a correction is a new one.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class AnnouncementKind(models.TextChoices):
    EXPOSURE = "exposure", _("Exposure of typical cases")  # 典型案例曝光
    ACCOUNTABILITY = "accountability", _("Accountability announcement")  # 问责情况通报


class AnnouncementState(models.TextChoices):
    DRAFT = "draft", _("Draft")  # 草稿
    SUBMITTED = "submitted", _("Awaiting approval")  # 待审批
    APPROVED = "approved", _("Approved")  # 已审批
    ISSUED = "issued", _("Issued")  # 已印发


class Announcement(models.Model):
    kind = models.CharField(_("kind"), max_length=16, choices=AnnouncementKind.choices)
    period = models.CharField(_("period"), max_length=7)  # a half-year, 2026H1
    title = models.CharField(_("title"), max_length=200)
    opening = models.TextField(_("opening paragraph"))  # 导语
    state = models.CharField(_("state"), max_length=10, choices=AnnouncementState.choices,
                             default=AnnouncementState.DRAFT)
    returned_reason = models.TextField(_("reason returned"), blank=True)
    approver = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="+", verbose_name=_("approved by"))
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    number = models.CharField(_("document number"), max_length=40, blank=True)  # 发文字号
    issued_on = models.DateField(_("issued on"), null=True, blank=True)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+", verbose_name=_("issued by"))
    docx = models.FileField(_("Word file"), upload_to="documents/announcements/%Y/", blank=True)
    pdf = models.FileField(_("PDF file"), upload_to="documents/announcements/%Y/", blank=True)
    render_error = models.CharField(_("rendering error"), max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("drafted by"))
    created_at = models.DateTimeField(_("drafted at"), auto_now_add=True)

    class Meta:
        verbose_name = _("announcement")  # 曝光 / 问责通报
        verbose_name_plural = _("announcements")
        ordering = ["-period", "-id"]
        constraints = [models.UniqueConstraint(fields=["number"], condition=~Q(number=""),
                                               name="announcement_number_unique")]

    def __str__(self) -> str:
        return self.title


class AnnouncementItem(models.Model):
    """One case (exposure) or one record (accountability) in an announcement, with the text the
    office will publish and what of it names whom."""

    announcement = models.ForeignKey(Announcement, on_delete=models.CASCADE, related_name="items",
                                     verbose_name=_("announcement"))
    case = models.ForeignKey("accountability.Case", on_delete=models.PROTECT, null=True, blank=True,
                             related_name="+", verbose_name=_("efficiency case"))
    record = models.ForeignKey("accountability.Record", on_delete=models.PROTECT, null=True, blank=True,
                               related_name="+", verbose_name=_("accountability record"))
    text = models.TextField(_("text published"))
    name_unit = models.BooleanField(_("name the unit"))
    name_people = models.BooleanField(_("name the people"))
    position = models.PositiveSmallIntegerField(_("position"))

    class Meta:
        verbose_name = _("announced item")
        verbose_name_plural = _("announced items")
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(case__isnull=False, record__isnull=True)
                                   | Q(case__isnull=True, record__isnull=False), name="item_case_or_record"),
            models.UniqueConstraint(fields=["announcement", "case"], name="item_case_once"),
            models.UniqueConstraint(fields=["announcement", "record"], name="item_record_once"),
        ]
