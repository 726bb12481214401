"""Each person's own account security: password change, authenticator, live sessions."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from ducha.audit.api import record
from ducha.org.models import User
from ducha.security.actions import (
    do_confirm_enrolment,
    do_remove_own_second_factor,
    end_sessions,
    password_state,
)
from ducha.security.forms import ChangePasswordForm, CodeForm
from ducha.security.models import AccountSecurity, TOTPDevice, UserSession
from ducha.security.policy import current as current_policy
from ducha.security.views_login import _safe_next, enrolment_context


def _me(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


@login_required
def account_security(request: HttpRequest) -> HttpResponse:
    me, policy = _me(request), current_policy()
    sec = AccountSecurity.objects.filter(user=me).first()
    changed = (sec.password_changed_at if sec else None) or me.date_joined
    expires = changed + timedelta(days=policy.password_max_age_days) if policy.password_max_age_days else None
    return render(request, "security/account.html", {
        "device": TOTPDevice.objects.filter(user=me, confirmed_at__isnull=False).first(),
        "mfa_required": policy.mfa_required(me),
        "password_changed_at": changed,
        "password_expires_at": expires,
        "sessions": UserSession.objects.filter(user=me),
        "current_key": request.session.session_key,
        "is_demo": bool(sec and sec.is_demo),
    })


@sensitive_post_parameters("old_password", "new_password1", "new_password2")
@login_required
def password_change(request: HttpRequest) -> HttpResponse:
    me = _me(request)
    state = password_state(me, current_policy())
    form = ChangePasswordForm(me, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        form.save()  # validators run; the history validator records the change (by self)
        update_session_auth_hash(request, me)
        ended = end_sessions(me, except_key=request.session.session_key)
        record(actor=me, action="auth.password_change", obj_type="org.User", obj_id=me.pk, before=None,
               after={"reason": state or "voluntary", "other_sessions_ended": ended}, request=request)
        messages.success(request, _("Your password has been changed."))
        return redirect(_safe_next(request, request.POST.get("next", "")) or "account-security")
    return render(request, "security/password_change.html", {
        "form": form, "state": state, "next": _safe_next(request, request.GET.get("next", "")
                                                          or request.POST.get("next", "")),
    })


@sensitive_post_parameters("code")
@login_required
def account_enrol(request: HttpRequest) -> HttpResponse:
    me = _me(request)
    if TOTPDevice.objects.filter(user=me, confirmed_at__isnull=False).exists():
        return redirect("account-security")
    form = CodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        if do_confirm_enrolment(person=me, code=form.cleaned_data["code"], request=request):
            messages.success(request, _("Your authenticator is set up; log-ins will ask for its code."))
            return redirect("account-security")
        form.add_error("code", _("Wrong code. Check the time on your phone and try the current code."))
    return render(request, "security/enrol.html", enrolment_context(me, form, in_login=False))


@require_POST
@login_required
def account_remove_factor(request: HttpRequest) -> HttpResponse:
    from django.core.exceptions import ValidationError

    try:
        do_remove_own_second_factor(person=_me(request), request=request)
        messages.success(request, _("Your authenticator has been removed."))
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    return redirect("account-security")


@require_POST
@login_required
def account_end_session(request: HttpRequest) -> HttpResponse:
    """Ends one of the person's other sessions (a PC left logged in elsewhere)."""
    from django.contrib.sessions.models import Session

    key = request.POST.get("session_key", "")
    me = _me(request)
    if key and key != request.session.session_key and UserSession.objects.filter(user=me, session_key=key).exists():
        Session.objects.filter(session_key=key).delete()
        UserSession.objects.filter(session_key=key).delete()
        record(actor=me, action="auth.session_end", obj_type="org.User", obj_id=me.pk, before=None,
               after={"ended_at": timezone.now()}, request=request)
    return redirect("account-security")
