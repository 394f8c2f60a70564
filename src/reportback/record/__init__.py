"""The accountability record: the meetings register, decisions and votes, and their pages."""

from pathlib import Path

MEETINGS = "meetings.yaml"
"""The meetings register's file, beside the configuration (`register` reads it)."""


def register_path(root: Path) -> Path:
    """Return the meetings register's path in the project folder `root` (a build reads it:
    a no-op check looks at it without loading the register's reader)."""
    return root / MEETINGS
