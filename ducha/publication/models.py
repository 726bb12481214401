"""The tables the public site may touch, and none that names an intranet row by foreign key.

The portal's database role (``ducha portal grant``) gets SELECT on ``Publication`` and
``PublishedFile``, INSERT on ``Submission`` and ``SubmissionFile``, and nothing else; intranet
rows are named by plain codes and numbers (an item code, a period, a receipt number) so the
role never needs to read their tables. ``SubmissionTakeUp`` is the intranet's side of a
submission and is not granted to the portal at all.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Kind(models.TextChoices):
    CATALOGUE_ITEM = "catalogue_item", _("Catalogue item")  # 事项办事指南
    CATALOGUE = "catalogue", _("Catalogue")  # 事项目录
    KEY_TASKS = "key_tasks", _("Key tasks")  # 重点工作任务
    RANKING = "ranking", _("Ranking")  # 考评排名
    BULLETIN = "bulletin", _("Bulletin")  # 通报
    EXPOSURE = "exposure", _("Exposure")  # 曝光
    APPLICATION_STATUS = "application_status", _("Application status")  # 办件状态
    RATINGS = "ratings", _("Monthly rating results")  # 好差评 月度结果


class Publication(models.Model):
    """One version of something published. Publishing again adds a version; the portal shows
    the ``current`` one of each (kind, key) unless it is a withdrawal."""

    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    key = models.CharField(_("key"), max_length=100)
    version = models.PositiveIntegerField(_("version"))
    title = models.CharField(pgettext_lazy("publication", "title"), max_length=300)
    payload = models.JSONField(_("payload"), default=dict)
    published_at = models.DateTimeField(_("published at"))
    withdrawn = models.BooleanField(_("withdrawn"), default=False)
    current = models.BooleanField(_("current version"), default=True)

    class Meta:
        verbose_name = _("publication")
        verbose_name_plural = _("publications")
        constraints = [
            models.UniqueConstraint(fields=["kind", "key", "version"], name="publication_version_unique"),
            models.UniqueConstraint(fields=["kind", "key"], condition=Q(current=True),
                                    name="publication_one_current"),
        ]
        indexes = [models.Index(fields=["kind", "current", "-published_at"], name="publication_current")]

    def __str__(self) -> str:
        return f"{self.kind} {self.key} v{self.version}"


class PublishedFile(models.Model):
    """A file of a publication, copied into DUCHA_PUBLISHED_DIR under its SHA-256."""

    publication = models.ForeignKey(Publication, on_delete=models.CASCADE, related_name="files",
                                    verbose_name=_("publication"))
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("type"), max_length=10)
    size = models.PositiveBigIntegerField(_("size"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    path = models.CharField(_("stored as"), max_length=200)

    class Meta:
        verbose_name = _("published file")
        verbose_name_plural = _("published files")
        ordering = ["publication", "position"]

    def __str__(self) -> str:
        return self.name


class SubmissionKind(models.TextChoices):
    APPLICATION = "application", _("Application")  # 网上申请
    MATERIALS = "materials", _("Materials")  # 补正材料
    RATING = "rating", _("Rating")  # 好差评


class Submission(models.Model):
    """What the public sent. The portal only inserts; the name, ID number and phone are sealed
    to the intranet's key (ducha.publication.sealing), so the portal cannot read them back."""

    kind = models.CharField(_("kind"), max_length=20, choices=SubmissionKind.choices)
    reference = models.CharField(_("reference number"), max_length=40, unique=True)
    payload = models.JSONField(_("payload"), default=dict)
    name_sealed = models.TextField(_("name (sealed)"), blank=True)
    id_sealed = models.TextField(_("ID number or credit code (sealed)"), blank=True)
    phone_sealed = models.TextField(_("phone (sealed)"), blank=True)
    id_kind = models.CharField(_("applicant type"), max_length=20, blank=True)  # person / organisation
    query_code_hash = models.CharField(_("query code (hashed)"), max_length=200, blank=True)
    address_hash = models.CharField(_("address (hashed)"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("submitted at"))

    class Meta:
        verbose_name = _("submission")
        verbose_name_plural = _("submissions")
        indexes = [models.Index(fields=["kind", "created_at"], name="submission_kind_created")]

    def __str__(self) -> str:
        return self.reference


class SubmissionFile(models.Model):
    """An upload, checked by content before it is kept, its bytes sealed like the real-name fields."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="files",
                                   verbose_name=_("submission"))
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    material = models.CharField(_("material code"), max_length=40, blank=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("type"), max_length=10)
    size = models.PositiveBigIntegerField(_("size"))
    sm3 = models.CharField(_("SM3"), max_length=64)
    content_sealed = models.BinaryField(_("content (sealed)"))

    class Meta:
        verbose_name = _("submitted file")
        verbose_name_plural = _("submitted files")
        ordering = ["submission", "position"]

    def __str__(self) -> str:
        return self.name


class TakeUpState(models.TextChoices):
    TAKEN = "taken", _("Taken up")  # 已接收
    DONE = "done", _("Done")  # 已处理
    REFUSED = "refused", _("Not taken up")  # 不予接收


class SubmissionTakeUp(models.Model):
    """The intranet's record of taking a submission up. Kept apart so that the portal's role
    needs no UPDATE on submissions; who took it up is a plain user id."""

    submission = models.OneToOneField(Submission, on_delete=models.CASCADE, related_name="take_up",
                                      verbose_name=_("submission"))
    state = models.CharField(_("state"), max_length=10, choices=TakeUpState.choices, default=TakeUpState.TAKEN)
    taken_up_at = models.DateTimeField(_("taken up at"))
    taken_up_by = models.BigIntegerField(_("taken up by (user id)"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=200, blank=True)  # e.g. the intranet's receipt number

    class Meta:
        verbose_name = _("take-up of a submission")
        verbose_name_plural = _("take-ups of submissions")

    def __str__(self) -> str:
        return f"{self.submission_id} {self.state}"
