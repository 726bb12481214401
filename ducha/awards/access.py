"""Who reads and who does what in the innovation award (S1.12).

Every signed-in reader of business data sees the award years (a unit must know when to
nominate) and, once a year is published, its winners. Nominations: the performance office and
the approver read them all; a panel member reads them all once the deadline has passed (to
score them); everyone else through ``org.access.unit_scope`` (a unit its own, a vice mayor the
portfolio's, the mayor all). Scores: the office reads them all, a panel member their own,
nobody else, even after publication (the result and rank are published, not who gave what).
Anything not visible is a 404, as for a row that does not exist.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from ducha.awards.models import AwardYear, Nomination, YearState
from ducha.org.access import unit_scope
from ducha.org.models import LeaderKind, LeaderPost, User
from ducha.org.roles import ADMIN_ROLES, Role
from ducha.workcal import service as workcal


def _reader(user: User | AnonymousUser) -> bool:
    return bool(user.is_authenticated and user.is_active and getattr(user, "role", "") not in ADMIN_ROLES)


def runs_awards(user: User | AnonymousUser) -> bool:
    """The performance office (绩效办): opens years, closes scoring, proposes and publishes."""
    return bool(_reader(user) and getattr(user, "role", "") == Role.PERFORMANCE_OFFICE)


def nominates_for(user: User | AnonymousUser) -> int | None:
    """The unit ``user`` nominates for (its administrator), else None."""
    if _reader(user) and getattr(user, "role", "") == Role.UNIT_ADMIN:
        return getattr(user, "unit_id", None)
    return None


def award_approver() -> User | None:
    """DUCHA_AWARD_APPROVER's account, or by default the mayor: the award is the city
    government's (市政府设立), and the mayor heads it."""
    username = str(settings.DUCHA_AWARD_APPROVER)
    if username:
        return User.objects.filter(username__iexact=username, is_active=True).first()
    post = LeaderPost.objects.filter(kind=LeaderKind.MAYOR, person__is_active=True).select_related("person").first()
    return post.person if post else None


def approves(user: User | AnonymousUser) -> bool:
    if not _reader(user):
        return False
    approver = award_approver()
    return approver is not None and approver.pk == user.pk


def on_panel(user: User | AnonymousUser, year: AwardYear) -> bool:
    return bool(_reader(user) and year.panel.filter(pk=user.pk).exists())


def visible_years(user: User | AnonymousUser) -> QuerySet[AwardYear]:
    return AwardYear.objects.all() if _reader(user) else AwardYear.objects.none()


def access_year_by_id(user: User | AnonymousUser, year_id: int) -> AwardYear:
    try:
        return visible_years(user).select_related("opened_by", "approved_by", "published_by").get(pk=year_id)
    except AwardYear.DoesNotExist:
        raise Http404("No such award year") from None


def reads_all_nominations(user: User | AnonymousUser, year: AwardYear, today: date | None = None) -> bool:
    if runs_awards(user) or approves(user):
        return True
    return on_panel(user, year) and (today or workcal.today()) > year.nomination_deadline


def visible_nominations(user: User | AnonymousUser, year: AwardYear, today: date | None = None) -> QuerySet[Nomination]:
    rows = Nomination.objects.filter(year=year).select_related("unit")
    if not _reader(user):
        return rows.none()
    if reads_all_nominations(user, year, today):
        return rows
    shown = unit_scope(user).q("unit")
    if year.state == YearState.PUBLISHED:
        shown |= Q(winner=True)
    return rows.filter(shown)


def access_nomination_by_id(user: User | AnonymousUser, nomination_id: int) -> Nomination:
    row = Nomination.objects.select_related("year", "unit", "created_by").filter(pk=nomination_id).first()
    if row is None or not visible_nominations(user, row.year).filter(pk=row.pk).exists():
        raise Http404("No such nomination")
    return row


def sees_every_score(user: User | AnonymousUser) -> bool:
    return runs_awards(user)


def ranking_refused() -> str:
    return _("The ranking is read by the performance office and the approver.")
