"""Exactly once with two senders at once: two `digest send`s, the daemon and a manual send."""

from __future__ import annotations

import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from reportback import database

from .conftest import Result, report
from .smtp import Faults, Server
from .test_daemon import _start, _wait_running
from .test_email_scale import members, prepare

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


def test_a_send_whose_lock_is_removed_stops_and_a_second_sends_the_rest_once(
    cli: Cli, project: Project
) -> None:
    """Adversary helper 136: the send lock removed by hand during a send ("a stale lock"), a
    second send took a lock of its own, and 207 of 300 messages went out twice. The first
    send now stops at its next message; the second sends the rest, each once."""
    count = 200
    roots: list[Path] = []
    second: list[subprocess.Popen[str]] = []

    def remove_the_lock(number: int) -> None:
        if number == 1:
            (roots[0] / ".reportback/send.lock").unlink()
            second.append(_send(roots[0], "--now", T2))

    with Server(Faults(on_message=remove_the_lock, delay=0.03)) as server:
        roots.append(_project(cli, project, server, count))
        assert cli("build", "--now", T1).code == 0
        first = cli("digest", "send", "--now", T2)
        _, err = second[0].communicate(timeout=300)
        per = Counter(rcpts[0] for _, rcpts, _ in server.recorder.messages)
    assert first.code == 0 and second[0].returncode == 0, (first.err, err)
    assert len(per) == count and max(per.values()) == 1, per.most_common(3)
    assert "the send lock (.reportback/send.lock) was removed during this send" in first.err


def test_a_member_erased_during_a_send_gets_nothing_after(cli: Cli, project: Project) -> None:
    """Held-out delivery round: the sender read its queue a page (500) at a time, so members
    erased or unsubscribed mid-send were mailed seconds and hundreds of messages later."""
    count, last = 200, "m199@example.org"
    roots: list[Path] = []
    erased: list[subprocess.CompletedProcess[str]] = []

    def erase(number: int) -> None:
        if number == 1:  # the sender has read its page; the last member's message is far off
            erased.append(subprocess.run(
                [EXE, "subscribers", "remove", last], cwd=roots[0], text=True,
                capture_output=True, timeout=120,
            ))  # fmt: skip

    with Server(Faults(on_message=erase)) as server:
        roots.append(_project(cli, project, server, count))
        assert cli("build", "--now", T1).code == 0
        sent = cli("digest", "send", "--now", T2)
        per = Counter(rcpts[0] for _, rcpts, _ in server.recorder.messages)
    assert sent.code == 0, sent.err
    assert erased and erased[0].returncode == 0, erased
    assert last not in per
    assert len(per) == count - 1 and max(per.values()) == 1
    assert "1 cancelled" in sent.err, sent.err


def test_a_report_withdrawn_while_its_mail_waits_is_not_sent_and_nothing_else_is_lost(
    cli: Cli, project: Project
) -> None:
    """Held-out delivery round: a report made a draft while messages showing it waited for
    a retry made every later send fail with a traceback (KeyError), so no one got anything."""
    waits = "m0@example.org"
    second = report("The second meeting.\n", title="Second", meeting_date="2016-10-04")
    with Server(Faults(refuse={waits: "451 4.3.0 try again later"})) as server:
        root = _project(cli, project, server, 4)
        (root / "reports/2016-10-04-nec.md").write_text(second)
        assert cli("build", "--now", T1).code == 0
        assert cli("digest", "send", "--now", T2).code == 0  # m0's two messages wait
        (root / "reports/2016-10-04-nec.md").write_text(
            second.replace("title:", "status: draft\ntitle:")
        )
        assert cli("build", "--now", "2026-11-20T10:05:00+00:00").code == 0
        server.recorder.faults.refuse.clear()
        withdrawn = cli("digest", "send", "--now", "2026-11-20T10:10:00+00:00")
        (root / "reports/2016-10-04-nec.md").write_text(second)
        assert cli("build", "--now", "2026-11-20T10:15:00+00:00").code == 0
        back = cli("digest", "send", "--now", "2026-11-20T10:20:00+00:00")
        subjects = [(m["To"], m["Subject"]) for m in server.recorder.parsed()]
    assert withdrawn.code == 0 and "Traceback" not in withdrawn.err, withdrawn.err
    assert "1 sent" in withdrawn.err, withdrawn.err  # the build took the draft's one out
    assert back.code == 0, back.err
    to_m0 = [subject for to, subject in subjects if waits in to]
    assert len(to_m0) == 2 and len(set(to_m0)) == 2, to_m0  # each report once, in the end
    assert len(subjects) == 8 and len(set(subjects)) == 8, subjects  # 4 members, 2 reports


@pytest.mark.real_clock
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


def test_a_name_in_encoded_words_is_quoted_in_the_to_header(cli: Cli, project: Project) -> None:
    """Held-out round D3: the name was written out decoded and unquoted, so the members'
    digest read as addressed to eve@evil.org (and, as a group "Bcc", not to the member)."""
    rows = (
        "email,name,clp,cadence\n"
        "a@example.org,=?utf-8?q?Friend_=3Ceve=40evil=2Eorg=3E=2C_Member?=,witney,immediate\n"
        "b@example.org,=?utf-8?q?Bcc=3A_eve3=40evil=2Eorg?=,witney,immediate\n"
    )
    with Server() as server:
        project(
            {
                "reports/2016-09-20-nec.md": report("The NEC met.\n"),
                "m.csv": rows,
                "reportback.toml": server.config(),
            }
        )
        assert cli("subscribers", "import", "m.csv").code == 0
        assert cli("build").code == 0
        assert cli("digest", "send").code == 0
        messages = server.recorder.parsed()
    assert len(messages) == 2
    for message in messages:
        to = message["To"]
        assert [a.addr_spec for a in to.addresses] in (["a@example.org"], ["b@example.org"]), to
    names = sorted(m["To"].addresses[0].display_name for m in messages)
    assert names == ["Bcc: eve3@evil.org", "Friend <eve@evil.org>, Member"]


KILLED_BUILD = """
import os, signal, sys
from reportback import cli
from reportback.build import publications, swap as swapping
point, swaps = sys.argv[1], []
real_swap, real_live = swapping._swap, publications.went_live
def die():
    os.kill(os.getpid(), signal.SIGKILL)
def swap(staging, target):
    if point == "before-site-swap":
        die()
    result = real_swap(staging, target)
    swaps.append(target)
    if (point, len(swaps)) in (("between-swaps", 1), ("after-swaps", 2)):
        die()
    return result
def went_live(db, slugs):
    real_live(db, slugs)
    if point == "after-went-live":
        die()
swapping._swap, publications.went_live = swap, went_live
sys.exit(cli.main(["build", "--now", sys.argv[2]]))
"""
T3 = "2026-11-21T09:00:00+00:00"
LINK = re.compile(rb"https://nec\.example\.org/reports/([\w-]+)/")


@pytest.mark.parametrize(
    "point", ["before-site-swap", "between-swaps", "after-swaps", "after-went-live"]
)
def test_a_build_killed_around_its_swap_never_mails_a_link_to_a_missing_page(
    cli: Cli, project: Project, point: str
) -> None:
    with Server() as server:
        root = _project(cli, project, server, 3)
        assert cli("build", "--now", T1).code == 0
        assert cli("digest", "send", "--now", T1).code == 0
        second = report("Second report.\n", title="Second", meeting_date="2016-10-04")
        (root / "reports/2016-10-04-second.md").write_text(second)
        killed = subprocess.run(
            [sys.executable, "-c", KILLED_BUILD, point, T2], cwd=root, check=False,
            capture_output=True, text=True, timeout=300,
        )  # fmt: skip
        assert killed.returncode == -signal.SIGKILL, killed.stderr
        for when in (T2, T3):
            assert cli("digest", "send", "--now", when).code == 0
            for _, _, data in server.recorder.messages:
                for slug in LINK.findall(data):
                    page = root / "site/reports" / slug.decode() / "index.html"
                    assert page.exists(), f"a message links {slug!r}, not on the site"
            assert cli("build", "--now", T3).code == 0
        subjects = Counter(
            (str(m["To"]), str(m["Subject"]).split(" — ")[0]) for m in server.recorder.parsed()
        )
    assert len(subjects) == 6 and set(subjects.values()) == {1}, subjects


def test_a_build_killed_between_its_two_swaps_is_finished_by_the_next_even_refused(
    cli: Cli, project: Project
) -> None:
    """Held-out round 22: killed between the site's swap and the feeds', a build left the new
    site with the old feeds (a report withdrawn gone from the site, still in every feed),
    and refused builds after it kept them so."""
    root = project({
        "reports/2016-09-20-nec.md": report("Version ONE of the public text.\n"),
        "reports/2016-10-04-gone.md": report("Soon withdrawn.\n", title="Gone soon"),
    })  # fmt: skip
    assert cli("build", "--now", T1).code == 0
    nec = root / "reports/2016-09-20-nec.md"
    nec.write_text(nec.read_text().replace("ONE", "TWO"))
    (root / "reports/2016-10-04-gone.md").unlink()
    killed = subprocess.run(
        [sys.executable, "-c", KILLED_BUILD, "between-swaps", T2], cwd=root, check=False,
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert "Version TWO" in (root / "site/reports/2016-09-20-nec/index.html").read_text()
    assert "Gone soon" in (root / "feeds/all.xml").read_text(), "the kill fell between"
    (root / "reports/bad.md").write_text(report("x\n", meeting_date="2016-09-31"))
    refused = cli("build", "--now", T2)
    assert refused.code == 1, refused.err
    feed = (root / "feeds/all.xml").read_text()
    assert "Version TWO" in feed and "Gone soon" not in feed, "the feeds of the same build"
    assert not [p for p in root.iterdir() if ".new-" in p.name], "the old trees go (.trash-)"


def test_a_build_killed_between_its_swaps_is_finished_in_its_own_folder_not_a_copys(
    cli: Cli, project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Adversary helper 88: the journal named its swaps by full paths, so a build in a copy
    of the project (a backup, `cp -a`) swapped the original's feeds; a project moved before
    its next build was left with the new site and the old feeds."""
    root = project({"reports/2016-09-20-nec.md": report("Version ONE of the public text.\n")})
    assert cli("build", "--now", T1).code == 0
    nec = root / "reports/2016-09-20-nec.md"
    nec.write_text(nec.read_text().replace("ONE", "TWO"))
    killed = subprocess.run(
        [sys.executable, "-c", KILLED_BUILD, "between-swaps", T2], cwd=root, check=False,
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    staged = sorted(p.name for p in root.iterdir() if ".new-" in p.name)
    copy = root.parent / "copy"
    shutil.copytree(root, copy, symlinks=True)
    monkeypatch.chdir(copy)
    assert cli("build", "--now", T2).code == 0
    assert "Version TWO" in (copy / "feeds/all.xml").read_text()
    assert sorted(p.name for p in root.iterdir() if ".new-" in p.name) == staged, "untouched"
    assert "Version ONE" in (root / "feeds/all.xml").read_text(), "the original's feeds stay"
    moved = root.parent / "moved"
    root.rename(moved)
    monkeypatch.chdir(moved)
    (moved / "reports/bad.md").write_text(report("x\n", meeting_date="2016-09-31"))
    assert cli("build", "--now", T2).code == 1
    assert "Version TWO" in (moved / "feeds/all.xml").read_text(), "finished where it is now"


def test_members_imported_in_the_same_second_as_a_build_get_its_reports(
    cli: Cli, project: Project
) -> None:
    with Server() as server:
        project(
            {
                "reports/2016-09-20-nec.md": report("The NEC met.\n"),
                "members.csv": members(4),
                "reportback.toml": server.config(),
            }
        )
        assert cli("subscribers", "import", "members.csv", "--now", T1).code == 0
        assert cli("build", "--now", T1).code == 0  # the same second, to the microsecond
        result = cli("digest", "send", "--cadence", "immediate", "--now", T1)
        per = Counter(rcpts[0] for _, rcpts, _ in server.recorder.messages)
    assert "4 queued, 4 sent" in result.err
    assert len(per) == 4 and set(per.values()) == {1}


def test_an_older_state_is_stamped_in_time_order_members_first_at_a_tie(tmp_path: Path) -> None:
    db = sqlite3.connect(tmp_path / "state.sqlite", isolation_level=None)
    for step in (1, 2, 3):
        db.executescript(database.MIGRATIONS[step])
    db.execute("PRAGMA user_version=3")
    add = (
        "INSERT INTO subscribers (email, clp, cadence, audience, status, source, created_at) "
        "VALUES (?, 'witney', 'weekly', 'members', 'active', 'import', ?)"
    )
    db.execute(add, ("early@example.org", "2026-11-01T10:00:00+00:00"))
    db.execute(add, ("tie@example.org", "2026-11-01T11:00:00+01:00"))  # 10:00 UTC, the same
    db.execute(add, ("late@example.org", "2026-11-01T10:00:01+00:00"))
    db.execute(
        "INSERT INTO reports VALUES ('r', 'r', 'NEC', '2016-09-20', '2026-11-01T10:00:00+00:00')"
    )
    db.close()
    db = database.connect(tmp_path)
    joined = dict(db.execute("SELECT email, joined FROM subscribers"))
    (seq,) = db.execute("SELECT seq FROM reports").fetchone()
    assert joined["early@example.org"] < seq and joined["tie@example.org"] < seq
    assert joined["late@example.org"] > seq
    db.execute(add, ("new@example.org", "2020-01-01T00:00:00+00:00"))
    (new,) = db.execute("SELECT joined FROM subscribers WHERE email = 'new@example.org'").fetchone()
    assert new > max(joined.values()), "joins after all, whatever the date"


def test_configuration_mistakes_and_oversized_reports_are_clear_refusals(
    cli: Cli, project: Project
) -> None:
    root = project({"reportback.toml": b'[site]\ntitle = "caf\xe9"\n', "reports/a.md": report()})
    for command in (("status",), ("digest", "send", "--cadence", "weekly"), ("build",)):
        result = cli(*command)
        assert (result.code, result.err.splitlines()[0]) == (1, "reportback.toml:2: not UTF-8 text")
    (root / "reportback.toml").write_text(
        '[site]\ntimezone = "Mars/Olympus"\n\n[schedule]\nweekly = "mon 25:99"\n'
    )
    for command in (("status",), ("digest", "send", "--cadence", "weekly"), ("check",)):
        result = cli(*command)
        assert result.code == 1
        assert result.err.splitlines()[:2] == [
            "reportback.toml:2: [site] timezone 'Mars/Olympus' is not a known time zone, "
            'like "Europe/London"',
            "reportback.toml:5: [schedule] weekly = 'mon 25:99' is not like \"mon 07:00\"",
        ]
        assert "nothing was published" not in result.err or command == ("build",), result.err
    (root / "reportback.toml").write_text("")
    (root / "reports/big.md").write_bytes(b"x" * (2 * 1024 * 1024 + 1))
    result = cli("check")
    assert result.code == 1
    assert "reports/big.md:1: report is over 2 MB; split it" in result.err


@pytest.mark.parametrize("connections", [1, 2])
def test_a_connection_hands_over_its_next_message_only_once_the_last_is_recorded(
    tmp_path: Path, connections: int
) -> None:
    """With each outcome waiting to be recorded, a connection went on to the next message, so
    a kill under load left two messages taken by the server and unrecorded (sent twice by the
    next send; the moved-clock suite caught it). Recording is slow here: the server may hold
    at most one message a connection more than have been recorded."""
    from reportback.config import load_config
    from reportback.mail.smtp import Job, Outcome, SmtpServer

    with Server() as server:
        (tmp_path / "reportback.toml").write_text(server.config(connections=connections))
        transport = SmtpServer(load_config(tmp_path / "reportback.toml").email)
        jobs = (Job(n, "reports@nec.example.org", f"m{n}@example.org", b"Subject: x\r\n\r\nx\r\n")
                for n in range(12))  # fmt: skip
        ahead: list[int] = []

        def record(outcome: Outcome) -> None:
            time.sleep(0.1)  # a commit under load
            ahead.append(len(server.recorder.messages) - (len(ahead) + 1))

        transport.deliver(jobs, record)
    assert len(ahead) == 12 and len(server.recorder.messages) == 12
    assert max(ahead) <= connections - 1, ahead


def test_a_report_withdrawn_during_a_send_and_published_again_reaches_each_member_once(
    cli: Cli, project: Project
) -> None:
    """A build that withdrew the report mid-send took it out of messages the send had already
    written and went on to hand over; once the report was published again, the members who
    got those messages were mailed it again (an adversary helper had eleven of twenty)."""
    count = 20
    with Server(Faults(delay=0.5)) as server:
        root = prepare(cli, project, server, count, connections=1)
        path = root / "reports/2016-09-20-nec.md"
        text = path.read_text()
        proc = subprocess.Popen([EXE, "digest", "send", "--now", T2], cwd=root, text=True,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)  # fmt: skip
        deadline = time.monotonic() + 60
        while len(server.recorder.messages) < 2 and time.monotonic() < deadline:
            time.sleep(0.02)
        path.write_text(text.replace("title:", "status: draft\ntitle:", 1))
        assert cli("build", "--now", "2026-11-20T10:00:30+00:00").code == 0
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
        assert 2 < len(server.recorder.messages) < count, "some went after the withdrawal"
        path.write_text(text)
        assert cli("build", "--now", "2026-11-20T11:00:00+00:00").code == 0
        assert cli("digest", "send", "--now", "2026-11-20T11:05:00+00:00").code == 0
        per = Counter(rcpts[0] for _, rcpts, _ in server.recorder.messages)
    assert len(per) == count and set(per.values()) == {1}, per


def test_a_draft_with_a_mistake_holds_back_only_itself_from_digests(
    cli: Cli, project: Project
) -> None:
    """A draft with a typo in its front matter stopped every digest, the published reports'
    too, until it was fixed (an adversary helper's finding); `build` still refuses it."""
    with Server() as server:
        root = prepare(cli, project, server, 3, connections=1)
        (root / "reports/later.md").write_text(
            report("Not yet.\n", title="Later", status="draft", confidental="true")
        )
        sent = cli("digest", "send", "--now", T2)
        assert sent.code == 0, sent.err
        assert "reports/later.md:" in sent.err and "unknown key 'confidental'" in sent.err
        assert "held back from digests until it is fixed and built" in sent.err
        assert len(server.recorder.messages) == 3
    assert cli("build", "--now", T2).code == 1


def test_a_report_not_yet_built_under_its_name_is_named_when_held_back(
    cli: Cli, project: Project
) -> None:
    """A report renamed since the last build (or new) was left out of digests with no word
    (an adversary helper's finding); the one built goes."""
    with Server() as server:
        root = prepare(cli, project, server, 2, connections=1)
        (root / "reports/2016-09-20-nec.md").rename(root / "reports/nec.md")
        sent = cli("digest", "send", "--now", T2)
        assert sent.code == 0, sent.err
        assert (
            "reports/nec.md: not yet published by a build under this name; held back from "
            "digests until `reportback build` publishes it"
        ) in sent.err
        assert not server.recorder.messages
        assert cli("build", "--now", T2).code == 0
        assert cli("digest", "send", "--now", T2).code == 0
        assert len(server.recorder.messages) == 2


def test_reports_the_identities_refuse_hold_back_only_themselves_from_digests(
    cli: Cli, project: Project
) -> None:
    """A draft given another's id, or a copy left behind, stopped every digest, the published
    reports' too (an adversary helper's finding); `build` still refuses them."""
    with Server() as server:
        root = prepare(cli, project, server, 2, connections=1)
        (root / "reports/c.md").write_text(report("C.\n", title="C", status="draft"))
        (root / "reports/d.md").write_text(report("D.\n", title="D", status="draft", id="c"))
        original = (root / "reports/2016-09-20-nec.md").read_bytes()
        (root / "reports/2016-09-20-nec-copy.md").write_bytes(original)
        sent = cli("digest", "send", "--now", T2)
        assert sent.code == 0, sent.err
        assert "reports/d.md:1: " in sent.err and "2016-09-20-nec-copy.md:1: " in sent.err
        assert "held back from digests until it is fixed and built" in sent.err
        assert len(server.recorder.messages) == 2
    assert cli("build", "--now", T2).code == 1


def test_a_message_that_may_have_arrived_stays_so_when_a_later_try_is_put_off(
    tmp_path: Path,
) -> None:
    """A lost connection once, then a 451: the message may still have arrived on the first
    try, so it is never forgotten and made anew (`publications.forget`)."""
    from reportback.build.publications import LOST, forget
    from reportback.mail import ledger

    db = database.connect(tmp_path)
    db.execute(
        "INSERT INTO outbox (id, subscriber_id, cadence, reports, clp, audience, email, "
        "message_id, created_at, status, attempts, last_error) VALUES (1, 1, 'immediate', 'r', "
        "'witney', 'public', 'a@x.org', '<m@x>', '2026-11-20T10:00:00+00:00', 'deferred', 1, ?)",
        (f"{LOST}: no reply",),
    )
    db.execute("INSERT INTO included VALUES (1, 'r', 1)")
    row = ledger.QueuedMessage(1, 1, "immediate", ("r",), "witney", "public", "a@x.org",
                               "<m@x>", "2026-11-20T10:00:00+00:00", 1, "")  # fmt: skip
    now = datetime(2026, 11, 20, 11, tzinfo=UTC)
    ledger.mark_deferred(db, row, "451 try again later", now)
    error = db.execute("SELECT last_error FROM outbox").fetchone()[0]
    assert error.startswith(LOST) and "451 try again later" in error
    assert not forget(db, 1, 1, ["r"])
    assert db.execute("SELECT COUNT(*) FROM included").fetchone()[0] == 1
    db.execute("UPDATE outbox SET last_error = '451 try again later'")  # never handed over
    assert forget(db, 1, 1, ["r"])
    assert db.execute("SELECT COUNT(*) FROM included").fetchone()[0] == 0
    db.close()


def test_a_copy_of_a_project_sends_nothing_until_told_it_was_moved(
    cli: Cli, project: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A project copied whole (`cp -a` to a server, a synced folder) and sent from both
    places mailed every digest still due twice: each copy had its own ledger (stop 61's
    note). A state folder is at home where it was made; a copy, made before the first send
    too (adversary helper 174: a rehearsal, then rsync), sends nothing and takes no member
    in until told it moved, and is not told so while the first is still there."""
    with Server() as server:
        root = _project(cli, project, server, 3)
        assert cli("build", "--now", T1).code == 0
        assert cli("digest", "send", "--dry-run", "--now", T2).code == 0
        copy = tmp_path / "copy"  # (not what a build is still freeing in the background)
        shutil.copytree(root, copy, symlinks=True, ignore=shutil.ignore_patterns("*.trash-*"))
        assert cli("digest", "send", "--now", T2).code == 0
        monkeypatch.chdir(copy)
        home = (root / ".reportback").resolve()
        for args in (("digest", "send", "--now", T2), ("subscribers", "import", "members.csv")):
            refused = cli(*args)
            assert refused.code == 1, refused.err
            assert f"this state folder is at home at {home}, not here" in refused.err
        assert len(server.recorder.messages) == 3, "the copy sent nothing"
        moved = cli("digest", "send", "--moved", "--now", T2)
        assert moved.code == 1 and "still at" in moved.err, "a copy, not a move: both would send"
        shutil.rmtree(root / ".reportback")  # the first place is gone now: a move
        moved = cli("digest", "send", "--moved", "--now", "2026-11-22T10:00:00+00:00")
        assert moved.code == 0, moved.err
        sent = len(server.recorder.messages)
    assert sent == 6, "copied before the first send, its ledger sends it again: the rep's word"


def test_a_project_moved_on_its_disk_or_reached_by_a_link_sends_as_before(
    cli: Cli, project: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A state folder is the same folder moved (`mv`) or reached by another path (a link):
    at home, with no `--moved` (adversary helper 174: a bind mount was refused)."""
    with Server() as server:
        root = _project(cli, project, server, 3)
        assert cli("build", "--now", T1).code == 0
        moved = tmp_path.with_name(f"{tmp_path.name}-moved")
        root.rename(moved)
        link = tmp_path.with_name(f"{tmp_path.name}-link")
        link.symlink_to(moved)
        monkeypatch.chdir(link)
        sent = cli("digest", "send", "--now", T2)
        assert sent.code == 0, sent.err
        assert len(server.recorder.messages) == 3
