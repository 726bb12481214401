"""In-app messages that are not reminders: a matter assigned, a notice delivered, a report
sent back, a letter received. Reminders write their own inbox rows with their idempotency key
(ducha.reminders.fanout); these are one-off facts, written once by the action that made them.

Who hears for a unit: its administrators (the unit's liaisons, as for reminders) or, when
it has none, everyone who works for it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from ducha.inbox.models import Notification
from ducha.org.models import User
from ducha.org.roles import CITY_WIDE_ROLES, UNIT_ROLES, Role


def unit_liaisons(unit_ids: Iterable[int]) -> dict[int, list[int]]:
    """unit id → the people who receive its mail (administrators, else all its active staff)."""
    wanted = sorted(set(unit_ids))
    members: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for uid, unit_id, role in User.objects.filter(
        unit_id__in=wanted, is_active=True, role__in=sorted(UNIT_ROLES | CITY_WIDE_ROLES)
    ).values_list("id", "unit_id", "role").order_by("id"):
        members[unit_id].append((uid, role))
    out: dict[int, list[int]] = {}
    for unit_id in wanted:
        people = members.get(unit_id, [])
        admins = [uid for uid, r in people if r == Role.UNIT_ADMIN]
        out[unit_id] = admins or [uid for uid, _r in people]
    return out


def notify_people(user_ids: Iterable[int], *, title: str, body: str, light: str = "") -> int:
    """One inbox message to each person (once each, however often they are named)."""
    rows = Notification.objects.bulk_create(
        Notification(user_id=uid, title=title[:200], body=body, light=light) for uid in sorted(set(user_ids))
    )
    return len(rows)


def notify_units_apart(messages: Iterable[tuple[int, str, str]], *, light: str = "") -> int:
    """Each unit its own message, ``(unit id, title, text)``: one read of the liaisons and one
    insert for all of them."""
    messages = list(messages)
    people = unit_liaisons(unit_id for unit_id, _t, _b in messages)
    rows = Notification.objects.bulk_create(
        Notification(user_id=uid, title=title[:200], body=body, light=light)
        for unit_id, title, body in messages for uid in people.get(unit_id, [])
    )
    return len(rows)


def notify_units(unit_ids: Iterable[int], *, title: str, body: str, light: str = "") -> int:
    """The same message to the liaisons of each unit."""
    people = [uid for uids in unit_liaisons(unit_ids).values() for uid in uids]
    return notify_people(people, title=title, body=body, light=light)


def notify_each(messages: Iterable[tuple[int, str, str, str]]) -> int:
    """Each person their own message, ``(person id, title, text, light)``, in one insert."""
    rows = Notification.objects.bulk_create(
        Notification(user_id=uid, title=title[:200], body=body, light=light) for uid, title, body, light in messages
    )
    return len(rows)
