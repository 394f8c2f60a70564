"""The digest a CLP's readers would get of one report, for the preview's review page.

Composed as a send composes it and audited as a send audits it; nothing is recorded.
"""

from __future__ import annotations

from datetime import datetime

from reportback.build.pipeline import check_for_leaks
from reportback.commands.review import survey
from reportback.config import Config
from reportback.errors import UsageError
from reportback.mail.compose import (
    NAME_HTML_MARK,
    PREFERENCES_MARK,
    UNSUBSCRIBE_MARK,
    Composer,
    Group,
)
from reportback.model import Audience, Published


def digest_html(config: Config, now: datetime, slug: str, clp: str, audience: Audience) -> str:
    """Return the HTML part of the immediate digest `clp`'s readers of `audience` would get."""
    ready, checked = survey(config, now, slug)
    if clp not in ready.directory.by_slug:
        raise UsageError(f"unknown CLP {clp!r}")
    versions = {a: reports[0] for a, reports in ready.rendered.items() if reports}
    if len(versions) < 2:
        raise UsageError("this report is confidential: no digest carries it")
    meta = checked.source.meta
    published = versions[Audience.PUBLIC].publication.published_at or now
    one = Published("preview", slug, published, meta.clps, meta.regions, versions)
    env = ready.templates.jinja()
    composer = Composer(config, ready.directory, env, ready.templates.text("email.css"), {
        "preview": one
    })  # fmt: skip
    composed = composer.compose(Group(clp, audience, "immediate", ("preview",)))
    from reportback.audit.leaks import Output

    check_for_leaks(
        [Output(f"email/{clp}-{audience.label}.html", composed.html.encode(), audience)],
        ready, config.path("state"), "digest",
    )  # fmt: skip
    html = composed.html.replace(NAME_HTML_MARK, "Sample Reader")
    return html.replace(UNSUBSCRIBE_MARK, "#").replace(PREFERENCES_MARK, "#")
