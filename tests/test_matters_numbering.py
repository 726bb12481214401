"""Matter numbers (编号, DB2026-0001) come from the one number register (issue #11 item 6).

Numbering "highest + 1" against the unique column gave two people creating matters at once the
same number, and the second a 500. The number is now taken from the register row of the year
(``ducha.documents.register``), which the bulletins, notices and letters use too: concurrent
creators queue on that row. A year that already had matters goes on after the highest of them.
S2.1 (a matter and its fields), S2.4 (the ledger import numbers the rows left without 编号).
"""

from __future__ import annotations

import threading
from datetime import date

import pytest
from django.conf import settings
from django.db import connection, transaction

from ducha.documents.models import DocumentSequence
from ducha.documents.register import take_document_number
from ducha.matters.actions import do_create_matter
from ducha.matters.models import Matter, Source
from ducha.matters.numbering import take_matter_numbers
from tests.reminders_helpers import reference_data  # noqa: F401
from tests.test_matters_lifecycle import matter_input

_skip_unless_postgres = pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
    reason="needs PostgreSQL: two connections writing at once (SQLite's test database is in memory "
           "and serialises every write)",
)


def postgres_only(test):
    return pytest.mark.postgres(_skip_unless_postgres(test))


def _existing(city, *numbers: str) -> None:
    """Matters numbered before the register served matters (an installation being upgraded)."""
    Matter.objects.bulk_create(
        Matter(year=2026, number=n, title="x", source=Source.KEY_WORK, goal="x", lead_unit=city.units["fgw"],
               responsible_leader=city.victor, start_date=date(2026, 1, 5), created_by=city.alice)
        for n in numbers
    )


def test_item_6_matter_numbers_come_from_the_register(city):
    first = do_create_matter(actor=city.alice, data=matter_input(city))
    second = do_create_matter(actor=city.alice, data=matter_input(city))
    next_year = do_create_matter(actor=city.alice, data=matter_input(city, start_date=date(2027, 1, 4),
                                                                     due_date=date(2027, 6, 30)))
    assert (first.number, second.number, next_year.number) == ("DB2026-0001", "DB2026-0002", "DB2027-0001")
    assert DocumentSequence.objects.get(prefix="DB", year=2026).last == 2
    # A matter deleted before it was assigned leaves its number given: numbers are never reused.
    second.delete()
    assert do_create_matter(actor=city.alice, data=matter_input(city)).number == "DB2026-0003"
    # The office's documents keep their own rows of the same register.
    assert take_document_number("宛督", 2026) == 1


def test_item_6_register_starts_after_the_matters_numbered_before_it(city):
    _existing(city, "DB2026-0007", "DB2026-9999", "DB2026-0012", "宛政督2026-99999")
    first = do_create_matter(actor=city.alice, data=matter_input(city))
    second = do_create_matter(actor=city.alice, data=matter_input(city))
    assert (first.number, second.number) == ("DB2026-10000", "DB2026-10001")


def test_item_6_s2_4_ledger_numbers_given_by_hand_move_the_register_on(city):
    do_create_matter(actor=city.alice, data=matter_input(city))  # DB2026-0001
    with transaction.atomic():
        assert take_matter_numbers(2026, 2, given=[40, 5]) == ["DB2026-0041", "DB2026-0042"]
        assert take_matter_numbers(2026, 0, given=[3]) == []  # lower than the register: no step back
    assert do_create_matter(actor=city.alice, data=matter_input(city)).number == "DB2026-0043"


@postgres_only
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("reference_data")  # the calendar, which an earlier transactional test's flush wipes
def test_item_6_two_people_creating_matters_at_once_get_two_numbers(city):
    """One creation's transaction is still open when a second one starts: the second waits for
    the first and takes the next number (before, both read the same highest number and the
    second insert failed on the unique number: a 500)."""
    created, release = threading.Event(), threading.Event()
    results: dict[str, str] = {}

    def first() -> None:
        try:
            with transaction.atomic():
                results["first"] = do_create_matter(actor=city.alice, data=matter_input(city)).number
                created.set()
                release.wait(10)
        except Exception as e:  # the test reports what the thread met
            results["first"] = repr(e)
            created.set()
        finally:
            connection.close()

    def second() -> None:
        try:
            results["second"] = do_create_matter(actor=city.alice, data=matter_input(city, title="另一事项")).number
        except Exception as e:
            results["second"] = repr(e)
        finally:
            connection.close()

    a = threading.Thread(target=first)
    a.start()
    assert created.wait(10)
    b = threading.Thread(target=second)
    b.start()
    b.join(1)  # the second creator is now waiting on the first one's transaction
    release.set()
    a.join(10)
    b.join(10)
    assert results == {"first": "DB2026-0001", "second": "DB2026-0002"}
    assert sorted(Matter.objects.values_list("number", flat=True)) == ["DB2026-0001", "DB2026-0002"]
