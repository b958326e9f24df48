"""Load everything a briefing is built from, and validate it together."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .claims import load_claims
from .judgments import load_analyst_tables
from .reference import load_codebooks
from .sources import load_sources


@dataclass
class Evidence:
    """Codebooks, sources and claims, and the analyst's judgments, gaps and events."""

    sources: pd.DataFrame
    claims: pd.DataFrame
    codebooks: dict[str, pd.DataFrame]
    judgments: pd.DataFrame
    gaps: pd.DataFrame
    events: pd.DataFrame


def load_evidence(
    data_dir: Path | str = "data",
    claims_path=None,
    sources_dir=None,
    judgments_path=None,
    gaps_path=None,
    events_path=None,
) -> Evidence:
    """Load and validate a data folder.

    Parameters
    ----------
    data_dir : Path or str
        Folder with ``reference/``, ``sources/``, ``claims/claims.csv``,
        ``judgments/judgments.csv``, ``judgments/gaps.csv`` and ``events/events.csv``
        (the last three may be absent: the briefing then says there are none).
    claims_path, sources_dir, judgments_path, gaps_path, events_path : Path or str, optional
        Use another file or folder than the one in ``data_dir``.

    Returns
    -------
    Evidence

    Raises
    ------
    InvalidInputError
        A subclass naming every problem as ``path:line:column: message``.
    """
    data_dir = Path(data_dir)
    books = load_codebooks(data_dir / "reference")
    sources = load_sources(sources_dir or data_dir / "sources")
    claims = load_claims(claims_path or data_dir / "claims" / "claims.csv", sources, books)
    paths = {
        "judgments": judgments_path or data_dir / "judgments" / "judgments.csv",
        "gaps": gaps_path or data_dir / "judgments" / "gaps.csv",
        "events": events_path or data_dir / "events" / "events.csv",
    }
    tables = load_analyst_tables(paths, claims, sources, books)
    return Evidence(sources, claims, books, tables["judgments"], tables["gaps"], tables["events"])
