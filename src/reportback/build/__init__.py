"""The build: the pipeline's stages, checking and redacting every report, staging and the swap.

`build` is where a build starts: it skips one that cannot change anything (`unchanged`)
before it loads any stage, so a no-op loads neither the checks nor pandoc's nor the output
makers' modules; otherwise it runs the pipeline (`pipeline.run`) and records what it built.
"""

from __future__ import annotations

import sys
from dataclasses import asdict
from datetime import datetime

from reportback import database
from reportback.build import unchanged
from reportback.build.swap import SWAPS, finish_swaps
from reportback.cache import forget_other_programs
from reportback.config import Config
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
    if last is not None:
        return _result_from(last)
    from reportback.build import pipeline  # the stages: loaded only for a build that runs

    forget_other_programs(config.path("state") / "cache")
    result = pipeline.run(config, options)
    with stage("manifest"):
        kept = {k: v for k, v in asdict(result).items() if k != "next_embargo"}
        unchanged.record(config, inputs, options.now, result.next_embargo, kept)
    return result


def _result_from(old: unchanged.Manifest) -> BuildResult:
    """Return the result of a build that found nothing to do, from the last build's manifest."""
    r = old.result
    return BuildResult(
        published=tuple(r["published"]),
        embargoed=tuple(r["embargoed"]),
        drafts=tuple(r["drafts"]),
        withheld=tuple(r["withheld"]),
        files=int(r["files"]),
        changed=False,
        next_embargo=datetime.fromisoformat(old.next_embargo) if old.next_embargo else None,
        warnings=tuple(r.get("warnings", ())),
        marks=(*r.get("marks", (0, 0, 0)),),
        sources=tuple((slug, sha) for slug, sha in r.get("sources", ())),
    )
