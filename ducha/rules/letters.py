"""Reminder letters (提醒函, S1.4 and S1.5): who a letter must reach, the sender's 机关代字,
which unit submitted a request, and how late a request or a co-unit's part is.

When a co-unit counts as slow is decided by ``ducha.rules.escalation`` (the reminder
engine records a proposal); these rules only address, number and describe the letter.

Addressing: the seed fixes the chain — the letter goes to (主送) the slow co-unit or the
general office, is reported to (报) the mayor and the vice mayor in charge, and is copied to
(抄送) the supervision office. Those are mandatory: the sender may add copies, never take
one away, and a party appears once, in its most senior capacity.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Literal

from ducha.rules.workdays import WorkCalendar


class AddresseeRole(StrEnum):
    TO = "to"  # 主送
    REPORT = "report"  # 报
    CC = "cc"  # 抄送


_RANK = {AddresseeRole.TO: 0, AddresseeRole.REPORT: 1, AddresseeRole.CC: 2}


@dataclass(frozen=True)
class Party:
    """A unit or a person (a city leader) that receives a letter; ``label`` is what is printed."""

    kind: Literal["unit", "person"]
    id: int
    label: str

    @property
    def key(self) -> tuple[str, int]:
        return (self.kind, self.id)


@dataclass(frozen=True)
class Addressee:
    party: Party
    role: AddresseeRole
    mandatory: bool


class AddressError(ValueError):
    """The chain cannot be formed; ``code`` names what is missing (the app words it):
    ``self`` (a letter to the sender's own unit), ``no_mayor``, ``no_supervision_office``."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def address_letter(
    *,
    sender_unit_id: int,
    to: Party,
    vice_mayors: Sequence[Party],
    mayor: Party | None,
    supervision_office: Party | None,
    extra_cc: Iterable[Party] = (),
) -> tuple[Addressee, ...]:
    """The letter's addressees in print order (主送, 报, 抄送).

    The mandatory chain is ``to``, then the mayor and the vice mayors in charge (报: the
    more senior office is printed first, as on every 公文's 报 and 抄送 lines), then
    the supervision office (抄送); ``extra_cc`` are copies the sender chose. A party named
    twice keeps its most senior role (the supervision office copied again stays mandatory,
    a leader is not also a copy); the sender is never an addressee of its own letter. A unit
    no vice mayor is in charge of is still reported to the mayor; without a mayor or a
    supervision office the chain the seed requires cannot be formed.
    """
    if to.kind == "unit" and to.id == sender_unit_id:
        raise AddressError("self")
    if mayor is None:
        raise AddressError("no_mayor")
    if supervision_office is None:
        raise AddressError("no_supervision_office")
    wanted = [(to, AddresseeRole.TO, True)]
    wanted += [(p, AddresseeRole.REPORT, True) for p in [mayor, *vice_mayors]]
    wanted += [(supervision_office, AddresseeRole.CC, True)]
    wanted += [(p, AddresseeRole.CC, False) for p in extra_cc]
    chosen: dict[tuple[str, int], Addressee] = {}
    for party, role, mandatory in wanted:
        if party.kind == "unit" and party.id == sender_unit_id:
            continue
        seen = chosen.get(party.key)
        if seen is None:
            chosen[party.key] = Addressee(party, role, mandatory)
        elif _RANK[role] < _RANK[seen.role]:
            chosen[party.key] = Addressee(party, role, mandatory or seen.mandatory)
    order = {key: i for i, key in enumerate(dict.fromkeys(p.key for p, _r, _m in wanted))}
    return tuple(sorted(chosen.values(), key=lambda a: (_RANK[a.role], order[a.party.key])))


def missing_mandatory(required: Iterable[Addressee], sent: Iterable[tuple[str, int]]) -> list[Addressee]:
    """Mandatory addressees absent from ``sent`` (party keys): must be empty before a letter leaves."""
    present = set(sent)
    return [a for a in required if a.mandatory and a.party.key not in present]


# -- 机关代字 ------------------------------------------------------------------------------------

_NON_HAN = re.compile(r"[^\u4e00-\u9fa5]")
_SUFFIXES = tuple(sorted(
    ("人民政府办公室", "人民政府", "管理委员会", "管委会", "委员会", "管理中心", "办公室", "管理局", "中心",
     "局", "委", "办", "厅", "区", "县"),
    key=len, reverse=True,
))


def letter_agency(short_name: str, *, city_prefix: str = "宛", kind_mark: str = "函") -> str:
    """The 机关代字 of a unit's letters from its short name: 发改委 → 宛发改函, 财政局 → 宛财政函,
    宛城区 → 宛城函. A unit whose short name does not abbreviate well gets a code set by the
    system administrator instead; ValueError when nothing usable is left."""
    core = _NON_HAN.sub("", short_name)
    for lead in ("南阳市", "市人民政府", "市政府"):
        if core.startswith(lead) and len(core) > len(lead):
            core = core[len(lead):]
            break
    if core.startswith("市") and not core.startswith("市场") and len(core) > 2:
        core = core[1:]
    for suffix in _SUFFIXES:
        if core.endswith(suffix) and len(core) > len(suffix) + 1:
            core = core[: -len(suffix)]
            break
    core = core.replace("和", "") if len(core) > 3 else core
    if not core:
        raise ValueError(f"cannot derive a 机关代字 from {short_name!r}; set the unit's letter code")
    prefix = "" if city_prefix and core.startswith(city_prefix) else _NON_HAN.sub("", city_prefix)
    return f"{prefix}{core}{kind_mark}"


# -- S1.5 requests ---------------------------------------------------------------------------------


def infer_requester(source_ref: str, units: Iterable[tuple[int, str, str]]) -> int | None:
    """The unit whose name or short name opens ``source_ref`` (发改委请示〔2026〕3号 → 发改委).

    ``units`` are (id, name, short name). The longest match wins, so 市场监管局 is not taken
    for 市…; None when no unit matches or two different units match equally well.
    """
    ref = source_ref.strip()
    best: tuple[int, int] | None = None  # (length, unit id)
    tie = False
    for unit_id, name, short in units:
        for label in (name, short):
            label = label.strip()
            if len(label) < 2 or not ref.startswith(label):
                continue
            if best is None or len(label) > best[0]:
                best, tie = (len(label), unit_id), False
            elif len(label) == best[0] and unit_id != best[1]:
                tie = True
    return None if best is None or tie else best[1]


def overdue_workdays(cal: WorkCalendar, due: date, today: date) -> int:
    """Working days after the due date up to today (0 on or before it): a deadline is the end
    of its day, and days off after it do not count against anyone."""
    return cal.workdays_between(due, today) if today > due else 0


def silent_workdays(cal: WorkCalendar, last: date, today: date) -> int:
    """Working days since the last progress update."""
    return cal.workdays_between(last, today) if today > last else 0


def request_stalled(cal: WorkCalendar, due: date | None, today: date, *, after_workdays: int = 1) -> bool:
    """S1.5: a request to the city government has stalled once it is ``after_workdays`` working
    days past its S1.13 time limit without being settled. No limit yet: not stalled."""
    if after_workdays < 1:
        raise ValueError("a request stalls at least one working day after its time limit")
    return due is not None and overdue_workdays(cal, due, today) >= after_workdays
