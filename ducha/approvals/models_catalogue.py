"""The approval catalogue (审批事项目录, S3.1, S4): nothing outside it can be applied for.

An ``Item`` is the stable identity (its code, 事项编码); what it requires lives in an
``ItemVersion`` with an effective date, so an application keeps the version it started with
while the catalogue moves on. A version holds the materials list (行政许可法 art. 30: the
complete list), fees, the handling level per area (S3.5 delegation; the published view per
department is its 权力清单), the prerequisite items (前置) and, for an item several departments
handle, its flow: steps with their order (steps sharing an order run in parallel) and limits.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from ducha.org.models import Unit

__all__ = [
    "Delegation",
    "FlowStep",
    "HandlingLevel",
    "Item",
    "ItemKind",
    "ItemVersion",
    "Material",
    "MaterialForm",
    "Prerequisite",
    "ServiceType",
    "VersionState",
]


class ItemKind(models.TextChoices):
    # the national list of 事项类型 (codes as the national 事项标准 numbers them)
    LICENSING = "01", _("Administrative licensing")  # 行政许可
    PENALTY = "02", _("Administrative penalty")  # 行政处罚
    ENFORCEMENT = "03", _("Administrative enforcement")  # 行政强制
    LEVY = "04", _("Administrative levy")  # 行政征收
    BENEFIT = "05", _("Administrative benefit")  # 行政给付
    INSPECTION = "06", _("Administrative inspection")  # 行政检查
    CONFIRMATION = "07", _("Administrative confirmation")  # 行政确认
    REWARD = "08", _("Administrative reward")  # 行政奖励
    RULING = "09", _("Administrative ruling")  # 行政裁决
    OTHER = "10", _("Other administrative power")  # 其他行政权力
    PUBLIC_SERVICE = "20", _("Public service")  # 公共服务


class ServiceType(models.TextChoices):
    IMMEDIATE = "1", _("Handled on the spot")  # 即办件
    PROMISED = "2", _("Handled within a promised time")  # 承诺件


class VersionState(models.TextChoices):
    DRAFT = "draft", _("Draft")  # 草稿
    PUBLISHED = "published", _("Published")  # 已发布
    WITHDRAWN = "withdrawn", _("Withdrawn")  # 已停用


class Item(models.Model):
    """审批事项: the catalogue's entry, identified by its code across versions."""

    code = models.CharField(_("item code"), max_length=40, unique=True)  # 事项编码
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("approval item")  # 审批事项
        verbose_name_plural = _("approval items")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code


class ItemVersion(models.Model):
    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="versions", verbose_name=_("item"))
    version = models.PositiveIntegerField(_("version"))
    effective_from = models.DateField(_("in force from"))  # 生效日期
    state = models.CharField(_("state"), max_length=10, choices=VersionState.choices, default=VersionState.DRAFT)
    name = models.CharField(_("name"), max_length=200)  # 事项名称
    kind = models.CharField(_("kind"), max_length=2, choices=ItemKind.choices)  # 事项类型
    legal_basis = models.TextField(_("legal basis"))  # 设定依据
    lead_department = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+",
                                        verbose_name=_("handling department"))  # 实施主体 (牵头)
    conditions = models.TextField(_("conditions"), blank=True)  # 受理条件
    service_type = models.CharField(_("service type"), max_length=1, choices=ServiceType.choices,
                                    default=ServiceType.PROMISED)  # 办件类型
    statutory_days = models.PositiveSmallIntegerField(_("statutory limit (working days)"))  # 法定时限
    promised_days = models.PositiveSmallIntegerField(_("promised limit (working days)"))  # 承诺时限
    fees = models.JSONField(_("fees"), default=list, blank=True)  # [{"name", "amount", "basis"}], amounts in yuan as text
    joint = models.BooleanField(_("joint approval item"), default=False)  # 联合审批 (S3.4)
    note = models.TextField(_("change note"), blank=True)  # 本版变更说明
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("created by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    class Meta:
        verbose_name = _("item version")  # 事项版本
        verbose_name_plural = _("item versions")
        ordering = ["item__code", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["item", "version"], name="approval_item_version_unique"),
            models.CheckConstraint(condition=Q(promised_days__lte=F("statutory_days")),
                                   name="approval_promised_within_statutory"),
        ]

    def __str__(self) -> str:
        return f"{self.item.code} v{self.version} {self.name}"


class MaterialForm(models.TextChoices):
    ORIGINAL = "original", _("Original")  # 原件
    COPY = "copy", _("Copy")  # 复印件
    BOTH = "both", _("Original and copy")  # 原件及复印件
    ELECTRONIC = "electronic", _("Electronic")  # 电子件


class Material(models.Model):
    """One entry of an item's materials list (申请材料清单)."""

    version = models.ForeignKey(ItemVersion, on_delete=models.CASCADE, related_name="materials",
                                verbose_name=_("item version"))
    position = models.PositiveSmallIntegerField(_("position"))
    # Materials with the same code are the same document: a joint application asks for it once.
    code = models.CharField(_("material code"), max_length=40)
    name = models.CharField(_("name"), max_length=200)
    required = models.BooleanField(_("required"), default=True)
    form = models.CharField(pgettext_lazy("approval", "form"), max_length=10, choices=MaterialForm.choices, default=MaterialForm.ORIGINAL)
    copies = models.PositiveSmallIntegerField(_("copies"), default=1)
    sample = models.CharField(_("form sample"), max_length=200, blank=True)  # 样表 (name or address)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("material")  # 申请材料
        verbose_name_plural = _("materials")
        ordering = ["version", "position"]
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="approval_material_code_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class HandlingLevel(models.TextChoices):
    CITY = "city", _("City")  # 市级办理
    AREA = "area", _("Delegated to the county, district or zone")  # 下放县区办理
    NONE = "none", _("Not handled there")  # 不办理


class Delegation(models.Model):
    """S3.5: who handles the item for applicants of one area. An area not listed is handled by
    the city."""

    version = models.ForeignKey(ItemVersion, on_delete=models.CASCADE, related_name="delegations",
                                verbose_name=_("item version"))
    area = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("area"))
    level = models.CharField(_("handling level"), max_length=10, choices=HandlingLevel.choices)

    class Meta:
        verbose_name = _("delegation")  # 审批层级 / 权限下放
        verbose_name_plural = _("delegations")
        constraints = [models.UniqueConstraint(fields=["version", "area"], name="approval_delegation_unique")]


class Prerequisite(models.Model):
    """前置: the item of ``version`` can be applied for only with a decision on ``requires``. The
    catalogue refuses a change that closes a loop (S3.2)."""

    version = models.ForeignKey(ItemVersion, on_delete=models.CASCADE, related_name="prerequisites",
                                verbose_name=_("item version"))
    requires = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="required_by",
                                 verbose_name=_("prerequisite item"))

    class Meta:
        verbose_name = _("prerequisite")  # 前置审批
        verbose_name_plural = _("prerequisites")
        constraints = [models.UniqueConstraint(fields=["version", "requires"], name="approval_prerequisite_unique")]


class FlowStep(models.Model):
    """A step of an item's flow (流程图): a department does something within a limit. Steps with
    the same order run in parallel; the flow's time is its critical path, within the promised
    limit."""

    version = models.ForeignKey(ItemVersion, on_delete=models.CASCADE, related_name="steps",
                                verbose_name=_("item version"))
    order = models.PositiveSmallIntegerField(_("order"))
    department = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("department"))
    action = models.CharField(_("what it does"), max_length=200)  # 办理环节
    limit_days = models.PositiveSmallIntegerField(_("limit (working days)"))

    class Meta:
        verbose_name = _("flow step")  # 流程环节
        verbose_name_plural = _("flow steps")
        ordering = ["version", "order", "id"]

    def __str__(self) -> str:
        return f"{self.order}. {self.action}"
