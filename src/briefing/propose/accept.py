"""``briefing accept``: reviewed candidate claims appended to the claims table.

The analyst reviews a file that ``briefing propose`` wrote (deletes rows, edits them,
grades them) and accepts it. Every row is checked by the claims table's own rules, its
quote found in its source, and located in the reviewed file as ``path:line:column``; only
when every row passes are they appended to ``claims.csv``, each with the next free id, in
one atomic replace of the file. Nothing is appended otherwise.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..claims import CLAIM_COLUMNS, CLAIM_ID, anchor_quotes, check_claims_table
from ..errors import ClaimValidationError, Problem
from ..inputs import read_input
from ..publish import replace_file
from ..reference import load_codebooks
from ..sources import load_sources
from ..tables import BOM, Table, read_table
from . import CANDIDATE_COLUMNS


@dataclass
class Accepted:
    """What :func:`accept_claims` appended: the new ids, in file order, and where."""

    claim_ids: list[str]
    claims_path: Path


def accept_claims(proposal: Path | str, data_dir: Path | str = "data") -> Accepted:
    """Validate the reviewed rows of ``proposal`` and append them to the claims table.

    Parameters
    ----------
    proposal : Path or str
        A reviewed proposal file: the claims table's header (plus ``evidence`` and
        ``confidence``, which are dropped), ``claim_id`` left blank.
    data_dir : Path or str
        The data folder whose ``claims/claims.csv``, sources and codebooks are used.

    Returns
    -------
    Accepted

    Raises
    ------
    ClaimValidationError
        Every problem of every row, located in ``proposal``; nothing is appended.
    """
    data_dir = Path(data_dir)
    claims_path = data_dir / "claims" / "claims.csv"
    table = read_table(proposal)
    existing = read_table(claims_path)
    problems = list(existing.problems) + _proposal_problems(table)
    if problems:
        raise ClaimValidationError(problems)
    ids = next_ids(existing.frame["claim_id"].tolist(), len(table.frame))
    table = _as_claims(table, ids)
    books = load_codebooks(data_dir / "reference")
    sources = load_sources(data_dir / "sources")
    problems = check_claims_table(table, sources, books)
    problems += anchor_quotes(table, sources)[2]
    if problems:
        raise ClaimValidationError(problems)
    append_rows(claims_path, table.frame[CLAIM_COLUMNS].values.tolist())
    return Accepted(ids, claims_path)


def _proposal_problems(table: Table) -> list[Problem]:
    """A proposal that cannot be accepted as a whole: unreadable, no rows, columns other
    than the claims table's (and the proposal's own), or an id typed by hand."""
    problems = list(table.problems)
    if problems or not table.header:
        return problems
    expected = CANDIDATE_COLUMNS  # the claims table's, then evidence and confidence
    for name in table.header:
        if name not in expected:
            message = f"unknown column; expected the claims table's: {', '.join(CLAIM_COLUMNS)}"
            problems.append(Problem(table.path, 1, name, message))
    for name in CLAIM_COLUMNS:
        if name not in table.header:
            problems.append(Problem(table.path, 1, name, "required column is missing"))
    if table.frame.empty:
        problems.append(Problem(table.path, 1, "", "no rows to accept; expected at least one"))
    if "claim_id" in table.header:
        for line, value in table.frame["claim_id"].items():
            if value.strip():
                message = f"found {value!r}; expected blank: accept gives each row the next free id"
                problems.append(Problem(table.path, int(line), "claim_id", message))
    return problems


def _as_claims(table: Table, ids: list[str]) -> Table:
    """The proposal as a claims table: its own columns dropped, the new ids filled in."""
    frame = table.frame[CLAIM_COLUMNS].copy()
    frame["claim_id"] = pd.Series(ids, index=frame.index, dtype=object)  # cells are text
    return Table(table.path, list(CLAIM_COLUMNS), frame, [])


def next_ids(taken: list[str], count: int) -> list[str]:
    """``count`` ids after the highest of ``taken`` (``C0170`` after ``C0169``), as wide as
    the widest taken id (at least four digits)."""
    numbers = [int(i[1:]) for i in taken if CLAIM_ID.fullmatch(i)]
    width = max([4, *(len(i) - 1 for i in taken if CLAIM_ID.fullmatch(i))])
    first = max(numbers, default=0) + 1
    return [f"C{n:0{width}d}" for n in range(first, first + count)]


def append_rows(path: Path, rows: list[list[str]]) -> None:
    """Append CSV rows to ``path`` in one atomic replace, in the file's own line endings.

    The file's bytes are kept as they are and the rows written after them; the new file is
    written beside it and renamed over it, so a reader (or a crash) never sees half of it.
    """
    data = read_input(path)
    text = data.decode("utf-8")
    ending = "\r\n" if "\r\n" in text else "\n"
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator=ending).writerows(rows)
    joiner = "" if not text.removeprefix(BOM) or re.search(r"\n\Z", text) else ending
    new = data + (joiner + buffer.getvalue()).encode("utf-8")
    replace_file(path, new, path.stat().st_mode & 0o777)
