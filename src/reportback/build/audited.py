"""The audit stage: each output audited as it is made, and staged only if clean.

A build's audit searches every output for every report's withheld runs, less those the
site's or some report's public text also holds (`withheld.public_runs`), and remembers the
pieces it found clean (`leaks.Verdicts`, one record per kind of audit: a build's, a digest's).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from reportback import cache as cachemod
from reportback.audit.leaks import Auditor, Found, Output, PdfText, Verdicts, read_as
from reportback.audit.withheld import public_runs
from reportback.build.fork import Aside
from reportback.build.redact_all import Redacted
from reportback.build.swap import Staging
from reportback.clps import Directory
from reportback.config import Config
from reportback.errors import Leak, LeakFound
from reportback.model import Checked, Placeholders, Prepared, Survey, Withholding
from reportback.timing import stage

if TYPE_CHECKING:
    from reportback.build.planning import Planned

SITE = "(the site)"
"""The audit's name for the text the site itself publishes."""


def withheld(
    config: Config,
    ready: Survey,
    redacted: Mapping[str, Redacted],
    placeholders: Placeholders,
    now: datetime,
) -> dict[str, Withholding]:
    """Return what each report withholds, with its text public only if the build publishes
    it (`Withholding.unpublished`), and the site's own text (`SITE`)."""
    out = {c.source.slug for c in ready.chosen.shown}
    found = {slug: r[1] if slug in out else r[1].unpublished() for slug, r in redacted.items()}
    days = [p.published_at or now for s, p in ready.plan.publications.items() if s in out]
    found[SITE] = site_text(config, ready.directory, placeholders, ready.chosen.shown, days)
    return found


def site_text(
    config: Config,
    directory: Directory,
    placeholders: Placeholders,
    shown: Sequence[Checked],
    days: Iterable[datetime],
) -> Withholding:
    """Return what the site publishes of its own, public by definition: the CLP and region
    names, the rep's name, the site's title, the `days` its reports were published (a span
    withholding `5 December 2026` refused a build that day: adversary helper 141) and what
    stands in for the material the reports `shown` withhold (a heading `## Item for members
    {.members}` refused the build: helper 75). Words a report withholds that are also these
    never refuse a build (the redactor still keeps them out of that report's own outputs)."""
    names = [config.site.title, config.site.rep, *directory.regions]
    names += [c.name for c in directory.clps]
    zone = ZoneInfo(config.site.timezone)
    names += sorted({f"{day.astimezone(zone):%-d %B %Y}" for day in days})
    names += _stand_ins(placeholders, shown) if placeholders.enabled else []
    return Withholding.held(cachemod.key("site text", names), (), tuple(names))


def _stand_ins(p: Placeholders, shown: Sequence[Checked]) -> list[str]:
    """Return what stands in for the kinds of material the reports `shown` withhold: one
    standing in for nothing is shown nowhere (adversary helper 138 set a members' section's
    to a confidential phrase, in a site of no members' section, and the audit let it by)."""
    marked = [c for c in shown if any(c.marks)]
    said = {w for w in ("confidential", "members", "reason=") if any(w in c.source.body
                                                                 for c in marked)}  # fmt: skip
    sections, blocks, spans = (any(c.marks[i] for c in marked) for i in range(3))
    used = [p.inline] if spans else []
    for level, section, block in (("confidential", p.confidential_section, p.confidential_block),
                                  ("members", p.members_section, p.members_block)):  # fmt: skip
        used += ([section] * sections + [block] * blocks) if level in said else []
    return used + [p.reason.replace("{reason}", " ")] * ("reason=" in said)


def auditor(ready: Prepared, state_dir: Path, kind: str) -> Auditor:
    """Return the audit of a build's outputs (each `kind`, a build or a digest, remembers its
    own clean verdicts)."""
    hidden = [c.source.slug for c in ready.chosen.hidden]
    pdf_text = PdfText.kept_in(state_dir / "cache")
    verdicts = Verdicts(state_dir / "cache" / "audit" / f"{kind}.pickle")
    runs = public_runs(ready.withheld, state_dir / "cache" / "audit")
    return Auditor(runs, pdf_text, hidden, verdicts)


BESIDE_FROM = 10
"""How many outputs to audit make it worth forking a child to audit them (`Beside`)."""


class Beside:
    """Outputs audited in a child forked now, on the core the rest of the audit leaves idle
    (a cold build's PDFs: half its audit); their verdicts are taken when the audit reaches
    the first of them. Too few to be worth a fork, or where forking is not safe, they are
    audited in line with the rest.
    """

    def __init__(self, auditor: Auditor, planned: Sequence[Planned]) -> None:
        self.auditor = auditor
        child = Aside(partial(_checked, auditor, planned)) if len(planned) >= BESIDE_FROM else None
        self.child = child if child is not None and child.pid else None  # else: all in line
        self.names = frozenset(plan.name for plan in planned) if self.child else frozenset()
        self.found_apart: Found | None = None

    def found(self, output: Output) -> list[Leak] | None:
        """Return the leaks found in `output` if it was audited beside, as these very bytes
        (none: clean); None if it was not (it is audited here)."""
        if self.child is None or output.name not in self.names:
            return None
        if self.found_apart is None:
            self.found_apart = self.child.result()
            self.auditor.learn(self.found_apart)
        if self.found_apart.read.get(output.name) != read_as(output):
            return None  # not the bytes the child read (changed since): audited here
        return self.found_apart.messages[output.name]

    def close(self) -> None:
        if self.child is not None:
            self.child.close()


def _checked(auditor: Auditor, planned: Sequence[Planned]) -> Found:
    return auditor.checked_apart((plan.make(), plan.key) for plan in planned)


def audit_and_stage(
    outputs: Sequence[tuple[Staging, str, Iterable[Planned]]],
    auditor: Auditor,
    beside: Beside | None = None,
) -> int:
    """Audit each output as it is made and stage it if clean; raise LeakFound on any leak.

    Each output is named as the audit reports it: its staging tree's `prefix` (feeds/), then
    its name in that tree. Nothing that fails the audit is ever written, and no output is
    held after it is staged. Those audited `beside` are made again here, to be staged.
    Return the number of files staged.
    """
    leaks: list[Leak] = []
    files = 0
    try:
        for staging, prefix, planned in outputs:
            for plan in planned:
                name = plan.name.removeprefix(prefix)
                if plan.key is not None:
                    with stage("publish"):
                        if staging.reuse(name, plan.key, auditor.trust):
                            auditor.kept(plan.key)
                            files += 1
                            continue
                output = plan.make()
                with stage("audit"):
                    known = beside.found(output) if beside is not None else None
                    found = auditor.check(output, plan.key) if known is None else known
                leaks += found
                if not leaks:
                    with stage("publish"):
                        staging.add(name, output.content, plan.key)
                    files += 1
    finally:
        auditor.save()
    if leaks:
        raise LeakFound(leaks)
    return files
