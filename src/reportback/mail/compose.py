"""Compose digests: one rendering per (CLP, audience, cadence, reports), personalised cheaply."""

from __future__ import annotations

import re
from dataclasses import dataclass
from email.message import EmailMessage
from email.policy import SMTP
from urllib.parse import urljoin

import css_inline
import jinja2

from reportback.clps import Clp, Directory, concerns
from reportback.config import Config
from reportback.model import Audience, Item, Published
from reportback.output.feeds import absolute_urls

NAME_TEXT_MARK = "RBMARKNAMETEXTX"
NAME_HTML_MARK = "RBMARKNAMEHTMLX"
UNSUBSCRIBE_MARK = "RBMARKUNSUBSCRIBEX"
PREFERENCES_MARK = "RBMARKPREFERENCESX"
LINE_LIMIT = 900
"""Body lines are kept well under SMTP's 998 octets, leaving room for personal values."""
UNSAFE_SUBJECT = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u200b-\u200f\u202a-\u202e\ufeff]")
ADDRESS_IN_TEXT = re.compile(r"<((?![a-z][a-z0-9+.-]*:)[^<>\s]*[/#.][^<>\s]*)>", re.I)
"""A link's address as the plain text shows it after its words (`<../r/>`), if relative: made
absolute against the report's page, as the HTML part's are."""
CADENCE_WORDS = {"immediate": "email", "weekly": "weekly digest", "monthly": "monthly digest"}


@dataclass(frozen=True)
class Group:
    """Everyone who gets the same digest."""

    clp: str
    audience: Audience
    cadence: str
    reports: tuple[str, ...]
    """Report ids, in the order the digest shows them."""


@dataclass(frozen=True)
class Composed:
    """A group's digest as MIME bytes with markers where the personal values go."""

    subject: str
    text: str
    html: str
    head: bytes
    """The MIME headers of the body (Content-Type with its boundary, MIME-Version)."""
    body: bytes
    attachments: tuple[tuple[str, bytes], ...]


@dataclass(frozen=True)
class Recipient:
    """What templates see of the recipient: markers, replaced per message."""

    name: str
    unsubscribe: str
    preferences: str


def clean_subject(text: str) -> str:
    """Return a subject with no line breaks, control characters or encoded-word openers."""
    text = UNSAFE_SUBJECT.sub(" ", text)
    text = text.replace("=?", "= ?")
    return re.sub(r"\s+", " ", text).strip()[:200]


def wrap_long_lines(html: str, limit: int = LINE_LIMIT, then: bytes = b'",') -> str:
    """Break lines longer than `limit` bytes at a space or after a tag (rendering unchanged),
    or else after one of `then` (a text part's long address: after `/`, `&`, `?`, `=`).

    Works on UTF-8 bytes: an ASCII space or '>' never sits inside a multi-byte character.
    """
    out: list[bytes] = []
    for line in html.encode("utf-8").split(b"\n"):
        while len(line) > limit:
            cut = max(line.rfind(b" ", 0, limit), line.rfind(b">", 0, limit) + 1)
            if cut <= 0:
                cut = max(line.rfind(bytes([c]), 0, limit) for c in then) + 1
            if cut <= 0:
                cut = limit  # one unbroken run of 900 bytes: nothing better to do
            out.append(line[:cut])
            line = line[cut:].lstrip(b" ")
        out.append(line)
    return b"\n".join(out).decode("utf-8")


class Composer:
    """Render digests for groups, once each, from the published reports."""

    def __init__(
        self,
        config: Config,
        directory: Directory,
        env: jinja2.Environment,
        css: str,
        library: dict[str, Published],
    ) -> None:
        self.config = config
        self.directory = directory
        self.env = env
        self.css = css
        self.library = library
        self.base = config.site.base
        self.inliner = css_inline.CSSInliner(keep_style_tags=False)
        self._done: dict[Group, Composed] = {}

    def compose(self, group: Group) -> Composed:
        if group not in self._done:
            self._done[group] = self._compose(group)
        return self._done[group]

    def _compose(self, group: Group) -> Composed:
        clp = self.directory.by_slug[group.clp]
        reports = [self.library[i] for i in group.reports]
        views = [self._view(r, group.audience) for r in reports]
        concerns = [
            (view, item)
            for view, report in zip(views, reports, strict=True)
            for item in _concerning(report, clp, group.audience)
        ]
        subject = clean_subject(self._subject(group, clp, views))
        context = {
            "site": self.config.site,
            "clp": clp,
            "subject": subject,
            "heading": subject,
            "intro": self._intro(group, views),
            "reports": views,
            "concerns": concerns,
            "cadence_words": CADENCE_WORDS[group.cadence],
            "reason": _reason(group.audience, clp),
            "members": group.audience >= Audience.MEMBERS,
            "css": self.css,
        }
        text = self.env.get_template("digest.txt").render(
            recipient=Recipient(NAME_TEXT_MARK, UNSUBSCRIBE_MARK, PREFERENCES_MARK), **context
        )
        html = self.env.get_template("digest.html").render(
            recipient=Recipient(NAME_HTML_MARK, UNSUBSCRIBE_MARK, PREFERENCES_MARK), **context
        )
        html = wrap_long_lines(self.inliner.inline(html))
        text = wrap_long_lines(text, then=b"/&?=,;-")  # (an address of 1,500: helper 144)
        attachments = self._attachments(reports, group.audience)
        head, body = _mime(text, html, attachments)
        return Composed(subject, text, html, head, body, attachments)

    def _view(self, report: Published, audience: Audience) -> DigestReport:
        rendered = report.versions[audience]
        if rendered.text is None:  # a library's reports are rendered with it
            raise ValueError(f"{report.slug} was rendered without its plain text")
        url = urljoin(self.base, f"reports/{report.slug}/")
        meta = rendered.meta
        return DigestReport(
            title=meta.title,
            meeting=meta.meeting,
            meeting_date=meta.meeting_date.strftime("%-d %B %Y"),
            url=url,
            pdf_url=urljoin(url, f"{report.slug}.pdf"),
            text=ADDRESS_IN_TEXT.sub(lambda m: f"<{urljoin(url, m[1])}>", rendered.text.strip()),
            html=_ids_of(
                report.slug, absolute_urls(_published_images_only(rendered.html, report), url)
            ),
        )

    def _subject(self, group: Group, clp: Clp, views: list[DigestReport]) -> str:
        if len(views) == 1:
            return f"{views[0].title} — {self.config.site.title}"
        return f"{len(views)} new reports for {clp.name} — {self.config.site.title}"

    def _intro(self, group: Group, views: list[DigestReport]) -> str:
        version = "members' version" if group.audience == Audience.MEMBERS else "public version"
        if len(views) == 1:
            r = views[0]
            return f"Here is the report back from the {r.meeting} of {r.meeting_date} ({version})."
        since = CADENCE_WORDS[group.cadence]
        return f"Here are the {len(views)} reports published since your last {since} ({version})."

    def _attachments(
        self, reports: list[Published], audience: Audience
    ) -> tuple[tuple[str, bytes], ...]:
        if not self.config.email.attach_pdf:
            return ()
        return tuple((f"{r.slug}.pdf", r.versions[audience].pdf) for r in reports)


@dataclass(frozen=True)
class DigestReport:
    """What the digest templates may show of a report (for the group's audience)."""

    title: str
    meeting: str
    meeting_date: str
    url: str
    pdf_url: str
    text: str
    html: str


def _concerning(report: Published, clp: Clp, audience: Audience) -> list[Item]:
    items = report.versions[audience].redacted.items
    return [i for i in items if concerns(i.clps, i.regions, clp)]


def _reason(audience: Audience, clp: Clp) -> str:
    if audience == Audience.MEMBERS:
        return f"you are a member of {clp.name} CLP on the party's membership list"
    return f"you subscribed to reports for {clp.name} CLP"


def _mime(text: str, html: str, attachments: tuple[tuple[str, bytes], ...]) -> tuple[bytes, bytes]:
    """Return the MIME head and body of the digest (8-bit UTF-8 text parts)."""
    msg = EmailMessage(policy=SMTP)
    msg.set_content(text, cte="8bit")
    msg.add_alternative(html, subtype="html", cte="8bit")
    for name, data in attachments:
        msg.add_attachment(data, maintype="application", subtype="pdf", filename=name)
    raw = msg.as_bytes()
    head, _, body = raw.partition(b"\r\n\r\n")
    return head + b"\r\n", body


IMAGE = re.compile(r'<img\b[^>]*?\ssrc="(?P<src>[^"]*)"[^>]*>')
ALT = re.compile(r'\salt="(?P<alt>[^"]*)"')


def _published_images_only(html: str, report: Published) -> str:
    """Return `html` with each image the website does not publish (one in members' material)
    shown as its description: a link to it would find nothing."""
    public = report.versions.get(Audience.PUBLIC)
    published = {image.name for image in public.redacted.images} if public else set()

    def shown(found: re.Match[str]) -> str:
        if found["src"] in published:
            return found[0]
        alt = ALT.search(found[0])
        return f"<em>[image: {alt['alt'] if alt and alt['alt'] else 'not on the website'}]</em>"

    return IMAGE.sub(shown, html)


TAG = re.compile(r"<[A-Za-z][^<>]*>")
ID = re.compile(r'(\sid=)"([^"]*)"')


def _ids_of(slug: str, html: str) -> str:
    """Return a report's `html` with each id given its report's name first (`budget` as
    `2016-09-20-nec-budget`): a digest of several reports held `fn1` or `budget` once for each,
    and HTML allows an id once. Its links already go to the website's page (`absolute_urls`)."""
    return TAG.sub(lambda tag: ID.sub(lambda m: f'{m[1]}"{slug}-{m[2]}"', tag[0]), html)
