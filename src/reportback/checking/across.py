"""Names one report withholds, in what another publishes unread: its file name, `id:`, ids,
decisions, link titles and addresses, tags (`spelled` finds each report's names)."""

from __future__ import annotations

import re

from reportback.checking.spelled import SHORTEST, SQUEEZED_SHORTEST, Naming, compared_words
from reportback.errors import Problem, problem, shown_path
from reportback.model import Source


def named_across(reports: list[tuple[Source, Naming]]) -> list[Problem]:
    """Return a problem for each file name, `id:`, public id, decision, link title or address
    of a report that holds a name another report withholds from the public, which it does
    not itself show (written with a capital): the name would be in every address of it, or
    its page, votes or feeds (`…-canaryfield-appeal-outcome.md`, `{#canaryfield}`,
    `decision="Canaryfield appeal upheld"` after a report withholding `[Jo Canaryfield]`; one
    or two words are too few for the audit's runs: adversary helpers 159 and 160). Words are
    compared as `spelled` compares them: whole, in the plural, or run together."""
    public = set().union(*(n.shown.split() for s, n in reports if not s.meta.confidential))
    owners: dict[str, Source] = {}
    for source, naming in reports:
        for word in set(naming.withheld.split()) - public:  # one another report shows is public
            owners.setdefault(word, source)
    if not owners:
        return _tagged(reports, public, set())
    longest = sorted((w for w in owners if len(w) >= SQUEEZED_SHORTEST), key=len, reverse=True)
    long = re.compile("|".join(map(re.escape, longest)) or "(?!)")
    problems: list[Problem] = []
    said: set[tuple[Source, str]] = set()  # the tags said to hold a name
    for source, naming in reports:
        shown = set(naming.shown.split()) if naming.unseen else set()
        for line, what, value in naming.unseen:
            tokens = [t for t in compared_words(value) if t]
            found = [t for t in tokens if t in owners or (t[:-1] in owners and t.endswith("s"))]
            found += long.findall("".join(tokens))
            hits = [w.removesuffix("s") if w not in owners else w for w in found]
            hits = [w for w in hits if len(w) >= SHORTEST and not w.isdigit()
                    and owners[w] is not source and w not in shown]  # fmt: skip
            if hits:
                said |= {(source, value)} if what == "the tag " else set()
                problems.append(problem(shown_path(source.path), _at(source, line, what), (
                    f"{what}{value} holds {hits[0]!r}, a name {shown_path(owners[hits[0]].path)} "
                    "withholds: it would be published in this report's addresses, page or "
                    "record; write it from public words"
                )))  # fmt: skip
    return problems + _tagged(reports, public, said)


def _tagged(
    reports: list[tuple[Source, Naming]], public: set[str], said: set[tuple[Source, str]]
) -> list[Problem]:
    """Return a problem for each tag holding a word only withheld text writes, in any report
    (its own too), a name or not (`Canaryfield was expelled.` or `[jo canaryfield]` withheld,
    `tags: [canaryfield]`: a tag page's address and every feed held it: adversary helper 173),
    unless some report's public text writes it."""
    written = public.union(*(n.public.split() for _, n in reports))  # by any report, any case
    held: dict[str, Source] = {}
    for source, naming in reports:
        for word in set(naming.held.split()) - written:
            held.setdefault(word, source)
    problems = []
    for source, naming in reports:
        for line, what, value in naming.unseen if held else ():
            if what != "the tag " or (source, value) in said:
                continue
            tokens = compared_words(value)
            found = [w for t in tokens for w in (t, t.removesuffix("s")) if w in held]
            if found:
                problems.append(problem(shown_path(source.path), _at(source, line, what), (
                    f"the tag {value} holds {found[0]!r}, which only withheld text writes "
                    f"(in {shown_path(held[found[0]].path)}): it would be published in the "
                    "tag's address and every feed; write it from public words"
                )))  # fmt: skip
    return problems


def _at(source: Source, line: int, what: str) -> int:
    """Return the file line a problem is named at: a tag's at `tags:` (honest user helper
    169: at line 1), read from the file only for a problem, not for every report."""
    if what != "the tag ":
        return line
    head = source.path.read_text(encoding="utf-8", errors="replace").split("\n")
    return next((n for n, text in enumerate(head[: source.body_line], 1)
                 if re.match(r"tags[ \t]*:", text)), line)  # fmt: skip
