"""The ledger year's frozen snapshots (S2.4): the January baseline (年初建账) and the final
state at the year-end close (年底交账), a ``SnapshotLine`` per matter that later edits cannot
rewrite, and a summary on the year row.

Each is written as it is read: the matters come from the database in chunks, with what each
line needs joined in by the query, and go back in chunks, so the memory a snapshot takes does
not grow with the year. Called inside the phase's action (``ledger.actions``), in its
transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date
from itertools import islice
from typing import Any

from django.db.models import Count, Exists, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce

from ducha.ledger.cutoff import ledger_matters
from ducha.ledger.models import (
    CloseOutcome,
    LedgerCheckFlag,
    LedgerYear,
    Phase,
    SnapshotKind,
    SnapshotLine,
    SupervisionNotice,
)
from ducha.matters.models import CoUnitPart, Matter, Rectification, Status
from ducha.rules.ledger import ledger_status

CHUNK = 2000  # matters read, and lines written, at a time


def _iso(d: date | None) -> str | None:
    return d.isoformat() if d else None


def _write(row: LedgerYear, kind: str, lines: Iterable[dict[str, Any]]) -> int:
    """Insert ``lines`` (each carries its matter's ``id``) in chunks; how many there were."""
    written = 0
    it = iter(lines)
    while batch := list(islice(it, CHUNK)):
        SnapshotLine.objects.bulk_create(
            [SnapshotLine(ledger_year=row, kind=kind, matter_id=d["id"], data=d) for d in batch])
        written += len(batch)
    return written


def _co_units(year: int) -> Iterator[tuple[int, dict[str, Any]]]:
    parts = (CoUnitPart.objects.filter(matter__in=Matter.objects.filter(ledger_matters(year)).values("id"))
             .order_by("matter_id", "id"))
    for mid, uid, name, due, progress in parts.values_list(
            "matter_id", "unit_id", "unit__name", "due_date", "progress").iterator(chunk_size=CHUNK):
        yield mid, {"unit_id": uid, "unit": name, "due_date": due.isoformat(), "progress": progress}


def _baseline_lines(year: int) -> Iterator[dict[str, Any]]:
    # Matters and their co-unit parts both in id order: merged as they come, like a merge join.
    parts = _co_units(year)
    pending = next(parts, None)
    rows = Matter.objects.filter(ledger_matters(year)).order_by("id").values_list(
        "id", "number", "title", "source", "source_ref", "lead_unit_id", "lead_unit__name",
        "responsible_leader_id", "responsible_leader__name", "goal", "target_quantity", "target_unit",
        "qualitative_standard", "start_date", "due_date", "status",
    )
    for r in rows.iterator(chunk_size=CHUNK):
        co = []
        while pending is not None and pending[0] <= r[0]:
            if pending[0] == r[0]:
                co.append(pending[1])
            pending = next(parts, None)
        yield {
            "id": r[0], "number": r[1], "title": r[2], "source": r[3], "source_ref": r[4],
            "lead_unit_id": r[5], "lead_unit": r[6], "leader_id": r[7], "leader": r[8], "goal": r[9],
            "target_quantity": str(r[10]) if r[10] is not None else None, "target_unit": r[11],
            "qualitative_standard": r[12], "start_date": _iso(r[13]), "due_date": _iso(r[14]), "status": r[15],
            "co_units": co,
        }


def write_baseline(row: LedgerYear, today: date) -> dict[str, Any]:
    """年初建账: each matter's targets, due date and units as agreed in January, as lines; the
    summary the year row keeps."""
    count = _write(row, SnapshotKind.BASELINE, _baseline_lines(row.year))
    return {"year": row.year, "taken_on": today.isoformat(), "count": count}


def _final_rows(year: int) -> Any:
    flags = LedgerCheckFlag.objects.filter(ledger_year__year=year, matter_id=OuterRef("pk"))
    notice = (SupervisionNotice.matters.through.objects
              .filter(supervisionnotice__ledger_year__year=year, matter_id=OuterRef("pk"))
              .order_by("supervisionnotice_id").values("supervisionnotice__number")[:1])
    open_rect = (Rectification.objects.filter(matter_id=OuterRef("pk"), rectified_on__isnull=True)
                 .values("matter_id").annotate(n=Count("id")).values("n")[:1])
    return (
        Matter.objects.filter(ledger_matters(year)).order_by("id")
        .annotate(june_flag=Exists(flags.filter(phase=Phase.JUNE_CHECK)),
                  september_flag=Exists(flags.filter(phase=Phase.RECONCILIATION)),
                  notice=Subquery(notice),
                  open_rect=Coalesce(Subquery(open_rect, output_field=IntegerField()), Value(0)))
        .values_list("id", "number", "title", "lead_unit_id", "lead_unit__name", "status", "progress",
                     "target_quantity", "achieved_quantity", "due_date", "completed_on", "closed_on",
                     "june_flag", "september_flag", "notice", "open_rect")
    )


def write_final(row: LedgerYear, today: date, not_done: frozenset[int]) -> dict[str, Any]:
    """年底交账: each matter's final state, read by the performance evaluation (S6.1), and for each
    matter still open what the close did with it (closed as not done when in ``not_done``,
    else carried over), as lines; the summary, with the counts, the year row keeps."""
    counts: dict[str, int] = {}
    outcomes: dict[str, int] = {}

    def lines() -> Iterator[dict[str, Any]]:
        for (mid, number, title, uid, uname, status, progress, target, achieved, due, completed, closed,
             june, september, notice, open_rect) in _final_rows(row.year).iterator(chunk_size=CHUNK):
            final = ledger_status(status, progress=progress, due=due, completed_on=completed, today=today)
            counts[final] = counts.get(final, 0) + 1
            outcome = None
            if status != Status.CLOSED:
                outcome = str(CloseOutcome.NOT_DONE if mid in not_done else CloseOutcome.CARRY_OVER)
                outcomes[outcome] = outcomes.get(outcome, 0) + 1
            on_time = None if status != Status.CLOSED or due is None or completed is None else completed <= due
            yield {
                "id": mid, "number": number, "title": title, "lead_unit_id": uid, "lead_unit": uname,
                "status": status, "ledger_status": final, "progress": progress,
                "target_quantity": str(target) if target is not None else None,
                "achieved_quantity": str(achieved) if achieved is not None else None,
                "due_date": _iso(due), "completed_on": _iso(completed), "closed_on": _iso(closed),
                "on_time": on_time, "june_flag": june, "september_flag": september, "notice": notice,
                "open_rectifications": open_rect, "close_outcome": outcome,
            }

    count = _write(row, SnapshotKind.FINAL, lines())
    return {"year": row.year, "taken_on": today.isoformat(), "count": count, "counts": counts,
            "outcomes": outcomes}


def snapshot_lines(year: int, kind: str, *, offset: int = 0, limit: int | None = None) -> Iterator[dict[str, Any]]:
    """The matters of the year's ``kind`` snapshot (a ``SnapshotKind``) in matter id order."""
    lines = SnapshotLine.objects.filter(ledger_year__year=year, kind=kind).order_by("matter_id")
    sliced = lines[offset:offset + limit] if limit is not None else lines[offset:]
    yield from sliced.values_list("data", flat=True).iterator(chunk_size=CHUNK)

