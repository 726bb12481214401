"""The catalogue editor of the approval service office (S3.1, S3.2): create an item, edit its
draft (materials, fees, delegation per area, prerequisites and flow steps as table rows), publish
it or withdraw a version, each step that changes what applicants see confirmed with its effect.
Anyone else gets a 404."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from ducha.approvals import actions_catalogue as actions
from ducha.approvals.access import edits_catalogue
from ducha.approvals.catalogue import areas
from ducha.approvals.catalogue_checks import DelegationInput, FeeInput, MaterialInput, StepInput, VersionInput
from ducha.approvals.models import HandlingLevel, Item, ItemKind, ItemVersion, MaterialForm, ServiceType, VersionState
from ducha.org.models import Unit, User
from ducha.workcal import service as workcal

BLANK_ROWS = 3
_SPLIT = re.compile(r"[\s,，、;；]+")


def _office(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    if not edits_catalogue(user):
        raise Http404("No such page")
    return user


def _int(text: str | None) -> int | None:
    text = (text or "").strip()
    return int(text) if text.isdigit() and len(text) < 6 else None


def _date(text: str | None) -> date | None:
    try:
        return date.fromisoformat((text or "").strip())
    except ValueError:
        return None


def _rows(post: Any, prefix: str, names: tuple[str, ...]) -> list[dict[str, str]]:
    """The posted rows ``prefix-N-name``, in N order, blank rows left out."""
    numbers = sorted({int(k.split("-")[1]) for k in post if k.startswith(f"{prefix}-") and k.split("-")[1].isdigit()})
    out = []
    for n in numbers:
        row = {name: post.get(f"{prefix}-{n}-{name}", "").strip() for name in names}
        if any(v for k, v in row.items() if k not in ("required", "form", "copies")):
            out.append(row)
    return out


def input_from_post(post: Any) -> VersionInput:
    return VersionInput(
        name=post.get("name", "").strip(), kind=post.get("kind", ""), legal_basis=post.get("legal_basis", "").strip(),
        lead_department_id=_int(post.get("lead_department")), statutory_days=_int(post.get("statutory_days")),
        promised_days=_int(post.get("promised_days")), service_type=post.get("service_type", ""),
        conditions=post.get("conditions", "").strip(), effective_from=_date(post.get("effective_from")),
        joint=post.get("joint") == "yes", note=post.get("note", "").strip(),
        fees=[FeeInput(r["name"], r["amount"] or "0", r["basis"]) for r in _rows(post, "fee", ("name", "amount", "basis"))],
        materials=[MaterialInput(r["code"], r["name"], r["required"] == "yes", r["form"] or MaterialForm.ORIGINAL,
                                 _int(r["copies"]) if r["copies"] else 1, r["sample"], r["note"])
                   for r in _rows(post, "mat", ("code", "name", "required", "form", "copies", "sample", "note"))],
        delegations=[DelegationInput(a.pk, post.get(f"del-{a.pk}")) for a in areas()
                     if post.get(f"del-{a.pk}") in (HandlingLevel.AREA, HandlingLevel.NONE)],
        prerequisites=[c for c in _SPLIT.split(post.get("prerequisites", "")) if c],
        steps=[StepInput(_int(r["order"]), _int(r["department"]), r["action"], _int(r["limit"]))
               for r in _rows(post, "step", ("order", "department", "action", "limit"))],
    )


def _numbered(name: str, errors: dict[str, str], rows: list[Any]) -> list[tuple[int, Any, str]]:
    """(n, row, its errors) with n counted from 1, as ``catalogue_checks`` names rows."""
    return [(n, row, " ".join(m for k, m in errors.items() if k.startswith(f"{name}.{n}.")))
            for n, row in enumerate(rows, start=1)]


def _form(request: HttpRequest, *, data: VersionInput, errors: dict[str, str], item: Item | None,
          version: ItemVersion | None, code: str = "", status: int = 200) -> HttpResponse:
    levels = {d.area_id: d.level for d in data.delegations}
    blank_step = StepInput(None, None, "", None)
    return render(request, "approvals/catalogue_edit.html", {
        "item": item, "v": version, "code": code, "d": data, "errors": errors,
        "field_errors": {k: v for k, v in errors.items() if "." not in k and k != "__all__"},
        "general_error": errors.get("__all__", ""),
        "materials": _numbered("materials", errors,
                               [*data.materials, *[MaterialInput("", "", True, MaterialForm.ORIGINAL, 1)] * BLANK_ROWS]),
        "fees": _numbered("fees", errors, [*data.fees, *[FeeInput("", "")] * BLANK_ROWS]),
        "steps": _numbered("steps", errors, [*data.steps, *[blank_step] * BLANK_ROWS]),
        "prerequisite_errors": [m for k, m in errors.items() if k.startswith("prerequisites.")],
        "areas": [(a, levels.get(a.pk, HandlingLevel.CITY)) for a in areas()],
        "units": Unit.objects.filter(is_active=True).order_by("sort_order", "id"),
        "kinds": ItemKind.choices, "service_types": ServiceType.choices, "forms": MaterialForm.choices,
        "levels": HandlingLevel.choices, "prerequisites": " ".join(data.prerequisites),
    }, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def catalogue_new(request: HttpRequest) -> HttpResponse:
    user = _office(request)
    if request.method == "POST":
        data = input_from_post(request.POST)
        code = request.POST.get("code", "").strip()
        try:
            version = actions.do_create_item(actor=user, code=code, data=data)
        except actions.CatalogueError as e:
            return _form(request, data=data, errors=e.errors, item=None, version=None, code=code, status=400)
        messages.success(request, _("Item created as a draft."))
        return redirect("approvals:catalogue-item", code=version.item.code)
    data = VersionInput(name="", kind=ItemKind.LICENSING, legal_basis="", lead_department_id=None, statutory_days=20,
                        promised_days=None, effective_from=workcal.today())
    return _form(request, data=data, errors={}, item=None, version=None)


@login_required
@require_http_methods(["GET", "POST"])
def catalogue_edit(request: HttpRequest, code: str) -> HttpResponse:
    """The item's draft, or a new draft started from the newest version."""
    user = _office(request)
    item = get_object_or_404(Item, code=code)
    draft = ItemVersion.objects.filter(item=item, state=VersionState.DRAFT).first()
    if request.method == "POST":
        data = input_from_post(request.POST)
        try:
            saved = actions.do_save_draft_version(actor=user, item=item, data=data, version=draft)
        except actions.CatalogueError as e:
            return _form(request, data=data, errors=e.errors, item=item, version=draft, status=400)
        messages.success(request, _("Draft saved."))
        return redirect(f"{_item_url(item)}?version={saved.version}")
    base = draft or ItemVersion.objects.filter(item=item).order_by("-version").first()
    if base is None:
        raise Http404("No such item")
    data = actions.version_input_of(base)
    if draft is None:
        data.effective_from, data.note = workcal.today(), ""
    return _form(request, data=data, errors={}, item=item, version=draft)


def _item_url(item: Item) -> str:
    from django.urls import reverse

    return reverse("approvals:catalogue-item", kwargs={"code": item.code})


def _step(request: HttpRequest, code: str, number: int) -> tuple[User, ItemVersion]:
    user = _office(request)
    version = get_object_or_404(ItemVersion.objects.select_related("item"), item__code=code, version=number)
    return user, version


@login_required
@require_POST
def catalogue_publish(request: HttpRequest, code: str, number: int) -> HttpResponse:
    user, version = _step(request, code, number)
    try:
        if request.POST.get("confirm") != "yes":
            raise actions.CatalogueError(_("Nothing was published. Confirm it: %(effect)s")
                                         % {"effect": actions.publish_effect(version)})
        actions.do_publish_version(actor=user, version=version)
    except actions.CatalogueError as e:
        return _refused(request, version, e.errors)
    messages.success(request, _("Version published."))
    return redirect(f"{_item_url(version.item)}?version={version.version}")


@login_required
@require_POST
def catalogue_withdraw(request: HttpRequest, code: str, number: int) -> HttpResponse:
    user, version = _step(request, code, number)
    try:
        if request.POST.get("confirm") != "yes":
            raise actions.CatalogueError(_("Nothing was withdrawn. Confirm it: %(effect)s")
                                         % {"effect": actions.withdraw_effect(version)})
        actions.do_withdraw_version(actor=user, version=version)
    except actions.CatalogueError as e:
        return _refused(request, version, e.errors)
    messages.success(request, _("Version withdrawn."))
    return redirect(f"{_item_url(version.item)}?version={version.version}")


def _refused(request: HttpRequest, version: ItemVersion, errors: dict[str, str]) -> HttpResponse:
    return render(request, "approvals/catalogue_refused.html", {"v": version, "errors": errors}, status=400)
