"""Protections for the web service: headers, request size, CSRF, rate limits."""

from __future__ import annotations

import hmac
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
        b"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        b"form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
    ),
    b"x-content-type-options": b"nosniff",
    b"referrer-policy": b"same-origin",  # no-referrer would make browsers send Origin: null
    b"x-frame-options": b"DENY",
    b"cross-origin-opener-policy": b"same-origin",
}
MAX_BODY = 16 * 1024
CSRF_COOKIE = "rb_csrf"


class Guard:
    """ASGI middleware: strict security headers on every response and a request size limit."""

    def __init__(self, app: App, max_body: int = MAX_BODY) -> None:
        self.app = app
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = dict(scope.get("headers", [])).get(b"content-length", b"0")
        if not length.isdigit() or int(length) > self.max_body:
            await PlainTextResponse("request too large", status_code=413)(scope, receive, send)
            return
        received = 0

        async def limited() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > self.max_body:
                raise ValueError("request body too large")
            return message

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [
                    (k, v) for k, v in message.get("headers", []) if k not in SECURITY_HEADERS
                ]
                message["headers"] = headers + list(SECURITY_HEADERS.items())
            await send(message)

        await self.app(scope, limited, with_headers)


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


def same_origin(request: Request, base_url: str) -> bool:
    """Return whether the request's Origin (or Referer) is this site (base URL or Host)."""
    origin = request.headers.get("origin") or request.headers.get("referer") or ""
    if not origin or origin == "null":
        return False
    parts = urlsplit(origin)
    allowed = {urlsplit(base_url).netloc, request.headers.get("host", "")}
    return parts.netloc in allowed


def new_csrf() -> str:
    return secrets.token_urlsafe(24)


def csrf_ok(request: Request, form_value: str | None) -> bool:
    """Double submit: the form's hidden value must equal the cookie set with the form."""
    cookie = request.cookies.get(CSRF_COOKIE, "")
    return bool(cookie) and bool(form_value) and hmac.compare_digest(cookie, str(form_value))
