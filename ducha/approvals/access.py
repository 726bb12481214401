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
from django.db.models import Q, QuerySet
from django.http import Http404

from ducha.approvals.models import Application, StepRecord
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


def visible_applications(user: User) -> QuerySet[Application]:
    """Applications the person may read: every one for the service office, the city-wide offices
    and the leaders; for a department's people, those it handles or has a step in."""
    qs = Application.objects.all()
    if reads_everything(user):
        return qs
    if user.is_authenticated and user.role in UNIT_ROLES and user.unit_id is not None:
        return qs.filter(Q(handling_unit_id=user.unit_id)
                         | Q(pk__in=StepRecord.objects.filter(step__department_id=user.unit_id)
                             .values("application_id")))
    return qs.none()


def access_application_by_id(user: User, application_id: int) -> Application:
    """The application, or Http404 when it does not exist or is outside the person's scope."""
    app = visible_applications(user).select_related("version__item", "handling_unit", "area",
                                                    "first_officer").filter(pk=application_id).first()
    if app is None:
        raise Http404("no such application")
    return app


def access_application_by_receipt(user: User, receipt_number: str) -> Application:
    app = visible_applications(user).filter(receipt_number=receipt_number).only("pk").first()
    if app is None:
        raise Http404("no such application")
    return access_application_by_id(user, app.pk)


def handles_steps_of(user: User, unit_id: int) -> bool:
    """The department's own people take its steps."""
    return user.is_authenticated and user.role in UNIT_ROLES and user.unit_id == unit_id
