"""Who a reminder reaches, and by which channels: resolved for a whole batch at once.

The lookups that depend only on the organisation (vice mayors' portfolios, the mayor, the
supervision office, robots) are read once per pass; the per-unit ones once per batch for
the units in it. So a batch of 1,000 matters costs the same handful of queries as a
batch of 10.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings

from ducha.bulk import filter_ids
from ducha.matters.models import Assignment
from ducha.org.models import LeaderKind, LeaderPost, Unit, UnitPost, UnitPostKind, User
from ducha.org.roles import Role
from ducha.reminders.models import Channel, RobotWebhook
from ducha.rules.escalation import Audience


@dataclass(frozen=True)
class Person:
    id: int
    email: str
    phone: str
    unit_id: int | None
    email_on: bool
    sms_on: bool
    sms_only_urgent: bool


class Resolver:
    """Per-pass cache of the organisation; create one per scan pass."""

    def __init__(self) -> None:
        portfolio: dict[int, list[int]] = defaultdict(list)
        through = LeaderPost.portfolio.through
        for unit_id, person_id in through.objects.filter(
            leaderpost__kind=LeaderKind.VICE_MAYOR, leaderpost__person__is_active=True
        ).values_list("unit_id", "leaderpost__person_id"):
            portfolio[unit_id].append(person_id)
        self.vice_mayors = dict(portfolio)
        self.mayor = list(LeaderPost.objects.filter(kind=LeaderKind.MAYOR, person__is_active=True)
                          .values_list("person_id", flat=True))
        self.supervision = list(User.objects.filter(role=Role.SUPERVISION_OFFICE, is_active=True)
                                .values_list("id", flat=True))
        self.robots: dict[int, list[tuple[int, str]]] = defaultdict(list)
        for rid, unit_id, kind in RobotWebhook.objects.filter(is_active=True).values_list("id", "unit_id", "kind"):
            self.robots[unit_id].append((rid, kind))
        self.unit_names: dict[int, str] = {}
        self.unit_people: dict[int, list[int]] = {}
        self.in_charge: dict[int, list[int]] = {}
        self.people: dict[int, Person] = {}

    def load_units(self, unit_ids: Iterable[int]) -> None:
        missing = sorted(set(unit_ids) - self.unit_people.keys())
        if not missing:
            return
        for u in missing:
            self.unit_people[u] = []
            self.in_charge[u] = []
        for uid, short, name in Unit.objects.filter(pk__in=missing).values_list("id", "short_name", "name"):
            self.unit_names[uid] = short or name
        # The unit administrator is the unit's liaison (联络员) for supervised matters.
        for uid, unit_id in User.objects.filter(
            unit_id__in=missing, role=Role.UNIT_ADMIN, is_active=True
        ).values_list("id", "unit_id"):
            self.unit_people[unit_id].append(uid)
        for person_id, unit_id in UnitPost.objects.filter(
            unit_id__in=missing, kind=UnitPostKind.IN_CHARGE, person__is_active=True
        ).values_list("person_id", "unit_id"):
            self.in_charge[unit_id].append(person_id)

    @staticmethod
    def assignees(matter_ids: list[int], lead_units: dict[int, int]) -> dict[int, list[int]]:
        """People named in the lead unit's own breakdown of each matter (S2.5)."""
        found: dict[int, list[int]] = defaultdict(list)
        for matter_id, unit_id, person_id in filter_ids(
            Assignment.objects.filter(person__isnull=False, person__is_active=True), "matter", matter_ids
        ).values_list("matter_id", "unit_id", "person_id"):
            if lead_units.get(matter_id) == unit_id:
                found[matter_id].append(person_id)
        return found

    def recipients(self, audience: frozenset[Audience], lead_unit: int, assignees: list[int],
                   responsible_leader: int) -> list[int]:
        out: list[int] = []
        if Audience.LEAD_UNIT in audience:
            out += self.unit_people.get(lead_unit, []) + assignees
        if Audience.UNIT_IN_CHARGE in audience:
            out += self.in_charge.get(lead_unit, [])
        if Audience.VICE_MAYOR in audience:
            out += self.vice_mayors.get(lead_unit) or [responsible_leader]
        if Audience.SUPERVISION_OFFICE in audience:
            out += self.supervision
        if Audience.MAYOR in audience:
            out += self.mayor
        return list(dict.fromkeys(out))  # de-duplicated, order kept

    def load_people(self, ids: Iterable[int]) -> None:
        missing = sorted(set(ids) - self.people.keys())
        if not missing:
            return
        sms_default = settings.DUCHA_SMS_DEFAULT
        for row in User.objects.filter(pk__in=missing, is_active=True).values_list(
            "id", "email", "phone", "unit_id", "channel_preference__email", "channel_preference__sms",
            "channel_preference__sms_only_urgent",
        ):
            pid, email, phone, unit_id, e_on, s_on, s_urgent = row
            self.people[pid] = Person(
                pid, email or "", phone or "", unit_id,
                True if e_on is None else e_on, sms_default if s_on is None else s_on, bool(s_urgent),
            )

    def channels(self, person_ids: list[int], urgent: bool) -> list[tuple[str, int | None, int | None, str]]:
        """(channel, user id, robot id, address) for each delivery of one reminder."""
        out: list[tuple[str, int | None, int | None, str]] = []
        units: list[int] = []
        for pid in person_ids:
            p = self.people.get(pid)
            if p is None:
                continue  # inactive
            out.append((Channel.INBOX, pid, None, ""))
            if p.email_on and p.email:
                out.append((Channel.EMAIL, pid, None, p.email))
            if p.sms_on and p.phone and (urgent or not p.sms_only_urgent):
                out.append((Channel.SMS, pid, None, p.phone))
            if p.unit_id is not None and p.unit_id not in units:
                units.append(p.unit_id)
        for unit_id in units:
            for rid, kind in self.robots.get(unit_id, []):
                out.append((kind, None, rid, ""))
        return out
