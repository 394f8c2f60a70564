"""The build: the pipeline's stages, checking and redacting every report, staging and the swap.

`build` is where a build starts: it skips one that cannot change anything (`unchanged`)
before it loads any stage, so a no-op loads neither the checks nor pandoc's nor the output
makers' modules; otherwise it runs the pipeline (`pipeline.run`) and records what it built.
"""

from __future__ import annotations

import sys
from dataclasses import asdict, replace
from datetime import datetime

from reportback import database
from reportback.build import unchanged
from reportback.build.swap import SWAPS, finish_swaps
from reportback.cache import forget_other_programs
from reportback.config import Config
from reportback.errors import shown_path
from reportback.model import BuildOptions, BuildResult
from reportback.timing import stage


def build(config: Config, options: BuildOptions) -> BuildResult:
    """Build the site unless nothing changed; on any refusal, raise and leave the published
    outputs untouched. One build runs per state folder at a time: another waits for it."""
    with database.pid_lock(config.path("state") / BUILD_LOCK, _waiting):
        return _build(config, options)


BUILD_LOCK = "build.lock"


def _waiting(pid: str) -> None:
    print(f"another build (pid {pid}) is running; waiting for it to finish", file=sys.stderr,
          flush=True)  # fmt: skip


def _build(config: Config, options: BuildOptions) -> BuildResult:
    finish_swaps(config.path("state") / SWAPS)  # a build killed between its two swaps
    with stage("no-op check"):
        inputs = unchanged.inputs(config, (options.drafts, options.embargoed))  # before it starts
        last = unchanged.last_build(config, inputs, options.now)
        lost = _state_lost(config)  # said by every build until it is mended, no-op or not
    if last is not None:
        return _result_from(last, lost)
    from reportback.build import pipeline  # the stages: loaded only for a build that runs

    forget_other_programs(config.path("state") / "cache")
    result = pipeline.run(config, options)
    with stage("manifest"):
        kept = {k: v for k, v in asdict(result).items() if k != "next_embargo"}
        unchanged.record(config, inputs, options.now, result.next_embargo, kept)
    return replace(result, warnings=result.warnings + lost)


def _state_lost(config: Config) -> tuple[str, ...]:
    """Say so if the site shows reports the state records no publication of: the state was
    lost, or restored from an older backup, and this build would publish them again, for
    their members to be mailed again (held-out round D3, where nothing said so; an adversary
    helper's restored backup, where nothing did either). Record them as unsure: digests hold
    them back until the rep says whether they were mailed (a warning alone was ignored, and
    the next send mailed them again)."""
    shown = config.path("site") / "reports"
    on_site = {p.name for p in shown.iterdir() if p.is_dir()} if shown.is_dir() else set()
    if not on_site:
        return ()
    with database.opened(config.path("state")) as db:
        known = {slug for (slug,) in db.execute("SELECT slug FROM reports WHERE seq IS NOT NULL")}
        unknown = sorted(on_site - known)
        with database.atomic(db):
            db.executemany("INSERT OR IGNORE INTO unsure VALUES (?)", ((s,) for s in unknown))
        unsure = [slug for (slug,) in db.execute("SELECT slug FROM unsure ORDER BY slug")]
    if not unsure:
        return ()
    state = shown_path(config.path("state") / "state.sqlite")
    named = f"{', '.join(unsure[:3])}{', …' if len(unsure) > 3 else ''}"
    return (
        f"{state} had no record of {len(unsure)} reports the site shows ({named}): it was lost, "
        "or restored from an older backup, and nothing says whether they were mailed. Digests "
        "hold them back until you restore the newest backup, or say: `reportback digest send "
        "--restored mailed` (nobody gets them again) or `--restored unmailed` (they are mailed)",
    )


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
