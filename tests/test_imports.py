"""Commands that load only what they use (the layout's rules are in test_house.py).

`serve` and `subscribers` run in a process of their own, whose modules are then listed:
importing Typst, feedgen, lxml or pypdfium2 would make the web server and the subscriber
commands start slowly and hold memory they never use.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from .conftest import Result, report
from .smtp import free_port

Cli = Callable[..., Result]
Project = Callable[[dict[str, str | bytes]], Path]
NOW = "2026-11-22T12:00:00+00:00"
BUILD_PARTS = ("typst", "feedgen", "lxml", "pypdfium2")
LOADED = "\nprint('loaded:', *sorted(m for m in {parts!r} if m in sys.modules), file=sys.stderr)"


def _run(script: str, cwd: Path) -> tuple[subprocess.CompletedProcess[str], list[str]]:
    """Run `script` (which sets `code`) in a new Python; return how it ended and the build
    parts it loaded."""
    code = "import sys\n" + script + LOADED.format(parts=BUILD_PARTS) + "\nsys.exit(code)\n"
    run = subprocess.run(
        [sys.executable, "-c", code], cwd=cwd, capture_output=True, text=True, timeout=120
    )
    lines = [line for line in run.stderr.splitlines() if line.startswith("loaded:")]
    assert run.returncode == 0 and lines, run.stderr
    return run, lines[-1].split()[1:]


@pytest.mark.parametrize(
    ("command", "first_line"),
    [
        (["subscribers", "list"], "email\tname\tclp\tcadence\taudience\tstatus"),
        (["subscribers", "count", "--by", "clp"], "witney\t1"),
    ],
)
def test_subscribers_commands_load_none_of_the_build(
    cli: Cli, project: Project, command: list[str], first_line: str
) -> None:
    root = project({
        "reports/a.md": report(),
        "members.csv": "email,clp\nann@example.org,witney\n",
    })  # fmt: skip
    assert cli("subscribers", "import", "members.csv").code == 0
    script = f"from reportback.cli import main\ncode = main({command!r})"
    run, loaded = _run(script, root)
    assert run.stdout.splitlines()[0] == first_line
    assert loaded == []


def test_serve_loads_none_of_the_build(project: Project) -> None:
    root = project({"reports/a.md": report()})
    port = free_port()
    script = serve_script(port)
    run, loaded = _run(script, root)
    assert "answered: True" in run.stderr and "Application startup complete" in run.stderr
    assert loaded == []


def test_a_build_with_nothing_to_do_loads_none_of_the_stages(cli: Cli, project: Project) -> None:
    """Nor the meetings register's reader (YAML), the templates' Jinja2 or the address
    checker: a no-op's time is mostly imports (0.31–0.45 s here before, 0.18–0.27 s without
    those). Both builds are pinned to one instant: the second runs in a process whose clock a
    test run with the clock moved ahead (REPORTBACK_TEST_DAYS_AHEAD) does not move."""
    root = project({"reports/a.md": report()})
    assert cli("build", "--now", NOW).code == 0
    stages = ("reportback.build.pipeline", "reportback.build.check_all", "pypandoc", "PIL",
              "reportback.record.register", "yaml", "jinja2", "email_validator")  # fmt: skip
    script = f"from reportback.cli import main\ncode = main(['build', '--now', '{NOW}'])"
    code = (
        "import sys\n" + script + LOADED.format(parts=BUILD_PARTS + stages) + "\nsys.exit(code)\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", code], cwd=root, capture_output=True, text=True, timeout=120
    )
    assert run.returncode == 0 and run.stderr.startswith("unchanged:"), run.stderr
    assert run.stderr.rstrip().endswith("loaded:"), run.stderr  # none of them


def test_starting_pandoc_does_not_import_pypandoc(tmp_path: Path) -> None:
    """pypandoc is where pandoc comes from, not how it is run: importing it takes a tenth of
    a second, most of what starting pandoc costs a one-report edit."""
    script = (
        "from reportback.pandoc.worker import Pandoc\n"
        "with Pandoc() as pandoc:\n"
        "    ast = pandoc.parse('Some *text*.')[0]\n"
        "code = 0 if ast['blocks'][0]['t'] == 'Para' else 1\n"
    )
    code = "import sys\n" + script + LOADED.format(parts=("pypandoc",)) + "\nsys.exit(code)\n"
    run = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    assert run.returncode == 0, run.stderr
    assert run.stderr.rstrip().endswith("loaded:"), run.stderr  # not pypandoc


def test_a_build_lays_out_its_pdfs_in_children_not_in_its_own_process(project: Project) -> None:
    """Typst keeps ~70 MB in a process once it has laid out a PDF: a build whose reports are
    rendered apart, by two children, never holds it while it audits and publishes."""
    body = "The NEC met.\n\nIt agreed the minutes.\n"
    root = project({f"reports/2016-09-{d:02d}-nec.md": report(body, meeting_date=f"2016-09-{d:02d}")
                    for d in (1, 2, 3)})  # fmt: skip
    script = (
        "from reportback.cli import main\n"
        "from reportback.output import pdf\n"
        "code = main(['build', '--now', '2026-11-22T12:00:00+00:00'])\n"
        "print('laid out here:', pdf._compiled, file=sys.stderr)\n"
    )
    run, _ = _run(script, root)
    assert "laid out here: False" in run.stderr, run.stderr
    assert len(list((root / "site" / "reports").rglob("*.pdf"))) == 3


def test_a_ctrl_c_while_the_command_loads_says_so_without_a_traceback(tmp_path: Path) -> None:
    """Adversary helper 88: a Ctrl-C in the first tenth of a second (while the command
    line's modules load) printed Python's traceback."""
    script = (
        "import sys\n"
        "class Stop:\n"
        "    def find_spec(self, name, path, target=None):\n"
        "        if name == 'reportback.config':\n"
        "            raise KeyboardInterrupt\n"
        "sys.meta_path.insert(0, Stop())\n"
        "from reportback import main\n"
        "sys.exit(main())\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert run.returncode == 130, run.stderr
    assert run.stderr == "interrupted; nothing was done\n"


def serve_script(port: int, paths: tuple[str, ...] = ()) -> str:
    """Return a script that runs `reportback serve` on `port` until it answers, asks for
    `paths` (any answer will do), says whether it answered in time, and stops it."""
    return f"""
import os, signal, sys, threading, time, urllib.error, urllib.request
from reportback.cli import main

def ask_then_stop() -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen("http://127.0.0.1:{port}/healthz", timeout=5)
        except urllib.error.HTTPError:
            break  # an answer (503: no site built yet)
        except OSError:
            time.sleep(0.1)
            continue
        break
    print("answered:", time.monotonic() < deadline, file=sys.stderr)
    for path in {paths!r}:
        try:
            urllib.request.urlopen("http://127.0.0.1:{port}" + path, timeout=5)
        except urllib.error.HTTPError:
            pass
    os.kill(os.getpid(), signal.SIGINT)

threading.Thread(target=ask_then_stop, daemon=True).start()
code = main(["serve", "--port", "{port}"])
"""
