"""A briefing notebook's parameters: what its ``parameters`` cell declares, and the values
papermill injected into an executed one.

Read without nbconvert or papermill, so that a render checks its parameters before those
heavy imports (they load in a thread meanwhile, :func:`briefing.export.prewarm`).
"""

from __future__ import annotations

import ast

DEFAULT_PARAMETERS = {"as_of": "", "title": "Briefing", "marking": "UNCLASSIFIED // OPEN SOURCE"}


def parameters_cell(nb):
    """The first code cell tagged ``parameters``, or ``None``."""
    for cell in nb.cells:
        if cell.cell_type == "code" and "parameters" in cell.metadata.get("tags", []):
            return cell
    return None


def declared_parameters(nb) -> set[str]:
    """The names the notebook's parameters cell assigns."""
    cell = parameters_cell(nb)
    return set(_literal_assignments(cell.source)) if cell is not None else set()


def notebook_parameters(nb) -> dict:
    """Return the briefing parameters of a notebook.

    Defaults come from the literals in the cell tagged ``parameters``; values that
    papermill injected (``metadata.papermill.parameters``) override them.

    Parameters
    ----------
    nb : nbformat.NotebookNode

    Returns
    -------
    dict
        At least ``as_of``, ``title`` and ``marking``, as strings.
    """
    values = dict(DEFAULT_PARAMETERS)
    cell = parameters_cell(nb)
    if cell is not None:
        values.update(_literal_assignments(cell.source))
    values.update(nb.metadata.get("papermill", {}).get("parameters", {}))
    return values


def _literal_assignments(source: str) -> dict:
    """``name = literal`` assignments of a code cell, as a dict."""
    values = {}
    for node in ast.parse(source).body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
            if isinstance(target, ast.Name):
                try:
                    values[target.id] = ast.literal_eval(node.value)
                except ValueError:
                    continue
    return values
