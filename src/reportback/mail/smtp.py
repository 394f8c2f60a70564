"""Hand messages to an SMTP server (or an outbox folder) and classify what happened."""

from __future__ import annotations

import os
import queue
import re
import smtplib
import ssl
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from email import message_from_bytes
from email.policy import SMTP
from functools import partial
from typing import TYPE_CHECKING

from reportback.build.publications import LOST
from reportback.config import EmailConfig
from reportback.errors import ExternalFailure
from reportback.mail.rate import SendRate

if TYPE_CHECKING:
    from _typeshed import ReadableBuffer

DROPPED = "connection dropped before the message was sent"
"""Not `LOST`: the server got none of it, so it is tried again until the 5 days are up."""
PASSWORD_VARIABLE = "REPORTBACK_SMTP_PASSWORD"


@dataclass(frozen=True)
class Job:
    """One message to send: its ledger row id, envelope and bytes."""

    row: int
    sender: str
    recipient: str
    data: bytes


@dataclass(frozen=True)
class Outcome:
    """What the server said: sent (250), deferred (4xx, dropped) or failed (5xx); or
    unsendable: this message cannot be handed over at all (not the address's fault); or held:
    the server, having taken nothing yet, refused it for the sender's sake (left queued)."""

    row: int
    status: str
    error: str = ""


Report = Callable[[Outcome], None]
Handed = tuple["Outcome | BaseException", threading.Event]
"""A connection's outcome (or its failure), and what it waits on: the outcome recorded."""


class SmtpServer:
    """Send through an SMTP server with a few reused connections."""

    def __init__(self, config: EmailConfig) -> None:
        self.config = config
        self.password = os.environ.get(PASSWORD_VARIABLE, "")
        self.rate = SendRate(config.rate_per_second)
        self.taken = 0  # messages the server has taken in this run (any thread)
        self.relay_refused = 0  # recipients it refused for the sender's sake before any
        self.relay_reply = ""

    def connect(self) -> smtplib.SMTP:
        cfg = self.config
        try:
            if cfg.smtp_security == "ssl":
                conn: smtplib.SMTP = _TrackedSSL(
                    cfg.smtp_host, cfg.smtp_port, timeout=60, context=ssl.create_default_context()
                )
            else:
                conn = _Tracked(cfg.smtp_host, cfg.smtp_port, timeout=60)
                if cfg.smtp_security == "starttls":
                    conn.starttls(context=ssl.create_default_context())
            conn.ehlo()
            if cfg.smtp_username:
                conn.login(cfg.smtp_username, self.password)
        except smtplib.SMTPAuthenticationError as exc:
            raise ExternalFailure(
                f"SMTP login refused: {exc.smtp_code} {exc.smtp_error!r}"
            ) from exc
        except (OSError, smtplib.SMTPException) as exc:
            raise ExternalFailure(
                f"cannot reach SMTP server {cfg.smtp_host}:{cfg.smtp_port}: {exc}"
            ) from exc
        return conn

    def deliver(
        self,
        jobs: Iterable[Job],
        report: Report,
        handing: Report | None = None,
        stop: threading.Event | None = None,
    ) -> None:
        """Send `jobs` over up to `connections` connections; call report() from this thread
        (and, given `handing`, that with a "handing" outcome as each is handed over). Once
        `stop` is set, no connection hands over another (those queued wait for the next
        send: adversary helper 161 had six more go after a Ctrl-C).

        A connection hands over its next message only once the last is recorded (reported):
        killed at any instant, a send leaves at most one message a connection handed over
        unrecorded, which the next send repeats (with the outcome waiting to be recorded,
        a connection went on, and a kill under load repeated two).
        """
        if handing is not None:
            report = partial(_either, handing, report)
        todo: queue.Queue[Job | None] = queue.Queue(maxsize=self.config.connections * 4)
        done: queue.Queue[Handed] = queue.Queue()
        workers = [
            threading.Thread(target=self._work, args=(todo, done, bool(handing), stop), daemon=True)
            for _ in range(max(1, self.config.connections))
        ]
        for worker in workers:
            worker.start()
        failures: list[BaseException] = []
        for job in jobs:
            if failures or not _hand(todo, job, done, report, failures):
                break
        for _ in workers:  # each takes one and stops (one that failed takes all to it)
            _hand(todo, None, done, report, failures)
        while any(w.is_alive() for w in workers) or not done.empty():
            failures += _drain(done, report, wait=0.05)
        if failures:
            raise failures[0]
        if self.relay_refused and not self.taken:  # fewer than RELAY_TRIES, none taken
            raise _refuses_us(self.relay_reply)

    def _work(
        self,
        todo: queue.Queue[Job | None],
        done: queue.Queue[Handed],
        tell: bool,
        stop: threading.Event | None,
    ) -> None:
        conn: smtplib.SMTP | None = None
        recorded = threading.Event()
        try:
            while (job := todo.get()) is not None:
                if stop is not None and stop.is_set():  # left as it was, for the next send
                    continue
                self.rate.wait()
                told = [partial(_told, done, recorded, Outcome(job.row, s)) for s in (HANDS, CUT)]
                try:
                    outcome, conn = self._send(job, conn, *(told if tell else (None, None)))
                except ExternalFailure:  # none reached, or the sender refused: nothing went
                    if tell:
                        _told(done, recorded, Outcome(job.row, "held"))
                    raise
                _told(done, recorded, outcome)
        except BaseException as exc:  # noqa: BLE001 -- handed to the main thread, which raises it
            done.put((exc, recorded))
            while todo.get() is not None:  # let the producer finish
                pass
        finally:
            _close(conn)

    def _refused(self, job: Job, code: int, text: bytes | str) -> Outcome:
        """Return the outcome of a recipient refused (or raise: `_not_relaying`)."""
        ours = _not_relaying(code, text, self.taken, self.relay_refused)
        if ours is None:
            return _classify(job, code, text)
        if ours.status == "held":
            self.relay_refused += 1
            self.relay_reply = ours.error
        return Outcome(job.row, ours.status, ours.error)

    def _send(
        self,
        job: Job,
        conn: smtplib.SMTP | None,
        handing: Callable[[], None] | None = None,
        cut: Callable[[], None] | None = None,
    ) -> tuple[Outcome, smtplib.SMTP | None]:
        for attempt in (1, 2):
            try:
                if conn is None:
                    conn = self.connect()
                conn.handing, conn.cut = handing, cut  # type: ignore[attr-defined]
                data, options = _body(conn, job.data)
                if not (job.sender.isascii() and job.recipient.isascii()):
                    if not conn.has_extn("smtputf8"):
                        why = f"the SMTP server does not offer SMTPUTF8 ({job.recipient} needs it)"
                        return Outcome(job.row, "unsendable", why), conn
                    options = [*options, "SMTPUTF8"]
                conn.data_sent = False  # type: ignore[attr-defined]
                refused = conn.sendmail(job.sender, [job.recipient], data, options)
                if refused:
                    code, text = refused[job.recipient]
                    return self._refused(job, code, text), conn
                self.taken += 1
                return Outcome(job.row, "sent"), conn
            except smtplib.SMTPRecipientsRefused as exc:
                code, text = exc.recipients.get(job.recipient, (550, b"refused"))
                return self._refused(job, code, text), conn
            except smtplib.SMTPSenderRefused as exc:
                if exc.smtp_code >= 500:
                    said = f"{exc.smtp_code} {exc.smtp_error!r}"
                    message = f"SMTP server refused the sender {job.sender}: {said}"
                    raise ExternalFailure(message) from exc
                return _classify(job, exc.smtp_code, exc.smtp_error), _reset(conn)
            except smtplib.SMTPResponseException as exc:
                read = isinstance(exc, smtplib.SMTPDataError)  # the message refused, once read
                outcome = _classify(job, exc.smtp_code, exc.smtp_error, read)
                return outcome, (None if exc.smtp_code == 421 else _reset(conn))
            except (UnicodeError, ValueError, smtplib.SMTPNotSupportedError) as exc:
                return Outcome(job.row, "unsendable", f"cannot hand it over: {exc}"), _reset(conn)
            except (smtplib.SMTPServerDisconnected, ConnectionError, TimeoutError) as exc:
                sent = getattr(conn, "data_sent", False)
                _close(conn)
                conn = None
                if sent:  # once the message went, it may have arrived: later, as it was
                    return Outcome(job.row, "deferred", f"{LOST}: {exc}"), None
                if attempt == 2:  # lost before it went, twice: later (adversary helper 86)
                    return Outcome(job.row, "deferred", f"{DROPPED}: {exc}"), None
        raise AssertionError("unreachable")


class _Tracked(smtplib.SMTP):
    """A connection that knows whether the message has gone (all of it written): one lost
    before is tried again at once on a new connection (the server closed an idle one, or cut
    it off mid-message); one lost after is tried later (held-out round D3). `handing` is
    called when the server answers DATA with 354 (a kill from then on leaves it "may have
    arrived"), `cut` if writing it then fails: none of it went (adversary helpers 158, 161:
    two sends stopped at a silent server, or cut off mid-message, failed it for good)."""

    data_sent = False
    handing: Callable[[], None] | None = None
    cut: Callable[[], None] | None = None
    _asked = False
    _body = False

    def data(self, msg: ReadableBuffer | str) -> tuple[int, bytes]:
        self._asked = True
        try:
            return super().data(msg)
        finally:
            self._asked = self._body = False

    def getreply(self) -> tuple[int, bytes]:
        reply = super().getreply()
        if self._asked and reply[0] == 354:  # the message is written next, in one call
            self._asked, self._body = False, True
            if self.handing is not None:
                self.handing()
        return reply

    def send(self, s: ReadableBuffer | str) -> None:
        try:
            super().send(s)
        except BaseException:
            if self._body and self.cut is not None:  # cut off mid-message: none of it went
                self.cut()
            raise
        if self._body:  # all of it written, its final dot too: it may arrive now
            self._body = False
            self.data_sent = True


class _TrackedSSL(_Tracked, smtplib.SMTP_SSL):
    pass


def _body(conn: smtplib.SMTP, data: bytes) -> tuple[bytes, list[str]]:
    """Return the message and MAIL options: 8-bit as is, or re-encoded for a 7-bit server."""
    if conn.has_extn("8bitmime"):
        return data, ["BODY=8BITMIME"]
    message = message_from_bytes(data, policy=SMTP)
    for part in message.walk():
        if part.get("Content-Transfer-Encoding") == "8bit":
            content = part.get_content()
            part.set_content(content, subtype=part.get_content_subtype(), cte="quoted-printable")
    return message.as_bytes(policy=SMTP), []


REFUSES_US = re.compile(
    rb"relay|authenticat|starttls|not (?:permitted|allowed|authori[sz]ed) to send", re.I
)
"""What a server says when it refuses every recipient for the sender's sake, not theirs."""


RELAY_TRIES = 3
"""How many recipients refused for the sender's sake, with none taken, stop the run."""


def _not_relaying(code: int, text: bytes | str, taken: int, refused: int) -> Outcome | None:
    """Return None for a recipient's own refusal. One for the sender's sake (relaying denied,
    a login needed), booked as each member's hard bounce, would suppress the whole list:
    once the server has taken others in this run, it fails that message alone (not a
    bounce: held-out round D3, where one recipient's domain refused stopped every run for
    good); before, the message is held (left queued, untouched), and the `RELAY_TRIES`th such
    refusal, or the end of a run in which the server took none, stops the run."""
    said = text if isinstance(text, bytes) else text.encode("utf-8", "replace")
    if not (code in (530, 535) or (code >= 500 and REFUSES_US.search(said))):
        return None
    reply = f"{code} {said.decode('utf-8', 'replace')}"
    if code not in (530, 535) and taken:
        return Outcome(0, "unsendable", f"the server will not take it for this address: {reply}")
    if code not in (530, 535) and refused + 1 < RELAY_TRIES:
        return Outcome(0, "held", reply)
    raise _refuses_us(reply)


def _refuses_us(reply: str) -> ExternalFailure:
    return ExternalFailure(
        f"the SMTP server refuses to take mail from reportback ({reply}): check "
        "[email] smtp_host, smtp_username and the password; nothing was marked failed, and "
        "`digest send` resumes once it is fixed"
    )


ADDRESS = re.compile(r"5\d\d[ -]5\.1\.\d")
"""A refusal after DATA that blames the address (5.1.x); any other (`554 5.7.1`, `552 5.3.4`)
is the message's, not a bounce: it suppressed every member (adversary helper 61)."""


def _classify(job: Job, code: int, text: bytes | str, read: bool = False) -> Outcome:
    """Return a refusal's outcome: a 5xx fails (`read`: one not the address's is the message's)."""
    message = f"{code} {text.decode('utf-8', 'replace') if isinstance(text, bytes) else text}"
    status = "failed" if code >= 500 else "deferred"
    if status == "failed" and read and not ADDRESS.match(message):
        status = "unsendable"
    return Outcome(job.row, status, message.strip())


def _reset(conn: smtplib.SMTP | None) -> smtplib.SMTP | None:
    if conn is None:
        return None
    try:
        conn.rset()
        return conn
    except (smtplib.SMTPException, OSError):
        _close(conn)
        return None


HANDS, CUT = "handing", "cut"  # told as a message is handed over, and if it is cut off


def _either(handing: Report, report: Report, outcome: Outcome) -> None:
    (handing if outcome.status in (HANDS, CUT) else report)(outcome)


def _told(done: queue.Queue[Handed], recorded: threading.Event, outcome: Outcome) -> None:
    """Give the main thread an outcome (or "handing": before a message is handed over) to
    record, and wait until it is recorded."""
    recorded.clear()
    done.put((outcome, recorded))
    recorded.wait()


def _close(conn: smtplib.SMTP | None) -> None:
    if conn is None:
        return
    try:
        conn.quit()
    except (smtplib.SMTPException, OSError):
        conn.close()


def _hand(
    todo: queue.Queue[Job | None],
    job: Job | None,
    done: queue.Queue[Handed],
    report: Report,
    failures: list[BaseException],
) -> bool:
    """Put `job` (None: stop) in the queue, reporting outcomes while it is full; return
    whether it went in before a connection failed (a stop always goes in)."""
    while True:
        failures += _drain(done, report)
        if failures and job is not None:
            return False
        try:
            todo.put_nowait(job)
            return True
        except queue.Full:  # every connection busy: record the next outcome as it comes
            failures += _drain(done, report, wait=0.05)


def _drain(done: queue.Queue[Handed], report: Report, wait: float = 0.0) -> list[BaseException]:
    """Report every outcome waiting, letting its connection go on; return the failures found
    (connections that stopped)."""
    failures: list[BaseException] = []
    try:
        item, recorded = done.get(timeout=wait) if wait else done.get_nowait()
        while True:
            try:
                if isinstance(item, BaseException):
                    failures.append(item)
                else:
                    report(item)
            finally:
                recorded.set()
            item, recorded = done.get_nowait()
    except queue.Empty:
        return failures
