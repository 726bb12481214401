"""The ledger year the page and API tests share: three units behind and one on track in
2026, built in January by the supervision office (alice); ``reconcile`` has the general
office (gina) run the June check and the September reconciliation."""

from __future__ import annotations

from datetime import date

from ducha.ledger.actions import do_build_ledger, do_check_ledger, do_reconcile_ledger
from tests.test_ledger_phases import make_matter

JUNE = date(2026, 6, 15)
SEPT = date(2026, 9, 15)


def build_year(city, settings, tmp_path, clock):
    settings.MEDIA_ROOT = tmp_path
    clock.set(JUNE)
    for unit in ("fgw", "czj", "wancheng"):
        make_matter(city, unit, progress=5, title=f"{unit}滞后")
    make_matter(city, "fgw", progress=90, title="fgw正常")
    do_build_ledger(actor=city.alice, year=2026, today=date(2026, 1, 12))
    return city


def reconcile(city, settings, clock):
    do_check_ledger(actor=city.gina, year=2026, today=JUNE)
    clock.set(SEPT)
    do_reconcile_ledger(actor=city.gina, year=2026, today=SEPT, render=False)
    return city
