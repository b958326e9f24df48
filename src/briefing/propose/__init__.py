"""Candidate claims from a source, anchored and pre-coded, for the analyst to review.

:func:`propose_claims` reads one source and proposes rows of the claims table: each
``quote`` a verbatim sentence of the source (checked with
:func:`briefing.claims.find_quote`), never a reporter's question; the claimant resolved
through the actors register; the claim date read from the text against the
publication date; figures with their bounds; a guessed topic, indicator, figure status
and stance; a draft statement. Grades and ``claim_id`` are left blank for the analyst.
Two columns follow the claims table's: ``evidence`` (the cues behind the row) and
``confidence`` (``high``, ``medium``, ``low``).

The modules answer one question each: :mod:`.sentences` (where sentences and speaker
turns are), :mod:`.speakers` (who speaks), :mod:`.dates` (when), :mod:`.quantities`
(how many), :mod:`.cues` (stance, topic, indicator, status) and :mod:`.candidates`
(the rows).
"""

from __future__ import annotations

import csv
from pathlib import Path

from ..claims import CLAIM_COLUMNS, find_quote
from ..errors import SourceValidationError
from ..reference import load_codebooks
from ..sources import read_source
from ..tables import read_table
from .candidates import candidate_rows

CANDIDATE_COLUMNS = [*CLAIM_COLUMNS, "evidence", "confidence"]

__all__ = ["CANDIDATE_COLUMNS", "propose_claims", "write_candidates"]


def propose_claims(
    source_path: Path | str, data_dir: Path | str = "data", uncovered: bool = False
) -> list[dict]:
    """Propose candidate claims for one source.

    Parameters
    ----------
    source_path : Path or str
        The source file (YAML front matter, then the text as received).
    data_dir : Path or str
        The data folder: codebooks in ``reference/``, the claims in
        ``claims/claims.csv`` (read only when ``uncovered``).
    uncovered : bool
        Keep only candidates whose quote overlaps no existing claim's quote on this
        source: what the curated claims may have missed.

    Returns
    -------
    list of dict
        One dict per candidate row, keyed by :data:`CANDIDATE_COLUMNS`, in text order.

    Raises
    ------
    SourceValidationError
        The source cannot be read or its front matter is invalid.
    ReferenceValidationError
        A codebook is missing or invalid.
    """
    source, problems = read_source(Path(source_path))
    if problems:
        raise SourceValidationError(problems)
    books = load_codebooks(Path(data_dir) / "reference")
    rows = candidate_rows(source, books)
    if uncovered:
        covered = covered_spans(Path(data_dir) / "claims" / "claims.csv", source)
        rows = [
            row for row in rows if not _overlaps(find_quote(row["quote"], source.text), covered)
        ]
    return rows


def covered_spans(claims_path: Path, source) -> list[tuple[int, int]]:
    """The ``(start, end)`` spans that existing claims' quotes cover in ``source``."""
    if not claims_path.is_file():
        return []
    table = read_table(claims_path)
    if "source_id" not in table.header or "quote" not in table.header:
        return []
    mine = table.frame[table.frame["source_id"] == source.meta.get("source_id", "")]
    spans = (find_quote(quote, source.text) for quote in mine["quote"] if quote.strip())
    return [span for span in spans if span]


def _overlaps(span: tuple[int, int] | None, covered: list[tuple[int, int]]) -> bool:
    """Whether ``span`` shares a character with any of ``covered``."""
    return span is not None and any(span[0] < end and start < span[1] for start, end in covered)


def write_candidates(rows: list[dict], path: Path | str) -> Path:
    """Write candidate rows as CSV: the claims header, then ``evidence,confidence``.

    Parameters
    ----------
    rows : list of dict
        Rows from :func:`propose_claims`.
    path : Path or str
        The CSV file to write; its parent folders are created.

    Returns
    -------
    Path
        The file written.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=CANDIDATE_COLUMNS, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return path
