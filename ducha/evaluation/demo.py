"""The demo city's evaluation (S6.1–S6.3): the three categories with their first indicator sets,
ratings entered for the last three finished quarters, the two earlier ones scored, checked,
approved and published, the latest one scored as a draft. Idempotent: nothing is added once a
period exists."""

from __future__ import annotations

from ducha.evaluation.access import approver
from ducha.evaluation.actions import (
    do_check_evaluation,
    do_decide_evaluation,
    do_open_evaluation,
    do_publish_evaluation,
)
from ducha.evaluation.actions_ratings import RatingEntry, do_enter_ratings
from ducha.evaluation.defaults import ensure_categories, ensure_default_set
from ducha.evaluation.models import EvaluationPeriod
from ducha.org.models import User
from ducha.org.roles import Role
from ducha.rules.periods import Period
from ducha.workcal import service as workcal


def build_demo_evaluation() -> int:
    office = User.objects.filter(role=Role.PERFORMANCE_OFFICE, is_active=True).order_by("id").first()
    mayor = approver()
    if EvaluationPeriod.objects.exists() or office is None or mayor is None:
        return 0
    today = workcal.today()
    latest = Period.containing("quarter", today).previous()
    quarters = [latest.previous().previous(), latest.previous(), latest]
    categories = ensure_categories()
    made = 0
    for quarter in quarters:
        units = sorted({u for c in categories for u in c.units.values_list("pk", flat=True)})
        # Scores spread by unit so the ranking has something to show; the same every time.
        do_enter_ratings(actor=mayor, period_key=quarter.key, source="leader_rating",
                         entries=[RatingEntry(u, str(70 + (u * 7 + quarter.index * 3) % 28)) for u in units])
        do_enter_ratings(actor=office, period_key=quarter.key, source="public_rating", origin="第三方民意调查（演示）",
                         entries=[RatingEntry(u, str(68 + (u * 11 + quarter.index) % 30)) for u in units])
        for category in categories:
            if not category.units.exists():
                continue
            ensure_default_set(category, quarter.year, actor=office)
            ev = do_open_evaluation(actor=office, category_id=category.pk, period_key=quarter.key, today=today)
            made += 1
            if quarter != latest:
                ev = do_check_evaluation(actor=office, evaluation=ev)
                ev = do_decide_evaluation(actor=mayor, evaluation=ev, approve=True)
                do_publish_evaluation(actor=office, evaluation=ev, today=today)
    return made
