"""``briefing verify``: prove that a briefing follows from its sources.

Given a briefing's ``manifest.json`` (or its PDF, whose attached manifest is used), three
checks are made, and each says whether it failed:

1. **published files**: the files published beside the manifest still have the hashes
   it records (a changed or deleted HTML or PDF is named);
2. **inputs**: the current inputs have the hashes recorded for them;
3. **fresh render**: the briefing is rendered again into a temporary folder with the
   recorded parameters and provenance, and its outputs are compared byte for byte with
   the recorded hashes and with the published files.
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
    """verify's three checks, in order: published files, inputs, fresh render."""

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
    it to the hash the manifest (or, for a lone PDF, the PDF itself) gives it.
    """

    manifest: dict
    expected: dict[str, str]
    published: dict[str, Path]
    source: str


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
        return Recorded(manifest, outputs, published, path.name)
    from pypdf import PdfReader

    attached = PdfReader(path).attachments.get(MANIFEST)
    if not attached:
        raise ParameterError("path", f"{path} has no attached {MANIFEST}")
    beside = path.parent / MANIFEST
    outputs = _manifest_file(beside).get("outputs", {}) if beside.is_file() else {}
    if path.name in outputs:
        return Recorded(json.loads(attached[0]), {path.name: outputs[path.name]},
                        {path.name: path}, MANIFEST)  # fmt: skip
    return Recorded(json.loads(attached[0]), {path.name: sha256(path)}, {}, "")


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
        made = sha256(fresh)
        if made != digest:
            lines.append(f"{_kind(name)} differs ({name})")
        file = recorded.published.get(name)
        if file is not None and file.is_file() and sha256(file) != made:
            lines.append(f"{_kind(name)} differs from the published file ({name})")
    return lines


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
            **overrides,
        )
    except BriefingError as exc:
        return [f"the briefing could not be rendered again: {exc}"]
    return output_differences(recorded, briefing.folder)


def verify_briefing(
    path: Path | str,
    notebook: Path | str = "notebooks/briefing.ipynb",
    data_dir: Path | str = "data",
) -> Verification:
    """Check a briefing's published files, its inputs and a fresh render of it.

    Parameters
    ----------
    path : Path or str
        A briefing's ``manifest.json`` or PDF.
    notebook, data_dir : Path or str
        The current notebook and data folder.

    Returns
    -------
    Verification
        The three checks; its ``differences`` are empty when the briefing is reproduced
        exactly and its published files are the ones rendered.
    """
    from .evidence import data_paths
    from .render import OVERRIDES

    recorded = read_recorded(Path(path))
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
            "identical, byte for byte, to what was recorded and published",
            _render_again(recorded, notebook, data_dir, overrides, scratch),
        )
    return Verification([published, inputs, fresh])
