"""What a new user hit, following the README alone: each fixed, each with a test."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

import pytest

from reportback.cli import _parser

from .conftest import NOW, Result, report
from .test_docs import subcommands

Cli = Callable[..., Result]
Project = Callable[[dict[str, str | bytes]], Path]


def test_init_example_is_a_draft_the_next_build_does_not_publish(
    cli: Cli, project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = project({})
    assert cli("init", "p").code == 0
    monkeypatch.chdir(root / "p")
    result = cli("build", "--now", NOW)
    assert result.code == 0, result.err
    assert "published: 0 reports" in result.err and "1 draft," in result.err
    assert not list((root / "p/site/reports").glob("*-example"))
    assert "Example report" not in (root / "p/feeds/all.xml").read_text()
    assert "Example report" not in (root / "p/feeds/clp/witney.atom").read_text()


def test_new_uses_the_site_time_zone_offset_of_that_date(cli: Cli, project: Project) -> None:
    root = project({})
    winter = cli("new", "Winter meeting", "--date", "2026-01-15")
    summer = cli("new", "Summer meeting", "--date", "2026-07-15")
    assert winter.code == summer.code == 0
    assert (
        "# publish_at: 2026-01-15T09:00:00+00:00"
        in (root / "reports/2026-01-15-winter-meeting.md").read_text()
    )
    assert (
        "# publish_at: 2026-07-15T09:00:00+01:00"
        in (root / "reports/2026-07-15-summer-meeting.md").read_text()
    )
    (root / "reportback.toml").write_text('[site]\ntimezone = "Asia/Kolkata"\n')
    assert cli("new", "Far away", "--date", "2026-01-15").code == 0
    far = (root / "reports/2026-01-15-far-away.md").read_text()
    assert "# publish_at: 2026-01-15T09:00:00+05:30" in far


def test_every_command_and_option_has_a_help_line_for_a_rep() -> None:
    commands = subcommands()
    top = next(a for a in _parser()._actions if isinstance(a, argparse._SubParsersAction))
    helps = {c.dest: c.help for c in top._choices_actions}
    for name in ("init", "new", "check", "build", "digest", "status", "preview", "serve"):
        assert helps.get(name), name
    for name, parser in commands.items():
        assert parser.description, f"{name} has no description"
        assert "return" not in parser.description.lower(), f"{name}: a docstring as help"
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction) or action.dest == "help":
                continue
            assert action.help, f"{name} {action.option_strings or action.dest} has no help"
    new = commands["new"].format_help()
    assert "National Executive Committee" in new and "default: today" in new
    assert "default 8001" in commands["preview"].format_help()
    assert "default 8000" in commands["serve"].format_help()


def test_refusals_say_what_did_not_happen(cli: Cli, project: Project) -> None:
    project({"reports/a.md": report(titel="typo")})
    checked = cli("check")
    assert checked.code == 1 and "nothing was published" not in checked.err
    assert "refused: 1 problem; fix them and check again" in checked.err
    assert cli("init").code == 0
    again = cli("init")
    assert again.code == 1 and "nothing was written" in again.err
    assert "nothing was published" not in again.err
    assert "nothing was published" in cli("build", "--now", NOW).err


def test_build_summary_says_what_was_withheld_in_words(cli: Cli, project: Project) -> None:
    body = (
        "Open.\n\n## Secret {.confidential}\n\nHidden.\n\n## Next\n\n"
        "::: members\nFor members.\n:::\n\nA [name]{.confidential} and [another]{.members}.\n"
    )
    project({
        "reports/a.md": report(body),
        "reports/b.md": report("All secret.\n", title="Hidden", confidential=True),
    })  # fmt: skip
    result = cli("build", "--now", NOW)
    assert result.code == 0, result.err
    assert "published: 1 report (1 section, 1 block and 2 spans withheld from it), " in result.err
    assert "1 confidential report withheld entirely" in result.err
    assert "confidential withheld" not in result.err
    assert "2 reports checked, no problems" in cli("check").err
    (Path("reports/b.md")).unlink()
    assert "1 report checked, no problems" in cli("check").err


def test_unknown_clp_gets_a_did_you_mean(cli: Cli, project: Project) -> None:
    body = '## Item {clps="hackney-north"}\n\nText.\n\n## Other {regions="Londn"}\n\nMore.\n'
    project({"reports/a.md": report(body, clps=["witny"])})
    result = cli("check")
    assert result.code == 1
    assert "reports/a.md:5: unknown CLP slug 'witny' in clps (did you mean 'witney'?)" in (
        result.err
    )
    assert (
        "unknown CLP slug 'hackney-north' in clps= "
        "(did you mean 'hackney-north-and-stoke-newington'?)" in result.err
    )
    assert "unknown region 'Londn' in regions= (did you mean 'London'?)" in result.err
    (Path("reports/a.md")).write_text(report())
    assert cli("build", "--now", NOW).code == 0
    preview = cli("digest", "preview", "--clp", "Witney", "--now", NOW)
    assert preview.code == 2 and "(did you mean 'witney'?)" in preview.err
