"""Codebooks: the allowed values of coded columns, kept in ``data/reference/*.csv``.

Each codebook is a CSV file whose first columns are ``code``, ``label`` and
``description``; further columns carry extra facts (e.g. probability ranges of the
ICD 203 estimative words). Adding a value is adding one line.

Two files of the folder are registers with a key of their own rather than codebooks:
``actors.csv`` (who speaks, and for whom: :mod:`briefing.actors`) and ``indicators.csv``
(what a figure counts). They are loaded here too, indexed by their key, and checked
against the codebooks they cite.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .errors import Problem, ReferenceValidationError, display_path
from .inputs import PATTERNS, list_inputs
from .tables import read_table, rule, text_problems

LEADING_COLUMNS = ["code", "label", "description"]
#: Registers: file stem to their leading columns (the first is the key).
REGISTERS = {
    "actors": ["actor_id", "name", "aliases", "role", "country", "kind", "part_of"],
    "indicators": ["indicator", "label", "unit", "description"],
}

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
    "actor_kinds",
    "actors",
    "indicators",
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
        book, found = _load_codebook(path, REGISTERS.get(path.stem, LEADING_COLUMNS))
        books[path.stem] = book
        problems.extend(found)
    if not problems:
        from .actors import register_problems

        problems = register_problems(books, {p.stem: display_path(p) for p in paths})
    if problems:
        raise ReferenceValidationError(problems)
    return books


def _load_codebook(path: Path, leading: list[str]) -> tuple[pd.DataFrame, list[Problem]]:
    """Read one codebook (or register) and check its header and its keys.

    ``leading`` are the columns the file must start with; the first is its key.
    """
    table = read_table(path)
    problems, key = list(table.problems), leading[0]
    empty = pd.DataFrame(columns=leading).set_index(key, drop=False)
    if not table.header:
        return empty, problems
    if table.header[: len(leading)] != leading:
        found = ", ".join(table.header[: len(leading)])
        message = f"header starts with {found}; expected {', '.join(leading)}"
        problems.append(Problem(table.path, 1, "", message))
        return empty, problems
    problems += text_problems(table)
    frame = table.frame
    for line, code in frame[key].items():
        if code == "" or code != code.strip():
            message = f"found {code!r}; expected a {key} with no spaces around it"
            problems.append(Problem(table.path, int(line), key, message))
    for line in frame.index[frame[key].duplicated()]:
        message = f"{key} {frame.at[line, key]!r} is listed twice"
        problems.append(Problem(table.path, int(line), key, message))
    frame = frame.rename_axis("line").reset_index()
    return frame.set_index(key, drop=False), problems


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
    return rule(lambda column: _coded(column, allowed), expected, vectorized=True)


def _coded(column: pd.Series, allowed: list[str]) -> pd.Series:
    """Whether each cell, trimmed, is one of ``allowed`` (only cells that are not one as
    they stand are trimmed: on a large table, nearly none)."""
    found = column.isin(allowed)
    if not found.all():
        found[~found] = column[~found].str.strip().isin(allowed)
    return found
