"""Exactly once with two senders at once: two `digest send`s, the daemon and a manual send."""

from __future__ import annotations

import signal
import sqlite3
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


BAD_ROWS = {
    "crlf@example.org": "Evil\r\nBcc: x@evil.example",
    "encoded@example.org": "=?utf-8?q?Evil=0D=0ABcc:_x@evil.example?=",
    "josé@example.org": "José",
    "idn@bücher.de": "Idn",
}


def _queue_with_bad_rows(cli: Cli, project: Project, server: Server) -> Path:
    """Import 10 members, then the rows above as an old store could hold them, then 10 more."""
    root = _project(cli, project, server, 10)
    db = sqlite3.connect(root / ".reportback/state.sqlite")
    for email, name in BAD_ROWS.items():
        db.execute(
            "INSERT INTO subscribers (email, name, clp, cadence, audience, status, source, "
            "created_at) VALUES (?, ?, 'witney', 'immediate', 'members', 'active', 'import', ?)",
            (email, name, T0),
        )
    db.commit()
    db.close()
    more = members(20).replace("m1", "n1", 11).splitlines()
    (root / "more.csv").write_text("\n".join([more[0], *more[11:]]) + "\n")
    assert cli("subscribers", "import", "more.csv", "--now", T0).code == 0
    assert cli("build", "--now", T1).code == 0
    return root


def test_a_bad_row_fails_alone_and_international_addresses_go_with_smtputf8(
    cli: Cli, project: Project
) -> None:
    with Server() as server:
        _queue_with_bad_rows(cli, project, server)
        result = cli("digest", "send", "--now", T2)
        per = Counter(rcpts[0] for _, rcpts, _ in server.recorder.messages)
        to = {rcpts[0]: data for _, rcpts, data in server.recorder.messages}
        status = cli("status", "--now", T2).out
    assert result.code == 0, result.err
    assert "24 queued, 22 sent" in result.err and "2 failed" in result.err
    assert len(per) == 22 and max(per.values()) == 1
    assert "josé@example.org" in per and "idn@xn--bcher-kva.de" in per
    assert b"\r\nTo: Jos\xc3\xa9 <jos\xc3\xa9@example.org>\r\n" in to["josé@example.org"]
    for email in ("crlf@example.org", "encoded@example.org"):
        assert f"failed: '{email}': cannot write it:" in result.err
        assert f"failed: {email}: cannot write it:" in status
    assert all(b"evil.example" not in data for data in to.values())
    again = cli("digest", "send", "--now", T2)
    assert "0 queued, 0 sent" in again.err, "the failed rows are not tried again"


def test_an_international_address_fails_alone_where_the_server_lacks_smtputf8(
    cli: Cli, project: Project
) -> None:
    with Server(smtputf8=False) as server:
        _queue_with_bad_rows(cli, project, server)
        result = cli("digest", "send", "--now", T2)
        per = Counter(rcpts[0] for _, rcpts, _ in server.recorder.messages)
    assert result.code == 0, result.err
    assert "24 queued, 21 sent" in result.err and "3 failed" in result.err
    assert "failed: 'josé@example.org': the SMTP server does not offer SMTPUTF8" in result.err
    assert len(per) == 21 and "idn@xn--bcher-kva.de" in per


def test_import_refuses_control_characters_in_names(cli: Cli, project: Project) -> None:
    rows = (
        'email,name,clp\na@example.org,"Evil\r\nBcc: x@evil.example",witney\n'
        "b@example.org,=?utf-8?q?E=0D=0AB?=,witney\nc@example.org,Ok,witney\n"
    )
    project({"m.csv": rows})
    result = cli("subscribers", "import", "m.csv")
    assert result.code == 1
    assert result.err.splitlines()[:2] == [
        "m.csv:2: name 'Evil\\r\\nBcc: x@evil.example' holds a line break or another control "
        "character",
        "m.csv:4: name '=?utf-8?q?E=0D=0AB?=' holds a line break or another control character",
    ]
