"""Who reads the burden meter (减负, S2.8): the supervision office, which asks most of what
the units are asked, and the performance office, which reads it beside the units' results.
No one else: it is the platform's check on itself, not a page about any one unit."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from ducha.org.models import User
from ducha.org.roles import Role

READERS = frozenset({Role.SUPERVISION_OFFICE, Role.PERFORMANCE_OFFICE})


def can_read_burden(user: User | AnonymousUser) -> bool:
    return bool(user.is_authenticated and user.is_active and getattr(user, "role", "") in READERS)


def access_burden_reader(user: User | AnonymousUser) -> User:
    """``user`` if it reads the burden meter; PermissionDenied otherwise."""
    if not can_read_burden(user):
        raise PermissionDenied(_("The burden meter is read by the supervision office and the performance office."))
    assert isinstance(user, User)
    return user
