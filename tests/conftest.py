"""Shared fixtures: the personas every feature's tests speak of.

Personas (a small city, built per test):
  alice   supervision office (督查室) — sees every unit
  gina    general office (市政府办)
  percy   performance office (绩效办)
  mayor   the mayor — sees every unit
  victor  vice mayor whose portfolio is {fgw, wancheng}
  ursula  unit administrator of fgw (发改委)
  sam     unit staff of fgw
  carl    unit staff of czj (财政局) — another unit
  sysop   system administrator; sec: security administrator; audrey: auditor
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import override_settings

from ducha.org.models import LeaderKind, LeaderPost, Unit, UnitKind, User
from ducha.org.roles import Role

PASSWORD = "pw-for-tests-only"


@pytest.fixture(autouse=True, scope="session")
def _fast_password_hashing():
    # PBKDF2 at a million iterations is right for production and wrong for a test suite.
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


SHANGHAI = ZoneInfo("Asia/Shanghai")


class Clock:
    """Every clock of the process at once: ``timezone.now()``, ``date.today()``, ``time.time()``,
    in the test, the live server's thread and any worker thread the test starts.

    A test that depends on the date says which date it is; the suite then passes on any day,
    and `make test` proves it by running again with the system clock a year and more ahead.
    """

    def __init__(self) -> None:
        self._traveller: time_machine.travel | None = None
        self._coordinates: time_machine.Coordinates | None = None

    def set(self, when: date | datetime | str, *, tick: bool = True) -> datetime:
        """Move to ``when``: a date means 10:00 that day in Asia/Shanghai (office hours, after
        the morning reminder run); a naive datetime is read in Asia/Shanghai. With ``tick`` the
        clock runs on from there, as a server's does; without, it stands still."""
        if isinstance(when, str):
            when = datetime.fromisoformat(when) if "T" in when or " " in when else date.fromisoformat(when)
        if not isinstance(when, datetime):
            when = datetime.combine(when, time(10, 0))
        if when.tzinfo is None:
            when = when.replace(tzinfo=SHANGHAI)
        self.stop()
        self._traveller = time_machine.travel(when, tick=tick)
        self._coordinates = self._traveller.start()
        return when

    def shift(self, delta: timedelta) -> None:
        assert self._coordinates is not None, "clock.set() first"
        self._coordinates.shift(delta)

    def stop(self) -> None:
        if self._traveller is not None:
            self._traveller.stop()
            self._traveller = self._coordinates = None


@pytest.fixture
def clock():
    c = Clock()
    yield c
    c.stop()


@pytest.fixture(autouse=True)
def _calendar_survives_flushes(request, django_db_blocker):
    """Transactional tests end with a flush that also empties the calendar the migration
    seeded; put it back so later tests see the database as a fresh installation does."""
    yield
    marker = request.node.get_closest_marker("django_db")
    transactional = "transactional_db" in request.fixturenames or "live_server" in request.fixturenames or (
        marker is not None and marker.kwargs.get("transaction", False)
    )
    if transactional:
        from importlib import import_module

        from django.apps import apps
        from django.db import IntegrityError, transaction

        from ducha.workcal.service import clear_cache

        with django_db_blocker.unblock():
            for module in ["ducha.workcal.migrations.0002_seed_2004_2026",
                           "ducha.reminders.migrations.0002_default_ladder"]:
                try:
                    with transaction.atomic():
                        import_module(module).seed(apps, None)
                except IntegrityError:
                    pass  # a test's own fixture put it back first
        clear_cache()


@dataclass
class City:
    units: dict[str, Unit]
    people: dict[str, User]

    def __getattr__(self, name: str) -> User:
        try:
            return self.people[name]
        except KeyError:
            raise AttributeError(name) from None


def make_city() -> City:
    units = {
        code: Unit.objects.create(code=code, name=name, short_name=name, kind=kind)
        for code, name, kind in [
            ("dcs", "市人民政府督查室", UnitKind.OFFICE),
            ("zfb", "市人民政府办公室", UnitKind.OFFICE),
            ("jxb", "市绩效管理办公室", UnitKind.OFFICE),
            ("fgw", "市发展和改革委员会", UnitKind.DEPARTMENT),
            ("czj", "市财政局", UnitKind.DEPARTMENT),
            ("wancheng", "宛城区人民政府", UnitKind.COUNTY),
            ("gxq", "高新区管委会", UnitKind.ZONE),
        ]
    }

    def person(username: str, role: str, unit: str | None = None) -> User:
        return User.objects.create_user(
            username=username, password=PASSWORD, name=username.title(), role=role,
            unit=units[unit] if unit else None,
        )

    people = {
        "alice": person("alice", Role.SUPERVISION_OFFICE, "dcs"),
        "gina": person("gina", Role.GENERAL_OFFICE, "zfb"),
        "percy": person("percy", Role.PERFORMANCE_OFFICE, "jxb"),
        "mayor": person("mayor", Role.LEADER),
        "victor": person("victor", Role.LEADER),
        "ursula": person("ursula", Role.UNIT_ADMIN, "fgw"),
        "sam": person("sam", Role.UNIT_STAFF, "fgw"),
        "carl": person("carl", Role.UNIT_STAFF, "czj"),
        "sysop": person("sysop", Role.SYSTEM_ADMIN),
        "sec": person("sec", Role.SECURITY_ADMIN),
        "audrey": person("audrey", Role.AUDITOR),
    }
    LeaderPost.objects.create(person=people["mayor"], kind=LeaderKind.MAYOR, title="市长")
    post = LeaderPost.objects.create(person=people["victor"], kind=LeaderKind.VICE_MAYOR, title="副市长")
    post.portfolio.set([units["fgw"], units["wancheng"]])
    return City(units, people)


@pytest.fixture
def city(db) -> City:
    return make_city()
