"""The working-day calendar as data (SEED-MAP "Calendar and time rules"; S1.2, S1.13).

The State Council publishes each year's holidays and make-up working days (调休上班) late
in the year before, so the calendar is a table an administrator extends every year, not
a rule in code. Only the exceptions are stored: a date that is not a CalendarDay is a
working day from Monday to Friday and a rest day on Saturday and Sunday, *if* its year
has a CalendarYear row. A year without one is unknown, and every answer touching it is
"not known yet" (时限待确认), never a Monday-to-Friday guess -- unless the 2024 holiday
rules cover it provisionally (暂定, ducha.workcal.provisional): those years are not
stored here, they are worked out for as long as no notice is loaded for them.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class CalendarYear(models.Model):
    """One year of the calendar, loaded from one State Council notice (国务院办公厅通知)."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)  # 年度
    notice = models.CharField(_("notice"), max_length=200)  # 通知标题
    notice_number = models.CharField(_("notice number"), max_length=60, blank=True)  # 文号
    source = models.CharField(_("data source"), max_length=200)  # 数据来源
    loaded_at = models.DateTimeField(_("loaded at"))  # 导入时间
    loaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("loaded by"),
    )  # 导入人
    # Bumped on every change of the year's days: each worker process compares the
    # (year, version) pairs with its cached calendar instead of reloading every day row.
    version = models.PositiveIntegerField(_("version"), default=1)  # 版本

    class Meta:
        verbose_name = _("calendar year")  # 日历年度
        verbose_name_plural = _("calendar years")
        ordering = ["year"]

    def __str__(self) -> str:
        return str(self.year)


class DayKind(models.TextChoices):
    HOLIDAY = "holiday", _("Holiday")  # 法定节假日（放假）
    MAKEUP_WORKDAY = "makeup_workday", _("Make-up working day")  # 调休上班


class CalendarDay(models.Model):
    """A day that differs from the Monday-to-Friday pattern: a day off or a make-up working day.

    Holidays include the weekend days inside a holiday span, as the notices list them
    ("10月1日至7日放假"), so the calendar can name the holiday a Saturday belongs to.
    """

    year = models.ForeignKey(
        CalendarYear, on_delete=models.CASCADE, related_name="days", verbose_name=_("calendar year")
    )
    date = models.DateField(_("date"), unique=True)  # 日期
    kind = models.CharField(_("kind"), max_length=20, choices=DayKind.choices)  # 类型
    name = models.CharField(_("name"), max_length=60, blank=True)  # 名称：春节、国庆节……
    source = models.CharField(_("source"), max_length=200, blank=True)  # 依据

    class Meta:
        verbose_name = _("calendar day")  # 节假日与调休日
        verbose_name_plural = _("calendar days")
        ordering = ["date"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=DayKind.values), name="calendarday_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date.isoformat()} {self.get_kind_display()} {self.name}".rstrip()


class DeadlineStatus(models.TextChoices):
    OK = "ok", _("Due date known")  # 时限已确定
    PENDING_CALENDAR = "pending_calendar", _("Due date pending calendar")  # 时限待确认


class WorkdayDeadline(models.Model):
    """A time limit of N working days after a receipt date, shared by every feature that has one.

    Features (supervised matters, S1.13 requests, S1.2 reports) point at a row here
    instead of storing a date, so that loading or correcting a calendar year can move
    every open deadline it affects in one place and say why (DeadlineMove). The due date
    is null while the calendar does not reach it: "pending_calendar" (时限待确认).
    """

    basis_date = models.DateField(_("received on"))  # 收到日期（起算日，不计入）
    workdays = models.PositiveSmallIntegerField(_("working days"))  # 工作日数
    due_date = models.DateField(_("due date"), null=True, blank=True)  # 办结时限
    status = models.CharField(_("status"), max_length=20, choices=DeadlineStatus.choices)
    is_open = models.BooleanField(_("open"), default=True)  # 未办结
    # 暂定: the due date rests on a year without a State Council notice; recomputed on import.
    provisional = models.BooleanField(_("provisional"), default=False)
    label = models.CharField(_("label"), max_length=200, blank=True)  # 说明
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("working-day deadline")  # 工作日时限
        verbose_name_plural = _("working-day deadlines")
        ordering = ["id"]
        indexes = [models.Index(fields=["is_open", "status", "due_date"], name="workdaydeadline_open_due")]
        constraints = [
            # A due date exists exactly when the status says it is known.
            models.CheckConstraint(
                condition=(
                    models.Q(status="ok", due_date__isnull=False)
                    | models.Q(status="pending_calendar", due_date__isnull=True)
                ),
                name="workdaydeadline_status_matches_due",
            ),
            models.CheckConstraint(
                condition=models.Q(workdays__gte=1), name="workdaydeadline_workdays_positive"
            ),
            # Only a due date can be provisional; a pending one is not known at all.
            models.CheckConstraint(
                condition=models.Q(provisional=False) | models.Q(status="ok"),
                name="workdaydeadline_provisional_has_due",
            ),
        ]

    def __str__(self) -> str:
        due = self.due_date.isoformat() if self.due_date else "时限待确认"
        if self.provisional:
            due += "（暂定）"
        return f"{self.label or self.pk}: {self.basis_date.isoformat()} + {self.workdays} → {due}"

    def is_overdue(self, today: date) -> bool:
        """A deadline is the end of its day: overdue from the next day on."""
        return self.is_open and self.due_date is not None and today > self.due_date


class DeadlineMove(models.Model):
    """A due date changed by a calendar change, kept so nobody is blamed for a moved deadline."""

    deadline = models.ForeignKey(
        WorkdayDeadline, on_delete=models.CASCADE, related_name="moves", verbose_name=_("deadline")
    )
    old_due = models.DateField(_("old due date"), null=True, blank=True)  # null: was pending
    new_due = models.DateField(_("new due date"), null=True, blank=True)  # null: now pending
    # The old due date was provisional (暂定): this move is the notice replacing the statutory guess.
    was_provisional = models.BooleanField(_("was provisional"), default=False)
    reason = models.CharField(_("reason"), max_length=300)  # 原因
    calendar_year = models.ForeignKey(
        CalendarYear, on_delete=models.PROTECT, related_name="deadline_moves", verbose_name=_("calendar year")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("deadline move")  # 时限调整记录
        verbose_name_plural = _("deadline moves")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.old_due} → {self.new_due}: {self.reason}"


class CalendarAction(models.TextChoices):
    SEED = "seed", _("Seeded from package data")  # 初始数据
    IMPORT = "import", _("Imported")  # 导入
    REPLACE = "replace", _("Replaced")  # 更正（整年替换）


class CalendarEvent(models.Model):
    """Who loaded or changed which calendar year, when, and what it did to open deadlines."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
    )  # null: the command line or a migration
    year = models.PositiveSmallIntegerField(_("year"))
    action = models.CharField(_("action"), max_length=20, choices=CalendarAction.choices)
    notice = models.CharField(_("notice"), max_length=200, blank=True)
    source = models.CharField(_("data source"), max_length=200, blank=True)
    holidays = models.PositiveIntegerField(_("holidays"), default=0)
    makeup_workdays = models.PositiveIntegerField(_("make-up working days"), default=0)
    deadlines_moved = models.PositiveIntegerField(_("deadlines moved"), default=0)
    pending_resolved = models.PositiveIntegerField(_("pending deadlines resolved"), default=0)
    provisional_settled = models.PositiveIntegerField(_("provisional deadlines settled"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("calendar event")  # 日历变更记录
        verbose_name_plural = _("calendar events")
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.year} {self.get_action_display()}"


class WorkdayIndex(models.Model):
    """Every covered day of one calendar with its working-day counts, so that a query can count
    the working days between two stored dates by subtraction (docs/decisions/0007).

    Built from the calendar a process holds (``workcal.index.ensure_index``) and keyed by a
    digest of its days: two processes holding different calendars (one has just seen an
    import) each read their own rows.
    """

    calendar = models.CharField(_("calendar digest"), max_length=16)
    day = models.DateField(_("date"))
    before = models.IntegerField(_("working days before"))
    through = models.IntegerField(_("working days through"))
    run = models.SmallIntegerField(_("run of covered years"))

    class Meta:
        verbose_name = _("working-day index")  # 工作日序号
        verbose_name_plural = _("working-day index")
        constraints = [models.UniqueConstraint(fields=["calendar", "day"], name="workdayindex_unique")]

    def __str__(self) -> str:
        return f"{self.calendar} {self.day.isoformat()} {self.through}"


class WorkdayIndexBuild(models.Model):
    """One built ``WorkdayIndex``: written after its days, so its presence says they are all there."""

    calendar = models.CharField(_("calendar digest"), max_length=16, primary_key=True)
    built_at = models.DateTimeField(_("built at"))

    class Meta:
        verbose_name = _("working-day index build")
        verbose_name_plural = _("working-day index builds")

    def __str__(self) -> str:
        return f"{self.calendar} {self.built_at.isoformat()}"
