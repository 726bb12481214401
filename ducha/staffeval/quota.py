"""The 优秀 quota of a unit's staff evaluation (S6.2: 与单位优秀公务员比例升降挂钩).

The share of staff who may be graded 优秀 depends on the unit's own annual grade in the
performance evaluation (``ducha.evaluation``): a unit graded 优秀 gets the raised share, one
graded 较差 the lowered share, any other grade or none yet the normal one. The shares are
settings (``DUCHA_STAFF_EXCELLENT_SHARE``, ``…_RAISED``, ``…_LOWERED``; 20 %, 25 %, 15 %), taken
from the civil-servant evaluation rules as noted in
``shared/reference/approvals-evaluation-accountability.md`` §4.2 — marked [mem] there: the exact
clause is to be checked, so they are settings, not law. The arithmetic is
``rules.evaluation.staff_excellent_quota`` (floor of share × staff).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from ducha.evaluation.summary import unit_grade
from ducha.rules.evaluation import Grade, staff_excellent_quota

UNIT_GRADE_LABELS = {
    "excellent": pgettext_lazy("unit grade", "Excellent"),  # 优秀
    "good": pgettext_lazy("unit grade", "Good"),  # 良好
    "fair": pgettext_lazy("unit grade", "Fair"),  # 一般
    "poor": pgettext_lazy("unit grade", "Poor"),  # 较差
}


def shares() -> tuple[Decimal, Decimal, Decimal]:
    """(normal, raised, lowered) from the settings."""
    return (Decimal(str(settings.DUCHA_STAFF_EXCELLENT_SHARE)), Decimal(str(settings.DUCHA_STAFF_EXCELLENT_SHARE_RAISED)),
            Decimal(str(settings.DUCHA_STAFF_EXCELLENT_SHARE_LOWERED)))


def current_unit_grade(unit_id: int, year: int) -> Grade | None:
    """The unit's published annual grade of ``year``, or None when there is none yet."""
    value = unit_grade(unit_id, year)
    try:
        return Grade(value) if value else None
    except ValueError:
        return None


def share_for(grade: Grade | None) -> Decimal:
    normal, raised, lowered = shares()
    if grade == Grade.EXCELLENT:
        return raised
    if grade == Grade.POOR:
        return lowered
    return normal


@dataclass(frozen=True)
class Quota:
    grade: str  # the unit's grade value, "" for none
    share: Decimal
    staff: int
    quota: int

    @property
    def percent(self) -> str:
        return f"{(self.share * 100).normalize():f}"

    @property
    def grade_label(self) -> str:
        return str(UNIT_GRADE_LABELS.get(self.grade, self.grade))

    def explain(self) -> str:
        """E.g. "unit grade 优秀 → 25 % of 12 staff = 3"."""
        numbers = {"share": self.percent, "n": self.staff, "quota": self.quota}
        if not self.grade:
            return _("No published unit grade yet → %(share)s %% of %(n)d staff = %(quota)d") % numbers
        return _("Unit grade %(grade)s → %(share)s %% of %(n)d staff = %(quota)d") % {
            "grade": self.grade_label, **numbers}


def quota_for(grade: Grade | None, staff: int) -> Quota:
    normal, raised, lowered = shares()
    number = staff_excellent_quota(grade, staff, normal=normal, raised=raised, lowered=lowered)
    return Quota(grade.value if grade else "", share_for(grade), staff, number)


def current_quota(unit_id: int, year: int, staff: int) -> Quota:
    return quota_for(current_unit_grade(unit_id, year), staff)


def source_note() -> str:
    return _("Shares from the settings (normal %(normal)s %%, raised %(raised)s %% for a unit graded excellent, "
             "lowered %(lowered)s %% for a unit graded poor), after the civil-servant evaluation rules; the exact "
             "clause is still to be checked.") % {
        "normal": f"{(shares()[0] * 100).normalize():f}", "raised": f"{(shares()[1] * 100).normalize():f}",
        "lowered": f"{(shares()[2] * 100).normalize():f}"}
