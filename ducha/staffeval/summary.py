"""What the pages and the API show of an evaluation: its lines with their people, the count
per grade over all its lines (what a member of staff reads beside their own line), and the
months of a year's monthly reviews per section."""

from __future__ import annotations

from dataclasses import dataclass

from ducha.staffeval.models import MonthlyReview, StaffEvaluation, StaffGradeChoice, StaffLine


@dataclass(frozen=True)
class GradeCount:
    grade: str
    label: str
    count: int


def grade_counts(evaluation: StaffEvaluation) -> list[GradeCount]:
    grades = list(StaffLine.objects.filter(evaluation=evaluation).values_list("grade", flat=True))
    out = [GradeCount(g.value, str(g.label), grades.count(g.value)) for g in StaffGradeChoice]
    ungraded = grades.count("")
    return out + ([GradeCount("", "", ungraded)] if ungraded else [])


def reviews_of(unit_id: int, year: int) -> list[MonthlyReview]:
    return list(MonthlyReview.objects.filter(unit_id=unit_id, month__startswith=f"{year:04d}-")
                .select_related("section", "recorded_by").order_by("-month", "section_id"))
