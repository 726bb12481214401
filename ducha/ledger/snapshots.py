"""The ledger year's frozen snapshots (S2.4): the January baseline (年初建账) and the final
state at the year-end close (年底交账), JSON copies of the ledger's matters that later edits
cannot rewrite."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date
from typing import Any

from django.db.models import Count

from ducha.ledger.cutoff import ledger_matters
from ducha.ledger.models import LedgerCheckFlag, Phase, SupervisionNotice
from ducha.matters.models import CoUnitPart, Matter, Rectification, Status
from ducha.rules.ledger import ledger_status


def _co_units(year: int) -> dict[int, list[dict[str, Any]]]:
    out: dict[int, list[dict[str, Any]]] = defaultdict(list)
    parts = CoUnitPart.objects.filter(matter__in=Matter.objects.filter(ledger_matters(year)).values("id")).order_by("matter_id", "id")
    for mid, uid, name, due, progress in parts.values_list(
        "matter_id", "unit_id", "unit__name", "due_date", "progress"
    ).iterator(chunk_size=5000):
        out[mid].append({"unit_id": uid, "unit": name, "due_date": due.isoformat(), "progress": progress})
    return out


def _iso(d: date | None) -> str | None:
    return d.isoformat() if d else None


def baseline_snapshot(year: int, today: date) -> dict[str, Any]:
    """年初建账: each matter's targets, due date and units as agreed in January."""
    co = _co_units(year)
    rows = Matter.objects.filter(ledger_matters(year)).order_by("id").values_list(
        "id", "number", "title", "source", "source_ref", "lead_unit_id", "lead_unit__name",
        "responsible_leader_id", "responsible_leader__name", "goal", "target_quantity", "target_unit",
        "qualitative_standard", "start_date", "due_date", "status",
    )
    matters = [
        {
            "id": r[0], "number": r[1], "title": r[2], "source": r[3], "source_ref": r[4],
            "lead_unit_id": r[5], "lead_unit": r[6], "leader_id": r[7], "leader": r[8], "goal": r[9],
            "target_quantity": str(r[10]) if r[10] is not None else None, "target_unit": r[11],
            "qualitative_standard": r[12], "start_date": _iso(r[13]), "due_date": _iso(r[14]), "status": r[15],
            "co_units": co.get(r[0], []),
        }
        for r in rows.iterator(chunk_size=5000)
    ]
    return {"year": year, "taken_on": today.isoformat(), "count": len(matters), "matters": matters}


def final_snapshot(year: int, today: date, outcomes: dict[int, str]) -> dict[str, Any]:
    """年底交账: each matter's final state, read by the performance evaluation (S6.1), and for
    each matter still open what the close did with it (``outcomes``: CloseOutcome values)."""
    flags: dict[int, set[str]] = defaultdict(set)
    for mid, phase in LedgerCheckFlag.objects.filter(ledger_year__year=year).values_list("matter_id", "phase"):
        flags[mid].add(phase)
    notices: dict[int, str] = dict(
        SupervisionNotice.matters.through.objects.filter(supervisionnotice__ledger_year__year=year)
        .values_list("matter_id", "supervisionnotice__number")
    )
    open_rect: dict[int, int] = dict(
        Rectification.objects.filter(matter__in=Matter.objects.filter(ledger_matters(year)).values("id"),
                                     rectified_on__isnull=True)
        .values_list("matter_id").annotate(n=Count("id")).values_list("matter_id", "n")
    )
    rows = Matter.objects.filter(ledger_matters(year)).order_by("id").values_list(
        "id", "number", "title", "lead_unit_id", "lead_unit__name", "status", "progress", "target_quantity",
        "achieved_quantity", "due_date", "completed_on", "closed_on",
    )
    matters = []
    counts: dict[str, int] = defaultdict(int)
    for mid, number, title, uid, uname, status, progress, target, achieved, due, completed, closed in rows.iterator(
        chunk_size=5000
    ):
        final = ledger_status(status, progress=progress, due=due, completed_on=completed, today=today)
        counts[final] += 1
        on_time = None if status != Status.CLOSED or due is None or completed is None else completed <= due
        matters.append({
            "id": mid, "number": number, "title": title, "lead_unit_id": uid, "lead_unit": uname,
            "status": status, "ledger_status": final, "progress": progress,
            "target_quantity": str(target) if target is not None else None,
            "achieved_quantity": str(achieved) if achieved is not None else None,
            "due_date": _iso(due), "completed_on": _iso(completed), "closed_on": _iso(closed), "on_time": on_time,
            "june_flag": Phase.JUNE_CHECK in flags.get(mid, ()),
            "september_flag": Phase.RECONCILIATION in flags.get(mid, ()),
            "notice": notices.get(mid), "open_rectifications": open_rect.get(mid, 0),
            "close_outcome": outcomes.get(mid),
        })
    return {"year": year, "taken_on": today.isoformat(), "count": len(matters), "counts": dict(counts),
            "outcomes": dict(Counter(outcomes.values())), "matters": matters}
