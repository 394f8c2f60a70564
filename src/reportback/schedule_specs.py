"""The `[schedule]` settings: when the weekly and monthly digests go out."""

from __future__ import annotations

import re
from datetime import time

from reportback.errors import InputRefused, problem

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def weekly_spec(spec: str) -> tuple[int, time]:
    """Return (weekday, time of day) of a weekly spec such as "mon 07:00" (Monday is 0)."""
    match = re.fullmatch(r"(mon|tue|wed|thu|fri|sat|sun)\s+(\d{1,2}:\d{2})", spec.strip().lower())
    if not match or _clock(match.group(2)) is None:
        raise _bad_spec("weekly", spec, '"mon 07:00"')
    return WEEKDAYS.index(match.group(1)), _clock(match.group(2)) or time()


def monthly_spec(spec: str) -> tuple[int, time]:
    """Return (day of month, time of day) of a monthly spec such as "1 07:00"."""
    match = re.fullmatch(r"(\d{1,2})\s+(\d{1,2}:\d{2})", spec.strip())
    if not match or not 1 <= int(match.group(1)) <= 28 or _clock(match.group(2)) is None:
        raise _bad_spec("monthly", spec, '"1 07:00" (a day from 1 to 28)')
    return int(match.group(1)), _clock(match.group(2)) or time()


def _clock(text: str) -> time | None:
    """Return the time of day "HH:MM" names, or None if there is none (25:99)."""
    hours, minutes = text.split(":")
    try:
        return time(int(hours), int(minutes))
    except ValueError:
        return None


def _bad_spec(kind: str, spec: str, example: str) -> InputRefused:
    return InputRefused(
        [problem("reportback.toml", 1, f"[schedule] {kind} = {spec!r} is not like {example}")]
    )
