"""Hook: tell every addressee of a sent letter in their in-app inbox.

ducha.reminders has no public notify() call yet; its inbox is the ``Notification`` table, so
this hook inserts rows there directly (no reminder attached). A guarded UPDATE of the letter's
``notified_at`` lets exactly one run write them: a retried commit hook cannot notify twice.
When reminders grows a notify API, only this module changes.

Who is told: a leader addressee in person; for a unit, its administrators (the unit's
liaisons, as for reminders) or, when it has none, everyone who works for it there.
"""

from __future__ import annotations

from collections import defaultdict

from django.db import transaction
from django.utils import timezone

from ducha.letters.models import Letter, LetterRecipient, RoleChoice
from ducha.org.models import User
from ducha.org.roles import CITY_WIDE_ROLES, UNIT_ROLES, Role
from ducha.reminders.models import Notification

_ROLE_WORD: dict[str, str] = {RoleChoice.TO: "主送", RoleChoice.REPORT: "报", RoleChoice.CC: "抄送"}


def letter_audience(letter_id: int) -> dict[int, str]:
    """user id -> the capacity in which they receive the letter (主送/报/抄送)."""
    rows = list(LetterRecipient.objects.filter(letter_id=letter_id).values_list("role", "unit_id", "person_id"))
    out: dict[int, str] = {}
    unit_roles: dict[int, str] = {}
    for role, unit_id, person_id in rows:
        if person_id is not None:
            out.setdefault(person_id, role)
        elif unit_id is not None:
            unit_roles[unit_id] = role
    if unit_roles:
        people: dict[int, list[tuple[int, str]]] = defaultdict(list)
        for uid, unit_id, role in User.objects.filter(
            unit_id__in=list(unit_roles), is_active=True, role__in=sorted(UNIT_ROLES | CITY_WIDE_ROLES)
        ).values_list("id", "unit_id", "role"):
            people[unit_id].append((uid, role))
        for unit_id, role in unit_roles.items():
            members = people.get(unit_id, [])
            admins = [uid for uid, r in members if r == Role.UNIT_ADMIN]
            for uid in admins or [uid for uid, _r in members]:
                out.setdefault(uid, role)
    return out


@transaction.atomic
def notify_letter_sent(letter_id: int) -> int:
    """Inbox messages for the letter's addressees; returns how many were written (0 on a rerun)."""
    if Letter.objects.filter(pk=letter_id, notified_at__isnull=True).update(notified_at=timezone.now()) != 1:
        return 0
    letter = Letter.objects.select_related("from_unit").get(pk=letter_id)
    sender = letter.from_unit.short_name or letter.from_unit.name
    rows = Notification.objects.bulk_create(
        Notification(
            user_id=uid, title=f"提醒函 {letter.number}（{_ROLE_WORD.get(role, '')}）"[:200],
            body=f"{sender}：{letter.title}", light="red" if role == RoleChoice.TO else "",
        )
        for uid, role in sorted(letter_audience(letter_id).items())
    )
    return len(rows)
