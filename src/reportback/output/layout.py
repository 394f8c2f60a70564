"""The names a build writes at the top of the site's folder and the feeds' (no module of the
outputs' loaded: a build that changes nothing checks the folders against them)."""

import re

STATIC = ("style.css", "clp-filter.js", "votes-filter.js", "search.js")
"""The site's static files, from the templates folder."""
SITE = frozenset({
    *STATIC, "index.html", "404.html", "robots.txt", "sitemap.xml", "record.json", "votes.csv",
    "reports", "clp", "tags", "record", "votes", "search", "pagefind",
})  # fmt: skip
FEEDS = frozenset({
    "all.xml", "all.atom", "decisions.xml", "decisions.atom", "clps.opml", "clp", "region",
})  # fmt: skip
INSIDE = {
    "site": re.compile(
        r"(?:reports|clp|tags)/[^/]+/index\.html|reports/([^/]+)/(?:\1\.pdf|img-[0-9a-f]+\."
        r"(?:png|jpg))|(?:reports|clp|record|votes|search)/index\.html|pagefind/.+"
    ),
    "feeds": re.compile(r"(?:clp|region)/[^/]+\.(?:xml|atom)"),
}
"""The files a build writes below the top of each folder, by their paths from it."""
