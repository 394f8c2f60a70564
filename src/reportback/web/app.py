"""`reportback serve`: the site, the feeds, and the subscription endpoints (Starlette)."""

from __future__ import annotations

import logging
import mimetypes
import os
import sqlite3
import sys
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractContextManager, asynccontextmanager
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import jinja2
from email_validator import EmailNotValidError
from starlette.applications import Starlette
from starlette.background import BackgroundTask
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import (
    FileResponse,
    HTMLResponse,
    JSONResponse,
    PlainTextResponse,
    Response,
)
from starlette.routing import Mount, Route
from starlette.staticfiles import NotModifiedResponse, StaticFiles

from reportback import database
from reportback.clps import directory_for
from reportback.config import Config
from reportback.errors import shown_path
from reportback.mail import subscribers
from reportback.mail.addresses import address_hash, normalise
from reportback.mail.notices import CONFIRM_DAYS, Sender
from reportback.mail.subscribers import Person
from reportback.mail.tokens import (
    CONFIRM,
    NOBODY,
    PREFERENCES,
    UNSUBSCRIBE,
    BadToken,
    Tokens,
    load_secret,
)
from reportback.model import CADENCES
from reportback.output.consent import WORDING
from reportback.output.templates import Templates
from reportback.web import self_service
from reportback.web.guard import (
    CSRF_COOKIE,
    Guard,
    NoTokens,
    RateLimit,
    client_key,
    from_the_site,
    new_csrf,
)

mimetypes.add_type("application/rss+xml", ".xml")
mimetypes.add_type("application/atom+xml", ".atom")
mimetypes.add_type("text/x-opml", ".opml")
CONFIRM_MAX_AGE = CONFIRM_DAYS * 24 * 3600
Clock = Callable[[], datetime]
NOT_EMAIL = "That does not look like an email address."
NO_CLP = "Please choose your CLP."
NO_CADENCE = "Please choose how often to hear from us."
NO_SITE = "no site built yet; run `reportback build`"
ALREADY = "Already confirmed"

OVERALL = (300, 3600)
"""At most this many subscriptions asked for an hour, from everyone: each sends a mail, and
addresses enough to have a limit each can queue thousands (adversary helper 107)."""


class Service:
    """The subscription endpoints; each request opens its own SQLite connection."""

    def __init__(
        self,
        config: Config,
        clock: Clock,
        per_ip: RateLimit,
        per_address: RateLimit,
        overall: RateLimit,
    ) -> None:
        self.config = config
        self.clock = clock
        self.tokens = Tokens(load_secret(config.path("state")))
        self.directory = directory_for(config)
        self.env: jinja2.Environment = Templates.of(config).jinja()
        self.per_ip = per_ip
        self.per_address = per_address
        self.overall = overall
        self.secure = config.site.base_url.startswith("https://")
        self.sender = Sender(config, self.tokens, clock)

    def db(self) -> AbstractContextManager[sqlite3.Connection]:
        return database.opened(self.config.path("state"))

    def page(
        self, template: str, status: int = 200, csrf: str | None = None, **context: Any
    ) -> HTMLResponse:
        html = self.env.get_template(template).render(
            site=self.config.site, root="/", clps=self.directory.clps, cadences=CADENCES,
            csrf=csrf or "", wording=WORDING, **context,
        )  # fmt: skip
        response = HTMLResponse(html, status_code=status)
        if csrf:
            response.set_cookie(
                CSRF_COOKIE, csrf, httponly=True, samesite="strict", secure=self.secure, path="/"
            )
        response.headers["cache-control"] = "no-store"
        return response

    def message(self, title: str, text: str, status: int = 200) -> HTMLResponse:
        return self.page("message.html", status, title=title, text=text)

    # -- subscribe ---------------------------------------------------------------------------

    def subscribe_form(self, request: Request) -> Response:
        clp = request.query_params.get("clp", "")
        return self.page("subscribe.html", csrf=new_csrf(), chosen=clp, error="")

    async def subscribe(self, request: Request) -> Response:
        form = await request.form()
        if not from_the_site(request, self.config.site.base_url, str(form.get("csrf", ""))):
            return self.message("Form expired", "Please reload the page and try again.", 403)
        ip = request.client.host if request.client else "unknown"
        if not (self.per_ip.allow(client_key(ip)) and self.overall.allow("")):
            return self.message(
                "Too many requests", "Please wait a few minutes and try again.", 429
            )
        clp, cadence = str(form.get("clp", "")), str(form.get("cadence", "weekly"))
        typed = str(form.get("email", ""))[:320]  # shown again with the problem: kept
        again = {"csrf": new_csrf(), "chosen": clp, "typed": typed, "picked": cadence}
        try:  # not bytes of no text (read as U+FFFD), nor two addresses (helper 130)
            if "\ufffd" in typed or len(form.getlist("email")) > 1:
                raise EmailNotValidError(typed)
            email = normalise(typed)
        except EmailNotValidError:
            return self.page("subscribe.html", 400, error=NOT_EMAIL, **again)
        if clp not in self.directory.by_slug:
            return self.page("subscribe.html", 400, error=NO_CLP, **again)
        if cadence not in CADENCES:
            return self.page("subscribe.html", 400, error=NO_CADENCE, **again)
        answer = self.message(
            "Check your inbox",
            "If that address can be subscribed, we have sent it a link to confirm. Nothing "
            "else will be sent until the link is opened.",
        )
        if self.per_address.allow(email):  # queued once the answer has gone: the same in
            answer.background = BackgroundTask(self._request, email, clp, cadence)  # time
        return answer  # for an address new, known or erased (adversary helper 89)

    def _request(self, email: str, clp: str, cadence: str) -> None:
        with self.db() as db:
            queued = self_service.request(db, email, clp, cadence, self.clock())
        if queued:
            self.sender.wake.set()

    # -- token pages -------------------------------------------------------------------------

    def _person(self, request: Request, purpose: str, max_age: int | None) -> Person | None:
        token = request.query_params.get("token", "")
        try:
            subscriber, hashed = self.tokens.read(token, purpose, max_age)
        except BadToken:
            return None
        with self.db() as db:
            return subscribers.find(db, subscriber, hashed)

    def bad_link(self, request: Request | None = None, purpose: str = "") -> HTMLResponse:
        if request is not None and self._sample(request, purpose):
            return self.message(
                "A link from a sample digest",
                "This link came in a sample digest (`reportback digest test` or `digest "
                "preview`), made for nobody. In a member's digest it works for them. Nothing "
                "was changed.",
            )
        return self.message(
            "This link does not work",
            "It may have expired, been mistyped, or belong to an address that has since been "
            "erased. Nothing was changed.",
            400,
        )

    def _sample(self, request: Request, purpose: str) -> bool:
        """Whether a link's token is a sample digest's, signed for nobody (adversary helper
        107: the rep trying one-click unsubscribe on a test digest was told the link was
        broken)."""
        try:
            subscriber, _ = self.tokens.read(request.query_params.get("token", ""), purpose)
        except BadToken:
            return False
        return subscriber == NOBODY

    def confirm_page(self, request: Request) -> Response:
        """Show the link's button; a GET confirms nothing: mail scanners follow every link in
        a message (GET and HEAD), and subscribed whoever was asked for (adversary helper 107)."""
        person = self._person(request, CONFIRM, CONFIRM_MAX_AGE)
        if person is None:
            return self.bad_link()
        if person.status != "pending":
            return self.message(ALREADY, "This link has been used already; nothing changed.")
        clp = self.directory.by_slug[person.clp].name
        return self.page("confirm.html", clp=clp, token=request.query_params["token"])

    def confirm(self, request: Request) -> Response:
        person = self._person(request, CONFIRM, CONFIRM_MAX_AGE)
        if person is None:
            return self.bad_link()
        with self.db() as db:
            done = subscribers.confirm(db, person, "web form", self.clock())
        if not done:
            return self.message(ALREADY, "This link has been used already; nothing changed.")
        clp = self.directory.by_slug[person.clp].name
        return self.message("You are subscribed", f"You will get the reports for {clp} by email.")

    def unsubscribe_page(self, request: Request) -> Response:
        person = self._person(request, UNSUBSCRIBE, None)
        if person is None:
            return self.bad_link(request, UNSUBSCRIBE)
        return self.page("unsubscribe.html", csrf=new_csrf(), token=request.query_params["token"])

    async def unsubscribe(self, request: Request) -> Response:
        form = await request.form()
        if form.get("List-Unsubscribe") != "One-Click":
            return self.message("Unsubscribe", "Use the button on the unsubscribe page.", 400)
        person = self._person(request, UNSUBSCRIBE, None)
        if person is None:
            return self.bad_link(request, UNSUBSCRIBE)
        with self.db() as db:
            subscribers.unsubscribe(db, person)
        return self.message("You are unsubscribed", "You will not get any more reports by email.")

    async def preferences(self, request: Request) -> Response:
        person = self._person(request, PREFERENCES, None)
        if person is None:
            return self.bad_link(request, PREFERENCES)
        token = request.query_params["token"]
        if request.method == "GET":
            return self.page(
                "preferences.html", csrf=new_csrf(), person=person, token=token, saved=False,
                unsubscribe_token=self.tokens.make(person.id, person.email, UNSUBSCRIBE),
            )  # fmt: skip
        form = await request.form()
        if not from_the_site(request, self.config.site.base_url, str(form.get("csrf", ""))):
            return self.message("Form expired", "Please reload the page and try again.", 403)
        clp, cadence = str(form.get("clp", "")), str(form.get("cadence", ""))
        if person.audience == "members":  # the membership list's CLP: members' material goes
            clp = person.clp  # by it (one chosen here read another CLP's: adversary helper 172)
        if clp not in self.directory.by_slug or cadence not in CADENCES:
            return self.message("Nothing changed", "Please choose a CLP and a cadence.", 400)
        with self.db() as db:
            subscribers.change(db, person, clp, cadence, self.clock())
            changed = subscribers.find(db, person.id, address_hash(person.email)[:16])
        return self.page(
            "preferences.html", csrf=new_csrf(), person=changed, token=token, saved=True,
            unsubscribe_token=self.tokens.make(person.id, person.email, UNSUBSCRIBE),
        )  # fmt: skip

    def health(self, request: Request) -> Response:
        with self.db() as db:
            db.execute("SELECT 1").fetchone()
        if not (self.config.path("site") / "index.html").is_file():
            return JSONResponse({"status": "no site", "message": NO_SITE}, status_code=503)
        return JSONResponse({"status": "ok"})


def create_app(
    config: Config,
    clock: Clock | None = None,
    per_ip: RateLimit | None = None,
    per_address: RateLimit | None = None,
    send_confirmations: bool = True,
    overall: RateLimit | None = None,
) -> Guard:
    """Return the ASGI app: subscription endpoints, then feeds/ at /feeds and site/ at /.

    While it runs, a thread sends the queued confirmations (unless `send_confirmations` is
    False: tests send them with `notices.send_queued`).
    """
    service = Service(
        config,
        clock or (lambda: datetime.now(UTC).replace(microsecond=0)),
        per_ip or RateLimit(10, 600),
        per_address or RateLimit(3, 3600),
        overall or RateLimit(*OVERALL),
    )
    routes = [
        Route("/healthz", service.health),
        Route("/subscribe", service.subscribe_form, methods=["GET"]),
        Route("/subscribe", service.subscribe, methods=["POST"]),
        Route("/confirm", service.confirm_page, methods=["GET"]),
        Route("/confirm", service.confirm, methods=["POST"]),
        Route("/unsubscribe", service.unsubscribe_page, methods=["GET"]),
        Route("/unsubscribe", service.unsubscribe, methods=["POST"]),
        Route("/preferences", service.preferences, methods=["GET", "POST"]),
        Mount("/feeds", SteadyFiles(directory=config.path("feeds"), check_dir=False)),
        Mount("/", _SiteOrNotice(config)),
    ]

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if send_confirmations:
            service.sender.start()
        try:
            yield
        finally:
            if send_confirmations:
                service.sender.stop()

    gone = {ClientDisconnect: _client_gone}  # not a failure: no traceback in the log
    return Guard(Starlette(routes=routes, lifespan=lifespan, exception_handlers=gone))


async def _client_gone(request: Request, exc: Exception) -> Response:
    """Answer a request whose client left before its body arrived (to no one: it is gone)."""
    return Response(status_code=400)


class SteadyFiles(StaticFiles):
    """Static files answered whole from one open file: its headers (length, ETag, dates) and
    its bytes from the same version, whatever a build swaps in meanwhile (held-out round 22:
    the headers came from one version and the bytes from the other, so pages and PDFs broke
    off at every publish)."""

    def file_response(
        self, full_path: Any, stat_result: os.stat_result, scope: Any, status_code: int = 200
    ) -> Response:
        try:
            with open(full_path, "rb") as file:  # noqa: PTH123 (a str or a PathLike)
                data, stat_result = file.read(), os.fstat(file.fileno())
        except OSError:  # gone in the instant of a swap: as if never there
            raise HTTPException(status_code=404) from None
        made = FileResponse(full_path, status_code=status_code, stat_result=stat_result)
        headers = {k: v for k, v in made.headers.items() if k != "accept-ranges"}
        if self.is_not_modified(made.headers, Headers(scope=scope)):
            return NotModifiedResponse(made.headers)
        body = b"" if scope.get("method") == "HEAD" else data  # its length is still said
        return Response(body, status_code, headers, made.media_type)

    async def get_response(self, path: str, scope: Any) -> Response:
        """Answer as StaticFiles does, but redirect a folder (`/reports/a` to `/reports/a/`)
        by its path alone: StaticFiles wrote the request's Host header into the Location, so
        a forged Host sent a visitor (or a cache) to another site."""
        response = await super().get_response(path, scope)
        if response.status_code in (301, 302, 307, 308) and "location" in response.headers:
            where = urlsplit(response.headers["location"])
            path = "/" + where.path.lstrip("/")  # `//clp/` would be a host's name
            response.headers["location"] = urlunsplit(("", "", path, where.query, ""))
        return response


class _SiteOrNotice:
    """Serve the built site (its 404.html for what is not there), or say none is built yet."""

    def __init__(self, config: Config) -> None:
        self.folder = config.path("site")
        self.files = SteadyFiles(directory=self.folder, html=True, check_dir=False)

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if (self.folder / "index.html").is_file():
            await self.files(scope, receive, send)
            return
        await PlainTextResponse(NO_SITE, status_code=503)(scope, receive, send)


def startup_notes(config: Config) -> list[str]:
    """Say what a rep trying `serve` out should know: no site yet, mails not sent."""
    notes = []
    if not (config.path("site") / "index.html").is_file():
        notes.append(f"{NO_SITE} (every page answers 503 until then)")
    if not config.email.smtp_host:
        folder = shown_path(config.path("state") / "confirmations")
        notes.append(
            f"no SMTP server set ([email] smtp_host): confirmation mails are written to "
            f"{folder}/ instead of sent"
        )
    return notes


def serve(config: Config, host: str, port: int) -> int:
    import uvicorn

    for note in startup_notes(config):
        print(f"note: {note}", file=sys.stderr, flush=True)
    logging.getLogger("uvicorn.access").addFilter(NoTokens())

    uvicorn.run(
        create_app(config), host=host, port=port, proxy_headers=True,
        forwarded_allow_ips="127.0.0.1", server_header=False, log_level="info",
    )  # fmt: skip
    return 0
