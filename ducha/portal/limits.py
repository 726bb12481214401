"""Rate limits and failure counts per client address, in the portal's cache.

The intranet's limiter (ducha.security.ratelimit) counts in the database, which the portal's
role may not write; here the counters live in the cache (DUCHA_PORTAL_CACHE_URL: one process's
memory by default, Redis to share them between processes and machines). Addresses are kept
hashed in the keys. A form of the portal follows the status look-up (views_status):

    @limited("apply")                                  # every POST counts against the address
    def apply(request): ...
        if needs_captcha(request) and not captcha.solved(request, answer): ...   # refuse, note_failure
        ... refused: note_failure(request)             # repeated failures bring the captcha
        picture = captcha.challenge(request) if needs_captcha(request) else ""
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from ducha.publication.submissions import address_hash, client_address

View = TypeVar("View", bound=Callable[..., HttpResponse])
MINUTE = 60
FAILURE_WINDOW = 3600


def _who(request: HttpRequest) -> str:
    return address_hash(client_address(request))[:32]


def _count(key: str, timeout: int) -> int:
    cache.add(key, 0, timeout=timeout)
    try:
        return int(cache.incr(key))
    except ValueError:  # expired between the two calls
        cache.add(key, 1, timeout=timeout)
        return 1


def allowed(request: HttpRequest, scope: str) -> bool:
    """Counts one request; False once the address passed DUCHA_PORTAL_RATE_PER_MINUTE in this minute."""
    window = int(time.time()) // MINUTE
    return _count(f"rate:{scope}:{_who(request)}:{window}", MINUTE + 5) <= settings.DUCHA_PORTAL_RATE_PER_MINUTE


def limited(scope: str) -> Callable[[View], View]:
    """Decorator: a POST past the address's rate is answered 429 without running the view."""

    def decorate(view: View) -> View:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.method == "POST" and not allowed(request, scope):
                return too_many(request)
            return view(request, *args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorate


def too_many(request: HttpRequest) -> HttpResponse:
    response = render(request, "portal/too_many.html", status=429)
    response.headers["Retry-After"] = str(MINUTE)
    return response


def note_failure(request: HttpRequest) -> None:
    _count(f"fail:{_who(request)}", FAILURE_WINDOW)


def failures(request: HttpRequest) -> int:
    return int(cache.get(f"fail:{_who(request)}", 0))


def needs_captcha(request: HttpRequest) -> bool:
    return failures(request) >= settings.DUCHA_PORTAL_CAPTCHA_AFTER
