"""Cache keys: every list of parts its own key."""

from __future__ import annotations

from reportback.cache import key


def test_parts_of_different_kinds_or_boundaries_never_share_a_key() -> None:
    lists: list[tuple[object, ...]] = [
        ("ab",), (b"ab",), (["ab"],), ('"ab"',), (b'"ab"',),
        ("a", "b"), ("ab", ""), ("", "ab"), (b"a", "b"), ("a", b"b"),
        (1,), ("1",), (b"1",), (None,), ("null",), ("é",), ("é".encode(),),
    ]  # fmt: skip
    keys = [key(*parts) for parts in lists]
    assert len(set(keys)) == len(lists)
    assert keys == [key(*parts) for parts in lists], "the same parts, the same key"
