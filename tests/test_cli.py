"""The command line: help, init, new, check, exit codes and exact messages."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from .conftest import NOW, Result, report

Cli = Callable[..., Result]
Project = Callable[[dict[str, str | bytes]], Path]
COMMANDS = ("init", "new", "check", "build")


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help(cli: Cli, command: str) -> None:
    result = cli(command, "--help")
    assert result.code == 0
    assert result.out.startswith(f"usage: reportback {command}")


def test_no_command_is_a_usage_error(cli: Cli) -> None:
    result = cli()
    assert result.code == 2
    assert "usage: reportback" in result.err


def test_bad_option_value_is_a_usage_error(cli: Cli, project: Project) -> None:
    project({})
    result = cli("build", "--now", "2026-11-22T12:00")
    assert result.code == 2
    assert "needs a UTC offset" in result.err


def test_init_then_build_works_out_of_the_box(cli: Cli, project: Project, tmp_path: Path) -> None:
    project({})
    result = cli("init", "fresh")
    assert result.code == 0
    root = tmp_path / "fresh"
    assert (root / "reportback.toml").is_file()
    assert len(list((root / "reports").glob("*.md"))) == 1
    assert (root / "templates").is_dir()
    built = cli("--config", str(root / "reportback.toml"), "build", "--now", NOW, "--drafts")
    assert built.code == 0, built.err  # the example is a draft: previewed, not published
    page = next((root / ".reportback/preview/site/reports").glob("*/index.html")).read_text()
    assert "Public business goes here" in page
    assert "Nothing in a section marked" not in page
    assert "A block only for members" not in page


def test_init_refuses_to_overwrite(cli: Cli, project: Project) -> None:
    project({"reportback.toml": "[site]\n"})
    result = cli("init")
    assert result.code == 1
    assert result.err.startswith("reportback.toml:1: already exists; not overwriting a project")


def test_new_writes_a_checkable_draft(cli: Cli, project: Project) -> None:
    root = project({})
    result = cli("new", "NEC — 20 September", "--meeting", "Disputes Panel", "--date", "2016-09-20")
    assert result.code == 0
    assert result.out.strip() == "reports/2016-09-20-nec-20-september.md"
    text = (root / result.out.strip()).read_text()
    head = yaml.safe_load(text.removeprefix("---\n").split("\n---\n")[0])
    assert head == {
        "title": "NEC — 20 September",
        "meeting": "Disputes Panel",
        "meeting_date": __import__("datetime").date(2016, 9, 20),
        "status": "draft",
    }
    for key in ("publish_at", "confidential", "summary", "clps", "regions", "tags", "author"):
        assert f"# {key}:" in text
    assert cli("check").code == 0
    assert cli("new", "NEC — 20 September", "--date", "2016-09-20").code == 2


def test_config_unknown_key_names_file_and_line(cli: Cli, project: Project) -> None:
    project({"reportback.toml": '[site]\ntitle = "x"\n\n[feeds]\nmax_itmes = 5\n'})
    result = cli("check")
    assert result.code == 1
    assert result.err.splitlines()[0] == "reportback.toml:5: unknown key 'max_itmes' in [feeds]"


def test_config_unknown_section_and_bad_type(cli: Cli, project: Project) -> None:
    project({"reportback.toml": "[feeds]\nmax_items = 'ten'\n\n[extra]\nx = 1\n"})
    result = cli("check")
    assert result.code == 1
    assert result.err.splitlines()[:2] == [
        "reportback.toml:2: [feeds] max_items must be a number",
        "reportback.toml:4: unknown section [extra]",
    ]


def test_a_state_folder_inside_the_site_is_refused_before_anything_is_written(
    cli: Cli, project: Project
) -> None:
    root = project({
        "reportback.toml": '[site]\ntitle = "x"\n\n[paths]\nstate = "site/.state"\n',
        "reports/r.md": "---\ntitle: R\nmeeting: NEC\nmeeting_date: 2026-01-01\n---\n\nText.\n",
    })  # fmt: skip
    result = cli("build", "--now", NOW)
    assert result.code == 1
    assert result.err.splitlines()[0] == (
        "reportback.toml:5: [paths] state (site/.state) is inside the published site folder "
        "(site): everything there is served and replaced by each build; keep it outside site "
        "and feeds"
    )
    assert not (root / "site").exists() and not (root / "feeds").exists()


def test_a_published_folder_given_inside_the_other_is_refused(cli: Cli, project: Project) -> None:
    root = project({})
    result = cli("build", "--feeds", "site/feeds", "--now", NOW)
    assert result.code == 1
    assert "[paths] feeds (site/feeds) is inside the published site folder (site)" in result.err
    assert not (root / "site").exists()
    (root / "reportback.toml").write_text('[paths]\nsite = "."\n')
    result = cli("status")  # every command loads the configuration, serve too
    assert result.code == 1
    assert (
        "reportback.toml:2: [paths] state (.reportback) is inside the published site folder (.)"
        in result.err
    )


def test_missing_reports_folder(cli: Cli, project: Project, tmp_path: Path) -> None:
    project({})
    result = cli("check", "--reports", "nowhere")
    assert result.code == 1
    assert result.err.splitlines()[0] == "no reports folder: nowhere/ does not exist"
    assert "nothing was published" not in result.err
    assert "hint: run `reportback init`" in result.err


def test_installed_console_script_reports_without_traceback(tmp_path: Path) -> None:
    (tmp_path / "reports").mkdir()
    (tmp_path / "reports/a.md").write_text("---\ntitle: [unclosed\n---\n")
    exe = Path(sys.executable).with_name("reportback")
    done = subprocess.run(
        [str(exe), "build"], cwd=tmp_path, capture_output=True, text=True, check=False
    )
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert done.stderr.startswith("reports/a.md:")


def test_old_pandoc_is_refused_with_a_clear_message(
    cli: Cli, project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pypandoc

    project({"reports/a.md": "---\ntitle: T\nmeeting: M\nmeeting_date: 2016-09-20\n---\nx\n"})
    monkeypatch.setattr(pypandoc, "get_pandoc_version", lambda: "3.1.11")
    result = cli("check")
    assert result.code == 3
    assert result.err.strip() == (
        "pandoc 3.1.11 is too old: reportback needs pandoc 3.2 or newer, "
        "which warns about unclosed ::: fences"
    )


@pytest.mark.parametrize("where", ["before", "after"])
def test_config_option_before_or_after_the_command(
    cli: Cli, project: Project, tmp_path: Path, where: str
) -> None:
    project(
        {
            "elsewhere.toml": '[site]\ntitle = "Elsewhere title"\n\n[paths]\nsite = "other-site"\n',
            "reports/a.md": "---\ntitle: T\nmeeting: M\nmeeting_date: 2016-09-20\n---\nx\n",
        }
    )
    args = ["build", "--now", "2026-11-22T12:00:00+00:00"]
    args = (
        ["--config", "elsewhere.toml", *args]
        if where == "before"
        else [*args, "--config", "elsewhere.toml"]
    )
    assert cli(*args).code == 0
    assert "Elsewhere title" in (tmp_path / "other-site/index.html").read_text()
    assert cli("subscribers", "count", "--config", "elsewhere.toml").code == 0


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("<p>\n{{ clp.name }\n", "templates/clp.html:2: template error: unexpected '}'"),
        (
            '{% set feed_title = "" %}\n<p>\n{{ clp.name / 2 }}\n',
            "templates/clp.html:3: template error: TypeError: unsupported operand",
        ),
        ("\n{% include 'gone.html' %}\n", "templates/clp.html:2: template error: template 'gone"),
        ("{{ clp.nmae }}\n", "templates/clp.html:1: template error: 'reportback.clps.Clp object'"),
    ],
)
def test_a_broken_template_is_refused_at_its_line(
    cli: Cli, project: Project, template: str, expected: str
) -> None:
    root = project({"reports/2016-09-20-nec.md": report("The NEC met.\n"), "templates/x": ""})
    (root / "templates/clp.html").write_text(template, encoding="utf-8")
    result = cli("build", "--now", NOW)
    assert result.code == 1
    assert result.err.startswith(expected), result.err
    assert "hint: fix the template, or delete it to use the default" in result.err
    assert not (root / "site").exists()
