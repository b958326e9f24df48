"""Notebook hygiene: committed notebooks carry no outputs and match their jupytext pair.

Each ``notebooks/<name>.ipynb`` is paired with ``notebooks/text/<name>.py`` (py:percent):
the pair lives in a subfolder so that ``briefing.py`` never shadows the ``briefing``
package when a kernel runs in ``notebooks/``.

Usage: ``python tools/check_notebooks.py notebooks`` (run by ``make lint``); exit 1 with one
line per problem.
"""

from __future__ import annotations

import sys
from pathlib import Path

import jupytext
import nbformat


def output_problems(path: Path) -> list[str]:
    """Cells of a notebook that carry outputs or execution counts."""
    nb = nbformat.read(str(path), as_version=4)
    return [
        f"{path}: cell {i} has outputs or an execution count; clear outputs before committing"
        for i, cell in enumerate(nb.cells)
        if cell.cell_type == "code" and (cell.outputs or cell.execution_count is not None)
    ]


def pair_problems(path: Path) -> list[str]:
    """Differences between a notebook and its py:percent pair (sources and tags)."""
    pair = path.parent / "text" / f"{path.stem}.py"  # paired as ipynb,text//py:percent
    if not pair.is_file():
        return [f"{path}: no jupytext pair {pair.name}; run jupytext --sync {path}"]
    ipynb, text = nbformat.read(str(path), as_version=4), jupytext.read(pair)

    def cells(nb):
        return [
            (c.cell_type, c.source.strip(), tuple(c.metadata.get("tags", []))) for c in nb.cells
        ]

    if cells(ipynb) != cells(text):
        return [f"{path}: differs from {pair.name}; run jupytext --sync {path}"]
    return []


def check(folder: Path) -> list[str]:
    """Every hygiene problem of the notebooks in ``folder``."""
    problems = []
    for path in sorted(Path(folder).glob("*.ipynb")):
        problems += output_problems(path) + pair_problems(path)
    return problems


if __name__ == "__main__":
    found = check(Path(sys.argv[1] if len(sys.argv) > 1 else "notebooks"))
    for line in found:
        print(line, file=sys.stderr)
    sys.exit(1 if found else 0)
