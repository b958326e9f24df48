"""What a briefing was built from: ``reports/<date>/manifest.json``.

The manifest records the render parameters, the sha256 of every input (the notebook,
every data file, the package's own code and templates) and of every output. A briefing
whose recorded inputs and parameters match the current ones, and whose outputs still
have their recorded hashes, is up to date and need not be rendered again.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

MANIFEST = "manifest.json"
PACKAGE = Path(__file__).resolve().parent


def sha256(path: Path) -> str:
    """The hex sha256 of a file's bytes."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _files(folder: Path, prefix: str) -> dict[str, str]:
    """``{prefix/relative path: sha256}`` for every file below ``folder``, caches skipped."""
    return {
        f"{prefix}/{path.relative_to(folder).as_posix()}": sha256(path)
        for path in sorted(folder.rglob("*"))
        if path.is_file() and "__pycache__" not in path.parts
    }


def build_manifest(parameters: dict, notebook: Path, data_dir: Path) -> dict:
    """The parameters and input hashes of a briefing (its outputs are added on writing).

    Input names are relative (``data/claims/claims.csv``, ``briefing/render.py``), so two
    clones at different paths record the same manifest.
    """
    inputs = {f"notebooks/{notebook.name}": sha256(notebook)}
    inputs.update(_files(Path(data_dir), "data"))
    inputs.update(_files(PACKAGE, "briefing"))
    return {"parameters": dict(sorted(parameters.items())), "inputs": inputs}


def write_manifest(manifest: dict, folder: Path) -> Path:
    """Add the sha256 of every file in ``folder`` and write ``folder/manifest.json``."""
    outputs = {p.name: sha256(p) for p in sorted(folder.iterdir())
               if p.is_file() and p.name != MANIFEST}  # fmt: skip
    path = folder / MANIFEST
    path.write_text(
        json.dumps({**manifest, "outputs": outputs}, indent=2, sort_keys=True) + "\n",
        encoding="utf-8",
    )
    return path


def is_up_to_date(folder: Path, manifest: dict) -> bool:
    """Whether ``folder`` holds a complete briefing built from exactly these inputs."""
    try:
        recorded = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    if {k: recorded.get(k) for k in ("parameters", "inputs")} != manifest:
        return False
    outputs = recorded.get("outputs", {})
    return bool(outputs) and all(
        (folder / name).is_file() and sha256(folder / name) == digest
        for name, digest in outputs.items()
    )
