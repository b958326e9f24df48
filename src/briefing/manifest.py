"""What a briefing was built from: ``reports/<date>/manifest.json``.

The manifest records the render parameters, the sha256 of every input (the notebook,
every data file, the package's own code and templates, the lock file), the provenance
of the build (git commit, whether the tree had uncommitted changes, Python and key
package versions) and the sha256 of every output. A copy without the output hashes is
attached to the PDF, so a reader holding only the PDF can see what it was built from.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import subprocess
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

MANIFEST = "manifest.json"
PACKAGE = Path(__file__).resolve().parent
KEY_PACKAGES = ("briefing", "pandas", "pandera", "matplotlib", "papermill", "nbconvert",
                "nbformat", "ipykernel", "weasyprint")  # fmt: skip


def sha256(path: Path) -> str:
    """The hex sha256 of a file's bytes, read a block at a time (a briefing's HTML of a
    million claims is hundreds of MB, never held)."""
    with Path(path).open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def _files(folder: Path, prefix: str) -> dict[str, str]:
    """``{prefix/relative path: sha256}`` for every file below ``folder``, caches skipped."""
    return {
        f"{prefix}/{path.relative_to(folder).as_posix()}": sha256(path)
        for path in sorted(folder.rglob("*"))
        if path.is_file() and "__pycache__" not in path.parts
    }


def project_root(notebook: Path) -> Path | None:
    """The project folder holding ``notebook`` (the one with ``pyproject.toml``), if any."""
    for folder in Path(notebook).resolve().parents:
        if (folder / "pyproject.toml").is_file():
            return folder
    return None


def input_hashes(
    notebook: Path, data_dir: Path, paths: dict | None = None, snapshot=None
) -> dict[str, str]:
    """sha256 of every input, keyed by a relative name (the same in every clone).

    Exactly the files the loaders read count (:data:`briefing.inputs.PATTERNS`): a stray
    file beside them (a spreadsheet's lock file) is no input. ``paths`` (from
    :func:`briefing.evidence.data_paths`, default: ``data_dir``'s layout) names the inputs;
    files inside ``data_dir`` are keyed ``data/...``, others by kind (``claims/claims.csv``).
    ``snapshot`` holds their bytes as a render read them (default: read them now).
    """
    from .evidence import data_paths
    from .inputs import PATTERNS, take_snapshot

    paths = paths if paths is not None else data_paths(data_dir)
    if snapshot is None:
        snapshot = take_snapshot({**paths, "notebook": notebook})
    inputs = {f"notebooks/{notebook.name}": snapshot.digest(notebook)}
    data_dir = Path(data_dir).resolve()
    for kind, path in paths.items():
        if path is None:
            continue
        path = Path(path).resolve()
        names = snapshot.listings.get((str(path), PATTERNS.get(kind, "")))
        if names is None:  # a file
            inputs[_input_key(path, data_dir, kind)] = snapshot.digest(path)
            continue
        prefix = _input_key(path / "-", data_dir, kind)[:-1]  # a folder's: once, not per file
        for name in names:
            inputs[prefix + name] = snapshot.digest(os.path.join(path, name))
    inputs.update(_files(PACKAGE, "briefing"))
    root = project_root(notebook)
    if root and (root / "requirements.lock").is_file():
        inputs["requirements.lock"] = sha256(root / "requirements.lock")
    return {name: digest for name, digest in inputs.items() if digest is not None}


def _input_key(path: Path, data_dir: Path, kind: str) -> str:
    """An input's name in the manifest: ``data/...`` inside ``data_dir``, else by kind."""
    if path.is_relative_to(data_dir):
        return f"data/{path.relative_to(data_dir).as_posix()}"
    return f"{kind}/{path.name}"


def git_state(root: Path | None) -> dict:
    """``{"commit": sha or None, "dirty": bool or None}`` of the project's git checkout."""
    if root is None:
        return {"commit": None, "dirty": None}
    try:
        commit = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "HEAD"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
        status = subprocess.run(
            ["git", "-C", str(root), "status", "--porcelain"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return {"commit": None, "dirty": None}
    return {"commit": commit, "dirty": bool(status.strip())}


def package_versions() -> dict[str, str]:
    """Python's version and those of the packages that shape the output."""
    versions = {"python": platform.python_version()}
    for name in KEY_PACKAGES:
        try:
            versions[name] = version(name)
        except PackageNotFoundError:
            continue
    return versions


def inputs_digest(inputs: dict[str, str]) -> str:
    """One sha256 over every input's name and hash: equal digests, equal inputs."""
    lines = "".join(f"{name}  {digest}\n" for name, digest in sorted(inputs.items()))
    return hashlib.sha256(lines.encode("utf-8")).hexdigest()


def build_manifest(
    parameters: dict,
    notebook: Path,
    data_dir: Path,
    paths: dict | None = None,
    provenance: dict | None = None,
    snapshot=None,
    signer: dict | None = None,
) -> dict:
    """The parameters, input hashes and provenance of a briefing (outputs come on writing).

    Parameters
    ----------
    parameters : dict
        What papermill injects.
    notebook, data_dir : Path
        The briefing notebook and the data folder.
    paths : dict, optional
        The inputs used (:func:`briefing.evidence.data_paths`).
    provenance : dict, optional
        A recorded provenance to reuse (``briefing verify`` rebuilds with the commit and
        versions of the briefing it checks); default: the current ones.
    snapshot : briefing.inputs.Snapshot, optional
        The inputs as the render read them (default: read them now).
    signer : dict, optional
        Who signs the PDF (:meth:`briefing.signing.Identity.record`); recorded as
        ``signer``, absent from an unsigned briefing's manifest.

    Returns
    -------
    dict
    """
    inputs = input_hashes(notebook, data_dir, paths, snapshot)
    if provenance is None:
        provenance = {**git_state(project_root(notebook)), "versions": package_versions()}
    manifest = {
        "parameters": dict(sorted(parameters.items())),
        "inputs": inputs,
        "inputs_digest": inputs_digest(inputs),
        "provenance": provenance,
    }
    if signer is not None:
        manifest["signer"] = signer
    return manifest


def manifest_json(manifest: dict) -> str:
    """The manifest as stable, human-readable JSON."""
    return json.dumps(manifest, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def write_manifest(manifest: dict, folder: Path) -> Path:
    """Add the sha256 of every file in ``folder`` and write ``folder/manifest.json``."""
    from concurrent.futures import ThreadPoolExecutor

    files = [p for p in sorted(folder.iterdir()) if p.is_file() and p.name != MANIFEST]
    with ThreadPoolExecutor(2, thread_name_prefix="hash-outputs") as pool:  # hashing: no GIL
        outputs = {p.name: digest for p, digest in zip(files, pool.map(sha256, files), strict=True)}
    path = folder / MANIFEST
    path.write_text(manifest_json({**manifest, "outputs": outputs}), encoding="utf-8")
    return path


def is_up_to_date(folder: Path, manifest: dict) -> bool:
    """Whether ``folder`` holds a complete briefing built from exactly these inputs.

    Provenance (commit, versions) is not compared: it describes a build, it is not an
    input. The signer is compared (a briefing signed by another identity, or unsigned, is
    rendered again). The outputs must still have the hashes recorded for them.
    """
    try:
        recorded = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    keys = ("parameters", "inputs", "signer")  # signed by someone else: not up to date
    if any(recorded.get(key) != manifest.get(key) for key in keys):
        return False
    outputs = recorded.get("outputs", {})
    return bool(outputs) and all(
        (folder / name).is_file() and sha256(folder / name) == digest
        for name, digest in outputs.items()
    )
