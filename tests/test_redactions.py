"""Every report redacted once: the cache's misses shared with a forked child, the same result."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pytest

from reportback.build import pipeline, redact_all
from reportback.cache import Cache
from reportback.config import load_config
from reportback.model import Audience

from .conftest import NOW, log_calls, report

Project = Callable[[dict[str, str | bytes]], Path]
BODY = (
    '## Public item {{clps="{clp}"}}\n\nzqpublic {n} words of the meeting\n\n'
    '## Legal advice {{.confidential reason="Legal"}}\n\nzqsecret {n} the advice given here\n\n'
    "## Membership item\n\nOpen text and [zqmembers {n} for members only]{{.members}}.\n"
)


def _redact_all(root: Path, cache: Path) -> dict[str, tuple[object, ...]]:
    """Redact the project's reports into `cache`; return what each redaction holds."""
    config = load_config(cwd=root)
    options = pipeline.BuildOptions(now=datetime.fromisoformat(NOW))
    ready = pipeline.survey(config, options)
    placeholders = ready.templates.placeholders(config.redaction.placeholders)
    done = redact_all.redact_all(ready.checked, placeholders, ready.directory.regions, Cache(cache))
    return {
        slug: (
            {a: (v.ast, v.items, v.summary) for a, v in redaction.versions.items()},
            withholding.key,
            withholding.load(),
        )
        for slug, (redaction, withholding) in done.items()
    }


def test_each_report_is_redacted_once_half_in_a_child_with_the_same_result(
    project: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    clps = ["barnsley-north", "barnsley-south", "bath", "cardiff-north", "aberdeen-north",
            "leeds-central-and-headingley"]  # fmt: skip
    root = project({
        f"reports/2016-09-{n:02d}-nec.md": report(BODY.format(n=n, clp=clps[n - 1]),
                                                   title=f"Meeting {n}",
                                                   meeting_date=f"2016-09-{n:02d}")
        for n in range(1, 7)
    })  # fmt: skip
    log = tmp_path / "redacted-by"
    log_calls(monkeypatch, redact_all, "redact", log)
    forked = _redact_all(root, tmp_path / "cache-forked")
    by = log.read_text().split()
    assert len(by) == 6, "each report redacted once"
    assert by.count(str(os.getpid())) == 3, "half here, half in the child"

    log.unlink()
    hold = threading.Event()
    other = threading.Thread(target=hold.wait)  # a second thread: forking is not safe
    other.start()
    try:
        alone = _redact_all(root, tmp_path / "cache-alone")
    finally:
        hold.set()
        other.join()
    assert log.read_text().split() == [str(os.getpid())] * 6, "all here, none forked"

    assert list(forked) == list(alone) and len(forked) == 6
    assert forked == alone
    public = str(forked["2016-09-04-nec"][0][Audience.PUBLIC])
    assert "zqpublic" in public and "zqsecret" not in public and "zqmembers" not in public


def test_a_failure_in_the_child_is_raised_here(
    project: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = project({
        f"reports/2016-09-{n:02d}-nec.md": report(BODY.format(n=n, clp="bath"),
                                                   meeting_date=f"2016-09-{n:02d}")
        for n in range(1, 5)
    })  # fmt: skip
    real = redact_all.redact

    def failing(source: object, *args: object) -> object:
        if "2016-09-04" in str(source):
            raise RuntimeError("redaction failed for the fourth report")
        return real(source, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(redact_all, "redact", failing)
    with pytest.raises(RuntimeError, match="fourth report"):
        _redact_all(root, tmp_path / "cache")
