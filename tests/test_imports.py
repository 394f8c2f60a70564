"""Imports that point one way, and commands that load only what they use."""

from __future__ import annotations

import ast
import re
from pathlib import Path


def test_no_two_subpackages_import_each_other() -> None:
    package = Path(__file__).resolve().parents[1] / "src/reportback"
    imports: dict[str, set[str]] = {}
    for path in package.rglob("*.py"):
        parts = path.relative_to(package).parts
        if len(parts) < 2:
            continue  # a top-level module: imported by any subpackage
        found = imports.setdefault(parts[0], set())
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):  # lazy ones too
            names = [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            names += [a.name for a in node.names] if isinstance(node, ast.Import) else []
            for name in names:
                inner = name.split(".")
                if inner[0] == "reportback" and len(inner) > 1 and inner[1] != parts[0]:
                    found.add(inner[1])
    both = sorted(
        f"{a} <-> {b}" for a in imports for b in imports[a] if a < b and a in imports.get(b, ())
    )
    assert both == []


def test_only_the_subscriber_store_writes_subscribers_and_suppressed() -> None:
    package = Path(__file__).resolve().parents[1] / "src/reportback"
    write = re.compile(r"(?:INSERT(?: OR \w+)? INTO|UPDATE|DELETE FROM) (subscribers|suppressed)\b")
    writers = {
        str(path.relative_to(package))
        for path in package.rglob("*.py")
        if write.search(path.read_text(encoding="utf-8"))
    }
    assert writers == {"mail/subscribers.py", "database.py"}  # database.py: the migrations
