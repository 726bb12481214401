"""What other apps read of the evaluation: a unit's published result. Only what has been
published is read: a draft's or an approved but unpublished grade moves nothing."""

from __future__ import annotations

from django.db.models import OuterRef, QuerySet, Subquery

from ducha.evaluation.models import EvaluationPeriod, PeriodState, Snapshot, SnapshotLine


def latest_lines(evaluations: QuerySet[EvaluationPeriod]) -> QuerySet[SnapshotLine]:
    """The lines of the latest snapshot of each evaluation period in ``evaluations``."""
    latest = Snapshot.objects.filter(evaluation=OuterRef("snapshot__evaluation")).order_by("-version").values("pk")[:1]
    return SnapshotLine.objects.filter(snapshot__evaluation__in=evaluations, snapshot=Subquery(latest))


def unit_grade(unit_id: int, year: int) -> str | None:
    """The unit's published annual grade (``rules.evaluation.Grade`` value), or None."""
    years = EvaluationPeriod.objects.filter(period=str(year), state=PeriodState.PUBLISHED)
    line = latest_lines(years).filter(unit_id=unit_id).values_list("grade", flat=True).first()
    return str(line) if line else None


def current_snapshot(evaluation: EvaluationPeriod) -> Snapshot | None:
    return evaluation.snapshots.order_by("-version").first()


def current_lines(evaluation: EvaluationPeriod) -> QuerySet[SnapshotLine]:
    """The lines of the period's latest snapshot, in rank order."""
    snap = current_snapshot(evaluation)
    if snap is None:
        return SnapshotLine.objects.none()
    return snap.lines.order_by("rank", "unit__sort_order", "unit_id")
