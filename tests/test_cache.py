"""Cache keys: every list of parts its own key; stores: read back only by the program that
wrote them."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from reportback.cache import code_fingerprint, key, load_stored, save_stored

from .conftest import NOW, Result, report

Cli = Callable[..., Result]
Project = Callable[[dict[str, str | bytes]], Path]


def test_parts_of_different_kinds_or_boundaries_never_share_a_key() -> None:
    lists: list[tuple[object, ...]] = [
        ("ab",), (b"ab",), (["ab"],), ('"ab"',), (b'"ab"',),
        ("a", "b"), ("ab", ""), ("", "ab"), (b"a", "b"), ("a", b"b"),
        (1,), ("1",), (b"1",), (None,), ("null",), ("é",), ("é".encode(),),
    ]  # fmt: skip
    keys = [key(*parts) for parts in lists]
    assert len(set(keys)) == len(lists)
    assert keys == [key(*parts) for parts in lists], "the same parts, the same key"


def test_a_store_of_another_version_or_program_or_cut_short_is_ignored(tmp_path: Path) -> None:
    path = tmp_path / "store.pickle"
    save_stored(path, 2, {"a": (1, "é")})
    assert load_stored(path, 2, dict) == {"a": (1, "é")}
    assert load_stored(path, 3, dict) is None, "another version"
    assert load_stored(path, 2, list) is None, "another kind of value"
    assert load_stored(tmp_path / "none.pickle", 2, dict) is None, "no store"
    whole = path.read_bytes()
    path.write_bytes(whole.replace(code_fingerprint().encode(), b"0" * 64))
    assert load_stored(path, 2, dict) is None, "another program"
    for cut in range(len(whole)):
        path.write_bytes(whole[:cut])
        assert load_stored(path, 2, dict) is None, f"cut short at {cut} bytes"


def _stores(state: Path) -> list[Path]:
    """Every file a build keeps in the state folder but the database, the content cache
    (`cache/KIND/XX/KEY`) and the search index's shards (`cache/search/SITE/SHARD-KEY/`), named
    by keys that cover the program."""
    search = state / "cache" / "search"
    return sorted(
        p
        for p in state.rglob("*")
        if p.is_file()
        and p.name != "state.sqlite"
        and p.suffix != ".lock"
        and p.parent.name != p.name[:2]
        and search not in p.parents
    )


def _outputs(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for folder in (root / "site", root / "feeds")
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_a_builds_stores_cut_short_or_from_another_program_only_cost_time(
    cli: Cli, project: Project
) -> None:
    body = (
        "Public text.\n\n## Legal advice {.confidential}\n\nzqsecret advice given in confidence\n"
    )
    root = project({"reports/2016-09-20-nec.md": report(body)})
    assert cli("build", "--now", NOW).code == 0
    published = _outputs(root)
    stores = _stores(root / ".reportback")
    names = [p.relative_to(root / ".reportback").parts[:2] for p in stores]
    assert names == [
        ("cache", "audit"), ("cache", "audit"), ("cache", "audit"), ("cache", "feeds.pickle"),
        ("cache", "pdftext"), ("cache", "program"), ("manifests", names[6][1]),
        ("published", "feeds.pickle"),
        ("published", "site.pickle"),
    ]  # fmt: skip
    mark = f" {code_fingerprint()}\n".encode()
    assert all(mark in p.read_bytes()[:100] for p in stores), "each marked by this program"
    for damage in (
        lambda data: data[: len(data) // 2],
        lambda data: data.replace(code_fingerprint().encode(), b"0" * 64, 1),
    ):
        for path in stores:
            path.write_bytes(damage(path.read_bytes()))
        built = cli("build", "--now", NOW, "--timings")
        assert built.code == 0 and " audit: " in built.err, "built again, not a no-op"
        assert _outputs(root) == published


def test_a_build_empties_a_cache_another_program_filled(cli: Cli, project: Project) -> None:
    root = project({"reports/2016-09-20-nec.md": report("Public text.\n")})
    cache = root / ".reportback" / "cache"
    assert cli("build", "--now", NOW).code == 0
    ours = (cache / "program").read_bytes()
    assert code_fingerprint() in ours.decode()
    kept = sorted(p for p in cache.rglob("*") if p.is_file())
    old = cache / "parse" / "ab" / ("ab" + "0" * 62)  # what an older reportback left
    old.parent.mkdir(parents=True, exist_ok=True)
    old.write_bytes(b"an older program's parse")
    assert cli("build", "--now", NOW).code == 0 and old.exists(), "a no-op keeps its cache"
    (root / "reports/2016-09-20-nec.md").write_text(report("Public text, edited.\n"))
    assert cli("build", "--now", NOW).code == 0 and old.exists(), "so does an edit"

    (cache / "program").write_bytes(ours.replace(code_fingerprint().encode(), b"0" * 64))
    aside = root / ".reportback" / "cache.old-99999"  # left by a crash part way through
    (aside / "render").mkdir(parents=True)
    (aside / "render" / "x").write_bytes(b"left aside")
    published = _outputs(root)
    (root / "reports/2016-09-20-nec.md").write_text(report("Public text, edited again.\n"))
    assert cli("build", "--now", NOW).code == 0
    assert not old.exists() and not aside.exists(), "another program's cache is gone"
    assert (cache / "program").read_bytes() == ours
    now = sorted(p.relative_to(cache).parts[0] for p in cache.rglob("*") if p.is_file())
    assert set(now) == {p.relative_to(cache).parts[0] for p in kept}, "and this one's made"
    assert _outputs(root) != published and b"edited again" in b"".join(_outputs(root).values())


def test_a_cache_folder_holding_more_than_a_cache_is_refused_not_emptied(
    cli: Cli, project: Project
) -> None:
    """Adversary helper 139: `[paths] state` naming a folder of the user's own whose `cache/`
    held their files: the build emptied it, unsaid. What a killed build left half written
    there (`.program.1.2`) is the cache's own."""
    files = {"reports/2016-09-20-nec.md": report("Public text.\n"),
             "mystate/cache/keep.txt": "precious\n", "mystate/cache/.program.12.34": "x",
             "reportback.toml": '[paths]\nstate = "mystate"\n'}  # fmt: skip
    root = project(files)
    result = cli("build", "--now", NOW)
    assert result.code == 1, result.err
    said = "reportback did not write this, and empties its cache folder when it changes"
    assert result.err.startswith(f"mystate/cache/keep.txt:1: {said}: move it away\n")
    assert (root / "mystate/cache/keep.txt").read_text() == "precious\n"
    assert not (root / "site").exists()
    (root / "mystate/cache/keep.txt").unlink()
    assert cli("build", "--now", NOW).code == 0


def test_damaged_records_of_reports_only_cost_time(cli: Cli, project: Project) -> None:
    body = (
        "Public text.\n\n## Legal advice {.confidential}\n\nzqsecret advice given in confidence\n"
    )
    root = project({"reports/2016-09-20-nec.md": report(body)})
    assert cli("build", "--now", NOW).code == 0
    published = _outputs(root)
    cache = root / ".reportback" / "cache"
    for kind in ("checked", "redact", "render"):  # each report's record of each stage
        records = [p for p in (cache / kind).rglob("*") if p.is_file()]
        assert records, kind
        for path in records:
            path.write_bytes(b"\x80\x05garbage")
    for path in (root / ".reportback" / "manifests").rglob("*"):
        path.write_bytes(b"")  # not a no-op: the build runs
    built = cli("build", "--now", NOW, "--timings")
    assert built.code == 0 and " audit: " in built.err, built.err
    assert _outputs(root) == published


def test_a_damaged_redacted_document_stops_the_build_with_a_clear_error(
    cli: Cli, project: Project
) -> None:
    root = project({"reports/2016-09-20-nec.md": report("Public text.\n")})
    assert cli("build", "--now", NOW).code == 0
    published = _outputs(root)
    cache = root / ".reportback" / "cache"
    for kind in ("redacted", "render"):  # its rendering gone, its redacted document damaged
        for path in (p for p in (cache / kind).rglob("*") if p.is_file()):
            path.write_bytes(b"\x80\x05garbage")
    for path in (root / ".reportback" / "manifests").rglob("*"):
        path.write_bytes(b"")
    built = cli("build", "--now", NOW)
    assert built.code == 3 and "damaged entry" in built.err and "Traceback" not in built.err
    assert _outputs(root) == published
