"""The scheduler daemon: embargo timing, restart catch-up, one daemon, DST, SIGKILL mid-digest."""

from __future__ import annotations

import logging
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email import message_from_bytes
from email.policy import default
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine

from reportback import database, timing
from reportback.commands.daemon import Daemon, catch_up, scheduler
from reportback.config import load_config
from reportback.mail.cadences import due_cadences, record_send

from .conftest import Result, report
from .smtp import Faults, Server
from .test_email_scale import members

Cli = Callable[..., Result]
Project = Callable[[dict[str, str | bytes]], Path]
EXE = str(Path(sys.executable).with_name("reportback"))
LONDON = ZoneInfo("Europe/London")
EMBARGO = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


def embargoed_project(project: Project, cli: Cli, embargo: datetime = EMBARGO) -> Path:
    root = project(
        {
            "reports/2016-09-20-nec.md": report("Public already.\n", title="Old report"),
            "reports/2016-11-22-away.md": report(
                "zqembargoed findings of the away day\n",
                title="Away day",
                publish_at=embargo.isoformat(),
                meeting_date="2016-11-22",
            ),
            "members.csv": "email,name,clp,cadence\nimm@example.org,Imm,witney,immediate\n"
            "week@example.org,Week,witney,weekly\n",
        }
    )
    assert (
        cli("subscribers", "import", "members.csv", "--now", "2026-11-01T00:00:00+00:00").code == 0
    )
    return root


def outbox(root: Path) -> list[bytes]:
    return [p.read_bytes() for p in sorted((root / ".reportback/outbox").glob("*.eml"))]


def test_embargo_publishes_at_its_time_not_a_second_before(cli: Cli, project: Project) -> None:
    root = embargoed_project(project, cli)
    config = load_config()
    with time_machine.travel(EMBARGO - timedelta(seconds=30), tick=False) as clock:
        daemon = Daemon(config)
        sched = scheduler(daemon, config, watch_seconds=3600)
        daemon.tick("start-up")
        assert not (root / "site/reports/2016-11-22-away").exists()
        assert "embargo" in {job.id for job in sched.get_jobs()}
        thread = threading.Thread(target=sched.start, daemon=True)
        thread.start()
        try:
            clock.move_to(EMBARGO - timedelta(seconds=1))
            sched.wakeup()
            time.sleep(1.0)
            assert not (root / "site/reports/2016-11-22-away").exists()
            assert "zqembargoed" not in (root / "feeds/all.xml").read_text()
            clock.move_to(EMBARGO)
            sched.wakeup()
            page = root / "site/reports/2016-11-22-away/index.html"
            deadline = time.monotonic() + 60
            while not page.exists() and time.monotonic() < deadline:
                time.sleep(0.1)
            while len(outbox(root)) < 2 and time.monotonic() < deadline:
                time.sleep(0.1)
        finally:
            sched.shutdown(wait=True)
    assert 'datetime="2026-11-25T09:00:00+00:00"' in page.read_text()
    assert "zqembargoed" in (root / "feeds/all.xml").read_text()
    mails = outbox(root)
    assert sum(b"Subject: Away day" in m for m in mails) == 1, "immediate digest follows"
    assert all(b"To: Imm <imm@example.org>" in m or b"week@" in m for m in mails)


def test_restart_after_missing_embargo_and_weekly_time_catches_up_once(
    cli: Cli, project: Project
) -> None:
    root = embargoed_project(project, cli)
    config = load_config()
    with time_machine.travel(datetime(2026, 11, 20, 12, 0, tzinfo=UTC), tick=False) as clock:
        Daemon(config).tick("start-up")  # before the embargo; the daemon then stops
        weekly_before = _weekly_messages(root)
        clock.move_to(datetime(2026, 11, 30, 12, 0, tzinfo=UTC))  # past the embargo and a Monday
        daemon = Daemon(config)
        daemon.tick("start-up")
        assert (root / "site/reports/2016-11-22-away/index.html").exists()
        after = outbox(root)
        daemon.tick("watch")
        Daemon(config).tick("start-up")  # and a second restart
        assert outbox(root) == after, "nothing is done twice"
    assert _weekly_messages(root) == weekly_before + 1
    immediate = [m for m in after if b"To: Imm <imm@example.org>" in m]
    assert sum(b"Subject: Away day" in m for m in immediate) == 1


def _weekly_messages(root: Path) -> int:
    return sum(b"To: Week <week@example.org>" in m for m in outbox(root))


def test_weekly_digest_runs_once_a_week_at_seven_across_dst(tmp_path: Path) -> None:
    config = load_config(cwd=tmp_path)
    db = database.connect(tmp_path / "state")
    for start in (datetime(2026, 3, 16, tzinfo=UTC), datetime(2026, 10, 12, tzinfo=UTC)):
        record_send(db, "weekly", start)
        runs: list[datetime] = []
        now = start
        while now < start + timedelta(days=28):
            if "weekly" in due_cadences(db, now, config):
                record_send(db, "weekly", now)
                runs.append(now.astimezone(LONDON))
            now += timedelta(minutes=15)
        assert [(r.strftime("%a %H:%M")) for r in runs] == ["Mon 07:00"] * 4, runs
        assert len({r.date() for r in runs}) == 4
    trigger = scheduler(Daemon(config), config, 10).get_job("digests-weekly").trigger
    fire = trigger.get_next_fire_time(None, datetime(2026, 3, 20, tzinfo=LONDON))
    times = []
    for _ in range(3):
        times.append(fire)
        fire = trigger.get_next_fire_time(fire, fire + timedelta(seconds=1))
    assert [t.strftime("%a %d %H:%M %Z") for t in times] == [
        "Mon 23 07:00 GMT", "Mon 30 07:00 BST", "Mon 06 07:00 BST",
    ]  # fmt: skip


def _start(root: Path, log: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [EXE, "run", "--watch-seconds", "3600", "--log", str(log)],
        cwd=root, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip


def _wait_running(root: Path, proc: subprocess.Popen[bytes]) -> None:
    lock = root / ".reportback/daemon.lock"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.stderr.read() if proc.stderr else b""
        if lock.exists() and lock.read_text().strip() == str(proc.pid):
            return
        time.sleep(0.05)
    raise AssertionError("daemon did not start")


def test_second_daemon_refuses_and_sigterm_exits_cleanly(cli: Cli, project: Project) -> None:
    # The daemon runs in a process of its own on the real clock: the embargo is in its future.
    root = embargoed_project(
        project, cli, datetime.now(UTC).replace(microsecond=0) + timedelta(days=30)
    )
    first = _start(root, root / "daemon.log")
    try:
        _wait_running(root, first)
        deadline = time.monotonic() + 60
        while "published 1 reports" not in (root / "daemon.log").read_text():
            assert time.monotonic() < deadline, "the start-up catch-up did not finish"
            time.sleep(0.1)
        second = subprocess.run([EXE, "run"], cwd=root, capture_output=True, text=True, timeout=60)
        assert second.returncode == 1
        assert second.stderr.strip() == (
            f"another `reportback run` is already running for {root}/.reportback "
            f"(pid {first.pid}); stop it first"
        )
        assert f"daemon: running (pid {first.pid})" in cli("status").out
    finally:
        first.send_signal(signal.SIGTERM)
        assert first.wait(timeout=60) == 0
    log = (root / "daemon.log").read_text()
    assert "published 1 reports (start-up)" in log
    assert "SIGTERM received; finishing the current job" in log
    assert "daemon: not running" in cli("status").out


def test_sigkill_mid_digest_then_restart_resumes_the_ledger(cli: Cli, project: Project) -> None:
    count = 200
    with Server(Faults(delay=0.01)) as server:
        root = project(
            {
                "reports/2016-09-20-nec.md": report("The NEC met.\n"),
                "members.csv": members(count),
                "reportback.toml": server.config(connections=1),
            }
        )
        assert (
            cli("subscribers", "import", "members.csv", "--now", "2026-01-01T00:00:00+00:00").code
            == 0
        )
        first = _start(root, root / "daemon.log")
        deadline = time.monotonic() + 120
        while len(server.recorder.messages) < count // 2 and time.monotonic() < deadline:
            assert first.poll() is None
            time.sleep(0.01)
        os.kill(first.pid, signal.SIGKILL)
        first.wait()
        assert len(server.recorder.messages) < count
        second = _start(root, root / "daemon.log")
        try:
            while len(server.recorder.messages) < count and time.monotonic() < deadline:
                time.sleep(0.05)
            time.sleep(0.5)
        finally:
            second.send_signal(signal.SIGTERM)
            assert second.wait(timeout=60) == 0
        per = Counter(r[0] for _, r, _ in server.recorder.messages)
    assert len(per) == count
    assert sum(n - 1 for n in per.values()) <= 1
    db = sqlite3.connect(root / ".reportback/state.sqlite")
    assert db.execute("SELECT COUNT(*) FROM outbox WHERE status = 'sent'").fetchone()[0] == count


def test_reminder_goes_to_the_rep_once_for_a_meeting_without_a_report(
    cli: Cli, project: Project
) -> None:
    root = project(
        {
            "reports/2016-09-20-nec.md": report("Reported.\n", meeting_date="2026-11-03"),
            "meetings.yaml": "- {meeting: National Executive Committee, date: 2026-11-03}\n"
            "- {meeting: Organisation Committee, date: 2026-11-10}\n"
            "- {meeting: Disputes Panel, date: 2026-11-20}\n",
            "reportback.toml": '[email]\nfrom = "rep@example.org"\n',
        }
    )
    config = load_config()
    with time_machine.travel(datetime(2026, 11, 22, 12, 0, tzinfo=UTC), tick=False):
        Daemon(config).tick("reminders")
        Daemon(config).tick("reminders")
    folder = root / ".reportback/reminders"
    sent = [
        message_from_bytes(p.read_bytes(), policy=default) for p in sorted(folder.glob("*.eml"))
    ]
    assert len(sent) == 1
    assert sent[0]["To"] == "rep@example.org"
    assert sent[0]["Subject"] == (
        "Reminder: no report yet for the Organisation Committee of 10 November 2026"
    )


def test_status_reports_embargoes_outbox_and_next_digests(cli: Cli, project: Project) -> None:
    embargoed_project(project, cli)
    assert cli("build", "--now", "2026-11-20T12:00:00+00:00").code == 0
    assert cli("digest", "send", "--now", "2026-11-20T12:00:00+00:00").code == 0
    out = cli("status", "--now", "2026-11-20T12:00:00+00:00").out.splitlines()
    assert out.pop(0) == "record 2026: no meetings yet"  # the record comes first
    assert (
        out[0]
        == "reports: 1 published, 0 due at the next build, 1 embargoed, 0 drafts, 0 confidential"
    )
    assert out[1] == "embargoed: 2016-11-22-away until Wed 25 Nov 2026 09:00 GMT"
    assert (
        "next weekly digest: Mon 23 Nov 2026 07:00 GMT "
        "(last run Fri 20 Nov 2026 12:00 GMT, last sent Fri 20 Nov 2026 12:00 GMT)" in out
    )
    assert "outbox: queued 0, deferred 0, sent 2, failed 0, cancelled 0" in out
    assert (  # nobody chose it: not run (round D3: it ran off schedule, on the first send)
        "next monthly digest: Tue 1 Dec 2026 07:00 GMT (never run)" in out
    )
    assert "subscribers: active 2" in out
    assert out[-1] == "daemon: not running"
    assert "due now: 0 messages; digests to make: none" in out
    later = cli("status", "--now", "2026-11-25T12:00:00+00:00").out.splitlines()
    assert "due now: 0 messages; digests to make: weekly" in later, "Monday's slot passed"
    assert cli("build", "--now", "2026-11-25T12:00:00+00:00").code == 0
    later = cli("status", "--now", "2026-11-25T12:00:00+00:00").out.splitlines()
    assert (
        "due now: 0 messages; digests to make: immediate (1 report new since the last send), "
        "weekly" in later
    )


def test_status_names_the_next_slot_after_the_clocks_go_back_not_the_one_just_gone(
    cli: Cli, project: Project
) -> None:
    """Round D2: at 01:45 BST on the morning the clocks go back, the 01:30 BST slot has gone
    (and 01:30 GMT is not a second one): the next is a week on."""
    project({"reportback.toml": '[schedule]\nweekly = "sun 01:30"\n'})
    out = cli("status", "--now", "2026-10-25T00:45:00+00:00").out
    assert "next weekly digest: Sun 1 Nov 2026 01:30 GMT (never run)" in out, out
    out = cli("status", "--now", "2026-10-25T00:10:00+00:00").out
    assert "next weekly digest: Sun 25 Oct 2026 01:30 BST (never run)" in out, out


def test_status_counts_the_failures_it_does_not_name(cli: Cli, project: Project) -> None:
    count = 6
    refused = {f"m{i}@example.org": "550 5.1.1 no such user" for i in range(1, count)}
    with Server(Faults(refuse=refused)) as server:
        project(
            {
                "reports/2016-09-20-nec.md": report("The NEC met.\n"),
                "members.csv": members(count),
                "reportback.toml": server.config(connections=1),
            }
        )
        assert cli("subscribers", "import", "members.csv").code == 0
        assert cli("build").code == 0
        assert cli("digest", "send").code == 0
        out = cli("status").out.splitlines()
    named = [line for line in out if line.startswith("failed: m")]
    assert len(named) == 3 and all("no such user" in line for line in named), out
    assert "failed: and 2 more (the outbox table of the state)" in out


def test_status_names_a_slot_in_the_hour_the_clocks_skip_by_its_real_time(
    cli: Cli, project: Project
) -> None:
    """01:30 on the morning British Summer Time starts does not exist: the slot is 02:30 BST
    (01:30 UTC), and is shown so, not as "01:30 GMT"."""
    project({"reportback.toml": '[schedule]\nweekly = "sun 01:30"\n'})
    out = cli("status", "--now", "2027-03-27T12:00:00+00:00").out
    assert "next weekly digest: Sun 28 Mar 2027 02:30 BST (never run)" in out, out
    out = cli("status", "--now", "2027-03-28T12:00:00+00:00").out
    assert "next weekly digest: Sun 4 Apr 2027 01:30 BST (never run)" in out, out


def test_a_daemon_with_another_config_rebuilds_when_it_or_its_clp_directory_changes(
    project: Project,
) -> None:
    clps = "slug,name,gss_code,nation,region\nwitney,Witney,E14001052,England,South East\n"
    root = project(
        {
            "other.toml": '[site]\ntitle = "Other report-back"\n\n[paths]\nclps = "my-clps.csv"\n',
            "my-clps.csv": clps,
            "reports/2016-09-20-nec.md": report("Public text.\n", clps=["witney"]),
        }
    )
    config = load_config(Path("other.toml"))  # `reportback --config other.toml run`
    page = root / "site/clp/witney/index.html"
    with time_machine.travel(datetime(2026, 11, 22, 12, 0, tzinfo=UTC), tick=False) as clock:
        daemon = Daemon(config)
        daemon.tick("start-up")
        assert "<h1>Witney</h1>" in page.read_text()

        def built_again(change: Callable[[], object]) -> bool:
            change()
            clock.shift(60)
            timing.reset()
            daemon.tick("watch")
            return "audit" in timing.totals()  # built, not found unchanged (nor not tried)

        assert not built_again(lambda: None)
        csv = root / "my-clps.csv"
        assert built_again(lambda: csv.write_text(clps.replace(",Witney,", ",Witney West,")))
        assert "<h1>Witney West</h1>" in page.read_text()
        toml = root / "other.toml"
        assert built_again(lambda: toml.write_text(toml.read_text() + "# edited\n"))
        assert not built_again(lambda: None)


def test_an_embargo_passing_during_a_long_send_is_published_on_time(
    cli: Cli, project: Project
) -> None:
    """The embargo job has a thread of its own: a send under way does not hold it back, and
    the report's own digest follows once that send is done, once each."""
    count = 60
    slow = Faults(delay=0.3)  # one connection: 18 s of sending, until the page is seen
    with Server(slow) as server:
        embargo = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=4)
        root = project(
            {
                "reports/2016-09-20-nec.md": report("The NEC met.\n"),
                "reports/2016-11-22-away.md": report(
                    "zqembargoed findings\n",
                    title="Away day",
                    meeting_date="2016-11-22",
                    publish_at=embargo.isoformat(),
                ),
                "members.csv": members(count),
                "reportback.toml": server.config(connections=1),
            }
        )
        assert cli("subscribers", "import", "members.csv").code == 0
        config = load_config()
        daemon = Daemon(config)
        sched = scheduler(daemon, config, watch_seconds=3600)
        catch_up(sched, daemon)  # publishes the first report and sends it, slowly, as `run`
        runner = threading.Thread(target=sched.start, daemon=True)
        runner.start()
        page = root / "site/reports/2016-11-22-away/index.html"
        seen: list[tuple[float, int]] = []

        def watch() -> None:
            while not page.exists() and time.monotonic() < deadline:
                time.sleep(0.05)
            seen.append((time.time(), len(server.recorder.messages)))
            slow.delay = 0.0  # the rest at once: what is tested has been seen

        deadline = time.monotonic() + 120
        watcher = threading.Thread(target=watch)
        watcher.start()
        try:
            watcher.join()
            while len(server.recorder.messages) < count and time.monotonic() < deadline:
                time.sleep(0.1)
            daemon.tick("watch")  # the embargoed report's own digest
        finally:
            sched.shutdown(wait=True)
        per = Counter(r[0] for _, r, _ in server.recorder.messages)
    assert seen and seen[0][0] - embargo.timestamp() < 10.0, "published late"
    assert seen[0][1] < count, "published only once the send was over"
    assert len(per) == count and set(per.values()) == {2}


def test_a_withdrawn_report_is_not_counted_as_reported_and_its_meeting_is_reminded(
    cli: Cli, project: Project, tmp_path: Path
) -> None:
    """Held-out round 22: a report withdrawn after it was published still counted as
    reported in `status`, and the daemon never reminded the rep of its meeting."""
    root = project(
        {
            "reports/2026-03-01-nec.md": report("Met.\n", meeting_date="2026-03-01"),
            "reports/2026-03-02-oc.md": report(
                "Met.\n", meeting="Organisation Committee", meeting_date="2026-03-02"
            ),
            "meetings.yaml": "- {meeting: National Executive Committee, date: 2026-03-01}\n"
            "- {meeting: Organisation Committee, date: 2026-03-02}\n",
            "reportback.toml": '[email]\nfrom = "rep@example.org"\n',
        }
    )
    now = "2026-03-20T12:00:00+00:00"
    assert cli("build", "--now", now).code == 0
    assert "2 reported" in cli("status", "--now", now).out
    (root / "reports/2026-03-02-oc.md").unlink()
    assert cli("build", "--now", now).code == 0
    out = cli("status", "--now", now).out
    assert "2 meetings held, 1 reported" in out and "1 not reported" in out, out
    assert "overdue: Organisation Committee of 2 Mar 2026, 18 days" in out, out
    with time_machine.travel(datetime(2026, 3, 20, 12, 0, tzinfo=UTC), tick=False):
        Daemon(load_config()).remind(datetime(2026, 3, 20, 12, 0, tzinfo=UTC))
    folder = root / ".reportback/reminders"
    sent = [p.read_text() for p in folder.glob("*.eml")]
    assert len(sent) == 1 and "Organisation Committee of 2 March 2026" in sent[0], sent


def test_the_daemon_logs_what_a_build_warns_of(
    cli: Cli, project: Project, caplog: pytest.LogCaptureFixture
) -> None:
    """A state restored from an older backup: a manual build warned, the daemon's said
    nothing before it mailed the report again (an adversary helper's finding)."""
    root = project({"reports/a.md": report("A.\n", title="A")})
    assert cli("build", "--now", "2026-11-20T09:00:00+00:00").code == 0
    backup = (root / ".reportback/state.sqlite").read_bytes()
    (root / "reports/b.md").write_text(report("B.\n", title="B"))
    assert cli("build", "--now", "2026-11-20T10:00:00+00:00").code == 0
    (root / ".reportback/state.sqlite").write_bytes(backup)
    (root / "reports/b.md").write_text(report("B, again.\n", title="B"))
    with caplog.at_level("WARNING"):
        Daemon(load_config()).publish(datetime(2026, 11, 21, 9, tzinfo=UTC), "start-up")
    assert "had no record of 1 reports the site shows (b)" in caplog.text, caplog.text


def test_the_daemon_mails_a_report_widened_to_a_members_clp(cli: Cli, project: Project) -> None:
    """An adversary helper's finding: a report's `clps:` widened to Witney was published by
    the daemon, and never mailed to Witney's members (nothing said a digest was due)."""
    hackney = report("Only Hackney.\n", title="Widened", clps=["hackney-north-and-stoke-newington"])
    root = project(
        {
            "reports/2016-09-20-nec.md": hackney,
            "members.csv": "email,name,clp,cadence\nimm@example.org,Imm,witney,immediate\n",
        }
    )
    assert (
        cli("subscribers", "import", "members.csv", "--now", "2026-11-01T00:00:00+00:00").code == 0
    )
    config = load_config()
    with time_machine.travel(EMBARGO, tick=False) as clock:
        daemon = Daemon(config)
        daemon.tick("start-up")
        assert outbox(root) == []
        widened = hackney.replace("- hackney-north-and-stoke-newington", "- witney")
        (root / "reports/2016-09-20-nec.md").write_text(widened)
        clock.shift(timedelta(minutes=1))
        daemon.tick("watch")
        clock.shift(timedelta(minutes=1))
        daemon.tick("watch")
    assert sum(b"Subject: Widened" in m for m in outbox(root)) == 1


def test_a_stopping_daemon_starts_no_send(cli: Cli, project: Project) -> None:
    """An adversary helper's finding: after SIGTERM, the daemon started a whole new send (of
    an embargo just passed) before it stopped; a send under way now stops handing over."""
    root = embargoed_project(project, cli)
    with time_machine.travel(EMBARGO, tick=False):
        daemon = Daemon(load_config())
        daemon.stopping.set()
        daemon.tick("watch")
    assert outbox(root) == []
    assert not (root / "site/reports/2016-11-22-away").exists()


def test_a_watch_that_comes_while_a_tick_runs_is_not_logged_every_time(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Adversary helper 80: during a long send the log said every second that a watch was
    skipped; another job's skipped runs are still logged."""
    from apscheduler.schedulers.background import BackgroundScheduler

    from reportback.commands.daemon import _busy_watch

    sched = BackgroundScheduler(job_defaults={"max_instances": 1})
    for name in ("reportback watch", "another"):
        sched.add_job(time.sleep, "interval", args=[0.6], seconds=0.1, name=name)
    logging.getLogger("apscheduler.scheduler").addFilter(_busy_watch)
    with caplog.at_level(logging.WARNING, logger="apscheduler.scheduler"):
        sched.start()
        time.sleep(1.0)
        sched.shutdown()  # its threads joined: a thread left running stops the build forking
    skipped = [r.getMessage() for r in caplog.records if "skipped" in r.getMessage()]
    assert skipped and all('job "another ' in said for said in skipped), skipped


def test_the_daemon_says_once_that_its_settings_changed(
    cli: Cli, project: Project, caplog: pytest.LogCaptureFixture
) -> None:
    """Adversary helper 130: a changed `reportback.toml` (a new title) was never read, and
    nothing said so."""
    root = project({"reports/a.md": report("A.\n"), "reportback.toml": '[site]\ntitle = "A"\n'})
    daemon = Daemon(load_config(root / "reportback.toml"))
    at = datetime(2026, 11, 21, 9, tzinfo=UTC)
    with caplog.at_level("WARNING"):
        daemon.publish(at, "start-up")
        assert "changed" not in caplog.text
        (root / "reportback.toml").write_text('[site]\ntitle = "Changed title"\n')
        daemon.publish(at, "watch")
        daemon.publish(at, "watch")
    assert caplog.text.count("reportback.toml changed: `reportback run` keeps the settings") == 1


def test_the_daemon_says_a_refusal_once_until_the_files_change(
    cli: Cli, project: Project, caplog: pytest.LogCaptureFixture
) -> None:
    """Adversary helper 134: a report refused was built, refused and logged again on every
    watch (a line a second, with nothing changed)."""
    root = project({"reports/a.md": report("A.\n").replace("title:", "statsu: final\ntitle:")})
    at = datetime(2026, 11, 21, 9, tzinfo=UTC)
    daemon = Daemon(load_config(), clock=lambda: at)
    with caplog.at_level("ERROR"):
        for _ in range(3):
            daemon.tick("watch")
        assert caplog.text.count("unknown key 'statsu'") == 1, caplog.text
        (root / "reports/a.md").write_text(
            report("A, again.\n").replace("title:", "statsu: x\ntitle:")
        )
        daemon.tick("watch")
    assert caplog.text.count("unknown key 'statsu'") == 2, caplog.text


def test_a_report_held_back_from_digests_is_said_once_by_the_daemon(
    cli: Cli, project: Project, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Adversary helper 139: while a report was held back from digests, the daemon said so
    at every send, every few seconds (35,000 lines a day); a command says it each time."""
    from reportback.mail import library

    root = project({"reports/a.md": report("A.\n")})
    assert cli("build", "--now", "2026-11-21T09:00:00+00:00").code == 0
    (root / "reports/a.md").write_text(report("A, changed.\n"), encoding="utf-8")
    at = datetime(2026, 11, 21, 10, tzinfo=UTC)
    said = "reports/a.md: changed since the last build published it; held back from digests"
    capsys.readouterr()
    for _ in range(2):
        library.library(load_config(), at)
    assert capsys.readouterr().err.count(said) == 2, "a command says it each time"
    monkeypatch.setattr(library, "SAID", set())  # as `reportback run` keeps it
    for _ in range(3):
        library.library(load_config(), at)
    assert capsys.readouterr().err.count(said) == 1


@pytest.mark.parametrize("followed", [True, False])
def test_a_clock_set_back_does_not_stop_the_watch(followed: bool) -> None:
    """Adversary helper 136: the scheduler dates a watch's next run by the clock; set back by
    hours, the daemon did nothing for as long. The clock is followed by the steady clock,
    and the watch brought forward."""
    from apscheduler.schedulers.background import BackgroundScheduler

    from reportback.commands.daemon import follow_the_clock

    runs: list[float] = []
    stop = threading.Event()
    with time_machine.travel(datetime.now(UTC), tick=True) as traveller:
        sched = BackgroundScheduler(timezone=UTC)
        sched.add_job(lambda: runs.append(time.monotonic()), "interval", seconds=0.2, id="watch")
        sched.start()
        if followed:
            follow_the_clock(sched, 0.2, stop)
        try:
            time.sleep(0.7)
            traveller.shift(-timedelta(hours=3))
            set_back = time.monotonic()
            time.sleep(2.0)
        finally:
            stop.set()
            sched.shutdown()
    after = [t for t in runs if t > set_back]
    assert (len(after) >= 3) == followed, (len(after), followed)


def test_a_daemon_whose_lock_is_removed_stops(cli: Cli, project: Project) -> None:
    """Adversary helper 139: with the state folder removed under a running daemon, a second
    daemon started beside it (each with a lock of its own). The first now stops."""
    root = project({"reports/a.md": report("A.\n")})
    log = root / "daemon.log"
    proc = subprocess.Popen(
        [EXE, "run", "--watch-seconds", "0.5", "--log", str(log)],
        cwd=root, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        _wait_running(root, proc)
        (root / ".reportback/daemon.lock").unlink()
        assert proc.wait(timeout=60) == 1
    finally:
        if proc.poll() is None:
            proc.kill()
    assert "the daemon's lock (daemon.lock in the state folder) is gone" in log.read_text()
