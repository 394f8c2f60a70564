"""Self-service subscriptions: a request is pending until its emailed link is opened.

The request and its queued confirmation are recorded in one transaction, through the
subscriber store and the confirmation queue; confirming, unsubscribing and changing
preferences are the store's own (`mail.subscribers`).
"""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta

from reportback.database import atomic
from reportback.mail import notices, subscribers
from reportback.mail.subscribers import Subscriber
from reportback.model import CADENCES

RESEND_AFTER = timedelta(days=notices.CONFIRM_DAYS)
"""A pending address gets no second confirmation while the first link still works."""


def request(db: sqlite3.Connection, email: str, clp: str, cadence: str, now: datetime) -> bool:
    """Record a subscription request and queue its confirmation; return whether one was.

    Nothing distinguishes the outcomes to the requester: an erased or suppressed address is
    neither stored nor mailed, an active subscriber is told (by email, at most once while a
    confirmation link would work) what it gets and where to change it, and a pending one gets
    nothing more until its first confirmation link has expired. The email is sent apart from
    the request (`notices`), so that no answer takes longer than another.
    """
    assert cadence in CADENCES
    with atomic(db):
        known = subscribers.find_by_email(db, email)
        if subscribers.is_suppressed(db, email):
            return False
        if known is not None and known.status == "active":
            person = subscribers.find_active(db, known.id, email)
            if person is None or notices.sent_lately(
                db, person, notices.ALREADY, now - RESEND_AFTER
            ):
                return False
            notices.queue(db, person, now, notices.ALREADY)
            return True
        if not _asks_anew(known, now):
            return False
        notices.queue(db, subscribers.pend(db, email, clp, cadence, now), now)
    return True


def _asks_anew(known: Subscriber | None, now: datetime) -> bool:
    """Tell whether a request for a known address is one to confirm: never for a bounced
    address (erased stays erased: only the operator brings them back); for a pending one,
    only once its first link has expired."""
    if known is None:
        return True
    if known.status == "pending":
        return datetime.fromisoformat(known.created_at) <= now - RESEND_AFTER
    return known.status != "bounced"
