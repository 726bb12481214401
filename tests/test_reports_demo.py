"""The demo city's monthly reports (S1.2): two closed months, most on time, some late, a few
missing, made through the real actions; idempotent."""

from __future__ import annotations

from datetime import date

import pytest

from ducha.matters.demo import build_demo_matters
from ducha.org.access import EVERYTHING
from ducha.org.demo import build_demo_organisation
from ducha.reports.demo import build_demo_reports
from ducha.reports.models import MonthlyReport
from ducha.reports.owed import period_counts
from ducha.rules.periods import Period

TODAY = date(2026, 11, 27)


@pytest.mark.django_db
def test_s1_2_demo_reports(settings, clock):
    clock.set(TODAY)
    build_demo_organisation()
    build_demo_matters(today=TODAY)
    made = build_demo_reports(today=TODAY)
    assert made > 20 and MonthlyReport.objects.filter(year=2026, month__in=[9, 10]).count() >= made
    counts = period_counts(EVERYTHING, Period.parse("2026-Q4"), TODAY).total
    # Q4's closed windows: September's and October's reports.
    assert counts.on_time > counts.late > 0 and counts.missing > 0
    assert build_demo_reports(today=TODAY) == 0
