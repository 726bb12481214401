"""Where an indicator's raw value comes from: the platform's own records, read for all the
category's units at once, each value with the records behind it (S6.1).

A source answers ``{unit_id: Raw}`` for a period. Only outcomes are sources: nothing here counts
clicks, logins, messages or reports beyond those owed (``rules.evaluation.FORBIDDEN_SOURCES``
are refused when a set is saved). A record reference is ``{"type": …, "id": …}`` or, for the
rates, a link to the shortfall page that lists them.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Count

from ducha.accountability.rounds_models import Finding, RoundState
from ducha.accountability.summary import unit_accountability
from ducha.approvals.summary import units_cards, units_ratings
from ducha.awards.summary import units_innovation
from ducha.evaluation.models import Rating
from ducha.lawful.summary import units_lawful
from ducha.ledger.models import SnapshotKind, SnapshotLine
from ducha.letters.models import Letter
from ducha.matters.models import Matter, Source
from ducha.reports.actions_close import closed_months
from ducha.reports.rates import RatesResult, gather_rates
from ducha.rules.periods import Period


@dataclass(frozen=True)
class Raw:
    value: Decimal | None
    records: list[dict[str, Any]] = field(default_factory=list)
    note: str = ""  # what the value is: a code, or "code:figures" (evaluation_tags.note_label words it)


SourceFn = Callable[[list[int], Period, date], dict[int, Raw]]
SOURCES: dict[str, SourceFn] = {}
# The sources a leaf may name, with what they are (the set editor and the API list them).
LABELS: dict[str, str] = {}


def source(code: str, label: str) -> Callable[[SourceFn], SourceFn]:
    def register(fn: SourceFn) -> SourceFn:
        SOURCES[code] = fn
        LABELS[code] = label
        return fn
    return register


def _rate(kind: str) -> SourceFn:
    def read(unit_ids: list[int], period: Period, today: date) -> dict[int, Raw]:
        closed = closed_months(period)
        if not closed.open:  # 一月一结账: every month of the period is closed, its figures are the inputs
            return _closed_rate(kind, unit_ids, period, closed.lines.values())
        result = _rates_once(unit_ids, period, today)
        out: dict[int, Raw] = {}
        for uid in unit_ids:
            row = result.row_for(uid)
            rate = row.get(kind) if row is not None else None
            if rate is None or rate.due == 0:
                out[uid] = Raw(None, [], "nothing_due")
                continue
            out[uid] = Raw(Decimal(rate.done) / Decimal(rate.due),
                           [{"type": "rate", "kind": kind, "period": period.key, "unit": uid}],
                           f"ratio:{rate.done}/{rate.due}")
        return out
    return read


# ``gather_rates`` counts all three rates at once; one scoring reads the three rate sources one
# after the other, so it keeps the answer for the length of that reading (``reading()``), per
# thread, and never longer: a later scoring counts again.
_reading = threading.local()


@contextmanager
def reading() -> Iterator[None]:
    _reading.rates = {}
    try:
        yield
    finally:
        _reading.rates = None


def _rates_once(unit_ids: list[int], period: Period, today: date) -> RatesResult:
    kept: dict[tuple[Any, ...], RatesResult] | None = getattr(_reading, "rates", None)
    key = (tuple(unit_ids), period.key, today)
    if kept is None:
        return gather_rates(period, today, unit_ids, overall=False)
    if key not in kept:
        kept[key] = gather_rates(period, today, unit_ids, overall=False)
    return kept[key]


def _closed_rate(kind: str, unit_ids: list[int], period: Period, months: Iterable[list[Any]]) -> dict[int, Raw]:
    sums: dict[int, list[int]] = {u: [0, 0] for u in unit_ids}
    for lines in months:
        for line in lines:
            done, due = getattr(line, f"{kind}_done"), getattr(line, f"{kind}_due")
            if line.unit_id in sums and due:
                sums[line.unit_id][0] += done or 0
                sums[line.unit_id][1] += due
    return {u: Raw(None, [], "nothing_due") if not due else Raw(
        Decimal(done) / Decimal(due), [{"type": "rate", "kind": kind, "period": period.key, "unit": u}],
        f"closed:{done}/{due}") for u, (done, due) in sums.items()}


for _kind, _label in (("execution", "the execution rate (S2.7)"), ("reporting", "the reporting rate (S2.7)"),
                      ("rectification", "the rectification rate (S2.7)")):
    source(f"{_kind}_rate", _label)(_rate(_kind))


@source("key_work_completion", "key-work list items completed against their targets (S2.1, S6.1)")
def key_work_completion(unit_ids: list[int], period: Period, today: date) -> dict[int, Raw]:
    """The mean completion of the unit's key-work items of the year: achieved/target where the item
    has a quantity (at most 1), otherwise its progress (qualitative items by progress)."""
    per: dict[int, list[tuple[int, Decimal]]] = {u: [] for u in unit_ids}
    for mid, unit, target, achieved, progress in Matter.objects.filter(
            source=Source.KEY_WORK, year=period.year, lead_unit_id__in=unit_ids).exclude(status="draft").values_list(
            "id", "lead_unit_id", "target_quantity", "achieved_quantity", "progress").order_by("id"):
        if target and achieved is not None and target > 0:
            share = min(Decimal(achieved) / Decimal(target), Decimal(1))
        else:
            share = Decimal(progress or 0) / Decimal(100)
        per[unit].append((mid, share))
    out: dict[int, Raw] = {}
    for uid, items in per.items():
        if not items:
            out[uid] = Raw(None, [], "no_items")
            continue
        mean = sum((s for _m, s in items), Decimal(0)) / len(items)
        out[uid] = Raw(mean, [{"type": "matter", "id": m} for m, _s in items], f"items:{len(items)}")
    return out


@source("lawful_check", "the half-yearly lawful-administration check (S1.6)")
def lawful_check(unit_ids: list[int], period: Period, today: date) -> dict[int, Raw]:
    """The published check of the half-year holding the period (a year: the mean of its halves)."""
    halves = {Period.containing("half", period.start).key, Period.containing("half", period.end).key}
    out: dict[int, Raw] = {}
    for uid, checks in units_lawful(unit_ids, period.year).items():
        chosen = [c for c in checks if c.period in halves]
        if not chosen:
            out[uid] = Raw(None, [], "no_check")
            continue
        mean = sum((Decimal(c.score) / Decimal(c.total) * 100 for c in chosen), Decimal(0)) / len(chosen)
        out[uid] = Raw(mean, [{"type": "lawful_check", "id": c.check_id, "unit": uid} for c in chosen],
                       "checks:" + " + ".join(f"{c.period} {c.score}/{c.total}" for c in chosen))
    return out


@source("round_findings", "problems found by supervision rounds issued in the period (S2.6)")
def round_findings(unit_ids: list[int], period: Period, today: date) -> dict[int, Raw]:
    found: dict[int, list[int]] = {u: [] for u in unit_ids}
    for fid, uid in Finding.objects.filter(unit_id__in=unit_ids, round__state=RoundState.ISSUED,
                                           round__issued_at__date__gte=period.start,
                                           round__issued_at__date__lte=period.end).values_list("id", "unit_id"):
        found[uid].append(fid)
    return {u: Raw(Decimal(len(ids)), [{"type": "finding", "id": i} for i in ids], f"findings:{len(ids)}")
            for u, ids in found.items()}


@source("accountability_records", "accountability records decided in the period, not revoked (S1.16)")
def accountability_records(unit_ids: list[int], period: Period, today: date) -> dict[int, Raw]:
    facts = unit_accountability(unit_ids, period.start, period.end)
    out: dict[int, Raw] = {}
    for uid in unit_ids:
        records = facts[uid].records if uid in facts else []
        out[uid] = Raw(Decimal(len(records)), [{"type": "record", "id": r.id} for r in records],
                       f"records:{len(records)}")
    return out


@source("innovation_award", "government work innovation awards won that year (S1.12)")
def innovation_award(unit_ids: list[int], period: Period, today: date) -> dict[int, Raw]:
    out: dict[int, Raw] = {}
    for uid, facts in units_innovation(unit_ids, period.year).items():
        won = [n for n in facts.nominations if n.won] if facts.published else []
        out[uid] = Raw(Decimal(len(won)), [{"type": "nomination", "id": n.id} for n in won], f"awards:{len(won)}")
    return out


@source("letters_received", "reminder letters the unit received for work it owed (S1.4, S1.5)")
def letters_received(unit_ids: list[int], period: Period, today: date) -> dict[int, Raw]:
    got: dict[int, list[int]] = {u: [] for u in unit_ids}
    for lid, uid in Letter.objects.filter(to_unit_id__in=unit_ids, sent_on__gte=period.start,
                                          sent_on__lte=period.end).values_list("id", "to_unit_id"):
        got[uid].append(lid)
    return {u: Raw(Decimal(len(ids)), [{"type": "letter", "id": i} for i in ids], f"letters:{len(ids)}")
            for u, ids in got.items()}


@source("ledger_year_end", "the year-end ledger as frozen at the close (S2.4): the share of the unit's "
                           "ledger matters completed")
def ledger_year_end(unit_ids: list[int], period: Period, today: date) -> dict[int, Raw]:
    """年底交账: read from the frozen final snapshot of the period's year, never from the live
    matters, so the score is what the ledger closed with. A year not closed yet has no value."""
    per: dict[int, list[tuple[int, bool]]] = {u: [] for u in unit_ids}
    lines = (SnapshotLine.objects.filter(ledger_year__year=period.year, kind=SnapshotKind.FINAL,
                                         data__lead_unit_id__in=unit_ids)
             .values_list("matter_id", "data__lead_unit_id", "data__ledger_status").order_by("matter_id"))
    for mid, uid, status in lines:
        per[int(uid)].append((mid, status == "completed"))
    out: dict[int, Raw] = {}
    for uid, items in per.items():
        if not items:
            out[uid] = Raw(None, [], "ledger_not_closed")
            continue
        done = sum(1 for _m, d in items if d)
        out[uid] = Raw(Decimal(done) / Decimal(len(items)), [{"type": "matter", "id": m} for m, _d in items],
                       f"ledger_final:{done}/{len(items)}")
    return out


@source("approval_red_cards", "red cards of electronic supervision: approvals past their limit (S3.3)")
def approval_red_cards(unit_ids: list[int], period: Period, today: date) -> dict[int, Raw]:
    """A red card is an application or a step of the department's past its limit (电子监察); each
    counts once, in the period it was issued."""
    return {uid: Raw(Decimal(c.red), [{"type": "approval_card", "id": i} for i in c.red_ids], f"red_cards:{c.red}")
            for uid, c in units_cards(unit_ids, period.start, period.end).items()}


@source("approval_yellow_cards", "yellow cards of electronic supervision: approvals near their limit (S3.3)")
def approval_yellow_cards(unit_ids: list[int], period: Period, today: date) -> dict[int, Raw]:
    return {uid: Raw(Decimal(c.yellow), [{"type": "approval_card", "id": i} for i in c.yellow_ids],
                     f"yellow_cards:{c.yellow}") for uid, c in units_cards(unit_ids, period.start, period.end).items()}


@source("public_bad_ratings", "好差评: bad ratings per 1,000 applications received, discounted ones left out (S5.3)")
def public_bad_ratings(unit_ids: list[int], period: Period, today: date) -> dict[int, Raw]:
    """A raw 满意率 sits at the ceiling and separates nobody; bad ratings per thousand do (a
    control-type input: fewer is better)."""
    out: dict[int, Raw] = {}
    for uid, r in units_ratings(unit_ids, period.start, period.end).items():
        value = None if r.bad_per_thousand is None else Decimal(str(round(r.bad_per_thousand, 2)))
        out[uid] = Raw(value, [{"type": "service_rating", "id": i} for i in r.bad_ids],
                       f"bad_ratings:{r.bad}/{r.applications}" if value is not None else "no_applications")
    return out


@source("public_rectified_on_time", "好差评: the share of bad ratings rectified on time (S5.3)")
def public_rectified_on_time(unit_ids: list[int], period: Period, today: date) -> dict[int, Raw]:
    out: dict[int, Raw] = {}
    for uid, r in units_ratings(unit_ids, period.start, period.end).items():
        share = None if r.rectified_on_time is None else Decimal(str(r.rectified_on_time)) / 100
        out[uid] = Raw(share, [{"type": "service_rating", "id": i} for i in r.bad_ids],
                       f"rectified:{r.rectified_on_time}%" if share is not None else "no_bad_ratings")
    return out


def _rated(code: str) -> SourceFn:
    def read(unit_ids: list[int], period: Period, today: date) -> dict[int, Raw]:
        # Each rater's latest entry counts; the unit's value is the mean over raters.
        latest: dict[tuple[int, int | None, str], tuple[int, Decimal]] = {}
        for rid, uid, rater, origin, value in Rating.objects.filter(
                period=period.key, source=code, unit_id__in=unit_ids).order_by("entered_at", "id").values_list(
                "id", "unit_id", "rater_id", "origin", "value"):
            latest[(uid, rater, origin)] = (rid, value)
        per: dict[int, list[tuple[int, Decimal]]] = {u: [] for u in unit_ids}
        for (uid, _rater, _origin), entry in latest.items():
            per[uid].append(entry)
        out: dict[int, Raw] = {}
        for uid, entries in per.items():
            if not entries:
                out[uid] = Raw(None, [], "not_rated")
                continue
            mean = sum((v for _i, v in entries), Decimal(0)) / len(entries)
            out[uid] = Raw(mean, [{"type": "rating", "id": i} for i, _v in entries], f"raters:{len(entries)}")
        return out
    return read


for _code, _label in (("leader_rating", "the city leaders' rating of units in their scope"),
                      ("external_rating", "a third party's evaluation, entered or imported with its source"),
                      ("public_rating", "the public's evaluation (survey), entered or imported with its source")):
    source(_code, _label)(_rated(_code))



@source("provincial_honours", "honours and ranks the province awarded the unit, entered with the honour named "
                              "(an adjustment's points)")
def provincial_honours(unit_ids: list[int], period: Period, today: date) -> dict[int, Raw]:
    """Bonus points for provincial honours (省级表彰、排名), one entry per honour (its name is the
    rating's origin): the unit's value is their sum, which the set's adjustment caps."""
    latest: dict[tuple[int, str], tuple[int, Decimal]] = {}
    for rid, uid, origin, value in Rating.objects.filter(
            period=period.key, source="provincial_honours", unit_id__in=unit_ids).order_by(
            "entered_at", "id").values_list("id", "unit_id", "origin", "value"):
        latest[(uid, origin)] = (rid, value)
    per: dict[int, list[tuple[int, Decimal]]] = {u: [] for u in unit_ids}
    for (uid, _origin), entry in latest.items():
        per[uid].append(entry)
    return {uid: Raw(sum((v for _i, v in entries), Decimal(0)), [{"type": "rating", "id": i} for i, _v in entries],
                     f"honours:{len(entries)}") for uid, entries in per.items()}


RATED_SOURCES = frozenset({"leader_rating", "external_rating", "public_rating", "provincial_honours"})


def rated_counts(period: Period) -> dict[str, int]:
    """How many units have each rated source entered for the period (for the period page)."""
    return dict(Rating.objects.filter(period=period.key).values("source").annotate(n=Count("unit", distinct=True))
                .values_list("source", "n"))

