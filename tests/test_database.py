"""The state database's helpers: one transaction that commits or rolls back, and a
connection that is closed whatever happens."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from reportback import database


class Refused(Exception):
    """Raised inside a block to see what the helper does with it."""


def _events(state: Path) -> list[str]:
    """Return the events' messages as another connection sees them (committed ones only)."""
    other = sqlite3.connect(state / "state.sqlite")
    try:
        return [m for (m,) in other.execute("SELECT message FROM events ORDER BY id")]
    finally:
        other.close()


def _insert(db: sqlite3.Connection, message: str) -> None:
    db.execute(
        "INSERT INTO events (at, kind, message) VALUES ('2026-11-22T12:00:00+00:00', 'test', ?)",
        (message,),
    )


def test_atomic_commits_a_block_that_ends_and_rolls_back_one_that_raises(tmp_path: Path) -> None:
    with database.opened(tmp_path) as db:
        with database.atomic(db):
            _insert(db, "kept")
            _insert(db, "kept too")
        assert not db.in_transaction
        assert _events(tmp_path) == ["kept", "kept too"]
        with pytest.raises(Refused), database.atomic(db):
            _insert(db, "lost")
            raise Refused
        assert not db.in_transaction
        assert _events(tmp_path) == ["kept", "kept too"]
        with database.atomic(db):  # the connection is usable after a rollback
            _insert(db, "after")
    assert _events(tmp_path) == ["kept", "kept too", "after"]


def test_atomic_holds_the_write_lock_from_its_first_statement(tmp_path: Path) -> None:
    with database.opened(tmp_path) as db, database.atomic(db):
        other = sqlite3.connect(tmp_path / "state.sqlite", timeout=0)
        try:
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")
        finally:
            other.close()


def test_opened_closes_the_connection_when_the_block_raises(tmp_path: Path) -> None:
    with pytest.raises(Refused), database.opened(tmp_path) as db:
        db.execute("SELECT 1").fetchone()
        raise Refused
    with pytest.raises(sqlite3.ProgrammingError, match="closed"):
        db.execute("SELECT 1")
    with database.opened(tmp_path) as db:
        pass
    with pytest.raises(sqlite3.ProgrammingError, match="closed"):
        db.execute("SELECT 1")


def test_an_interrupt_after_the_transaction_ended_is_raised_as_it_is(tmp_path: Path) -> None:
    """An adversary helper's finding: Ctrl-C at the wrong instant of a send stopped it with
    "the state database failed: cannot rollback - no transaction is active" (exit 3): the
    interrupt came when no transaction was open, and the rollback raised instead."""
    db = database.connect(tmp_path)
    with pytest.raises(KeyboardInterrupt), database.atomic(db):
        db.execute("INSERT INTO clock VALUES (7)")
        db.execute("COMMIT")  # as if the interrupt came just after the block's COMMIT
        raise KeyboardInterrupt
    assert db.execute("SELECT n FROM clock WHERE n = 7").fetchone() == (7,)
