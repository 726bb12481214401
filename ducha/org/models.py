"""Organisation (SEED-MAP "Actors", S4): units, their sections, people and leadership posts."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from ducha.org.roles import Role


class UnitKind(models.TextChoices):
    DEPARTMENT = "department", _("Municipal department")  # 市政府部门
    COUNTY = "county", _("County or district")  # 县(区)政府
    ZONE = "zone", _("Zone")  # 管委会
    OFFICE = "office", _("City government office")  # 市政府办公室 / 督查室 / 绩效办


class Unit(models.Model):
    """A unit the city government assigns work to or that runs the system (单位)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100, unique=True)
    short_name = models.CharField(_("short name"), max_length=40, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=UnitKind.choices)
    sort_order = models.PositiveIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("unit")  # 单位
        verbose_name_plural = _("units")
        ordering = ["sort_order", "id"]

    def __str__(self) -> str:
        return self.name


class Section(models.Model):
    """An internal section of a unit (内设科室); work inside a unit is assigned to sections (S2.5)."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="sections", verbose_name=_("unit"))
    name = models.CharField(_("name"), max_length=60)

    class Meta:
        verbose_name = _("section")  # 内设科室
        verbose_name_plural = _("sections")
        ordering = ["unit", "id"]
        constraints = [models.UniqueConstraint(fields=["unit", "name"], name="section_unique_name_in_unit")]

    def __str__(self) -> str:
        return f"{self.unit.short_name or self.unit.name} {self.name}"


class DuchaUserManager(UserManager["User"]):
    def get_by_natural_key(self, username: str | None) -> User:
        # Log-in names are case-insensitive, matching the unique constraint below.
        return self.get(username__iexact=username)


class User(AbstractUser):
    """A person. People who never log in (a unit's principal, say) have no usable password."""

    first_name = None  # type: ignore[assignment]
    last_name = None  # type: ignore[assignment]
    name = models.CharField(_("full name"), max_length=40)  # 姓名
    title = models.CharField(_("job title"), max_length=60, blank=True)  # 职务
    phone = models.CharField(_("mobile phone"), max_length=20, blank=True)
    role = models.CharField(_("role"), max_length=30, choices=Role.choices, blank=True)
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="people", verbose_name=_("unit")
    )
    section = models.ForeignKey(
        Section, on_delete=models.SET_NULL, null=True, blank=True, related_name="people", verbose_name=_("section")
    )

    objects = DuchaUserManager()  # type: ignore[misc]
    REQUIRED_FIELDS = ["name"]

    class Meta:
        verbose_name = _("person")  # 人员
        verbose_name_plural = _("people")
        constraints = [
            models.UniqueConstraint(Lower("username"), name="user_username_ci_unique"),
            # Unit roles are meaningless without a unit.
            models.CheckConstraint(
                condition=~models.Q(role__in=[Role.UNIT_ADMIN, Role.UNIT_STAFF]) | models.Q(unit__isnull=False),
                name="user_unit_role_has_unit",
            ),
        ]

    def __str__(self) -> str:
        return self.name or self.username

    def get_full_name(self) -> str:
        return self.name

    def get_short_name(self) -> str:
        return self.name


class LeaderKind(models.TextChoices):
    MAYOR = "mayor", _("Mayor")  # 市长
    VICE_MAYOR = "vice_mayor", _("Vice mayor")  # 副市长 (副市厅级领导干部)


class LeaderPost(models.Model):
    """A city leader's post and portfolio (分管): the units the leader is in charge of."""

    person = models.OneToOneField(
        User, on_delete=models.CASCADE, related_name="leader_post", verbose_name=_("person")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=LeaderKind.choices)
    title = models.CharField(_("title"), max_length=60)
    duties = models.CharField(_("duties"), max_length=300, blank=True)  # 分工
    portfolio = models.ManyToManyField(Unit, blank=True, related_name="leader_posts", verbose_name=_("portfolio"))
    sort_order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("leader post")  # 市领导分工
        verbose_name_plural = _("leader posts")
        ordering = ["sort_order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["kind"], condition=models.Q(kind="mayor"), name="leaderpost_one_mayor")
        ]

    def __str__(self) -> str:
        return f"{self.title} {self.person.name}"


class UnitPostKind(models.TextChoices):
    PRINCIPAL = "principal", _("Principal")  # 主要负责人
    IN_CHARGE = "in_charge", _("Leader in charge")  # 分管负责人


class UnitPost(models.Model):
    """A leader inside a unit: the principal or a leader in charge (S1.16 holds both to account)."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="posts", verbose_name=_("unit"))
    person = models.ForeignKey(User, on_delete=models.CASCADE, related_name="unit_posts", verbose_name=_("person"))
    kind = models.CharField(_("kind"), max_length=20, choices=UnitPostKind.choices)
    duties = models.CharField(_("duties"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("unit leader")  # 单位领导
        verbose_name_plural = _("unit leaders")
        ordering = ["unit", "kind", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit"], condition=models.Q(kind="principal"), name="unitpost_one_principal"
            ),
            models.UniqueConstraint(fields=["unit", "person", "kind"], name="unitpost_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.unit} {self.get_kind_display()} {self.person.name}"
