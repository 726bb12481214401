"""Django admin for reference data (units, sections, people, posts): system administrator only."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from ducha.org.models import LeaderPost, Section, Unit, UnitPost, User
from ducha.org.roles import Role


class SystemAdminSite(admin.AdminSite):
    site_header = _("ducha reference data")
    site_title = _("ducha")

    def has_permission(self, request: HttpRequest) -> bool:
        user = request.user
        return bool(user.is_active and user.is_authenticated and getattr(user, "role", "") == Role.SYSTEM_ADMIN)


site = SystemAdminSite(name="admin")


class SystemAdminOnly(admin.ModelAdmin):  # type: ignore[type-arg]
    """Reference data belongs to the system administrator role, whatever Django permission flags say."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return site.has_permission(request)

    def has_view_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return site.has_permission(request)

    has_add_permission = has_module_permission

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return site.has_permission(request)

    has_delete_permission = has_change_permission


class SectionInline(admin.TabularInline):  # type: ignore[type-arg]
    model = Section
    extra = 0


class UnitPostInline(admin.TabularInline):  # type: ignore[type-arg]
    model = UnitPost
    extra = 0
    autocomplete_fields = ["person"]


@admin.register(Unit, site=site)
class UnitAdmin(SystemAdminOnly):
    list_display = ["name", "short_name", "kind", "code", "sort_order", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "short_name", "code"]
    inlines = [SectionInline, UnitPostInline]


@admin.register(User, site=site)
class UserAdmin(SystemAdminOnly, BaseUserAdmin[User]):
    list_display = ["username", "name", "role", "unit", "title", "is_active"]
    list_filter = ["role", "is_active", "unit__kind"]
    search_fields = ["username", "name", "unit__name"]
    ordering = ["username"]
    autocomplete_fields = ["unit", "section"]
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        (_("Person"), {"fields": ["name", "title", "phone", "email", "unit", "section", "role"]}),
        (_("Status"), {"fields": ["is_active", "last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"fields": ["username", "name", "role", "unit", "password1", "password2"]})]
    readonly_fields = ["last_login", "date_joined"]
    filter_horizontal = []


@admin.register(LeaderPost, site=site)
class LeaderPostAdmin(SystemAdminOnly):
    list_display = ["title", "person", "kind", "sort_order"]
    filter_horizontal = ["portfolio"]
    autocomplete_fields = ["person"]


@admin.register(Section, site=site)
class SectionAdmin(SystemAdminOnly):
    list_display = ["name", "unit"]
    search_fields = ["name", "unit__name"]
