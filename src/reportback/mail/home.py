"""Where a state folder is at home: a copy of a project must not send, nor take members in
(each copy has a ledger of its own: both would mail every digest still due, and an
unsubscribe taken by one would not reach the other: stop 61's note, adversary helper 174)."""

from __future__ import annotations

from reportback import database
from reportback.config import Config
from reportback.errors import InputRefused, problem


def at_home(config: Config, moved: bool = False, what: str = "sends nothing") -> None:
    """Raise InputRefused if the state folder is at home elsewhere; `moved`, make it at home
    here (refused if a state folder at home there is still there: a copy)."""
    state = config.path("state")
    if (state / database.FILE).is_file() or moved:
        other = database.move_home(state) if moved else database.elsewhere(state)
        if other is not None:
            raise _copied(config, other, moved, what)


def _copied(config: Config, other: str, moved: bool, what: str) -> InputRefused:
    if moved:
        message = (f"a state folder at home there is still at {other}: a copy, not a move, "
                   "and both would send; delete or move that one first")  # fmt: skip
    else:
        message = (f"this state folder is at home at {other}, not here: a copy of a project "
                   f"{what} (both would mail every digest still due). If you moved it, stop "
                   "its daemon and cron job there and run `reportback digest send --moved` "
                   "here once")  # fmt: skip
    state = config.path("state") / database.FILE
    done = "nothing was sent" if what == "sends nothing" else "nothing was changed"
    return InputRefused([problem(state, 1, message)], outcome=done)
