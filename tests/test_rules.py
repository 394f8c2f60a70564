"""One test per fail-closed rule: exit code 1, the exact `file:line: message`, nothing published."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from reportback.checking import limits
from reportback.output.templates import default_dir
from reportback.pandoc import worker

from .conftest import NOW, Result, report, site_text
from .test_property import PNG

Cli = Callable[..., Result]
Project = Callable[[dict[str, str | bytes]], Path]
NEAR_MISS = (
    "looks like a withholding mark but is not one; write exactly {.confidential} or "
    "{.members} (lower case), or rename it"
)
HEAD = "---\ntitle: T\nmeeting: NEC\nmeeting_date: 2016-09-20\n---\n\n"  # body starts on line 7


ENDS = (
    " (a section marked on its heading runs to the next heading like it, or to the end of "
    "the file: before definitions at the end, a heading such as ## Notes ends it)"
)


def refused(cli: Cli, root: Path, *expected: str) -> None:
    """Assert that check and build both refuse with exactly `expected` and publish nothing."""
    for command in ("check", "build"):
        args = [command] if command == "check" else [command, "--now", NOW]
        result = cli(*args)
        assert result.code == 1, result.err
        lines = result.err.strip().splitlines()
        assert lines[:-1] == list(expected)
        assert lines[-1].startswith("refused: ")
    assert not (root / "site").exists()


def test_front_matter_not_yaml(cli: Cli, project: Project) -> None:
    root = project({"reports/a.md": '---\ntitle: "open\nmeeting: NEC\n---\nbody\n'})
    refused(
        cli, root, "reports/a.md:4: front matter is not valid YAML: found unexpected end of stream"
    )


@pytest.mark.parametrize(
    ("head", "said"),
    [  # honest user helper 171: no word of the curly quotes, nor of the no-break space
        ("title: “NEC report: March”\n", "reports/a.md:2: front matter is not valid YAML: "
         "mapping values are not allowed here: a value holding ': ' must be in quotes (title: "
         "\"NEC: January\"); straight ones: a word processor's “…” are not quotes to YAML"),
        ("title: T\nmeeting:\u00a0NEC\n", "reports/a.md:3: front matter is not valid YAML: could "
         "not find expected ':': a no-break space after a key's colon; type a plain space"),
    ],
)  # fmt: skip
def test_front_matter_a_word_processor_wrote_says_what_to_retype(
    cli: Cli, project: Project, head: str, said: str
) -> None:
    text = f"---\n{head}meeting_date: 2016-09-20\n---\nx\n"
    if "meeting:" not in head:
        text = text.replace("meeting_date", "meeting: NEC\nmeeting_date")
    root = project({"reports/a.md": text})
    refused(cli, root, said)


def test_a_message_names_a_character_that_shows_nothing(cli: Cli, project: Project) -> None:
    """Honest user helper 171: `'{.confi\\xaddential}'` said nothing of which to retype."""
    text = (
        "---\ntitle: T\nmeeting: NEC\nmeeting_date: 2016-09-20\n---\n\n## A {.confi\u00addential}\n"
    )
    project({"reports/a.md": text})
    result = cli("check")
    assert result.code == 1 and "[soft hyphen]" in result.err and "\\xad" not in result.err


def test_front_matter_unknown_key_typo(cli: Cli, project: Project) -> None:
    text = "---\ntitle: T\nmeeting: NEC\nmeeting_date: 2016-09-20\nconfidental: true\n---\nx\n"
    root = project({"reports/a.md": text})
    refused(cli, root, "reports/a.md:5: unknown key 'confidental' (did you mean 'confidential'?)")


def test_front_matter_missing_key_and_wrong_types(cli: Cli, project: Project) -> None:
    text = (
        "---\ntitle: 2016\nmeeting_date: 20/09/2016\nconfidential: 'yes'\n"
        "clps: [nowhere]\nstatus: published\n---\nx\n"
    )
    root = project({"reports/a.md": text})
    refused(
        cli,
        root,
        "reports/a.md:1: missing required key 'meeting'",
        "reports/a.md:2: title must be a non-empty string",
        "reports/a.md:3: meeting_date must be a date (YYYY-MM-DD)",
        "reports/a.md:4: confidential must be true or false",
        "reports/a.md:5: unknown CLP slug 'nowhere' in clps",
        "reports/a.md:6: status must be one of: final, draft",
    )


def test_a_list_written_as_one_value_says_how_to_write_it(cli: Cli, project: Project) -> None:
    """Honest user helper 169: `clps: witney` said only "must be a list of strings"."""
    text = "---\ntitle: T\nmeeting: NEC\nmeeting_date: 2016-09-20\nclps: witney\n---\nx\n"
    root = project({"reports/a.md": text})
    refused(cli, root, "reports/a.md:5: clps must be a list of strings (write [witney])")


def test_a_front_matter_key_given_no_value_is_refused(cli: Cli, project: Project) -> None:
    """Adversary helper 115: `publish_at:` left empty published at once, `clps:` reached every
    CLP (`clps: []` is refused), `meeting_date:` made the meeting's day the first of year 1."""
    text = (
        "---\ntitle: T\nmeeting: NEC\nmeeting_date:\npublish_at:\nclps: ~\nregions: null\n"
        "tags:\n  # to do\ncorrections: ~\n---\nx\n"
    )
    root = project({"reports/a.md": text})
    refused(
        cli,
        root,
        "reports/a.md:4: meeting_date has no value: give the day of the meeting (YYYY-MM-DD)",
        "reports/a.md:5: publish_at has no value: give the embargo's date and time (e.g. "
        "2016-09-21T09:00:00+01:00), or leave the line out to publish at once",
        "reports/a.md:6: clps has no value: name the CLPs it concerns, or leave the line out to "
        "reach them all",
        "reports/a.md:7: regions has no value: name the regions it concerns, or leave the line "
        "out to reach them all",
        "reports/a.md:8: tags has no value: name its tags, or leave the line out",
        "reports/a.md:10: corrections has no value: list them, or leave the line out",
    )


@pytest.mark.parametrize("escape", ["\\v", "\\u001e", "\\f", "\\a", "\\e", "\\x7f", "\\N"])
def test_a_control_character_written_as_a_yaml_escape_is_refused(
    cli: Cli, project: Project, escape: str
) -> None:
    """Adversary helper 166: `summary: "The NEC met\\vConfidential: Jo Zqcs was expelled"` was
    published as `metConfidential: …` (the character dropped, the label no longer read as one),
    in every page's description and feed; in a title, tags or a correction's note too."""
    text = (
        "---\ntitle: T\nmeeting: NEC\nmeeting_date: 2016-09-20\n"
        f'summary: "The NEC met{escape}Confidential: Jo Zqcs was expelled"\n'
        f'tags: ["budget{escape}confidential"]\n---\nx\n'
    )
    root = project({"reports/a.md": text})
    result = cli("build", "--now", "2016-10-01T09:00:00+00:00")
    assert result.code == 1 and not (root / "site").exists(), result.err
    for line in (5, 6):
        assert f"reports/a.md:{line}: " in result.err and "control character" in result.err


def test_a_title_of_invisible_characters_only_is_refused(cli: Cli, project: Project) -> None:
    """Adversary helper 166: a title of zero-width spaces was published, blank."""
    text = '---\ntitle: "\\u200b\\u200b"\nmeeting: NEC\nmeeting_date: 2016-09-20\n---\nx\n'
    root = project({"reports/a.md": text})
    refused(
        cli,
        root,
        "reports/a.md:2: title must be a non-empty string (it holds only invisible characters)",
    )


@pytest.mark.parametrize(
    ("entry", "said"),
    [  # adversary helper 129: said at line 1, or twice, the second time in general words
        ("{date: 2016-09-21, note: [a]}", "reports/a.md:5: note must be a non-empty string"),
        ("{date: 2016-13-01, note: x}", "reports/a.md:5: date 2016-13-01 is not a day of"),
    ],
)
def test_a_correction_is_refused_once_at_its_line(
    cli: Cli, project: Project, entry: str, said: str
) -> None:
    text = (
        f"---\ntitle: T\nmeeting: NEC\nmeeting_date: 2016-09-20\ncorrections: [{entry}]\n---\nx\n"
    )
    project({"reports/a.md": text})
    result = cli("check")
    assert result.code == 1 and result.err.startswith(said), result.err
    assert len(result.err.splitlines()) == 2, result.err  # the problem, and the summary


def test_front_matter_duplicate_key(cli: Cli, project: Project) -> None:
    text = "---\ntitle: T\nmeeting: NEC\nmeeting_date: 2016-09-20\ntitle: U\n---\nx\n"
    root = project({"reports/a.md": text})
    refused(cli, root, "reports/a.md:5: duplicate key 'title'")


def test_publish_at_needs_offset(cli: Cli, project: Project) -> None:
    text = HEAD.replace("---\n\n", "publish_at: 2016-09-21 09:00\n---\nx\n")
    root = project({"reports/a.md": text})
    refused(
        cli, root, "reports/a.md:5: publish_at needs a UTC offset, e.g. 2016-09-21T09:00:00+01:00"
    )


def test_missing_front_matter(cli: Cli, project: Project) -> None:
    root = project({"reports/a.md": "# Just a heading\n"})
    refused(
        cli, root, "reports/a.md:1: missing front matter: the file must start with a '---' line"
    )


def test_unclosed_fence_is_refused(cli: Cli, project: Project) -> None:
    root = project({"reports/a.md": HEAD + "ok\n\n::: confidential\nsecret\n"})
    refused(cli, root, "reports/a.md:9: unclosed ::: fence: this fenced div is never closed")


def test_stray_fence_is_refused(cli: Cli, project: Project) -> None:
    root = project({"reports/a.md": HEAD + "::: members\nm\n:::\n:::\n\npublic\n"})
    refused(cli, root, "reports/a.md:10: stray ::: fence: it closes no fenced div")


def test_other_pandoc_warning_is_refused(cli: Cli, project: Project) -> None:
    body = "Text[^1].\n\n[^1]: one\n\n[^1]: two\n"
    root = project({"reports/a.md": HEAD + body})
    refused(cli, root, "reports/a.md:11: pandoc: Duplicate note reference '1'")


@pytest.mark.parametrize(
    ("markdown", "what"),
    [
        ("## Item {.confidental}\n\nx\n", "class .confidental"),
        ("## Item {.Confidential}\n\nx\n", "class .Confidential"),
        ("::: {confidential=true}\nx\n:::\n", "attribute confidential=true"),
        ("::: private\nx\n:::\n", "class .private"),
        ("Text [x]{.member} y\n", "class .member"),
        ("Text [x]{.secret} y\n", "class .secret"),
        ("## Item {#confidential-item}\n\nx\n", "identifier #confidential-item"),
        ("::: {.withheld}\nx\n:::\n", "class .withheld"),
        ("## Item {.Members}\n\nx\n", "class .Members"),
        ("::: {members=yes}\nx\n:::\n", "attribute members=yes"),
        ("::: {audience=members}\nx\n:::\n", "attribute audience=members"),
        ("Text [x]{.members-only} y\n", "class .members-only"),
        ("Text [x]{.con-fidential} y\n", "class .con-fidential"),
        ("Text [x]{.membres} y\n", "class .membres"),
        ("## Item {#Confidental}\n\nx\n", "identifier #Confidental"),
        ("Text [x]{#secret} y\n", "identifier #secret"),
        ("Text [x]{data-level=private} y\n", "attribute data-level=private"),
    ],
)
def test_near_miss_marks_are_refused(cli: Cli, project: Project, markdown: str, what: str) -> None:
    root = project({"reports/a.md": HEAD + markdown})
    refused(cli, root, f"reports/a.md:7: {what} {NEAR_MISS}")


def test_mark_on_unsupported_element(cli: Cli, project: Project) -> None:
    root = project({"reports/a.md": HEAD + "```{.confidential}\ncode\n```\n"})
    refused(
        cli,
        root,
        "reports/a.md:7: .confidential only works on a heading, a fenced div or a [span]; "
        "not on a code block",
    )


def test_an_image_address_pandoc_reads_unescaped_is_named_at_its_line(
    cli: Cli, project: Project
) -> None:
    """Adversary helper 102: `img\\..\\x.png` reads as `img..\\x.png`, so it was named at
    the body's first line."""
    root = project({"reports/a.md": HEAD + "Text.\n\n![pic](img\\..\\..\\x.png)\n"})
    refused(cli, root, "reports/a.md:9: image 'img....\\\\x.png' not found")


def test_raw_html_around_markdown_the_readers_end_apart_is_named_so(
    cli: Cli, project: Project
) -> None:
    """Adversary helper 101: `<details>` with Markdown inside, in a report with a mark, was
    refused with advice about blank lines, lists and tables, none of which helps."""
    body = "Public [a name]{.confidential}.\n\n<details><summary>More</summary>\n\nText.\n\n"
    project({"reports/a.md": HEAD + body + "</details>\n",
             "reportback.toml": "[redaction]\nallow_raw_html = true\n"})  # fmt: skip
    result = cli("check")
    assert result.code == 1, result.err
    assert "reports/a.md:11: pandoc's two readers read the raw HTML here differently" in (
        result.err
    ), result.err
    assert "write it in Markdown instead" in result.err


def test_clps_on_a_div_is_named_at_the_div_not_an_earlier_headings_clps(
    cli: Cli, project: Project
) -> None:
    """Adversary helper 102: it was named at the earlier heading's line."""
    body = '## Item {clps="aldershot"}\n\nText.\n\n::: {.confidential clps="bedford"}\nx\n:::\n'
    root = project({"reports/a.md": HEAD + body})
    refused(cli, root, "reports/a.md:11: clps= only works on a heading")


def test_a_mark_on_an_image_is_named_at_the_image_not_an_earlier_mark(
    cli: Cli, project: Project
) -> None:
    """Adversary helper 78: the problem was named at the first `{.confidential}` heading."""
    body = "## Panel {.confidential}\n\nBody.\n\n## Public\n\n![alt](pic.png){.confidential}\n"
    root = project({"reports/a.md": HEAD + body, "reports/pic.png": PNG})
    refused(
        cli,
        root,
        "reports/a.md:13: .confidential only works on a heading, a fenced div or a [span]; "
        "not on an image",
    )


def test_reason_without_mark(cli: Cli, project: Project) -> None:
    root = project({"reports/a.md": HEAD + '## Item {reason="Legal"}\n\nx\n'})
    refused(
        cli, root, "reports/a.md:7: reason= needs .confidential or .members on the same element"
    )


def test_footnote_defined_in_withheld_used_outside(cli: Cli, project: Project) -> None:
    body = "Public claim[^a].\n\n::: confidential\nSecret.\n\n[^a]: Secret source.\n:::\n"
    root = project({"reports/a.md": HEAD + body})
    refused(
        cli,
        root,
        "reports/a.md:12: footnote [^a] is written inside confidential material but used in "
        "public material; move the definition out or the reference in" + ENDS,
    )


def test_link_defined_in_withheld_section_used_outside(cli: Cli, project: Project) -> None:
    body = (
        "See [the paper][p].\n\n## Legal {.members}\n\n[p]: https://example.org/secret-paper\n\n"
        "## Next\n\nMore.\n"
    )
    root = project({"reports/a.md": HEAD + body})
    refused(
        cli,
        root,
        "reports/a.md:11: link definition [p] is written inside members material but used in "
        "public material; move the definition out or the reference in" + ENDS,
    )


def test_definition_used_in_members_from_confidential(cli: Cli, project: Project) -> None:
    body = "::: members\nFor members[^c].\n:::\n\n::: confidential\n[^c]: Secret.\n:::\n"
    root = project({"reports/a.md": HEAD + body})
    refused(
        cli,
        root,
        "reports/a.md:12: footnote [^c] is written inside confidential material but used in "
        "members material; move the definition out or the reference in" + ENDS,
    )


def test_definitions_used_inside_their_own_material_are_fine(cli: Cli, project: Project) -> None:
    body = (
        "::: confidential\nSecret[^s] and [doc][d].\n\n[^s]: Hidden.\n\n[d]: https://x.org/\n:::\n"
    )
    project({"reports/a.md": HEAD + body + "\nPublic.[^p]\n\n[^p]: Public note.\n"})
    assert cli("check").code == 0


@pytest.mark.parametrize("mark", ["members", "confidential"])
def test_a_public_definition_that_starts_with_a_withheld_span_is_published_without_it(
    cli: Cli, project: Project, mark: str
) -> None:
    """A definition is where its line starts: `[^a]: [Jo]{.members} …` is public, its span
    withheld (it was refused as written inside withheld material; adversary helper 101)."""
    body = f"Opening with a note[^a] and more.\n\n[^a]: [Zqspan]{{.{mark}}} starts the note.\n"
    root = project({"reports/a.md": HEAD + body})
    result = cli("build", "--now", NOW)
    assert result.code == 0, result.err
    shown = dict(site_text(root / "site"))
    assert any("starts the note" in text for text in shown.values())
    assert not [path for path, text in shown.items() if "zqspan" in text.casefold()]


@pytest.mark.parametrize(
    ("markdown", "message"),
    [
        ("<details>open me</details>\n", "raw HTML is not allowed ('<details>')"),
        ("Text <b>bold</b>.\n", "raw HTML is not allowed ('<b>')"),
        (
            "```{=html}\n<script>x()</script>\n```\n",
            "raw HTML is not allowed ('<script>x()</script>')",
        ),
        ("```{=latex}\n\\newpage\n```\n", "a raw latex block is not allowed ('\\\\newpage')"),
        (
            "\\begin{center}\nx\n\\end{center}\n",
            "a raw tex block is not allowed ('\\\\begin{center}')",
        ),
    ],
)
def test_raw_material_is_refused(cli: Cli, project: Project, markdown: str, message: str) -> None:
    root = project({"reports/a.md": HEAD + markdown})
    suffix = "; write Markdown, or set [redaction] allow_raw_html = true for HTML"
    refused(cli, root, f"reports/a.md:7: {message}{suffix}")


@pytest.mark.parametrize(
    ("markdown", "shown"),
    [("Text \\QXzz more.\n", "\\\\QXzz"), ("Saved in C:\\Users\\rep today.\n", "\\\\Users")],
)
def test_a_backslash_before_letters_is_named_with_how_to_write_one(
    cli: Cli, project: Project, markdown: str, shown: str
) -> None:
    """Adversary helper 101: an inline typo was "a raw tex block"; helper 117: a Windows path
    was told to set allow_raw_html, which has nothing to do with it."""
    root = project({"reports/a.md": HEAD + markdown})
    refused(cli, root, f"reports/a.md:7: a TeX command (a backslash before letters) is not "
            f"allowed ('{shown}'); write \\\\ for each backslash (C:\\\\Users), or put it in "
            "`code`")  # fmt: skip


def test_raw_html_allowed_by_configuration(cli: Cli, project: Project) -> None:
    config = "[redaction]\nallow_raw_html = true\n"
    root = project({"reportback.toml": config, "reports/a.md": HEAD + "Text <b>bold</b>.\n"})
    assert cli("build", "--now", NOW).code == 0
    assert "<b>bold</b>" in (root / "site/reports/a/index.html").read_text()


def test_comments_inside_allowed_html_are_dropped(cli: Cli, project: Project) -> None:
    """A held-out find: a comment inside a `<pre>` was published in the page and the feeds."""
    config = "[redaction]\nallow_raw_html = true\n"
    body = "Public.\n\n<pre>\nShown.\n<!-- zqcomment remark here -->\n</pre>\n\nMore.\n"
    root = project({"reportback.toml": config, "reports/a.md": HEAD + body})
    assert cli("build", "--now", NOW).code == 0
    page = (root / "site/reports/a/index.html").read_text()
    assert "Shown." in page and "zqcomment" not in page
    assert not any("zqcomment" in p.read_text() for p in (root / "feeds").rglob("*.xml"))


def test_raw_latex_refused_even_when_html_allowed(cli: Cli, project: Project) -> None:
    config = "[redaction]\nallow_raw_html = true\n"
    root = project({"reportback.toml": config, "reports/a.md": HEAD + "```{=latex}\nx\n```\n"})
    assert cli("check").code == 1
    assert not (root / "site").exists()


def test_html_comments_are_dropped_not_refused(cli: Cli, project: Project) -> None:
    body = (
        "Public.\n\n<!-- remember to ask zqcomment about this -->\n\nMore <!-- zqinline --> text.\n"
    )
    root = project({"reports/a.md": HEAD + body})
    assert cli("build", "--now", NOW).code == 0
    page = (root / "site/reports/a/index.html").read_text()
    assert "Public." in page
    assert "zqcomment" not in page
    assert "zqinline" not in page
    assert "<!--" not in page


def test_unknown_region_and_clp_on_heading(cli: Cli, project: Project) -> None:
    body = '## Item {clps="nowhere-north" regions="North West Narnia"}\n\nx\n'
    root = project({"reports/a.md": HEAD + body})
    refused(
        cli,
        root,
        "reports/a.md:7: unknown CLP slug 'nowhere-north' in clps=",
        "reports/a.md:7: unknown region 'Narnia' in regions=",
    )


def test_image_outside_reports_folder(cli: Cli, project: Project) -> None:
    root = project({"reports/a.md": HEAD + "![alt](../secret.png)\n", "secret.png": b"\x89PNG"})
    refused(cli, root, "reports/a.md:7: image '../secret.png' is outside the reports folder")


def test_an_image_of_no_address_is_refused_at_its_line(cli: Cli, project: Project) -> None:
    """Adversary helper 129: `![](<>)` was refused at the body's first line."""
    root = project({"reports/a.md": HEAD + "Text.\n\nMore.\n\n![](<>)\n"})
    refused(cli, root, "reports/a.md:11: image '': only .gif, .jpeg, .jpg, .png, .svg, .webp files")


def test_remote_image_refused(cli: Cli, project: Project) -> None:
    root = project({"reports/a.md": HEAD + "![alt](https://tracker.example/p.png)\n"})
    refused(
        cli,
        root,
        "reports/a.md:7: image 'https://tracker.example/p.png': images must be files inside the "
        "reports folder (save it as a file beside the report, and name that)",
    )


def test_a_picture_written_into_the_report_is_named_shortly(cli: Cli, project: Project) -> None:
    """Honest user helper 148: Google Docs' export writes a picture as `data:` in a link
    definition; the message quoted all of it."""
    data = "data:image/png;base64," + "iVBORw0KGgo" * 100
    result = (
        cli("check") if project({"reports/a.md": HEAD + f"![x][i]\n\n[i]: <{data}>\n"}) else None
    )
    assert result is not None and result.code == 1
    assert f"image '{data[:60]}…': images must be files inside the reports folder" in result.err
    assert len(result.err) < 400, result.err


def test_every_problem_in_every_report_is_listed(cli: Cli, project: Project) -> None:
    root = project(
        {
            "reports/a.md": HEAD + "::: private\nx\n:::\n",
            "reports/sub/b.md": "---\ntitle: T\nmeeting: NEC\nmeeting_date: bad\n---\n\n:::\n",
            "reports/c.md": report("Fine.\n"),
        }
    )
    refused(
        cli,
        root,
        f"reports/a.md:7: class .private {NEAR_MISS}",
        "reports/sub/b.md:4: meeting_date must be a date (YYYY-MM-DD)",
        "reports/sub/b.md:7: stray ::: fence: it closes no fenced div",
    )


def test_bom_and_crlf_are_accepted(cli: Cli, project: Project) -> None:
    text = "\ufeff" + report("Hello from a Windows editor.\n\n::: confidential\nzqsecret\n:::\n")
    root = project({"reports/a.md": text.replace("\n", "\r\n")})
    assert cli("build", "--now", NOW).code == 0
    page = (root / "site/reports/a/index.html").read_text()
    assert "Hello from a Windows editor." in page
    assert "zqsecret" not in page


def test_handles_are_text_not_citations(cli: Cli, project: Project) -> None:
    root = project({"reports/a.md": HEAD + "Thanks to @lukeakehurst and [@someone].\n"})
    assert cli("build", "--now", NOW).code == 0
    page = (root / "site/reports/a/index.html").read_text()
    assert "@lukeakehurst" in page
    assert "[@someone]" in page


@pytest.mark.parametrize(
    ("markdown", "what"),
    [
        ("Text [x]{.ｃｏｎｆｉｄｅｎｔｉａｌ} y\n", "class .ｃｏｎｆｉｄｅｎｔｉａｌ"),
        ("Text [x]{.cоnfidential} y\n", "class .cоnfidential"),  # Cyrillic о
        ("::: {.mémbers}\nx\n:::\n", "class .mémbers"),
    ],
)
def test_look_alike_marks_are_refused(cli: Cli, project: Project, markdown: str, what: str) -> None:
    root = project({"reports/a.md": HEAD + markdown})
    refused(cli, root, f"reports/a.md:7: {what} {NEAR_MISS}")


def test_indented_definition_in_withheld_list_item_used_outside(cli: Cli, project: Project) -> None:
    body = (
        "Public claim[^deep].\n\n"
        "::: confidential\n- item one\n  - nested\n\n    [^deep]: Deeply indented secret note.\n"
        ":::\n"
    )
    root = project({"reports/a.md": HEAD + body})
    refused(
        cli,
        root,
        "reports/a.md:13: footnote [^deep] is written inside confidential material but used in "
        "public material; move the definition out or the reference in" + ENDS,
    )


def test_non_ascii_attribute_values_are_fine(cli: Cli, project: Project) -> None:
    png = (Path(__file__).parent.parent / "reports/images/timetable.png").read_bytes()
    body = '![Map](map.png){title="Ynys Môn" width=50%}\n\n[Caerdydd]{lang=cy-GB}\n'
    project({"reports/a.md": HEAD + body, "reports/map.png": png})
    assert cli("check").code == 0


@pytest.mark.parametrize(
    "markdown",
    [
        "## Membership {#membership}\n\nx\n",
        "## Secrets of success {#secrets-of-success}\n\nx\n",
        '## Survey {title="Members survey results"}\n\nx\n',
        'Text [x]{title="members ballot"} y\n',
        "## Private Members' Bills {#private-members-bill}\n\nx\n",
        "## The General Secretary {#secretary-report}\n\nx\n",
        "## Vote {#vote-of-no-confidence}\n\nx\n",
        "Text [x]{#member-states .smallcaps} y\n",
        'Text [x]{title="Member for Witney" lang=en} y\n',
        '::: {custom-style="Body Text"}\nA paragraph.\n:::\n',
        "## Société {#société}\n\nx\n",
        # adversary helper 133: pandoc's Word reader writes the first two; a Labour policy
        "## Introduction\n\n[]{#_Toc123456 .anchor}The NEC met.\n",
        '::: {custom-style="Quote"}\nA quote.\n:::\n',
        "## All-women shortlists {#women-only-shortlists}\n\nx\n",
        'The [CRL]{title="Confidentiality"} line opened.\n',
        '``` {.numberLines startFrom="1"}\nChapter 4\n```\n',
        "The [Arabic]{dir=RTL lang=ar} text.\n",
        # helper 141: the id pandoc makes of the heading's words, written out
        "## Confidential reporting line {#confidential-reporting-line}\n\nx\n",
    ],
)
def test_ordinary_ids_and_attributes_are_not_near_misses(
    cli: Cli, project: Project, markdown: str
) -> None:
    project({"reports/a.md": HEAD + markdown})
    result = cli("check")
    assert result.code == 0, result.err


@pytest.mark.parametrize(
    ("markdown", "named"),
    [  # adversary helper 129: each was published, all the text under it
        ("## Hearing {.confidentialblock}\n\nJo.\n", "class .confidentialblock looks like"),
        ("::: {.membersitem}\nJo.\n:::\n", "class .membersitem looks like"),
        ("The [Jo]{.semiconfidential} met.\n", "class .semiconfidential looks like"),
        ("The [Jo]{.geheim} met.\n", "class .geheim on a heading, div or span means"),
        ("The [Jo]{.hush} met.\n", "class .hush on a heading, div or span means"),
        ("## Hearing {public=false}\n\nJo.\n", "attribute public= means nothing to"),
        ("::: {visible=false}\nJo.\n:::\n", "attribute visible= means nothing to"),
        ('The [Jo]{data-source="members ballot"} met.\n', "attribute data-source= means"),
        ("The [Jo]{confidentialitem=1} met.\n", "attribute confidentialitem=1 looks"),
        ('See [more]{href="../c/"}.\n', "attribute href= means nothing to"),
        # adversary helper 132: on an id, another element, a title, or a class pandoc keeps
        # for headings, each was published
        ("The [Jo]{#staff-only} met.\n", "identifier #staff-only looks like"),
        ("::: {#membersitem}\nJo.\n:::\n", "identifier #membersitem looks like"),
        ("The [Jo]{#hide-this} met.\n", "identifier #hide-this looks like"),
        ("[Jo](https://example.org){.confidentialitem}\n", "class .confidentialitem looks"),
        ("`Jo`{.confidentialblock}\n", "class .confidentialblock looks like"),
        ("| A |\n|---|\n| Jo |\n\n: Panel {.confidentialtable}\n", "class .confidentialtab"),
        ("[Jo](https://example.org){public=false}\n", "attribute public= means nothing to"),
        ('The [Jo]{title="confidentialitem"} met.\n', "attribute title=confidentialitem"),
        ("## Disputes {.unlisted}\n\nJo.\n", "class .unlisted on a heading, div or span means"),
        ("The [Jo]{-} met.\n", "class .unnumbered on a heading, div or span means"),
        ("The [Jo]{dir=hush} met.\n", "dir='hush' is not a direction"),
        # adversary helper 135: a style's name or a title saying a mark in other words, each
        # published with all under it
        ('The [Jo]{custom-style="Confidential Text"} met.\n', "custom-style=Confidential Text"),
        ('::: {custom-style="Members Only Block"}\nJo.\n:::\n', "custom-style=Members Only"),
        ('The [Jo]{title="members"} met.\n', "attribute title=members looks like"),
        ('::: {title="Secret"}\nJo.\n:::\n', "attribute title=Secret looks like"),
        ('The [Jo]{title="In camera"} met.\n', "attribute title=In camera looks like"),
        ('The [Jo]{title="For members"} met.\n', "attribute title=For members looks like"),
        ('The [Jo]{.smallcaps title="Withheld"} met.\n', "attribute title=Withheld looks"),
    ],
)
def test_a_class_or_key_reportback_does_not_know_is_refused_on_a_part(
    cli: Cli, project: Project, markdown: str, named: str
) -> None:
    """A class or key on a heading, div or span means a mark, pandoc's own feature, or
    nothing; one that means nothing may be a mark in other words, and is refused."""
    project({"reports/a.md": HEAD + markdown})
    result = cli("check")
    assert result.code == 1 and named in result.err, result.err


def test_a_tag_with_a_class_or_id_glued_from_a_marks_word_is_refused(
    cli: Cli, project: Project
) -> None:
    """Adversary helper 132: with raw HTML allowed, `<strong class="confidentialitem">` and
    `<span id="confidentialitem">` were published."""
    body = 'The <strong class="confidentialitem">Jo</strong> <em id="membersitem">Al</em>.\n'
    project(
        {"reports/a.md": HEAD + body, "reportback.toml": "[redaction]\nallow_raw_html = true\n"}
    )
    result = cli("check")
    assert result.code == 1, result.err
    assert "confidentialitem" in result.err and "membersitem" in result.err, result.err


def test_a_word_too_long_to_lay_out_is_refused_at_its_line(cli: Cli, project: Project) -> None:
    """Adversary helper 99: a word of 200,000 characters kept pandoc's Typst writer busy for
    minutes (its time grows with the square of a word's length); the build stopped naming no
    report. A word of MAX_WORD characters, and a long link's address, are published."""
    word = "w" * limits.MAX_WORD
    long_link = f"[the papers](https://example.org/{'p' * 5000})"
    root = project({"reports/a.md": f"{HEAD}The panel met.\n\n{word}\n\n{long_link}\n"})
    assert cli("build", "--now", NOW).code == 0
    assert word in (root / "site/reports/a/index.html").read_text()
    project({"reports/a.md": f"{HEAD}The panel met.\n\nSee {word}x here.\n"})
    for args in (["check"], ["build", "--now", NOW]):
        result = cli(*args)
        assert result.code == 1
        assert result.err.startswith(
            "reports/a.md:9: a word of 1,001 characters with no space: pandoc takes minutes to "
            "lay out such a word in the PDF; break it up (at most 1,000)\n"
        )
    assert word in (root / "site/reports/a/index.html").read_text()  # as it was


def test_a_report_pandoc_cannot_write_in_time_is_named(
    cli: Cli, project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A report pandoc takes too long to write (a shape not yet known to be slow) stops the
    build with a message naming it (adversary helper 99: it named none)."""
    root = project({"reports/a.md": f"{HEAD}The panel met.\n"})
    assert cli("build", "--now", NOW).code == 0  # its check is kept: not made again
    typst = (default_dir() / "report.typ").read_text()
    project({"templates/report.typ": f"{typst}\n// the PDFs are made again\n"})
    monkeypatch.setattr(worker, "TIMEOUT", 0.0)
    result = cli("build", "--now", NOW)
    assert result.code == 3
    assert "reports/a.md: pandoc did not finish one report in 0 s" in result.err
    assert (root / "site/reports/a/a.pdf").is_file()  # as it was


RAW_COMMENT = (
    "is not allowed ('<!-- zqsecret -->'): write a comment as <!-- … --> alone (it is dropped), "
    "or set [redaction] allow_raw_html = true"
)
EMPTY = (
    "is empty: it withholds nothing, and what it was meant to withhold may follow it, "
    "published (a fence closed at once, `[ ]` marked); put the words inside it, or take the "
    "mark out"
)


@pytest.mark.parametrize(
    ("markdown", "expected"),
    [  # adversary helper 114: a raw block holding only a comment passed (the comment dropped)
        ("Text.\n\n```{=html}\n<!-- zqsecret -->\n```\n", f"9: a raw html block {RAW_COMMENT}"),
        ("Text.\n\n~~~ {=html}\n<!-- zqsecret -->\n~~~\n", f"9: a raw html block {RAW_COMMENT}"),
        ("> ```{=html}\n> <!-- zqsecret -->\n> ```\n", f"7: a raw html block {RAW_COMMENT}"),
        ("Text `<!-- zqsecret -->`{=html} more.\n", f"7: `…`{{=html}} {RAW_COMMENT}"),
        # and `- [ ]{.members} Jo's task` printed "[withheld]" for nothing and published the
        # task; a fence closed at once published what followed it
        ("Text.\n\n::: confidential\n:::\nzqsecret.\n", f"9: this marked fenced div {EMPTY}"),
        ("Text.\n\n::: {.members}\n\n<!-- to do -->\n\n:::\n\nzqsecret.\n",
         f"9: this marked fenced div {EMPTY}"),
        ("- [ ]{.members} zqsecret call Jo\n- [x] done\n", f"7: this marked [span] {EMPTY}"),
        ("Text.\n\nWe [word]{.members} and []{.confidential} zqsecret.\n",
         f"9: this marked [span] {EMPTY}"),
        ("Text [&nbsp;]{.confidential} zqsecret.\n", f"7: this marked [span] {EMPTY}"),
        ("Text [\\ <!-- x -->]{.members} zqsecret.\n", f"7: this marked [span] {EMPTY}"),
        # adversary helper 120: characters that show nothing, written as entities
        ("Text [&#8203;]{.members} zqsecret.\n", f"7: this marked [span] {EMPTY}"),
        ("Text.\n\n::: members\n&#8203;\n:::\n\nzqsecret.\n", f"9: this marked fenced div {EMPTY}"),
        # and what shows nothing though pandoc reads an element: a rule, an empty list,
        # quote or heading, empty code, an empty span of another class
        ("Text.\n\n::: members\n***\n:::\n\nzqsecret.\n", f"9: this marked fenced div {EMPTY}"),
        ("Text.\n\n::: members\n- \n:::\n\nzqsecret.\n", f"9: this marked fenced div {EMPTY}"),
        ("Text.\n\n::: members\n#\n:::\n\nzqsecret.\n", f"9: this marked fenced div {EMPTY}"),
        ("Text [` `]{.members} zqsecret.\n", f"7: this marked [span] {EMPTY}"),
        ("Text [[]{.smallcaps}]{.members} zqsecret.\n", f"7: this marked [span] {EMPTY}"),
    ],
)  # fmt: skip
def test_a_raw_block_holding_a_comment_or_a_mark_on_nothing_is_refused(
    cli: Cli, project: Project, markdown: str, expected: str
) -> None:
    """What the contract refuses whatever it holds (a raw block), and a mark that withholds
    nothing while what it was meant to withhold follows it, published."""
    root = project({"reports/a.md": HEAD + markdown})
    refused(cli, root, f"reports/a.md:{expected}")


def test_a_mark_on_an_image_or_code_alone_withholds_it(cli: Cli, project: Project) -> None:
    body = "Text [`zqcode`]{.members} and [$x^2$]{.confidential} end.\n"
    root = project({"reports/a.md": HEAD + body})
    assert cli("build", "--now", NOW).code == 0, cli("check").err
    assert "zqcode" not in site_text(root)


@pytest.mark.parametrize(
    ("front", "expected"),
    [
        ("title: NEC report: January 2017\n", "reports/a.md:2: front matter is not valid YAML: "
         "mapping values are not allowed here: a value holding ': ' must be in quotes (title: "
         '"NEC: January")'),
        ("title: T\nregions: [yorkshire-and-the-humber]\n", "reports/a.md:3: unknown region "
         "'yorkshire-and-the-humber' in regions (did you mean 'Yorkshire and the Humber'?)"),
        ("title: T\nregions: [yorkshire]\n", "reports/a.md:3: unknown region 'yorkshire' in "
         "regions (did you mean 'Yorkshire and the Humber'?)"),
        ("title: T\nregions: [Atlantis]\n", "reports/a.md:3: unknown region 'Atlantis' in "
         "regions (the regions: East Midlands, Eastern, London, North East, North West, "
         "Scotland, South East, South West, Wales, West Midlands, Yorkshire and the Humber)"),
    ],
)  # fmt: skip
def test_front_matter_mistakes_are_named_with_their_fix(
    cli: Cli, project: Project, front: str, expected: str
) -> None:
    """Adversary helper 117: an unquoted colon in a title was only "mapping values are not
    allowed here"; a region written as its slug, or unknown, got no suggestion."""
    text = f"---\n{front}meeting: NEC\nmeeting_date: 2016-09-20\n---\nx\n"
    refused(cli, project({"reports/a.md": text}), expected)


def test_an_indented_heading_with_a_mark_is_said_to_be_text_to_pandoc(
    cli: Cli, project: Project
) -> None:
    """Adversary helper 135: `   ## Cases {.confidential}` is a heading to CommonMark and text
    to pandoc; refused, its first message says why the mark was read as text."""
    project({"reports/a.md": HEAD + "The NEC met.\n\n   ## Cases {.confidential}\n\nJo.\n"})
    result = cli("check")
    assert result.code == 1
    first = result.err.splitlines()[0]
    assert first.startswith("reports/a.md:9: '{.confidential}' looks like a withholding mark")
    assert first.endswith("a heading's # starts its line (indented, pandoc reads it as text)")


@pytest.mark.parametrize(
    ("body", "said"),
    [
        (
            "```{=latex}\n\\newpage\n```\n",
            "a raw latex block is not allowed ('\\\\newpage'); write Markdown\n",
        ),
        (
            "Text `zebra quux`{=latex} here.\n",
            "a raw latex block is not allowed ('zebra quux'); write Markdown\n",
        ),
    ],
)
def test_a_raw_block_of_another_format_says_only_markdown_is_published(
    cli: Cli, project: Project, body: str, said: str
) -> None:
    """Adversary helper 138: with raw HTML allowed, a raw LaTeX block was told to allow raw
    HTML; and inline raw LaTeX without a backslash was called a TeX command."""
    toml = "[redaction]\nallow_raw_html = true\n"
    project({"reports/a.md": HEAD + body, "reportback.toml": toml})
    result = cli("check")
    assert result.code == 1 and f"reports/a.md:7: {said}" in result.err, result.err


@pytest.mark.parametrize(
    ("heading", "word"),
    [
        ("## Hearing on [5 may]{.confidential} {#hearing-on-5-may}", "5"),
        ("## Appeal of [jo zqsmith]{.confidential} {#appeal-of-jo-zqsmith}", "jo"),
        ("## Appeal of [zqsmith]{.members} {#appealofzqsmith}", "zqsmith"),
    ],
)
def test_a_headings_id_spelled_from_the_words_it_withholds_is_refused(
    cli: Cli, project: Project, heading: str, word: str
) -> None:
    """Adversary helper 142: in lower case, or a date, one or two withheld words in a heading
    went out in the id written for it (too few for the audit's runs; the check read only
    capitalised names). An id of the heading's words shown (`{#item}`) is fine."""
    root = project({"reports/a.md": HEAD + f"Met.\n\n{heading}\n\nHeard.\n"})
    said = f"reports/a.md:9: identifier #{heading.split('{#')[1][:-1]} is spelled from words "
    refused(cli, root, said + f"the heading withholds ({word}), and is published wherever "
            "the heading is: name it from its words shown")  # fmt: skip
