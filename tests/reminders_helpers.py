"""Shared by the reminder tests: matters created the way the application creates them."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal

import pytest
from django.utils import timezone

from ducha.matters.actions import CoUnitInput, MatterInput, do_create_matter, do_transition_matter
from ducha.matters.models import Matter, MatterCheck, Status
from ducha.org.models import UnitPost, UnitPostKind, User
from ducha.org.roles import Role


def at(d: date, hour: int = 9) -> datetime:
    return timezone.make_aware(datetime.combine(d, time(hour)))


def running_matter(city, *, due: date, start: date = date(2026, 3, 2), last_progress: date | None = None,
                   progress: int = 100, co_units=(), title: str = "中心城区两度两力提升行动") -> Matter:
    m = do_create_matter(actor=city.alice, data=MatterInput(
        title=title, source="key_work", lead_unit_id=city.units["fgw"].id, responsible_leader_id=city.victor.id,
        start_date=start, due_date=due, goal="完成年度目标", target_quantity=Decimal("12"), target_unit="个",
        projects="重点项目库", standard="按期验收", milestones=1,  # S2.1: what a key-work item is assigned with
        co_units=[CoUnitInput(unit_id=city.units[c].id, part="资金保障", due_date=d) for c, d in co_units],
    ), today=start)
    do_transition_matter(actor=city.alice, matter_id=m.id, action="assign", today=start)
    Matter.objects.filter(pk=m.pk).update(last_progress_on=last_progress or due, progress=progress)
    m.refresh_from_db()
    assert m.status == Status.ASSIGNED and not m.check_scheduled and check_time(m) is None
    return m


def check_time(m: Matter) -> datetime | None:
    """When the reminder engine next looks at ``m`` (None: it holds no time for it)."""
    return MatterCheck.objects.filter(matter=m).values_list("next_check_at", flat=True).first()


def bulk_running_matters(city, n: int, *, due: date, last_progress: date, next_check: datetime) -> None:
    """``n`` running matters written straight to the table (thousands, for the concurrency proofs)."""
    base = dict(
        year=due.year, title="批量督办事项", source="key_work", goal="g", lead_unit=city.units["fgw"],
        responsible_leader=city.victor, status=Status.IN_PROGRESS, start_date=date(2026, 3, 2), due_date=due,
        last_progress_on=last_progress, progress=100, created_by=city.alice, check_scheduled=True,
    )
    start = Matter.objects.count()
    made = Matter.objects.bulk_create([Matter(number=f"BULK-{start + i:06d}", **base) for i in range(n)],
                                      batch_size=1000)
    MatterCheck.objects.bulk_create([MatterCheck(matter=m, next_check_at=next_check) for m in made], batch_size=1000)


def in_charge_leader(city) -> User:
    person = User.objects.create_user(username="ivan", password="x-pw-for-tests", name="Ivan",
                                      role=Role.UNIT_STAFF, unit=city.units["fgw"], phone="13912345678")
    UnitPost.objects.create(unit=city.units["fgw"], person=person, kind=UnitPostKind.IN_CHARGE)
    return person


@pytest.fixture
def reference_data(db):
    """What the migrations seed and a transactional test's closing flush wipes: the calendar
    and the escalation ladder. Put back when missing, so each reminder test starts from the
    database a fresh installation has, whatever ran before it."""
    from importlib import import_module

    from django.apps import apps

    from ducha.reminders.models import EscalationRung
    from ducha.workcal.models import CalendarYear
    from ducha.workcal.service import clear_cache

    if not CalendarYear.objects.exists():
        import_module("ducha.workcal.migrations.0002_seed_2004_2026").seed(apps, None)
        clear_cache()
    if not EscalationRung.objects.exists():
        import_module("ducha.reminders.migrations.0002_default_ladder").seed(apps, None)
