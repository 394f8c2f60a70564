"""Tell a near miss of a withholding mark (`.confidental`, `{.private}`) from ordinary attributes.

A near miss is a class, identifier or attribute key that is *almost* a mark: the mark or one
of its synonyms misspelt, in another case, spaced or hyphenated, or written with look-alike
letters; or a key/value pair that tries to set an audience (`confidential=true`,
`audience=members`). An identifier or key whose words merely include "members" or "secret"
(`#membership`, `#secrets-of-success`, `data-source`) is ordinary prose, and so is a prose
attribute's value that says more than a mark (`title="Members survey results"`).
"""

from __future__ import annotations

import itertools
import re
import unicodedata

MARK_WORDS = {"confidential": 3, "members": 2}
"""The marks, with how many edits a near miss may be from them."""
SYNONYMS = (
    "member", "private", "privately", "secret", "secrets", "restricted", "withheld", "withhold",
    "hidden", "hide", "internal", "sensitive", "classified", "redacted", "redact", "embargoed",
    "embargo", "nonpublic", "notpublic", "unpublished", "membersonly", "confidentialonly",
    "confidentiality", "confidentially", "conf", "members-only", "privileged", "invisible",
    "sr-only", "d-none", "screen-reader-text", "offscreen",
    "in-confidence", "off-record", "off-the-record", "no-publish", "do-not-publish", "dnp",
    "not-for-publication", "membership-only", "mem", "omit", "exclude", "excluded", "censored",
    "censor", "strictly", "cyfrinachol", "aelodau", "aelodau-yn-unig", "vertraulich",
    "vertrouwelijk", "confidencial", "riservato", "secreto", "privado", "eyes-only",
    "only", "mbr", "mbrs", "cnf", "in-camera", "nfp", "exempt", "closed", "chatham", "remove",
    "noprint", "do-not-print",
)  # fmt: skip
"""Words a rep might write for a mark, or a class that hides (`sr-only`, `d-none`); a name
that is one of them (or one edit away) is a near miss."""
STRONG = "confidential"
"""A word that no ordinary identifier or key holds: any word of a name near it is a near miss."""
DECIDING_KEYS = frozenset({"status", "draft", "publish", "publishat", "published", "visibility"})
"""Keys that would decide what is published in front matter (`{status=draft}`): on a part,
any value is an attempt to set its audience (adversary helper 74)."""
PROSE_KEYS = frozenset({"title", "alt", "caption", "lang", "width", "height", "style", "label"})
"""Keys whose values are prose (or sizes), never an audience."""
LOOK_ALIKES = str.maketrans(
    "аеорсухіјѕԁɡһӏոԛѵԝουνАВЕКМНОРСТХІЈЅΑΒΕΖΗΙΚΜΝΟΡΤΥΧικαρχ"  # Cyrillic, Greek
    "ᴀʙᴄᴅᴇꜰɢʜɪᴊᴋʟᴍɴᴏᴘʀꜱᴛᴜᴠᴡʏᴢ"  # small capitals
    "ᎠᎡᎢᎪᎫᎬᏔᎳᎷᎻᏀᏃᏒᏚᏞᏟᏢᏦᏙᏴ"  # Cherokee
    "օսցհøØłŁƈđħ"  # Armenian, Latin letters with a stroke
    "ϲϹϳɩɑıɒσᑕ"  # Greek lunate sigma (NFKC makes it σ) and yot, Latin iota, alpha, dotless i
    "ɨєƒǀ׀∣⏽əпт",  # more drawn alike (adversary helper 88's `Confɨdential`, `Соптіԁепtіаӏ`)
    "aeopcyxijsdghlnqvwouvABEKMHOPCTXIJSABEZHIKMNOPTYXikapx"
    "abcdefghijklmnoprstuvwyz"
    "DRTAJEWWMHGZRSLCPKVB"
    "oughoOlLcdh"
    "cCjlaiaoc"
    "iefllllent",
)
LOOK_ALIKES.update(  # Coptic and Lisu (adversary helper 100)
    str.maketrans(
        "ⲀⲁⲂⲈⲎⲒⲔⲘⲚⲞⲟⲢⲣⲤⲥⲦⲨⲬⲭꓐꓑꓓꓔꓖꓗꓙꓚꓜꓝꓟꓠꓡꓢꓣꓦꓧꓪꓫꓬꓮꓰꓲꓳꓴ",
        "AaBEHIKMNOoPpCcTYXxBPDTGKJCZFMNLSRVHWXYAEIOU",
    )
)
LOOK_ALIKES.update(  # the rest of Unicode's confusables (UTS #39) drawn like one Latin letter,
    # in alphabets of Latin, Greek and Cyrillic shapes (Deseret, Osage, Carian, Warang Citi…),
    # from confusable-homoglyphs 3.3.1's table (adversary helper 100: Osage, Deseret, Osmanya)
    str.maketrans(
        "ƄƍƽɣɯʋγϜϺЬгѡҮүҽԌՏագզռքყჿᎥᎩᎽᏂᏏᏕᏧᏳᐯᑌᑭᑯᑲᒍᒪᕁ"
        "ᕼᕽᖇᖯᖴᗅᗞᗪᗰᗷ᙭᙮ᚷᛁᛕᛖᴑᴦᶃᶌẝỿⲅⳐⴸⴹⵏⵔⵕⵝꓒꙇꞘꞙꞟꞲꞳꞴꬲꬵ"
        "ꬽꭇꭈꭎꭒꭚꭵꮁ𐊂𐊆𐊇𐊊𐊐𐊒𐊕𐊖𐊗𐊠𐊡𐊢𐊥𐊫𐊰𐊱𐊲𐊴𐋏𐋵𐌁𐌂𐌉𐌑𐌕𐌗𐌠𐌢𐐄𐐕𐐛𐐠"
        "𐐬𐐽𐑈𐒴𐓂𐓎𐓪𐓶𐔓𐔖𐔘𐔜𐔝𐔥𐔦𐔧𑢠𑢢𑢣𑢤𑢦𑢩𑢮𑢲𑢵𑢸𑢼𑣀𑣁𑣂𑣃𑣄𑣈𑣗𑣘𑣜𑣠𑣥𑣦𑣩"
        "𑣬𑣯𑣲𖼈𖼊𖼖𖼨𖼵𖼺𖽀𖽂𖽃𝈍𝈓𝈖𝈪",
        "bgsywuyfmbrwyyegswqqnfyoiyyhbsdgvupdbjlx"
        "hxrbfaddmbxxxlkmorgyfyrlveloqxdiffujxbef"
        "orruuyirbeflxopstabcfomtyxhzbclmtxlxocls"
        "ocsrouounokcvflxvflyezeloutvsfizoouyozwc"
        "xwcvtllrsauyvfrl",
    )
)
LOOK_ALIKES.update(str.maketrans("𐒆𐒠", "oo"))  # Osmanya deel and zero, drawn as O
LOOK_ALIKES.update(  # each in its other case too, drawn alike (`ƒ` and `Ƒ`, `ꮮ` and `Ꮮ`)
    {ord(other): to for key, to in list(LOOK_ALIKES.items())
     for other in {chr(key).upper(), chr(key).lower()}
     if len(other) == 1 and not other.isascii() and ord(other) not in LOOK_ALIKES}
)  # fmt: skip
"""Letters drawn like Latin ones: Cyrillic, Greek, Cherokee, Armenian, Coptic and Lisu
letters, small capitals, Latin letters with a stroke (a subset of Unicode's confusables), in
either case."""


def skeleton(token: str) -> str:
    """Return `token` folded the way a reader sees it: width, case, accents and look-alikes
    (before NFKC too, which makes some look-alikes letters that are not)."""
    folded = unicodedata.normalize("NFKC", token.translate(LOOK_ALIKES)).translate(LOOK_ALIKES)
    stripped = "".join(
        c for c in unicodedata.normalize("NFKD", folded) if not unicodedata.combining(c)
    )
    return stripped.casefold()


def name_words(token: str) -> list[str]:
    """Return the words of a name: split at separators, digits and camelCase humps."""
    spaced = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", unicodedata.normalize("NFKC", token))
    return [w for w in re.split(r"[^a-z]+", skeleton(spaced)) if w]


def is_near_name(token: str, kind: str) -> bool:
    """Return whether a class, identifier or key (`kind`) is a near miss of a mark."""
    folded = skeleton(token)
    if not folded.isascii():
        return True  # a letter no fold explains: it might draw a mark the parser ignores
    squeezed = re.sub(r"[^a-z]", "", folded)
    if not squeezed:
        return False
    if _near_mark(squeezed) or _near_synonym(squeezed) or _is_prefix(squeezed):
        return True
    words = name_words(token)
    if any(_distance(w, STRONG) <= MARK_WORDS[STRONG] for w in words) or _glued(words):
        return True
    if kind in ("class", "key"):  # never prose: a marked word anywhere in one is an attempt
        return any(_near_mark(w) or _near_synonym(w) for w in words)
    return False


GLUED = ("confiden", "members", "member")
"""Mark words that, run together with another word in one name, make it a near miss
(adversary helpers 129, 132: `.confidentialblock`, `#membersitem`, `{.semiconfidential}`
on any element, in any tag); not an English word that starts so (`#membership`)."""
ENGLISH = frozenset({"member", "members", "membership", "memberships", "confidence",
                     "confidences", "confident", "confidently", "confidential",
                     "confidentially", "confidentiality"})  # fmt: skip


def _glued(words: list[str]) -> bool:
    """Whether a word of a name holds a mark's word run together with more (`membersitem`)."""
    return any(glued in word and word not in ENGLISH for word in words for glued in GLUED)


def is_near_id(ident: str, on_a_part: bool) -> bool:
    """Return whether an identifier is a near miss; on a span or div (an anchor, seldom
    written) also one of the words a rep might write for a mark, `only` among them
    (`#hide-this`, `#staff-only`: helper 132; a heading's `#women-only-shortlists` is not:
    helper 133)."""
    near = is_near_name(ident, "identifier")
    words = [w for w in name_words(ident) if w not in ENGLISH]  # `#member-states`: an anchor
    return near or (on_a_part and any(_near_synonym(w) or w == "only" for w in words))


def message(what: str) -> str:
    """Say that `what` (a class, id or key, as written) is a near miss of a mark."""
    return (
        f"{what} looks like a withholding mark but is not one; write exactly "
        "{.confidential} or {.members} (lower case), or rename it"
    )


def any_near(names: list[str]) -> bool:
    """Return whether any of a list of class names, or any two side by side read as one,
    is a near miss (`{.confi dential}` is two classes, and reads as the mark)."""
    return any(is_near_name(n, "class") for n in names if n) or pair_near(names)


def pair_near(names: list[str]) -> bool:
    """Return whether any two names side by side, read as one, are a near miss; or more, where
    one is a letter or two (`{.c o n f i d e n t i a l}`, `{.co n f i dential}`: adversary
    helper 150)."""
    names = [n for n in names if n]
    if any(is_near_name(a + b, "class") for a, b in itertools.pairwise(names)):
        return True
    spaced = [n for n, name in enumerate(names) if len(name) <= 2]
    return any(
        is_near_name("".join(names[start:end]), "class")
        for start in range(len(names))
        for end in range(start + 3, len(names) + 1)
        if any(start <= n < end for n in spaced)
    )


def is_near_mark(text: str) -> bool:
    """Return whether `text`, its letters run together, is a mark or within its edits."""
    squeezed = re.sub(r"[^a-z]", "", skeleton(text))
    return bool(squeezed) and (_near_mark(squeezed) or _is_prefix(squeezed))


def is_mark_as_address(target: str) -> bool:
    """Whether a link's address is a mark's word (`(.confidential)`, `(members)`): a span was
    meant (adversary helper 77); not a link to a heading's id (`(#members)`)."""
    name = target.strip().removeprefix("./").strip(".{} ")
    return (
        not target.strip().startswith("#")
        and not re.search(r"[/:#?]", name)
        and (is_near_mark(name))
    )


def _is_prefix(word: str) -> bool:
    """Whether `word` is a mark cut short (four letters or more: `confi-`, `memb`)."""
    return len(word) >= 4 and any(mark.startswith(word) for mark in MARK_WORDS)


def is_near_pair(key: str, value: str) -> bool:
    """Return whether an attribute key=value tries to set an audience."""
    if is_near_name(key, "key") or re.sub(r"[^a-z]", "", skeleton(key)) in DECIDING_KEYS:
        return True
    if key.casefold() == "custom-style":  # a style's name: "Confidential Text" (helper 135)
        return is_near_name(value, "class")
    if key.casefold() in PROSE_KEYS:  # prose, but one word glued from a mark's is a name
        return (len(value.split()) == 1 and _glued(name_words(value))) or _says_mark(value)
    squeezed = re.sub(r"[^a-z]", "", skeleton(value))
    if not squeezed or len(value.split()) > 1:
        return False  # several words: prose, such as data-source="members ballot"
    return _near_mark(squeezed) or _near_synonym(squeezed)


FILLER = frozenset({"a", "an", "the", "for", "to", "of", "this", "only", "do", "not", "eyes",
                    "item", "items", "text", "note", "notes", "block", "bit", "part", "section",
                    "session"})  # fmt: skip
"""Words a label for a mark says beside it (`title="Secret item"`, `"For members"`)."""


def _says_mark(value: str) -> bool:
    """Whether prose is a mark in other words: a mark or a synonym (`title="Private"`, `"In
    camera"`, `"Not public"`), or nothing more but words around one (`"For members"`, `"Secret
    item"`): a span's or div's title said it (adversary helper 135). `"Members survey
    results"` and `"Member for Witney"` say more, and are prose."""
    squeezed = re.sub(r"[^a-z]", "", skeleton(value))
    words = [w for w in name_words(value) if w not in FILLER]
    if squeezed in HONEST or any(w in HONEST for w in words):
        return False  # `title="Confidentiality"` (helper 133)
    if squeezed and (_near_mark(squeezed) or _near_synonym(squeezed)):
        return True
    return bool(words) and all(_near_mark(w) or _near_synonym(w) for w in words)


HONEST = ENGLISH - {"member", "members", "confidential", "confidentially"}
"""English words near a mark that are no mark (`confidentiality`, `membership`)."""


RECORD_KEYS = {"vote": 1, "votes": 1, "voted": 1, "voting": 1, "decision": 2, "decisions": 2}
"""The attributes that record a decision and a vote, and near spellings of them, with how
many edits a near miss may be from them."""
NOT_RECORD_KEYS = frozenset(
    {"note", "notes", "noted", "rote", "tote", "mote", "dote", "vole", "precision"}
)
"""Ordinary words near `vote` or `decision`."""


def is_near_record_key(key: str) -> bool:
    """Return whether an attribute key is almost `decision` or `vote` (`Vote`, `votes`,
    `decison`) without being exactly one of them."""
    if key in ("decision", "vote"):
        return False
    squeezed = re.sub(r"[^a-z]", "", skeleton(key))
    if not squeezed or squeezed in NOT_RECORD_KEYS:
        return False
    if squeezed.startswith(("vote", "decision", "decid")) or squeezed.endswith(ENDINGS):
        return True
    return any(_distance(squeezed, word) <= edits for word, edits in RECORD_KEYS.items())


ENDINGS = ("vote", "votes", "decision", "decisions")
"""How a key that is one of these with a prefix ends (`data-vote`, `data-decision`)."""
ROUTING_KEYS = {"clps": 1, "regions": 2}
"""The attributes that send an item to CLPs' and regions' feeds, and how many edits a near
miss may be from them."""


def is_near_routing_key(key: str) -> bool:
    """Return whether an attribute key is almost `clps` or `regions` (`clp`, `CLPs`,
    `region`, `data-clps`) without being exactly one of them."""
    if key in ROUTING_KEYS:
        return False
    squeezed = re.sub(r"[^a-z]", "", skeleton(key))
    if squeezed.endswith(("clp", "clps", "region", "regions")):
        return True
    return any(_distance(squeezed, word) <= edits for word, edits in ROUTING_KEYS.items())


def _near_mark(word: str) -> bool:
    return any(_distance(word, mark) <= edits for mark, edits in MARK_WORDS.items())


def _near_synonym(word: str) -> bool:
    """Return whether `word` is a synonym, or one edit from one of six letters or more."""
    for synonym in SYNONYMS:
        plain = synonym.replace("-", "")
        allowed = 1 if len(plain) >= 6 else 0
        if _distance(word, plain) <= allowed:
            return True
    return False


def _distance(a: str, b: str) -> int:
    """Return the edit distance between two words (99 if their lengths differ by over 3)."""
    if abs(len(a) - len(b)) > 3:
        return 99
    row = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        prev, row[0] = row[0], i
        for j, cb in enumerate(b, start=1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (ca != cb))
    return row[-1]
