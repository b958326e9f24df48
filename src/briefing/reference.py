"""Codebooks: the allowed values of coded columns, kept in ``data/reference/*.csv``.

Each codebook is a CSV file whose first columns are ``code``, ``label`` and
``description``; further columns carry extra facts (e.g. probability ranges of the
ICD 203 estimative words). Adding a value is adding one line.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .errors import Problem, ReferenceValidationError, display_path
from .inputs import PATTERNS, list_inputs
from .tables import read_table, rule, text_problems

LEADING_COLUMNS = ["code", "label", "description"]

#: Codebooks every data set needs, by file stem.
REQUIRED_CODEBOOKS = (
    "topics",
    "stances",
    "units",
    "figure_statuses",
    "countries",
    "source_reliability",
    "info_credibility",
    "confidence_levels",
    "estimative_words",
)


def load_codebooks(reference_dir: Path | str) -> dict[str, pd.DataFrame]:
    """Load every codebook in ``reference_dir``.

    Parameters
    ----------
    reference_dir : Path or str
        Folder holding ``<name>.csv`` codebooks.

    Returns
    -------
    dict of str to pandas.DataFrame
        Codebook name (file stem) to its table, indexed by ``code``.

    Raises
    ------
    ReferenceValidationError
        A codebook is missing, unreadable, or has blank, padded or repeated codes.
    """
    reference_dir = Path(reference_dir)
    books, problems = {}, []
    paths = list_inputs(reference_dir, PATTERNS["reference"])
    for name in sorted(set(REQUIRED_CODEBOOKS) - {path.stem for path in paths}):
        path = reference_dir / f"{name}.csv"
        problems.append(Problem(display_path(path), 0, "", "codebook is missing"))
    for path in paths:
        book, found = _load_codebook(path)
        books[path.stem] = book
        problems.extend(found)
    if problems:
        raise ReferenceValidationError(problems)
    return books


def _load_codebook(path: Path) -> tuple[pd.DataFrame, list[Problem]]:
    """Read one codebook and check its header and codes."""
    table = read_table(path)
    problems = list(table.problems)
    if not table.header:
        return pd.DataFrame(columns=LEADING_COLUMNS).set_index("code", drop=False), problems
    if table.header[:3] != LEADING_COLUMNS:
        found = ", ".join(table.header[:3])
        message = f"header starts with {found}; expected code, label, description"
        problems.append(Problem(table.path, 1, "", message))
        return pd.DataFrame(columns=LEADING_COLUMNS).set_index("code", drop=False), problems
    problems += text_problems(table)
    frame = table.frame
    if "code" in frame:
        for line, code in frame["code"].items():
            if code == "" or code != code.strip():
                message = f"found {code!r}; expected a code with no spaces around it"
                problems.append(Problem(table.path, int(line), "code", message))
        for line in frame.index[frame["code"].duplicated()]:
            message = f"code {frame.at[line, 'code']!r} is listed twice"
            problems.append(Problem(table.path, int(line), "code", message))
    return frame.reset_index(drop=True).set_index("code", drop=False), problems


def codes(books: dict[str, pd.DataFrame], name: str) -> list[str]:
    """Return the allowed codes of codebook ``name`` in file order."""
    return list(books[name].index)


def codebook_rule(books: dict[str, pd.DataFrame], name: str):
    """A cell check: the (trimmed) cell is a code of codebook ``name``; blank passes.

    Padding is reported by the separate no-spaces rule, so a padded valid code
    gets one message, not two.
    """
    allowed = codes(books, name)
    listing = ", ".join(allowed[:12]) + (", ..." if len(allowed) > 12 else "")
    expected = f"a code from data/reference/{name}.csv ({listing})"
    return rule(lambda column: column.str.strip().isin(allowed), expected, vectorized=True)
