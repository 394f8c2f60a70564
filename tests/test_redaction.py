"""Each mark form withholds its material from every public output, with the right placeholder."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from reportback.model import RedactedReport, Redaction
from reportback.pandoc import json_ast
from reportback.pandoc.worker import Pandoc

from .conftest import NOW, Result, everything, pdf_text, report

Cli = Callable[..., Result]
Project = Callable[[dict[str, str | bytes]], Path]

FORMS = {
    "section": (
        "## Visible before\n\nzqpublicone\n\n"
        '## zqheading secret title {.LEVEL reason="Legal advice"}\n\nzqwithheld body text\n\n'
        "### zqsub heading inside\n\nzqdeeper text\n\n"
        "## Visible after\n\nzqpublictwo\n"
    ),
    "block": (
        'zqpublicone\n\n::: {.LEVEL reason="Legal advice"}\nzqwithheld body text\n\n'
        "- zqlist item\n:::\n\nzqpublictwo\n"
    ),
    "section in a list item": (
        "- zqpublicone opening item\n\n"
        '  ## zqheading secret title {.LEVEL reason="Legal advice"}\n\n  zqwithheld body text\n\n'
        "  ### zqsub heading inside\n\n  zqdeeper text\n\n"
        "- ## Next zqpublictwo and more words in the item\n- and a third item of public words\n"
    ),
    "inline": "zqpublicone and [zqwithheld words here]{.LEVEL} then zqpublictwo\n",
}
PLACEHOLDERS = {
    ("section", "confidential"): ["Confidential item", "Reason: Legal advice"],
    ("section", "members"): ["Item for members", "Reason: Legal advice"],
    ("section in a list item", "confidential"): ["Confidential item", "Reason: Legal advice"],
    ("section in a list item", "members"): ["Item for members", "Reason: Legal advice"],
    ("block", "confidential"): ["Confidential material withheld. Reason: Legal advice"],
    ("block", "members"): ["Material for members withheld. Reason: Legal advice"],
    ("inline", "confidential"): ["[withheld]"],
    ("inline", "members"): ["[withheld]"],
}


@pytest.mark.parametrize("level", ["confidential", "members"])
@pytest.mark.parametrize("form", sorted(FORMS))
def test_mark_withholds_from_public_outputs(
    cli: Cli, project: Project, form: str, level: str
) -> None:
    """A section in a list item ends with its item (held-out round 10: the regions ran it to
    the end of the list, and the build was refused for publishing the next items). The next
    item starts with a heading: one that does not is refused (round 19, `test_written`)."""
    body = FORMS[form].replace("LEVEL", level)
    root = project({"reports/r.md": report(body, title="Title zqtitle")})
    assert cli("build", "--now", NOW).code == 0
    page = (root / "site/reports/r/index.html").read_text()
    pdf = pdf_text(root / "site/reports/r/r.pdf")
    for output in (page, pdf, everything(root / "site")):
        assert "zqpublicone" in output
        assert "zqpublictwo" in output
        for canary in ("zqwithheld", "zqheading", "zqsub", "zqdeeper", "zqlist"):
            assert canary not in output
    for text in PLACEHOLDERS[(form, level)]:
        assert text in page
        assert text in " ".join(pdf.split())
    assert "/Title=Title zqtitle" in pdf
    assert "/Author=The CLP representative" in pdf


def test_pdf_properties_hold_only_allow_listed_keys(cli: Cli, project: Project) -> None:
    body = "Public.\n\n## zqsecret {.confidential}\n\nx\n"
    root = project({"reports/r.md": report(body, author="Rep zqauthor", tags=["zqtag"])})
    assert cli("build", "--now", NOW).code == 0
    props = pdf_text(root / "site/reports/r/r.pdf").split("\n")
    props = [p for p in props if p.startswith("/")]
    assert sorted(p.split("=")[0] for p in props) == ["/Author", "/Creator", "/Title"]
    assert "/Author=Rep zqauthor" in props
    assert not any("zqsecret" in p for p in props)


def _built_without_placeholders(cli: Cli, project: Project, body: str) -> tuple[Path, str]:
    """Build a report of `body` with `placeholders = false`; return the project and its page."""
    toml = "[redaction]\nplaceholders = false\n"
    root = project({"reportback.toml": toml, "reports/r.md": report(body)})
    assert cli("build", "--now", NOW).code == 0
    return root, (root / "site/reports/r/index.html").read_text()


def test_placeholders_can_be_turned_off(cli: Cli, project: Project) -> None:
    body = (
        '## Gone {.confidential reason="Legal"}\n\nx\n\n## Kept\n\n'
        "::: members\ny\n:::\n\nA [b]{.confidential} c.\n"
    )
    root, page = _built_without_placeholders(cli, project, body)
    assert "Kept" in page
    for text in ("Confidential item", "Legal", "[withheld]", 'class="withheld"', "for members"):
        assert text not in page
    for listed in ("site/index.html", "site/reports/r/index.html"):  # helper 147: untrue
        assert "where they are, the report says so" not in (root / listed).read_text()
    (root / "reportback.toml").unlink()
    assert cli("build", "--now", NOW).code == 0
    assert "where they are, the report says so" in (root / "site/index.html").read_text()


def test_without_placeholders_nothing_left_empty_says_where_something_was(
    cli: Cli, project: Project
) -> None:
    """Adversary helper 144: with no placeholders, a list item that was all withheld was left
    empty (`<li></li>`, "2." alone in the PDF), saying where, and how many, were withheld."""
    body = (
        "1. Accounts presented.\n2. [The zqloan was written off.]{.confidential}\n"
        "3. Accounts noted.\n\n- [zqgone]{.confidential}\n\n> [zqquote]{.members}\n\n"
        "::: {#box}\n[zqdiv]{.confidential}\n:::\n\n- [Jo]{.confidential}.\n\n"
        "[Jo]{.confidential}\n:   Zqexpelled from the party.\n\n> Quote.\n>\n> — [Jo]{.members}\n\n"
        "Done.\n"
    )
    root, page = _built_without_placeholders(cli, project, body)
    assert "<li>Accounts presented.</li>\n<li>Accounts noted.</li>\n</ol>" in page
    assert "<p>Quote.</p>\n</blockquote>\n<p>Done.</p>" in page
    assert "<li></li>" not in page and "box" not in page and "Zqexpelled" not in page
    assert "<li>.</li>" not in page and "<p>—" not in page  # (adversary helper 152)
    pdf = pdf_text(root / "site/reports/r/r.pdf")
    assert re.search(r"1\.\s*Accounts presented\.\s*2\.\s*Accounts noted", pdf), pdf


def test_placeholder_texts_are_configurable(cli: Cli, project: Project) -> None:
    texts = (
        'confidential_section = "Item not for publication"\nmembers_section = "For members"\n'
        'confidential_block = "Text removed."\nmembers_block = "Members only."\n'
        'inline = "[…]"\nreason = "({reason})"\n'
    )
    body = '## S {.confidential reason="Legal"}\n\nx\n\n## T\n\nA [b]{.confidential} c.\n'
    root = project({"templates/placeholders.toml": texts, "reports/r.md": report(body)})
    assert cli("build", "--now", NOW).code == 0
    page = (root / "site/reports/r/index.html").read_text()
    assert "Item not for publication" in page
    assert "(Legal)" in page
    assert "[…]" in page


def test_confidential_inside_members_is_withheld_from_members(cli: Cli, project: Project) -> None:
    from reportback.model import Audience

    body = "::: members\nzqmember text [zqnested secret words]{.confidential} more\n:::\n"
    root = project({"reports/r.md": report(body)})
    assert cli("build", "--now", NOW).code == 0
    page = (root / "site/reports/r/index.html").read_text()
    assert "zqmember" not in page
    assert "zqnested" not in page
    members = _version(root, Audience.MEMBERS)
    assert "zqmember" in members
    assert "zqnested" not in members
    assert "[withheld]" in members


def test_whole_report_confidential_appears_nowhere(cli: Cli, project: Project) -> None:
    secret = report("zqbody of the secret report\n", title="zqtitle secret", confidential=True)
    root = project({"reports/2016-09-20-zqslug.md": secret, "reports/p.md": report("Public.\n")})
    assert cli("build", "--now", NOW).code == 0
    text = everything(root / "site")
    for canary in ("zqbody", "zqtitle", "zqslug"):
        assert canary not in text
    assert "Public." in text


def test_withheld_heading_does_not_shape_public_ids(cli: Cli, project: Project) -> None:
    body = (
        "## Budget {.confidential}\n\nx\n\n## Finance\n\nF.\n\n## Budget\n\nPublic budget.\n\n"
        "## zqid {#zqexplicit .members}\n\ny\n"
    )
    root = project({"reports/r.md": report(body)})
    assert cli("build", "--now", NOW).code == 0
    page = (root / "site/reports/r/index.html").read_text()
    assert 'id="budget"' in page
    assert "budget-1" not in page
    assert "zqexplicit" not in page
    assert "zqid" not in page


def test_footnotes_inside_withheld_material_disappear(cli: Cli, project: Project) -> None:
    body = (
        "Public[^p].\n\n[^p]: Public note.\n\n"
        "::: confidential\nSecret[^s].\n\n[^s]: zqnote secret.\n:::\n"
    )
    root = project({"reports/r.md": report(body)})
    assert cli("build", "--now", NOW).code == 0
    page = (root / "site/reports/r/index.html").read_text()
    assert "Public note." in page
    assert "zqnote" not in page
    assert "fn2" not in page  # numbering does not reveal that a note was removed


def _version(root: Path, audience: object) -> str:
    """Render the members version of reports/r.md directly (the site only shows public)."""
    from reportback.model import Audience
    from reportback.pandoc.worker import Pandoc

    assert isinstance(audience, Audience)
    with Pandoc() as pandoc:
        version = _redacted(root, pandoc)
        return pandoc.write(version.versions[audience].ast, ("html5",))["html5"]


def _redacted(root: Path, pandoc: Pandoc) -> Redaction:
    """Check and redact reports/r.md directly."""
    from reportback.build.check_all import read_body
    from reportback.checking.front_matter import load_report
    from reportback.checking.rules import BodyChecker
    from reportback.clps import load_directory
    from reportback.model import Placeholders
    from reportback.redaction.redact import redact

    directory = load_directory()
    source, problems = load_report(root / "reports/r.md", directory, "r.md")
    assert source is not None and not problems
    ast, _, written = read_body(source.body, pandoc)
    checker = BodyChecker(source, "r.md", directory, root / "reports", False)
    assert checker.run(ast, [], written) == []
    return redact(source, ast, checker.images, Placeholders(), directory.regions, written)


ANCHORS = (
    '## Item [zqm]{.members} public words {clps="witney"}\n\nText.\n\n'
    "## Members section {.members}\n\nText.\n\n### Inner {.confidential}\n\nText.\n\n"
    "## Secret {.confidential}\n\nText.\n\n## Later {clps=witney}\n\nText.\n"
)


def test_the_members_version_links_to_the_public_pages_anchors(project: Project) -> None:
    """Held-out round 11: a members' digest linked an item whose heading holds a members
    span to an id made from the members' words (`#item-zqm-public-words`), which the public
    page, made from its own words, does not have."""
    from reportback.model import Audience
    from reportback.pandoc.worker import Pandoc

    root = project({"reports/r.md": report(ANCHORS)})
    with Pandoc() as pandoc:
        redaction = _redacted(root, pandoc)
    public, members = (redaction.versions[a] for a in (Audience.PUBLIC, Audience.MEMBERS))
    assert [i.anchor for i in members.items] == [i.anchor for i in public.items]
    assert public.items[0].anchor == "item-withheld-public-words"

    def ids(version: RedactedReport) -> list[str]:
        return [n["c"][1][0] for n in json_ast.structure(version.ast["blocks"])
                if n["t"] == "Header"]  # fmt: skip

    assert ids(public) == ["item-withheld-public-words", "withheld-1", "withheld-2", "later"]
    ours = ids(members)
    assert ours[:2] == ["item-withheld-public-words", "withheld-1"]  # the members section
    assert ours[3:] == ["withheld-2", "later"]  # the secret's placeholder, as the public's
    assert len(set(ours)) == len(ours), ours  # the inner secret's placeholder is its own


@pytest.mark.parametrize(
    "attrs", ["{.confidential -}", "{- .confidential}", '{.confidential reason="a - b" -}']
)
def test_the_unnumbered_shorthand_beside_a_mark_is_read_by_both_readers(
    cli: Cli, project: Project, attrs: str
) -> None:
    """Adversary helper 60: `-` (pandoc's `.unnumbered`) beside a mark was refused, the two
    readers reading the marks differently; a public `{-}` heading and text `{ - }` pass."""
    body = (
        f"zqpublicone {{ - }} text.\n\n## Disputes {attrs}\n\nzqwithheld appeal papers here\n\n"
        "## Notes {-}\n\nzqpublictwo closing notes.\n"
    )
    root = project({"reports/r.md": report(body)})
    result = cli("build", "--now", NOW)
    assert result.code == 0, result.err
    for output in (pdf_text(root / "site/reports/r/r.pdf"), everything(root / "site")):
        assert "zqpublicone" in output and "zqpublictwo" in output
        assert "zqwithheld" not in output
