"""A fixed-window rate limiter shared by every process, for log-in, OTP and public endpoints.

    from ducha.security.ratelimit import rate_limit
    @rate_limit("portal-search", limit=30, period=60)      # per client address
    def search(request): ...

Counters live in the database (the one thing all `ducha serve` processes and machines
share); each hit is one UPDATE, plus one INSERT when a window opens.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from ducha.audit.context import client_ip
from ducha.security.models import RateCounter

View = TypeVar("View", bound=Callable[..., HttpResponse])


def hit(scope: str, key: str, *, limit: int, period: int) -> bool:
    """Counts one hit; True while the key has made at most `limit` hits in this `period`-second window."""
    now = int(timezone.now().timestamp())
    window = now - now % period  # the window's start, in seconds since the epoch
    key = key[:150]
    counters = RateCounter.objects.filter(scope=scope, key=key, window=window)
    if not counters.update(count=F("count") + 1):
        try:
            with transaction.atomic():
                RateCounter.objects.create(scope=scope, key=key, window=window, count=1)
            # A new window: forget this scope's windows older than a day.
            RateCounter.objects.filter(scope=scope, window__lt=now - max(86400, 2 * period)).delete()
            return limit >= 1
        except IntegrityError:
            counters.update(count=F("count") + 1)
    count = counters.values_list("count", flat=True).first() or 0
    return count <= limit


def forget(scope: str, key: str, *, period: int) -> None:
    """Forgets a key's hits in this window (after a success that proves the caller)."""
    now = int(timezone.now().timestamp())
    RateCounter.objects.filter(scope=scope, key=key[:150], window=now - now % period).delete()


def too_many(request: HttpRequest) -> HttpResponse:
    return render(request, "security/too_many.html", status=429)


def rate_limit(scope: str, *, limit: int, period: int,
               key: Callable[[HttpRequest], str] | None = None, methods: tuple[str, ...] = ("POST",)) -> Callable[[View], View]:
    """Decorator: past `limit` requests per `period` seconds and key (default: client address) → 429."""

    def decorate(view: View) -> View:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.method in methods:
                who = key(request) if key else client_ip(request) or "-"
                if not hit(scope, who, limit=limit, period=period):
                    return too_many(request)
            return view(request, *args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorate
