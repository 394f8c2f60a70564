"""The documentation matches the program: every command and option is in the README."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from reportback.cli import _parser

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def subcommands(
    parser: argparse.ArgumentParser | None = None, prefix: str = ""
) -> dict[str, argparse.ArgumentParser]:
    """Return every command and nested subcommand ("digest send") with its parser."""
    parser = parser or _parser()
    found: dict[str, argparse.ArgumentParser] = {}
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, child in action.choices.items():
                found[prefix + name] = child
                found |= subcommands(child, f"{prefix}{name} ")
    return found


def test_every_command_is_documented() -> None:
    for name in subcommands():
        assert f"`reportback {name}" in README, name


def test_every_option_is_documented() -> None:
    for name, parser in subcommands().items():
        for action in parser._actions:
            for option in action.option_strings:
                if option.startswith("--") and option != "--help":
                    assert option in README, f"{name} {option}"


def test_quick_start_is_exactly_two_commands() -> None:
    block = re.search(r"## Quick start\n.*?```\n(.*?)```", README, re.S)
    assert block is not None
    lines = [line for line in block.group(1).splitlines() if line.strip()]
    assert lines == ['python -m pip install -e ".[dev]" && reportback build', "python -m pytest"]


def test_every_config_key_is_documented() -> None:
    from dataclasses import fields

    from reportback.config import SECTIONS

    for section in ("site", "paths", "feeds", "redaction", "email", "schedule"):
        assert f"[{section}]" in README
        for field in fields(SECTIONS[section]):
            key = field.name.rstrip("_")
            assert re.search(rf"^{key} = ", README, re.M), f"{section}.{key}"
