"""The security administrator's pages (安全管理员): locks, roles, second factors, policy.

Nothing here is reachable by the system administrator or the auditor (the duty-area
middleware answers 403 first, and each view checks the role again).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ducha.org.models import User
from ducha.org.roles import ADMIN_ROLES, Role
from ducha.security import lockout
from ducha.security.actions import do_grant_role, do_reset_second_factor, do_unlock_account, do_update_policy
from ducha.security.forms import PolicyForm, RoleForm
from ducha.security.models import AccountSecurity, SecurityPolicy, TOTPDevice
from ducha.security.policy import current as current_policy


def profile_label(name: str) -> str:
    """The password profile by its name in words, not its setting value (dengbao3)."""
    return {"dengbao3": _("MLPS 2.0 level 3"), "asvs": _("OWASP ASVS")}.get(name, name)


def security_admin_only(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    @login_required
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if getattr(request.user, "role", "") != Role.SECURITY_ADMIN:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def _me(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


@security_admin_only
def home(request: HttpRequest) -> HttpResponse:
    enrolled = set(TOTPDevice.objects.filter(confirmed_at__isnull=False).values_list("user_id", flat=True))
    admins = User.objects.filter(role__in=ADMIN_ROLES, is_active=True).order_by("role", "username")
    return render(request, "security/admin_home.html", {
        "locks": lockout.locked_rows(),
        "admins": [(a, a.pk in enrolled) for a in admins],
        "demo_count": AccountSecurity.objects.filter(is_demo=True, user__is_active=True).count(),
        "superusers": User.objects.filter(is_superuser=True, is_active=True).count(),
        "policy": current_policy(),
        "profile": profile_label(settings.DUCHA_SECURITY_PROFILE),
        "min_length": settings.DUCHA_PASSWORD_MIN_LENGTH,
        "history": settings.DUCHA_PASSWORD_HISTORY,
    })


@security_admin_only
def lockouts(request: HttpRequest) -> HttpResponse:
    return render(request, "security/lockouts.html", {"locks": lockout.locked_rows()})


@require_POST
@security_admin_only
def unlock(request: HttpRequest) -> HttpResponse:
    username = request.POST.get("username", "")
    if do_unlock_account(actor=_me(request), username=username, request=request):
        messages.success(request, _("%(name)s is unlocked.") % {"name": username})
    return redirect("security-lockouts")


@security_admin_only
def accounts(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()
    role = request.GET.get("role", "")
    people = User.objects.select_related("unit").order_by("username")
    if q:
        people = people.filter(Q(username__icontains=q) | Q(name__icontains=q))
    if role in Role.values:
        people = people.filter(role=role)
    page = Paginator(people, 50).get_page(request.GET.get("page"))
    enrolled = set(TOTPDevice.objects.filter(user__in=list(page.object_list), confirmed_at__isnull=False)
                   .values_list("user_id", flat=True))
    demo = set(AccountSecurity.objects.filter(user__in=list(page.object_list), is_demo=True)
               .values_list("user_id", flat=True))
    return render(request, "security/accounts.html", {
        "page": page, "q": q, "role": role, "roles": Role.choices, "enrolled": enrolled, "demo": demo,
    })


@security_admin_only
def account_detail(request: HttpRequest, person_id: int) -> HttpResponse:
    person = get_object_or_404(User, pk=person_id)
    form = RoleForm(request.POST or None, initial={"role": person.role})
    if request.method == "POST" and form.is_valid():
        try:
            do_grant_role(actor=_me(request), person=person, role=form.cleaned_data["role"], request=request)
            messages.success(request, _("Role saved."))
            return redirect("security-account", person_id=person.pk)
        except ValidationError as exc:
            form.add_error("role", exc)
    return render(request, "security/account_detail.html", {
        "person": person, "form": form, "is_self": person.pk == request.user.pk,
        "device": TOTPDevice.objects.filter(user=person, confirmed_at__isnull=False).first(),
        "reset_effect": reset_factor_effect(person),
    })


@require_POST
@security_admin_only
def reset_factor(request: HttpRequest, person_id: int) -> HttpResponse:
    person = get_object_or_404(User, pk=person_id)
    if request.POST.get("confirm") != "reset-factor":
        # Only the confirmation on the account's page resets: a bare POST changes nothing.
        messages.error(request, _("Nothing was done. Confirm it on the page: %(effect)s") % {
            "effect": reset_factor_effect(person)})
        return redirect("security-account", person_id=person.pk)
    do_reset_second_factor(actor=_me(request), person=person, request=request)
    messages.success(request, _("The authenticator was removed; a new one is set up at the next log-in."))
    return redirect("security-account", person_id=person.pk)


def reset_factor_effect(person: User) -> str:
    """What removing a person's authenticator does, in the words the confirmation shows."""
    return _("The authenticator of %(name)s (%(username)s) is removed: codes from the old phone stop working at "
             "once, and %(name)s cannot log in until a new one is set up at the next log-in.") % {
        "name": person.name, "username": person.username}


@security_admin_only
def policy(request: HttpRequest) -> HttpResponse:
    instance = SecurityPolicy.objects.filter(pk=1).first()
    initial = current_policy().as_dict() if instance is None else None
    form = PolicyForm(request.POST or None, instance=instance, initial=initial)
    if request.method == "POST" and form.is_valid():
        do_update_policy(actor=_me(request), values=form.cleaned_data, request=request)
        messages.success(request, _("The security policy has been saved."))
        return redirect("security-policy")
    return render(request, "security/policy.html", {
        "form": form, "profile": profile_label(settings.DUCHA_SECURITY_PROFILE),
        "min_length": settings.DUCHA_PASSWORD_MIN_LENGTH, "history": settings.DUCHA_PASSWORD_HISTORY,
    })
