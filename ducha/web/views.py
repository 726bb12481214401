"""The shell: home page, unit directory."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from ducha.matters.views import home_context
from ducha.org.access import access_unit_by_id, unit_scope, visible_units
from ducha.org.models import LeaderKind, LeaderPost, UnitKind, User
from ducha.org.roles import ADMIN_ROLES, Role
from ducha.workcal.service import missing_next_year_warning
from ducha.workcal.service import today as workcal_today


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    scope = unit_scope(user)
    units = visible_units(user)
    by_kind = dict(units.values_list("kind").annotate(n=Count("id")).values_list("kind", "n"))
    context: dict[str, object] = {
        "scope_all": scope.all_units,
        "unit_counts": [(kind.label, by_kind.get(kind.value, 0)) for kind in UnitKind],
        "unit_total": sum(by_kind.values()),
        "people_total": User.objects.filter(scope.q("unit"), unit__isnull=False, is_active=True).count(),
        "is_admin_role": user.role in ADMIN_ROLES,
    }
    post = getattr(user, "leader_post", None)
    if user.role == Role.LEADER and post is not None and post.kind == LeaderKind.VICE_MAYOR:
        context["portfolio"] = post.portfolio.all()
    if user.unit_id is not None:
        context["my_unit"] = user.unit
    if scope.all_units:
        context["leaders"] = LeaderPost.objects.select_related("person").annotate(n_units=Count("portfolio"))
    if user.role in ADMIN_ROLES:
        context["accounts"] = (
            User.objects.filter(is_active=True).exclude(role="").values("role").annotate(n=Count("id")).order_by("role")
        )
        context["role_labels"] = dict(Role.choices)
        if user.role == Role.SYSTEM_ADMIN:
            context["calendar_warning"] = missing_next_year_warning(workcal_today())
    else:
        context.update(home_context(user))
    return render(request, "web/home.html", context)


@login_required
def unit_list(request: HttpRequest) -> HttpResponse:
    kind = request.GET.get("kind", "")
    units = visible_units(request.user).annotate(
        n_people=Count("people", filter=Q(people__is_active=True)), n_sections=Count("sections", distinct=True)
    )
    if kind in UnitKind.values:
        units = units.filter(kind=kind)
    return render(
        request, "web/unit_list.html", {"units": units, "kinds": UnitKind.choices, "current_kind": kind}
    )


@login_required
def unit_detail(request: HttpRequest, unit_id: int) -> HttpResponse:
    unit = access_unit_by_id(request.user, unit_id)
    return render(
        request,
        "web/unit_detail.html",
        {
            "unit": unit,
            "sections": unit.sections.all(),
            "posts": unit.posts.select_related("person"),
            "people": unit.people.filter(is_active=True).select_related("section").order_by("id"),
            "leaders": LeaderPost.objects.filter(portfolio=unit).select_related("person"),
        },
    )


