"""Builds the demo city's organisation. Deterministic and idempotent: a second run changes nothing."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from ducha.org import demo_data as d
from ducha.org.models import LeaderKind, LeaderPost, Section, Unit, UnitKind, UnitPost, UnitPostKind, User
from ducha.org.roles import Role


@dataclass(frozen=True)
class DemoAccount:
    username: str
    name: str
    role: str
    unit: str


def _person_name(i: int) -> str:
    surnames = d.SURNAMES
    return surnames[(i * 7) % len(surnames)] + d.GIVEN[(i * 5) % len(d.GIVEN)]


def _upsert_person(username: str, *, name: str, role: str = "", unit: Unit | None = None,
                   title: str = "", section: Section | None = None, password: str | None = None) -> User:
    user, created = User.objects.update_or_create(
        username=username,
        defaults={"name": name, "role": role, "unit": unit, "title": title, "section": section, "is_active": True},
    )
    if created:
        # Hashing is deliberately slow; do it once, not on every demo start.
        if password is None:
            user.set_unusable_password()
        else:
            user.set_password(password)
        user.save(update_fields=["password"])
    return user


@transaction.atomic
def build_demo_organisation() -> list[DemoAccount]:
    units: dict[str, Unit] = {}
    order = 0
    for kind, rows in [
        (UnitKind.OFFICE, d.OFFICES),
        (UnitKind.DEPARTMENT, d.DEPARTMENTS),
        (UnitKind.COUNTY, d.COUNTIES),
        (UnitKind.ZONE, d.ZONES),
    ]:
        for code, name, short in rows:
            order += 10
            units[code], _ = Unit.objects.update_or_create(
                code=code, defaults={"name": name, "short_name": short, "kind": kind, "sort_order": order}
            )

    serial = 0
    for code, unit in units.items():
        sections = [Section.objects.get_or_create(unit=unit, name=name)[0] for name in d.SECTIONS]
        is_county = unit.kind in (UnitKind.COUNTY, UnitKind.ZONE)
        principal_title = {"county": "县(区)长", "zone": "管委会主任"}.get(unit.kind, "主要负责人")
        leaders: list[tuple[str, str, str]] = [(UnitPostKind.PRINCIPAL, principal_title, ""),
                   (UnitPostKind.IN_CHARGE, "副县(区)长" if is_county else "副职", "分管督查督办工作")]
        for post_kind, title, duties in leaders:
            serial += 1
            person = _upsert_person(f"{code}_{post_kind}", name=_person_name(serial), unit=unit, title=title)
            UnitPost.objects.update_or_create(unit=unit, kind=post_kind, person=person, defaults={"duties": duties})
        serial += 1
        # Each unit's supervision liaison (督查联络员) works its matters; no password: not a demo login.
        _upsert_person(f"{code}_liaison", name=_person_name(serial), unit=unit, title="督查联络员",
                       section=sections[-1], role=Role.UNIT_STAFF if unit.kind != UnitKind.OFFICE else "")

    mayor_user = _upsert_person(d.MAYOR[0], name=d.MAYOR[1], role=Role.LEADER, title=d.MAYOR[2],
                                password=d.DEMO_PASSWORD)
    post, _ = LeaderPost.objects.update_or_create(
        person=mayor_user,
        defaults={"kind": LeaderKind.MAYOR, "title": d.MAYOR[2], "duties": d.MAYOR[3], "sort_order": 0},
    )
    accounts = [DemoAccount(mayor_user.username, mayor_user.name, str(Role.LEADER.label), "市长")]
    for i, (username, name, title, duties, portfolio) in enumerate(d.VICE_MAYORS, start=1):
        is_demo_account = i == 1
        person = _upsert_person(username, name=name, role=Role.LEADER, title=title,
                                password=d.DEMO_PASSWORD if is_demo_account else None)
        post, _ = LeaderPost.objects.update_or_create(
            person=person,
            defaults={"kind": LeaderKind.VICE_MAYOR, "title": title, "duties": duties, "sort_order": i},
        )
        post.portfolio.set([units[c] for c in portfolio])
        if is_demo_account:
            accounts.append(DemoAccount(username, name, str(Role.LEADER.label), title))

    for username, name, role, unit_code, title in d.DEMO_ACCOUNTS:
        member_of = units[unit_code] if unit_code else None
        section = Section.objects.get(unit=member_of, name=d.SECTIONS[-1]) if role == Role.UNIT_STAFF else None
        _upsert_person(username, name=name, role=role, unit=member_of, title=title, section=section,
                       password=d.DEMO_PASSWORD)
        accounts.append(DemoAccount(username, name, str(Role(role).label), member_of.name if member_of else ""))
    return accounts
