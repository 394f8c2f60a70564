"""What a new user hit, following the README alone: each fixed, each with a test."""

from __future__ import annotations

import argparse
import json
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from reportback.cli import _parser
from reportback.record import register

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


def test_init_scaffolds_a_meetings_register_whose_example_check_accepts(
    cli: Cli, project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = project({})
    assert cli("init", "p").code == 0
    monkeypatch.chdir(root / "p")
    path = root / "p/meetings.yaml"
    assert path.is_file()
    assert register.load(root / "p") == ()  # the example is commented out: no meeting yet
    checked = cli("check")
    assert (checked.code, checked.err) == (0, "1 report checked, no problems\n")
    path.write_text(re.sub(r"(?m)^# (- \{)", r"\1", path.read_text()))  # the example, taken in
    assert len(register.load(root / "p")) == 2
    checked = cli("check")
    assert (checked.code, checked.err) == (0, "1 report checked, no problems\n")


def test_the_bundled_samples_give_a_record_of_days_not_years(cli: Cli, project: Project) -> None:
    repo = Path(__file__).resolve().parents[1]
    root = project({"meetings.yaml": (repo / "meetings.yaml").read_text()})
    shutil.copytree(repo / "reports", root / "reports", dirs_exist_ok=True)
    assert cli("build", "--now", NOW).code == 0
    meetings = json.loads((root / "site/record.json").read_text())["meetings"]
    lags = {m["report"]: m["lag_days"] for m in meetings if m["status"] == "reported"}
    assert len(lags) == 4 and all(0 < lag < 30 for lag in lags.values()), lags


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


def test_status_counts_agree_and_old_errors_go(cli: Cli, project: Project) -> None:
    root = project({
        "reports/a.md": report("One.\n", title="One"),
        "reports/b.md": report("Two.\n", title="Two"),
    })  # fmt: skip
    assert cli("build", "--now", NOW).code == 0
    (root / "reports/b.md").write_text(report("Two.\n", title="Two", status="draft"))
    (root / "reports/c.md").write_text(report("Three.\n", title="Three"))
    out = cli("status", "--now", NOW).out.splitlines()
    assert out.pop(0) == "record 2026: no meetings yet"  # the record comes first
    assert out[0] == (
        "reports: 1 published, 1 due at the next build, 0 embargoed, 1 draft, 0 confidential"
    )
    assert out[1].startswith("published by builds: 2 (latest ") and "1 no longer public" in out[1]
    assert cli("digest", "send", "--cadence", "monthly", "--now", NOW).code == 0
    assert any("(never run)" in line and "monthly" in line for line in out)
    after = cli("status", "--now", NOW).out
    assert "next monthly digest" in after and "monthly digest: " in after
    monthly = next(line for line in after.splitlines() if "monthly" in line)
    assert "(last run " in monthly  # it ran,
    assert monthly.endswith(", last sent never)")  # and a run that sent nothing sent nothing

    from reportback.commands.daemon import Daemon
    from reportback.config import load_config

    (root / "reports/c.md").write_text(report("Three.\n", titel="Three"))
    Daemon(load_config()).tick("test")
    assert "last error:" in cli("status", "--now", NOW).out
    (root / "reports/c.md").write_text(report("Three.\n", title="Three"))
    Daemon(load_config()).tick("test")
    assert "last error:" not in cli("status", "--now", NOW).out


def test_status_into_head_ends_quietly(project: Project) -> None:
    import subprocess
    import sys

    project({"reports/a.md": report()})
    script = (
        "import sys; from reportback.cli import main; "
        "from reportback.commands import status; "
        "status.lines = lambda c, n: [f'line {i}' for i in range(200000)]; "
        "sys.exit(main(['status', '--now', '2026-11-22T12:00:00+00:00']))"
    )
    run = subprocess.run(
        f"{sys.executable} -c \"{script}\" | head -1",
        shell=True, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert run.stdout == "line 0\n"
    assert "Traceback" not in run.stderr and "BrokenPipe" not in run.stderr


def test_serve_without_a_site_says_so_and_is_not_healthy(project: Project) -> None:
    from starlette.testclient import TestClient

    from reportback.config import load_config
    from reportback.web.app import create_app, startup_notes

    project({})
    config = load_config()
    with TestClient(create_app(config, send_confirmations=False)) as client:
        page = client.get("/")
        assert page.status_code == 503
        assert page.text == "no site built yet; run `reportback build`"
        assert client.get("/reports/x/").status_code == 503
        health = client.get("/healthz")
        assert health.status_code == 503 and health.json()["status"] != "ok"
    notes = startup_notes(config)
    assert notes[0].startswith("no site built yet; run `reportback build`")
    assert (
        "confirmation mails are written to .reportback/confirmations/ instead of sent" in (notes[1])
    )


def test_footer_names_the_author_without_a_capital_the(cli: Cli, project: Project) -> None:
    root = project({
        "reports/a.md": report("Text.\n", author="Jo Bloggs"),
        "reports/b.md": report("Text.\n", title="Another"),
    })  # fmt: skip
    assert cli("build", "--now", NOW).code == 0
    own = (root / "site/reports/a/index.html").read_text()
    assert "Written by Jo Bloggs after the meeting" in own
    assert "The CLP representative" not in own
    other = (root / "site/reports/b/index.html").read_text()
    assert "by the CLP representative" in other and "by The CLP" not in other
    assert "Reports written by the CLP representative" in (root / "site/index.html").read_text()


def test_digest_preview_gives_the_real_reason(cli: Cli, project: Project) -> None:
    project({"reports/a.md": report("Text.\n", regions=["London"])})
    assert cli("build", "--now", NOW).code == 0
    result = cli("digest", "preview", "--clp", "witney", "--now", NOW)
    assert result.code == 2
    assert "run `reportback build` first" not in result.err
    assert (
        "no published report reaches witney (Witney, in South East): each of the 1 published "
        "is limited by its front matter's clps: or regions: (e.g. a: regions: London)"
    ) in result.err
