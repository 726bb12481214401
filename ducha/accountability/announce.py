"""Reading announcements (S1.14 exposure, S1.16 accountability): what may go into one, who
approves, who reads which.

The supervision office reads every announcement; the approver reads those submitted to them
and after; every other reader of business data (units, leaders, the other offices) reads an
announcement once it is issued, as they would read the paper sent to them.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from ducha.accountability.access import registers
from ducha.accountability.announce_models import (
    Announcement,
    AnnouncementItem,
    AnnouncementKind,
    AnnouncementState,
)
from ducha.accountability.models import Appeal, Case, CaseState, CaseStep, Record
from ducha.org.models import LeaderKind, LeaderPost, User
from ducha.org.roles import ADMIN_ROLES
from ducha.rules.periods import Period


def approver() -> User | None:
    """The named approver (``DUCHA_EXPOSURE_APPROVER``), or the mayor's account; None when neither
    is an active account."""
    name = settings.DUCHA_EXPOSURE_APPROVER
    if name:
        return User.objects.filter(username=name, is_active=True).first()
    post = LeaderPost.objects.filter(kind=LeaderKind.MAYOR, person__is_active=True).select_related("person").first()
    return post.person if post else None


def approves(user: User | AnonymousUser) -> bool:
    person = approver()
    return bool(user.is_authenticated and person is not None and person.pk == user.pk)


def _issued_items(kind: str) -> QuerySet[AnnouncementItem]:
    return AnnouncementItem.objects.filter(announcement__kind=kind, announcement__state=AnnouncementState.ISSUED)


def candidate_cases(period: Period) -> QuerySet[Case]:
    """Cases confirmed during the half-year (认定 then, or handled since) not yet exposed."""
    confirmed_then = CaseStep.objects.filter(case=OuterRef("pk"), to_state=CaseState.CONFIRMED,
                                             at__date__gte=period.start, at__date__lte=period.end)
    exposed = _issued_items(AnnouncementKind.EXPOSURE).filter(case=OuterRef("pk"))
    return (Case.objects.filter(state__in=[CaseState.CONFIRMED, CaseState.HANDLED])
            .filter(Exists(confirmed_then)).exclude(Exists(exposed))
            .select_related("unit").order_by("unit__sort_order", "id"))


def candidate_records(period: Period) -> QuerySet[Record]:
    """Records decided in the half-year, standing (not revoked, no appeal pending), not yet announced."""
    announced = _issued_items(AnnouncementKind.ACCOUNTABILITY).filter(record=OuterRef("pk"))
    return (Record.objects.filter(decided_on__gte=period.start, decided_on__lte=period.end, revoked=False)
            .exclude(appeal=Appeal.PENDING).exclude(Exists(announced))
            .select_related("unit").order_by("decided_on", "id"))


def visible_announcements(user: User | AnonymousUser) -> QuerySet[Announcement]:
    if not user.is_authenticated or not user.is_active or getattr(user, "role", "") in ADMIN_ROLES:
        return Announcement.objects.none()
    if registers(user):
        return Announcement.objects.all()
    shown = Q(state=AnnouncementState.ISSUED)
    if approves(user):
        shown |= Q(state__in=[AnnouncementState.SUBMITTED, AnnouncementState.APPROVED])
    return Announcement.objects.filter(shown)


def access_announcement_by_id(user: User | AnonymousUser, announcement_id: int) -> Announcement:
    try:
        return visible_announcements(user).select_related("approver", "issued_by").get(pk=announcement_id)
    except Announcement.DoesNotExist:
        raise Http404("No such announcement") from None
