"""Who is asking, from where: the request context every audit record and limiter reads.

The middleware stores the current request in a context variable, so `record()` called
deep inside an action (without a `request` argument) still captures the source address,
user agent and request id. Management commands set a CLI context instead.
"""

from __future__ import annotations

import getpass
import ipaddress
import re
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest, HttpResponse

_current_request: ContextVar[HttpRequest | None] = ContextVar("ducha_request", default=None)
_cli: ContextVar[str | None] = ContextVar("ducha_cli", default=None)

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


@dataclass(frozen=True)
class Origin:
    src_ip: str
    user_agent: str
    request_id: str


def current_request() -> HttpRequest | None:
    return _current_request.get()


@lru_cache(maxsize=4)
def _networks(spec: tuple[str, ...]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(item, strict=False) for item in spec)


def _is_trusted(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in net for net in _networks(tuple(settings.DUCHA_TRUSTED_PROXIES)))


def client_ip(request: HttpRequest) -> str:
    """The client's address; X-Forwarded-For counts only when it came from a trusted proxy.

    Walks X-Forwarded-For from the right, skipping trusted proxies, and takes the first
    untrusted hop: a client cannot forge its way past the proxy that appended its address.
    """
    remote = request.META.get("REMOTE_ADDR", "") or ""
    if not _is_trusted(remote):
        return remote
    hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
    for hop in reversed(hops):
        if not _is_trusted(hop):
            try:
                return str(ipaddress.ip_address(hop))
            except ValueError:
                return remote
    return remote


def origin(request: HttpRequest | None = None) -> Origin:
    request = request or current_request()
    if request is None:
        command = _cli.get()
        if command is not None:
            return Origin("", f"ducha {command} (os user {getpass.getuser()})"[:300], "")
        return Origin("", "", "")
    return Origin(
        client_ip(request),
        request.META.get("HTTP_USER_AGENT", "")[:300],
        getattr(request, "request_id", ""),
    )


@contextmanager
def cli_context(command: str) -> Iterator[None]:
    """Marks audit records written by a management command as such."""
    token = _cli.set(command)
    try:
        yield
    finally:
        _cli.reset(token)


# What a proxy tells about the client; from any other peer these are the client's own claims.
FORWARDED_HEADERS = ("HTTP_X_FORWARDED_FOR", "HTTP_X_FORWARDED_PROTO", "HTTP_X_FORWARDED_HOST",
                     "HTTP_X_FORWARDED_PORT", "HTTP_X_REAL_IP", "HTTP_FORWARDED")


class TrustedProxyMiddleware:
    """Drops the forwarding headers of any peer that is not a trusted proxy (DUCHA_TRUSTED_PROXY).

    First in the chain, so neither SECURE_PROXY_SSL_HEADER (the HTTPS redirect, Secure cookies)
    nor anything after it believes a scheme or an address a client made up. `ducha serve` lets
    waitress pass these headers through untouched, because waitress trusts one address where
    DUCHA_TRUSTED_PROXY lists addresses and networks; this is the one place that decides.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not _is_trusted(request.META.get("REMOTE_ADDR", "") or ""):
            for header in FORWARDED_HEADERS:
                request.META.pop(header, None)
        return self.get_response(request)


class RequestContextMiddleware:
    """Gives each request an id (echoed as X-Request-ID) and makes it the current request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.META.get("HTTP_X_REQUEST_ID", "")
        # A proxy's id is kept (it ties our record to the proxy's log); a client's is not trusted.
        if incoming and _REQUEST_ID.match(incoming) and _is_trusted(request.META.get("REMOTE_ADDR", "")):
            request.request_id = incoming  # type: ignore[attr-defined]
        else:
            request.request_id = uuid.uuid4().hex  # type: ignore[attr-defined]
        token = _current_request.set(request)
        try:
            response = self.get_response(request)
        finally:
            _current_request.reset(token)
        response.headers["X-Request-ID"] = request.request_id  # type: ignore[attr-defined]
        return response
