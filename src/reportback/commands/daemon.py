"""`reportback run`: publish at embargo times, send digests on cadence, remind the rep.

Every job asks the same question, "what is due and not yet done?", of the reports and the
SQLite state (`Daemon.tick`), so a job that runs twice does nothing the second time and a job
missed while the daemon was down is caught up on start-up, once.
"""

from __future__ import annotations

import hashlib
import logging
import os
import signal
import threading
import time as _time
from collections.abc import Callable
from contextlib import AbstractContextManager, suppress
from datetime import UTC, date, datetime, time
from pathlib import Path
from types import FrameType
from zoneinfo import ZoneInfo

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.base import JobLookupError
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger

from reportback import database
from reportback.build import build, unchanged
from reportback.clps import directory_for
from reportback.config import Config, monthly_spec, weekly_spec
from reportback.database import pid_lock
from reportback.errors import InputRefused, ReportbackError
from reportback.mail import cadences, ledger, library, notices, reminders, sending
from reportback.mail.cadences import due_cadences, mend_runs_ahead, validate
from reportback.mail.tokens import Tokens, load_secret
from reportback.model import BuildOptions
from reportback.record import register

log = logging.getLogger("reportback")
Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


class AlreadyRunning(ReportbackError):
    exit_code = 1


def daemon_lock(state_dir: Path) -> AbstractContextManager[Callable[[], bool]]:
    """Hold the one-daemon-per-state-folder lock; refuse clearly if another daemon has it."""

    def refuse(other: str) -> None:
        raise AlreadyRunning(
            f"another `reportback run` is already running for {state_dir} (pid {other}); "
            "stop it first"
        )

    return pid_lock(state_dir / "daemon.lock", refuse)


class Daemon:
    """The work of the scheduler's jobs, derived each time from the reports and the state."""

    def __init__(self, config: Config, clock: Clock = utc_now) -> None:
        self.config = config
        self.clock = clock
        self.fingerprint = ""
        self.next_embargo: datetime | None = None
        self.scheduler: BlockingScheduler | None = None
        self.tokens = Tokens(load_secret(config.path("state")))
        self.publishing = threading.Lock()
        self.mailing = threading.Lock()
        """Held by the tick that sends, reminds and notifies: one at a time."""
        self.stopping = threading.Event()
        """Set on SIGTERM: a send under way hands over no more, and no tick starts one."""
        self.changed = True
        """Whether a build changed the site since the last send (or the daemon just started):
        a report whose `clps:` were widened is due to members nothing else says are due."""
        self.settings = self._settings()
        """The configuration file as the daemon read it (its size and time)."""
        self.lost = False
        self.locked: Callable[[], bool] = lambda: True
        """Whether its lock is still the file it locked (the state folder removed under a
        daemon, a second started, with a lock of its own: adversary helper 139)."""

    def tick(self, reason: str) -> None:
        """Do everything that is due now; safe to call any number of times."""
        self._tick(reason, wait=True)

    def embargo_tick(self) -> None:
        """Publish the report whose embargo has passed, on the scheduler's publishing thread,
        even while a long send holds the other; then send, unless a send is under way (the
        next tick sends what this one published)."""
        self._tick("embargo", wait=False)

    def _tick(self, reason: str, wait: bool) -> None:
        now = self.clock()
        if not self.stopping.is_set() and not self.locked():
            log.error(
                "the daemon's lock (daemon.lock in the state folder) is gone: the "
                "folder was removed or replaced, and another daemon may start; stopping"
            )
            self.stopping.set()
            self.lost = True
            if self.scheduler is not None:
                self.scheduler.shutdown(wait=False)
        if self.stopping.is_set():
            return
        try:
            with self.publishing:
                now = self.clock()  # after any wait for the lock
                try:
                    self.publish(now, reason)
                finally:
                    self.schedule_embargo()
            if self.mailing.acquire(blocking=wait):
                try:
                    self.send(now)
                    self.remind(now)
                    notices.send_queued(self.config, self.tokens, now)  # if `serve` could not
                    self.recovered(now)
                finally:
                    self.mailing.release()
        except ReportbackError as exc:
            for line in exc.lines():
                log.error("%s: %s", reason, line)
            self.event(now, "error", "; ".join(exc.lines()))

    def _settings(self) -> tuple[int, int] | None:
        try:
            status = self.config.file.stat() if self.config.file else None
        except OSError:
            return None
        return (status.st_size, status.st_mtime_ns) if status else None

    def publish(self, now: datetime, reason: str) -> None:
        """Build if the reports changed or an embargo has passed; say once that the
        configuration changed, which a running daemon does not read again (helper 130)."""
        if (settings := self._settings()) != self.settings:
            self.settings = settings
            log.warning("%s changed: `reportback run` keeps the settings it started with; "
                        "restart it to use the new ones", self.config.file)  # fmt: skip
        fingerprint = self.watched()
        embargo_due = self.next_embargo is not None and self.next_embargo <= now
        if fingerprint == self.fingerprint and not embargo_due:
            return
        try:
            result = build(self.config, BuildOptions(now=now))
        except InputRefused:  # said once, and tried again when the files change (helper 134)
            self.fingerprint = fingerprint
            raise
        self.fingerprint = fingerprint
        self.next_embargo = result.next_embargo
        for warning in result.warnings:  # a state restored from an older backup, too
            log.warning("build: %s", warning)
        if result.changed:
            self.changed = True
            log.info("published %d reports (%s)", len(result.published), reason)
            self.event(now, "published", ", ".join(result.published))

    def send(self, now: datetime) -> None:
        """Send the digests that are due (the ledger makes this idempotent and resumable)."""
        if not (self.changed or self.digests_due(now)):
            return
        self.changed = False
        result = sending.send(
            self.config, now, None, dry_run=False, progress=False, stop=self.stopping
        )
        for warning in result.warnings:
            log.warning("digests: %s", warning)
        if result.queued or result.sent or result.failed or result.deferred:
            log.info(  # the cadences due now, not those of what was sent (helper 146)
                "sent %d digests, %d deferred, %d failed; queued %d (%s due now)", result.sent,
                result.deferred, result.failed, result.queued, ", ".join(result.cadences),
            )  # fmt: skip
            self.event(now, "digests", f"{result.sent} sent, {result.failed} failed")

    def digests_due(self, now: datetime) -> bool:
        db = database.connect(self.config.path("state"))
        try:
            mend_runs_ahead(db, now)
            if ledger.count_due(db, now) or len(due_cadences(db, now, self.config)) > 1:
                return True
            return bool(cadences.new_since_immediate(db))
        finally:
            db.close()

    def remind(self, now: datetime) -> None:
        db = database.connect(self.config.path("state"))
        on_site = unchanged.published(self.config)  # not one withdrawn since (round 22)
        try:
            reported = {
                (m, date.fromisoformat(d))
                for slug, m, d in db.execute(
                    "SELECT slug, meeting, meeting_date FROM reports WHERE seq IS NOT NULL"
                )
                if slug in on_site
            }
            for meeting in reminders.due(db, self.config, reported, now):
                if reminders.send(self.config, meeting, now):
                    reminders.record(db, meeting, now)
                    log.info("reminder to rep: %s of %s", meeting.meeting, meeting.day)
        finally:
            db.close()

    def watched(self) -> str:
        """Return a fingerprint of every file a build reads (names, sizes and times)."""
        h = hashlib.sha256()
        for path in unchanged.files_read(self.config):
            try:
                stat = path.stat()
            except FileNotFoundError:
                continue  # gone since it was listed: the next look finds it gone
            h.update(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
        return h.hexdigest()

    def schedule_embargo(self) -> None:
        """(Re)schedule the embargo job at the next embargo time, if any."""
        if self.scheduler is None or self.next_embargo is None:
            return
        self.scheduler.add_job(
            self.embargo_tick, DateTrigger(run_date=self.next_embargo), id="embargo",
            executor="publishing", replace_existing=True,
        )  # fmt: skip

    def recovered(self, now: datetime) -> None:
        """Record that all went well after an error (status shows errors since then only)."""
        db = database.connect(self.config.path("state"))
        try:
            row = db.execute("SELECT kind FROM events ORDER BY id DESC LIMIT 1").fetchone()
        finally:
            db.close()
        if row is not None and row[0] == "error":
            self.event(now, "ok", "working again")

    def event(self, now: datetime, kind: str, message: str) -> None:
        db = database.connect(self.config.path("state"))
        try:
            db.execute(
                "INSERT INTO events (at, kind, message) VALUES (?, ?, ?)",
                (database.utc(now), kind, message),
            )
        finally:
            db.close()


def scheduler(daemon: Daemon, config: Config, watch_seconds: float) -> BlockingScheduler:
    """Return the scheduler with the daemon's jobs (fixed ids, replace_existing)."""
    zone = ZoneInfo(config.site.timezone)
    sched = BlockingScheduler(
        timezone=zone,
        executors={"default": ThreadPoolExecutor(1), "publishing": ThreadPoolExecutor(1)},
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
    )
    weekday, weekly_at = weekly_spec(config.schedule.weekly)
    day_of_month, monthly_at = monthly_spec(config.schedule.monthly)
    jobs = {
        "watch": IntervalTrigger(seconds=watch_seconds, timezone=zone),
        "digests-weekly": _cron(zone, weekly_at, day_of_week=weekday),
        "digests-monthly": _cron(zone, monthly_at, day=day_of_month),
        "reminders": _cron(zone, time(8, 0)),
    }
    for name, trigger in jobs.items():
        sched.add_job(daemon.tick, trigger, args=[name], id=name, name=f"reportback {name}",
                      replace_existing=True)  # fmt: skip
    daemon.scheduler = sched
    logging.getLogger("apscheduler.scheduler").addFilter(_busy_watch)
    return sched


def _busy_watch(record: logging.LogRecord) -> bool:
    """Leave out the scheduler's word that a watch came while the last tick still ran (a long
    send): it said so every second (adversary helper 80); the next watch does the work."""
    said = record.getMessage()
    return not (said.startswith('Execution of job "reportback watch ') and "skipped" in said)


def catch_up(sched: BlockingScheduler, daemon: Daemon) -> None:
    """Do on start-up what is due, as the scheduler's first job: an embargo passing during
    a long catch-up send is published on time, on its own thread (the catch-up ran before
    the scheduler started, and held it back: an adversary helper's finding)."""
    sched.add_job(daemon.tick, args=["start-up"], id="start-up", replace_existing=True)


def follow_the_clock(sched: BaseScheduler, seconds: float, stop: threading.Event) -> None:
    """Run the watch at once whenever the clock is found set back, looking each `seconds`
    (by the steady clock, on a thread of its own, until `stop`): the scheduler dates a
    watch's next run by the clock, so a clock set back by hours left the daemon idle as
    long, no report built nor mailed (adversary helper 136)."""

    def follow() -> None:
        wall, steady = _time.time(), _time.monotonic()
        while not stop.wait(seconds):
            was_wall, was_steady, wall, steady = wall, steady, _time.time(), _time.monotonic()
            if wall - was_wall < steady - was_steady - max(seconds, 1.0):  # set back
                with suppress(JobLookupError):
                    sched.modify_job("watch", next_run_time=datetime.now(UTC))

    threading.Thread(target=follow, name="reportback clock", daemon=True).start()


def _cron(zone: ZoneInfo, at: time, **fields: int) -> CronTrigger:
    return CronTrigger(hour=at.hour, minute=at.minute, timezone=zone, **fields)


def run(config: Config, watch_seconds: float = 10.0) -> int:
    """Run the daemon in the foreground until SIGTERM or SIGINT; return the exit code."""
    with daemon_lock(config.path("state")) as locked:
        daemon = Daemon(config)
        daemon.locked = locked
        directory_for(config)  # refuse a bad CLP directory before starting
        register.load(config.root)  # and a bad meetings register
        validate(config)
        sched = scheduler(daemon, config, watch_seconds)

        def stop(signum: int, frame: FrameType | None) -> None:
            name = signal.Signals(signum).name
            log.info("reportback run: %s received; finishing the current job", name)
            daemon.stopping.set()  # a send under way stops handing over messages
            if sched.running:
                sched.shutdown(wait=True)
            else:  # not yet started: nothing under way
                raise SystemExit(0)

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        log.info("reportback run: started (pid %d); catching up", os.getpid())
        library.SAID = set()  # a report held back from digests is said once, not each send
        follow_the_clock(sched, watch_seconds, daemon.stopping)
        try:
            catch_up(sched, daemon)
            sched.start()
        except (RuntimeError, JobLookupError):  # shut down by `stop` while it started
            if not daemon.stopping.is_set():  # (adversary helper 123: a traceback, exit 1)
                raise
        finally:
            library.SAID = None
        log.info("reportback run: stopped")
    return 1 if daemon.lost else 0
