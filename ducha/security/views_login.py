"""Log-in in steps: password, then (when required or set up) the second factor, then a session.

Until the last step the person is not logged in at all: the session only holds a
five-minute "pre-authenticated" marker, so no page but the next step is reachable and
an administrator cannot finish logging in without enrolling or entering a TOTP code.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.forms.utils import ErrorDict
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from ducha.audit.api import record
from ducha.audit.context import client_ip
from ducha.audit.models import Result
from ducha.org.models import User
from ducha.org.roles import Role
from ducha.security import lockout, totp
from ducha.security.actions import do_confirm_enrolment, do_start_enrolment, note_session_start
from ducha.security.forms import CodeForm, LoginForm
from ducha.security.middleware import AUTH_AT, MFA, PREAUTH, SEEN_AT
from ducha.security.models import AccountSecurity, TOTPDevice, UserSession
from ducha.security.policy import current as current_policy
from ducha.security.ratelimit import hit

PREAUTH_SECONDS = 300
ROLE_HOME: dict[str, str] = {Role.AUDITOR: "audit-events", Role.SECURITY_ADMIN: "security-home"}


def _safe_next(request: HttpRequest, candidate: str) -> str:
    ok = url_has_allowed_host_and_scheme(candidate, allowed_hosts={request.get_host()},
                                         require_https=request.is_secure())
    return candidate if candidate and ok else ""


def _landing(user: User, next_url: str) -> str:
    return next_url or resolve_url(ROLE_HOME.get(user.role, settings.LOGIN_REDIRECT_URL))


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
def login_view(request: HttpRequest) -> HttpResponse:
    next_url = _safe_next(request, request.POST.get("next") or request.GET.get("next", ""))
    if request.user.is_authenticated:
        return redirect(_landing(request.user, next_url))
    form = LoginForm(request, data=request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        ip = client_ip(request)
        username = request.POST.get("username", "")
        limit, period = settings.DUCHA_LOGIN_RATE
        lock = lockout.active_lock(username, ip)
        if not hit("login", ip or "-", limit=limit, period=period):
            form = _refusal(request, username, str(LoginForm.error_messages["throttled"]))
            status = 429
        elif lock is not None:
            record(actor=None, action="auth.login_refused", obj_type="org.User", obj_id="", before=None,
                   after={"username": username[:150], "locked_until": lock.locked_until}, request=request,
                   result=Result.DENIED, reason="locked")
            form = _refusal(request, username, _locked_message(lock))
        elif form.is_valid():
            lockout.register_success(username, ip)
            return _after_password(request, form.get_user(), next_url)
        else:
            lock = lockout.register_failure(username, ip)
            if lock is not None:
                form.add_error(None, _locked_message(lock))
    return render(request, "registration/login.html", {"form": form, "next": next_url}, status=status)


def _locked_message(lock: lockout.Lock) -> str:
    minutes = max(1, int((lock.locked_until - timezone.now()).total_seconds() + 59) // 60)
    return str(LoginForm.error_messages["locked"]) % {"minutes": minutes}


def _refusal(request: HttpRequest, username: str, message: str) -> LoginForm:
    """A form showing only `message`: the password was not even checked."""
    form = LoginForm(request, initial={"username": username})
    form._errors = ErrorDict()  # type: ignore[attr-defined]
    form.cleaned_data = {}
    form.add_error(None, message)
    return form


def _after_password(request: HttpRequest, user: Any, next_url: str) -> HttpResponse:
    device = TOTPDevice.objects.filter(user=user, confirmed_at__isnull=False).first()
    if device is None and not current_policy().mfa_required(user):
        return complete_login(request, user, next_url, mfa=False)
    request.session.cycle_key()
    request.session[PREAUTH] = {"uid": user.pk, "at": timezone.now().timestamp(), "backend": user.backend,
                                "next": next_url}
    return redirect("login-otp" if device else "login-otp-enrol")


def complete_login(request: HttpRequest, user: Any, next_url: str, *, mfa: bool) -> HttpResponse:
    backend = request.session.pop(PREAUTH, {}).get("backend") or getattr(user, "backend", None)
    request.session[MFA] = mfa
    auth_login(request, user, backend=backend)  # a new session key (ASVS 7.2.4); records auth.login
    now = timezone.now().timestamp()
    request.session[AUTH_AT] = request.session[SEEN_AT] = now
    request.session.save()
    note_session_start(user=user, session_key=request.session.session_key or "", request=request)
    if AccountSecurity.objects.filter(user=user, is_demo=True).exists():
        messages.warning(request, _("Demo account: its password is published. Enter no real data."))
    return redirect(_landing(user, next_url))


def _preauth_user(request: HttpRequest) -> User | None:
    data = request.session.get(PREAUTH)
    if not data or timezone.now().timestamp() - data.get("at", 0) > PREAUTH_SECONDS:
        request.session.pop(PREAUTH, None)
        return None
    return User.objects.filter(pk=data["uid"], is_active=True).first()


def _restart(request: HttpRequest, message: str) -> HttpResponse:
    request.session.pop(PREAUTH, None)
    messages.warning(request, message)
    return redirect("login")


@sensitive_post_parameters("code")
@csrf_protect
@never_cache
def otp_view(request: HttpRequest) -> HttpResponse:
    user = _preauth_user(request)
    if user is None:
        return _restart(request, _("Please log in again."))
    device = TOTPDevice.objects.filter(user=user, confirmed_at__isnull=False).first()
    if device is None:
        return redirect("login-otp-enrol")
    form = CodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        limit, period = settings.DUCHA_OTP_RATE
        if not hit("otp", f"user:{user.pk}", limit=limit, period=period):
            record(actor=None, action="auth.mfa_failed", obj_type="org.User", obj_id=user.pk, before=None,
                   after={"username": user.username}, request=request, result=Result.DENIED, reason="rate limit")
            return _restart(request, _("Too many codes tried. Wait five minutes, then log in again."))
        if form.is_valid():
            check = totp.use_code(device, form.cleaned_data["code"])
            if check.ok:
                return complete_login(request, user, request.session[PREAUTH].get("next", ""), mfa=True)
            record(actor=None, action="auth.mfa_failed", obj_type="org.User", obj_id=user.pk, before=None,
                   after={"username": user.username}, request=request, result=Result.FAIL,
                   reason="code already used" if check.replayed else "wrong code")
            form.add_error("code", _("This code has already been used; wait for the next one.") if check.replayed
                           else _("Wrong code. Check the time on your phone and try the current code."))
            if lockout.register_failure(user.username, client_ip(request)) is not None:
                return _restart(request, _("Too many failed attempts; this account is locked for a while."))
    return render(request, "security/login_otp.html", {"form": form, "person": user})


@sensitive_post_parameters("code")
@csrf_protect
@never_cache
def enrol_view(request: HttpRequest) -> HttpResponse:
    """First log-in of an account that needs a second factor: set up the authenticator app now."""
    user = _preauth_user(request)
    if user is None:
        return _restart(request, _("Please log in again."))
    if TOTPDevice.objects.filter(user=user, confirmed_at__isnull=False).exists():
        return redirect("login-otp")
    form = CodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        limit, period = settings.DUCHA_OTP_RATE
        if not hit("otp", f"user:{user.pk}", limit=limit, period=period):
            return _restart(request, _("Too many codes tried. Wait five minutes, then log in again."))
        if form.is_valid() and do_confirm_enrolment(person=user, code=form.cleaned_data["code"], request=request):
            return complete_login(request, user, request.session[PREAUTH].get("next", ""), mfa=True)
        if form.is_valid():
            form.add_error("code", _("Wrong code. Check the time on your phone and try the current code."))
    return render(request, "security/enrol.html", enrolment_context(user, form, in_login=True))


def enrolment_context(user: User, form: CodeForm, *, in_login: bool) -> dict[str, Any]:
    device = TOTPDevice.objects.filter(user=user, confirmed_at__isnull=True).first()
    fresh = device is not None and timezone.now() - device.created_at < timedelta(minutes=10)
    secret = totp.decrypt_secret(device) if device is not None and fresh else do_start_enrolment(person=user)
    uri = totp.provisioning_uri(secret, user.username)
    grouped = " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))
    return {"form": form, "person": user, "qr_svg": totp.qr_svg(uri), "secret": grouped, "in_login": in_login,
            "required": current_policy().mfa_required(user)}


@require_POST
@csrf_protect
def logout_view(request: HttpRequest) -> HttpResponse:
    key = request.session.session_key
    auth_logout(request)  # flushes the server-side session; records auth.logout
    if key:
        UserSession.objects.filter(session_key=key).delete()
    response = redirect(settings.LOGOUT_REDIRECT_URL)
    # Shared office PCs: drop cached pages and storage (ASVS 14.3.1); the language cookie stays.
    response["Clear-Site-Data"] = '"cache", "storage"'
    return response


def admin_login_redirect(request: HttpRequest) -> HttpResponse:
    """The admin site's own log-in form would skip lock-out and the second factor: use ours."""
    next_url = request.GET.get("next") or reverse("admin:index")
    return redirect(f"{reverse('login')}?{urlencode({'next': next_url})}")
