"""`reportback preview`: the rep's site, drafts and embargoed reports included, rebuilt on save.

The preview is built into the state folder (never the published folders) and records no
publication. The open page reloads itself (server-sent events, read by a small script the
server adds to each page); a report that fails its check shows its problems in place of the
page. The review pages (`/_review/<slug>/`) are made on request, by `review`, and never written.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import (
    FileResponse,
    HTMLResponse,
    PlainTextResponse,
    Response,
    StreamingResponse,
)
from starlette.routing import Route
from starlette.types import ASGIApp

from reportback.build import build
from reportback.config import CONFIG_NAME, Config, load_config
from reportback.errors import ReportbackError
from reportback.model import BuildOptions
from reportback.output.templates import Templates
from reportback.record import MEETINGS
from reportback.web.guard import Guard, Message, Receive, Scope, Send

log = logging.getLogger("reportback.commands.preview")
Clock = Callable[[], datetime]
POLICY_HEADER = b"content-security-policy"
RELOAD = '<script src="/_preview/reload.js" defer></script>'


def folders(config: Config) -> Config:
    """Return the configuration with the site and feeds in the state folder's preview/."""
    root = config.path("state") / "preview"
    return config.with_paths(site=str(root / "site"), feeds=str(root / "feeds"))


@dataclass(frozen=True)
class Outcome:
    """The last build: its number (the page reloads when it changes) and its problems."""

    generation: int
    problems: tuple[str, ...]


class Previewer:
    """Build the preview when asked, and again whenever a watched file changes."""

    def __init__(self, config_file: Path | None, cwd: Path, clock: Clock) -> None:
        self.config_file = config_file
        self.cwd = cwd
        self.clock = clock
        self.config = folders(load_config(config_file, cwd))
        self.outcome = Outcome(0, ())
        self.changed = threading.Condition()
        self.stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def watched(self) -> list[Path]:
        """Return the files and folders whose change rebuilds the preview."""
        config_file = self.config_file or self.cwd / CONFIG_NAME
        return [
            self.config.path("reports"),
            self.config.path("templates"),
            config_file,
            config_file.parent / MEETINGS,
        ]

    def snapshot(self) -> dict[Path, tuple[int, int]]:
        found: dict[Path, tuple[int, int]] = {}
        for place in self.watched():
            paths = sorted(place.rglob("*")) if place.is_dir() else [place]
            for path in paths:
                try:
                    info = path.stat()
                except OSError:
                    continue
                found[path] = (info.st_mtime_ns, info.st_size)
        return found

    def rebuild(self) -> Outcome:
        """Build the preview; keep the problems if it was refused (the last good one stays)."""
        problems: tuple[str, ...] = ()
        try:
            self.config = folders(load_config(self.config_file, self.cwd))
            options = BuildOptions(now=self.clock(), drafts=True, embargoed=True)
            build(self.config, options)
        except ReportbackError as exc:
            problems = tuple(exc.lines())
        with self.changed:
            self.outcome = Outcome(self.outcome.generation + 1, problems)
            self.changed.notify_all()
        log.info("preview %s", "refused:\n  " + "\n  ".join(problems) if problems else "rebuilt")
        return self.outcome

    def start(self, interval: float = 0.25) -> None:
        seen = self.snapshot()  # before the first build: a save during it is not missed
        self.rebuild()
        self._thread = threading.Thread(target=self._watch, args=(interval, seen), daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self.stopping.set()
        with self.changed:
            self.changed.notify_all()
        if self._thread is not None:
            self._thread.join(timeout=60)

    def _watch(self, interval: float, seen: dict[Path, tuple[int, int]]) -> None:
        while not self.stopping.wait(interval):
            now = self.snapshot()
            if now != seen:
                seen = now
                self.rebuild()


def create_app(previewer: Previewer) -> _MailStyles:
    """Return the preview's ASGI app: its events, its script, the review pages and the site."""
    from reportback.commands import review

    templates = Templates.of(previewer.config)

    def asset(request: Request) -> Response:
        name = request.path_params["name"]
        kinds = {
            "reload.js": ("preview.js", "text/javascript"),
            "preview.css": ("preview.css", "text/css"),
        }
        if name not in kinds:
            return Response("not found", 404)
        template, kind = kinds[name]
        text = templates.text(template)
        return Response(text, media_type=kind, headers={"cache-control": "no-store"})

    async def events(request: Request) -> Response:
        return StreamingResponse(
            _events(previewer, request), media_type="text/event-stream",
            headers={"cache-control": "no-store"},
        )  # fmt: skip

    def site(request: Request) -> Response:
        config, outcome = previewer.config, previewer.outcome
        path = request.url.path
        if path.startswith("/feeds/"):
            root, name = config.path("feeds"), path.removeprefix("/feeds/")
        else:
            root, name = config.path("site"), path.lstrip("/")
        found = _file(root, name)
        if found is None:
            return _page(templates, "preview-missing.html", 404, path=path, outcome=outcome)
        if found.suffix != ".html":
            return FileResponse(found, headers={"cache-control": "no-store"})
        if outcome.problems and "last" not in request.query_params:
            return _page(templates, "preview-problems.html", 200, outcome=outcome, path=path)
        html = found.read_text(encoding="utf-8")
        return _html(html.replace("</body>", RELOAD + "\n</body>", 1))

    def review_page(request: Request) -> Response:
        return review.page(request, previewer, templates)

    def review_file(request: Request) -> Response:
        return review.file(request, previewer)

    routes = [
        Route("/_preview/events", events),
        Route("/_preview/{name}", asset),
        Route("/_review/{slug}/", review_page),
        Route("/_review/{slug}/{name}", review_file),
        Route("/{path:path}", site),
    ]
    return _MailStyles(Guard(Starlette(routes=routes)))


LOOPBACK = ("127.0.0.1", "localhost", "::1")


class LoopbackNames:
    """Answer only requests that name this computer (`Host: 127.0.0.1:8001`, `localhost`,
    `[::1]`): a page elsewhere whose name is pointed at 127.0.0.1 (DNS rebinding) would be of
    the preview's own origin, and could read every review page (held-out round 22)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and _host_name(scope) not in LOOPBACK:
            refusal = PlainTextResponse(
                "The preview answers only at http://127.0.0.1 or http://localhost.\n", 421
            )
            await refusal(scope, receive, send)
            return
        await self.app(scope, receive, send)


def _host_name(scope: Scope) -> str:
    """The name the request was sent to, without its port (and an IPv6 one unbracketed)."""
    raw: bytes = dict(scope.get("headers", ())).get(b"host", b"")
    host = raw.decode("latin-1").lower()
    if host.startswith("["):
        return host[1 : host.find("]")] if "]" in host else host
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


class _MailStyles:
    """Let a digest shown by the review page keep its inline styles (an email has no
    stylesheet); every other answer keeps the site's strict policy."""

    POLICY = b"default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:"

    def __init__(self, app: Guard) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if not (path.startswith("/_review/") and "/digest-" in path):
            await self.app(scope, receive, send)
            return

        async def styled(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message["headers"] if k != POLICY_HEADER]
                message["headers"] = [*headers, (POLICY_HEADER, self.POLICY)]
            await send(message)

        await self.app(scope, receive, styled)


def _file(root: Path, name: str) -> Path | None:
    """Return the file `name` under `root` (a folder's index.html), never one outside it."""
    base = root.resolve()
    try:
        path = (base / name).resolve()
    except ValueError:  # a NUL in the address (`/%00`): a 500 (adversary helper 116)
        return None
    if not path.is_relative_to(base):
        return None
    if path.is_dir():
        path = path / "index.html"
    return path if path.is_file() else None


def _html(html: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(html, status_code=status, headers={"cache-control": "no-store"})


def _page(templates: Templates, name: str, status: int, **context: object) -> HTMLResponse:
    html = templates.jinja().get_template(name).render(reload=RELOAD, **context)
    return _html(html, status)


async def _events(previewer: Previewer, request: Request) -> AsyncIterator[str]:
    """Send the build's number now and whenever it changes (the page reloads on a new one)."""
    sent = previewer.outcome.generation
    yield f"retry: 500\ndata: {sent}\n\n"
    waited = 0.0
    while not previewer.stopping.is_set() and not await request.is_disconnected():
        await asyncio.sleep(0.2)
        waited += 0.2
        generation = previewer.outcome.generation
        if generation != sent:
            sent = generation
            yield f"data: {generation}\n\n"
        elif waited >= 15:
            waited = 0.0
            yield ": still here\n\n"


def listening(host: str) -> str:
    """Say who can open the preview: loopback, or a warning that others can."""
    if host in ("127.0.0.1", "localhost", "::1"):
        return "listening on this computer only (loopback): nobody else can open it"
    return (
        f"WARNING: listening on {host}: anyone who can reach this computer can open the "
        "review pages, and they show confidential and members-only text"
    )


def serve(config_file: Path | None, host: str, port: int, clock: Clock) -> int:
    import uvicorn

    logging.basicConfig(level=logging.INFO, format="%(message)s")
    previewer = Previewer(config_file, Path.cwd(), clock)
    print(f"building the preview in {previewer.config.path('site').parent} …", flush=True)
    previewer.start()
    where = f"http://{'127.0.0.1' if host in ('', '0.0.0.0') else host}:{port}/"
    print(f"preview at {where} (review a report at {where}_review/SLUG/); Ctrl-C stops it")
    print(listening(host))
    try:
        app = create_app(previewer)
        uvicorn.run(
            LoopbackNames(app) if host in LOOPBACK else app, host=host, port=port,
            log_level="warning",
            timeout_graceful_shutdown=1,
        )  # fmt: skip
    finally:
        previewer.stop()
    return 0
