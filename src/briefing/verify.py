"""``briefing verify``: prove that a briefing follows from its sources.

Given a briefing's ``manifest.json`` (or its PDF, whose attached manifest is used), the
current inputs are hashed and compared with the recorded ones, the briefing is rendered
again into a temporary folder with the recorded parameters and provenance, and the new
outputs are compared byte for byte with the recorded ones.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from .errors import BriefingError, ParameterError
from .manifest import MANIFEST, input_hashes, sha256

KINDS = {".pdf": "PDF", ".html": "HTML", ".ipynb": "executed notebook"}


def read_recorded(path: Path) -> tuple[dict, dict[str, str]]:
    """The recorded manifest and the output hashes to compare with.

    For a ``manifest.json`` the outputs are those it lists; for a PDF they are the PDF
    itself (its attached manifest cannot hold its own hash).
    """
    path = Path(path)
    if not path.is_file():
        raise ParameterError("path", f"found {str(path)!r}; expected a manifest.json or PDF")
    if path.suffix.lower() == ".pdf":
        from pypdf import PdfReader

        attached = PdfReader(path).attachments.get(MANIFEST)
        if not attached:
            raise ParameterError("path", f"{path} has no attached {MANIFEST}")
        return json.loads(attached[0]), {path.name: sha256(path)}
    try:
        recorded = json.loads(path.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise ParameterError("path", f"{path} is not a JSON manifest: {exc}") from exc
    return recorded, recorded.get("outputs", {})


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


def output_differences(expected: dict[str, str], folder: Path) -> list[str]:
    """One line per recorded output whose re-rendered bytes differ."""
    lines = []
    for name, digest in sorted(expected.items()):
        fresh = folder / name
        kind = KINDS.get(fresh.suffix, name)
        if not fresh.is_file():
            lines.append(f"{kind} was not produced again ({name})")
        elif sha256(fresh) != digest:
            lines.append(f"{kind} differs ({name})")
    return lines


def verify_briefing(
    path: Path | str,
    notebook: Path | str = "notebooks/briefing.ipynb",
    data_dir: Path | str = "data",
) -> list[str]:
    """Check a briefing against the current inputs by rendering it again.

    Parameters
    ----------
    path : Path or str
        A briefing's ``manifest.json`` or PDF.
    notebook, data_dir : Path or str
        The current notebook and data folder.

    Returns
    -------
    list of str
        One line per difference; empty when the briefing is reproduced exactly.
    """
    from .evidence import data_paths
    from .render import OVERRIDES, render_briefing

    recorded, expected = read_recorded(Path(path))
    parameters = recorded["parameters"]
    overrides = {name: Path(notebook).parent / parameters[name] for name in OVERRIDES
                 if parameters.get(name)}  # fmt: skip
    current = input_hashes(Path(notebook), Path(data_dir), data_paths(data_dir, **overrides))
    differences = input_differences(recorded["inputs"], current)
    with tempfile.TemporaryDirectory(prefix="briefing-verify-") as scratch:
        try:
            briefing = render_briefing(
                as_of=parameters["as_of"],
                since=parameters.get("since") or None,
                title=parameters.get("title"),
                marking=parameters.get("marking"),
                notebook=notebook,
                output_dir=scratch,
                data_dir=data_dir,
                provenance=recorded.get("provenance"),
                **overrides,
            )
        except BriefingError as exc:
            return differences + [f"the briefing could not be rendered again: {exc}"]
        differences += output_differences(expected, briefing.folder)
    return differences
