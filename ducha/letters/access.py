"""Who reads which letters, who signs for them, who sends them.

A letter is correspondence between units, so it is read by its parties: the sending unit,
every addressee (units and leaders), the vice mayors whose portfolio holds either end, and
the mayor. The supervision office is copied on every letter and the performance office
counts them for the evaluation (S6.1), so both read all. Anything else is a 404, exactly as
a letter that does not exist.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from ducha.letters.models import Letter, LetterRecipient
from ducha.org.access import unit_scope
from ducha.org.models import LeaderKind, Unit, User
from ducha.org.roles import CITY_WIDE_ROLES, UNIT_ROLES, Role
from ducha.reminders.models import LetterProposal
from ducha.rules.lifecycle import RUNNING

READ_ALL_ROLES = frozenset({Role.SUPERVISION_OFFICE, Role.PERFORMANCE_OFFICE})
# People who act for their unit: they sign for letters addressed to it.
SIGNING_ROLES = UNIT_ROLES | CITY_WIDE_ROLES


def _is_mayor(user: User) -> bool:
    post = getattr(user, "leader_post", None)
    return post is not None and post.kind == LeaderKind.MAYOR


def sees_all_letters(user: User | AnonymousUser) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    assert isinstance(user, User)
    return user.role in READ_ALL_ROLES or (user.role == Role.LEADER and _is_mayor(user))


def visible_letters(user: User | AnonymousUser) -> QuerySet[Letter]:
    letters = Letter.objects.all()
    if not user.is_authenticated or not user.is_active:
        return letters.none()
    assert isinstance(user, User)
    if sees_all_letters(user):
        return letters
    if user.role == Role.LEADER:
        ids = sorted(unit_scope(user).unit_ids)
        addressed = Exists(LetterRecipient.objects.filter(letter=OuterRef("pk"), person=user))
        return letters.filter(addressed | Q(from_unit__in=ids) | Q(to_unit__in=ids))
    if user.role in SIGNING_ROLES and user.unit_id is not None:
        addressed = Exists(LetterRecipient.objects.filter(letter=OuterRef("pk"), unit_id=user.unit_id))
        return letters.filter(Q(from_unit_id=user.unit_id) | addressed)
    return letters.none()


def access_letter_by_id(user: User | AnonymousUser, letter_id: int) -> Letter:
    """The letter if ``user`` may read it; Http404 otherwise, exactly as for a missing one."""
    try:
        return visible_letters(user).select_related("from_unit", "to_unit", "matter", "sent_by").get(pk=letter_id)
    except Letter.DoesNotExist:
        raise Http404("No such letter") from None


def receipt_filter(user: User) -> Q:
    """The addressee rows ``user`` signs for: their own (a leader) or their unit's."""
    q = Q(person_id=user.pk)
    if user.role in SIGNING_ROLES and user.unit_id is not None:
        q |= Q(unit_id=user.unit_id)
    return q


def sending_unit(user: User | AnonymousUser) -> Unit | None:
    """The unit on whose behalf ``user`` may send letters: unit administrators and staff only."""
    if not user.is_authenticated or not user.is_active:
        return None
    assert isinstance(user, User)
    if user.role in UNIT_ROLES and user.unit_id is not None:
        return user.unit
    return None


def access_sending_unit(user: User | AnonymousUser) -> Unit:
    """The unit ``user`` sends letters for; anyone else gets a 404, as for a page not theirs."""
    unit = sending_unit(user)
    if unit is None:
        raise Http404("Only a unit sends letters")
    return unit


MAX_PROPOSALS = 500


def open_letter_proposals(user: User) -> tuple[Unit | None, list[LetterProposal]]:
    """The letter proposals still open (the part not done, the matter running) that ``user``
    acts on: their unit's, or every unit's for the supervision office, which reads them; a 404
    for other roles. In matter and part order, at most ``MAX_PROPOSALS`` (the page says so)."""
    unit = sending_unit(user)
    if unit is None and user.role != Role.SUPERVISION_OFFICE:
        raise Http404("No letter proposals for this role")
    qs = LetterProposal.objects.filter(outcome__isnull=True, co_part__done_on__isnull=True,
                                       matter__status__in=RUNNING)
    if unit is not None:
        qs = qs.filter(from_unit=unit)
    rows = qs.select_related("matter", "co_part", "co_part__unit", "to_unit", "from_unit").order_by(
        "matter_id", "co_part_id", "id")[:MAX_PROPOSALS]
    return unit, list(rows)


def can_read_counts(user: User | AnonymousUser) -> bool:
    """The per-unit table (S6.1 input) is for the supervision and performance offices."""
    return bool(user.is_authenticated and user.is_active and getattr(user, "role", "") in READ_ALL_ROLES)


def can_record_requesters(user: User | AnonymousUser) -> bool:
    """The general office registers units' requests (S1.13), so it records who sent each."""
    return bool(user.is_authenticated and user.is_active and getattr(user, "role", "") == Role.GENERAL_OFFICE)
