"""The test clock: one setting moves every clock the platform reads, in every thread."""

from __future__ import annotations

import threading
from datetime import date, datetime, timedelta

from django.utils import timezone

from ducha.workcal.service import today
from tests.conftest import SHANGHAI


def test_a_date_means_ten_in_the_morning_in_shanghai_and_the_clock_can_stand_still(clock):
    moment = clock.set(date(2026, 6, 30), tick=False)
    assert moment == datetime(2026, 6, 30, 10, 0, tzinfo=SHANGHAI)
    assert timezone.now() == moment and today() == date(2026, 6, 30) == date.today()
    clock.shift(timedelta(days=1))
    assert today() == date(2026, 7, 1)


def test_other_threads_read_the_same_clock(clock):
    clock.set(date(2027, 2, 5), tick=False)
    seen: list[date] = []
    worker = threading.Thread(target=lambda: seen.append(today()))
    worker.start()
    worker.join()
    assert seen == [date(2027, 2, 5)]


def test_a_ticking_clock_runs_on_from_where_it_was_set(clock):
    start = clock.set("2026-12-31T23:59:59.9")
    assert timezone.now() >= start
    assert today() in (date(2026, 12, 31), date(2027, 1, 1))
