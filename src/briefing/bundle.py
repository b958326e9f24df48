"""``briefing bundle``: the dated briefings of a range in one reproducible zip.

A desk sends a series in one piece: each briefing's HTML, PDF and manifest under its
date, an ``index.html`` linking them, a ``SHA256SUMS`` file (``sha256sum -c SHA256SUMS``
checks every file) and a ``README.txt`` for the recipients. Entries are sorted, dated
1 January 1980 (the earliest a zip can say) and readable by all, so the same briefings
always give the same bytes. Every file is checked against its manifest first: a briefing
changed since it was published is not sent.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from .errors import InvalidInputError, ParameterError, Problem, display_path
from .manifest import MANIFEST
from .publish import replace_file
from .render import check_date, current_umask

#: What a zip entry says of its time and permissions: fixed, for the same bytes each time.
ENTRY_TIME = (1980, 1, 1, 0, 0, 0)
ENTRY_MODE = 0o644
DATED = re.compile(r"\d{4}-\d{2}-\d{2}")

README = """Briefings {first} to {last}
==========================

Each folder is one briefing, named by its information date (YYYY-MM-DD):

  briefing-DATE.html   the briefing, to read in any web browser (no network needed)
  briefing-DATE.pdf    the same briefing as a PDF/A document; the claims it rests on and
                       its manifest are attached inside the PDF
  manifest.json        what the briefing was built from: parameters, and a SHA-256 hash
                       of every input and every output

index.html lists the briefings, newest first, with their headlines.

Check that nothing changed on the way:

  sha256sum -c SHA256SUMS        (Linux; on macOS: shasum -a 256 -c SHA256SUMS)

Every line must end in OK.

A signed PDF carries the desk's digital signature; manifest.json names the signer's
certificate fingerprint ("signer"). Compare it with the fingerprint the desk gives you,
then open the PDF in a PDF viewer and look at its signature panel (it must say the
document was not modified since it was signed), or, with the desk's certificate desk.pem:

  pip install pyhanko-cli
  pyhanko sign validate --pretty-print --trust desk.pem --trust-replace \
      --no-revocation-check DATE/briefing-DATE.pdf

which must end in "The signature is judged VALID" and "The signature covers the entire file".
"""


@dataclass
class Bundle:
    """The zip written and the dates it holds."""

    path: Path
    dates: list[str]


def bundle_briefings(
    out: Path | str,
    output_dir: Path | str = "reports",
    start: str | None = None,
    end: str | None = None,
) -> Bundle:
    """Write the briefings dated ``start`` to ``end`` (inclusive) into the zip ``out``."""
    output_dir, out = Path(output_dir), Path(out)
    dates = briefing_dates(output_dir, start, end)
    files = {}
    for day in dates:
        files.update(briefing_files(output_dir / day, day))
    files["index.html"] = index_page(output_dir, dates)
    files["README.txt"] = README.format(first=dates[0], last=dates[-1]).encode()
    files["SHA256SUMS"] = checksums(files)
    write_zip(out, files)
    return Bundle(out, dates)


def briefing_dates(output_dir: Path, start: str | None, end: str | None) -> list[str]:
    """The dated briefing folders (with a manifest) from ``start`` to ``end``, oldest first."""
    for name, value in (("from", start), ("to", end)):
        if value is not None:
            check_date(name, value)  # render's own rule: a real calendar date
    dates = (
        sorted(
            p.name
            for p in output_dir.glob("*")
            if DATED.fullmatch(p.name)
            and (p / MANIFEST).is_file()
            and (start is None or p.name >= start)
            and (end is None or p.name <= end)
        )
        if output_dir.is_dir()
        else []
    )
    if not dates:
        where = display_path(output_dir)
        span = f" from {start or 'the first'} to {end or 'the last'}" if start or end else ""
        raise ParameterError("dates", f"no briefing in {where}{span}; render them first")
    return dates


def briefing_files(folder: Path, day: str) -> dict[str, bytes]:
    """A briefing's HTML, PDF and manifest, each checked against the manifest's hashes."""
    manifest = (folder / MANIFEST).read_bytes()
    recorded = json.loads(manifest).get("outputs", {})
    files, problems = {f"{day}/{MANIFEST}": manifest}, []
    for name in (f"briefing-{day}.html", f"briefing-{day}.pdf"):
        path = folder / name
        data = path.read_bytes() if path.is_file() else None
        if data is None or hashlib.sha256(data).hexdigest() != recorded.get(name):
            what = "is missing" if data is None else "differs from the hash its manifest records"
            message = f"{what}; expected the published file (run briefing verify, or render again)"
            problems.append(Problem(display_path(path), 0, "", message))
            continue
        files[f"{day}/{name}"] = data
    if problems:
        raise InvalidInputError(problems)
    return files


def index_page(output_dir: Path, dates: list[str]) -> bytes:
    """The index of the bundled briefings (the series' own index page, for these dates)."""
    from .series import index_html, index_rows

    return index_html(index_rows(output_dir, dates)).encode("utf-8")


def checksums(files: dict[str, bytes]) -> bytes:
    """``SHA256SUMS``: one ``<sha256>  <name>`` line per file, in name order."""
    lines = [f"{hashlib.sha256(files[name]).hexdigest()}  {name}\n" for name in sorted(files)]
    return "".join(lines).encode("utf-8")


def write_zip(out: Path, files: dict[str, bytes]) -> None:
    """Write ``files`` as a zip with sorted, fixed-time entries, renamed into place whole."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in sorted(files):
            entry = zipfile.ZipInfo(name, date_time=ENTRY_TIME)
            entry.external_attr = (0o100000 | ENTRY_MODE) << 16
            entry.create_system = 3  # Unix, so that the mode above is read
            entry.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(entry, files[name], compresslevel=9)
    out.parent.mkdir(parents=True, exist_ok=True)
    replace_file(out, buffer.getvalue(), 0o666 & ~current_umask())
