"""Hook: tell every addressee of a sent letter in their in-app inbox.

Each addressee hears in the capacity they receive it (主送/报/抄送). A guarded UPDATE of the
letter's ``notified_at`` lets exactly one run write them: a retried commit hook cannot notify
twice. Who is told: a leader addressee in person; for a unit, its liaisons
(``ducha.inbox.notify.unit_liaisons``).
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from ducha.inbox.notify import notify_each, unit_liaisons
from ducha.letters.models import Letter, LetterRecipient, RoleChoice

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
    for unit_id, people in unit_liaisons(unit_roles).items():
        for uid in people:
            out.setdefault(uid, unit_roles[unit_id])
    return out


@transaction.atomic
def notify_letter_sent(letter_id: int) -> int:
    """Inbox messages for the letter's addressees; returns how many were written (0 on a rerun)."""
    if Letter.objects.filter(pk=letter_id, notified_at__isnull=True).update(notified_at=timezone.now()) != 1:
        return 0
    letter = Letter.objects.select_related("from_unit").get(pk=letter_id)
    sender = letter.from_unit.short_name or letter.from_unit.name
    return notify_each(
        (uid, f"提醒函 {letter.number}（{_ROLE_WORD.get(role, '')}）", f"{sender}：{letter.title}",
         "red" if role == RoleChoice.TO else "")
        for uid, role in sorted(letter_audience(letter_id).items())
    )
