"""What pandoc's reader drops unread (a table's extra cells), joins (a label cut by a comment,
wrapped in a quote or a cell) or makes (an id from withheld words), and front-matter escapes
no output can hold: an adversary helper's round (given the README's rules, not the code)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from reportback.audit.leaks import Auditor, Output, PdfText
from reportback.checking import tables
from reportback.errors import Leak, LeakFound
from reportback.model import Audience

from .conftest import NOW, Result
from .test_property import PNG
from .test_written import FRONT, assert_refused

Cli = Callable[..., Result]
Project = Callable[[dict[str, str | bytes]], Path]
TOO_MANY = "this table row has 3 cells but the table has 2 columns"
HEADER = "| Item | Notes |\n|------|-------|\n"

CUT = {
    "a members span cut by a pipe": HEADER + "| 4 | The chair, [zq Smith | deputy]{.members} |\n",
    "a confidential span cut by a pipe": HEADER + "| 4 | [zq panel | x]{.confidential} |\n",
    "no outer pipes": "Item | Notes\n--|--\n4 | The chair, [zq Smith | deputy]{.members}\n",
    "in a quote": "> | a | b |\n> |---|---|\n> | c | [zq x | y]{.members} |\n",
    "in a list item": "- | a | b |\n  |---|---|\n  | c | [zq x | y]{.members} |\n",
    "an escaped backslash before a pipe": HEADER + "| 4 | p \\\\| [zq x]{.members} |\n",
    "a code span left open": HEADER + "| 4 | `open | [zq x]{.members} |\n",
}


@pytest.mark.parametrize("case", sorted(CUT))
def test_a_row_with_more_cells_than_columns_is_refused(
    cli: Cli, project: Project, case: str
) -> None:
    """Pandoc drops the cells after the last column: the mark went with them, and the words
    before the `|` were published everywhere (HTML, PDF, feeds, search, digests)."""
    text = FRONT + "---\n\nMet.\n\n" + CUT[case]
    line = 9 + CUT[case].count("\n") - 1
    assert_refused(cli, project({"reports/a.md": text}), line, TOO_MANY, "as \\|")


def test_pipes_that_split_no_cell_are_fine(cli: Cli, project: Project) -> None:
    rows = "| 4 | `a|b`, ``c|`d`` and \\| kept |\n| 5 |\n| 6 | x |\n"
    root = project({"reports/a.md": FRONT + "---\n\nMet.\n\n" + HEADER + rows})
    result = cli("build", "--now", NOW)
    assert result.code == 0, result.err
    page = (root / "site/reports/a/index.html").read_text()
    assert "a|b" in page and "c|`d" in page and "| kept" in page


@pytest.mark.parametrize(
    ("row", "count"),
    [("| a | b |", 2), ("a | b", 2), ("|a|b|c|", 3), ("| a \\| b |", 1), ("| `|` | x |", 2),
     ("| a \\\\| b |", 2), ("|", 1), ("| `` ` | `` | x", 2), ("| ` | x", 2)],
)  # fmt: skip
def test_cells_are_counted_as_pandoc_splits_them(row: str, count: int) -> None:
    assert tables.cells(row) == count


def test_a_lone_surrogate_in_the_front_matter_is_refused_not_a_traceback(
    cli: Cli, project: Project
) -> None:
    """`title: "\\ud800"` (a YAML escape) crashed the PDF's compile with a traceback; then it
    was dropped, joining the words around it; now it is refused at its key's line, as every
    character no output can show is (adversary helper 166)."""
    head = '---\ntitle: "Report \\ud800 from the NEC"\nmeeting: "NEC \\udfff"\n'
    head += 'meeting_date: 2016-09-20\nsummary: "x \\ud83d y"\ntags: ["a\\ud800"]\n---\n\n'
    root = project({"reports/a.md": head + "Met.\n"})
    result = cli("build", "--now", NOW)
    assert result.code == 1 and "Traceback" not in result.err, result.err
    for line, key in ((2, "title"), (3, "meeting"), (5, "summary"), (6, "tags")):
        assert f"reports/a.md:{line}: {key} holds a control character" in result.err, result.err
    assert not (root / "site").exists()


def test_a_link_to_an_id_made_from_withheld_words_is_refused(cli: Cli, project: Project) -> None:
    """`check` passed and `build` failed in Typst, naming the withheld words: the heading's
    id, made from all its words, was the link's target, and the public heading has no such id
    (an adversary helper's finding)."""
    body = "Met.\n\n## Item [zq expulsion]{.members}\n\nHeard.\n\n"
    body += "## Next\n\nSee [it](#item-zq-expulsion).\n"
    root = project({"reports/a.md": FRONT + "---\n\n" + body})
    assert_refused(cli, root, 15, "an id made from a heading's words some of which are")
    fine = body.replace("{.members}\n", "{.members} {#item}\n").replace(
        "#item-zq-expulsion", "#item"
    )
    (root / "reports/a.md").write_text(FRONT + "---\n\n" + fine)
    result = cli("build", "--now", NOW)
    assert result.code == 0, result.err
    assert 'href="#item"' in (root / "site/reports/a/index.html").read_text()


JOINED = {
    "a label in a table's second cell": "| Item | Notes |\n|---|---|\n| 4 | Confidential: zq |\n",
    "members only in a second cell": "| Item | Notes |\n|---|---|\n| 4 | Members only – zq |\n",
    "a phrase wrapped in a quote": "> The names are not for\n> publication zq.\n",
    "a phrase wrapped in a quote in a quote": "> > The names are not for\n> > publication zq.\n",
    "a phrase wrapped in a quoted item": "- > The names are not for\n  > publication zq.\n",
    "a phrase wrapped in a grid cell": (
        "+----------------+-----+\n| a              | b   |\n+================+=====+\n"
        "| The names are  | x   |\n| not for        | y   |\n| publication zq | z   |\n"
        "+----------------+-----+\n"
    ),
    "a word cut by a comment": "Confi<!-- x -->dential: zq names.\n",
    "a word cut by an empty span": "Confi[]{}dential: zq names.\n",
    "a heading's label cut by a comment": "## Disputes – Confi<!-- -->dential\n\nzq.\n",
    "a label after a sentence": "The panel met. Confidential: zq names.\n",
    "a lead-in holding a footnote": "Item 4[^1] – Confidential: zq.\n\n[^1]: A note.\n",
    "a lead-in holding a span": "Item [4]{.x} – Confidential: zq.\n",
    "a lead-in holding an image": "Item ![](x.png) – Confidential: zq.\n",
    "a Greek lunate sigma for c": "\u03f2onfidential: zq.\n",
    "a Latin iota for l": "Members on\u0269y: zq.\n",
    "an Armenian colon": "Confidential\u0589 zq.\n",
    "an Arabic letter mark in a heading's label": "## Disputes – confi\u061cdential\n\nzq.\n",
    "a musical format character": "## Panel (members \U0001d173only)\n\nzq.\n",
    "a shorthand format character": "Strictly con\U0001bca0fidential: zq.\n",
    "braille blanks between the words": "Not\u2800for\u2800publication: zq.\n",
    "Hangul fillers between the words": "Not\u3164for\u3164publication: zq.\n",
    "a modifier letter colon": "Confidential\u02d0 zq.\n",
    "an Ethiopic colon": "Confidential\u1361 zq.\n",
    "a two-dot punctuation": "Confidential\u205a zq.\n",
    "a Greek sigma for o": "C\u03c3nfidential: zq.\n",
}  # fmt: skip
WORDED = {
    "for members only": "For members only: zq.\n",
    "for party members only": "For party members only: zq.\n",
    "only for members": "Only for members: zq.\n",
    "a heading for members only": "## Panel (for members only)\n\nzq.\n",
    "highly confidential": "Highly confidential: zq.\n",
    "a heading highly confidential": "## Disputes – highly confidential\n\nzq.\n",
    "commercially confidential": "Commercially confidential: zq.\n",
    "in confidence": "In confidence: zq.\n",
    "off the record": "Off the record: zq.\n",
    "private": "Private: zq.\n",
    "top secret": "Top secret: zq.\n",
    "a confidential item": "Confidential item: zq.\n",
    "confidential to a committee": "Confidential to the committee: zq.\n",
    "confidential until a date": "Confidential until 2027: zq.\n",
    "a note in brackets": "Note (confidential): zq.\n",
    "for internal use only": "For internal use only: zq.\n",
    "not for public release": "Not for public release: zq.\n",
    "must not be published": "This must not be published: zq.\n",
    "a label between stars": "★ CONFIDENTIAL ★ zq.\n",
    "a label and a lock": "Confidential 🔒 zq.\n",
    "two labels": "CONFIDENTIAL / MEMBERS ONLY: zq.\n",
    "members only in Welsh": "Aelodau yn unig – zq.\n",
    "a heading for some members only": "## Disputes (NEC members only)\n\nzq.\n",
    "member's only": "Member's only: zq.\n",
    "in strict confidence": "In strict confidence: zq.\n",
    "privileged and confidential": "Privileged and confidential: zq.\n",
    "commercial in confidence": "Commercial in confidence: zq.\n",
    "off record": "Off record – zq.\n",
    "don't publish": "Don't publish this: zq.\n",
    "not for distribution": "Not for distribution – zq.\n",
    "eyes only": "Eyes only: zq.\n",
    "internal only": "Internal only: zq.\n",
    "a heading, slash confidential": "## Disputes / confidential\n\nzq.\n",
    "a heading, dash secret": "## Disputes – secret\n\nzq.\n",
    "a heading in confidence": "## Disputes (in confidence)\n\nzq.\n",
    "a heading, private in brackets": "## Disputes [private]\n\nzq.\n",
    "a heading off the record": "## Disputes – off the record\n\nzq.\n",
    "a Canadian syllabic for c": "\u1455onfidential: zq.\n",
    "digits for letters": "C0NF1DENT1AL – zq.\n",
    "a digit for a letter in members only": "Members on1y: zq.\n",
    "digits for letters, wrapped": "Names n0t f0r\npublicati0n: zq.\n",
    "an abbreviation": "Conf.: zq.\n",
    "another abbreviation": "Confid. – zq.\n",
    "members abbreviated": "Mbrs only: zq.\n",
    "capitals and no stop": "CONFIDENTIAL The panel heard zq.\n",
    "capitals and no stop, numbered": "1. MEMBERS ONLY Names: zq.\n",
    "capitals after a sentence": "The panel met. CONFIDENTIAL The names were zq.\n",
    "a heading in capitals": "## CONFIDENTIAL Disputes panel\n\nzq.\n",
    "a lead-in of eight words": "Item 4 on the agenda of the day – Confidential: zq.\n",
    "a lead-in with commas": "Item 4, Disputes Panel, Tuesday session — Confidential: zq.\n",
    "a lead-in with brackets": "Item 4 (Disputes, the second one) – Members only: zq.\n",
    "two lead-ins": "Re: item 4: Confidential: zq.\n",
    "a lead-in and a stop": "Item 4 — Confidential. The panel heard zq.\n",
    "a lead-in and capitals": "Item 4 — CONFIDENTIAL The panel heard zq.\n",
    "a lead-in and a symbol": "Item 4 — Confidential ⚠ zq.\n",
    "a lead-in and an abbreviation": "Item 4 – CONF: zq.\n",
    "a lead-in and an arrow": "Item 4 → Confidential: zq.\n",
    "a lead-in and a comma": "Item 4, Confidential: zq.\n",
    "conf and a colon": "Conf: zq.\n",
    "a label in emphasis": "_Members only_ The panel heard zq.\n",
    "confidential information follows": "Confidential information follows: zq.\n",
    "the following is confidential": "The following is confidential: zq.\n",
    "this next part is confidential": "This next part is confidential. zq.\n",
    "not for the public": "Not for the public: zq.\n",
    "non-public": "Non-public: zq.\n",
    "restricted": "Restricted: zq.\n",
    "in camera": "In camera: zq.\n",
    "Chatham House": "Under Chatham House Rule: zq.\n",
    "unpublished": "Unpublished: zq.\n",
    "German": "Vertraulich: zq.\n",
    "French": "Confidentiel : zq.\n",
    "private in capitals": "PRIVATE The panel heard zq.\n",
    "off the record in capitals": "OFF THE RECORD The panel heard zq.\n",
    "a heading, comma confidential": "## Disputes, confidential\n\nzq.\n",
    "a heading, dot confidential": "## Disputes · confidential\n\nzq.\n",
    "a heading, conf. in brackets": "## Disputes (conf.)\n\nzq.\n",
    "a heading, dash CONF": "## Disputes — CONF\n\nzq.\n",
    "l for I": "CONFlDENTIAL: zq.\n",
    "a pipe for l": "Confidentia|: zq.\n",
    "l for i in internal": "lnternal only: zq.\n",
    "rn for m": "Mernbers only: zq.\n",
    "cl for d": "Conficlential: zq.\n",
    "a heading, l for I": "## Disputes – CONFlDENTIAL\n\nzq.\n",
    "misspelt": "Confidental: zq.\n",
    "members misspelt": "Memebers only: zq.\n",
    "eyes only, two words before": "For NEC eyes only: zq.\n",
    # adversary helpers 78 and 79: each was published
    "this part is confidential": "The panel met. This part is confidential. zq.\n",
    "everything after this": "Everything after this is confidential. zq.\n",
    "the rest of this item": "The rest of this item is confidential. zq.\n",
    "this bit, in brackets": "The panel met (this bit is confidential). zq.\n",
    "this part is members-only": "The panel met. This part is members-only. zq.\n",
    "the following is for members": "The following is for members: zq.\n",
    "this item is not public": "This item is not public. zq.\n",
    "must stay in the room": "The following must stay in the room. zq.\n",
    "only you should read this": "Members, only you should read this: zq.\n",
    "in private": "In private: zq.\n",
    "private business": "Private business: zq.\n",
    "a private matter": "Private matter — zq.\n",
    "closed item": "Closed item: zq.\n",
    "closed minute": "Closed minute: zq.\n",
    "sensitive information": "Commercially sensitive information: zq.\n",
    "an off-the-record remark": "Off-the-record remark: zq.\n",
    "not public in German": "Nicht öffentlich: zq.\n",
    "not to be published in Welsh": "Ddim i'w gyhoeddi: zq.\n",
    "Danish": "Fortroligt: zq.\n",
    "Spanish": "Privado: zq.\n",
    "unminuted": "Unminuted: zq.\n",
    "verbal only": "Verbal only: zq.\n",
    "nondisclosable": "Nondisclosable: zq.\n",
    "hush": "Hush: zq.\n",
    "part II business": "Part II business – zq.\n",
    "confidential per": "Confidential per NEC: zq.\n",
    "confidential pending": "Confidential pending appeal: zq.\n",
    "confidential for now": "Confidential for now: zq.\n",
    "confidential at a request": "Confidential at the NEC's request: zq.\n",
    "members only per": "Members only per NEC: zq.\n",
    "secret per": "Secret per NEC: zq.\n",
    "a heading, confidential per": "## Confidential per NEC\n\nzq.\n",
    "a heading, confidential per in brackets": "## Disputes (confidential per NEC)\n\nzq.\n",
    "a heading, do not report": "## Disputes – do not report\n\nzq.\n",
    "a heading, embargo until": "## Disputes (embargo until Friday)\n\nzq.\n",
    "do not report": "Do not report: zq.\n",
    "please don't report this": "Please don't report this: zq.\n",
    "embargo until a day": "Embargo until Friday – zq.\n",
    "between ourselves": "Between ourselves, zq was named.\n",
    "a sentence that is a label": "The panel met. In camera. zq.\n",
    # adversary helper 82: each was published
    "a label after a dash at the end": "The panel expelled zq – confidential\n",
    "members only after a dash at the end": "The panel expelled zq — members only!\n",
    "not public yet at the end": "The panel expelled zq – not public yet.\n",
    "Welsh after a dash at the end": "The panel expelled zq – cyfrinachol.\n",
    "a group's name before the label": "NEC confidential: zq.\n",
    "an intensifier": "Extremely confidential: zq.\n",
    "a note for members only": "Note for members only: zq.\n",
    "a members' update": "Members update: zq.\n",
    "email only": "Members' email only: zq.\n",
    "remove before publishing": "Remove before publishing: zq.\n",
    "a note to mark it": "TODO: make confidential – zq.\n",
    "not in the public version": "Not in the public version: zq.\n",
    "not on the website": "Don't put on the website: zq.\n",
    "asked to keep it confidential": "We were asked to keep this confidential: zq.\n",
    "asked not to share": "I was asked not to share this: zq.\n",
    "the following is embargoed": "The following is embargoed until Friday: zq.\n",
    "the following should not be shared": "The following should not be shared: zq.\n",
    "but that's confidential": "The panel met zq — but that's confidential for now.\n",
    "in confidence and a comma": "In confidence, zq was named.\n",
    "off the record and a comma": "Off the record, zq was named.\n",
    "Welsh, very confidential": "Cyfrinachol iawn: zq.\n",
    "Gaelic": "Rùnach: zq.\n",
    "Irish": "Baill amháin: zq.\n",
    "party use only": "Party use only: zq.\n",
    "strictly embargoed": "Strictly embargoed: zq.\n",
    "hold till": "Hold till Friday: zq.\n",
    "subject to confidentiality": "Subject to confidentiality: zq.\n",
    "private and confidential, short": "Priv & conf: zq.\n",
    "a lock": "The panel met. 🔒 zq.\n",
    "a heading with a lock": "## Disputes 🔒 Members only\n\nzq.\n",
    "AOB before the label": "AOB Confidential: zq.\n",
    # adversary helper 84: each was published
    "a label in square brackets after a lead-in": "The panel met [Confidential: zq].\n",
    "a label glued to a code span": "Public `x`Confidential: zq.\n",
    "a label glued to an angle": "Public >Confidential: zq.\n",
    "a label glued to an angle written as an entity": "Public&gt;Confidential: zq.\n",
    "a label in emphasis after an item's number": "Item 4 *Confidential* The panel zq.\n",
    "for members' eyes": "For members' eyes: zq.\n",
    "exclusive to members": "Exclusive to members: zq.\n",
    "under NDA": "Under NDA: zq.\n",
    "a hush": "Sshh: zq.\n",
    "confidential without vowels": "Cnfdntl: zq.\n",
    # adversary helper 88: each was published
    "a slip of a key, capitals": "CONFIDENTAIL: zq.\n",
    "a slip of a key, swapped": "Confidnetial: zq.\n",
    "a slip of a key, a letter dropped": "Cofidential: zq.\n",
    "a slip in members only": "Mmebers onyl: zq.\n",
    "a slip in secret": "Sercet: zq.\n",
    "a slip in do not publish": "Do not pubilsh: zq.\n",
    "a slip in not for publication": "Not fro publication: zq.\n",
    "a label, a spaced hyphen": "Confidential - the panel expelled zq.\n",
    "a label, a hyphen then a space": "Confidential- the panel expelled zq.\n",
    # adversary helper 96: each was published
    "a note to self to take it out": "Note to self: take this out before sending. zq.\n",
    "not for the public version": "The treasurer zq is leaving (not for the public version).\n",
    "not for the report-back": "The treasurer zq is leaving (not for the report-back).\n",
    "please don't leak this": "Please don't leak this. zq.\n",
    "remember to keep this quiet": "zq was expelled. Please remember to keep this quiet.\n",
    "is this OK to publish?": "zq was expelled (Is this OK to publish?)\n",
    "don't put this bit online": "PS – don't put this bit online. zq.\n",
    "leave it out of the website": "Leave this out of the website version. zq.\n",
    "keep off the website, in brackets": "zq was expelled (keep off website).\n",
    "keep this off the website, after a dash": "zq was expelled – keep this off the website.\n",
    "not for the newsletter": "zq was expelled (not for CLP newsletter).\n",
    "don't spread it around": "Don't spread it around: zq.\n",
    "mum's the word": "Mum's the word: zq.\n",
    "don't tell the press": "Don't tell the press but zq was expelled.\n",
    "I shouldn't say this": "I shouldn't really say this, but zq was expelled.\n",
    "I wasn't supposed to tell": "zq was expelled. I wasn't supposed to tell you that.\n",
    "can't say more publicly": "zq was expelled. Can't say more publicly.\n",
    "for members, not the public": "zq was expelled. This is for members, not the public.\n",
    "told us in confidence": "The General Secretary told us in confidence that zq will go.\n",
    "an editing mark, delete": "[DELETE] zq was expelled.\n",
    "an editing mark, remove": "zq was expelled. (Remove.)\n",
    "an editing mark, cut this": "zq was expelled [cut this]\n",
    "take out before sending": "zq was expelled. (Take out before sending.)\n",
    "take this out, shouted": "zq was expelled !!! take this out !!!\n",
    "check if ok to publish": "TODO check if ok to publish. zq.\n",
    "anonymise before publishing": "zq was expelled (anonymise before publishing)\n",
    "redact the name": "zq was expelled (redact name)\n",
    "mbrs in brackets": "zq was expelled (mbrs)\n",
    "conf in brackets": "zq was expelled (CONF)\n",
    "DNP": "DNP: zq was expelled.\n",
    "unofficially": "Unofficially: zq was expelled.\n",
    "not official yet": "Not official yet: zq was expelled.\n",
    "a hand over the mouth": "zq was expelled \U0001fae2\n",
    "a link's title, do not share": '[The appeal](https://example.org/a "do not share") of zq.\n',
    "a link's title, private": '[The appeal](https://example.org/a "private") of zq.\n',
    "a slip in not for, wrapped": "The panel met (not fro\npublication) zq.\n",
    "cut into syllables": "Con-fi-den-tial: zq.\n",
    "cut by middle dots": "Con\u00b7fi\u00b7den\u00b7tial: zq.\n",
    "cut by an apostrophe": "Con\u2019fidential: zq.\n",
    # adversary helper 170: each was published
    "cut by a space": "Confi dential: zq.\n",
    "cut by a figure space": "Confi\u2007dential: zq.\n",
    "cut by an ogham space": "Confi\u1680dential: zq.\n",
    "cut by a modifier minus": "Confi\u02d7dential: zq.\n",
    "cut by a tatweel": "Confi\u0640dential: zq.\n",
    "members only, joined by a stop": "Members.only: zq.\n",
    "members only, joined by a bullet": "Members\u2022only: zq.\n",
    "members only, joined by a long dash": "Members\u2e3aonly: zq.\n",
    # adversary helper 173: each was published
    "cut by spaces into syllables": "Con fi den tial: zq.\n",
    "cut by spaces elsewhere": "Co nfi dent ial: zq.\n",
    "cut by a slash": "Confi/dential: zq.\n",
    "cut by a comma": "Confi,dential: zq.\n",
    "cut by an ellipsis": "Confi\u2026dential: zq.\n",
    "cut by brackets": "Confi(dential): zq.\n",
    "members only, joined by a plus": "Members+only: zq.\n",
    "members only, a modifier apostrophe": "Members\u02bc only: zq.\n",
    "a code span inside the word": "Confi`d`ential: zq.\n",
    "math inside the word": "Conf$\\text{idential}$: zq.\n",
    "letters drawn alike": "Conf\u0268dential: zq.\n",
    "a body's initials before the noun": "Confidential NEC update: zq.\n",
    "a body's initials, secret": "Secret NEC note: zq.\n",
    "an item's number": "Confidential Item 4: zq.\n",
    "a heading with initials": "## Confidential NEC report\n\nzq.\n",
    "a heading ending in members, bracketed": "## Disputes (members)\n\nzq.\n",
    "a heading: members bit": "## Members bit\n\nzq.\n",
    "keep that to yourselves": "The panel expelled zq. Keep that to yourselves.\n",
    "not to go further": "The panel expelled zq. Not to go further.\n",
    "mustn't go on the website": "The panel expelled zq. This mustn't go on the website.\n",
    "you didn't hear it from me": "The panel expelled zq, but you didn't hear it from me.\n",
    "a zipped mouth": "The panel expelled zq \U0001f910\n",
    "a link's title": '[The panel expelled zq](https://example.org/ "Confidential")\n',
    "abbreviated": "Confi: zq.\n",
    "P+C": "P+C: zq.\n",
    "hush hush": "Hush hush: zq.\n",
    "entre nous": "Entre nous: zq.\n",
    "delete before posting": "Delete before posting: zq.\n",
    "omit from the public report": "Omit from public report: zq.\n",
    "Chatham House rules apply": "Chatham House rules apply: zq.\n",
    "Welsh, for members only": "Ar gyfer aelodau yn unig: zq.\n",
    "Welsh, do not publish": "Peidiwch \u00e2 chyhoeddi: zq.\n",
    "Gaelic without its accent": "Diomhair: zq.\n",
    "Irish, in secret": "Faoi r\u00fan: zq.\n",
    "Polish without accents": "Tylko dla czlonkow: zq.\n",
    "Polish, strictly secret": "\u015aci\u015ble tajne: zq.\n",
    "Urdu, confidential": "\u0631\u0627\u0632\u062f\u0627\u0631\u0627\u0646\u06c1: zq.\n",
    "Punjabi, secret": "\u0a17\u0a41\u0a2a\u0a24: zq.\n",
    "German, private": "Privat: zq.\n",
    # adversary helper 91: each was published
    "an item's name before the label in capitals": "Disputes CONFIDENTIAL: zq.\n",
    "an item's name before the label": "Disputes confidential: zq.\n",
    "a qualifier with a slip of a key": "Stricly confidential: zq.\n",
    "it's confidential": "The panel expelled zq. It's confidential.\n",
    "this is still confidential": "The panel expelled zq. This is still confidential.\n",
    "this isn't public": "The panel expelled zq. This isn't public.\n",
    "this is secret": "The panel expelled zq. This is secret.\n",
    "keep this to yourself": "The panel expelled zq. Keep this to yourself.\n",
    "so please keep this quiet": "The panel expelled zq, so please keep this quiet.\n",
    "a label in capitals at the end": "The panel expelled zq CONFIDENTIAL\n",
    "embargoed til": "Embargoed til Friday: zq.\n",
    "paid-up members only": "Paid-up members only: zq.\n",
    "members and supporters only": "Members & supporters only: zq.\n",
    "comrades-only": "Comrades-only: zq.\n",
    "a note to mark it as confidential": "Mark as confidential: zq.\n",
    "a note to redact it": "Redact this: zq.\n",
    "the members' digest": "Members' digest: zq.\n",
    "not in the public report": "Not in public report: zq.\n",
    "branch officers only": "Branch officers only: zq.\n",
    "for CLPs only": "For CLPs only: zq.\n",
    "confidentially, a slip": "Confidentually, zq.\n",
    "this should not be published": "The panel expelled zq. This should not be published.\n",
    "between commas": "The appeal of zq, confidential for now, was rejected.\n",
    "a heading: private business": "### Private business\n\nzq.\n",
    # review: `none` lets a label say nothing is withheld only as all that follows it
    "a label before a sentence that starts with none": "Confidential: none of the panel backed "
    "zq, who was expelled.\n",
    "a label before a sentence that starts with nothing": "Confidential: nothing was decided "
    "but zq.\n",
    # adversary helper 117's honest wordings pass; these, alike but saying something, do not
    "a label saying none but": "Confidential: none, but zq was expelled.\n",
    "a label saying nothing about": "Confidential: nothing about zq can be said.\n",
    "a label before a number": "Confidential: 0.5 million, zq's debt.\n",
    # review: the false positives mended this stop leave these refused, as they were
    "don't share the following": "Please don't share the following: zq.\n",
    "don't publish the names": "Don't publish the names: zq.\n",
    "conf before a number": "Conf: 3 members, zq among them, were expelled.\n",
    "an embargo on the details": "Embargo on the details: zq.\n",
    "not for now": "Not for now: zq.\n",
    # adversary helper 100: each was published
    "told to us in confidence": "The figures were told to us in confidence: zq.\n",
    "must not leave the room": "This must not leave the room: zq.\n",
    "must not go beyond the committee": "This must not go beyond the committee: zq.\n",
    "don't tweet this": "Don't tweet this: zq.\n",
    "I probably shouldn't say": "I probably shouldn't say this, but zq was expelled.\n",
    "a word struck out inside": "This is not ~~really~~ for publication: zq.\n",
    "an Osage o": "C\U000104eanfidential: zq.\n",
    "a Deseret o": "C\U0001042cnfidential: zq.\n",
    "an Osmanya o": "C\U000104a0nfidential: zq.\n",
    "a Carian m": "\U000102b0embers only: zq.\n",
    "a Warang Citi e, a capital": "Confid\U000118a6ntial: zq.\n",
}  # fmt: skip
NEAR_CLASSES = (
    "in-confidence", "off-record", "offtherecord", "no-publish", "do-not-publish", "dnp",
    "membership-only", "mem", "omit", "exclude", "censored", "strictly", "cyfrinachol",
    "aelodau", "vertraulich", "vertrouwelijk",
)  # fmt: skip


@pytest.mark.parametrize("case", sorted(WORDED))
def test_labels_in_more_wordings_are_refused(cli: Cli, project: Project, case: str) -> None:
    """Each was published (an adversary helper's round): a label qualified (`Highly`, `For`),
    with a word after it (`item`, `until …`), a symbol after it, or in other words."""
    text = FRONT + "---\n\n" + WORDED[case]
    assert_refused(cli, project({"reports/a.md": text}), 7, "says that it is withheld")


@pytest.mark.parametrize(
    "body",
    [
        "The NEC met.\nConfidential: zq was expelled.\n",
        "Update from the GS\nConfidential - zq was expelled.\n",
        "We met.\nconfidential: zq was expelled.\n",
        "## Budget\nconfidential: zq was expelled.\n",
        # adversary helper 118: past the wrapped-sentence reading and a label saying none
        "The panel heard the case\nmembers only: zq was expelled.\n",
        "**The disputes panel**\nmembers only: zq was expelled.\n",
        "The budget was agreed\ncONFIDENTIAL: zq was expelled.\n",
        "The budget was agreed\n*confidential*: zq was expelled.\n",
        "The budget was agreed\nconfidential – zq was expelled.\n",
        "The budget was agreed\nconfidential: none of the panel backed zq.\n",
        "Intro.\nConfidential items: none, as usual, but zq was expelled.\n",
        "Intro.\nConfidential items: none – zq was expelled.\n",
        "Intro.\nCon-\nfidential: zq was expelled.\n",
        "Intro.\nMEM-\nBERS ONLY: zq was expelled.\n",
        # adversary helper 119: past the same, narrowed
        "The general secretary told us\noff the record, zq will be expelled.\n",
        "On the disputes item\nconfidential, pending appeal: zq was expelled.\n",
        "Intro.\nPrivate business: none\t\nexcept that zq was expelled.\n",
        "Intro.\nPrivate business: none;\nexcept that zq was expelled.\n",
        "Intro.\nConfidential items: none\nJo zq was expelled.\n",
        "Intro.\nCon\u2010\nfidential: zq was expelled.\n",
        "Intro.\nCon&shy;\nfidential: zq was expelled.\n",
        "Intro.\nCon-\n*fidential*: zq was expelled.\n",
        "Intro.\nMembers on-\nly: zq was expelled.\n",
        "Intro.\nThis is not for pub-\nlication: zq was expelled.\n",
        "Intro.\nCon- fidential: zq was expelled.\n",
        "Intro.\nCon\u2013fidential: zq was expelled.\n",
    ],
)
def test_a_label_starting_a_line_after_a_stop_or_in_capitals_is_refused_there(
    cli: Cli, project: Project, body: str
) -> None:
    """A word at the start of a line a sentence goes on on (in lower case, after no stop) is
    no label (adversary helper 117); after a stop, a heading, or in capitals, it is."""
    assert_refused(cli, project({"reports/a.md": FRONT + "---\n\n" + body}), 8)


@pytest.mark.parametrize(
    "body",
    [
        "Intro.\n\nThe panel heard the case members only: Zq Bloggs was expelled.\n",
        "Intro.\n\nOn the disputes item, in confidence – Zq Bloggs was expelled.\n",
        "Intro.\n\nThe panel's ruling (confidential): Zq Bloggs was expelled.\n",
        "Intro.\n\nThe last item was embargoed - Zq Bloggs will be expelled.\n",
        "Intro.\n\nThe case, *members-only*: “Zq” was expelled.\n",
        # adversary helper 126: other punctuation, a label in an address
        "Intro.\n\nThe panel heard the case confidential; Zq Bloggs was expelled.\n",
        "Intro.\n\nThe panel's finding was confidential… Zq Bloggs was expelled.\n",
        "Intro.\n\nPanel finding members only → Zq Bloggs was expelled.\n",
        "Intro.\n\nSee https://example.org/confidential: Zq Bloggs was expelled.\n",
    ],
)
def test_a_label_inside_a_sentence_before_what_it_labels_is_refused(
    cli: Cli, project: Project, body: str
) -> None:
    """A label in the middle of a one-line sentence, with what it labels after a colon or a
    dash, was published (adversary helpers 118, 119: left known); not one saying none."""
    assert_refused(cli, project({"reports/a.md": FRONT + "---\n\n" + body}), 9)


@pytest.mark.parametrize(
    "body",
    [
        "Intro.\n\nThe panel's business, confidential: none this month.\n",
        "Intro.\n\nIt was not confidential: anyone may read it.\n",
        "Intro.\n\nSee https://example.org/Confidential:papers for the policy.\n",
        "Intro.\n\nWe reviewed the confidential reporting line: it works.\n",
        # adversary helper 126: refused by a first version
        "Intro.\n\nThe NEC discussed why disciplinary cases are kept confidential: it protects"
        " complainants and respondents alike.\n",
        "Intro.\n\nI can't report on individual cases, which are confidential: I can say that "
        "42 were closed this quarter.\n",
        "Intro.\n\nAnyone can raise a concern in confidence: email the Governance and Legal "
        "Unit.\n",
        "Intro.\n\nThe NEC agreed that hustings would be open to members only – non-members "
        "may watch the livestream.\n",
        "Intro.\n\nThe rulebook says NEC papers are confidential: I follow that rule.\n",
        # helper 141: each passes on one line, and was refused wrapped so
        "Intro.\n\nThe women's conference is open to women\nmembers only.\n",
        "Intro.\n\nThe outcome of each case will stay\nconfidential until the hearing ends.\n",
        "Intro.\n\nThe names of complainants are kept\nconfidential. This protects them.\n",
    ],
)
def test_a_sentence_about_confidentiality_is_published(
    cli: Cli, project: Project, body: str
) -> None:
    project({"reports/a.md": FRONT + "---\n\n" + body})
    result = cli("check")
    assert result.code == 0, result.err


def test_a_marked_heading_after_tab_indented_lines_is_not_read_as_a_label(
    cli: Cli, project: Project
) -> None:
    """Honest user helper 171: after two lines starting with a tab (a table pasted from a
    word processor), `## Strictly confidential {.confidential}` was refused as a label that
    nothing marks: the rule read where each line is in the body as written, the levels
    where it is with its tabs run. An unmarked label after them is still refused."""
    table = "Met.\n\n\tRule change\tVote\n\tChapter 2\tAgreed\n\n"
    root = project({"reports/a.md": FRONT + "---\n\n" + table + "## Strictly confidential "
                    "{.confidential}\n\nZq was expelled.\n\n## Next\n\nText.\n"})  # fmt: skip
    result = cli("check")
    assert result.code == 0, result.err
    (root / "reports/a.md").write_text(FRONT + "---\n\n" + table + "Strictly confidential: zq.\n")
    result = cli("check")
    assert result.code == 1 and "reports/a.md:12: 'Strictly confidential" in result.err, result.err


@pytest.mark.parametrize(
    ("label", "line"),
    [("###### Confidential", 15), ('See [the page](https://example.org "Confidential").', 15),
     ("| Confidential | |\n|---|---|\n| zq | |", 15)],
)  # fmt: skip
def test_a_label_is_named_at_its_own_line_not_at_a_mark(
    cli: Cli, project: Project, label: str, line: int
) -> None:
    """Adversary helper 96: a lone label was named at the line of an earlier heading marked
    `{.confidential}` (the mark's word), and a link's title only there."""
    body = f"## Panel {{.confidential}}\n\nCases.\n\n## Finance\n\nText.\n\n{label}\n"
    result = cli("check") if project({"reports/a.md": FRONT + "---\n\n" + body}) else None
    assert result is not None and result.code == 1, result
    assert f"reports/a.md:{line}: " in result.err, result.err
    assert "reports/a.md:7: " not in result.err, result.err


def test_a_label_with_an_apostrophe_is_refused_once_at_its_line(cli: Cli, project: Project) -> None:
    """Adversary helper 98: `It's confidential.` ending a wrapped paragraph was refused twice,
    once at the paragraph's first line (pandoc had made its apostrophe curly)."""
    body = "Met.\n\nContact the helpline on the\nwebsite. It's confidential.\n"
    result = cli("check") if project({"reports/a.md": FRONT + "---\n\n" + body}) else None
    assert result is not None and result.code == 1, result
    assert "reports/a.md:10: " in result.err and "reports/a.md:9: " not in result.err, result.err


def test_letters_shown_in_another_order_are_refused(cli: Cli, project: Project) -> None:
    """Adversary helper 88: a right-to-left override showed `laitnedifnoC:` as
    `Confidential:`, and it was published."""
    text = FRONT + "---\n\nMet.\n\n\u202elaitnedifnoC\u202c: zq.\n"
    assert_refused(cli, project({"reports/a.md": text}), 9, "right-to-left override")


@pytest.mark.parametrize("case", sorted(JOINED))
def test_a_label_a_reader_joins_or_folds_is_refused(cli: Cli, project: Project, case: str) -> None:
    """Each was published: the line-by-line reading of the source did not see what a reader
    shows (an adversary helper's round)."""
    text = FRONT + "---\n\n" + JOINED[case]
    line = {"a phrase wrapped in a grid cell": 11}.get(case, 9 if "cell" in case else 7)
    assert_refused(cli, project({"reports/a.md": text}), line, "says that it is withheld")


def test_a_label_in_raw_html_is_refused_where_raw_html_is_allowed(
    cli: Cli, project: Project
) -> None:
    config = "[redaction]\nallow_raw_html = true\n"
    text = FRONT + "---\n\nMet.\n\n<p>Confidential: zq names.</p>\n"
    root = project({"reports/a.md": text, "reportback.toml": config})
    assert_refused(cli, root, 9, "says that it is withheld")


@pytest.mark.parametrize(
    "html",
    [  # adversary helper 84: emphasis in raw HTML, with no stop after it, as in Markdown
        "<strong>Confidential</strong> The panel expelled zq.",
        "<em>Members only</em> The panel heard zq.",
    ],
)
def test_a_label_in_emphasis_of_raw_html_is_refused(cli: Cli, project: Project, html: str) -> None:
    config = "[redaction]\nallow_raw_html = true\n"
    root = project({"reports/a.md": FRONT + "---\n\n" + html + "\n", "reportback.toml": config})
    assert_refused(cli, root, 7, "says that it is withheld")


@pytest.mark.parametrize(
    "html",
    [  # adversary helper 76: each published the words it labels
        "<p>Item 4<br>Confidential: zq names.</p>",
        "<p>Item 4<br/>Members only: zq names.</p>",
        '<p title="Confidential: zq names.">The panel met.</p>',
        '<div data-note="members only">\nzq names.\n</div>',
    ],
)
def test_a_label_after_a_break_or_in_an_attribute_of_raw_html_is_refused(
    cli: Cli, project: Project, html: str
) -> None:
    config = "[redaction]\nallow_raw_html = true\n"
    root = project(
        {"reports/a.md": FRONT + "---\n\nMet.\n\n" + html + "\n", "reportback.toml": config}
    )
    assert_refused(cli, root, 9, "says that it is withheld")


def test_labels_about_confidentiality_read_as_shown_are_fine(cli: Cli, project: Project) -> None:
    body = (
        "The vote was held. Confidential ballots were used.\n\n"
        "> Members only need to register\n> once.\n\n"
        "| Item | Notes |\n|---|---|\n| 4 | The confidential reporting policy |\n"
        "| 5 | Vote: members only. |\n\n"
        "Item 4 – [Confidential: zq names]{.confidential}\n\n"
        "Private members' bills were discussed. Secret ballots: agreed.\n\n"
        "CONFIDENTIAL REPORTING LINE: call the office. The 4th and 1st items: agreed.\n\n"
        "Conf. 2027 – Brighton. Confident: the chair was. M25 works: noted.\n\n"
        "Restricted parking near the venue was noted. Conf-call at 7.\n\n"
        "SECRET BALLOT HELD\n\nItem 4 — Confidential reporting line agreed.\n\n"
        "The NEC, which met in London, agreed the timetable.\n\n"
        "Confidential reporting line: call the office. The confidential matters were noted.\n\n"
        "We had full confidence in the chair. For members, the social is free.\n\n"
        "## Private members' bills\n\nAgreed.\n\n## Vote: secret ballot\n\nHeld. Private Eye: a "
        "story. Members-only events were held. Confidentiality: agreed.\n\n"
        "A note.[^2]\n\n[^2]: Second note.\n\n    ::: confidential\n    zq in a note\n    :::\n"
        "\nMembers only for the hustings, please register. This part of the rulebook was "
        "agreed. The rest of the meeting was about the budget. Closed cases: 14. The following "
        "items were agreed: A and B. We do not report on individual cases here. Need to know: "
        "conference is in Liverpool. This item is for members to decide. Between us, "
        "the CLPs raised £5,000. The vote was\nwithheld\nuntil later.\n\nThe IFS report, "
        "embargoed until 00:01 Friday, was discussed. Vote: members only. Tickets £5, members "
        "only. The complaints process, which is confidential, was reviewed. Secret ballots were "
        "used – as ever. The arms embargo motion was agreed – by 30 votes. We condemned "
        "off-the-record briefings. Background: the rule changes date from 2019. Note for "
        "members: the AGM is on 5 May.\n\n## Off-the-record briefings\n\nCondemned.\n\n"
        "The **confidential** reporting line and the `confidential` flag were agreed. The vote "
        "was 3 > 1 in favour. See [the minutes](https://example.org/m) for more.\n\n"
        "Interval: 15 minutes. The embers of the campaign: still warm. Secrets of success: "
        "work. Private Eye: a story. The cost was $x^2$. See [it](https://example.org/ "
        '"Minutes of the meeting").\n\n## Members\n\nListed.\n\n## Report to members\n\nDone.\n\n'
        "Please don't share your ballot paper online. Do not publish your ballot paper on social "
        "media. The hustings are open to all.\n\nNot for profit organisations: consulted.\n\n"
        "Conf: 25-28 September in Liverpool.\n\nConfidential items: none this month.\n\n"
        "Reserved matters: Scotland decides.\n\nEmbargo on arms sales: backed.\n\nDNC: the NEC "
        "heard a fraternal report.\n\nThis is not public policy. Your vote is secret.\n\n"
        "It is not confidential: anyone can read the rule book online. This isn't "
        "confidential – it's in the published accounts. The NEC agreed to remove the clause "
        "before publication of the rulebook. The date of conference hasn't been announced "
        "yet. We will take it out of the budget next year. The leader said he would not "
        "remove anyone. Remove barriers to participation, the report said. Take out a "
        "membership for a friend. I should say this clearly: we won. Unofficial strikes "
        "were discussed. We can't take this out of context. The newsletter went out.\n\n"
        "Private-school fees will carry VAT.\n\nSecret-ballot rules were agreed.\n\n"
        "Staff: confidential-reporting line launched.\n\nA cap on\nprivate-sector rents.\n\n"
        "## Housing – private-sector rents\n\nAgreed.\n\n## Private-Sector Rents\n\nAgreed.\n\n"
        "Please don't share the link to the survey outside your CLP. I will not keep this "
        "quiet.\n\n"
        # adversary helper 117: a label's word at the start of a line a sentence goes on on,
        # and a label saying there is nothing, in more words
        "The panel said the details of individual cases are\nconfidential, as they always "
        "are. The hustings will be open to\nmembers only, as in previous years. The papers, "
        "which were marked\nconfidential, and I summarise only the totals. Members can report "
        "harassment\nin confidence, through the helpline.\n\n"
        "Confidential items: none, as usual.\n\n"
        "Confidential items: none at either meeting.\n\nConfidential items: 0\n\n"
        "Confidential: Nothing to report.\n\nConfidential items: none.\nThe budget was "
        "agreed.\n\nThe well-\nknown member spoke, and a long-\nstanding one, and a non- "
        "member, on the 2016\u20132017 budget, agreed 22\u20138.\n"
    )
    root = project({"reports/a.md": FRONT + "---\n\n" + body})
    result = cli("build", "--now", NOW)
    assert result.code == 0, result.err
    assert "zq" not in (root / "site/reports/a/index.html").read_text()


LINKED = {
    "a page's name": "index.html#vote-on-zq",
    "the folder": "./#vote-on-zq",
    "the path from the site's root": "/reports/a/#vote-on-zq",
    "a full address": "http://localhost:8000/reports/a/#vote-on-zq",
    "another case": "../a/index.html#Vote-On-Zq",
}


@pytest.mark.parametrize("case", sorted(LINKED))
def test_a_link_with_a_path_to_an_id_made_from_withheld_words_is_refused(
    cli: Cli, project: Project, case: str
) -> None:
    """Only links that started with `#` were checked: the id, withheld words and all, was
    published in the link's target (an adversary helper's round)."""
    body = "Met.\n\n## Vote on [zq]{.confidential}\n\nHeard.\n\n## Next\n\n"
    body += f"See [the vote]({LINKED[case]}); and [elsewhere](https://example.org/#top).\n"
    root = project({"reports/a.md": FRONT + "---\n\n" + body})
    assert_refused(cli, root, 15, f"link to {LINKED[case]} points to a heading withheld")


def test_a_link_in_raw_html_to_a_withheld_heading_is_refused(cli: Cli, project: Project) -> None:
    body = "Met.\n\n## Vote on zq {.confidential}\n\nHeard.\n\n## Next\n\n"
    body += 'See <a href="#vote-on-zq">the vote</a>.\n'
    config = "[redaction]\nallow_raw_html = true\n"
    root = project({"reports/a.md": FRONT + "---\n\n" + body, "reportback.toml": config})
    assert_refused(cli, root, 15, "link to #vote-on-zq points to a heading withheld")


def test_a_class_attribute_of_two_marks_withholds_from_everyone(cli: Cli, project: Project) -> None:
    """`{class="members confidential"}` was refused (the second reader read no classes in
    it) where `{.members .confidential}` withholds from everyone (an adversary helper's
    finding)."""
    body = 'Met.\n\n## Panel {class="members confidential"}\n\nzq heard.\n\n## Next\n\nAfter.\n'
    root = project({"reports/a.md": FRONT + "---\n\n" + body})
    result = cli("build", "--now", NOW)
    assert result.code == 0, result.err
    assert "zq" not in (root / "site/reports/a/index.html").read_text()
    assert "1 section" in result.err


@pytest.mark.parametrize("name", NEAR_CLASSES)
def test_classes_that_mean_withheld_in_other_words_are_refused(
    cli: Cli, project: Project, name: str
) -> None:
    """Each was published as ordinary text (an adversary helper's round): a class in the
    words the label rule refuses (in confidence, off the record, do not publish), Welsh, or
    another language's, or a word for leaving out."""
    text = FRONT + f"---\n\nMet.\n\n[zq]{{.{name}}}\n"
    assert_refused(cli, project({"reports/a.md": text}), 9, "looks like a withholding mark")


@pytest.mark.parametrize("colons", [5, 17])
def test_a_long_fence_withholds_its_div(cli: Cli, project: Project, colons: int) -> None:
    """A div opened and closed by five or more colons was refused: its closing fence was cut
    by one colon for the second reader, and closed nothing (an adversary helper's false
    refusal)."""
    fence = ":" * colons
    body = f'Intro.\n\n{fence} {{.confidential reason="x"}}\nzq names.\n{fence}\n\nPublic.\n'
    root = project({"reports/a.md": FRONT + "---\n\n" + body})
    result = cli("build", "--now", NOW)
    assert result.code == 0, result.err
    page = (root / "site/reports/a/index.html").read_text()
    assert "zq" not in page and "Public." in page


ACROSS = {
    "a relative path": "../a/#vote-on-zq",
    "a full address": "http://localhost:8000/reports/a/#vote-on-zq",
    "a page of no report": "../../search/#vote-on-zq",
    "an id given to a withheld span": "../a/#zqspan",
    "a second use of the id": "../a/#vote-on-zq-1",
    "underscores and a slash": "../a/#vote_on_zq/",
    "words run together": "../a/#voteonzq",
    "an id given to a withheld image": "../a/#zqimage",
    "the words of a heading given an id": "../a/#zq-review",
    "a whole report withheld": "/search/#zq-hearing",
}


@pytest.mark.parametrize("case", sorted(ACROSS))
def test_a_link_from_another_report_to_a_withheld_id_is_refused(
    cli: Cli, project: Project, case: str
) -> None:
    """An adversary helper's leak: report b's link to report a's heading withheld published
    the heading's words (its id) in b's pages, PDF, feeds and digests; also when the heading
    was withheld after b linked to it."""
    a = (
        "Met.\n\n## Vote on zq\n\nHeard [more]{#zqspan .confidential}.\n\n"
        "::: confidential\n![pic](p.png){#zqimage}\n:::\n\n## Zq review {#item9 .members}\n\n"
        "Seen.\n\n## Next\n\nDone.\n"
    )
    b = f"See [the vote]({ACROSS[case]}).\n"
    files = {"reports/a.md": FRONT + "---\n\n" + a, "reports/b.md": FRONT + "---\n\n" + b,
             "reports/p.png": PNG, "reports/c.md": FRONT + "confidential: true\n---\n\n"
             "## Zq hearing\n\nHeard.\n"}  # fmt: skip
    root = project(files)
    if "given" not in case and case != "a whole report withheld":
        assert cli("build", "--now", NOW).code == 0  # public, then withheld
        (root / "reports/a.md").write_text(FRONT + "---\n\n" + a.replace(
            "## Vote on zq\n", "## Vote on zq {.confidential}\n"
        ))  # fmt: skip
    result = cli("build", "--now", NOW)
    assert result.code == 1, result.err
    assert result.err.startswith(f"reports/b.md:7: link to {ACROSS[case]} points to a heading"), (
        result.err
    )
    assert f"(in reports/{'c' if case == 'a whole report withheld' else 'a'})" in result.err


NAMING = {
    "its folder": ("[more](../c/)", "confidential"),
    "its PDF": ("[the PDF](/reports/c/c.pdf)", "confidential"),
    "its address on the site": ("[more](https://example.org/reports/c/)", "confidential"),
    "a members section": ("::: members\nSee [more](../c/).\n:::", "confidential"),
    "a draft": ("[more](../d/)", "a draft"),
    # adversary helper 70: each spelled so that the name was not read, and published
    "in capitals": ("[more](../C/)", "confidential"),
    "percent-encoded": ("[more](../%63/)", "confidential"),
    "with a space after it": ("[more](../c%20)", "confidential"),
    "with a parameter": ("[more](../c;x)", "confidential"),
    "with slashes doubled": ("[more](https://example.org//reports//c/)", "confidential"),
    "in full-width letters": ("[more](../\uff43/)", "confidential"),
    "its slash encoded": ("[more](..%2Fd)", "a draft"),
    "a name decomposed": ("[more](../cafe\u0301/)", "a draft"),
    # adversary helper 85: its source file, as editors link reports, was published
    "its source file": ("[more](c.md)", "confidential"),
    "its source file in the folder": ("[more](./c.md#x)", "confidential"),
    "its source file under reports": ("[more](reports/d.md)", "a draft"),
    "its source file as a file address": ("[more](file:c.md)", "confidential"),
}


@pytest.mark.parametrize("case", sorted(NAMING))
def test_a_link_to_a_report_not_published_is_refused_where_it_is_written(
    cli: Cli, project: Project, case: str
) -> None:
    """Adversary helper 64: a public link to a confidential report was refused only by the
    leak audit, once everything was made, in some 1,260 lines (every feed named the report)
    and none saying where the link was written."""
    link, why = NAMING[case]
    files = {"reports/b.md": FRONT + "---\n\nMet.\n\n" + link + "\n",
             "reports/c.md": FRONT + "confidential: true\n---\n\nHeard.\n",
             "reports/d.md": FRONT + "status: draft\n---\n\nHeard.\n",
             "reports/caf\u00e9.md": FRONT + "status: draft\n---\n\nHeard.\n"}  # fmt: skip
    project(files)
    result = cli("check")
    assert result.code == 1, result.err
    named = ("caf\u00e9" if "cafe" in link else "d") if why == "a draft" else "c"
    line = 10 if case == "a members section" else 9  # the line inside `::: members`
    assert result.err.startswith(f"reports/b.md:{line}: link to "), result.err
    assert (
        f": reports/{named} is not published ({why}), and the link would name it"
        in (result.err.splitlines()[0])
    )


def test_each_link_to_a_report_not_published_is_named_at_its_own_line(
    cli: Cli, project: Project
) -> None:
    """Two links to one withheld report were refused once, at the first line holding the
    target's text, and `../c/` was placed at a line holding `../c/c.pdf` above it."""
    body = ("Met. [The PDF](../c/c.pdf).\n\nHeard.\n\nSee [more](../c/).\n\n"
            "Later, [more again](../c/).\n")  # fmt: skip
    files = {"reports/b.md": FRONT + "---\n\n" + body,
             "reports/c.md": FRONT + "confidential: true\n---\n\nHeard.\n"}  # fmt: skip
    project(files)
    result = cli("check")
    assert result.code == 1, result.err
    named = [line.split(": link to ")[0] + " " + line.split("'")[1]
             for line in result.err.splitlines() if ": link to " in line]  # fmt: skip
    assert named == ["reports/b.md:7 ../c/c.pdf", "reports/b.md:11 ../c/", "reports/b.md:13 ../c/"]


def test_a_link_to_a_report_not_published_is_fine_where_no_reader_sees_it(
    cli: Cli, project: Project
) -> None:
    """In confidential text, in a report withheld itself, or to another site's page of the
    same name, a link names no report of this site to anyone."""
    b = "Met [elsewhere](https://example.org/c/).\n\n::: confidential\nSee [more](../c/).\n:::\n"
    files = {"reports/b.md": FRONT + "---\n\n" + b,
             "reports/c.md": FRONT + "confidential: true\n---\n\nSee [b](../d/).\n",
             "reports/d.md": FRONT + "status: draft\n---\n\nHeard.\n"}  # fmt: skip
    project(files)
    result = cli("check")
    assert result.code == 0, result.err


def test_a_link_to_another_reports_public_heading_is_fine(cli: Cli, project: Project) -> None:
    """A heading withheld under the same words as a public one, or as one numbered alike
    (`Item 5`, `Item 4`), leaves a link to the public one fine (an adversary helper's false
    refusal)."""
    a = (
        "Met.\n\n## Vote on zq {.confidential}\n\nHeard.\n\n## Budget\n\nDone.\n\n"
        "## Disputes\n\nNone.\n\n## Disputes {.confidential}\n\nOne.\n\n"
        "## Item 5 {.confidential}\n\nX.\n\n## Item 4\n\nY.\n"
    )
    b = (
        "See [the budget](../a/#budget), [disputes](../a/#disputes), [item 4](../a/#item-4) "
        "and [ours](#budget), [again](./#item-5), [here](index.html#item-5), "
        "[query](?x#item-5).\n\n## Budget\n\nAgreed.\n\n## Item 5\n\nOurs.\n"
    )
    files = {"reports/a.md": FRONT + "---\n\n" + a, "reports/b.md": FRONT + "---\n\n" + b}
    project(files)
    result = cli("build", "--now", NOW)
    assert result.code == 0, result.err


@pytest.mark.parametrize("entity", ["&#x1b;", "&#8;", "&#xFFFE;"])
def test_a_control_character_written_as_an_entity_is_refused(
    cli: Cli, project: Project, entity: str
) -> None:
    """An adversary helper's traceback: `&#x1b;` in a paragraph, a heading or a decision
    stopped the build in the feed writer (XML holds no control character)."""
    body = f'Opening para.\n\n## Ctl {{decision="a{entity}b"}}\n\ng\n'
    root = project({"reports/a.md": FRONT + "---\n\n" + body})
    assert_refused(cli, root, 9, f"{entity} is a control character")


def test_a_label_is_refused_once_at_its_own_line(cli: Cli, project: Project) -> None:
    """An adversary helper's finding: a label was refused twice, once at an earlier line
    of other text that shared a long word with its paragraph."""
    body = (
        "Intro.\n\nThe General Secretary reported on membership, which stands at 366,000.\n\n"
        "Restricted: the word used in the rule book for membership of a second party.\n"
    )
    project({"reports/a.md": FRONT + "---\n\n" + body})
    result = cli("check")
    assert result.code == 1
    assert result.err.count("says that it is withheld") == 1, result.err
    assert result.err.startswith("reports/a.md:11: 'Restricted:'"), result.err


@pytest.mark.parametrize(
    "link", ["../e/", "../e", "../E/", "../e?x=1", "../e#top", "../e%2F", "../%65/",
             "https://example.org/reports/e", "../e/e.pdf", "e.md", "./e.md#top"],
)  # fmt: skip
def test_a_link_to_an_embargoed_report_is_refused_where_it_is_written(
    cli: Cli, project: Project, link: str
) -> None:
    """Adversary helper 70: a link to a report embargoed, without the `/` after its name
    (`../e`), in capitals, or with a query, was published with the name in it: only
    `reports/e/` and `e.pdf` were looked for, by the audit. The build knows what is
    embargoed: it refuses the link where it is written, in any spelling."""
    later = "publish_at: 2030-01-01T09:00:00+00:00\n"
    project({"reports/b.md": FRONT + f"---\n\nMet.\n\n[more]({link})\n",
             "reports/e.md": FRONT + later + "---\n\nHeard.\n"})  # fmt: skip
    result = cli("build", "--now", NOW)
    assert result.code == 1, result.err
    assert result.err.startswith(f"reports/b.md:9: link to {link!r}: reports/e is embargoed "
                                 "until 2030-01-01 09:00:00+00:00"), result.err  # fmt: skip
    assert cli("build", "--now", "2030-01-02T00:00:00+00:00").code == 0, "published: fine"


@pytest.mark.parametrize(
    ("text", "named"),
    [("../e", True), ("/REPORTS/E?x", True), ("reports/e.", True), ("reports/e-f/", False),
     ("reports/e.v2/", False), ("see/e", False), ("the e.pdf", True), ("the.e.pdf", False),
     # adversary helper 73: an address written as text, as a server or browser follows it
     ("http://x.org//reports//e/", True), ("/reports/./e/", True), ("/reports/%65/", True),
     ("..%2Fe", True), ("reports\\e", True), ("/reports/%66/", False),
     # adversary helper 85: its source file's name
     ("see e.md", True), ("`e.md`", True), ("the.e.md", False), ("e.mdx", False)],
)  # fmt: skip
def test_the_audit_finds_a_withheld_reports_name_in_any_case_and_not_in_another_name(
    text: str, named: bool
) -> None:
    output = Output("index.html", f"<p>{text}</p>".encode(), Audience.PUBLIC)
    found = Auditor([], PdfText(None), hidden_slugs=["e"]).check_all([output])
    assert bool([f for f in found if "names a withheld report" in str(f)]) == named, found


@pytest.mark.parametrize(
    ("text", "named"),
    [("reports/e\u2011f", True), ("reports/\u200be-f", True), ("reports/e-\u00adf", True),
     ("../e\u2060\u2212f/", True), ("reports/e&#8209;f", True), ("e\uff0df.pdf", True),
     ("reports/e\u2011g", False), ("reports/e f", False)],
)  # fmt: skip
def test_the_audit_finds_a_withheld_reports_name_with_what_shows_nothing_or_another_dash(
    text: str, named: bool
) -> None:
    """Adversary helper 74: `reports/\u200bsecret-appeal` and a non-breaking hyphen in the
    name were published: they read as the name."""
    output = Output("index.html", f"<p>{text}</p>".encode(), Audience.PUBLIC)
    found = Auditor([], PdfText(None), hidden_slugs=["e-f"]).check_all([output])
    assert bool([f for f in found if "names a withheld report" in str(f)]) == named, found


def test_a_report_named_as_text_while_embargoed_is_refused_by_the_audit_in_a_few_lines(
    cli: Cli, project: Project
) -> None:
    """An embargoed report is withheld until a time the check does not know: the leak audit
    finds its name, in every CLP's feed; each folder's alike are shown in three lines and a
    count (an adversary helper's build printed some 1,260, for the 632 CLPs)."""
    later = "publish_at: 2030-01-01T09:00:00+00:00\n"
    clps = "slug,name,gss_code,nation,region\n" + "".join(
        f"clp-{n},CLP {n},E1400000{n},England,London\n" for n in range(4)
    )  # four CLPs: eight CLP feeds
    files = {"reports/b.md": FRONT + "---\n\nMet.\n\nSee reports/e/ later.\n",
             "reports/e.md": FRONT + later + "---\n\nHeard.\n", "clps.csv": clps,
             "reportback.toml": '[paths]\nclps = "clps.csv"\n'}  # fmt: skip
    project(files)
    assert cli("check").code == 0
    result = cli("build", "--now", NOW)
    assert result.code == 1, result.err
    lines = result.err.splitlines()
    clp = [line for line in lines if line.startswith("feeds/clp/")]
    assert len(clp) == 3 and all(": names a withheld report (reports/e)" in x for x in clp)
    assert "  … and 5 more alike in that folder" in lines, lines
    assert len(lines) < 40, lines


def test_leaks_alike_in_one_folder_are_shown_in_three_lines_and_a_count() -> None:
    """The audit's leaks are grouped by what they say and the folder they are in, never by
    reading the message: a name holding " found in " or ": names" groups no differently."""
    text = "a: confidential text 'zq' found in "
    feeds = [Leak(f"feeds/clp/c{n}.xml", text) for n in range(5)]
    odd = [Leak(f"feeds/clp/x found in y{n}.xml", text, " (and 1 more runs)") for n in range(2)]
    other = Leak("site/index.html", text)
    unread = [Leak(f"site/reports/a/f{n}.bin", "", ": the audit cannot read") for n in range(4)]
    lines = LeakFound([*feeds, other, *odd, *unread]).lines()
    assert lines == [
        *(f"{text}feeds/clp/c{n}.xml" for n in range(3)),
        "  … and 2 more alike in that folder",
        f"{text}site/index.html",
        *(f"{text}feeds/clp/x found in y{n}.xml (and 1 more runs)" for n in range(2)),
        *(f"site/reports/a/f{n}.bin: the audit cannot read" for n in range(3)),
        "  … and 1 more alike in that folder",
        "refused: leak audit failed; nothing was published",
    ]
