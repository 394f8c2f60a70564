"""reportback: report back after every meeting, without leaking what was confidential."""

__version__ = "0.1.0"
