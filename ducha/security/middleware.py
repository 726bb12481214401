"""Per-request account security: session timeouts, forced password change, duty areas, no-store.

- Idle (30 min) and absolute (12 h) timeouts are checked here against times kept in the
  server-side session; a timed-out session is flushed (its row deleted), audited, and the
  browser sent to the log-in page.
- An initial or expired password sends every page to the change form first (the API answers
  403 with a message instead of a redirect to a page).
- Separation of duties (三权分立): each administrator's area answers 403 to everyone else,
  whatever the view below does.
- Authenticated responses get `Cache-Control: no-store` (ASVS 14.3.2).
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from ducha.security.actions import password_state
from ducha.security.answers import is_api_request, json_refusal
from ducha.security.models import UserSession
from ducha.security.policy import current as current_policy

AUTH_AT = "security.auth_at"
SEEN_AT = "security.seen_at"
MFA = "security.mfa"
PREAUTH = "security.preauth"
SEEN_WRITE_EVERY = 60  # seconds: at most one session write a minute for the idle clock


def duty_area_role(path: str) -> str | None:
    for prefix, role in settings.DUCHA_DUTY_AREAS:
        if path.startswith(prefix):
            return role
    return None


class AccountSecurityMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        early = self.check(request) if request.user.is_authenticated else None
        response = early or self.get_response(request)
        if request.user.is_authenticated or PREAUTH in request.session:
            add_never_cache_headers(response)
        return response

    def check(self, request: HttpRequest) -> HttpResponse | None:
        policy = current_policy()
        now = timezone.now().timestamp()
        session = request.session
        auth_at = session.setdefault(AUTH_AT, now)
        seen_at = session.setdefault(SEEN_AT, now)
        reason = ""
        if now - seen_at > policy.idle_timeout.total_seconds():
            reason = "idle"
        elif now - auth_at > policy.absolute_timeout.total_seconds():
            reason = "absolute"
        if reason:
            return self.time_out(request, reason)
        if now - seen_at > SEEN_WRITE_EVERY:
            session[SEEN_AT] = now

        role = duty_area_role(request.path_info)
        if role is not None and getattr(request.user, "role", "") != role:
            raise PermissionDenied(_("This is another administrator's area: your role may not open it."))

        state = password_state(request.user, policy)  # type: ignore[arg-type]
        if state and request.path_info not in self.allowed_while_forced():
            target = reverse("account-password")
            if is_api_request(request):
                return json_refusal(403, _("Your password must be changed before anything else: log in on the "
                                           "web pages and change it at %(url)s.") % {"url": target})
            return self.redirect(request, f"{target}?{urlencode({'next': request.get_full_path()})}")
        return None

    @staticmethod
    def allowed_while_forced() -> set[str]:
        return {reverse("account-password"), reverse("logout"), reverse("set_language")}

    def time_out(self, request: HttpRequest, reason: str) -> HttpResponse:
        key = request.session.session_key
        request._security_logout_reason = f"session timeout ({reason})"  # type: ignore[attr-defined]
        logout(request)  # flushes: the session row is deleted, not just abandoned
        if key:
            UserSession.objects.filter(session_key=key).delete()
        message = (_("Your session has ended after a period of inactivity; please log in again.")
                   if reason == "idle" else _("Your session has reached its time limit; please log in again."))
        if is_api_request(request):
            return json_refusal(401, message)
        messages.warning(request, message)
        return self.redirect(request, redirect_to_login(request.get_full_path())["Location"])

    @staticmethod
    def redirect(request: HttpRequest, url: str) -> HttpResponse:
        if request.headers.get("HX-Request"):
            response = HttpResponse(status=204)
            response["HX-Redirect"] = url
            return response
        return redirect(url)
