"""Check a rendered briefing with the validators its readers' tools trust.

Usage: ``python tools/check_outputs.py reports/<date>`` (run by ``make check-outputs``).
HTML: the Nu HTML Checker (0 errors) and axe-core in Debian's Chromium (0 violations of its
WCAG 2.1 A/AA rules and of its best practices, such as all content inside landmarks). PDF:
``qpdf --check`` clean, every font embedded (``pdffonts``), tagged with a language and a
title, a bookmark for every section, and the sections in reading order in ``pdftotext``.
Prints one line per check; exit 1 if any fails.
"""

from __future__ import annotations

import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

from pypdf import PdfReader

CHECKERS = Path(__file__).resolve().parent / "checkers"
VNU = CHECKERS / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


def run(*command: str) -> subprocess.CompletedProcess:
    """Run a checker, capturing its output."""
    return subprocess.run(command, capture_output=True, text=True)


class Headings(HTMLParser):
    """The text of every ``<h2>`` in a page."""

    def __init__(self):
        super().__init__()
        self.headings, self.inside = [], False

    def handle_starttag(self, tag, attrs):
        if tag == "h2":
            self.inside = True
            self.headings.append("")

    def handle_endtag(self, tag):
        if tag == "h2":
            self.inside = False

    def handle_data(self, data):
        if self.inside:
            self.headings[-1] += data


def html_checks(html: Path) -> list[tuple[str, bool, str]]:
    """The Nu HTML Checker and axe-core on the HTML briefing."""
    vnu = run("java", "-jar", str(VNU), "--errors-only", "--format", "gnu", str(html))
    errors = [line for line in (vnu.stdout + vnu.stderr).splitlines() if "error" in line]
    axe = run("node", str(CHECKERS / "axe.mjs"), str(html))
    return [
        ("vnu: 0 errors", vnu.returncode == 0 and not errors, "\n".join(errors[:10])),
        (
            "axe-core: 0 WCAG 2.1 A/AA and best-practice violations",
            axe.returncode == 0,
            axe.stdout.strip(),
        ),
    ]


def pdf_checks(pdf: Path, sections: list[str]) -> list[tuple[str, bool, str]]:
    """qpdf, fonts, tags, language, title, bookmarks and reading order of the PDF."""
    qpdf = run("qpdf", "--check", str(pdf))
    fonts = run("pdffonts", str(pdf)).stdout.splitlines()[2:]
    unembedded = [line for line in fonts if line.split()[-5] != "yes"]
    info = run("pdfinfo", str(pdf)).stdout
    reader = PdfReader(pdf)
    titles = _outline_titles(reader.outline)
    text = " ".join(run("pdftotext", str(pdf), "-").stdout.split())
    positions = [text.find(s) for s in sections]
    return [
        ("qpdf --check: clean", qpdf.returncode == 0, qpdf.stdout.strip()[-300:]),
        ("pdffonts: every font embedded", bool(fonts) and not unembedded, "\n".join(unembedded)),
        ("tagged PDF", re.search(r"^Tagged:\s+yes", info, re.M) is not None, ""),
        ("document language", bool(reader.trailer["/Root"].get("/Lang")), ""),
        ("document title", bool(reader.metadata and reader.metadata.title), ""),
        (
            "a bookmark for every section",
            set(sections) <= set(titles),
            ", ".join(sorted(set(sections) - set(titles))),
        ),
        (
            "pdftotext: sections in reading order",
            -1 not in positions and positions == sorted(positions),
            str(positions),
        ),
    ]


def _outline_titles(items) -> list[str]:
    """Every bookmark title, nested ones included."""
    titles = []
    for item in items:
        titles += _outline_titles(item) if isinstance(item, list) else [item.title]
    return titles


def check(folder: Path) -> list[tuple[str, bool, str]]:
    """Every check on the briefing in ``folder``."""
    html = next(folder.glob("briefing-*.html"))
    pdf = next(folder.glob("briefing-*.pdf"))
    parser = Headings()
    parser.feed(html.read_text(encoding="utf-8"))
    sections = [" ".join(h.split()).rstrip("¶").strip() for h in parser.headings]
    return html_checks(html) + pdf_checks(pdf, sections)


if __name__ == "__main__":
    results = check(Path(sys.argv[1]))
    for name, passed, detail in results:
        print(f"{'ok  ' if passed else 'FAIL'} {name}")
        if detail and not passed:
            print("     " + detail.replace("\n", "\n     "))
    sys.exit(0 if all(passed for _, passed, _ in results) else 1)
