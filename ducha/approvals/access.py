"""Who may do what in administrative approval, decided in one place.

- The approval service office (行政审批服务局, the unit ``DUCHA_APPROVAL_SERVICE_UNIT``): its staff
  run the windows (收件, the materials check, notices, acceptance, decisions' delivery) and read
  the supervision board; its administrator edits and publishes the catalogue.
- A department's staff handle their department's steps and its applications.
- The supervision office, the general office and the city leaders read the board and every
  application; nobody outside edits the catalogue.
- Anyone signed in reads the published catalogue (and the public reads it through the API).
"""

from __future__ import annotations

from django.conf import settings

from ducha.org.models import Unit, User
from ducha.org.roles import CITY_WIDE_ROLES, UNIT_ROLES, Role


def service_unit() -> Unit | None:
    return Unit.objects.filter(code=settings.DUCHA_APPROVAL_SERVICE_UNIT).first()


def in_service_office(user: User) -> bool:
    unit = user.unit if user.is_authenticated and user.role in UNIT_ROLES else None
    return unit is not None and unit.code == settings.DUCHA_APPROVAL_SERVICE_UNIT


def edits_catalogue(user: User) -> bool:
    return in_service_office(user) and user.role == Role.UNIT_ADMIN


def reads_everything(user: User) -> bool:
    """The service office, the city-wide offices and the city leaders see every application."""
    return user.is_authenticated and (in_service_office(user) or user.role in CITY_WIDE_ROLES
                                      or user.role == Role.LEADER)
