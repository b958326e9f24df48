"""``briefing verify``: prove that a briefing follows from its sources.

Given a briefing's ``manifest.json`` (or its PDF, whose attached manifest is used), four
checks are made, and each says whether it failed:

1. **published files**: the files published beside the manifest still have the hashes
   it records (a changed or deleted HTML or PDF is named);
2. **inputs**: the current inputs have the hashes recorded for them;
3. **fresh render**: the briefing is rendered again into a temporary folder with the
   recorded parameters and provenance, and its outputs are compared byte for byte with
   the recorded hashes and with the published files. A signed PDF is compared by its
   first revision: the fresh (unsigned) render must be exactly the bytes the signature was
   appended to;
4. **signature**: whether the PDF is signed, the signature intact and valid, covering the
   whole file (nothing appended after signing), by the signer the manifest records, and
   that signer in the desk's trust list (``data/trust/*.pem``, plus ``--trust`` files).
"""

from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from .errors import BriefingError, ParameterError
from .manifest import MANIFEST, input_hashes, sha256

KINDS = {".pdf": "PDF", ".html": "HTML", ".ipynb": "executed notebook", ".json": "facts file"}


@dataclass(frozen=True)
class Check:
    """One of verify's checks: its name, what it compared, and one line per difference."""

    name: str
    compared: str
    differences: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        """Whether nothing differed."""
        return not self.differences

    def lines(self) -> list[str]:
        """The report: ``name: difference`` per difference, or one ``name: compared`` line."""
        return [f"{self.name}: {line}" for line in self.differences or [self.compared]]


@dataclass(frozen=True)
class Verification:
    """verify's checks, in order: published files, inputs, fresh render, signature."""

    checks: list[Check]

    @property
    def differences(self) -> list[str]:
        """Every difference, each prefixed with the check that found it; empty if verified."""
        return [line for check in self.checks if not check.passed for line in check.lines()]

    @property
    def failed(self) -> list[str]:
        """The names of the checks that found a difference."""
        return [check.name for check in self.checks if not check.passed]


@dataclass(frozen=True)
class Recorded:
    """What a briefing recorded: its manifest, the output hashes, and the published files.

    ``published`` maps an output's name to its file beside the manifest; ``expected`` maps
    it to the hash the manifest (or, for a lone PDF, the PDF itself) gives it; ``pdf`` is
    the briefing's PDF (published, or the lone PDF given).
    """

    manifest: dict
    expected: dict[str, str]
    published: dict[str, Path]
    source: str
    pdf: Path | None = None

    @property
    def signer(self) -> dict | None:
        """The signer the manifest records (``None``: the briefing is unsigned; an entry
        that is not a record of a signer counts as none, and the fresh render differs)."""
        signer = self.manifest.get("signer")
        return signer if isinstance(signer, dict) else None


def _manifest_file(path: Path) -> dict:
    """A ``manifest.json`` read as JSON, or a ParameterError naming it."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise ParameterError("path", f"{path} is not a JSON manifest: {exc}") from exc


def read_recorded(path: Path) -> Recorded:
    """The recorded manifest, the output hashes to compare with, and the published files.

    For a ``manifest.json`` the outputs are those it lists, published beside it. For a PDF
    the manifest is the one attached to it, which cannot hold the PDF's own hash: the PDF
    is compared with the hash a ``manifest.json`` beside it records for it, if there is
    one, and otherwise only with the fresh render.
    """
    path = Path(path)
    if not path.is_file():
        raise ParameterError("path", f"found {str(path)!r}; expected a manifest.json or PDF")
    if path.suffix.lower() != ".pdf":
        manifest = _manifest_file(path)
        outputs = manifest.get("outputs", {})
        published = {name: path.parent / name for name in outputs}
        pdfs = [file for name, file in published.items() if name.endswith(".pdf")]
        return Recorded(manifest, outputs, published, path.name, pdfs[0] if pdfs else None)
    from pypdf import PdfReader

    attached = PdfReader(path).attachments.get(MANIFEST)
    if not attached:
        raise ParameterError("path", f"{path} has no attached {MANIFEST}")
    beside = path.parent / MANIFEST
    outputs = _manifest_file(beside).get("outputs", {}) if beside.is_file() else {}
    if path.name in outputs:
        return Recorded(json.loads(attached[0]), {path.name: outputs[path.name]},
                        {path.name: path}, MANIFEST, path)  # fmt: skip
    return Recorded(json.loads(attached[0]), {path.name: sha256(path)}, {}, "", path)


def _kind(name: str) -> str:
    """What an output is, for a reader: PDF, HTML, executed notebook."""
    return KINDS.get(Path(name).suffix, name)


def published_differences(recorded: Recorded) -> list[str]:
    """One line per published file that was changed or deleted since it was rendered."""
    lines = []
    for name, file in sorted(recorded.published.items()):
        if not file.is_file():
            lines.append(f"{_kind(name)} is missing ({name})")
        elif sha256(file) != recorded.expected[name]:
            lines.append(f"{_kind(name)} changed since it was published ({name})")
    return lines


def input_differences(recorded: dict[str, str], current: dict[str, str]) -> list[str]:
    """One line per input that changed, appeared or disappeared since the briefing."""
    lines = []
    for name in sorted(recorded.keys() | current.keys()):
        if name not in current:
            lines.append(f"{name} was removed since this briefing")
        elif name not in recorded:
            lines.append(f"{name} was added since this briefing")
        elif recorded[name] != current[name]:
            lines.append(f"{name} changed since this briefing")
    return lines


def output_differences(recorded: Recorded, folder: Path) -> list[str]:
    """One line per output whose re-rendered bytes differ from the record or the file."""
    lines = []
    for name, digest in sorted(recorded.expected.items()):
        fresh = folder / name
        if not fresh.is_file():
            lines.append(f"{_kind(name)} was not produced again ({name})")
            continue
        if recorded.signer and name.endswith(".pdf"):
            lines += _signed_pdf_differences(fresh, recorded.pdf, name)
            continue
        made = sha256(fresh)
        if made != digest:
            lines.append(f"{_kind(name)} differs ({name})")
        file = recorded.published.get(name)
        if file is not None and file.is_file() and sha256(file) != made:
            lines.append(f"{_kind(name)} differs from the published file ({name})")
    return lines


def _signed_pdf_differences(fresh: Path, published: Path | None, name: str) -> list[str]:
    """A signed PDF against the fresh, unsigned render: the signature is appended to the
    rendered bytes, so the published file must begin with exactly the fresh render."""
    if published is None or not published.is_file():
        return [f"PDF cannot be compared: the signed file is missing ({name})"]
    if not published.read_bytes().startswith(fresh.read_bytes()):
        return [f"PDF differs: what was signed is not the fresh render ({name})"]
    return []


def signature_check(recorded: Recorded, trusted: list[bytes], trust_source: str) -> Check:
    """Whether the briefing's PDF is signed as its manifest says, intact, whole and trusted.

    A desk that keeps a trust list signs what it issues: with one, an unsigned PDF fails
    (anyone can render genuine data under another title or marking, unsigned).
    """
    from .signing import check_signatures

    signer = (recorded.signer or {}).get("fingerprint_sha256")
    pdf = recorded.pdf
    if pdf is None or not pdf.is_file():
        missing = [f"the signed PDF is missing ({pdf.name if pdf else 'no PDF listed'})"]
        return Check("signature", "no PDF to check", missing if signer else [])
    try:
        found = check_signatures(pdf.read_bytes(), trusted)
    except ValueError as exc:
        return Check("signature", "", [f"{pdf.name}: {exc}"])
    if not found:
        if signer:
            return Check("signature", "", [f"{pdf.name} is not signed, but its manifest records "
                                           f"the signer {signer}"])  # fmt: skip
        if trusted:
            return Check("signature", "", [f"{pdf.name} is not signed, and the desk keeps a "
                                           f"trust list ({trust_source}): expected a signature "
                                           "by a trusted signer"])  # fmt: skip
        return Check("signature", f"{pdf.name} is not signed (its manifest records no signer)")
    differences, described = [], []
    for signature in found:
        says = f"{pdf.name}: {signature.summary()} ({trust_source})"
        described.append(says)
        problems = list(signature.problems)
        if signer and signature.fingerprint != signer:
            problems.append(f"its manifest records the signer {signer}")
        if not signer:
            problems.append("its manifest records no signer")
        differences += [f"{pdf.name}: {problem}" for problem in problems]
        if problems:
            differences.append(says)
    return Check("signature", "; ".join(described), differences)


def _render_again(recorded: Recorded, notebook: Path, data_dir: Path, overrides: dict,
                  scratch: str) -> list[str]:  # fmt: skip
    """Render the briefing again into ``scratch``; the differences from what was recorded."""
    from .render import render_briefing

    parameters = recorded.manifest["parameters"]
    try:
        briefing = render_briefing(
            as_of=parameters["as_of"],
            since=parameters.get("since") or None,
            title=parameters.get("title"),
            marking=parameters.get("marking"),
            notebook=notebook,
            output_dir=scratch,
            data_dir=data_dir,
            provenance=recorded.manifest.get("provenance"),
            signed_by=recorded.signer,
            **overrides,
        )
    except BriefingError as exc:
        return [f"the briefing could not be rendered again: {exc}"]
    return output_differences(recorded, briefing.folder)


def verify_briefing(
    path: Path | str,
    notebook: Path | str = "notebooks/briefing.ipynb",
    data_dir: Path | str = "data",
    trust=(),
) -> Verification:
    """Check a briefing's published files, its inputs, a fresh render and its signature.

    Parameters
    ----------
    path : Path or str
        A briefing's ``manifest.json`` or PDF.
    notebook, data_dir : Path or str
        The current notebook and data folder.
    trust : iterable of Path or str
        PEM certificates trusted besides ``<data_dir>/trust/*.pem``.

    Returns
    -------
    Verification
        The four checks; its ``differences`` are empty when the briefing is reproduced
        exactly, its published files are the ones rendered and its signature (if any)
        vouches for the whole file.
    """
    from .evidence import data_paths
    from .render import OVERRIDES
    from .signing import read_trust_list, trust_files

    recorded = read_recorded(Path(path))
    trust_list = [*trust_files(data_dir), *map(Path, trust)]
    trusted = read_trust_list(trust_list)
    signature = signature_check(
        recorded,
        trusted,
        f"trust list: {len(trust_list)} file(s)" if trust_list else "no trust list",
    )
    notebook, data_dir = Path(notebook), Path(data_dir)
    parameters = recorded.manifest["parameters"]
    overrides = {name: notebook.parent / parameters[name] for name in OVERRIDES
                 if parameters.get(name)}  # fmt: skip
    count = len(recorded.published)
    published = Check(
        "published files",
        f"the {count} files {recorded.source} lists are as rendered"
        if count
        else "no manifest.json beside the PDF: checked by the fresh render only",
        published_differences(recorded),
    )
    current = input_hashes(notebook, data_dir, data_paths(data_dir, **overrides))
    inputs = Check(
        "inputs",
        f"the {len(current)} inputs are as recorded",
        input_differences(recorded.manifest["inputs"], current),
    )
    with tempfile.TemporaryDirectory(prefix="briefing-verify-") as scratch:
        fresh = Check(
            "fresh render",
            "identical, byte for byte, to what was recorded and published"
            + (" (the signed PDF: up to its signature)" if recorded.signer else ""),
            _render_again(recorded, notebook, data_dir, overrides, scratch),
        )
    return Verification([published, inputs, fresh, signature])
