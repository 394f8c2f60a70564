"""Protections for the web service: headers, request size, CSRF, rate limits."""

from __future__ import annotations

import asyncio
import hmac
import ipaddress
import logging
import re
import secrets
import threading
import time
from collections import deque
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import PlainTextResponse

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]

SECURITY_HEADERS = {
    b"content-security-policy": (
        # wasm-unsafe-eval lets the search page compile Pagefind's WebAssembly; still no
        # inline script, no eval of JavaScript
        b"default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; "
        b"img-src 'self' data:; "
        b"form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
    ),
    b"x-content-type-options": b"nosniff",
    b"referrer-policy": b"same-origin",  # no-referrer would make browsers send Origin: null
    b"x-frame-options": b"DENY",
    b"cross-origin-opener-policy": b"same-origin",
}
MAX_BODY = 16 * 1024
BODY_SECONDS = 10.0
"""How long a request's body may take to arrive (adversary helper 107: bodies trickled a
byte at a time held fifty connections open for over a minute)."""
CSRF_COOKIE = "rb_csrf"


class Guard:
    """ASGI middleware: strict security headers on every response and a request size limit."""

    def __init__(
        self, app: App, max_body: int = MAX_BODY, body_seconds: float = BODY_SECONDS
    ) -> None:
        self.app = app
        self.max_body = max_body
        self.body_seconds = body_seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers", []))
        length = headers.get(b"content-length", b"0")
        too_large = PlainTextResponse("request too large", status_code=413)
        if not length.isdigit() or int(length) > self.max_body:
            await too_large(scope, receive, send)
            return
        limited = receive
        if scope.get("method") not in ("GET", "HEAD"):
            # read the body first: past the limit (chunked: its length unknown) it is refused,
            # and one sent too slowly too (fifty held a server's connections for minutes)
            try:
                body = await asyncio.wait_for(_read_body(receive, self.max_body),
                                              self.body_seconds)  # fmt: skip
            except TimeoutError:
                slow = PlainTextResponse("request body too slow", status_code=408)
                await slow(scope, receive, send)
                return
            if body is None:
                await too_large(scope, receive, send)
                return
            limited = _replay(body, receive)

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [
                    (k, v) for k, v in message.get("headers", []) if k not in SECURITY_HEADERS
                ]
                message["headers"] = headers + list(SECURITY_HEADERS.items())
            await send(message)

        await self.app(scope, limited, with_headers)


async def _read_body(receive: Receive, limit: int) -> bytes | None:
    """Return the whole request body, or None as soon as it is longer than `limit`."""
    chunks, size, more = [], 0, True
    while more:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
        more = bool(message.get("more_body", False))
    return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    """Return a receive that gives `body` once, then whatever comes next (a disconnect)."""
    given = False

    async def replayed() -> Message:
        nonlocal given
        if given:
            return await receive()
        given = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replayed


class RateLimit:
    """At most `limit` events per key in a sliding window of `seconds` (thread-safe)."""

    def __init__(self, limit: int, seconds: float) -> None:
        self.limit = limit
        self.seconds = seconds
        self.events: dict[str, deque[float]] = {}
        self.lock = threading.Lock()

    def allow(self, key: str) -> bool:
        now = time.monotonic()
        with self.lock:
            times = self.events.setdefault(key, deque())
            while times and times[0] <= now - self.seconds:
                times.popleft()
            if len(times) >= self.limit:
                return False
            times.append(now)
            return True


def client_key(host: str) -> str:
    """Return what a client is counted by for the rate limits: its IPv4 address, or its
    IPv6 address's /64 (one home connection has them all: counted by address, fourteen of
    them sent fourteen confirmations past a limit of ten; adversary helper 107)."""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network((address, 64), strict=False))
    return str(address)


def from_the_site(request: Request, base_url: str, form_value: str | None) -> bool:
    """Return whether a form was sent from this site's own pages.

    A browser names the page a form came from (Origin, else Referer): then that must be this
    site (`same_origin`), whatever else the request carries; a cookie set for the site from
    elsewhere (a sibling subdomain, a rewritten plain-http answer) and the same value in the
    form passed too, and so did `Origin: null` (adversary helper 107). Only where nothing is
    named (old browsers, stripped headers) does the form's token, matching its cookie, do.
    """
    named = request.headers.get("origin") or request.headers.get("referer")
    if named is not None:
        return same_origin(named, request, base_url)
    return csrf_ok(request, form_value)


def same_origin(named: str, request: Request, base_url: str) -> bool:
    """Return whether an Origin (or Referer) is this site, by scheme, host and port: its base
    URL, or the Host asked for if that is this computer (`127.0.0.1:8000`); not any Host,
    which a page on another site can send through DNS rebinding (adversary helper 89)."""
    if not named or named == "null":
        return False
    host = request.headers.get("host", "")
    local = urlsplit(f"//{host}").hostname in ("localhost", "127.0.0.1", "::1")
    site = urlsplit(base_url)
    allowed = {(site.scheme, site.netloc)} | ({("http", host)} if local else set())
    origin = urlsplit(named)
    return (origin.scheme, origin.netloc) in allowed


def new_csrf() -> str:
    return secrets.token_urlsafe(24)


def csrf_ok(request: Request, form_value: str | None) -> bool:
    """Double submit: the form's hidden value must equal the cookie set with the form."""
    cookie = request.cookies.get(CSRF_COOKIE, "")
    return bool(cookie) and bool(form_value) and hmac.compare_digest(cookie, str(form_value))


TOKEN = re.compile(r"(?<=[?&]token=)[^&\s]+")


class NoTokens(logging.Filter):
    """Write a request's link token as `…` in the access log: whoever reads the log could
    otherwise change, or unsubscribe, any member who opened a link (adversary helper 107)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(
                TOKEN.sub("…", arg) if isinstance(arg, str) else arg for arg in record.args
            )
        return True
