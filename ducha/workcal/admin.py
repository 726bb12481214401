"""The calendar in the reference-data admin: read-only.

Changing a day here would skip what an import does -- validation, the version bump that
refreshes every worker's calendar, the event row and the recomputation of open
deadlines -- so the admin only shows the data; changes go through the import on the
calendar page or `ducha calendar import`.
"""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from ducha.org.admin import SystemAdminOnly, site
from ducha.workcal.models import CalendarDay, CalendarEvent, CalendarYear


class ReadOnly(SystemAdminOnly):
    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class CalendarDayInline(admin.TabularInline):  # type: ignore[type-arg]
    model = CalendarDay
    extra = 0
    fields = ["date", "kind", "name", "source"]
    readonly_fields = ("date", "kind", "name", "source")
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(CalendarYear, site=site)
class CalendarYearAdmin(ReadOnly):
    list_display = ["year", "notice", "notice_number", "source", "loaded_at", "loaded_by", "version"]
    search_fields = ["notice", "notice_number"]
    inlines = [CalendarDayInline]


@admin.register(CalendarDay, site=site)
class CalendarDayAdmin(ReadOnly):
    list_display = ["date", "kind", "name", "year"]
    list_filter = ["kind", "year"]
    search_fields = ["name"]
    date_hierarchy = "date"


@admin.register(CalendarEvent, site=site)
class CalendarEventAdmin(ReadOnly):
    list_display = ["created_at", "year", "action", "actor", "holidays", "makeup_workdays", "deadlines_moved"]
    list_filter = ["action"]
