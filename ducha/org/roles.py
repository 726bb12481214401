"""The roles of the platform and what each may see.

A person holds one role per account. The three administrator roles (system, security,
audit) are separate accounts by design: separation of duties (三权分立) needs them to be
mutually exclusive, and a single role per account makes that a property of the schema.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    SUPERVISION_OFFICE = "supervision_office", _("Supervision office")  # 督查室
    GENERAL_OFFICE = "general_office", _("General office")  # 市政府办公室
    PERFORMANCE_OFFICE = "performance_office", _("Performance office")  # 绩效办
    LEADER = "leader", _("Leader")  # 市领导
    UNIT_ADMIN = "unit_admin", _("Unit administrator")  # 单位管理员
    UNIT_STAFF = "unit_staff", _("Unit staff")  # 单位工作人员
    SYSTEM_ADMIN = "system_admin", _("System administrator")  # 系统管理员
    SECURITY_ADMIN = "security_admin", _("Security administrator")  # 安全管理员
    AUDITOR = "auditor", _("Auditor")  # 审计管理员
    # 组织人事部门: confirms each unit's year-end staff evaluation (ducha.staffeval, S6.2) and
    # reads nothing else; in none of the sets below, so ``org.access.unit_scope`` gives it no unit.
    HR = "hr", _("Organisation and personnel office")


# The city-wide offices see every unit's business data.
CITY_WIDE_ROLES = frozenset({Role.SUPERVISION_OFFICE, Role.GENERAL_OFFICE, Role.PERFORMANCE_OFFICE})
# Roles bound to one unit: they see and change only that unit's matters.
UNIT_ROLES = frozenset({Role.UNIT_ADMIN, Role.UNIT_STAFF})
# Administrators run the system; they do not read the city's business data.
ADMIN_ROLES = frozenset({Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDITOR})
