"""Exactly once with two senders at once: two `digest send`s, the daemon and a manual send."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from .conftest import Result, report
from .smtp import Faults, Server
from .test_daemon import _start, _wait_running
from .test_email_scale import members

Cli = Callable[..., Result]
Project = Callable[[dict[str, str | bytes]], Path]
T0, T1, T2 = "2026-11-01T09:00:00+00:00", "2026-11-20T09:00:00+00:00", "2026-11-20T10:00:00+00:00"
EXE = str(Path(sys.executable).with_name("reportback"))


def _project(cli: Cli, project: Project, server: Server, count: int) -> Path:
    root = project(
        {
            "reports/2016-09-20-nec.md": report("The NEC met.\n"),
            "members.csv": members(count),
            "reportback.toml": server.config(connections=2),
        }
    )
    assert cli("subscribers", "import", "members.csv", "--now", T0).code == 0
    return root


def _send(root: Path, *extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [EXE, "digest", "send", *extra], cwd=root, text=True,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip


def test_two_senders_at_once_send_each_message_exactly_once(cli: Cli, project: Project) -> None:
    count = 1000
    with Server() as server:
        root = _project(cli, project, server, count)
        assert cli("build", "--now", T1).code == 0
        first, second = _send(root, "--now", T2), _send(root, "--now", T2)
        outs = [p.communicate(timeout=300) for p in (first, second)]
        codes = [first.returncode, second.returncode]
        per = Counter(rcpts[0] for _, rcpts, _ in server.recorder.messages)
    assert codes == [0, 0], outs
    assert len(per) == count, "every member got the report"
    assert max(per.values()) == 1, f"{sum(n - 1 for n in per.values())} duplicates"
    errs = "\n".join(err for _, err in outs)
    assert f"{count} queued, {count} sent" in errs
    assert "is sending; waiting for it to finish" in errs, "the second waited for the first"


def test_daemon_and_a_manual_send_send_each_message_exactly_once(
    cli: Cli, project: Project
) -> None:
    count = 500
    with Server(Faults(delay=0.002)) as server:
        root = _project(cli, project, server, count)
        assert cli("build").code == 0  # on the real clock, which the daemon runs on
        daemon = _start(root, root / "daemon.log")
        try:
            _wait_running(root, daemon)
            manual = _send(root)
            _, err = manual.communicate(timeout=300)
            assert manual.returncode == 0, err
            deadline = time.monotonic() + 120
            while len(server.recorder.messages) < count and time.monotonic() < deadline:
                time.sleep(0.05)
            time.sleep(0.5)
        finally:
            daemon.send_signal(signal.SIGTERM)
            assert daemon.wait(timeout=60) == 0
        per = Counter(rcpts[0] for _, rcpts, _ in server.recorder.messages)
    assert len(per) == count
    assert max(per.values()) == 1, f"{sum(n - 1 for n in per.values())} duplicates"
