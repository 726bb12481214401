"""The approval catalogue's pages for everyone signed in (S3.1, S3.2, S4): the catalogue in
force with a search, an item's service guide (办事指南) with its flow drawn as ordered columns of
parallel steps, its version history, and a department's power list (权力清单). Drafts are the
office's: anyone else asking for one gets a 404, as for a version that does not exist."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from ducha.approvals.access import edits_catalogue
from ducha.approvals.actions_catalogue import publish_effect, withdraw_effect
from ducha.approvals.catalogue import delegations_by_area, flow_summary, power_list, published_catalogue
from ducha.approvals.catalogue_excel import FORM_ZH, KIND_ZH, LEVEL_ZH, SERVICE_ZH
from ducha.approvals.models import Item, ItemVersion, VersionState
from ducha.org.models import Unit, User
from ducha.workcal import service as workcal


def visible_versions(user: User, item: Item) -> list[ItemVersion]:
    """The item's versions newest first; drafts only for the office."""
    qs = ItemVersion.objects.filter(item=item).select_related("lead_department", "created_by").order_by("-version")
    if not edits_catalogue(user):
        qs = qs.exclude(state=VersionState.DRAFT)
    return list(qs)


def access_version(user: User, code: str, number: int | None) -> tuple[Item, ItemVersion, list[ItemVersion]]:
    """The item's version ``number``, or the one in force today (else the newest the user may
    see); Http404 when there is none the user may read."""
    item = get_object_or_404(Item, code=code)
    versions = visible_versions(user, item)
    today = workcal.today()
    if number is not None:
        chosen = next((v for v in versions if v.version == number), None)
    else:
        in_force = [v for v in versions if v.state == VersionState.PUBLISHED and v.effective_from <= today]
        chosen = in_force[0] if in_force else next(iter(versions), None)
    if chosen is None:
        raise Http404("No such version")
    return item, chosen, versions


@login_required
def catalogue_list(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "")[:100]
    today = workcal.today()
    rows = published_catalogue(today, q)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    office = edits_catalogue(request.user)  # type: ignore[arg-type]
    drafts = (ItemVersion.objects.filter(state=VersionState.DRAFT).select_related("item").order_by("item__code")
              if office else [])
    return render(request, "approvals/catalogue_list.html", {
        "page": page, "q": q, "today": today, "office": office, "drafts": drafts, "kinds": KIND_ZH,
        "departments": Unit.objects.filter(is_active=True, kind="department").order_by("sort_order", "id"),
    })


def _number(text: str | None) -> int | None:
    return int(text) if text and text.isdigit() and len(text) < 6 else None


@login_required
def catalogue_item(request: HttpRequest, code: str) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    item, version, versions = access_version(user, code, _number(request.GET.get("version")))
    office = edits_catalogue(user)
    today = workcal.today()
    prereqs = list(version.prerequisites.select_related("requires").order_by("requires__code"))
    current = next((x for x in versions if x.state == VersionState.PUBLISHED and x.effective_from <= today), None)
    names = {v.item_id: v.name for v in published_catalogue(today).filter(item_id__in=[p.requires_id for p in prereqs])}
    return render(request, "approvals/catalogue_item.html", {
        "item": item, "v": version, "versions": versions, "office": office, "today": today,
        "in_force": current is not None and current.pk == version.pk, "current": current,
        "materials": list(version.materials.order_by("position")),
        "forms": FORM_ZH, "kind_zh": KIND_ZH.get(version.kind, version.kind),
        "service_zh": SERVICE_ZH.get(version.service_type, ""),
        "levels": [(a, lv, LEVEL_ZH[lv]) for a, lv in delegations_by_area(version)],
        "prereqs": [(p.requires.code, names.get(p.requires_id, "")) for p in prereqs],
        "flow": flow_summary(version),
        "publish_effect": publish_effect(version) if office and version.state == VersionState.DRAFT else "",
        "withdraw_effect": withdraw_effect(version) if office and version.state != VersionState.WITHDRAWN else "",
    })


@login_required
def catalogue_versions(request: HttpRequest, code: str) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    item = get_object_or_404(Item, code=code)
    versions = visible_versions(user, item)
    if not versions:
        raise Http404("No such item")
    return render(request, "approvals/catalogue_versions.html", {"item": item, "versions": versions,
                                                                  "office": edits_catalogue(user)})


@login_required
def power_list_page(request: HttpRequest, unit_id: int) -> HttpResponse:
    department = get_object_or_404(Unit, pk=unit_id, is_active=True)
    today = workcal.today()
    entries = power_list(department, today)
    areas = [a for a, _lv in entries[0].levels] if entries else []
    return render(request, "approvals/catalogue_power.html", {
        "department": department, "entries": entries, "areas": areas, "today": today, "level_zh": LEVEL_ZH})
