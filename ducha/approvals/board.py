"""The supervision board's figures (电子监察, S3.3), for the pages and the API alike.

Who reads what: the approval service office, the city-wide offices and the leaders read every
department (``access.reads_everything``); a department's people read their own department's
row and cards; anyone else nothing (a 404).

The counts are three statements whatever the number of applications: the open applications
per handling department (index ``approval_app_unit_state``), the cards per department with
their colours counted for this month, this year and still running, and the departments' names.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from ducha.approvals.access import reads_everything
from ducha.approvals.models import Application, Card, CardColour
from ducha.approvals.models_applications import OPEN_STATES
from ducha.org.models import Unit, User
from ducha.org.roles import UNIT_ROLES

__all__ = ["PERIODS", "BoardRow", "board_rows", "board_units", "filter_cards", "visible_cards"]

PERIODS = ("month", "year", "running", "all")


@dataclass
class BoardRow:
    unit_id: int
    name: str
    running: int = 0  # open applications it handles
    yellow_month: int = 0
    red_month: int = 0
    yellow_year: int = 0
    red_year: int = 0
    yellow_running: int = 0  # cards on applications still open
    red_running: int = 0

    def as_dict(self) -> dict[str, int | str]:
        return dict(self.__dict__)


def board_units(user: User) -> list[int] | None:
    """None: every department. Otherwise the one department the person works for; a 404 for
    anyone else."""
    if reads_everything(user):
        return None
    if user.is_authenticated and user.role in UNIT_ROLES and user.unit_id is not None:
        return [user.unit_id]
    raise Http404("no such page")


def visible_cards(user: User) -> QuerySet[Card]:
    units = board_units(user)
    qs = Card.objects.all()
    return qs if units is None else qs.filter(unit_id__in=units)


def _month_start(today: date) -> date:
    return today.replace(day=1)


def _year_start(today: date) -> date:
    return today.replace(month=1, day=1)


def filter_cards(qs: QuerySet[Card], *, today: date, unit_id: int | None = None, colour: str = "",
                 period: str = "") -> QuerySet[Card]:
    if unit_id is not None:
        qs = qs.filter(unit_id=unit_id)
    if colour in CardColour.values:
        qs = qs.filter(colour=colour)
    if period == "month":
        qs = qs.filter(issued_on__gte=_month_start(today))
    elif period == "year":
        qs = qs.filter(issued_on__gte=_year_start(today))
    elif period == "running":
        qs = qs.filter(application__state__in=OPEN_STATES)
    return qs


def board_rows(user: User, today: date, unit_id: int | None = None) -> list[BoardRow]:
    """Per department in the person's scope (or the one asked for), its open applications and
    cards; departments with neither are left out. Ordered by red, then yellow running cards."""
    scope = board_units(user)
    if unit_id is not None:
        scope = [unit_id] if scope is None or unit_id in scope else []
    apps = Application.objects.filter(state__in=OPEN_STATES)
    cards = Card.objects.filter(Q(issued_on__gte=_year_start(today)) | Q(application__state__in=OPEN_STATES))
    if scope is not None:
        apps = apps.filter(handling_unit_id__in=scope)
        cards = cards.filter(unit_id__in=scope)
    rows: dict[int, BoardRow] = {}

    def row(uid: int) -> BoardRow:
        return rows.setdefault(uid, BoardRow(uid, ""))

    for uid, n in apps.values("handling_unit_id").order_by().annotate(n=Count("id")).values_list(
            "handling_unit_id", "n"):
        row(uid).running = n
    month, year = Q(issued_on__gte=_month_start(today)), Q(issued_on__gte=_year_start(today))
    running = Q(application__state__in=OPEN_STATES)
    yellow, red = Q(colour=CardColour.YELLOW), Q(colour=CardColour.RED)
    for uid, ym, rm, yy, ry, yr, rr in cards.values("unit_id").order_by().annotate(
        ym=Count("id", filter=yellow & month), rm=Count("id", filter=red & month),
        yy=Count("id", filter=yellow & year), ry=Count("id", filter=red & year),
        yr=Count("id", filter=yellow & running), rr=Count("id", filter=red & running),
    ).values_list("unit_id", "ym", "rm", "yy", "ry", "yr", "rr"):
        r = row(uid)
        r.yellow_month, r.red_month, r.yellow_year, r.red_year, r.yellow_running, r.red_running = (
            ym, rm, yy, ry, yr, rr)
    if rows:
        for uid, name in Unit.objects.filter(pk__in=list(rows)).values_list("id", "name"):
            rows[uid].name = name
    return sorted(rows.values(), key=lambda r: (-r.red_running, -r.yellow_running, -r.running, r.name))
