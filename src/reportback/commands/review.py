"""The preview's review page: one report as the public, members and the rep see it.

It shows confidential text, so it is made on request by the preview server only and never
written to any folder; the public and members columns are the build's own redacted versions.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from reportback.build import pipeline
from reportback.checking.rules import Checked
from reportback.config import Config
from reportback.errors import ReportbackError
from reportback.model import Ast, Audience, RenderedReport
from reportback.output.templates import Templates
from reportback.pandoc import json_ast
from reportback.pandoc.json_ast import Node
from reportback.pandoc.worker import Pandoc

if TYPE_CHECKING:
    from reportback.commands.preview import Previewer


@dataclass(frozen=True)
class Counts:
    """How many marks a report's source holds, by kind."""

    sections: int = 0
    blocks: int = 0
    spans: int = 0


@dataclass(frozen=True)
class Review:
    """What the review page shows of one report."""

    slug: str
    title: str
    state: str
    """When it is (or will be) published, in words."""
    counts: Counts
    clps: tuple[str, ...]
    """The CLPs the report reaches, by name (empty: all of them)."""
    regions: tuple[str, ...]
    warnings: tuple[str, ...]
    rep_html: str
    public_html: str | None
    members_html: str | None
    clp_choices: tuple[tuple[str, str], ...]


def survey(config: Config, now: datetime, slug: str) -> tuple[pipeline.Prepared, Checked]:
    """Return the report `slug` checked, and both reader audiences' versions of it rendered
    (with the plain text of their digests)."""
    options = pipeline.BuildOptions(now=now, drafts=True, embargoed=True)
    surveyed = pipeline.survey(config, options)
    found = next((c for c in surveyed.checked if c.source.slug == slug), None)
    if found is None:
        raise LookupError(slug)
    audiences = (Audience.PUBLIC, Audience.MEMBERS)
    ready = pipeline.prepare(config, options, audiences, surveyed, frozenset({slug}), text=True)
    return ready, found


def rendered(ready: pipeline.Prepared, audience: Audience) -> RenderedReport | None:
    return next(iter(ready.rendered.get(audience, ())), None)


def review(config: Config, now: datetime, slug: str) -> Review:
    ready, checked = survey(config, now, slug)
    meta = checked.source.meta
    public, members = rendered(ready, Audience.PUBLIC), rendered(ready, Audience.MEMBERS)
    directory = ready.directory
    reached = [c for c in directory.clps if _reaches(meta.clps, meta.regions, c.slug, c.region)]
    return Review(
        slug=slug,
        title=meta.title,
        state=_state(checked, now, public),
        counts=count(checked.ast),
        clps=tuple(directory.by_slug[s].name for s in meta.clps if s in directory.by_slug),
        regions=meta.regions,
        warnings=tuple(str(w) for w in checked.warnings),
        rep_html=rep_view(checked.ast),
        public_html=public.html if public else None,
        members_html=members.html if members else None,
        clp_choices=tuple((c.slug, c.name) for c in reached),
    )


def _reaches(clps: tuple[str, ...], regions: tuple[str, ...], slug: str, region: str) -> bool:
    return (not clps and not regions) or slug in clps or region in regions


def _state(checked: Checked, now: datetime, public: RenderedReport | None) -> str:
    meta = checked.source.meta
    if meta.confidential:
        return "never: the whole report is confidential"
    if meta.status == "draft":
        return "not while it is a draft (status: draft)"
    if meta.publish_at is not None and meta.publish_at > now:
        return f"embargoed until {meta.publish_at.isoformat()}"
    published = public.publication.published_at if public else None
    if published is not None:
        return f"published {published.isoformat()}"
    return "by the next `reportback build`"


def count(ast: Ast) -> Counts:
    """Count the withholding marks written in a report, by kind."""
    return Counts(*json_ast.count_marks(ast["blocks"]))


def rep_view(ast: Ast) -> str:
    """Return the whole report as HTML, each withheld part wrapped and labelled with its mark
    and reason (the rep's view: it holds confidential text)."""
    doc = {**ast, "blocks": _held(json_ast.copy(ast["blocks"]))}
    with Pandoc() as pandoc:
        return pandoc.write(doc, ("html5",))["html5"]


def _held(items: list[Node]) -> list[Node]:
    out: list[Node] = []
    i = 0
    while i < len(items):
        node = items[i]
        level = json_ast.mark(node)
        if node["t"] == "Header" and level is not None:
            depth, end = node["c"][0], i + 1
            while end < len(items) and not (
                items[end]["t"] == "Header" and items[end]["c"][0] <= depth
            ):
                end += 1
            section = [_inside(node), *_held(items[i + 1 : end])]
            out.append(_wrap_block(node, level, "section", section))
            i = end
            continue
        out.append(_one(node))
        i += 1
    return out


def _one(node: Node) -> Node:
    node = _inside(node)
    level = json_ast.mark(node) if node["t"] != "Header" else None
    if level is None:
        return node
    if node["t"] in json_ast.BLOCKS:
        return _wrap_block(node, level, "block", [node])
    label = {"t": "Span", "c": [["", ["held-label"], []], [_str(_label(node, level, "span"))]]}
    return {"t": "Span", "c": [["", ["held", level.label], []], [label, _str(" "), node]]}


def _inside(node: Node) -> Node:
    content = node.get("c")
    if isinstance(content, list):
        node["c"] = [_value(v) for v in content]
    return node


def _value(value: Any) -> Any:
    if json_ast.is_node_list(value):
        return _held(value)
    if isinstance(value, list):
        return [_value(v) for v in value]
    if json_ast.is_node(value):
        return _one(value)
    return value


def _wrap_block(node: Node, level: Audience, kind: str, blocks: list[Node]) -> Node:
    label = {"t": "Para", "c": [{"t": "Strong", "c": [_str(_label(node, level, kind))]}]}
    return {"t": "Div", "c": [["", ["held", level.label], []], [label, *blocks]]}


def _label(node: Node, level: Audience, kind: str) -> str:
    reason = json_ast.attr_value(node, "reason")
    text = f"Withheld {kind} ({level.label})"
    return f"{text}: {reason}" if reason else text


def _str(text: str) -> Node:
    return {"t": "Str", "c": text}


def page(request: Request, previewer: Previewer, templates: Templates) -> Response:
    """Answer `/_review/<slug>/`: the review page, or the check's problems."""
    from reportback.commands.preview import RELOAD

    slug = request.path_params["slug"]
    env = templates.jinja()
    try:
        shown = review(previewer.config, previewer.clock(), slug)
    except LookupError:
        html = env.get_template("preview-missing.html").render(
            reload=RELOAD, path=request.url.path, outcome=previewer.outcome
        )
        return HTMLResponse(html, 404, headers={"cache-control": "no-store"})
    except ReportbackError as exc:
        html = env.get_template("preview-problems.html").render(
            reload=RELOAD, path=request.url.path, outcome=_Problems(tuple(exc.lines()))
        )
        return HTMLResponse(html, headers={"cache-control": "no-store"})
    chosen = request.query_params.get("clp", "")
    clps = dict(shown.clp_choices)
    clp = chosen if chosen in clps else next(iter(clps), "")
    html = env.get_template("preview-review.html").render(
        reload=RELOAD, review=shown, clp=clp, site=previewer.config.site
    )
    return HTMLResponse(html, headers={"cache-control": "no-store"})


@dataclass(frozen=True)
class _Problems:
    problems: tuple[str, ...]


def file(request: Request, previewer: Previewer) -> Response:
    """Answer the review page's links: the members' PDF and a CLP's digest, per audience."""
    from reportback.commands.review_mail import digest_html

    slug, name = request.path_params["slug"], request.path_params["name"]
    headers = {"cache-control": "no-store"}
    config, now = previewer.config, previewer.clock()
    try:
        if name == "members.pdf":
            ready, _ = survey(config, now, slug)
            members = rendered(ready, Audience.MEMBERS)
            if members is None:
                return Response("this report is confidential: it has no PDF", 404)
            return Response(members.pdf, media_type="application/pdf", headers=headers)
        if name in ("digest-public.html", "digest-members.html"):
            audience = Audience.MEMBERS if "members" in name else Audience.PUBLIC
            clp = request.query_params.get("clp", "")
            html = digest_html(config, now, slug, clp, audience)
            return HTMLResponse(html, headers=headers)
    except LookupError:
        return Response("no such report", 404)
    except ReportbackError as exc:
        return Response("\n".join(exc.lines()), 409, media_type="text/plain")
    return Response("not found", 404)
