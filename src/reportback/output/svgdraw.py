"""Draw an SVG to a PNG in a child process: resvg aborts the process it runs in when it cannot
allocate (an SVG it would draw at 100,000 pixels square asked for 40 GB), and may draw for a
long time; a child with bounded memory and time turns either into a refusal.

Run as `python -m reportback.output.svgdraw FOLDER`: the SVG on stdin, the PNG on stdout,
FOLDER (empty) the only place a relative path could find a file.
"""

from __future__ import annotations

import resource
import subprocess
import sys
import tempfile

MEMORY = 3 << 30
"""The most memory the drawing may take (a 40-megapixel canvas and its filters fit)."""
SECONDS = 120
SANS = "DejaVu Sans"
"""The font text is drawn in where an SVG names none, or none there is: resvg's own
(Times New Roman) is on few systems, and without it no text was drawn (adversary helper 94:
a chart's labels were gone). DejaVu is on most Linux systems (Debian's fonts-dejavu-core)."""


class NotDrawn(ValueError):
    """The SVG could not be drawn; the message says why."""


def draw(svg: str) -> bytes:
    """Return the PNG resvg draws of `svg`; raise NotDrawn."""
    with tempfile.TemporaryDirectory(prefix="reportback-svg-") as empty:
        try:
            done = subprocess.run(
                [sys.executable, "-m", __name__, empty], input=svg.encode("utf-8"),
                capture_output=True, timeout=SECONDS, check=False,
            )  # fmt: skip
        except subprocess.TimeoutExpired:
            raise NotDrawn(f"took more than {SECONDS} s to draw") from None
    if done.returncode != 0:
        said = done.stderr.decode("utf-8", "replace").strip().splitlines()
        if done.returncode < 0 or not said or "memory" in said[-1]:
            raise NotDrawn(f"needs more than {MEMORY >> 30} GB to draw")
        raise NotDrawn(said[-1][:200])
    return done.stdout


def main() -> int:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))  # set here: the parent has threads
    import resvg_py

    try:
        png = resvg_py.svg_to_bytes(
            svg_string=sys.stdin.read(), resources_dir=sys.argv[1], font_family=SANS, dpi=96.0,
            serif_family="DejaVu Serif", sans_serif_family=SANS, monospace_family=f"{SANS} Mono",
        )  # fmt: skip
    except (ValueError, OSError) as exc:
        print(exc, file=sys.stderr)
        return 1
    sys.stdout.buffer.write(bytes(png))
    return 0


if __name__ == "__main__":
    sys.exit(main())
