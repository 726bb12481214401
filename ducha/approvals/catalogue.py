"""Reading the approval catalogue (S3.1, S3.2, S3.5, S4): which version of an item is in force
on a day, who handles it for an applicant of an area, a department's power list (权力清单) and
an item's flow with its critical path.

A version is in force on a day when it is published, its effective date is on or before that
day, and no higher version of the item is. A withdrawn version is in force on no day, and
withdrawing the version in force withdraws the earlier ones too (``actions_catalogue``), so an
older text never comes back by itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery

from ducha.approvals.models import (
    Delegation,
    FlowStep,
    HandlingLevel,
    Item,
    ItemVersion,
    Prerequisite,
    VersionState,
)
from ducha.org.models import Unit, UnitKind
from ducha.rules.approvals import FlowStepSpec, critical_path

__all__ = [
    "FlowColumn",
    "FlowSummary",
    "PowerEntry",
    "areas",
    "flow_summary",
    "handling_unit_for",
    "level_for",
    "power_list",
    "prerequisite_graph",
    "published_catalogue",
    "version_in_force",
]


def _in_force_filter(on: date) -> Q:
    return Q(state=VersionState.PUBLISHED, effective_from__lte=on)


def version_in_force(item: Item | int, on: date) -> ItemVersion | None:
    """The version of ``item`` applications are received under on ``on``, or None when the item
    is not in the catalogue that day."""
    item_id = item.pk if isinstance(item, Item) else item
    return (ItemVersion.objects.filter(_in_force_filter(on), item_id=item_id)
            .select_related("item", "lead_department").order_by("-version").first())


def published_catalogue(on: date, search: str = "") -> QuerySet[ItemVersion]:
    """Every item's version in force on ``on``, one row per item, ordered by item code;
    ``search`` matches the code, the name or the handling department's name."""
    newest = (ItemVersion.objects.filter(_in_force_filter(on), item_id=OuterRef("item_id"))
              .order_by("-version").values("version")[:1])
    qs = (ItemVersion.objects.filter(_in_force_filter(on), version=Subquery(newest))
          .select_related("item", "lead_department").order_by("item__code"))
    words = search.strip()
    if words:
        qs = qs.filter(Q(item__code__icontains=words) | Q(name__icontains=words)
                       | Q(lead_department__name__icontains=words) | Q(lead_department__short_name__icontains=words))
    return qs


def areas() -> list[Unit]:
    """The counties, districts and zones an item may be delegated to (S3.5)."""
    return list(Unit.objects.filter(kind__in=[UnitKind.COUNTY, UnitKind.ZONE], is_active=True)
                .order_by("sort_order", "id"))


def level_for(version: ItemVersion, area: Unit | None) -> str:
    """The handling level for applicants of ``area`` (None: the city proper): an area the version
    does not list is handled by the city."""
    if area is None:
        return HandlingLevel.CITY
    row = next((d for d in version.delegations.all() if d.area_id == area.pk), None) \
        if _prefetched(version, "delegations") else version.delegations.filter(area=area).first()
    return row.level if row is not None else HandlingLevel.CITY


def _prefetched(obj: object, name: str) -> bool:
    return name in getattr(obj, "_prefetched_objects_cache", {})


def handling_unit_for(version: ItemVersion, area: Unit | None) -> Unit | None:
    """S3.5: who handles the item for an applicant of ``area``: the lead department when the
    city handles it, the area itself when delegated to it, None when it is not handled there."""
    level = level_for(version, area)
    if level == HandlingLevel.AREA:
        return area
    if level == HandlingLevel.NONE:
        return None
    return version.lead_department


# -- the flow (S3.2) ------------------------------------------------------------------


@dataclass
class FlowColumn:
    """One order of a flow: its steps run in parallel; ``critical`` is the one that sets its time."""

    order: int
    steps: list[FlowStep]
    critical: FlowStep
    days: int


@dataclass
class FlowSummary:
    columns: list[FlowColumn]
    total: int  # the critical path, in working days
    limit: int  # the promised limit
    fits: bool

    @property
    def critical_ids(self) -> set[int]:
        return {c.critical.pk for c in self.columns}


def _summary(steps: list[FlowStep], promised: int) -> FlowSummary:
    specs = [FlowStepSpec(order=s.order, key=str(i), limit=s.limit_days) for i, s in enumerate(steps)]
    total, path = critical_path(specs)
    columns = []
    for spec in path:
        critical = steps[int(spec.key)]
        columns.append(FlowColumn(order=spec.order, steps=[s for s in steps if s.order == spec.order],
                                  critical=critical, days=spec.limit))
    return FlowSummary(columns=columns, total=total, limit=promised, fits=total <= promised)


def flow_summary(version: ItemVersion) -> FlowSummary:
    """The flow drawn as ordered columns of parallel steps, its critical path (rules.approvals)
    and whether it fits the promised limit. A flow without steps takes no time."""
    steps = list(version.steps.all()) if _prefetched(version, "steps") else \
        list(version.steps.select_related("department").order_by("order", "id"))
    steps.sort(key=lambda s: (s.order, s.pk or 0))
    return _summary(steps, version.promised_days)


# -- prerequisites (S3.2) ---------------------------------------------------------------


def live_versions(today: date) -> QuerySet[ItemVersion]:
    """The published versions that are or will be in force: each item's version in force today
    and any published one numbered above it (in force later). Their prerequisites are the
    catalogue's, today's and tomorrow's."""
    superseded = ItemVersion.objects.filter(item_id=OuterRef("item_id"), state=VersionState.PUBLISHED,
                                            effective_from__lte=today, version__gt=OuterRef("version"))
    return ItemVersion.objects.filter(state=VersionState.PUBLISHED).exclude(Exists(superseded))


def prerequisite_graph(today: date) -> dict[str, set[str]]:
    """The catalogue's prerequisites as codes: {item: the items it requires}, over ``live_versions``,
    in one query."""
    graph: dict[str, set[str]] = {}
    rows = Prerequisite.objects.filter(version__in=live_versions(today)).values_list(
        "version__item__code", "requires__code")
    for code, required in rows:
        graph.setdefault(code, set()).add(required)
    return graph


def names_of(codes: list[str], today: date, known: dict[str, str] | None = None) -> dict[str, str]:
    """Each code's name: ``known`` first (versions being published), else its newest live version."""
    names = dict(known or {})
    missing = [c for c in set(codes) if c not in names]
    if len(missing) > 500:  # a long cycle: one read of every live name beats many IN lists
        wanted = set(missing)
        for code, name in live_versions(today).order_by("version").values_list("item__code", "name"):
            if code in wanted:
                names[code] = name
        missing = [c for c in missing if c not in names]
    for i in range(0, len(missing), 500):
        chunk = missing[i:i + 500]
        for code, name in (live_versions(today).filter(item__code__in=chunk).order_by("version")
                           .values_list("item__code", "name")):
            names[code] = name
        for code, name in (ItemVersion.objects.filter(item__code__in=[c for c in chunk if c not in names])
                           .order_by("version").values_list("item__code", "name")):
            names.setdefault(code, name)
    return names


# -- the power list (权力清单, S4) -------------------------------------------------------


@dataclass
class PowerEntry:
    version: ItemVersion
    lead: bool  # the department is the handling department (else it takes a step of the flow)
    levels: list[tuple[Unit, str]] = field(default_factory=list)  # (area, HandlingLevel) per area
    delegated: int = 0  # areas handling it themselves


def power_list(department: Unit, on: date) -> list[PowerEntry]:
    """The items in force on ``on`` that ``department`` handles (as lead department or through a
    step of their flow), each with its handling level per county, district and zone."""
    in_force = published_catalogue(on)
    steps = FlowStep.objects.filter(department=department).values("version_id")
    versions = list(in_force.filter(Q(lead_department=department) | Q(pk__in=steps))
                    .prefetch_related("delegations"))
    places = areas()
    out = []
    for v in versions:
        by_area = {d.area_id: d.level for d in v.delegations.all()}
        levels = [(a, by_area.get(a.pk, HandlingLevel.CITY)) for a in places]
        out.append(PowerEntry(version=v, lead=v.lead_department_id == department.pk, levels=levels,
                              delegated=sum(1 for _a, lv in levels if lv == HandlingLevel.AREA)))
    return out


def delegations_by_area(version: ItemVersion) -> list[tuple[Unit, str]]:
    """Every area with its level for ``version`` (an unlisted area: the city)."""
    by_area = {d.area_id: d.level for d in Delegation.objects.filter(version=version)}
    return [(a, by_area.get(a.pk, HandlingLevel.CITY)) for a in areas()]
