"""What a letter needs to know of the organisation and of the matter, read fresh each time.

The offices are found by who works in them (the unit of the people holding the office's
role) unless a setting names the unit; the leaders in charge by the portfolios (分管).
Whether a co-unit is slow is the reminder engine's rule (``ducha.rules.escalation``), asked
here for one part; how late it is comes from the calendar.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from ducha.letters.models import LetterCode, LetterKind, LetterReason
from ducha.matters.models import CoUnitPart, Matter, MatterEvent, Source
from ducha.org.models import LeaderKind, LeaderPost, Unit, User
from ducha.org.roles import Role
from ducha.reminders.engine import load_rules
from ducha.rules.escalation import CoPartFacts, Kind, MatterFacts, Policy, evaluate
from ducha.rules.escalation import LetterReason as EngineReason
from ducha.rules.letters import (
    Addressee,
    AddressError,
    Party,
    address_letter,
    infer_requester,
    letter_agency,
    overdue_workdays,
    request_stalled,
    silent_workdays,
)
from ducha.rules.lifecycle import RUNNING
from ducha.rules.workdays import WorkCalendar


class OfficeMissing(LookupError):
    """An office the chain needs is not set up: ``office`` (supervision or general office),
    ``setting`` that names it, and ``code`` when that setting names no active unit."""

    def __init__(self, office: str, setting: str, code: str = "") -> None:
        super().__init__(f"{office}: {setting}={code!r}")
        self.office, self.setting, self.code = office, setting, code

    def __str__(self) -> str:
        return address_problem(self)


def address_problem(error: AddressError | OfficeMissing) -> str:
    """Why the chain cannot be formed, in the user's language."""
    if isinstance(error, OfficeMissing):
        office = _("the supervision office") if error.office == "supervision" else _("the general office")
        if error.code:
            return _("%(setting)s = %(code)s is not the code of an active unit.") % {
                "setting": error.setting, "code": error.code}
        return _("No unit was found for %(office)s: give its staff their unit, or set %(setting)s.") % {
            "office": office, "setting": error.setting}
    return {
        "self": _("A unit cannot send a reminder letter to itself."),
        "no_mayor": _("The letter must be reported to the mayor, and no mayor is recorded."),
        "no_supervision_office": _("The letter must be copied to the supervision office, and none is recorded."),
    }.get(error.code, error.code)


def _office_unit(role: str, setting: str, office: str) -> Unit:
    code = getattr(settings, setting, "")
    if code:
        unit = Unit.objects.filter(code=code, is_active=True).first()
        if unit is None:
            raise OfficeMissing(office, setting, code)
        return unit
    counts = Counter(
        User.objects.filter(role=role, is_active=True, unit__isnull=False, unit__is_active=True)
        .values_list("unit_id", flat=True)
    )
    if not counts:
        raise OfficeMissing(office, setting)
    # The unit most of the office's people belong to: one misfiled account does not move the office.
    unit_id = min(counts, key=lambda uid: (-counts[uid], uid))
    return Unit.objects.get(pk=unit_id)


def supervision_unit() -> Unit:
    """市政府督查室, copied on every letter (setting DUCHA_SUPERVISION_UNIT_CODE to name it)."""
    return _office_unit(Role.SUPERVISION_OFFICE, "DUCHA_SUPERVISION_UNIT_CODE", "supervision")


def general_office_unit() -> Unit:
    """市政府办公室, addressee of S1.5 letters (setting DUCHA_GENERAL_OFFICE_UNIT_CODE)."""
    return _office_unit(Role.GENERAL_OFFICE, "DUCHA_GENERAL_OFFICE_UNIT_CODE", "general")


def agency_for(unit: Unit) -> str:
    """The unit's 机关代字 for letters: its LetterCode, else derived from its short name."""
    code = LetterCode.objects.filter(unit=unit).values_list("agency", flat=True).first()
    if code:
        return code
    prefix = settings.DUCHA_LETTER_CITY_PREFIX
    return letter_agency(unit.short_name or unit.name, city_prefix=prefix)


def reply_workdays() -> int:
    """Working days the letter asks the addressee to answer within (setting, default 5)."""
    return settings.DUCHA_LETTER_REPLY_WORKDAYS


def leader_label(post: LeaderPost) -> str:
    return f"{post.title}{post.person.name}"


def unit_label(unit: Unit) -> str:
    return unit.name


def _vice_mayors_in_charge(sender: Unit, to: Unit) -> list[LeaderPost]:
    """The 主管副市长 the letter is reported to (setting DUCHA_LETTER_VICE_MAYOR): by default the
    one in charge of the addressee unit, the leader who can make it act; ``sender`` or ``both``
    read the seed's words the other ways. With both, the addressee's leader comes first."""
    reading = settings.DUCHA_LETTER_VICE_MAYOR
    units = {"addressee": [to], "sender": [sender], "both": [to, sender]}[reading]
    posts = list(
        LeaderPost.objects.filter(kind=LeaderKind.VICE_MAYOR, portfolio__in=[u.pk for u in units],
                                  person__is_active=True)
        .select_related("person").distinct().order_by("sort_order", "id")
    )
    rank = {u.pk: i for i, u in enumerate(units)}
    through = LeaderPost.portfolio.through.objects.filter(
        leaderpost_id__in=[p.pk for p in posts], unit_id__in=list(rank)).values_list("leaderpost_id", "unit_id")
    first_unit: dict[int, int] = {}
    for post_id, unit_id in through:
        first_unit[post_id] = min(first_unit.get(post_id, len(rank)), rank[unit_id])
    posts.sort(key=lambda p: (first_unit.get(p.pk, len(rank)), p.sort_order, p.pk))
    return posts


def required_addressees(sender: Unit, to: Unit, extra_cc: list[Unit] | None = None) -> tuple[Addressee, ...]:
    """主送 ``to``; 报 the mayor and the vice mayor in charge (``_vice_mayors_in_charge``);
    抄送 the supervision office and any copies the sender added."""
    mayor = (LeaderPost.objects.filter(kind=LeaderKind.MAYOR, person__is_active=True)
             .select_related("person").order_by("sort_order", "id").first())
    vice = _vice_mayors_in_charge(sender, to)
    supervision = supervision_unit()
    return address_letter(
        sender_unit_id=sender.pk, to=Party("unit", to.pk, unit_label(to)),
        vice_mayors=[Party("person", p.person_id, leader_label(p)) for p in vice],
        mayor=Party("person", mayor.person_id, leader_label(mayor)) if mayor else None,
        supervision_office=Party("unit", supervision.pk, unit_label(supervision)),
        extra_cc=[Party("unit", u.pk, unit_label(u)) for u in extra_cc or []],
    )


# -- S1.4: how slow a co-unit is ---------------------------------------------------------------


@dataclass
class PartFacts:
    part: CoUnitPart
    matter: Matter
    overdue: int = 0  # working days past the part's due date
    silent: int = 0  # working days since its last progress update (or since it was assigned)
    last_update: date | None = None
    assigned_on: date | None = None  # the day this co-unit was given its part
    reasons: list[str] = field(default_factory=list)  # engine reasons that hold today

    @property
    def slow(self) -> bool:
        return bool(self.reasons)

    @property
    def reason(self) -> str:
        if len(self.reasons) > 1:
            return LetterReason.OVERDUE_NO_UPDATE
        return self.reasons[0] if self.reasons else ""


def assigned_dates(parts: list[CoUnitPart]) -> dict[int, date]:
    """The day each co-unit was given its part: the matter's start, or the day the matter was
    edited to add that co-unit when this came later (the edit's event names the units added).
    A co-unit added weeks into a matter has been silent only since then. One query for all;
    ``parts`` come with ``matter`` and ``unit`` selected."""
    out = {p.pk: p.matter.start_date for p in parts}
    wanted = {(p.matter_id, name): p for p in parts for name in (p.unit.name, str(p.unit_id))}
    events = (MatterEvent.objects.filter(matter_id__in={p.matter_id for p in parts}, action="edit")
              .order_by("created_at", "id").values_list("matter_id", "created_at", "data"))
    for matter_id, at, data in events:  # oldest first: the latest addition (re-added after removal) wins
        for name in ((data or {}).get("co_units") or {}).get("added") or []:
            part = wanted.get((matter_id, str(name)))
            if part is not None:
                out[part.pk] = max(part.matter.start_date, timezone.localdate(at))
    return out


def part_facts(part: CoUnitPart, matter: Matter, today: date, cal: WorkCalendar,
               policy: Policy | None = None, assigned_on: date | None = None) -> PartFacts:
    """The engine's verdict on one co-unit part today, with the figures the letter quotes,
    counted from the part's own assignment date (``assigned_dates``; pass it for many parts)."""
    rules_policy = policy if policy is not None else load_rules().policy
    running = matter.status in RUNNING and part.done_on is None
    part.matter = matter
    assigned = assigned_on or assigned_dates([part])[part.pk]
    facts = MatterFacts(
        start=assigned, due=None, running=running, last_progress=today, progress=100,
        co_parts=(CoPartFacts(part.pk, part.due_date, part.done_on is not None, part.last_progress_on),),
    )
    ev = evaluate(facts, today, cal, (), rules_policy)
    reasons = [
        str(d.letter_reason) for d in ev.due_now
        if d.kind == Kind.CO_UNIT and d.co_part_id == part.pk and d.letter_reason is not None
    ]
    order = [EngineReason.OVERDUE.value, EngineReason.NO_UPDATE.value]
    last = max(part.last_progress_on or assigned, assigned)
    return PartFacts(
        part=part, matter=matter, overdue=overdue_workdays(cal, part.due_date, today),
        silent=silent_workdays(cal, last, today), last_update=part.last_progress_on, assigned_on=assigned,
        reasons=sorted(set(reasons), key=order.index),
    )


# -- S1.5: requests to the city government ---------------------------------------------------------


@dataclass
class RequestFacts:
    matter: Matter
    requester_id: int | None
    inferred: bool
    overdue: int
    stalled: bool


def _unit_names() -> list[tuple[int, str, str]]:
    return list(Unit.objects.filter(is_active=True).values_list("id", "name", "short_name"))


def requests_with_requesters(matters: list[Matter], today: date, cal: WorkCalendar) -> list[RequestFacts]:
    """Each request with its requesting unit (recorded, else read from its reference) and lateness.
    ``matters`` must come with ``request_origin`` selected."""
    names: list[tuple[int, str, str]] | None = None
    stall_after = settings.DUCHA_REQUEST_STALL_WORKDAYS
    out: list[RequestFacts] = []
    for m in matters:
        origin = getattr(m, "request_origin", None)
        if origin is not None:
            requester, inferred = origin.requesting_unit_id, origin.inferred
        elif m.requesting_unit_id is not None:  # named when the general office registered it
            requester, inferred = m.requesting_unit_id, False
        else:
            if names is None:
                names = _unit_names()
            requester, inferred = infer_requester(m.source_ref, names), True
        running = m.status in RUNNING
        out.append(RequestFacts(
            matter=m, requester_id=requester, inferred=inferred,
            overdue=overdue_workdays(cal, m.due_date, today) if m.due_date and running else 0,
            stalled=running and request_stalled(cal, m.due_date, today, after_workdays=stall_after),
        ))
    return out


def open_requests() -> list[Matter]:
    return list(
        Matter.objects.filter(source=Source.UNIT_REQUEST, status__in=RUNNING)
        .select_related("lead_unit", "request_origin").order_by("due_date", "id")
    )


def pending_requests_of(unit: Unit, today: date, cal: WorkCalendar) -> list[RequestFacts]:
    """The unit's requests to the city government still being handled, the stalled ones first."""
    candidates = list(
        Matter.objects.filter(source=Source.UNIT_REQUEST, status__in=RUNNING)
        .filter(Q(request_origin__requesting_unit=unit) | Q(request_origin__isnull=True) | Q(requesting_unit=unit))
        .select_related("lead_unit", "request_origin").order_by("due_date", "id")
    )
    rows = [r for r in requests_with_requesters(candidates, today, cal) if r.requester_id == unit.pk]
    rows.sort(key=lambda r: (not r.stalled, -r.overdue, r.matter.pk))
    return rows


def kind_label(kind: str) -> str:
    return str(LetterKind(kind).label)
