"""Skip a build that cannot change anything: same inputs, same program, outputs untouched.

After each build the manifest records a fingerprint of everything the outputs are made from
(every file a build reads, `read_by_build`, which the daemon watches too; the settings,
reportback's own code and the recorded publications) and the size, modification time and
inode of every published file. The next build is a no-op when the fingerprint is the same,
no embargo has come due since, and every published file is exactly as the build left it.
A build is deterministic (tested byte for byte), so the outputs it would write are the ones
already published, and those were audited when they were written.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from reportback import database
from reportback.cache import code_fingerprint, load_stored, save_stored
from reportback.clps import directory_file
from reportback.config import Config
from reportback.output.template_folders import folders
from reportback.record import register_path

VERSION = 1


@dataclass(frozen=True)
class Manifest:
    fingerprint: str
    built_at: str
    next_embargo: str | None
    files: dict[str, list[int]]
    result: dict[str, Any]


def read_by_build(config: Config) -> list[Path]:
    """Return every file and folder a build reads: the reports (and their images), the
    templates (the project's, then reportback's own), the configuration file given, the CLP
    directory unless the bundled one, and the meetings register. Some may not exist."""
    paths = [config.path("reports"), *folders(config.path("templates"))]
    if config.file is not None:
        paths.append(config.file)
    if (clps := directory_file(config)) is not None:
        paths.append(clps)
    paths.append(register_path(config.root))  # the record's register
    return paths


def files_read(config: Config) -> list[Path]:
    """Return every file a build reads (`read_by_build`), each folder's in order of name."""
    return [path for read in read_by_build(config) for path in sorted(_files(read))]


def inputs(config: Config, drafts: object) -> str:
    """Return a hash of the files and settings a build reads (read before it starts)."""
    h = hashlib.sha256(code_fingerprint().encode())
    h.update(repr((config, drafts)).encode())
    for path in files_read(config):
        h.update(b"\0" + os.fsencode(path) + b"\0")  # a name not UTF-8 too (`check` names it)
        with path.open("rb") as handle:  # a piece at a time: an image may be large
            while piece := handle.read(1 << 20):
                h.update(piece)
    return h.hexdigest()


def fingerprint(config: Config, inputs_fingerprint: str) -> str:
    """Return the build's fingerprint: its inputs and the publications recorded in the state."""
    db = database.connect(config.path("state"))
    try:
        rows = db.execute("SELECT * FROM reports ORDER BY id").fetchall()
    except sqlite3.Error:
        rows = []
    finally:
        db.close()
    return hashlib.sha256(f"{inputs_fingerprint}\0{rows!r}".encode()).hexdigest()


def _files(folder: Path) -> list[Path]:
    if folder.is_file():
        return [folder]
    return [p for p in folder.rglob("*") if p.is_file()] if folder.is_dir() else []


def snapshot(folders: list[Path]) -> dict[str, list[int]]:
    """Return size, modification time and inode of every file under `folders`."""
    files: dict[str, list[int]] = {}
    for folder in folders:
        for root, _, names in os.walk(folder):
            for name in names:
                path = os.path.join(root, name)  # noqa: PTH118 (as str(Path(root) / name), quicker)
                st = os.stat(path)  # noqa: PTH116 (a str path: no Path made per file)
                files[path] = [st.st_size, st.st_mtime_ns, st.st_ino]
    return files


def path_for(config: Config, site: Path, feeds: Path) -> Path:
    """Return where the manifest of a build into `site` and `feeds` is kept: named by where
    they are from the project's folder, so that a project copied or moved whole, or its
    state folder moved, keeps it (by their full paths, a copy held every report back from
    digests as changed: helper 116; by their place from the state folder, a state folder
    moved did: helper 123)."""
    where = [os.path.relpath(p.resolve(), config.root.resolve()) for p in (site, feeds)]
    name = hashlib.sha256("\0".join(where).encode()).hexdigest()[:16]
    return config.path("state") / "manifests" / f"{name}.pickle"


def published(config: Config) -> dict[str, str]:
    """Return the reports the last build published (on the site now), each with the hash of
    the file it was published from."""
    last = load(path_for(config, config.path("site"), config.path("feeds")))
    return dict(last.result.get("sources", ())) if last is not None else {}


def load(path: Path) -> Manifest | None:
    return load_stored(path, VERSION, Manifest)


def last_build(config: Config, inputs_print: str, now: datetime) -> Manifest | None:
    """Return the manifest of the last build, if a build at `now` from inputs fingerprinted
    `inputs_print` would publish nothing new; otherwise None."""
    folders = [config.path("site"), config.path("feeds")]
    before = load(path_for(config, *folders))
    same = unchanged(before, fingerprint(config, inputs_print), now, folders)
    return before if same and _same_day(config, before, now) else None


def record(config: Config, inputs_print: str, now: datetime, next_embargo: datetime | None,
           result: dict[str, Any]) -> None:  # fmt: skip
    """Record the manifest of a build from inputs fingerprinted `inputs_print` (as read before
    it started), with its `result`."""
    folders = [config.path("site"), config.path("feeds")]
    after = Manifest(
        fingerprint=fingerprint(config, inputs_print),
        built_at=now.isoformat(),
        next_embargo=next_embargo.isoformat() if next_embargo else None,
        files=snapshot(folders),
        result=result,
    )
    save(path_for(config, *folders), after)


def _same_day(config: Config, before: Manifest | None, now: datetime) -> bool:
    """Return whether the last build was made on the same local day as `now`, or the
    record's pages could not differ (no register: every meeting in it has a report)."""
    if not register_path(config.root).exists():
        return True
    zone = ZoneInfo(config.site.timezone)
    built = datetime.fromisoformat(before.built_at) if before is not None else None
    return built is not None and built.astimezone(zone).date() == now.astimezone(zone).date()


def unchanged(old: Manifest | None, print_: str, now: datetime, folders: list[Path]) -> bool:
    """Return whether a build at `now` with fingerprint `print_` would publish nothing new."""
    if old is None or old.fingerprint != print_:
        return False
    if now < datetime.fromisoformat(old.built_at):
        return False  # built "in the past" (--now): the embargo decisions may differ
    if old.next_embargo is not None and now >= datetime.fromisoformat(old.next_embargo):
        return False
    return snapshot(folders) == old.files


def save(path: Path, manifest: Manifest) -> None:
    save_stored(path, VERSION, manifest)
