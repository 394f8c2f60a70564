"""Publishing a tree: a file recorded as made from a key is kept without being read."""

from __future__ import annotations

from pathlib import Path

from reportback.build.swap import Staging


def _publish(target: Path, record: Path, files: dict[str, tuple[bytes, str]], trust: str) -> None:
    staging = Staging(target, record)
    try:
        for name, (data, key) in files.items():
            staging.add(name, data, key)
        staging.commit(trust)
    finally:
        staging.discard()


def test_a_file_is_kept_by_its_key_only_if_it_is_the_file_recorded(tmp_path: Path) -> None:
    target, record = tmp_path / "feeds", tmp_path / "state/feeds.pickle"
    _publish(target, record, {"a.xml": (b"<a/>", "k1"), "b.xml": (b"<b/>", "k2")}, "t1")
    inode = (target / "a.xml").stat().st_ino

    staging = Staging(target, record)
    assert not staging.reuse("a.xml", "another key", "t1")
    assert not staging.reuse("a.xml", "k1", "another audit")
    assert staging.reuse("a.xml", "k1", "t1")
    (target / "b.xml").write_bytes(b"<B/>")  # changed by hand since: not the file recorded
    assert not staging.reuse("b.xml", "k2", "t1")
    staging.add("b.xml", b"<b/>", "k2")
    assert staging.commit("t1")
    staging.discard()
    assert (target / "a.xml").stat().st_ino == inode  # kept: linked, never rewritten
    assert (target / "b.xml").read_bytes() == b"<b/>"  # made again

    staging = Staging(target, record)
    assert staging.reuse("a.xml", "k1", "t1") and staging.reuse("b.xml", "k2", "t1")
    assert not staging.commit("t1")  # nothing changed
    staging.discard()


def test_an_unreadable_record_keeps_nothing(tmp_path: Path) -> None:
    target, record = tmp_path / "feeds", tmp_path / "feeds.pickle"
    _publish(target, record, {"a.xml": (b"<a/>", "k1")}, "t1")
    record.write_text("{not a store")
    assert not Staging(target, record).reuse("a.xml", "k1", "t1")
